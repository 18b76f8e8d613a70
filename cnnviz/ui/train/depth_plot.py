"""Gradient norm against depth for one model: the current step and a fading trail.

The x axis is the layer's position from the input (1) to the output (L); the y axis is the
gradient's L2 norm on a log scale.  A plain network's curve falls towards the left (the
gradient fades on its way back); a residual one stays level.  The trail shows earlier steps,
spread over the run so far, fainter the older they are, so the student sees the profile move.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.series import ModelSeries

TRAIL = 6


def positive(values: np.ndarray) -> np.ndarray:
    """Values a log axis can show: zero, negative and infinite become gaps (NaN)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def trail_rows(count: int, trail: int = TRAIL) -> list[int]:
    """Rows of earlier steps to draw behind the last one, oldest first, evenly spread."""
    if count < 2:
        return []
    gap = max(1, (count - 1) // trail)
    rows = [count - 1 - gap * i for i in range(trail, 0, -1)]
    return [r for r in rows if r >= 0]


class DepthPlot(pg.PlotWidget):
    """One model's gradient-norm profile; call :meth:`refresh` from the plot timer."""

    def __init__(self, pal, parent=None) -> None:
        super().__init__(parent, background=pal.surface, **style.plot_options(log_y=True))
        self.hideButtons()
        item = self.getPlotItem()
        item.setLogMode(x=False, y=True)
        # Long forms where the panel is wide, short ones where it is not (a small window
        # with the setup beside the plots).
        style.bottom_label(item, "layer (input → output)", "layer")
        item.setLabel("left", "norm")  # the title says which: "Gradient norm across depth"
        style.titled(item, "Gradient norm across depth", "Norm across depth")
        self.series: ModelSeries | None = None
        self.color = QColor(pal.accent)
        self.surface = QColor(pal.surface)
        self.trail = [item.plot([], [], connect="finite") for _ in range(TRAIL)]
        self.current = item.plot([], [], connect="finite", symbol="o", symbolSize=5)
        self.hover = style.Hover(self, self._describe)
        self.retheme(pal)
        self.setMinimumHeight(style.minimum_plot_height(self))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # pyqtgraph calls this itself, without an event, while it builds the widget.
        if event is not None and hasattr(self, "hover"):
            style.fit_words(self)

    def set_series(self, series: ModelSeries, color: QColor) -> None:
        """Follow ``series`` (the run view sets the axes' ranges, shared by every model)."""
        self.series = series
        self.color = QColor(color)
        self._pens()
        self.refresh()

    def _pens(self) -> None:
        for i, curve in enumerate(self.trail):
            # Faded by mixing with the background rather than by transparency: the same
            # colour on screen, but an opaque line is several times cheaper to draw, and
            # this plot is redrawn at every step.
            alpha = (30 + 110 * (i + 1) / TRAIL) / 255
            curve.setPen(style.pen(style.mix(self.color, self.surface, alpha), 1.2))
        self.current.setPen(style.pen(self.color, 2.4))
        self.current.setSymbolBrush(pg.mkBrush(self.color))
        self.current.setSymbolPen(pg.mkPen(self.color))

    def retheme(self, pal) -> None:
        self.surface = QColor(pal.surface)
        self.setBackground(pal.surface)
        style.style_plot(self.getPlotItem(), pal)
        self._pens()

    def refresh(self) -> None:
        series = self.series
        if series is None or not len(series):
            for curve in (*self.trail, self.current):
                curve.setData([], [])
            return
        grads = series.grads.view
        x = np.arange(1, series.depth + 1, dtype=np.float64)
        rows = trail_rows(len(grads))
        for curve, row in zip(self.trail[TRAIL - len(rows):], rows):
            curve.setData(x, positive(grads[row]))
        for curve in self.trail[: TRAIL - len(rows)]:
            curve.setData([], [])
        self.current.setData(x, positive(grads[-1]))

    def current_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(layer positions, norms) of the curve drawn for the latest step."""
        x, y = self.current.getOriginalDataset()
        return (np.asarray(x) if x is not None else np.empty(0),
                np.asarray(y) if y is not None else np.empty(0))

    def _describe(self, x: float, _y: float) -> str | None:
        series = self.series
        if series is None or not len(series):
            return None
        index = int(round(x)) - 1
        if not 0 <= index < series.depth:
            return None
        value = float(series.grads.view[-1][index])
        step = int(series.grad_steps.view[-1])
        frozen = " (frozen)" if series.frozen[index] else ""
        return (f"{series.layer_names[index]}{frozen} — layer {index + 1} of {series.depth}\n"
                f"gradient norm at step {step}: {style.format_norm(value)}")


def link(plots: list[pg.PlotWidget]) -> None:
    """Share both axes of ``plots`` so equal heights mean equal norms in every panel."""
    for other in plots[1:]:
        other.setXLink(plots[0])
        other.setYLink(plots[0])

