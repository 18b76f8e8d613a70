"""An overview of the whole graph with the visible part outlined; click or drag to move there."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsView, QWidget

from cnnviz.ui.theme import palette


class Minimap(QWidget):
    """Floats in a corner of a :class:`QGraphicsView`; shown only when the graph overflows it.

    The scene is rendered once into a pixmap (on :meth:`refresh`), so moving the view costs
    one small blit, not a second render of every item.  It takes at most a small share of the
    view (:data:`SHARE_W`, :data:`SHARE_H`), so in a small window it does not cover the graph.
    """

    MAX_W, MAX_H = 150, 260
    SHARE_W, SHARE_H = 0.16, 0.55

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self._view = view
        self._pixmap = QPixmap()
        self._scene_rect = QRectF()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move around the graph")
        self._resized = QTimer(self, singleShot=True, interval=120)
        self._resized.timeout.connect(self.refresh)
        self.hide()

    def refresh(self) -> None:
        """Re-render the overview after the scene changed."""
        scene = self._view.scene()
        if scene is None or not scene.items():
            self._pixmap = QPixmap()
            self.hide()
            return
        self._scene_rect = scene.sceneRect()
        size = self._fit_size()
        self.resize(size)
        ratio = self.devicePixelRatioF() or 1.0
        pm = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        pm.setDevicePixelRatio(ratio)
        pm.fill(QColor(palette().surface))
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), self._scene_rect)
        painter.end()
        self._pixmap = pm
        self.reposition()
        self.update_visibility()

    def view_resized(self) -> None:
        """Call when the view changed size: the overview is drawn again at its new size
        (once the resizing pauses)."""
        self.reposition()
        if not self._pixmap.isNull() and self._fit_size() != self.size():
            self._resized.start()

    def _fit_size(self) -> QSize:
        vp = self._view.viewport().size()
        max_w = min(self.MAX_W, max(60.0, self.SHARE_W * vp.width()))
        max_h = min(self.MAX_H, max(80.0, self.SHARE_H * vp.height()))
        r = self._scene_rect
        if r.isEmpty():
            return QSize(round(max_w), round(max_h))
        k = min(max_w / r.width(), max_h / r.height())
        return QSize(max(24, round(r.width() * k)), max(24, round(r.height() * k)))

    def reposition(self) -> None:
        vp = self._view.viewport().geometry()
        self.move(vp.right() - self.width() - 12, vp.top() + 12)

    def update_visibility(self) -> None:
        """Show only when the graph is larger than the view at the current zoom."""
        if self._pixmap.isNull():
            self.hide()
            return
        visible = self._view.mapToScene(self._view.viewport().rect()).boundingRect()
        overflow = (self._scene_rect.height() > visible.height() * 1.15
                    or self._scene_rect.width() > visible.width() * 1.15)
        self.setVisible(overflow)
        if overflow:
            self.raise_()
            self.update()

    def _to_scene(self, p: QPointF) -> QPointF:
        r = self._scene_rect
        return QPointF(r.left() + p.x() / self.width() * r.width(),
                       r.top() + p.y() / self.height() * r.height())

    def mousePressEvent(self, event) -> None:
        self._view.centerOn(self._to_scene(event.position()))

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._view.centerOn(self._to_scene(event.position()))

    def paintEvent(self, event) -> None:
        pal = palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(QColor(pal.border), 1))
        painter.setBrush(QColor(pal.surface))
        painter.drawRoundedRect(frame, 6, 6)
        painter.drawPixmap(0, 0, self._pixmap)
        if self._scene_rect.isEmpty():
            return
        visible = self._view.mapToScene(self._view.viewport().rect()).boundingRect()
        r = self._scene_rect
        kx, ky = self.width() / r.width(), self.height() / r.height()
        box = QRectF((visible.left() - r.left()) * kx, (visible.top() - r.top()) * ky,
                     visible.width() * kx, visible.height() * ky).intersected(frame)
        accent = QColor(pal.accent)
        fill = QColor(accent)
        fill.setAlpha(40)
        painter.setPen(QPen(accent, 1.5))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 3, 3)
