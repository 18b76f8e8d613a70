"""Where the parameters and the multiply-adds live: one horizontal bar per block or layer.

The bars are the units the graph shows by default (a collapsed block counts as one), so a
VGG-16 shows its first fully-connected layer towering over the convolutions, and a ResNet-152
shows each bottleneck.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.graph_scene import inside
from cnnviz.ui.theme import theme_manager


def chart_units(report, collapsed) -> list[tuple[str, str, str, int, int]]:
    """(key, label, kind, params, macs) per unit, in execution order; a collapsed block is one
    unit (its outermost collapsed ancestor), every other layer is its own."""
    blocks = {b.path: b for b in report.root.walk()}
    outer = sorted((c for c in collapsed if c in blocks), key=len)
    units: dict[str, tuple[str, str, str, int, int]] = {}
    for layer in report.layers:
        owner = next((c for c in outer if c and inside(layer.block, c)), None)
        if owner is not None:
            if owner not in units:
                b = blocks[owner]
                units[owner] = (owner, owner, "block", b.params, b.macs)
        else:
            units[layer.id] = (layer.id, layer.name or layer.id, layer.kind, layer.params, layer.macs)
    return list(units.values())


class BarChart(QWidget):
    """One quantity ("params" or "macs") as horizontal bars, biggest one called out."""

    bar_clicked = Signal(str)

    def __init__(self, title: str, what: str, parent=None) -> None:
        super().__init__(parent)
        self.what = what  # "params" or "macs"
        self.keys: list[str] = []
        self.values: list[int] = []
        self.labels: list[str] = []
        self.heading = QLabel(title.upper())
        self.heading.setProperty("role", "heading")
        self.callout = QLabel()
        self.callout.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=True)
        self.plot.hideButtons()
        self.plot.invertY(True)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.72, width=[])
        self.plot.addItem(self.bars)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.callout)
        layout.addWidget(self.plot, 1)

    def set_units(self, units, total: int) -> None:
        index = 3 if self.what == "params" else 4
        shown = [u for u in units if u[index] > 0]
        self.keys = [u[0] for u in shown]
        self.labels = [u[1] for u in shown]
        self.values = [u[index] for u in shown]
        self.kinds = [u[2] for u in shown]
        top = max(self.values, default=0)
        scale, unit = (1e9, "billions") if top >= 5e9 else (1e6, "millions") if top >= 5e5 else (1e3, "thousands")
        self.scale = scale
        pal = theme_manager().palette
        brushes = [pg.mkBrush(pal.kind_colors(k)[1]) for k in self.kinds]
        self.bars.setOpts(x0=[0] * len(self.values), y=list(range(len(self.values))),
                          width=[v / scale for v in self.values], height=0.72,
                          brushes=brushes, pens=[pg.mkPen(None)] * len(self.values))
        noun = "parameters" if self.what == "params" else "multiply-adds"
        self.plot.getAxis("bottom").setLabel(f"{unit} of {noun}")
        left = self.plot.getAxis("left")
        step = max(1, len(self.labels) // 40)
        left.setTicks([[(i, lab) for i, lab in enumerate(self.labels) if i % step == 0], []])
        self.plot.setYRange(-0.6, max(0.6, len(self.values) - 0.4), padding=0)
        self.plot.setXRange(0, top / scale * 1.05 if top else 1, padding=0)
        if top:
            i = self.values.index(top)
            self.callout.setText(
                f"<b>{self.labels[i]}</b> holds {fmt.count(top)} {noun} — "
                f"<b>{fmt.percent(top, total)}</b> of the network's {fmt.count(total)}.")
        else:
            self.callout.setText(f"No {noun} in this network.")
        self.retheme(pal)

    def retheme(self, pal) -> None:
        self.plot.setBackground(pal.surface)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(pal.border))
            axis.setTextPen(pg.mkPen(pal.muted))
            font = QFont()
            font.setPointSizeF(8.5)
            axis.setTickFont(font)
        if getattr(self, "kinds", None):
            self.bars.setOpts(brushes=[pg.mkBrush(pal.kind_colors(k)[1]) for k in self.kinds])

    def _clicked(self, event) -> None:
        if not self.keys:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        i = round(point.y())
        if 0 <= i < len(self.keys) and 0 <= point.x() <= self.values[i] / self.scale * 1.05 + 1e-9:
            self.bar_clicked.emit(self.keys[i])


class ChartsPanel(QWidget):
    """Parameters and multiply-adds side by side for the current report."""

    unit_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.params_chart = BarChart("Where the parameters live", "params")
        self.macs_chart = BarChart("Where the multiply-adds happen", "macs")
        for chart in (self.params_chart, self.macs_chart):
            chart.bar_clicked.connect(self.unit_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(18, 14, 18, 14)
        row.setSpacing(22)
        row.addWidget(self.params_chart)
        row.addWidget(self.macs_chart)
        theme_manager().changed.connect(self._retheme)

    def set_report(self, report, collapsed) -> None:
        units = chart_units(report, collapsed)
        self.params_chart.set_units(units, report.totals.params)
        self.macs_chart.set_units(units, report.totals.macs)

    def _retheme(self, pal) -> None:
        self.params_chart.retheme(pal)
        self.macs_chart.retheme(pal)
