"""The picture the network sees, with the receptive field of the clicked unit outlined.

The box is in the network's input pixels (``(top, left, bottom, right)``, inclusive, as
:func:`cnnviz.core.probe.receptive_box` gives it); everything outside it is dimmed so the
region a unit sees stands out.  Without a picture the view invites a drop.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.ui.probe.image_canvas import rgb_pixmap
from cnnviz.ui.theme import Palette, theme_manager


class InputView(QWidget):
    """Call :meth:`set_picture` with the network's view of the image, :meth:`set_box` to
    outline a region; :attr:`box` holds the outlined region (or ``None``)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.picture: np.ndarray | None = None
        self.box: tuple[int, int, int, int] | None = None
        self.placeholder = "Drop a photo here"
        self._pixmap = QPixmap()
        # It may give up height (the picture is scaled to fit) so that its caption and the
        # answer below never overlap it when the window is short.
        self.setMinimumSize(180, 96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(280, 270)

    def set_picture(self, picture: np.ndarray | None) -> None:
        self.picture = picture
        self.box = None
        self._pixmap = rgb_pixmap(picture) if picture is not None else QPixmap()
        self.update()

    def set_box(self, box: tuple[int, int, int, int] | None) -> None:
        self.box = box
        self.update()

    def picture_rect(self) -> QRectF:
        """Where the picture is drawn inside the widget (aspect kept, centred)."""
        if self._pixmap.isNull():
            return QRectF()
        w, h = self._pixmap.width(), self._pixmap.height()
        scale = min((self.width() - 2) / w, (self.height() - 2) / h)
        if w * scale >= 2 * w and scale > 1:  # whole multiples keep small inputs crisp
            scale = float(int(scale))
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def box_rect(self) -> QRectF | None:
        """The outlined region in widget coordinates."""
        if self.box is None or self._pixmap.isNull():
            return None
        target = self.picture_rect()
        sx = target.width() / self._pixmap.width()
        sy = target.height() / self._pixmap.height()
        top, left, bottom, right = self.box
        return QRectF(target.x() + left * sx, target.y() + top * sy,
                      (right - left + 1) * sx, (bottom - top + 1) * sy)

    def paintEvent(self, _event) -> None:
        pal: Palette = theme_manager().palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._pixmap.isNull():
            self._paint_placeholder(painter, pal)
            return
        target = self.picture_rect()
        small = max(self._pixmap.width(), self._pixmap.height()) <= 64
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not small)
        painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
        box = self.box_rect()
        if box is None:
            return
        outside = QPainterPath()
        outside.addRect(target)
        inside = QPainterPath()
        inside.addRect(box)
        painter.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 120))
        pen = QPen(QColor("#ffd43b"), 2.0)
        painter.setPen(pen)
        painter.drawRect(box.adjusted(-1, -1, 1, 1))

    def _paint_placeholder(self, painter: QPainter, pal: Palette) -> None:
        rect = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        pen = QPen(QColor(pal.border), 1.6, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor(pal.surface_alt))
        painter.drawRoundedRect(rect, 12, 12)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(QColor(pal.text))
        title = QRectF(rect.x(), rect.center().y() - 26, rect.width(), 24)
        painter.drawText(title, Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.setFont(self.font())
        painter.setPen(QColor(pal.muted))
        hint = QRectF(rect.x() + 16, rect.center().y(), rect.width() - 32, 64)
        painter.drawText(hint, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                         "or use Open image… — it is resized and normalised the way this "
                         "network expects")
