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
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cnnviz.ui.theme import Palette

# (attribute, legend text, light colour, dark colour); orange/red/purple stay apart for the
# common colour-vision deficiencies, and each also differs in position within the group.
SERIES = (
    ("zero", "zeros after ReLU", "#e8590c", "#ff922b"),
    ("dead", "dead channels", "#c92a2a", "#ff6b6b"),
    ("saturated", "saturated", "#7048e8", "#b197fc"),
)
_WIDTH = 0.26


def _plot(pal: Palette) -> pg.PlotWidget:
    widget = pg.PlotWidget(background=pal.surface)
    widget.hideButtons()
    item = widget.getPlotItem()
    item.setMenuEnabled(False)
    item.setMouseEnabled(x=False, y=False)
    item.getAxis("bottom").setStyle(showValues=False)
    item.getAxis("left").setWidth(46)
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
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.hint = QLabel()
        self.hint.setProperty("role", "muted")
        self.mean_plot = _plot(pal)
        self.share_plot = _plot(pal)
        self.mean_plot.setXLink(self.share_plot)
        self.mean_plot.setMaximumHeight(70)
        self.mean_plot.getPlotItem().setLabel("left", "mean")
        self.share_plot.getPlotItem().setLabel("left", "share")
        self.share_plot.setYRange(0, 1, padding=0.02)
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
        top = QHBoxLayout()
        top.setContentsMargins(4, 0, 4, 0)
        top.addWidget(self.legend)
        top.addStretch(1)
        top.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.mean_plot)
        layout.addWidget(self.share_plot, 1)
        self.apply_palette(pal)

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
        swatches = []
        for key, text, light, dark_colour in SERIES:
            colour = dark_colour if dark else light
            self.bars[key].setOpts(brush=pg.mkBrush(colour), pen=pg.mkPen(None))
            swatches.append(f'<span style="color:{colour}">■</span>&nbsp;{text}')
        swatches.insert(0, f'<span style="color:{pal.accent}">■</span>&nbsp;mean activation')
        self.legend.setText(f'<span style="color:{pal.muted}">' + " &nbsp;&nbsp; ".join(swatches)
                            + "</span>")
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
        # The mean plot is short: label only zero and the extremes, or the numbers collide.
        means = self.values["mean"]
        lo, hi = (min(0.0, float(means.min())), max(0.0, float(means.max()))) if n else (0.0, 0.0)
        ticks = [(v, f"{v:.2g}") for v in sorted({lo, 0.0, hi})]
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
