"""A one-line problem shown inside a workspace instead of a dialog or a traceback."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons


class Banner(QFrame):
    """A one-sentence problem (an input too small, a broken picture, no internet), in the
    theme's banner style and dismissable; :attr:`message` holds the sentence shown, or ""."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.message = ""
        self.icon = QLabel()
        self.text = QLabel(wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(text="✕", autoRaise=True, toolTip="Dismiss")
        close.setStyleSheet("border: none; background: transparent;")
        close.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.addWidget(self.icon)
        row.addWidget(self.text, 1)
        row.addWidget(close)
        self.hide()

    def show_message(self, text: str) -> None:
        self.message = text
        self.icon.setPixmap(icons.pixmap("warning", theme_manager().palette.danger, 18))
        self.text.setText(text)
        self.show()

    def dismiss(self) -> None:
        self.message = ""
        self.hide()
