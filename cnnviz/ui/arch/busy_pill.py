"""The "working" pill shown over a graph while something loads, with an optional Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from cnnviz.ui.theme import palette, theme_manager


class BusyPill(QFrame):
    """A rounded label floating over its parent; ``cancelled()`` when its Cancel button is
    pressed (the button shows only for work the user may abandon, see :meth:`show_text`)."""

    cancelled = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent, objectName="BusyPill")
        self.label = QLabel()
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.cancel_button.setToolTip("Stop waiting and keep the network shown now")
        self.cancel_button.clicked.connect(self.cancelled)
        self.cancel_button.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 5, 6, 5)
        row.setSpacing(10)
        row.addWidget(self.label)
        row.addWidget(self.cancel_button)
        self.hide()
        theme_manager().changed.connect(self._retheme)
        self._retheme(palette())

    def text(self) -> str:
        return self.label.text()

    def show_text(self, text: str, cancellable: bool = False) -> None:
        """Show ``text``, with a Cancel button when ``cancellable``."""
        self.label.setText(text)
        self.cancel_button.setVisible(cancellable)
        # Without the button the pill is the label alone, padded evenly on both sides.
        self.layout().setContentsMargins(16, 5, 6 if cancellable else 16, 5)
        self.adjustSize()
        self.show()
        self.raise_()

    def _retheme(self, pal) -> None:
        self.setStyleSheet(
            f"QFrame#BusyPill {{ background: {pal.surface}; border: 1px solid {pal.border};"
            " border-radius: 16px; }"
            f"QFrame#BusyPill QLabel {{ color: {pal.text}; font-weight: 600;"
            " background: transparent; padding: 2px 0; }"
            f"QFrame#BusyPill QPushButton {{ color: {pal.accent}; background: {pal.accent_soft};"
            " border: none; border-radius: 11px; padding: 3px 12px; font-weight: 600; }"
            f"QFrame#BusyPill QPushButton:hover {{ background: {pal.accent};"
            f" color: {pal.accent_text}; }}")
