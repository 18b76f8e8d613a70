"""A layer-by-step heat map of one model's gradient norms (log colour scale).

Columns are logged steps (left to right), rows are layers (input at the bottom, output at
the top); the colour is log10 of the gradient norm, with the same levels in every model's
map so one colour means one value across panels.  Frozen layers are left blank.  Before the
first step the layer axis already spans the model's layers and a line says what will come.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetrics

from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.heat_columns import HeatColumns
from cnnviz.ui.train.log_axis import log_label, plain_decade
from cnnviz.ui.train.series import ModelSeries


def _power_labels(values, _scale, _spacing) -> list[str]:
    """The colour bar's tick labels: the norms its log10 values stand for, in one style as
    a log axis writes them ("0.01" and "1", or "10⁻⁸" and "10⁰")."""
    powers = any(not plain_decade(v) for v in values)
    return [log_label(v, powers=powers) for v in values]


def _bar_ticks(axis: pg.AxisItem, low: float, high: float, size: float) -> list:
    """The colour bar's ticks: whole decades a label's height apart (a short bar of eight
    decades gets "10⁰, 10⁻⁴, 10⁻⁸", not five labels on one another); a bar under two
    decades gets pyqtgraph's finer steps."""
    if high - low < 2 or size <= 0:
        return pg.AxisItem.tickValues(axis, low, high, size)
    room = (QFontMetrics(axis.style["tickFont"] or QFont()).height() + 2) * (high - low) / size
    step = max(1, math.ceil(room - 1e-9))
    return [(float(step), [float(d) for d in range(math.floor(high), math.ceil(low) - 1, -step)])]


def color_bar() -> pg.ColorBarItem:
    """The colour scale beside a heat map (log10 norms).  A plot of its own inside the
    map's, as costly to build as the map's plot; :class:`HeatMap` takes one built ahead."""
    return pg.ColorBarItem(values=(-4, 0), colorMap=style.HEATMAP_COLORMAP, interactive=False,
                           width=12, colorMapMenu=False)


