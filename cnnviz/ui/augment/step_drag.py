"""Reordering pipeline steps by dragging their cards.

A card is picked up by its grip (or anywhere on its header that is not a control) and
carried as a :data:`STEP_MIME` drag; the :class:`StepList` that holds the cards shows a
line where it would land and reports the move through :attr:`StepList.step_dropped`.  The
data names the list it came from, so a step never lands in another window's pipeline, and
anything else dragged over the list (picture files) passes through to the workspace.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter
from PySide6.QtWidgets import QFrame, QWidget

STEP_MIME = "application/x-cnnviz-pipeline-step"
INDICATOR_HEIGHT = 4


def step_mime(owner: QWidget, index: int) -> QMimeData:
    """Drag data for step ``index`` of the list ``owner``."""
    mime = QMimeData()
    mime.setData(STEP_MIME, QByteArray(f"{id(owner)}:{index}".encode()))
    return mime


def step_index(owner: QWidget, mime: QMimeData | None) -> int | None:
    """The step index carried by ``mime`` if it was dragged from ``owner``, else None."""
    if mime is None or not mime.hasFormat(STEP_MIME):
        return None
    owner_id, _, index = bytes(mime.data(STEP_MIME).data()).decode(errors="replace").partition(":")
    if owner_id != str(id(owner)) or not index.isdigit():
        return None
    return int(index)


class GripHandle(QWidget):
    """Six dots that say "drag me"; presses pass through (QWidget ignores them) to the card,
    which starts the drag."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(12, 22)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip("Drag to move this step (or Alt+Up / Alt+Down)")

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(self.palette().color(self.palette().ColorRole.PlaceholderText))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        for column in (3.5, 8.5):
            for row in (6.0, 11.0, 16.0):
                painter.drawEllipse(QRectF(column - 1.4, row - 1.4, 2.8, 2.8))


class StepList(QWidget):
    """The column of step cards.  :attr:`cards` (set by the editor) lists them in order;
    a dropped card emits ``step_dropped(from_index, to_index)``, ``to_index`` being its
    place in the new order.  :attr:`hovering` reports the drag's y, for scrolling."""

    step_dropped = Signal(int, int)
    hovering = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StepList")
        self.setAcceptDrops(True)
        self.cards: list[QWidget] = []
        self.indicator = QFrame(self)
        self.indicator.setObjectName("DropIndicator")
        self.indicator.setFixedHeight(INDICATOR_HEIGHT)
        self.indicator.setStyleSheet(
            "#DropIndicator { background: palette(highlight); border-radius: 2px; }")
        self.indicator.hide()

    # -------------------------------------------------------------- geometry
    def slot_at(self, y: int) -> int:
        """The gap a drop at height ``y`` lands in: 0 above the first card, len(cards)
        below the last."""
        return sum(card.geometry().center().y() < y for card in self.cards)

    def target(self, source: int, slot: int) -> int:
        """Where step ``source`` ends up when dropped into gap ``slot``."""
        return slot - 1 if slot > source else slot

    def _gap_y(self, slot: int) -> int:
        cards = self.cards
        if slot <= 0:
            return cards[0].geometry().top() - 4
        if slot >= len(cards):
            return cards[-1].geometry().bottom() + 4
        return (cards[slot - 1].geometry().bottom() + cards[slot].geometry().top()) // 2

    def _show_indicator(self, slot: int) -> None:
        first = self.cards[0].geometry()
        y = self._gap_y(slot) - INDICATOR_HEIGHT // 2
        self.indicator.setGeometry(first.left() + 6, y, first.width() - 12, INDICATOR_HEIGHT)
        self.indicator.show()
        self.indicator.raise_()

    # ---------------------------------------------------------- drag and drop
    def _source(self, event) -> int | None:
        source = step_index(self, event.mimeData())
        return source if source is not None and source < len(self.cards) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._source(event) is None:
            event.ignore()  # pictures and anything else: the workspace decides
            return
        event.acceptProposedAction()
        self._track(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._source(event) is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self._track(event)

    def _track(self, event) -> None:
        y = event.position().toPoint().y()
        slot = self.slot_at(y)
        source = self._source(event)
        if self.target(source, slot) == source:
            self.indicator.hide()  # dropping here would change nothing
        else:
            self._show_indicator(slot)
        self.hovering.emit(y)

    def dragLeaveEvent(self, event) -> None:
        self.indicator.hide()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.indicator.hide()
        source = self._source(event)
        if source is None:
            event.ignore()
            return
        event.acceptProposedAction()
        target = self.target(source, self.slot_at(event.position().toPoint().y()))
        if target != source:
            self.step_dropped.emit(source, target)

    def gap_point(self, slot: int) -> QPoint:
        """A point inside gap ``slot``, where a drop lands in that gap (for tests and
        keyboard-free accessibility tools)."""
        return QPoint(self.width() // 2, self._gap_y(slot))
