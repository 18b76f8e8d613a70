"""Small pieces of the panel's look: titled cards."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


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
