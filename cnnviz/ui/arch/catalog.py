"""The catalog: the zoo grouped by family (oldest first), your model files, then torchvision."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.inspect.depth import LAYERS_MEANING, weighted_layers
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.engine import CatalogEntry
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.elided import ElidedLabel

REF_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
FILES_GROUP = "Your model files"
TORCHVISION_GROUP = "More from torchvision"
WIDTH = 270  # the column's width at first; picks never change it (its card wraps or elides)
MIN_WIDTH = 250

# Networks whose layers add (or concatenate) a block's input back to its output: searching
# for "skip", "shortcut" or "residual" finds them.  Names are catalog refs (prefixes).
_SKIP_REFS = re.compile(r"^(resnet|resnext|wide_resnet|mobilenet_v[23]|efficientnet|mnasnet|"
                        r"regnet|convnext|densenet|vit_|swin|maxvit)")
_SKIP_WORDS = "skip connection shortcut residual add"


class ElidedButton(QPushButton):
    """A push button whose text ends in "…" when the width it is given is too small (the
    whole text then shows in the tooltip): it never widens the column it sits in."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._full = ""
        self._tip = ""

    def setText(self, text: str) -> None:
        self._full = text
        self._refresh()

    def full_text(self) -> str:
        return self._full

    def setToolTip(self, tip: str) -> None:
        self._tip = tip
        self._refresh()

    def sizeHint(self) -> QSize:
        # Only as wide as "Compare…": the layout gives it the column's width anyway.
        return QSize(self.fontMetrics().horizontalAdvance("Compare…") + 24,
                     super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        room = self.width() - 24  # the style's padding on both sides
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(room, 0))
        if super().text() != shown:
            super().setText(shown)
        tip = "\n".join(t for t in (self._full if shown != self._full else "", self._tip) if t)
        super().setToolTip(tip)


class InfoCard(QFrame):
    """Name, family and year, what the architecture introduced, its paper, headline numbers."""

    twin_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.title = ElidedLabel()
        self.title.setProperty("role", "title")
        self.meta = QLabel(wordWrap=True)
        self.meta.setProperty("role", "muted")
        self.note = QLabel(wordWrap=True)
        self.paper = QLabel(wordWrap=True)
        self.paper.setProperty("role", "muted")
        self.metrics: dict[str, QLabel] = {}
        grid = QHBoxLayout()
        grid.setSpacing(14)
        for key, name in (("params", "Parameters"), ("macs", "Multiply-adds"), ("layers", "Layers")):
            col = QVBoxLayout()
            col.setSpacing(0)
            value = QLabel("–")
            value.setProperty("role", "metric")
            label = QLabel(name)
            label.setProperty("role", "metricName")
            col.addWidget(value)
            col.addWidget(label)
            grid.addLayout(col)
            self.metrics[key] = value
        grid.addStretch(1)
        self.twin_button = ElidedButton()
        self.twin_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.twin_button.clicked.connect(lambda: self.twin_requested.emit(self._twin or ""))
        self._twin: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        for w in (self.title, self.meta, self.note, self.paper):
            layout.addWidget(w)
        layout.addSpacing(4)
        layout.addLayout(grid)
        layout.addWidget(self.twin_button)
        self.show_entry(None)

    def show_entry(self, entry: CatalogEntry | None, twin_name: str | None = None) -> None:
        if entry is None:
            self.title.setText("No architecture")
            self.meta.setText("Pick one from the list above.")
            for w in (self.note, self.paper, self.twin_button):
                w.hide()
            return
        self.title.setText(entry.display_name)
        bits = [entry.family] if entry.family else []
        if entry.year:
            bits.append(str(entry.year))
        if entry.input_shape:
            # No-break spaces: a narrow card wraps between the facts, not inside the shape.
            bits.append(f"input {fmt.shape(entry.input_shape)}".replace(" ", "\u00a0"))
        self.meta.setText("  ·  ".join(bits))
        # A zero-width space after "/" and "_" lets a long file path wrap instead of clip.
        self.note.setText(re.sub(r"([/_])", "\\1\u200b", " ".join(entry.note.split())))
        self.note.setVisible(bool(entry.note))
        self.paper.setText(f"<i>{html.escape(entry.paper)}</i>" if entry.paper else "")
        self.paper.setVisible(bool(entry.paper))
        self._twin = entry.twin
        twin_name = twin_name or entry.twin
        self.twin_button.setText(f"Compare with {twin_name}")
        self.twin_button.setToolTip(f"Open {entry.display_name} and its twin, {twin_name}, "
                                    "side by side in Compare.")
        self.twin_button.setVisible(bool(entry.twin))
        for value in self.metrics.values():
            value.setText("…")

    def show_numbers(self, report) -> None:
        self.metrics["params"].setText(fmt.count(report.totals.params))
        self.metrics["macs"].setText(fmt.count(report.totals.macs))
        self.metrics["layers"].setText(str(weighted_layers(report)))
        for key, value in self.metrics.items():
            value.setToolTip(fmt.exact(report.totals.params) if key == "params" else
                             fmt.exact(report.totals.macs) if key == "macs" else
                             f"{LAYERS_MEANING} {len(report.layers)} modules in all.")

    def clear_numbers(self) -> None:
        for value in self.metrics.values():
            value.setText("–")


