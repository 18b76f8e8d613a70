"""One model's column: its name and standing, a stop sentence if it stopped, and its plots."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
)

from cnnviz.ui.train.depth_plot import DepthPlot
from cnnviz.ui.train.heatmap import HeatMap
from cnnviz.ui.train.ratio_words import (
    NO_GRADIENT, comparison, header_short, header_text, ratio_said,
)
from cnnviz.ui.train.series import ModelSeries
from cnnviz.ui.train.shortened import ShortenedLabel
from cnnviz.ui.widgets import icons


RATIO_TIP = ("The first layer's gradient norm divided by the last layer's (median of the last "
             "10 logged steps): far below 1 means the gradient fades on its way back to the "
             "input")


class ModelPanel(QFrame):
    """A card for one model of the run; :meth:`show_series` says which, :meth:`refresh`
    follows it.

    ``depth_plot`` and ``heat_map`` may come built already (building them is most of a
    panel's cost, see :mod:`cnnviz.ui.train.panel_pool`); they are made here otherwise.
    """

    def __init__(self, pal, color: QColor, depth_plot: DepthPlot | None = None,
                 heat_map: HeatMap | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.series: ModelSeries | None = None
        self.color = QColor(color)
        self.chip = QLabel()
        self.chip.setFixedSize(12, 12)
        self.label = ""
        self._shown = -1
        # Placeholders as tall as the real texts: a panel laid out ahead of its first run
        # keeps its geometry (and its plots their painted caches) when the run arrives.
        self.title = QLabel("Model")
        self.title.setStyleSheet("font-weight: 650; font-size: 14px;")
        self.subtitle = QLabel("layers")
        self.subtitle.setProperty("role", "muted")
        # The first/last ratio is the lesson: it has the header's right-hand top line to
        # itself, and the step and loss go under it, so a narrow card (two models side by
        # side at 1280 pixels) cuts neither.  Numbers change every step; labels that resized
        # with them would re-lay out the plots below on every step.
        self.ratio = ShortenedLabel(Qt.TextElideMode.ElideLeft)
        self.ratio.setStyleSheet("font-weight: 650;")
        self.ratio.setToolTip(RATIO_TIP)
        self.metrics = ShortenedLabel(Qt.TextElideMode.ElideRight)
        self.metrics.setProperty("role", "muted")
        for label in (self.ratio, self.metrics):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.ratio.set_forms(header_text(math.nan))
        self.metrics.set_forms("Waiting for the first step")
        self.stop_box = QFrame(objectName="Banner")
        self.stop_icon = QLabel()
        self.stop_text = QLabel(wordWrap=True)
        self.stop_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        stop_row = QHBoxLayout(self.stop_box)
        stop_row.setContentsMargins(10, 6, 10, 6)
        stop_row.addWidget(self.stop_icon, 0, Qt.AlignmentFlag.AlignTop)
        stop_row.addWidget(self.stop_text, 1)
        self.stop_box.hide()
        self.depth_plot = depth_plot if depth_plot is not None else DepthPlot(pal)
        self.heat_map = heat_map if heat_map is not None else HeatMap(pal)

        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.chip)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        head.addLayout(names)
        numbers = QVBoxLayout()
        numbers.setSpacing(0)
        numbers.addWidget(self.ratio)
        numbers.addWidget(self.metrics)
        head.addLayout(numbers, 1)
        self.plots = QSplitter(Qt.Orientation.Vertical)
        self.plots.addWidget(self.depth_plot)
        self.plots.addWidget(self.heat_map)
        self.plots.setChildrenCollapsible(False)
        # Each plot's minimum height is its own (its title, axis labels and some data).
        for index in range(2):
            self.plots.setStretchFactor(index, 1)
        # Half each, whatever the plots' size hints said when the panel was built ahead.
        self.plots.setSizes([1000, 1000])
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 8, 12, 8)
        col.setSpacing(6)
        col.addLayout(head)
        col.addWidget(self.stop_box)
        col.addWidget(self.plots, 1)
        self.retheme(pal, color)

    def show_series(self, series: ModelSeries, label: str = "") -> None:
        """Follow ``series`` from now on (a new run reuses the panel and its plots: building
        plot widgets is the slowest thing the window does when a run starts)."""
        self.series = series
        self.label = label or series.display_name
        self.title.setText(self.label)
        self._shown = -1
        self.depth_plot.set_series(series, self.color)
        self.heat_map.set_series(series)
        self.refresh_header()

    def retheme(self, pal, color: QColor) -> None:
        self.color = QColor(color)
        self.chip.setStyleSheet(f"background: {self.color.name()}; border-radius: 6px;")
        self.stop_icon.setPixmap(icons.pixmap("warning", pal.danger, 16))
        self.depth_plot.color = self.color
        self.depth_plot.retheme(pal)
        self.heat_map.retheme(pal)

    def refresh(self) -> None:
        """Header, depth plot and heat map together."""
        self.refresh_header()
        self.refresh_depth()
        self.heat_map.refresh()

    def refresh_depth(self) -> None:
        if self.series is not None and len(self.series) != self._shown:
            self._shown = len(self.series)
            self.depth_plot.refresh()

    def refresh_header(self) -> None:
        series = self.series
        if series is None:
            return
        frozen = sum(series.frozen)
        self.subtitle.setText(f"{series.depth} layers" + (f", {frozen} frozen" if frozen else ""))
        if len(series):
            loss = series.loss.view[-1] if series.loss.size else math.nan
            parts = [f"Step {int(series.grad_steps.view[-1]):,}"]
            if math.isfinite(loss):
                parts.append(f"loss {loss:.3f}")
            ratio = series.ratio()
            self.ratio.set_forms(header_text(ratio), header_short(ratio))
            self.ratio.setToolTip(_ratio_tip(ratio))
            self.metrics.set_forms("  ·  ".join(parts), parts[0])
        else:
            self.ratio.set_forms(header_text(math.nan))
            self.ratio.setToolTip(RATIO_TIP)
            self.metrics.set_forms("Waiting for the first step")
        if series.stopped:
            self.stop_text.setText(series.stopped)
            self.stop_box.show()
        else:
            self.stop_box.hide()


def _ratio_tip(ratio: float) -> str:
    """The header's tooltip: what the ratio says in words and as measured, then what it is."""
    if ratio == 0:
        return (f"{NO_GRADIENT[0].upper()}{NO_GRADIENT[1:]}: its gradient norm is 0, too "
                f"small for the computer's numbers.\n{RATIO_TIP}")
    if not math.isfinite(ratio) or ratio < 0:
        return RATIO_TIP
    return f"The first layer's gradient is {comparison(ratio)}: {ratio_said(ratio)}.\n" \
        f"{RATIO_TIP}"
