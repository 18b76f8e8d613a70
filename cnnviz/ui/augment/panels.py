"""Two small panels of the workspace: the notice line and the empty-state drop zone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

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
        # A column a comfortable read wide, narrower beside the pipeline in a small window.
        # It sits between stretches rather than being centred by the column's alignment: an
        # aligned item gets the height the text needs at the column's full width, so in a
        # narrow zone its wrapped lines were cut off; a row passes its real width down.
        hint.setMaximumWidth(460)
        hint.setMinimumWidth(200)
        self.hint = hint
        hint_row = QHBoxLayout()
        hint_row.addStretch(1)
        hint_row.addWidget(hint, 100)
        hint_row.addStretch(1)
        title.setWordWrap(True)
        self.open_button = QPushButton("Open pictures…")
        self.open_button.setProperty("primary", True)
        self.paste_button = QPushButton("Paste  (Ctrl+V)")
        self.buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.open_button)
        self.buttons.addWidget(self.paste_button)
        self.buttons.addStretch(1)
        buttons = self.buttons
        col = QVBoxLayout(self)
        col.addStretch(1)
        col.addWidget(self.icon)
        col.addWidget(title)
        col.addLayout(hint_row)
        col.addSpacing(8)
        col.addLayout(buttons)
        col.addStretch(2)

    def resizeEvent(self, event) -> None:
        # Beside the pipeline in a small window the two buttons stand one above the other.
        side_by_side = (self.open_button.sizeHint().width() + self.paste_button.sizeHint().width()
                        + 60 <= self.width())
        self.buttons.setDirection(QBoxLayout.Direction.LeftToRight if side_by_side
                                  else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)

    def retheme(self, pal) -> None:
        self.icon.setPixmap(icons.pixmap("augment", pal.muted, 64))
        self.setStyleSheet(f"#DropZone {{ border: 2px dashed {pal.border}; border-radius: 14px; "
                           f"background: {pal.surface_alt}; }}")
