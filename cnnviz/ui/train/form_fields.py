"""Small fields of the Train workspace's setup form: section headings, path pickers, and
putting a past run's numbers into spin boxes without changing them."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)


def heading(text: str) -> QLabel:
    """A section heading ("DATA") in the application's heading style."""
    label = QLabel(text.upper())
    label.setProperty("role", "heading")
    return label


def select_data(combo: QComboBox, data) -> bool:
    """Select the entry of ``combo`` whose data is ``data``; False (unchanged) if none is."""
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


_INT_LIMIT = 2**31 - 1  # a QSpinBox holds a C int
_MAX_DECIMALS = 8


def show_value(spin: QAbstractSpinBox, value: float) -> bool:
    """Put ``value`` into ``spin`` exactly, widening its range (and, for a double spin box,
    its decimals) when a past run used a value beyond them; False when it cannot hold the
    value, and then it shows the nearest one it can."""
    if isinstance(spin, QDoubleSpinBox):
        value = float(value)
        decimals = spin.decimals()
        while decimals < _MAX_DECIMALS and not math.isclose(round(value, decimals), value,
                                                              rel_tol=1e-9, abs_tol=0.0):
            decimals += 1
        if decimals != spin.decimals():
            spin.setDecimals(decimals)
        if math.isfinite(value):
            spin.setRange(min(spin.minimum(), value), max(spin.maximum(), value))
        spin.setValue(value)
        return math.isclose(spin.value(), value, rel_tol=1e-9, abs_tol=0.0)
    value = int(value)
    if -_INT_LIMIT <= value <= _INT_LIMIT:
        spin.setRange(min(spin.minimum(), value), max(spin.maximum(), value))
    spin.setValue(max(spin.minimum(), min(spin.maximum(), value)))
    return spin.value() == value


class PathField(QWidget):
    """A line edit with a Browse button for a file or a folder."""

    changed = Signal()

    def __init__(self, placeholder: str, *, folder: bool, file_filter: str = "",
                 parent=None) -> None:
        super().__init__(parent)
        self.folder, self.file_filter = folder, file_filter
        self.edit = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        self.edit.textChanged.connect(self.changed)
        browse = QToolButton(text="…")
        browse.setToolTip("Browse")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def _browse(self) -> None:
        start = self.edit.text() or str(Path.home())
        if self.folder:
            path = QFileDialog.getExistingDirectory(self, "Choose a Folder", start)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a File", start, self.file_filter)
        if path:
            self.edit.setText(path)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)