class CatalogPanel(QWidget):
    """Emits ``entry_selected(ref)`` when the user picks an architecture."""

    entry_selected = Signal(str)
    open_file_requested = Signal()
    twin_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: dict[str, CatalogEntry] = {}
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setAutoAcceptChildRows(True)
        self.search = QLineEdit(placeholderText="Search architectures…")
        self.search.setClearButtonEnabled(True)
        self._search_action = self.search.addAction(icons.icon("search", "#888888"),
                                                    QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAnimated(True)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.open_button = QPushButton("Open a model file…")
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.open_button.clicked.connect(self.open_file_requested)
        self.card = InfoCard()
        self.card.twin_requested.connect(self.twin_requested)
        self.loading = QLabel("Loading the architecture zoo…")
        self.loading.setProperty("role", "muted")
        self.no_match = QLabel(wordWrap=True)
        self.no_match.setProperty("role", "muted")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.no_match.setContentsMargins(8, 16, 8, 0)
        self.no_match.hide()
        heading = QLabel("ARCHITECTURES")
        heading.setProperty("role", "heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 8, 12)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.search)
        layout.addWidget(self.loading)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.no_match, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.card)
        # An explicit minimum: the splitter then never widens the column for a long name.
        self.setMinimumWidth(MIN_WIDTH)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)

    def _retheme(self, pal) -> None:
        self._search_action.setIcon(icons.icon("search", pal.muted))
        self.open_button.setIcon(icons.icon("file-code", pal.text))

    # ------------------------------------------------------------- contents
    def set_entries(self, entries: list[CatalogEntry]) -> None:
        """Fill the tree: zoo families in order of their first year, then torchvision."""
        self.model.clear()
        self.entries = {}
        groups: dict[str, QStandardItem] = {}
        for entry in entries:
            self.entries[entry.ref] = entry
            family = TORCHVISION_GROUP if entry.source == "torchvision" else entry.family
            group = groups.get(family)
            if group is None:
                label = family if family == TORCHVISION_GROUP or not entry.year else f"{family}  ·  {entry.year}"
                group = self._group(label, family)
                groups[family] = group
            group.appendRow(self._leaf(entry))
        self.loading.hide()
        self._expand_groups()

    def _group(self, label: str, family: str) -> QStandardItem:
        item = QStandardItem(label)
        item.setSelectable(False)
        item.setData(family, SEARCH_ROLE)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.model.appendRow(item)
        return item

    def _leaf(self, entry: CatalogEntry) -> QStandardItem:
        item = QStandardItem(entry.display_name)
        item.setData(entry.ref, REF_ROLE)
        words = [entry.display_name, entry.ref, entry.family, entry.year or "", entry.note]
        if _SKIP_REFS.match(entry.ref):
            words.append(_SKIP_WORDS)
        item.setData(" ".join(str(x) for x in words), SEARCH_ROLE)
        tip = entry.note or (f"Built by torchvision.models.{entry.ref}()"
                             if entry.source == "torchvision" else entry.display_name)
        if entry.paper:
            tip += f"\n\n{entry.paper}"
        item.setToolTip(tip)
        return item

    def add_file_entry(self, entry: CatalogEntry) -> None:
        """List a model from the user's file under "Your model files" (once)."""
        if entry.ref in self.entries:
            return
        self.entries[entry.ref] = entry
        group = None
        for row in range(self.model.rowCount()):
            if self.model.item(row).text() == FILES_GROUP:
                group = self.model.item(row)
        if group is None:
            group = QStandardItem(FILES_GROUP)
            group.setSelectable(False)
            group.setData(FILES_GROUP, SEARCH_ROLE)
            font = group.font()
            font.setBold(True)
            group.setFont(font)
            tv_row = next((r for r in range(self.model.rowCount())
                           if self.model.item(r).text() == TORCHVISION_GROUP), self.model.rowCount())
            self.model.insertRow(tv_row, group)
        group.appendRow(self._leaf(entry))
        self.tree.expand(self.proxy.mapFromSource(group.index()))

    def _expand_groups(self) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            collapsed = index.data() == TORCHVISION_GROUP and not self.search.text()
            self.tree.setExpanded(index, not collapsed)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._expand_groups()
        empty = bool(self.entries) and self.proxy.rowCount() == 0
        if empty:
            self.no_match.setText(f"No architecture matches “{text.strip()}”.\n"
                                  "Try a family (ResNet), a year (2015) or an idea (skip).")
        self.no_match.setVisible(empty)
        self.tree.setVisible(not empty)

    # ------------------------------------------------------------ selection
    def refs(self, source: str | None = None) -> list[str]:
        return [r for r, e in self.entries.items() if source is None or e.source == source]

    def select_ref(self, ref: str, emit: bool = True) -> bool:
        """Make ``ref`` the current entry; returns False when the catalog has no such entry."""
        for row in range(self.model.rowCount()):
            group = self.model.item(row)
            for child_row in range(group.rowCount()):
                child = group.child(child_row)
                if child.data(REF_ROLE) == ref:
                    index = self.proxy.mapFromSource(child.index())
                    if not index.isValid():
                        self.search.clear()
                        index = self.proxy.mapFromSource(child.index())
                    self.tree.expand(index.parent())
                    if not emit:
                        self.tree.selectionModel().blockSignals(True)
                    self.tree.setCurrentIndex(index)
                    self.tree.scrollTo(index)
                    if not emit:
                        self.tree.selectionModel().blockSignals(False)
                        self._show_card(ref)
                    return True
        return False

    def current_ref(self) -> str | None:
        return self.tree.currentIndex().data(REF_ROLE)

    def _current_changed(self, current, _previous) -> None:
        ref = current.data(REF_ROLE)
        if ref:
            self._show_card(ref)
            self.entry_selected.emit(ref)

    def _show_card(self, ref: str) -> None:
        entry = self.entries.get(ref)
        twin = self.entries.get(entry.twin) if entry and entry.twin else None
        self.card.show_entry(entry, twin.display_name if twin else None)
