"""One layer's feature maps as a zoomable mosaic; a click picks a unit.

The mosaic comes from :func:`cnnviz.core.probe.feature_grid` (each channel scaled to its own
range, or one range for all) and is coloured with a perceptual colour map, so faint
structure stays visible.  Clicking a map pixel emits ``unit_clicked(channel, row, col)`` and
outlines that unit; hovering shows the channel, the unit and its value.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPalette

from cnnviz.ui.probe.image_canvas import ZoomImageView

_COLORMAP = "viridis"


def _lut() -> np.ndarray:
    return pg.colormap.get(_COLORMAP).getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.uint8)


def paint_gaps(rgb: np.ndarray, grid, colour: tuple[int, int, int]) -> np.ndarray:
    """``rgb`` (a coloured copy of ``grid.image``) with the gaps between cells and the empty
    cells after the last one painted ``colour``, so the cells read as separate pictures on
    the view's own background."""
    h, w = grid.cell
    step_y, step_x = h + grid.pad, w + grid.pad
    if grid.pad:  # slices per gap row and column: a handful of cheap copies, no pixel mask
        for y in range(h, rgb.shape[0], step_y):
            rgb[y: y + grid.pad] = colour
        for x in range(w, rgb.shape[1], step_x):
            rgb[:, x: x + grid.pad] = colour
    filled = len(grid.order)
    for i in range(filled, -(-filled // grid.cols) * grid.cols):
        r, c = divmod(i, grid.cols)
        rgb[r * step_y: r * step_y + h, c * step_x: c * step_x + w] = colour
    return rgb


def best_columns(count: int, cell: tuple[int, int], pad: int, room: tuple[float, float]) -> int:
    """How many columns lay ``count`` maps of ``cell`` (h, w) pixels, ``pad`` apart, out so
    that they are drawn as large as ``room`` (width, height) allows: a wide canvas gets a
    wide mosaic, a tall one a tall mosaic (a square mosaic fills a third of a wide one)."""
    h, w = cell
    width, height = room
    if count <= 1 or width <= 0 or height <= 0:
        return max(1, count)
    best, best_scale = 1, -1.0
    for cols in range(1, count + 1):
        rows = -(-count // cols)
        if cols > 1 and -(-count // (cols - 1)) == rows:
            continue  # a column more with as many rows only widens the empty last row
        mosaic_w, mosaic_h = cols * (w + pad) - pad, rows * (h + pad) - pad
        scale = min(width / mosaic_w, height / mosaic_h)
        if scale > best_scale * 1.0001:
            best, best_scale = cols, scale
    return best


class FeatureGridView(ZoomImageView):
    """Shows :attr:`grid` (a :class:`~cnnviz.core.probe.render.Grid`) for layer :attr:`layer`."""

    unit_clicked = Signal(int, int, int)  # channel, row, col

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layer: str | None = None
        self.act = None
        self.grid = None
        self.unit: tuple[int, int, int] | None = None
        self.hover_text = ""
        self.placeholder = "Drop a photo on the panel to see what every layer makes of it."
        self._lut = _lut()
        self._padding = (40, 44, 52)
        self._order, self._shared = "index", False
        self.clicked.connect(self._clicked)
        self.hovered.connect(self._hovered)

    def set_padding_color(self, color: str) -> None:
        c = pg.mkColor(color)
        self._padding = (c.red(), c.green(), c.blue())
        if self.grid is not None:
            self._draw(keep_view=True)

    def show_layer(self, layer: str, act, order: str = "index", shared_scale: bool = False) -> None:
        """Draw the (C, H, W) activation ``act`` of ``layer``, channels in ``order``
        ("index" or "mean", strongest first)."""
        from cnnviz.core.probe import feature_grid

        same_layer = layer == self.layer
        self.layer, self.act = layer, act
        self._order, self._shared = order, shared_scale
        self.grid = feature_grid(act, order=order, cols=self._columns(), pad=self._pad(),
                                 shared_scale=shared_scale)
        self.unit = None
        self._draw(keep_view=same_layer)

    def _pad(self) -> int:
        return 1 if min(self.act.shape[1:]) < 16 else 2

    def _columns(self) -> int:
        """The column count that draws the maps largest in the viewport as it is now."""
        vp = self.viewport().size()
        return best_columns(int(self.act.shape[0]), tuple(self.act.shape[1:]), self._pad(),
                            (vp.width(), vp.height()))

    def resizeEvent(self, event) -> None:
        # While the view fits the maps (the user has not zoomed), the mosaic is laid out
        # again for the new shape of the canvas, keeping the clicked unit.
        if self.grid is not None and self._auto_fit and self._columns() != self.grid.cols:
            from cnnviz.core.probe import feature_grid

            self.grid = feature_grid(self.act, order=self._order, cols=self._columns(),
                                     pad=self._pad(), shared_scale=self._shared)
            self._draw(keep_view=True)
        super().resizeEvent(event)

    def clear(self) -> None:
        self.layer = self.act = self.grid = self.unit = None
        self.set_array(None)

    def _draw(self, keep_view: bool) -> None:
        rgb = paint_gaps(np.take(self._lut, self.grid.image, axis=0), self.grid, self._padding)
        self.set_array(rgb, keep_view=keep_view)
        self._mark()

    def cell_origin(self, index: int) -> tuple[int, int]:
        """Top-left mosaic pixel (x, y) of the ``index``-th cell in the current order."""
        r, c = divmod(index, self.grid.cols)
        h, w = self.grid.cell
        return c * (w + self.grid.pad), r * (h + self.grid.pad)

    def pixel_of(self, channel: int, row: int, col: int) -> tuple[float, float]:
        """Centre of unit (row, col) of ``channel`` in mosaic pixels."""
        x0, y0 = self.cell_origin(self.grid.order.index(channel))
        return x0 + col + 0.5, y0 + row + 0.5

    def select_unit(self, channel: int, row: int, col: int) -> None:
        self.unit = (channel, row, col)
        self._mark()
        self.unit_clicked.emit(channel, row, col)

    def _mark(self) -> None:
        if self.unit is None or self.grid is None or self.unit[0] not in self.grid.order:
            self.set_marker(None)
            return
        channel, row, col = self.unit
        x0, y0 = self.cell_origin(self.grid.order.index(channel))
        self.set_marker(QRectF(x0 + col, y0 + row, 1, 1))

    def drawForeground(self, painter, rect) -> None:
        super().drawForeground(painter, rect)
        if self.grid is not None or not self.placeholder:
            return
        # Drawn in view coordinates, so the sentence keeps its size whatever the zoom.
        painter.save()
        painter.resetTransform()
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.restore()

    def _clicked(self, x: float, y: float) -> None:
        if self.grid is None:
            return
        hit = self.grid.cell_at(x, y)
        if hit is not None:
            self.select_unit(*hit)

    def _hovered(self, x: float, y: float) -> None:
        hit = self.grid.cell_at(x, y) if self.grid is not None else None
        if hit is None:
            self.hover_text = ""
        else:
            channel, row, col = hit
            value = float(self.act[channel, row, col])
            dead = " · dead: zero everywhere" if not bool(self.act[channel].any()) else ""
            self.hover_text = f"channel {channel} · unit ({row}, {col}) · {value:.3g}{dead}"
        self.viewport().setToolTip(self.hover_text)
