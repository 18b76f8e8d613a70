"""The weights chooser: random, torchvision's ImageNet weights, the lab's model, or a file.

It only offers and reports; the panel does the loading.  Picking an entry emits
``chosen(kind)`` ("random", "imagenet", "lab" or "file"); picking "file" means the user wants
to choose a file.  A download shows its progress here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QProgressBar, QStyle, QStyleOptionComboBox, QStylePainter,
    QWidget,
)

_FILE_ENTRY = "Weights file…"
_CURRENT = "current"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


class ElidedComboBox(QComboBox):
    """A combo box that shortens the shown entry with "…" instead of cutting it off."""

    def paintEvent(self, _event) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, field.width() - 4)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class WeightsBar(QWidget):
    chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        label = QLabel("Weights")
        label.setProperty("role", "muted")
        self.combo = ElidedComboBox()
        # A fixed text width, not the longest entry's: a lab run's label or a published set's
        # name would push the header wider than the panel at 1280x800.  The shown entry is
        # shortened with "…"; the tooltip and the open menu show it whole.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(26)
        self.combo.setToolTip("Which weights the network runs with")
        self.combo.activated.connect(self._activated)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(150)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress_label = QLabel()
        self.progress_label.setProperty("role", "muted")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.progress_label)
        row.addWidget(self.progress)
        row.addWidget(label)
        row.addWidget(self.combo)
        self.show_progress(None)
        self._current = "random"

    def set_offers(self, published, lab: str | None, current: str, current_label: str) -> None:
        """Fill the menu: ``published`` is a WeightsChoice or None, ``lab`` the entry text of
        a model sent from the training lab (or None), ``current`` the kind in use (its entry
        is selected)."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("Random weights (untrained)", "random")
        if published is not None:
            acc = f", {published.accuracy_top1:.1f}% top-1" if published.accuracy_top1 else ""
            size = f", {published.file_size_mb:.0f} MB" if published.file_size_mb else ""
            self.combo.addItem(f"ImageNet, torchvision {published.name}{acc}{size}", "imagenet")
            self.combo.setItemData(self.combo.count() - 1,
                                   f"Downloaded once from {published.url}",
                                   Qt.ItemDataRole.ToolTipRole)
        if lab:
            self.combo.addItem(lab, "lab")
        if self.combo.findData(current) < 0:
            # Weights in use that the menu cannot offer again (a file, or a published set
            # fetched from elsewhere): shown by their label, picking it changes nothing.
            self.combo.addItem(current_label, _CURRENT)
        self.combo.addItem(_FILE_ENTRY, "file")
        self._current = current
        self._select(current)
        self.combo.blockSignals(False)
        fm = self.combo.fontMetrics()
        texts = [self.combo.itemText(i) for i in range(self.combo.count())]
        self.combo.view().setMinimumWidth(max(fm.horizontalAdvance(t) for t in texts) + 48)

    def revert(self) -> None:
        """Select the entry of the weights in use again (after a failed or cancelled load)."""
        self._select(self._current)

    def _select(self, kind: str) -> None:
        index = self.combo.findData(kind) if kind != "file" else -1
        self.combo.setCurrentIndex(index if index >= 0 else max(0, self.combo.findData(_CURRENT)))
        self.combo.setToolTip(f"Weights in use: {self.combo.currentText()}")

    def choose(self, kind: str) -> None:
        """Pick ``kind`` as the user would from the menu."""
        index = self.combo.findData(kind)
        if index < 0:
            raise ValueError(f"no weights entry {kind!r}")
        self.combo.setCurrentIndex(index)
        self._activated(index)

    def _activated(self, index: int) -> None:
        kind = self.combo.itemData(index)
        if kind == _CURRENT:
            return
        self.chosen.emit(kind)

    def show_progress(self, done_total: tuple[int, int] | None, name: str = "") -> None:
        """``(done, total)`` bytes of a running download, or ``None`` to hide the bar."""
        visible = done_total is not None
        self.progress.setVisible(visible)
        self.progress_label.setVisible(visible)
        if not visible:
            return
        done, total = done_total
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(done * 1000 // total)
            self.progress_label.setText(f"Downloading {name}: {_mb(done)} of {_mb(total)}")
        else:
            self.progress.setRange(0, 0)
            self.progress_label.setText(f"Downloading {name}: {_mb(done)}")
