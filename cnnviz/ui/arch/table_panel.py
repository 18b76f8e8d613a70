"""The panel around the layer and block tables: view switch, filter box, subtotal footer."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.inspect.depth import MODULES_MEANING
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.layer_table import KEY_ROLE, BlockTableModel, LayerTableModel, TableFilter
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.elided import ElidedLabel


ROW_HEIGHT = 24
MIN_ROWS = 6  # rows the table always shows while it is open
COMPACT_ROWS = 3  # the same on a short (laptop) screen, where the graph needs the height
CELL_PAD = 18  # pixels around a cell's text
HEADER_PAD = 30  # the header's padding and its sort arrow
NAME_MAX = 220  # the widest a column of names gets; longer names lose their middle
FILTER_COMPACT_MAX = 320  # the filter box's width where the subtotals share its row
TOP, COMPACT_TOP = 8, 4  # the margin above the view switch (on a short screen)


class TablePanel(QWidget):
    """Layers or blocks of the current report.  ``selection_changed`` carries a key or None."""

    selection_changed = Signal(object)
    context_menu_requested = Signal(QMenu)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layers = LayerTableModel(self)
        self.blocks = BlockTableModel(self)
        self.layer_proxy = TableFilter(self)
        self.layer_proxy.setSourceModel(self.layers)
        self.block_proxy = TableFilter(self)
        self.block_proxy.setSourceModel(self.blocks)

        # "Modules": every node of the graph; "Layers" means weighted layers everywhere
        # (the papers' depth), see cnnviz.core.inspect.depth.
        self.btn_layers = QPushButton("Modules", checkable=True, checked=True,
                                      toolTip=f"One row per module. {MODULES_MEANING}")
        self.btn_blocks = QPushButton("Blocks", checkable=True,
                                      toolTip="One row per block, with its subtotals")
        group = QButtonGroup(self)
        group.setExclusive(True)
        for b in (self.btn_layers, self.btn_blocks):
            group.addButton(b)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
        self.btn_layers.toggled.connect(self._mode_changed)
        self.filter_edit = QLineEdit(placeholderText="Filter by name, type or block…")
        self.filter_edit.setClearButtonEnabled(True)
        self._search_action = self.filter_edit.addAction(
            icons.icon("search", "#888888"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter_edit.textChanged.connect(self.set_filter)
        # Elided, not wrapped or clipped: the footer never holds the column wider than the
        # table needs, so the details column beside it can be dragged wide.
        self.footer = ElidedLabel()
        self.footer.setProperty("role", "muted")

        self.view = QTableView()
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setShowGrid(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.min_rows = MIN_ROWS
        # Column widths follow the view's width (names shrink to make room for the numbers
        # and grow back) until the user drags a column edge; a new network starts over.
        self._natural: tuple[object, list[int]] | None = None  # (model, widths before fitting)
        self._fitting = False
        self.columns_dragged = False
        self.hidden_columns: list[str] = []  # column titles hidden for lack of room
        self.catalog_open = False  # whether folding the catalog would give the table room
        header = self.view.horizontalHeader()
        header.sectionResized.connect(self._section_resized)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self._header_viewport = header.viewport()
        self._header_viewport.installEventFilter(self)
        self._viewport = self.view.viewport()
        self._viewport.installEventFilter(self)
        self._set_model(self.layer_proxy)

        top = self._top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.btn_layers)
        top.addWidget(self.btn_blocks)
        top.addSpacing(8)
        top.addWidget(self.filter_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, TOP, 12, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.footer)
        self._fit_height()
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)

    @property
    def proxy(self) -> TableFilter:
        return self.layer_proxy if self.btn_layers.isChecked() else self.block_proxy

    def _retheme(self, pal) -> None:
        self._search_action.setIcon(icons.icon("search", pal.muted))

    def set_report(self, report) -> None:
        self.layers.set_report(report)
        self.blocks.set_report(report)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self._natural = None
        self.columns_dragged = False
        self._fit_columns()
        self._update_footer()

    def _set_model(self, proxy: TableFilter) -> None:
        old = self.view.selectionModel()
        self._fitting = True  # the header's sections are reset, not dragged
        try:
            self.view.setModel(proxy)
        finally:
            self._fitting = False
        self.columns_dragged = False
        if old is not None:
            old.deleteLater()
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Size columns from their header and their longest text, no wider than needed;
        when they do not all fit in the view, they give way by the model's ``FIT_STEPS``
        (names narrow, the least needed columns hide) until they do, and come back when
        the view widens again: a number is never cut and no horizontal scroll bar appears
        while there is a step left to take.  ``hidden_columns`` names what was hidden.
        """
        model = self.view.model()
        if model is None:
            return
        source = model.sourceModel()
        widths = list(self._natural_widths(model))
        hidden: list[int] = []
        excess = sum(widths) - self.view.viewport().width()
        for col, floor in source.FIT_STEPS:
            if excess <= 0:
                break
            cut = widths[col] if floor is None else min(excess, max(0, widths[col] - floor))
            if floor is None:
                hidden.append(col)
            else:
                widths[col] -= cut
            excess -= cut
        self.hidden_columns = [source.COLUMNS[col] for col in sorted(hidden)]
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        self._fitting = True
        try:
            for col, width in enumerate(widths):
                header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
                self.view.setColumnHidden(col, col in hidden)
                self.view.setColumnWidth(col, width)
        finally:
            self._fitting = False

    def hidden_note(self) -> str:
        """One sentence on the columns hidden for lack of room, or "" when none is."""
        names = self.hidden_columns
        if not names:
            return ""
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        verb, them = ("is", "it") if len(names) == 1 else ("are", "them")
        return f"{listed} {verb} hidden for lack of room: {self._more_room()} to show {them}."

    def _more_room(self) -> str:
        return "widen the window or fold the catalog" if self.catalog_open else "widen the window"

    def _natural_widths(self, model) -> list[int]:
        """Each column's width for its header and longest text, remembered per model.

        QTableView.resizeColumnsToContents asks the model for every cell through Qt and took
        seconds on ResNet-152; the model finds each column's longest text directly, and only
        once per network, not at every resize.
        """
        if self._natural is not None and self._natural[0] is model:
            return self._natural[1]
        source = model.sourceModel()
        metrics = self.view.fontMetrics()
        bold = QFont(self.view.horizontalHeader().font())
        bold.setWeight(QFont.Weight.DemiBold)  # the theme's header weight
        head_metrics = QFontMetrics(bold)
        widths = []
        for col in range(source.columnCount()):
            text = metrics.horizontalAdvance(source.longest_text(col)) + CELL_PAD
            head = head_metrics.horizontalAdvance(source.COLUMNS[col]) + HEADER_PAD
            widths.append(min(NAME_MAX, max(text, head)))
        self._natural = (model, widths)
        return widths

    def _section_resized(self, index: int, _old: int, _new: int) -> None:
        # The last shown column stretches with the view by itself; any other change that is not
        # ours is the user dragging a column edge, and their widths are kept from then on.
        if not self._fitting and index < self._last_shown_column():
            self.columns_dragged = True

    def _last_shown_column(self) -> int:
        """The column that stretches with the view (the last one not hidden)."""
        last = self.view.horizontalHeader().count() - 1
        while last > 0 and self.view.isColumnHidden(last):
            last -= 1
        return last

    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.ToolTip and watched is self._header_viewport
                and self.hidden_columns):
            # The column's own tip (what it counts), then where the hidden columns went.
            header = self.view.horizontalHeader()
            section = header.logicalIndexAt(event.pos())
            tip = self.view.model().headerData(
                section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) \
                if section >= 0 else None
            text = "\n".join(filter(None, (tip, self.hidden_note())))
            QToolTip.showText(event.globalPos(), text, self._header_viewport)
            return True
        if (event.type() == QEvent.Type.Resize and watched is self._viewport
                and not self.columns_dragged
                and event.size().width() != event.oldSize().width()):
            self._fit_columns()
        return super().eventFilter(watched, event)

    def set_compact(self, compact: bool) -> None:
        """Show at least :data:`COMPACT_ROWS` rows instead of :data:`MIN_ROWS`, and the
        subtotals beside the filter box instead of under the table (a short screen, where
        the graph above needs the height more)."""
        rows = COMPACT_ROWS if compact else MIN_ROWS
        if rows == self.min_rows:
            return
        self.min_rows = rows
        margins = self.layout().contentsMargins()
        margins.setTop(COMPACT_TOP if compact else TOP)
        self.layout().setContentsMargins(margins)
        if compact:
            self.layout().removeWidget(self.footer)
            self._top.addWidget(self.footer, 1)
            self.filter_edit.setMaximumWidth(FILTER_COMPACT_MAX)
        else:
            self._top.removeWidget(self.footer)
            self.layout().addWidget(self.footer)
            self.filter_edit.setMaximumWidth(16777215)
        self._fit_height()

    def _fit_height(self) -> None:
        """A minimum height that shows ``min_rows`` rows: the splitter above never
        squeezes the table below it (dragging further folds the table away)."""
        rows = self.view.verticalHeader().defaultSectionSize() * self.min_rows
        below = self.footer.sizeHint().height() + self.layout().spacing() \
            if self.min_rows != COMPACT_ROWS else 0  # the subtotals' line, unless beside
        chrome = (self.btn_layers.sizeHint().height() + below
                  + self.view.horizontalHeader().sizeHint().height()
                  + self.view.horizontalScrollBar().sizeHint().height()
                  + 2 * self.view.frameWidth() + 6)  # 6: the frame's rounded corners
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing() + margins.top() + margins.bottom()
        self.setMinimumHeight(rows + chrome + spacing)

    def changeEvent(self, event) -> None:  # a new style sheet changes the chrome's sizes
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange) and self.layout():
            self._fit_height()
            self._natural = None
            if not self.columns_dragged:
                self._fit_columns()

    def _mode_changed(self, layers: bool) -> None:
        self._set_model(self.layer_proxy if layers else self.block_proxy)
        self.proxy.set_text(self.filter_edit.text())
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self._update_footer()

    def set_filter(self, text: str) -> None:
        self.layer_proxy.set_text(text)
        self.block_proxy.set_text(text)
        self._update_footer()

    def _update_footer(self) -> None:
        report = self.layers.report
        if report is None:
            self.footer.setText("")
            return
        proxy = self.layer_proxy
        n = proxy.rowCount()
        total = len(report.layers)
        params = sum(self.layers.layer_at(proxy.mapToSource(proxy.index(r, 0)).row()).params
                     for r in range(n))
        macs = sum(self.layers.layer_at(proxy.mapToSource(proxy.index(r, 0)).row()).macs
                   for r in range(n))
        if n == total:
            head = f"{total} modules"
        else:
            head = f"Showing {n} of {total} modules"
        self.subtotal = (n, params, macs)
        self.footer.setText(
            f"{head}  ·  {fmt.exact(params)} parameters ({fmt.percent(params, report.totals.params)})"
            f"  ·  {fmt.count(macs)} multiply-adds")

    # ------------------------------------------------------------ selection
    def selected_key(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(KEY_ROLE) if rows else None

    def select_key(self, key: str | None) -> bool:
        """Select the row for ``key`` (a layer id, or block path in block mode) silently."""
        sm = self.view.selectionModel()
        self.view.blockSignals(True)
        sm.blockSignals(True)
        sm.clearSelection()
        found = False
        if key:
            source = self.layers if self.btn_layers.isChecked() else self.blocks
            row = source.row_of(key)
            if row >= 0:
                index = self.proxy.mapFromSource(source.index(row, 0))
                if index.isValid():
                    sm.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)
                    sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
                    self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                    found = True
        sm.blockSignals(False)
        self.view.blockSignals(False)
        self.view.viewport().update()
        return found

    def _selection_changed(self, *_args) -> None:
        self.selection_changed.emit(self.selected_key())

    def header_menu(self) -> QMenu:
        """The header's menu: which columns are hidden for lack of room, and how to get them
        back (or that every column is shown)."""
        menu = QMenu(self)
        if not self.hidden_columns:
            menu.addAction("Every column is shown").setEnabled(False)
            return menu
        title = menu.addAction("Hidden for lack of room")  # Fusion draws no section titles
        title.setEnabled(False)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        menu.addSeparator()
        for name in self.hidden_columns:
            menu.addAction(name).setEnabled(False)
        menu.addSeparator()
        remedy = self._more_room()
        menu.addAction(f"{remedy[0].upper()}{remedy[1:]} to show them").setEnabled(False)
        return menu

    def _header_menu(self, pos) -> None:
        menu = self.header_menu()
        menu.exec(self.view.horizontalHeader().viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        self.context_menu_requested.emit(menu)
        if not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))
