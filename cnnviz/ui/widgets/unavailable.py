"""The page shown in place of a workspace that this build does not have."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons


class UnavailablePage(QWidget):
    """Says plainly that a workspace is missing, and why, instead of pretending it exists."""

    def __init__(self, title: str, icon_name: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.reason = reason
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(10)
        self._icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self._icon_name = icon_name
        heading = QLabel(f"{title} is not available in this build", objectName="UnavailableTitle")
        heading.setProperty("role", "title")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel(reason)
        self.message.setProperty("role", "muted")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMaximumWidth(520)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self._icon)
        layout.addWidget(heading)
        layout.addWidget(self.message, 0, Qt.AlignmentFlag.AlignHCenter)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)

    def _retheme(self, pal) -> None:
        self._icon.setPixmap(icons.pixmap(self._icon_name, pal.muted, 56))

    def shutdown(self) -> None:
        """Nothing runs here; present so the window can treat every page alike."""
