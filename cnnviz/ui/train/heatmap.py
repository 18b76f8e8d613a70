"""A layer-by-step heat map of one model's gradient norms (log colour scale).

Columns are logged steps (left to right), rows are layers (input at the bottom, output at
the top); the colour is log10 of the gradient norm, with the same levels in every model's
map so one colour means one value across panels.  Frozen layers are left blank.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.depth_plot import positive
from cnnviz.ui.train.series import ModelSeries

# Beyond this many columns the image keeps every k-th step: a screen has no more pixels, and
# re-uploading a huge image thirty times a second would be what makes the window stutter.
MAX_COLUMNS = 1500


def heat_image(series: ModelSeries, max_columns: int = MAX_COLUMNS) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """(image (layers, columns) of log10 norms, the step of each column)."""
    grads = series.grads.view
    steps = series.grad_steps.view
    if len(grads) > max_columns:
        keep = np.linspace(0, len(grads) - 1, max_columns).round().astype(int)
        grads, steps = grads[keep], steps[keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        image = np.log10(positive(grads)).T
    return np.ascontiguousarray(image), steps


class HeatMap(pg.PlotWidget):
    """One model's heat map; call :meth:`refresh` from the plot timer."""

    def __init__(self, pal, parent=None) -> None:
        super().__init__(parent, background=pal.surface)
        self.hideButtons()
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.setLabel("bottom", "step")
        item.setLabel("left", "layer")
        style.titled(item, "Gradient norm by layer and step")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setNanPolicy("omit")
        self.image.setColorMap(pg.colormap.get(style.HEATMAP_COLORMAP))
        item.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(-4, 0), colorMap=style.HEATMAP_COLORMAP,
                                   interactive=False, width=12,
                                   colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=item)
        self.series: ModelSeries | None = None
        self.steps = np.empty(0)
        self._shown = -1
        self.hover = style.Hover(self, self._describe)
        self.retheme(pal)

    def set_series(self, series: ModelSeries) -> None:
        self.series = series
        self._shown = -1
        self.refresh()

    def retheme(self, pal) -> None:
        self.setBackground(pal.surface)
        style.style_plot(self.getPlotItem(), pal)
        self.getPlotItem().showGrid(x=False, y=False)
        self.bar.axis.setPen(pg.mkPen(pal.border))
        self.bar.axis.setTextPen(pg.mkPen(pal.muted))
        self.bar.axis.setLabel("log₁₀ norm", color=pal.muted)

    def set_levels(self, levels: tuple[float, float] | None) -> None:
        if levels is not None:
            self.bar.setLevels(levels)

    def refresh(self) -> None:
        series = self.series
        if series is None or len(series) == self._shown:
            return
        self._shown = len(series)
        if not len(series):
            self.image.clear()
            self.steps = np.empty(0)
            return
        image, steps = heat_image(series)
        self.steps = steps
        levels = self.bar.levels()
        self.image.setImage(image, autoLevels=False, levels=levels)
        first = float(steps[0])
        last = float(steps[-1])
        width = (last - first) * len(steps) / max(1, len(steps) - 1) if len(steps) > 1 else 1.0
        self.image.setRect(QRectF(first - width / len(steps) / 2, 0, width, series.depth))
        self.getPlotItem().setYRange(0, series.depth, padding=0)

    def image_data(self) -> np.ndarray | None:
        return self.image.image

    def _describe(self, x: float, y: float) -> str | None:
        series = self.series
        if series is None or not len(series) or not len(self.steps):
            return None
        layer = int(np.floor(y))
        if not 0 <= layer < series.depth:
            return None
        column = int(np.argmin(np.abs(self.steps - x)))
        step = int(self.steps[column])
        row = int(np.searchsorted(series.grad_steps.view, step))
        row = min(row, len(series) - 1)
        value = float(series.grads.view[row][layer])
        return (f"step {step} · {series.layer_names[layer]} (layer {layer + 1})\n"
                f"gradient norm: {style.format_norm(value)}")
