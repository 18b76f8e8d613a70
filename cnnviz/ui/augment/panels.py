"""Two small panels of the workspace: the notice line and the empty-state drop zone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cnnviz.ui.widgets import icons


class DropZone(QFrame):
    """What the centre shows before any picture is loaded: where to drop, and two buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DropZone")
        self.icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Drop pictures or folders here", alignment=Qt.AlignmentFlag.AlignCenter)
        title.setProperty("role", "title")
        hint = QLabel("JPEG, PNG, BMP, GIF, TIFF or WebP: your own photos work best.  Then add "
                      "operations on the left and watch every sample change as you move a slider.",
                      alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        hint.setProperty("role", "muted")
        hint.setFixedWidth(460)
        self.open_button = QPushButton("Open pictures…")
        self.open_button.setProperty("primary", True)
        self.paste_button = QPushButton("Paste  (Ctrl+V)")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        buttons.addStretch(1)
        col = QVBoxLayout(self)
        col.addStretch(1)
        col.addWidget(self.icon)
        col.addWidget(title)
        col.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)
        col.addSpacing(8)
        col.addLayout(buttons)
        col.addStretch(2)

    def retheme(self, pal) -> None:
        self.icon.setPixmap(icons.pixmap("augment", pal.muted, 64))
        self.setStyleSheet(f"#DropZone {{ border: 2px dashed {pal.border}; border-radius: 14px; "
                           f"background: {pal.surface_alt}; }}")
