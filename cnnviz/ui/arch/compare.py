"""Two architectures side by side: their totals, and their graphs moving in step.

Both graphs open folded into their blocks and fitted, so what sets the two apart is seen at
once (ResNet-34's shortcut arcs beside Plain-34's none); :meth:`ComparePanel.collapse_all`
and :meth:`ComparePanel.expand_all` fold and unfold both together.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.errors import CnnvizError
from cnnviz.core.inspect.collapse import overview_collapsed
from cnnviz.core.inspect.depth import (
    DEPTH_MEANING,
    LAYERS_MEANING,
    MODULES_MEANING,
    weighted_layers,
)
from cnnviz.ui.arch import engine
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.graph_view import GraphView

PRESETS = (("plain34", "resnet34"), ("plain20", "resnet20"), ("vgg16", "googlenet"),
           ("alexnet", "vgg16"), ("mobilenet_v1", "mobilenet_v2"))
ROWS = ("Parameters", "Multiply-adds", "Layers", "Modules", "Activations per image",
        "Size on disk")
# Folded graphs open fitted, but not below this zoom (labels are drawn from 0.42): the first
# blocks' shortcut arcs (or their absence) must read at a glance, so a graph too long for it
# opens scrolled to its first shortcut; Fit to window then shows the whole of both.
OPEN_MIN_ZOOM = 0.5
# The numbers table gets at most this share of the height it shares with the graphs when the
# panel first has a size: the graphs side by side are the lesson, the table a reference the
# user can drag down (the splitter remembers nothing; each session starts graph-first).
TABLE_SHARE = 0.35
TABLE_MIN_ROWS = 2  # the table never shrinks below its header and this many rows
# Depth shares the Layers row ("36 · depth 34"): a seventh row made the table too tall for
# its share of the height, and the two counts read best side by side anyway.
ROW_TIPS = {"Layers": f"{LAYERS_MEANING} Depth: {DEPTH_MEANING}", "Modules": MODULES_MEANING}


def totals_row_values(report) -> list[tuple[float, str]]:
    """(value, text) for each of :data:`ROWS`."""
    t = report.totals
    layers, modules = weighted_layers(report), len(report.layers)
    return [
        (t.params, fmt.count(t.params)), (t.macs, fmt.count(t.macs)),
        (layers, f"{layers} · depth {report.network_depth}"), (modules, str(modules)),
        (t.activation_bytes, fmt.nbytes(t.activation_bytes)), (t.size_bytes, fmt.nbytes(t.size_bytes)),
    ]


class ComparePanel(QWidget):
    """``reports`` holds the two finished inspections (index 0 = left, 1 = right)."""

    status_message = Signal(str)

    def __init__(self, runner, parent=None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.reports: list = [None, None]
        self.refs: list[str | None] = [None, None]
        self._syncing = False
        self.folded = True  # both graphs show one box per block (what "Collapse all" shows)
        self._layouts: list = [None, None]  # (collapsed, layout) each graph shows
        self.pickers = [QComboBox(), QComboBox()]
        self.views = [GraphView(), GraphView()]
        self.captions = [QLabel(), QLabel()]
        for i, picker in enumerate(self.pickers):
            # Sized by a name's length, not the longest entry's, so the bar fits a 960 px
            # window at 150 % without one widget drawn over the next.
            picker.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            picker.setMinimumContentsLength(10)
            picker.setMaximumWidth(320)
            picker.setMaxVisibleItems(24)
            picker.activated.connect(lambda _x, side=i: self._picked(side))
            self.views[i].view_changed.connect(lambda side=i: self._sync_from(side))
            self.views[i].set_placeholder("Pick a network above.")
            self.views[i].graph_scene.expand_requested.connect(
                lambda path, side=i: self._expand_block(side, path))
            self.captions[i].setProperty("role", "muted")
        self.swap_button = QPushButton("Swap")
        self.swap_button.clicked.connect(self.swap)
        self.preset_box = QComboBox()
        self.preset_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_box.setMinimumContentsLength(10)
        self.preset_box.addItem("Classic pairs…", None)
        self.preset_box.activated.connect(self._preset)
        self.table = QTableWidget(len(ROWS), 3)
        self.table.setVerticalHeaderLabels(list(ROWS))
        for row, name in enumerate(ROWS):
            if name in ROW_TIPS:
                self.table.verticalHeaderItem(row).setToolTip(ROW_TIPS[name])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # Row headers padded like column headers would make six rows take a third of a small
        # window; _fit_table then sizes the rows to what the headers need.
        self.table.setStyleSheet("QHeaderView::section:vertical { padding-top: 3px; "
                                 "padding-bottom: 3px; }")
        self.table.setHorizontalHeaderLabels(["", "", "Right ÷ left"])
        self._fit_table()

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.pickers[0], 1)
        self.vs_label = QLabel("vs")
        self.vs_label.setProperty("role", "muted")
        bar.addWidget(self.vs_label)
        bar.addWidget(self.pickers[1], 1)
        bar.addWidget(self.swap_button)
        bar.addStretch(1)
        bar.addWidget(self.preset_box)
        graphs = QSplitter(Qt.Orientation.Horizontal)
        for i in range(2):
            holder = QWidget()
            col = QVBoxLayout(holder)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(4)
            col.addWidget(self.captions[i])
            col.addWidget(self.views[i], 1)
            graphs.addWidget(holder)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.table)
        self.split.addWidget(graphs)
        self.split.setStretchFactor(1, 1)
        self.split.splitterMoved.connect(self._table_dragged)
        self._table_placed = False  # whether the table got its first share (or was dragged)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)

    def summary(self) -> str:
        """The status line for the pair on screen: "Plain-34 vs ResNet-34 · 21.3M vs 21.8M
        parameters" ("" until both sides are inspected)."""
        if None in self.reports:
            return ""
        left, right = (result.report for result in self.reports)
        return (f"{left.display_name} vs {right.display_name} · "
                f"{fmt.count(left.totals.params)} vs {fmt.count(right.totals.params)} "
                "parameters")

    def set_catalog(self, entries) -> None:
        """Offer ``entries`` in both combos by display name; a side picked before the
        catalog arrived (shown by its reference until now) takes its display name."""
        names = {e.ref: e.display_name for e in entries}
        for picker in self.pickers:
            current = picker.currentData()
            picker.blockSignals(True)
            picker.clear()
            for e in entries:
                if e.source != "torchvision":
                    picker.addItem(e.display_name, e.ref)
            picker.insertSeparator(picker.count())
            for e in entries:
                if e.source == "torchvision":
                    picker.addItem(e.display_name, e.ref)
            if current is not None:
                picker.setCurrentIndex(max(0, picker.findData(current)))
            picker.blockSignals(False)
        self.preset_box.clear()
        self.preset_box.addItem("Classic pairs…", None)
        for a, b in PRESETS:
            if a in names and b in names:
                self.preset_box.addItem(f"{names[a]} vs {names[b]}", (a, b))
        for side in range(2):
            if self.refs[side] and self.reports[side] is None:
                self.views[side].set_busy(f"Inspecting {self.pickers[side].currentText()}…")
        self._fill_table()

    def compare(self, left: str, right: str) -> None:
        """Inspect ``left`` and ``right`` (catalog refs) and show them side by side."""
        for side, ref in ((0, left), (1, right)):
            self.set_side(side, ref)

    def set_side(self, side: int, ref: str) -> None:
        picker = self.pickers[side]
        index = picker.findData(ref)
        if index < 0:
            picker.addItem(ref, ref)
            index = picker.count() - 1
        picker.setCurrentIndex(index)
        if self.refs[side] == ref and self.reports[side] is not None:
            return
        self.refs[side] = ref
        self.reports[side] = None
        self.views[side].set_busy(f"Inspecting {picker.currentText()}…")
        self._fill_table()
        self._runner.submit(engine.inspect, ref, None, None, None, key=f"compare-{side}",
                            on_done=lambda result, s=side: self._done(s, result),
                            on_error=lambda exc, tb, s=side: self._failed(s, exc))

    def swap(self) -> None:
        a, b = self.refs
        if a and b:
            self.refs = [b, a]
            self.reports.reverse()
            for side in range(2):
                self.pickers[side].setCurrentIndex(max(0, self.pickers[side].findData(self.refs[side])))
            self._redraw()
            self._announce()

    def _picked(self, side: int) -> None:
        ref = self.pickers[side].currentData()
        if ref:
            self.set_side(side, ref)

    def _preset(self, index: int) -> None:
        pair = self.preset_box.itemData(index)
        if pair:
            self.compare(*pair)
        self.preset_box.setCurrentIndex(0)

    def _done(self, side: int, result) -> None:
        self.reports[side] = result
        picker = self.pickers[side]
        if picker.currentText() == self.refs[side]:  # picked before the catalog arrived
            picker.setItemText(picker.currentIndex(), result.report.display_name)
        self.views[side].set_busy(None)
        self._redraw()
        self._announce()

    def _announce(self) -> None:
        """Name the pair in the status line once both are shown (only while the panel is
        on screen: the window's status line speaks of what is in view)."""
        if self.isVisible() and self.summary():
            self.status_message.emit(self.summary())

    def _failed(self, side: int, exc: BaseException) -> None:
        self.views[side].set_busy(None)
        message = str(exc) if isinstance(exc, CnnvizError) else f"Unexpected error: {exc}"
        self.views[side].clear_graph(message)
        self.status_message.emit(message)

    def _redraw(self) -> None:
        """Draw both graphs afresh (folded or not, see :attr:`folded`) and fit them."""
        for side, result in enumerate(self.reports):
            if result is None:
                continue
            report = result.report
            self.views[side].show_graph(report, self._layout(side), set(), "params")
            self.captions[side].setText(
                f"<b>{report.display_name}</b> — {fmt.count(report.totals.params)} parameters, "
                f"{fmt.count(report.totals.macs)} multiply-adds")
        self._fill_table()
        self._fit_together()

    def _layout(self, side: int):
        """The layout of side ``side`` as :attr:`folded` asks (laid out once per state; a
        few milliseconds even for ResNet-152, like the main graph's relayouts)."""
        from cnnviz.core.inspect import compute_layout

        result = self.reports[side]
        collapsed = (frozenset(overview_collapsed(result.report)) if self.folded
                     else frozenset())
        if collapsed == result.default_collapsed:
            return result.layout
        cached = self._layouts[side]
        if cached is None or cached[0] != collapsed or cached[1] is not result:
            cached = self._layouts[side] = (collapsed, result,
                                            compute_layout(result.report, collapsed=collapsed))
        return cached[2]

    def collapse_all(self) -> None:
        """Fold both graphs into their blocks and fit them."""
        self.folded = True
        self._redraw()

    def expand_all(self) -> None:
        """Show every layer of both graphs, from their tops."""
        self.folded = False
        self._redraw()

    def _expand_block(self, side: int, path: str) -> None:
        """A block's + in either graph (``side``, ``path``): unfold both graphs, so the two
        stay comparable layer by layer."""
        if self.folded:
            self.expand_all()

    def _fill_table(self) -> None:
        headers = [self.pickers[0].currentText(), self.pickers[1].currentText(), "Right ÷ left"]
        self.table.setHorizontalHeaderLabels(headers)
        self._fit_table()
        values = [totals_row_values(r.report) if r else None for r in self.reports]
        for row in range(len(ROWS)):
            for col in range(2):
                text = values[col][row][1] if values[col] else "…"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(ROW_TIPS.get(ROWS[row], ""))
                self.table.setItem(row, col, item)
            ratio = fmt.ratio(values[0][row][0], values[1][row][0]) if all(values) else ""
            item = QTableWidgetItem(ratio)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, 2, item)

    def _fit_table(self) -> None:
        """Make every row as tall as its header needs (the theme pads header sections); the
        table is at most as tall as its rows (no empty band under them) and at least
        :data:`TABLE_MIN_ROWS` rows tall, scrolling in between."""
        rows = self.table.verticalHeader()
        height = max(24, *(rows.sectionSizeHint(i) for i in range(rows.count())))
        rows.setDefaultSectionSize(height)
        head = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        self.table.setMaximumHeight(head + height * rows.count())
        self.table.setMinimumHeight(head + height * TABLE_MIN_ROWS)

    def table_height(self) -> int:
        """The table's whole height: its header and every row."""
        return self.table.maximumHeight()

    def _place_table(self) -> None:
        """Give the table its whole height or the whole rows that fit :data:`TABLE_SHARE` of
        the split, whichever is less, the graphs the rest (once, when the split first has a
        height)."""
        total = sum(self.split.sizes())
        if self._table_placed or total <= 0 or not self.isVisible():
            return
        self._table_placed = True
        table = self.table_height()
        if table > TABLE_SHARE * total:  # cut after a whole row, never in the middle of one
            row = self.table.verticalHeader().defaultSectionSize()
            head = table - row * self.table.rowCount()
            rows = max(TABLE_MIN_ROWS, int((TABLE_SHARE * total - head) // row))
            table = head + rows * row
        self.split.setSizes([table, total - table])

    def _table_dragged(self, *_args) -> None:
        self._table_placed = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # After the layout has given the split its height.
        QTimer.singleShot(0, self, self._place_table)

    def changeEvent(self, event) -> None:  # a new style sheet may change the header sizes
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit_table()

    def _fit_together(self) -> None:
        """Fit both graphs (see :meth:`GraphView.fit_view`) but not below
        :data:`OPEN_MIN_ZOOM` while folded, then give both the smaller zoom, so a box is as
        big on the left as on the right."""
        if all(self.reports):
            for view in self.views:
                if self.folded:
                    view.fit_view(animated=False, floor=OPEN_MIN_ZOOM)
                else:
                    view.show_start()
            zoom = min(v.zoom() for v in self.views)
            for view in self.views:
                view.zoom_to(zoom, animated=False)
            self._sync_from(0)
            if self.folded:
                self._scroll_to_first_shortcut()

    def _scroll_to_first_shortcut(self) -> None:
        """Scroll the graph with shortcuts (the right one first) so its first shortcut
        block sits a quarter down the view, unless the whole graph is in view; the other
        graph follows."""
        for side in (1, 0):
            view = self.views[side]
            scene = view.graph_scene
            if not scene.shortcuts or view.shows_whole_graph():
                continue
            first = min((scene.nodes[key].sceneBoundingRect() for key in scene.shortcuts),
                        key=lambda rect: rect.top())
            seen = view.mapToScene(view.viewport().rect()).boundingRect()
            view.centerOn(seen.center().x(), first.top() - seen.height() / 4 + seen.height() / 2)
            self._sync_from(side)
            return

    def _sync_from(self, side: int) -> None:
        """Give the other graph the same zoom and the same relative scroll position."""
        if self._syncing or not all(self.reports):
            return
        self._syncing = True
        try:
            src, dst = self.views[side], self.views[1 - side]
            if abs(src.zoom() - dst.zoom()) > 1e-4:
                dst.zoom_to(src.zoom(), animated=False)
            for a, b in ((src.verticalScrollBar(), dst.verticalScrollBar()),
                         (src.horizontalScrollBar(), dst.horizontalScrollBar())):
                span = a.maximum() - a.minimum()
                frac = (a.value() - a.minimum()) / span if span else 0.0
                b.setValue(round(b.minimum() + frac * (b.maximum() - b.minimum())))
        finally:
            self._syncing = False

    def zoom_in(self) -> None:
        self.views[0].zoom_in()

    def zoom_out(self) -> None:
        self.views[0].zoom_out()

    def fit_view(self) -> None:
        for view in self.views:
            view.fit_view()
