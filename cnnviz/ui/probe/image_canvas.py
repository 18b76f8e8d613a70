"""A zoomable, pannable picture whose pixels stay sharp: the base of the map and filter views.

The picture fits the view until the user zooms (wheel, or :meth:`zoom_in`/:meth:`zoom_out`);
:meth:`fit` goes back to fitting.  Pixels are drawn as squares (no smoothing), since a
feature map's pixels are units a student clicks on.  A click that did not drag is reported
as ``clicked(x, y)`` in picture pixels.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView

_ZOOM_STEP = 1.25
_MAX_SCALE = 64.0


def rgb_pixmap(array: np.ndarray) -> QPixmap:
    """An (H, W, 3) or (H, W) uint8 array as a QPixmap (the pixels are copied)."""
    array = np.ascontiguousarray(array)
    h, w = array.shape[:2]
    fmt = QImage.Format.Format_RGB888 if array.ndim == 3 else QImage.Format.Format_Grayscale8
    return QPixmap.fromImage(QImage(array.data, w, h, array.strides[0], fmt).copy())


class ZoomImageView(QGraphicsView):
    """Shows one picture; ``clicked(x, y)`` and ``hovered(x, y)`` give picture pixels."""

    clicked = Signal(float, float)
    hovered = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.scene().addItem(self.item)
        self.marker = QGraphicsRectItem()
        self.marker.setZValue(2)
        self.marker.hide()
        self.scene().addItem(self.marker)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self._auto_fit = True
        self._press: QPointF | None = None

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def set_background(self, color: str) -> None:
        self.setBackgroundBrush(QBrush(QColor(color)))

    def set_marker_color(self, color: str) -> None:
        pen = QPen(QColor(color), 2.5)
        pen.setCosmetic(True)
        self.marker.setPen(pen)

    def set_array(self, array: np.ndarray | None, keep_view: bool = False) -> None:
        """Show ``array`` (uint8, greyscale or RGB); ``None`` clears.  Unless ``keep_view``,
        the new picture is fitted to the view."""
        self.marker.hide()
        if array is None:
            self.item.setPixmap(QPixmap())
            self.scene().setSceneRect(QRectF())
            return
        self.item.setPixmap(rgb_pixmap(array))
        h, w = array.shape[:2]
        margin = max(w, h) * 0.02
        self.scene().setSceneRect(QRectF(-margin, -margin, w + 2 * margin, h + 2 * margin))
        if not keep_view:
            self._auto_fit = True
        if self._auto_fit:
            self.fit()

    def set_marker(self, rect: QRectF | None) -> None:
        """Outline ``rect`` (picture pixels) above the picture, or hide the outline."""
        if rect is None:
            self.marker.hide()
        else:
            self.marker.setRect(rect)
            self.marker.show()

    def fit(self) -> None:
        self._auto_fit = True
        if not self.item.pixmap().isNull():
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom_in(self) -> None:
        self._zoom(_ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom(1 / _ZOOM_STEP)

    def _zoom(self, factor: float) -> None:
        if self.item.pixmap().isNull():
            return
        factor = min(factor, _MAX_SCALE / max(self.scale_factor, 1e-9))
        self._auto_fit = False
        self.scale(factor, factor)

    def wheelEvent(self, event) -> None:
        self._zoom(_ZOOM_STEP if event.angleDelta().y() > 0 else 1 / _ZOOM_STEP)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    def mousePressEvent(self, event) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if (press is not None and event.button() == Qt.MouseButton.LeftButton
                and (event.position() - press).manhattanLength() < 5):
            point = self.item.mapFromScene(self.mapToScene(event.position().toPoint()))
            self.clicked.emit(point.x(), point.y())
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        point = self.item.mapFromScene(self.mapToScene(event.position().toPoint()))
        self.hovered.emit(point.x(), point.y())

    def click_pixel(self, x: float, y: float) -> None:
        """Act as if the user clicked picture pixel (x, y) (keyboard users and tests)."""
        self.clicked.emit(x, y)
