"""The items of the layer graph: layer and block nodes, data-flow edges, expanded-block frames.

Items paint from the current theme at paint time, so a theme switch needs only an update.
Text is laid out once at construction and skipped when zoomed far out (level of detail), which
keeps zooming smooth on networks with hundreds of layers.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontInfo, QFontMetricsF, QGuiApplication, QPainter, QPainterPath,
    QPen, QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsPathItem, QStyle

from cnnviz.ui.theme import palette

TEXT_LOD = 0.42  # below this zoom, labels are unreadable: draw shapes only
# Nor is a node's title below this many pixels on screen: there the box is drawn flat too, and
# the view names it beside the box (see text_zoom and cnnviz.ui.arch.side_labels).
MIN_TITLE_PX = 7.5
RADIUS = 7.0
BASE_PT = 9.0  # the desktop font size node boxes are designed for
_PILL_H = 17.0


def text_scale() -> float:
    """The desktop font's size relative to :data:`BASE_PT`, never below 1: node text, and the
    boxes with it, grow with a larger font chosen in the system settings."""
    size = QGuiApplication.font().pointSizeF()
    return max(1.0, size / BASE_PT) if size > 0 else 1.0


def _fonts() -> tuple[QFont, QFont, QFont]:
    k = text_scale()
    title = QFont()
    title.setPointSizeF(10.0 * k)
    title.setWeight(QFont.Weight.DemiBold)
    sub = QFont()
    sub.setPointSizeF(9.0 * k)
    badge = QFont()
    badge.setPointSizeF(8.0 * k)
    badge.setWeight(QFont.Weight.Bold)
    return title, sub, badge


def text_zoom() -> float:
    """The zoom from which nodes draw their own text: :data:`TEXT_LOD`, or more where the
    title would be under :data:`MIN_TITLE_PX` pixels there."""
    return max(TEXT_LOD, MIN_TITLE_PX / QFontInfo(_fonts()[0]).pixelSize())


def readable_zoom(min_px: float = 11.0) -> float:
    """The zoom at which a node's smaller (second) line of text is a ``min_px`` pixel font:
    below it, labels are hard to read on a projector."""
    return min_px / QFontInfo(_fonts()[1]).pixelSize()


def blend(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def ink_on(fill: QColor) -> tuple[QColor, QColor]:
    """Title and subtitle colours that read on ``fill`` (light text on dark colour-map ends)."""
    luma = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue()
    if luma < 150:
        return QColor(255, 255, 255), QColor(255, 255, 255, 215)
    return QColor(17, 24, 39), QColor(17, 24, 39, 200)


FROZEN_TAG = "frozen"


class NodeItem(QGraphicsObject):
    """A layer, or a collapsed block (``is_block``) with an expand button and an "× N" badge.

    ``key`` is the layout node id: a layer id or a block path.  ``weight`` in [0, 1] shades the
    node by the quantity the user picked (parameters or multiply-adds).  :meth:`set_heat`
    paints it by a measured value instead (the gradient norm): a colour, frozen (hatched, with
    a "frozen" tag), or neutral (nothing measured here).
    """

    def __init__(self, key: str, rect: QRectF, kind: str, title: str, subtitle: str,
                 tooltip: str, weight: float = 0.0, is_block: bool = False,
                 badge: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.kind = "block" if is_block else kind
        self.is_block = is_block
        self.badge = badge
        self.weight = max(0.0, min(1.0, weight))
        self._rect = QRectF(0, 0, rect.width(), rect.height())
        extra = 5.0 if is_block else 3.0
        # Qt asks for the bounds of every visible item on every frame: answer from a cache.
        self._bounds = self._rect.adjusted(-3, -3, extra + 3, extra + 3)
        self.setPos(rect.topLeft())
        # The box and the bounds in the scene as plain numbers (left, top, right, bottom):
        # a node never moves, and the labels beside far boxes are placed from these without
        # a call into Qt per node.
        x, y = rect.left(), rect.top()
        self.scene_box = (x, y, x + rect.width(), y + rect.height())
        left, top, right, bottom = self._bounds.getCoords()
        self.scene_bounds = (x + left, y + top, x + right, y + bottom)
        self.setToolTip(tooltip)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._hover = False
        self._title_font, self._sub_font, self._badge_font = _fonts()
        self._text_zoom = max(TEXT_LOD, MIN_TITLE_PX / QFontInfo(self._title_font).pixelSize())
        self._pill_h = _PILL_H * text_scale()
        # The title has the top line to itself; the repeat badge and the expand button sit
        # at the end of the second line, so they never cover the name.
        text_w = rect.width() - 22
        sub_w = text_w - (self.expand_button_rect().width() + 8 if is_block else 0)
        if badge:
            sub_w -= self._pill_width(badge) + 6
        title_fm = QFontMetricsF(self._title_font)
        self.title = title_fm.elidedText(title, Qt.TextElideMode.ElideRight, text_w)
        self.subtitle = QFontMetricsF(self._sub_font).elidedText(
            subtitle, Qt.TextElideMode.ElideRight, sub_w)
        self.full_title = title
        self.base_tooltip = tooltip
        self.heat: QColor | None = None
        self.heat_state: str | None = None  # None: shade by weight; "value", "frozen", "none"
        self.value_text = ""  # the measured value in words, for the label beside a far bar
        self._title_tagged = title_fm.elidedText(
            title, Qt.TextElideMode.ElideRight, text_w - self._pill_width(FROZEN_TAG) - 6)

    def set_heat(self, state: str | None, color: QColor | None = None, note: str = "",
                 value: str = "") -> None:
        """Paint by a measured value: ``state`` "value" (filled with ``color``), "frozen" or
        "none"; ``None`` returns to shading by weight.  ``note`` (rich text) is appended to
        the tooltip; ``value`` is the value as the legend writes it ("3.2·10⁻⁵"), shown
        beside the node when the graph is zoomed too far out for its own text."""
        self.heat_state, self.heat = state, color
        self.value_text = value if state is not None else ""
        self.setToolTip(f"{self.base_tooltip}<br>{note}" if note else self.base_tooltip)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def box(self) -> QRectF:
        """The drawn box in item coordinates (the bounds add room for pen and shadow)."""
        return self._rect

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self._rect, RADIUS, RADIUS)
        return path

    def expand_button_rect(self) -> QRectF:
        """Where the "expand" control of a block node is, in item coordinates."""
        r, k = self._rect, self._pill_h / _PILL_H
        return QRectF(r.right() - 26 * k, r.bottom() - 22 * k, 20 * k, 16 * k)

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()
        super().hoverLeaveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if self.is_block and event.button() == Qt.MouseButton.LeftButton:
            if self.expand_button_rect().adjusted(-4, -4, 4, 4).contains(event.pos()):
                scene = self.scene()
                if scene is not None and hasattr(scene, "request_expand"):
                    scene.request_expand(self.key)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.is_block:
            scene = self.scene()
            if scene is not None and hasattr(scene, "request_expand"):
                scene.request_expand(self.key)
                return
        super().mouseDoubleClickEvent(event)

    def _colours(self, pal) -> tuple[QColor, QColor, QColor, QColor, QColor, QColor]:
        """Fill, kind outline, border, title, subtitle, and the flat colour used far out."""
        fill, outline = pal.kind_colors(self.kind)
        text, muted = QColor(pal.text), QColor(pal.muted)
        if self.heat_state == "value" and self.heat is not None:
            fill = self.heat
            border = fill.darker(135) if pal.name == "light" else fill.lighter(130)
            return (fill, outline, border, *ink_on(fill), fill)
        if self.heat_state is not None:  # frozen or nothing measured: quiet, off the scale
            frozen = self.heat_state == "frozen"
            fill = QColor(pal.surface_alt if frozen else pal.surface)
            # Far out the flat box is grey, so the path stays visible on the canvas.
            far = blend(QColor(pal.border), muted, 0.45) if frozen else QColor(pal.border)
            return fill, outline, QColor(pal.border), text if frozen else muted, muted, far
        fill = blend(fill, outline, 0.55 * self.weight)
        far = outline if self.weight > 0.5 else blend(fill, outline, 0.5)
        if self.weight > 0.35:  # a strongly shaded box may need the other ink to stay legible
            text, muted = ink_on(fill)
        return fill, outline, outline, text, muted, far

    def paint(self, painter: QPainter, option, widget=None) -> None:
        pal = palette()
        fill, outline, border, text, muted, far = self._colours(pal)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = self._rect
        if lod < self._text_zoom and not selected:
            # Zoomed far out a node is a few pixels: a flat box reads the same and is cheap.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(far)
            painter.drawRect(r)
            return
        if self.is_block:  # a stack of cards reads as "several layers inside"
            painter.setPen(QPen(outline, 1.0))
            painter.setBrush(QColor(pal.surface))
            painter.drawRoundedRect(r.translated(5, 5), RADIUS, RADIUS)
            painter.drawRoundedRect(r.translated(2.5, 2.5), RADIUS, RADIUS)
        if selected:
            painter.setPen(QPen(QColor(pal.accent), 3.0))
        elif self._hover:
            painter.setPen(QPen(border.darker(115) if pal.name == "light" else border.lighter(120), 2.0))
        else:
            painter.setPen(QPen(border, 1.2))
        painter.setBrush(fill)
        painter.drawRoundedRect(r, RADIUS, RADIUS)
        frozen = self.heat_state == "frozen"
        if frozen:
            hatch = QColor(pal.muted)
            hatch.setAlpha(70)
            painter.fillPath(self.shape(), QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        # A stripe in the kind's colour lets the eye follow layer types down the graph.
        stripe = QPainterPath()
        stripe.addRoundedRect(QRectF(r.left() + 1.5, r.top() + 4, 4, r.height() - 8), 2, 2)
        painter.fillPath(stripe, outline)
        if lod < self._text_zoom:
            return
        painter.setPen(text)
        left = r.left() + 13
        title = self._title_tagged if frozen else self.title
        if r.height() >= 34 and self.subtitle:
            painter.setFont(self._title_font)
            painter.drawText(QRectF(left, r.top() + 3, r.width() - 18, r.height() / 2 - 1),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, title)
            painter.setFont(self._sub_font)
            painter.setPen(muted)
            painter.drawText(QRectF(left, r.center().y() + 1, r.width() - 18, r.height() / 2 - 4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.subtitle)
        else:
            painter.setFont(self._title_font)
            painter.drawText(QRectF(left, r.top(), r.width() - 18, r.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        if frozen:
            self._paint_pill(painter, FROZEN_TAG, self._rect.right() - 6, self._rect.top() + 5,
                             QColor(pal.muted), QColor(pal.surface))
        if self.is_block and not getattr(self.scene(), "printing", False):
            b = self.expand_button_rect()
            painter.setPen(QPen(outline, 1.2))
            painter.setBrush(QColor(pal.surface))
            painter.drawRoundedRect(b, 4, 4)
            c = b.center()
            painter.drawLine(QPointF(c.x() - 4, c.y()), QPointF(c.x() + 4, c.y()))
            painter.drawLine(QPointF(c.x(), c.y() - 4), QPointF(c.x(), c.y() + 4))
        badge = self.badge_rect()
        if badge is not None:
            self._paint_pill(painter, self.badge, badge.right(), badge.top(), outline,
                             QColor(pal.surface))

    def badge_rect(self) -> QRectF | None:
        """Where the repeat badge is drawn (bottom right, left of the expand button), in item
        coordinates; None without a badge."""
        if not self.badge:
            return None
        right = self.expand_button_rect().left() - 5 if self.is_block else self._rect.right() - 6
        w = self._pill_width(self.badge)
        return QRectF(right - w, self._rect.bottom() - 6 - self._pill_h, w, self._pill_h)

    def _pill_width(self, text: str) -> float:
        return QFontMetricsF(self._badge_font).horizontalAdvance(text) + 12

    def _paint_pill(self, painter: QPainter, text: str, right: float, top: float, back: QColor,
                    ink: QColor) -> None:
        """A rounded label ending at ``right`` with its top at ``top``."""
        w = self._pill_width(text)
        rect = QRectF(right - w, top, w, self._pill_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(back)
        painter.drawRoundedRect(rect, self._pill_h / 2, self._pill_h / 2)
        painter.setFont(self._badge_font)
        painter.setPen(ink)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class EdgeItem(QGraphicsPathItem):
    """Data flowing from one node to the next; skip connections curve aside in their own colour."""

    def __init__(self, source: str, target: str, points: list[QPointF], is_skip: bool) -> None:
        super().__init__()
        self.source, self.target, self.is_skip = source, target, is_skip
        self.setZValue(-1 if not is_skip else -0.5)
        self.setAcceptHoverEvents(False)
        self.setPath(self._route(points))
        self._arrow = self._arrow_head(points)
        self._bounds = super().boundingRect().united(self._arrow.boundingRect()).adjusted(-3, -3, 3, 3)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)

    def _route(self, pts: list[QPointF]) -> QPainterPath:
        path = QPainterPath(pts[0])
        if len(pts) == 2:
            a, b = pts
            if self.is_skip:
                # Bow sideways, proportional to the distance jumped, so it never hides under
                # the main path it bypasses.
                bow = min(140.0, 26.0 + 0.16 * abs(b.y() - a.y()))
                path.cubicTo(QPointF(a.x() + bow, a.y() + 0.25 * (b.y() - a.y())),
                             QPointF(b.x() + bow, b.y() - 0.25 * (b.y() - a.y())), b)
            elif abs(a.x() - b.x()) < 0.5:
                path.lineTo(b)
            else:
                mid = (a.y() + b.y()) / 2
                path.cubicTo(QPointF(a.x(), mid), QPointF(b.x(), mid), b)
            return path
        # Catmull-Rom through the layout's bend points, as cubic Béziers.
        for i in range(len(pts) - 1):
            p0 = pts[i - 1] if i > 0 else pts[i]
            p1, p2 = pts[i], pts[i + 1]
            p3 = pts[i + 2] if i + 2 < len(pts) else p2
            c1 = p1 + (p2 - p0) / 6.0
            c2 = p2 - (p3 - p1) / 6.0
            path.cubicTo(c1, c2, p2)
        return path

    def _arrow_head(self, pts: list[QPointF]) -> QPolygonF:
        tip = pts[-1]
        angle = math.atan2(tip.y() - self.path().pointAtPercent(0.97).y(),
                           tip.x() - self.path().pointAtPercent(0.97).x())
        size = 7.0
        left = QPointF(tip.x() - size * math.cos(angle - 0.45), tip.y() - size * math.sin(angle - 0.45))
        right = QPointF(tip.x() - size * math.cos(angle + 0.45), tip.y() - size * math.sin(angle + 0.45))
        return QPolygonF([tip, left, right])

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        pal = palette()
        color = QColor(pal.skip_edge if self.is_skip else pal.edge)
        pen = QPen(color, 2.2 if self.is_skip else 1.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if option.levelOfDetailFromTransform(painter.worldTransform()) < TEXT_LOD:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(self._arrow)


class FrameItem(QGraphicsItem):
    """A tinted frame around an expanded block, with a header that collapses it on click."""

    HEADER = 20.0

    def __init__(self, path: str, label: str, rect: QRectF) -> None:
        super().__init__()
        self.path = path
        self.label = label
        self._header = self.HEADER * text_scale()
        self._rect = rect.adjusted(-12, -12 - self._header, 12, 10)
        self._bounds = self._rect.adjusted(-1, -1, 1, 1)
        self.setZValue(-2)
        self.setAcceptHoverEvents(True)
        self.setToolTip(f"{label}\nClick the header to collapse this block.")
        self._font = _fonts()[1]
        self._hover = False

    def boundingRect(self) -> QRectF:
        return self._bounds

    def header_rect(self) -> QRectF:
        return QRectF(self._rect.left(), self._rect.top(), self._rect.width(), self._header + 4)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.header_rect())
        return path

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def mousePressEvent(self, event) -> None:
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.header_rect().contains(event.pos()):
            scene = self.scene()
            if scene is not None and hasattr(scene, "request_collapse"):
                scene.request_collapse(self.path)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        pal = palette()
        accent = QColor(pal.kinds["block"][1])
        fill = QColor(accent)
        fill.setAlpha(20 if pal.name == "light" else 34)
        pen = QPen(accent, 1.0, Qt.PenStyle.DashLine if not self._hover else Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 10, 10)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < TEXT_LOD:
            return
        painter.setFont(self._font)
        painter.setPen(accent)
        header = self.header_rect().adjusted(10, 2, -10, 0)
        painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         f"−  {self.label}")
