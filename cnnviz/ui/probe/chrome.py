"""Small pieces of the panel's look: titled cards and the problem banner."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons


def card(title: str, *widgets: QWidget, stretch: int = -1) -> QFrame:
    """A rounded surface with a small upper-case heading; ``stretch`` names the widget that
    takes the spare height."""
    frame = QFrame()
    frame.setProperty("card", True)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 12)
    layout.setSpacing(8)
    heading = QLabel(title.upper())
    heading.setProperty("role", "heading")
    layout.addWidget(heading)
    for i, w in enumerate(widgets):
        layout.addWidget(w, 1 if i == stretch else 0)
    return frame


class Banner(QFrame):
    """A one-sentence problem (a broken image, no internet), dismissable; :attr:`message`
    holds the sentence shown."""

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
