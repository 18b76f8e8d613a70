"""Real drag-and-drop events for tests (qtbot cannot start a real drag).

PySide6 before 6.12 builds drag events from a ``QPoint``; 6.12 from a ``QPointF``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

_REST = (Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)


def drag_event(kind, pos: QPoint | QPointF, mime: QMimeData):
    """A ``QDragEnterEvent``, ``QDragMoveEvent`` or ``QDropEvent`` at ``pos`` carrying ``mime``."""
    point = QPointF(pos)
    try:
        return kind(point, Qt.DropAction.CopyAction, mime, *_REST)
    except TypeError:
        return kind(point.toPoint(), Qt.DropAction.CopyAction, mime, *_REST)


def url_mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def send_drag(widget: QWidget, mime: QMimeData, pos: QPoint | QPointF | None = None
              ) -> tuple[bool, bool, bool]:
    """Enter, move and drop ``mime`` on ``widget``; whether each event was accepted.

    Move and drop are sent only when the enter was accepted, as Qt itself does.
    """
    pos = QPointF(widget.rect().center()) if pos is None else QPointF(pos)
    enter = drag_event(QDragEnterEvent, pos, mime)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False, False, False
    move = drag_event(QDragMoveEvent, pos, mime)
    QApplication.sendEvent(widget, move)
    drop = drag_event(QDropEvent, pos, mime)
    QApplication.sendEvent(widget, drop)
    return True, move.isAccepted(), drop.isAccepted()


def drop_files(widget: QWidget, paths: list[Path], pos: QPoint | QPointF | None = None
               ) -> tuple[bool, bool, bool]:
    """Drag local files onto ``widget`` with real Qt drag events."""
    return send_drag(widget, url_mime(paths), pos)
