"""Plots over training steps, every model overlaid in its colour: chosen layers' gradient
norms, loss and accuracy (validation at epoch ends as dots)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.depth_plot import positive
from cnnviz.ui.train.series import ModelSeries, RunSeries


@dataclass(frozen=True)
class DepthChoice:
    """A layer picked by its relative depth, so the same choice fits models of any depth."""

    key: str
    label: str
    fraction: float
    style: Qt.PenStyle

    def index(self, depth: int) -> int:
        return int(round(self.fraction * (depth - 1))) if depth else 0


DEPTH_CHOICES = (
    DepthChoice("first", "First layer", 0.0, Qt.PenStyle.DashLine),
    DepthChoice("quarter", "Layer at ¼ depth", 0.25, Qt.PenStyle.DashDotLine),
    DepthChoice("middle", "Middle layer", 0.5, Qt.PenStyle.DotLine),
    DepthChoice("three_quarters", "Layer at ¾ depth", 0.75, Qt.PenStyle.DashDotDotLine),
    DepthChoice("last", "Last layer", 1.0, Qt.PenStyle.SolidLine),
)
DEFAULT_CHOICES = ("first", "last")


def _plot_box(title: str, plot: pg.PlotWidget, extra: QWidget | None = None) -> QWidget:
    box = QWidget()
    col = QVBoxLayout(box)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(2)
    row = QHBoxLayout()
    row.setContentsMargins(4, 0, 0, 0)
    heading = QLabel(title.upper())
    heading.setProperty("role", "heading")
    row.addWidget(heading)
    row.addStretch(1)
    if extra is not None:
        row.addWidget(extra)
    col.addLayout(row)
    col.addWidget(plot, 1)
    return box


class HistoryPlots(QWidget):
    """The three plots over steps; :meth:`set_run` then :meth:`refresh` on the plot timer."""

    choices_changed = Signal()

    def __init__(self, pal, parent=None) -> None:
        super().__init__(parent)
        self.run: RunSeries | None = None
        self.chosen: list[str] = list(DEFAULT_CHOICES)
        self.layers = style.new_plot_widget(pal, log_y=True)
        self.loss = style.new_plot_widget(pal, log_y=True)
        self.accuracy = style.new_plot_widget(pal)
        # "norm": the row is short, and the box's heading already says what is plotted.
        self.layers.setLabel("left", "norm")
        self.loss.setLabel("left", "loss")
        self.accuracy.setLabel("left", "accuracy (%)")
        for plot in (self.layers, self.loss, self.accuracy):
            plot.setLabel("bottom", "step")
        self.accuracy.setYRange(0, 100, padding=0.02)
        # The run view sets the step range; the log axes follow the data in whole quarter
        # decades (see _follow_y), not on every frame as pyqtgraph's auto-range would.
        self.layers.enableAutoRange(x=False, y=False)
        self.loss.enableAutoRange(y=False)
        self._y_ranges: dict[str, tuple[float, float]] = {}
        self.loss.setXLink(self.layers)
        self.accuracy.setXLink(self.layers)
        # Curves per model: {name: {"layer:first": item, "loss": item, ...}}
        self.curves: dict[str, dict[str, pg.PlotDataItem]] = {}
        # Every curve made so far, per model position.  A new run re-dresses and refills
        # them: making a curve and adding it to a plot is what made starting a run slow.
        self._slots: list[dict[str, pg.PlotDataItem]] = []
        self.colors: dict[str, QColor] = {}
        self._shown: dict[str, tuple] = {}

        self.layer_button = QToolButton(text="Layers", autoRaise=True)
        self.layer_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.layer_button.setToolTip("Choose which layers' gradient norms to follow")
        menu = QMenu(self.layer_button)
        self.choice_actions: dict[str, QAction] = {}
        for choice in DEPTH_CHOICES:
            act = QAction(choice.label, menu, checkable=True)
            act.setChecked(choice.key in self.chosen)
            act.toggled.connect(lambda on, k=choice.key: self.choose(k, on))
            menu.addAction(act)
            self.choice_actions[choice.key] = act
        self.layer_button.setMenu(menu)
        self.legend = QLabel()
        self.legend.setProperty("role", "muted")

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        layer_box = _plot_box("Chosen layers over time", self.layers, self.layer_button)
        layer_box.layout().addWidget(self.legend)
        row.addWidget(layer_box, 4)
        row.addWidget(_plot_box("Loss", self.loss), 3)
        row.addWidget(_plot_box("Accuracy", self.accuracy), 3)
        self.hovers = [style.Hover(self.layers, lambda x, y: self._describe("layers", x)),
                       style.Hover(self.loss, lambda x, y: self._describe("loss", x)),
                       style.Hover(self.accuracy, lambda x, y: self._describe("accuracy", x))]
        self.retheme(pal)

    # -- choosing layers --------------------------------------------------------------------

    def choose(self, key: str, on: bool) -> None:
        if on and key not in self.chosen:
            self.chosen.append(key)
        elif not on and key in self.chosen:
            self.chosen.remove(key)
        if self.choice_actions[key].isChecked() != on:
            self.choice_actions[key].setChecked(on)
        self._rebuild()
        self.choices_changed.emit()

    # -- run and curves ---------------------------------------------------------------------

    def set_run(self, run: RunSeries, colors: dict[str, QColor]) -> None:
        self.run = run
        self.colors = dict(colors)
        self._rebuild()

    def prepare(self, count: int) -> None:
        """Make the curves of ``count`` models ahead of a run (hidden until one uses them)."""
        while len(self._slots) < count:
            self._slots.append({})
        for slot in self._slots[:count]:
            for key in self._keys():
                self._curve(slot, key)

    def _keys(self) -> list[str]:
        """The curves each model shows: the chosen layers', then loss and accuracy."""
        layers = [f"layer:{c.key}" for c in DEPTH_CHOICES if c.key in self.chosen]
        return [*layers, "loss", "val_loss", "accuracy", "val_accuracy"]

    def _curve(self, slot: dict[str, pg.PlotDataItem], key: str) -> pg.PlotDataItem:
        curve = slot.get(key)
        if curve is None:
            if key.startswith("val_"):
                curve = self._owner(key).plot([], [], pen=None, symbol="o", symbolSize=7)
            else:
                curve = self._owner(key).plot([], [], connect="finite")
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
            curve.hide()
            slot[key] = curve
        return curve

    def _dress(self, curve: pg.PlotDataItem, key: str, color: QColor) -> None:
        if key.startswith("val_"):
            curve.setSymbolBrush(pg.mkBrush(color))
            curve.setSymbolPen(pg.mkPen(color))
        elif key.startswith("layer:"):
            choice = next(c for c in DEPTH_CHOICES if f"layer:{c.key}" == key)
            width = 2.2 if choice.key == "last" else 1.6
            curve.setPen(style.pen(color, width, style=choice.style))
        else:
            curve.setPen(style.pen(color, 1.8))

    def _rebuild(self) -> None:
        self.curves = {}
        self._shown = {}
        self._y_ranges = {}
        models = list(self.run) if self.run is not None else []
        self.prepare(len(models))
        keys = self._keys()
        for index, slot in enumerate(self._slots):
            model = models[index] if index < len(models) else None
            for key, curve in slot.items():
                if (model is None or key not in keys) and curve.isVisible():
                    curve.setData([], [])
                    curve.hide()
            if model is None:
                continue
            color = self.colors.get(model.name, QColor("#888888"))
            for key in keys:
                self._dress(slot[key], key, color)
                slot[key].show()
            self.curves[model.name] = {key: slot[key] for key in keys}
        order = [c for c in DEPTH_CHOICES if c.key in self.chosen]
        dash = {Qt.PenStyle.DashLine: "– –", Qt.PenStyle.DashDotLine: "–·–",
                Qt.PenStyle.DotLine: "···", Qt.PenStyle.DashDotDotLine: "–··",
                Qt.PenStyle.SolidLine: "——"}
        self.legend.setText("   ".join(f"{dash[c.style]} {c.label.lower()}" for c in order)
                            or "Choose layers to follow with the Layers button.")
        self.refresh()

    def _owner(self, key: str) -> pg.PlotWidget:
        if key.startswith("layer:"):
            return self.layers
        return self.loss if key.endswith("loss") else self.accuracy

    def refresh(self, plots: tuple[str, ...] = ("layers", "loss", "accuracy")) -> None:
        """Bring ``plots`` up to date with the run (each only when it has new rows)."""
        if self.run is None:
            return
        for plot in plots:
            if plot == "layers":
                sizes = tuple(len(m) for m in self.run)
            else:
                sizes = tuple((m.steps.size, m.epoch_steps.size) for m in self.run)
            if self._shown.get(plot) == sizes:
                continue
            self._shown[plot] = sizes
            shown = []
            for model in self.run:
                items = self.curves.get(model.name)
                if items is None:
                    continue
                if plot == "layers":
                    shown += self._refresh_layers(model, items)
                elif plot == "loss":
                    shown += self._refresh_loss(model, items)
                else:
                    self._refresh_accuracy(model, items)
            if plot != "accuracy":
                self._follow_y(plot, shown)

    def _follow_y(self, plot: str, shown: list[np.ndarray]) -> None:
        # Log axes: the view's y is log10 of the value.  Snapped outwards to quarter decades,
        # so the range (and with it the axis) changes only now and then.
        values = [v[np.isfinite(v)] for v in shown]
        values = [v for v in values if v.size]
        if not values:
            return
        low = math.log10(min(float(v.min()) for v in values))
        high = math.log10(max(float(v.max()) for v in values))
        wanted = style.snapped(low, high, 0.25, 0.02)
        if self._y_ranges.get(plot) != wanted:
            self._y_ranges[plot] = wanted
            getattr(self, plot).setYRange(*wanted, padding=0)

    def _refresh_layers(self, model: ModelSeries,
                        items: dict[str, pg.PlotDataItem]) -> list[np.ndarray]:
        """Update the chosen layers' curves; returns the values drawn."""
        steps = model.grad_steps.view
        grads = model.grads.view
        drawn = []
        for choice in DEPTH_CHOICES:
            curve = items.get(f"layer:{choice.key}")
            if curve is not None:
                column = grads[:, choice.index(model.depth)] if len(grads) else np.empty(0)
                drawn.append(positive(column))
                curve.setData(steps, drawn[-1])
        return drawn

    def _refresh_loss(self, model: ModelSeries,
                      items: dict[str, pg.PlotDataItem]) -> list[np.ndarray]:
        """Update the loss curve and validation dots; returns the values drawn."""
        keep = np.isfinite(model.val_loss.view)
        loss = positive(model.loss.view)
        val_loss = positive(model.val_loss.view[keep])
        items["loss"].setData(model.steps.view, loss)
        items["val_loss"].setData(model.epoch_steps.view[keep], val_loss)
        return [loss, val_loss]

    def _refresh_accuracy(self, model: ModelSeries, items: dict[str, pg.PlotDataItem]) -> None:
        scalar_steps = model.steps.view
        items["accuracy"].setData(scalar_steps, model.accuracy.view * 100.0)
        epoch_steps = model.epoch_steps.view
        keep = np.isfinite(model.val_accuracy.view)
        items["val_accuracy"].setData(epoch_steps[keep], model.val_accuracy.view[keep] * 100.0)

    def retheme(self, pal) -> None:
        for plot in (self.layers, self.loss, self.accuracy):
            plot.setBackground(pal.surface)
            style.style_plot(plot.getPlotItem(), pal)

    # -- hover ------------------------------------------------------------------------------

    def _describe(self, what: str, x: float) -> str | None:
        if self.run is None:
            return None
        lines = []
        for model in self.run:
            if what == "layers":
                steps, values = model.grad_steps.view, None
            else:
                steps, values = model.steps.view, getattr(model, what).view
            if not len(steps):
                continue
            row = int(np.argmin(np.abs(steps - x)))
            step = int(steps[row])
            if what == "layers":
                parts = []
                for choice in DEPTH_CHOICES:
                    if choice.key in self.chosen:
                        index = choice.index(model.depth)
                        parts.append(f"{model.layer_names[index]} "
                                     f"{style.format_norm(float(model.grads.view[row][index]))}")
                lines.append(f"{self.run.label(model)} @ {step}: " + ", ".join(parts))
            elif what == "loss":
                lines.append(f"{self.run.label(model)} @ {step}: loss {values[row]:.4g}")
            else:
                lines.append(f"{self.run.label(model)} @ {step}: accuracy {values[row]:.1%}")
        return "\n".join(lines) or None
