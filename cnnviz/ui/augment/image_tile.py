"""One picture of the preview grid, drawn in a rounded card with a caption and an overlay.

A tile is repainted for every frame of a slider drag, six or more at a time, so a paint
only copies finished pixels: the card (background, border, caption) is a pixmap made once
per size, state and theme, and the picture with its overlay is a
:class:`~cnnviz.ui.augment.tile_picture.TilePicture` that the render worker prepared at the
tile's device size.  A tile makes its own picture only when none fits (the original, or
after a resize until the next render arrives).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.core.augment import Sample
from cnnviz.ui.augment.render import TileBox
from cnnviz.ui.augment.sample_details import sample_summary
from cnnviz.ui.augment.tile_picture import TilePicture, compose, compose_sample
from cnnviz.ui.theme import theme_manager

MARGIN = 6  # between the card's edge and the picture
CAPTION_HEIGHT = 18
# A prepared picture is used when its box is at most this many device pixels smaller than
# the tile's: grid cells can differ by a pixel, and redoing the picture on the GUI thread
# for that would cost more than the pixel is worth.
BOX_SLACK = 4


class ImageTile(QWidget):
    """One picture, letterboxed in a rounded card, with an optional caption and overlay.

    ``array`` keeps the pixels shown (tests read it); hovering shows a summary of the
    sample as a tooltip (written on the first ``QEvent.ToolTip`` after a change) and a click
    emits :attr:`clicked` with the tile's index.
    """

    clicked = Signal(int)

    def __init__(self, index: int, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.caption = caption
        self.array: np.ndarray | None = None
        self.sample: Sample | None = None
        self.show_overlay = True
        self.selected = False
        self._base_shape: tuple[int, ...] | None = None
        self._picture: TilePicture | None = None
        self._card: QPixmap | None = None
        self._card_key: tuple | None = None
        self._box: TileBox | None = None
        self._hover = False
        self._tip_stale = False
        self.composed = 0  # pictures this tile made itself (not the worker), for tests
        # The card covers every pixel (its corners are filled with the window colour, which
        # is what the grid shows around the tiles), so Qt need not repaint what lies
        # beneath the tile first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMouseTracking(True)
        self.setMinimumSize(72, 60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, array: np.ndarray | None, sample: Sample | None = None,
                  base_shape: tuple[int, ...] | None = None,
                  picture: TilePicture | None = None) -> None:
        """Show ``array`` (RGB uint8).  With ``sample`` and ``base_shape`` (the picture it
        was drawn from) its overlay is drawn too; ``picture`` is ``array`` already made
        ready to draw (see :func:`~cnnviz.ui.augment.tile_picture.render_for_tiles`)."""
        self.array = array
        self.sample = sample
        self._base_shape = base_shape
        self._picture = picture
        # The summary is written when a tooltip is asked for: during a slider drag samples
        # change thirty times a second and nobody hovers.
        self._tip_stale = True
        self.update()

    # -------------------------------------------------------------- geometry
    def picture_area(self) -> QRectF:
        """The logical rectangle a picture is fitted into (inside the card, above the caption)."""
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        if self.caption:
            area.adjust(0, 0, 0, -CAPTION_HEIGHT)
        return area

    def box(self) -> TileBox:
        """:meth:`picture_area` in device pixels (kept until the tile is resized: the grid
        asks for it with every render request)."""
        ratio = self.devicePixelRatioF()
        if self._box is None or self._box.ratio != ratio:
            area = self.picture_area()
            self._box = TileBox(max(1, int(area.width() * ratio)),
                                max(1, int(area.height() * ratio)), ratio)
        return self._box

    def picture(self) -> TilePicture | None:
        """What is drawn for :attr:`array`: the prepared picture when it fits this tile's
        box, else one made here (and kept until the size or the picture changes)."""
        if self.array is None:
            return None
        box, have = self.box(), self._picture
        if have is not None and have.box.ratio == box.ratio and \
                0 <= box.width - have.box.width <= BOX_SLACK and \
                0 <= box.height - have.box.height <= BOX_SLACK:
            return have
        if self.sample is not None and self._base_shape is not None:
            self._picture = compose_sample(self.sample, self._base_shape, box)
        else:
            self._picture = compose(self.array, box)
        self.composed += 1
        return self._picture

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: fitted into the tile, aspect ratio kept, on whole
        device pixels (so it is copied, never resampled, when painted)."""
        picture = self.picture()
        return self._placed(picture) if picture is not None else self.picture_area()

    def _placed(self, picture: TilePicture) -> QRectF:
        area = self.picture_area()
        w, h = picture.logical_size
        ratio = picture.box.ratio
        x = round((area.center().x() - w / 2) * ratio) / ratio
        y = round((area.center().y() - h / 2) * ratio) / ratio
        return QRectF(x, y, w, h)

    def resizeEvent(self, event) -> None:
        self._box = None
        super().resizeEvent(event)

    # -------------------------------------------------------------- painting
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        card = self._card_pixmap()
        # Start the card on the whole device pixel the tile's corner falls in.
        origin = painter.deviceTransform().map(QPointF(0, 0))
        ratio = card.devicePixelRatio()
        painter.drawPixmap(QPointF(-(origin.x() - math.floor(origin.x())) / ratio,
                                   -(origin.y() - math.floor(origin.y())) / ratio), card)
        picture = self.picture()
        if picture is not None:
            painter.drawImage(self._placed(picture).topLeft(), picture.shown(self.show_overlay))
        painter.end()

    def _card_pixmap(self) -> QPixmap:
        """The card without its picture, remade only when its look changes."""
        pal = theme_manager().palette
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, self.selected, self._hover, pal.name,
               self.caption)
        if self._card is not None and self._card_key == key:
            return self._card
        # At a fractional scale (150 %) a tile may start half a device pixel into a pixel
        # and touch one device column and row more than round(width * ratio): the card is
        # made larger and drawn from the device pixel the tile starts in (see paintEvent),
        # so no pixel of the tile is left unpainted (it showed what was drawn there before,
        # a dotted seam between the columns).
        card = QPixmap(math.ceil(self.width() * ratio) + 2, math.ceil(self.height() * ratio) + 2)
        card.setDevicePixelRatio(ratio)
        card.fill(QColor(pal.window))  # what lies behind the tile, in the rounded corners
        painter = QPainter(card)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        border = QColor(pal.accent if self.selected else (pal.muted if self._hover else pal.border))
        painter.setPen(border)
        painter.setBrush(QColor(pal.surface))
        painter.drawRoundedRect(frame, 8, 8)
        if self.selected:
            pen = painter.pen()
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(frame.adjusted(1, 1, -1, -1), 7, 7)
        if self.caption:
            painter.setPen(QColor(pal.muted))
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 0.9)
            painter.setFont(font)
            text_rect = QRectF(frame.left() + 8, frame.bottom() - 20, frame.width() - 16, 18)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, self.caption)
        painter.end()
        self._card, self._card_key = card, key
        return card

    # ----------------------------------------------------------------- mouse
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self._tip_stale:
            self._tip_stale = False
            self.setToolTip(sample_summary(self.index, self.sample) if self.sample is not None else "")
        return super().event(event)

    def enterEvent(self, event) -> None:
        self._hover = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._hover = False
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.sample is not None:
            self.clicked.emit(self.index)
        super().mousePressEvent(event)


def tiles_box(tiles: list[ImageTile]) -> TileBox | None:
    """The largest box that fits in every tile (grid cells can differ by a pixel), or None
    before the tiles are laid out."""
    if not tiles or tiles[0].width() <= 1:
        return None
    boxes = [t.box() for t in tiles]
    return TileBox(min(b.width for b in boxes), min(b.height for b in boxes), boxes[0].ratio)

