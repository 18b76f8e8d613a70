"""The shortcut arc beside a collapsed residual block.

Folded into one box, a residual block would look exactly like its plain twin; the arc keeps
the lesson visible: it leaves the data path just above the box, passes it on the right and
rejoins just below with an arrow, drawn like the skip edges of an expanded block.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from cnnviz.ui.arch.graph_items import EdgeItem

# How far the arc passes beside the box's right edge (the stacked-cards look takes 5 px).
CLEARANCE = 20.0


class ShortcutItem(EdgeItem):
    """A skip-coloured arc around the node rectangle ``rect`` (scene coordinates) of the
    collapsed block ``block``; ``reach`` is how far above and below the box it joins the data
    path (keep it inside the gap between rows)."""

    def __init__(self, block: str, rect: QRectF, reach: float) -> None:
        cx = rect.center().x()
        side = rect.right() + CLEARANCE
        points = [
            QPointF(cx, rect.top() - reach),
            QPointF(side, rect.top() + 0.2 * rect.height()),
            QPointF(side, rect.bottom() - 0.2 * rect.height()),
            QPointF(cx + 1.0, rect.bottom() + reach),
        ]
        super().__init__(block, block, points, is_skip=True)
        self.block = block
        self.setToolTip("Shortcut: this block adds its input to its output (a residual "
                        "connection). Expand the block to see where.")

    def _route(self, pts: list[QPointF]) -> QPainterPath:
        """Out sideways from the path, down beside the box, back in sideways: a "D"."""
        start, top, bottom, end = pts
        path = QPainterPath(start)
        path.cubicTo(QPointF(start.x() + 0.7 * (top.x() - start.x()), start.y()),
                     QPointF(top.x(), start.y()), top)
        path.lineTo(bottom)
        path.cubicTo(QPointF(bottom.x(), end.y()),
                     QPointF(end.x() + 0.7 * (bottom.x() - end.x()), end.y()), end)
        return path
