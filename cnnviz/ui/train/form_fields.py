"""Small fields of the Train workspace's setup form: section headings and path pickers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
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
