"""What is drawn over a sample to show how it was made, and how to draw it.

The geometry is computed from a :class:`~cnnviz.core.augment.Sample`'s step records, in the
pixel coordinates of the sample (:func:`overlay_geometry`, no Qt); :func:`paint_overlay`
scales it onto a tile.  Three things are shown:

* the outline of the original picture after every affine or perspective step (the matrices
  multiplied in order), so a rotation or a crop shows where the frame went;
* cutout rectangles, carried through the geometric steps that came after them;
* for a local warp, arrows on a coarse grid from where each pixel was taken to where it
  landed (the displacement field, ``out[y, x] = in[y + dy, x + dx]``).

A warp bends straight lines, so nothing drawn before a warp can be carried through it: the
outline and rectangles are drawn only when no warp comes after them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from shiboken6 import VoidPtr

from cnnviz.core.augment import Sample

ARROWS_ALONG_LONG_SIDE = 9
MIN_ARROWS_ALONG = 4
ARROW_SPACING = 26.0  # logical pixels between arrows on screen, at the least


@dataclass
class OverlayGeometry:
    """Shapes in sample pixel coordinates (pixel centres at integers)."""

    outline: np.ndarray | None = None  # (4, 2) corners of the original frame
    boxes: list[np.ndarray] = field(default_factory=list)  # (4, 2) corners each
    arrows: np.ndarray | None = None  # (n, 4): x_from, y_from, x_to, y_to

    @property
    def empty(self) -> bool:
        return self.outline is None and not self.boxes and self.arrows is None


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    homogeneous = np.c_[points, np.ones(len(points))] @ matrix.T
    return homogeneous[:, :2] / homogeneous[:, 2:3]


def _corners(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


def displacement_arrows(displacement: np.ndarray, along: int = ARROWS_ALONG_LONG_SIDE) -> np.ndarray:
    """Arrows (x_from, y_from, x_to, y_to) on a grid of about ``along`` points on the longer
    side: from the input position a pixel was read at to the output position it went to."""
    h, w = displacement.shape[:2]
    spacing = max(h, w) / along
    xs = np.arange(spacing / 2, w, spacing)
    ys = np.arange(spacing / 2, h, spacing)
    gx, gy = np.meshgrid(xs, ys)
    ix = np.clip(np.rint(gx).astype(int), 0, w - 1)
    iy = np.clip(np.rint(gy).astype(int), 0, h - 1)
    d = displacement[iy, ix]
    return np.stack([gx + d[..., 0], gy + d[..., 1], gx, gy], axis=-1).reshape(-1, 4)


def arrows_along(long_side: float) -> int:
    """Arrows along the longer side of a picture drawn ``long_side`` logical pixels long:
    about one per :data:`ARROW_SPACING` pixels, so that a small tile is not buried under
    them, and never more than :data:`ARROWS_ALONG_LONG_SIDE`."""
    return int(min(ARROWS_ALONG_LONG_SIDE, max(MIN_ARROWS_ALONG, round(long_side / ARROW_SPACING))))


def overlay_geometry(sample: Sample, base_shape: tuple[int, ...],
                     along: int = ARROWS_ALONG_LONG_SIDE) -> OverlayGeometry:
    """The overlay for ``sample`` drawn from a picture of ``base_shape``, with about
    ``along`` warp arrows along the longer side."""
    geometry = OverlayGeometry()
    h, w = base_shape[:2]
    frame: np.ndarray | None = _corners(-0.5, -0.5, w - 0.5, h - 0.5)
    moved = False
    for step in sample.steps:
        info = step.info
        if info is None:
            continue
        if info.displacement is not None:
            # Straight lines do not survive a warp; start again from the warp's own field.
            frame, moved = None, False
            geometry.boxes = []
            geometry.arrows = displacement_arrows(info.displacement, along)
            continue
        if info.matrix is not None:
            if frame is not None:
                frame = _apply(info.matrix, frame)
                moved = moved or not np.allclose(info.matrix, np.eye(3))
            geometry.boxes = [_apply(info.matrix, b) for b in geometry.boxes]
            if geometry.arrows is not None:
                geometry.arrows = None  # the field no longer lines up with the picture
        elif info.box is not None:
            geometry.boxes.append(_corners(info.box[0] - 0.5, info.box[1] - 0.5,
                                           info.box[2] - 0.5, info.box[3] - 0.5))
    geometry.outline = frame if moved else None
    return geometry


def paint_overlay(painter: QPainter, geometry: OverlayGeometry, target: QRectF,
                  sample_shape: tuple[int, ...], colour: str, *, frames: bool = True,
                  arrows: bool = True) -> None:
    """Draw ``geometry`` (in sample pixels) onto ``target``, the rectangle the sample fills:
    the outline and boxes unless ``frames`` is false, the arrows unless ``arrows`` is false
    (arrows go on top)."""
    h, w = sample_shape[:2]
    sx, sy = target.width() / w, target.height() / h

    def point(x: float, y: float) -> QPointF:
        return QPointF(target.left() + (x + 0.5) * sx, target.top() + (y + 0.5) * sy)

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setClipRect(target)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    ink = QColor(colour)
    halo = QColor(0, 0, 0, 150)
    # The moved frame: a dark line under a dashed light one reads on any picture.
    shapes = [(geometry.outline, True)] + [(box, False) for box in geometry.boxes]
    for corners, dashed in shapes if frames else ():
        if corners is None:
            continue
        polygon = QPolygonF([point(x, y) for x, y in corners])
        painter.setPen(QPen(halo, 3.0))
        painter.drawPolygon(polygon)
        pen = QPen(ink, 1.5)
        if dashed:
            pen.setDashPattern([4.0, 3.0])
        painter.setPen(pen)
        painter.drawPolygon(polygon)
    if arrows and geometry.arrows is not None:
        segments, dots = arrow_segments(geometry.arrows, target, (w, h))
        lines, points = polygon_from(segments.reshape(-1, 2)), polygon_from(dots)
        for pen_colour, width in ((halo, 2.6), (ink, 1.2)):
            # Square caps: Qt strokes round ones about seven times slower, and at these
            # widths the eye cannot tell them apart.
            painter.setPen(QPen(pen_colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap))
            painter.drawLines(lines)  # a polygon's points taken in pairs: one call per pen
            if len(dots):
                painter.drawPoints(points)
    painter.restore()


def polygon_from(points: np.ndarray) -> QPolygonF:
    """A QPolygonF holding ``points`` (n, 2), filled through its memory: building one
    QPointF per point in Python costs more than drawing them."""
    polygon = QPolygonF()
    polygon.resize(len(points))
    if len(points):
        memory = VoidPtr(polygon.data(), len(points) * 16, True)  # QPointF is two doubles
        np.frombuffer(memory, dtype=np.float64).reshape(-1, 2)[:] = points
    return polygon


def arrow_segments(arrows: np.ndarray, target: QRectF, sample_size: tuple[int, int]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The strokes of ``arrows`` (n, 4) drawn on ``target``: ``segments`` (m, 4) as
    x0, y0, x1, y1 (for each arrow its shaft and two barbs, so a whole field is one
    ``drawLines`` call), and ``dots`` (k, 2), the tips of arrows too short to show a
    direction."""
    w, h = sample_size
    scale = np.array([target.width() / w, target.height() / h])
    offset = np.array([target.left(), target.top()]) + 0.5 * scale
    start = arrows[:, 0:2] * scale + offset
    end = arrows[:, 2:4] * scale + offset
    along = end - start
    length = np.hypot(along[:, 0], along[:, 1])
    short = length < 1.5
    unit = along / np.maximum(length, 1e-9)[:, None]
    head = np.minimum(5.0, length * 0.5)[:, None]
    # Barbs point back from the tip, 30 degrees either side of the shaft.
    cos30, sin30 = np.cos(np.radians(30.0)), np.sin(np.radians(30.0))
    back = -unit
    left = np.stack([back[:, 0] * cos30 - back[:, 1] * sin30, back[:, 0] * sin30 + back[:, 1] * cos30], 1)
    right = np.stack([back[:, 0] * cos30 + back[:, 1] * sin30, -back[:, 0] * sin30 + back[:, 1] * cos30], 1)
    segments = np.concatenate([
        np.concatenate([start, end], 1), np.concatenate([end, end + head * left], 1),
        np.concatenate([end, end + head * right], 1)])[np.tile(~short, 3)]
    return segments, end[short]