class HeatMap(pg.PlotWidget):
    """One model's heat map; call :meth:`refresh` from the plot timer.

    ``bar`` is its colour scale when built ahead (see :func:`color_bar`)."""

    def __init__(self, pal, bar: pg.ColorBarItem | None = None, parent=None) -> None:
        super().__init__(parent, background=pal.surface, **style.plot_options())
        self.hideButtons()
        item = self.getPlotItem()
        item.setLabel("bottom", "step")
        item.setLabel("left", "layer")
        style.titled(item, "Gradient norm by layer and step", "Norm by layer and step")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setNanPolicy("omit")
        self.image.setColorMap(pg.colormap.get(style.HEATMAP_COLORMAP))
        item.addItem(self.image)
        self.bar = bar if bar is not None else color_bar()
        # A list: given one item, pyqtgraph tries iter() on it first, and the TypeError makes
        # PySide build a help text, importing modules lazily; while a worker imports torch
        # that waits on the import lock, and the window froze for seconds.
        self.bar.setImageItem([self.image], insert_in=item)
        style.cache_axis(self.bar.axis)
        # The bar reads log10 values, labelled as the powers of ten they stand for ("10⁻⁴"),
        # as the depth plot's axis is: the bar's title can then be a short "norm".
        self.bar.axis.enableAutoSIPrefix(False)
        self.bar.axis.tickStrings = _power_labels
        self.bar.axis.tickValues = partial(_bar_ticks, self.bar.axis)
        style.fixed_text_space(self.bar.axis, "10⁻¹⁰")
        self.series: ModelSeries | None = None
        self.columns = HeatColumns(0)
        self.total_steps = 0
        self._levels: tuple[float, float] | None = None
        self.hover = style.Hover(self, self._describe)
        #: Shown over the empty map until the first step arrives.
        self.empty_text = pg.TextItem("Fills in from the first step", anchor=(0.5, 0.5))
        item.addItem(self.empty_text, ignoreBounds=True)
        self.empty_text.hide()
        item.vb.sigRangeChanged.connect(self._centre_empty_text)
        self.retheme(pal)
        # A short map drops its title (its axes say what it shows) before its data shrink.
        self.titled_height = style.minimum_plot_height(self, self.bar.axis)
        style.show_title(item, False)
        self.setMinimumHeight(style.minimum_plot_height(self, self.bar.axis))
        style.show_title(item, True)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # pyqtgraph calls this itself, without an event, while it builds the widget.
        if event is not None and hasattr(self, "titled_height"):
            style.show_title(self.getPlotItem(), event.size().height() >= self.titled_height)
        super().resizeEvent(event)
        if event is not None and hasattr(self, "titled_height"):
            style.fit_words(self)  # and a narrow one shortens its title, or drops it

    def title_shown(self) -> bool:
        return self.getPlotItem().titleLabel.isVisible()

    def set_series(self, series: ModelSeries, total_steps: int = 0) -> None:
        """Show ``series``; ``total_steps`` (the run's planned last step, 0 when unknown)
        lets the map lay out its columns once for the whole run."""
        self.series = series
        self.total_steps = total_steps
        self.columns = HeatColumns(series.depth)
        self.image.clear()
        # The layer axis spans the model's layers from the start (not pyqtgraph's -0.5..0.5).
        self.getPlotItem().setYRange(0, max(1, series.depth), padding=0)
        self.refresh()

    def retheme(self, pal) -> None:
        self.setBackground(pal.surface)
        style.style_plot(self.getPlotItem(), pal)
        self.getPlotItem().showGrid(x=False, y=False)
        self.bar.axis.setPen(pg.mkPen(pal.border))
        self.bar.axis.setTextPen(pg.mkPen(pal.muted))
        self.bar.axis.setLabel("norm", color=pal.muted)
        self.empty_text.setColor(pal.muted)

    def set_levels(self, levels: tuple[float, float] | None) -> None:
        """Colour levels (log10 norms), shared by every model's map."""
        if levels is not None and levels != self._levels:
            self._levels = levels
            self.bar.setLevels(levels)

    def refresh(self) -> None:
        """Draw the steps logged since the last call (only their columns change)."""
        series = self.series
        if series is None:
            return
        if not len(series):
            if self.image.image is not None:
                self.columns = HeatColumns(series.depth)
                self.image.clear()
            if not self.empty_text.isVisible():
                self.empty_text.show()
                self._centre_empty_text()
            return
        if self.empty_text.isVisible():
            self.empty_text.hide()
        relaid = self.columns.update(series, self.total_steps)
        if relaid or self.image.image is None:
            self.image.setImage(self.columns.image, autoLevels=False, levels=self.bar.levels())
            self.image.setRect(QRectF(*self.columns.rect))
            self.getPlotItem().setYRange(0, series.depth, padding=0)
        else:
            # Same array and shape: pyqtgraph re-maps the colours without re-laying out
            # the plot (handing the array again makes it look afresh for blank columns).
            self.image.setImage(self.columns.image, autoLevels=False)

    def _centre_empty_text(self, *_args) -> None:
        if self.empty_text.isVisible():
            (left, right), (bottom, top) = self.getPlotItem().vb.viewRange()
            self.empty_text.setPos((left + right) / 2, (bottom + top) / 2)

    def image_data(self) -> np.ndarray | None:
        """The drawn part of the image, (layers, columns up to the latest step's)."""
        if self.image.image is None:
            return None
        filled = np.flatnonzero(np.isfinite(self.columns.column_steps))
        return self.columns.image[:, : filled[-1] + 1 if len(filled) else 0]

    def _describe(self, x: float, y: float) -> str | None:
        series = self.series
        if series is None or not len(series):
            return None
        layer = int(np.floor(y))
        column = self.columns.column_of(x)
        if not 0 <= layer < series.depth or column is None:
            return None
        step = self.columns.column_steps[column]
        if not np.isfinite(step):
            return None
        row = min(int(np.searchsorted(series.grad_steps.view, step)), len(series) - 1)
        value = float(series.grads.view[row][layer])
        return (f"step {int(step)} · {series.layer_names[layer]} (layer {layer + 1})\n"
                f"gradient norm: {style.format_norm(value)}")
