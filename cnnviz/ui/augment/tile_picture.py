"""A sample made ready to draw: scaled to its tile and with its overlay drawn, once.

A tile is repainted for every frame of a slider drag, while the GUI thread also has the
slider to move.  So the work that depends only on the sample (resampling the picture to the
tile's device pixels, converting it to the screen's pixel format, computing and stroking
the overlay) is done once per sample by :func:`compose`.  It needs only ``QImage`` and
``QPainter`` on images, which Qt allows on any thread, so the render worker does it
(:func:`render_for_tiles`).  Warp arrows, the dearest part, are stroked once per field and
size (:class:`ArrowLayers`).  A tile then paints a :class:`TilePicture` with one
``drawImage`` call that copies pixels without scaling.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from cnnviz.core.augment import Sample
from cnnviz.ui.augment.overlays import (
    OverlayGeometry,
    arrows_along,
    overlay_geometry,
    paint_overlay,
)
from cnnviz.ui.augment.render import PreviewFrame, PreviewJob, TileBox, render_preview

OVERLAY_COLOUR = "#ffd43b"


@dataclass(frozen=True)
class TilePicture:
    """What a tile draws for one picture, in a format the screen takes without conversion
    and at the picture's fitted size in ``box`` (``devicePixelRatio()`` is the box's ratio).
    ``image`` is the plain picture; ``overlaid`` is the same with its overlay drawn on, or
    None when there is nothing to draw over this picture."""

    box: TileBox
    image: QImage
    overlaid: QImage | None

    @property
    def logical_size(self) -> tuple[float, float]:
        ratio = self.box.ratio
        return self.image.width() / ratio, self.image.height() / ratio

    def shown(self, overlay: bool) -> QImage:
        """The image to draw, with or without the overlay."""
        return self.overlaid if overlay and self.overlaid is not None else self.image


def fitted_size(box: TileBox, shape: tuple[int, ...]) -> tuple[int, int]:
    """(width, height) in device pixels of a picture of ``shape`` fitted into ``box``,
    aspect ratio kept."""
    h, w = shape[:2]
    scale = min(box.width / w, box.height / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


class ArrowLayers:
    """Warp arrows already stroked, on transparent layers, by field and size.

    Stroking a field's hundred-odd antialiased lines is the dearest part of making a tile,
    and while a slider of another step moves, each sample's field stays the same (every
    step draws its parameters from its own generator).  So the layer for a field is kept
    and reused while the same arrows come back at the same size.  Thread-safe: the preview
    threads share it.
    """

    def __init__(self, max_bytes: int = 48 * 2**20) -> None:
        self._lock = threading.Lock()
        self._layers: OrderedDict[tuple, QImage] = OrderedDict()
        self._bytes = 0
        self.max_bytes = max_bytes
        self.misses = 0  # layers stroked, for tests

    def get(self, arrows: np.ndarray, size: tuple[int, int], ratio: float,
            sample_shape: tuple[int, ...]) -> QImage:
        """The layer of ``size`` device pixels with ``arrows`` (in the coordinates of a
        sample of ``sample_shape``) stroked on it."""
        arrows = np.ascontiguousarray(arrows, dtype=np.float64)
        key = (arrows.tobytes(), size, ratio, tuple(sample_shape[:2]))
        with self._lock:
            layer = self._layers.get(key)
            if layer is not None:
                self._layers.move_to_end(key)
                return layer
        layer = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)
        layer.fill(Qt.GlobalColor.transparent)
        layer.setDevicePixelRatio(ratio)
        painter = QPainter(layer)
        paint_overlay(painter, OverlayGeometry(arrows=arrows),
                      QRectF(0, 0, size[0] / ratio, size[1] / ratio), sample_shape,
                      OVERLAY_COLOUR)
        painter.end()
        with self._lock:
            self.misses += 1
            if key not in self._layers:
                self._layers[key] = layer
                self._bytes += layer.sizeInBytes()
            while self._bytes > self.max_bytes and len(self._layers) > 1:
                _, old = self._layers.popitem(last=False)
                self._bytes -= old.sizeInBytes()
        return layer


arrow_layers = ArrowLayers()


def compose(array: np.ndarray, box: TileBox, geometry: OverlayGeometry | None = None
            ) -> TilePicture:
    """``array`` (RGB uint8) smoothly resampled into ``box``, plain and with ``geometry``
    (in the array's pixel coordinates) stroked on it."""
    array = np.ascontiguousarray(array)
    h, w = array.shape[:2]
    width, height = fitted_size(box, array.shape)
    view = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_RGB888)
    # Converted first: Qt resamples 32-bit pixels about twice as fast as packed RGB.  The
    # conversion also makes an image that owns its pixels (``view`` borrows the array's).
    image = view.convertToFormat(QImage.Format.Format_RGB32)
    if (width, height) != (w, h):
        image = image.scaled(width, height, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    image.setDevicePixelRatio(box.ratio)
    overlaid = None
    if geometry is not None and not geometry.empty:
        overlaid = image.copy()
        painter = QPainter(overlaid)
        # Pens are in logical pixels, so the strokes look the same on any screen.
        target = QRectF(0, 0, width / box.ratio, height / box.ratio)
        paint_overlay(painter, geometry, target, array.shape, OVERLAY_COLOUR, arrows=False)
        if geometry.arrows is not None:
            painter.drawImage(0, 0, arrow_layers.get(geometry.arrows, (width, height),
                                                     box.ratio, array.shape))
        painter.end()
    return TilePicture(box, image, overlaid)


def compose_sample(sample: Sample, base_shape: tuple[int, ...], box: TileBox) -> TilePicture:
    """:func:`compose` for a sample drawn from a picture of ``base_shape``, with its overlay
    (as many warp arrows as the picture's size in ``box`` has room for)."""
    width, height = fitted_size(box, sample.image.shape)
    along = arrows_along(max(width, height) / box.ratio)
    return compose(sample.image, box, overlay_geometry(sample, base_shape, along))


def render_for_tiles(job: PreviewJob) -> PreviewFrame:
    """:func:`~cnnviz.ui.augment.render.render_preview`, plus the samples made ready to draw
    in ``job.box`` (when it names one): the preview worker's whole job, so the GUI thread
    only copies finished pixels to the screen."""
    if job.box is None:
        return render_preview(job)
    box = job.box
    return render_preview(job, lambda sample, shape: compose_sample(sample, shape, box))
