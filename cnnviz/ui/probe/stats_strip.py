"""A strip of per-layer activation statistics that makes dying units and saturation visible.

Upper plot: each layer's mean activation.  Lower plot, three bars per layer: the share of
exact zeros (ReLU outputs switched off), the share of dead channels (zero everywhere for
this image) and the share of saturated values (tanh/sigmoid pinned near a bound).  Layers
run left to right in forward order; the selected one is shaded, and clicking a layer's bars
selects it (``layer_clicked(name)``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnviz.ui.probe.flow import FlowLayout
from cnnviz.ui.theme import Palette

# (attribute, legend text, light colour, dark colour); orange/red/purple stay apart for the
# common colour-vision deficiencies, and each also differs in position within the group.
SERIES = (
    ("zero", "zeros after ReLU", "#e8590c", "#ff922b"),
    ("dead", "dead channels", "#c92a2a", "#ff6b6b"),
    ("saturated", "saturated", "#7048e8", "#b197fc"),
)
_WIDTH = 0.26
PLOT_LEAST = 44  # each plot's least height: its bars and one tick label stay readable


def _short(value: float) -> str:
    """A tick label of at most five characters ("-0.02", "0.31", "1.2e+03" aside)."""
    if value == 0:
        return "0"
    return f"{value:.2g}" if abs(value) >= 0.1 else f"{value:.1g}"


def mean_ticks(means: np.ndarray) -> list[tuple[float, str]]:
    """The labelled values of the short mean plot: zero and the extremes only, or the numbers
    collide; an extreme close to zero would print on top of the zero label, so zero wins."""
    lo = min(0.0, float(means.min())) if len(means) else 0.0
    hi = max(0.0, float(means.max())) if len(means) else 0.0
    near = 0.2 * (hi - lo)
    return [(v, _short(v)) for v in sorted({lo, 0.0, hi}) if v == 0 or abs(v) > near]


def _plot(pal: Palette) -> pg.PlotWidget:
    widget = pg.PlotWidget(background=pal.surface)
    widget.hideButtons()
    item = widget.getPlotItem()
    item.setMenuEnabled(False)
    item.setMouseEnabled(x=False, y=False)
    item.getAxis("bottom").setStyle(showValues=False)
    item.getAxis("left").setWidth(54)  # room for "-0.019" beside the axis title
    item.getAxis("left").enableAutoSIPrefix(False)
    return widget


class LayerStatsStrip(QWidget):
    """Call :meth:`set_stats` with ``[(layer, LayerStats), ...]`` and :meth:`select`."""

    layer_clicked = Signal(str)

    def __init__(self, pal: Palette, parent=None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.values: dict[str, np.ndarray] = {}
        self.hover_text = ""
        # One label per series, so a narrow strip wraps the legend instead of clipping it.
        self.legend = QWidget()
        self.swatches = [QLabel() for _ in range(len(SERIES) + 1)]
        self.hint = QLabel()
        self.hint.setProperty("role", "muted")
        self.mean_plot = _plot(pal)
        self.share_plot = _plot(pal)
        self.mean_plot.setXLink(self.share_plot)
        self.mean_plot.setMaximumHeight(70)
        for plot in (self.mean_plot, self.share_plot):
            plot.setMinimumHeight(PLOT_LEAST)
        self.mean_plot.getPlotItem().setLabel("left", "mean")
        self.share_plot.getPlotItem().setLabel("left", "share")
        self.share_plot.setYRange(0, 1, padding=0.02)
        # Three fixed ticks: the strip may be short beside the maps, and 0.2 steps collide.
        self.share_plot.getPlotItem().getAxis("left").setTicks(
            [[(0.0, "0"), (0.5, "0.5"), (1.0, "1")], []])
        self.mean_bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.mean_plot.addItem(self.mean_bars)
        self.bars = {key: pg.BarGraphItem(x=[], height=[], width=_WIDTH) for key, *_ in SERIES}
        for bar in self.bars.values():
            self.share_plot.addItem(bar)
        self.highlights = [pg.LinearRegionItem(movable=False) for _ in range(2)]
        for plot, region in zip((self.mean_plot, self.share_plot), self.highlights):
            region.setZValue(-10)
            region.hide()
            plot.addItem(region)
        for plot in (self.mean_plot, self.share_plot):
            plot.scene().sigMouseClicked.connect(lambda ev, p=plot: self._clicked(p, ev))
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._moved(p, pos))
        top = FlowLayout(self.legend, spacing=14, row_spacing=2, last_right=True)
        top.setContentsMargins(4, 0, 4, 0)
        for swatch in self.swatches:
            top.addWidget(swatch)
        top.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.legend)
        layout.addWidget(self.mean_plot, 1)
        layout.addWidget(self.share_plot, 1)
        self.apply_palette(pal)
        self._fit_minimum()

    def _fit_minimum(self) -> None:
        """Claim the height the legend needs at this width (it wraps when narrow) and the
        least of both plots, so that a short strip never draws its plots over its legend."""
        layout = self.layout()
        legend = self.legend.heightForWidth(self.width()) if self.legend.isVisibleTo(self) else 0
        need = max(0, legend) + 2 * PLOT_LEAST + 2 * layout.spacing()
        if need != self.minimumHeight():
            self.setMinimumHeight(need)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_minimum()

    def apply_palette(self, pal: Palette) -> None:
        self._pal = pal
        dark = pal.name == "dark"
        for plot in (self.mean_plot, self.share_plot):
            plot.setBackground(pal.surface)
            item = plot.getPlotItem()
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(pal.border))
                axis.setTextPen(pg.mkPen(pal.muted))
            item.showGrid(y=True, alpha=0.15)
        self.mean_bars.setOpts(brush=pg.mkBrush(pal.accent), pen=pg.mkPen(None))
        entries = [(pal.accent, "mean activation")]
        for key, text, light, dark_colour in SERIES:
            colour = dark_colour if dark else light
            self.bars[key].setOpts(brush=pg.mkBrush(colour), pen=pg.mkPen(None))
            entries.append((colour, text))
        for swatch, (colour, text) in zip(self.swatches, entries):
            swatch.setText(f'<span style="color:{colour}">■</span>&nbsp;'
                           f'<span style="color:{pal.muted}">{text}</span>')
        soft = pg.mkColor(pal.accent)
        soft.setAlpha(45 if pal.name == "light" else 80)
        for region in self.highlights:
            region.setBrush(pg.mkBrush(soft))
            for line in region.lines:
                line.setPen(pg.mkPen(None))

    def set_stats(self, rows: list) -> None:
        """``rows`` are LayerStats in forward order (only layers with feature maps)."""
        self.names = [s.name for s in rows]
        n = len(rows)
        x = np.arange(n, dtype=float)
        self.values = {
            "mean": np.array([s.mean for s in rows], dtype=float),
            "zero": np.array([s.zero_fraction for s in rows], dtype=float),
            "dead": np.array([s.dead_channels / max(1, s.channels) for s in rows], dtype=float),
            "saturated": np.array([s.saturated_fraction for s in rows], dtype=float),
        }
        self.mean_bars.setOpts(x=x, height=self.values["mean"], width=0.7)
        ticks = mean_ticks(self.values["mean"])
        self.mean_plot.getPlotItem().getAxis("left").setTicks([ticks, []])
        for i, (key, *_rest) in enumerate(SERIES):
            self.bars[key].setOpts(x=x + (i - 1) * _WIDTH, height=self.values[key], width=_WIDTH)
        for plot in (self.mean_plot, self.share_plot):
            plot.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        dead = sum(1 for s in rows if s.dead_channels)
        self.hint.setText(f"{n} layers · {dead} with dead channels" if n else "")
        for plot in (self.mean_plot, self.share_plot):
            plot.setVisible(bool(n))
        self.legend.setVisible(bool(n))
        self._fit_minimum()
        if not n:
            for region in self.highlights:
                region.hide()

    def select(self, name: str | None) -> None:
        if name not in self.names:
            for region in self.highlights:
                region.hide()
            return
        i = self.names.index(name)
        for region in self.highlights:
            region.setRegion((i - 0.5, i + 0.5))
            region.show()

    def index_at(self, plot: pg.PlotWidget, scene_pos) -> int | None:
        vb = plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        i = int(round(vb.mapSceneToView(scene_pos).x()))
        return i if 0 <= i < len(self.names) else None

    def describe(self, i: int) -> str:
        v = self.values
        return (f"{self.names[i]}\nmean {v['mean'][i]:.3g} · zeros {v['zero'][i]:.0%} · "
                f"dead channels {v['dead'][i]:.0%} · saturated {v['saturated'][i]:.0%}")

    def _clicked(self, plot: pg.PlotWidget, event) -> None:
        i = self.index_at(plot, event.scenePos())
        if i is not None:
            self.layer_clicked.emit(self.names[i])

    def _moved(self, plot: pg.PlotWidget, pos) -> None:
        i = self.index_at(plot, pos)
        self.hover_text = self.describe(i) if i is not None else ""
        plot.setToolTip(self.hover_text)
