"""Small pieces of the panel's look: titled cards and a side column that sizes itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSplitter, QVBoxLayout, QWidget


def card(title: str, *widgets: QWidget, stretch: int = -1) -> QFrame:
    """A rounded surface with a small upper-case heading (``frame.heading``, a QLabel);
    ``stretch`` names the widget that takes the spare height."""
    frame = QFrame()
    frame.setProperty("card", True)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 12)
    layout.setSpacing(8)
    heading = QLabel(title.upper())
    heading.setProperty("role", "heading")
    layout.addWidget(heading)
    frame.heading = heading
    for i, w in enumerate(widgets):
        layout.addWidget(w, 1 if i == stretch else 0)
    return frame


class SideColumnSplitter(QSplitter):
    """A horizontal splitter whose first widget takes ``fraction`` of the width, kept between
    ``least`` and ``most`` pixels, and the second the rest; once the user drags the handle,
    the user's split is kept.  Beside the explorer at 1280x800 the side column stays at its
    narrowest useful width, so the main view gets the room; on a large screen it grows."""

    def __init__(self, fraction: float, least: int, most: int, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.fraction, self.least, self.most = fraction, least, most
        self.set_by_user = False
        self.setChildrenCollapsible(False)
        self.splitterMoved.connect(self._moved)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.set_by_user and self.count() == 2:
            total = sum(self.sizes())
            side = max(self.least, min(self.most, round(total * self.fraction)))
            self.setSizes([side, max(1, total - side)])

    def _moved(self, _pos: int, _index: int) -> None:
        self.set_by_user = True
