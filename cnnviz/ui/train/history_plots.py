"""Plots over training steps, every model overlaid in its colour: chosen layers' gradient
norms, loss and accuracy on the training batches, and both on held-out images at epoch ends
(dots).  The loss axis follows the training curves; a held-out loss beyond it is pinned to the
edge as a triangle (hover reads its value), so one diverged epoch does not flatten the run.

Which layers are followed is :mod:`cnnviz.ui.train.layer_choices`; what hovering reads out is
:mod:`cnnviz.ui.train.history_hover`."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from cnnviz.ui.train import held_out_marks as marks
from cnnviz.ui.train import plot_legend
from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.depth_plot import positive
from cnnviz.ui.train.history_hover import describe, held_out_points
from cnnviz.ui.train.layer_choices import (
    DEFAULT_CHOICES,
    choice_named,
    chosen_in_order,
    layers_button,
    line_legend,
)
from cnnviz.ui.train.series import ModelSeries, RunSeries
from cnnviz.ui.train.shortened import ShortenedLabel


def _plot_box(plots: Sequence[tuple[tuple[str, ...], pg.PlotWidget]], legend: QLabel,
              extra: QWidget | None = None, heading_height: int = 0) -> QWidget:
    """A column of the history: each ``(titles, plot)`` under its heading, side by side, and
    ``legend`` under them all.  ``titles`` are the heading's long form and, optionally, a
    short one for a narrow window (the long one is then its tooltip).  ``extra`` goes at
    the first heading's right; ``heading_height`` keeps headings of columns side by side on
    one line when only one column has an ``extra``."""
    box = QWidget()
    col = QVBoxLayout(box)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(2)
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(14)
    for index, (titles, plot) in enumerate(plots):
        one = QVBoxLayout()
        one.setSpacing(2)
        top = QHBoxLayout()
        top.setContentsMargins(4, 0, 0, 0)
        heading = ShortenedLabel()
        heading.setProperty("role", "heading")
        # Never wider than its plot: the row's plots keep their shares of its width.
        heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        heading.set_forms(*(title.upper() for title in titles))
        if len(titles) > 1:
            heading.setToolTip(titles[0])
        heading.setMinimumHeight(heading_height)
        top.addWidget(heading, 1)
        if extra is not None and index == 0:
            top.addWidget(extra)
        one.addLayout(top)
        one.addWidget(plot, 1)
        row.addLayout(one, 1)
    col.addLayout(row, 1)
    col.addWidget(legend)
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
        self.accuracy.setLabel("left", "%")  # the box's heading says of what
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

        self.layer_button, self.choice_actions = layers_button(self.chosen, self.choose)
        self.legend = QLabel()
        self.legend.setProperty("role", "muted")
        # Which model is which colour, and what the dots and triangles are.
        self.scalar_legend = QLabel()
        self.scalar_legend.setProperty("role", "muted")
        self.scalar_legend.setWordWrap(True)
        self.scalar_legend.setToolTip(
            "Lines: loss and accuracy on each training batch. Dots: on images kept out of "
            "training, measured at the end of each epoch.")
        self._pal = pal
        self._off_scale = False

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        # Each heading's long form, then shorter ones for a narrow window.
        layers = ("Chosen layers over time", "Chosen layers", "Norms")
        accuracy = ("Accuracy on training batches", "Training accuracy", "Accuracy")
        row.addWidget(_plot_box([(layers, self.layers)], self.legend,
                                extra=self.layer_button), 4)
        row.addWidget(_plot_box([(("Loss",), self.loss), (accuracy, self.accuracy)],
                                self.scalar_legend,
                                heading_height=self.layer_button.sizeHint().height()), 6)
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
        layers = [f"layer:{c.key}" for c in chosen_in_order(self.chosen)]
        return [*layers, "loss", "val_loss", "val_loss_dots", "val_loss_off", "accuracy",
                "val_accuracy", "val_accuracy_dots"]

    def _curve(self, slot: dict[str, pg.PlotDataItem], key: str) -> pg.PlotDataItem:
        curve = slot.get(key)
        if curve is None:
            if key == "val_loss_off":
                curve = self._owner(key).plot([], [], pen=None, symbol="t1", symbolSize=10)
            elif key.startswith("val_"):
                curve = self._owner(key).plot([], [], pen=None, symbol="o", symbolSize=7)
            else:
                curve = self._owner(key).plot([], [], connect="finite")
            if not key.startswith("val_"):  # one point an epoch: few, and a symbol each
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
            choice = choice_named(key.removeprefix("layer:"))
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
        self._off_scale = False
        self._update_scalar_legend()
        self.legend.setText(line_legend(self.chosen))
        self.refresh()

    def _owner(self, key: str) -> pg.PlotWidget:
        if key.startswith("layer:"):
            return self.layers
        return self.loss if "loss" in key else self.accuracy

    def _update_scalar_legend(self, off_scale_text: str = plot_legend.OFF_SCALE) -> None:
        models = list(self.run) if self.run is not None else []
        held_out = any(m.epoch_steps.size for m in models)
        self.scalar_legend.setText(plot_legend.legend_html(
            [(self.run.label(m), self.colors.get(m.name, QColor("#888888"))) for m in models],
            held_out=held_out, off_scale=self._off_scale, off_scale_text=off_scale_text,
            held_out_line=any(marks.is_dense(m.epoch_steps.view) for m in models)))

    @contextmanager
    def as_picture(self) -> Iterator[None]:
        """The row as a picture of it shows it for as long as the block runs: no Layers
        button (the picture shows what was chosen) and a legend that asks for no hovering."""
        self.layer_button.setVisible(False)  # its room is kept: the plots do not move
        self._update_scalar_legend(plot_legend.OFF_SCALE_PICTURE)
        try:
            yield
        finally:
            self.layer_button.setVisible(True)
            self._update_scalar_legend()

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
            if plot == "loss":
                self._place_held_out_loss()
                self._update_scalar_legend()

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
        for choice in chosen_in_order(self.chosen):
            curve = items.get(f"layer:{choice.key}")
            if curve is not None:
                column = grads[:, choice.index(model.depth)] if len(grads) else np.empty(0)
                drawn.append(positive(column))
                curve.setData(steps, drawn[-1])
        return drawn

    def _refresh_loss(self, model: ModelSeries,
                      items: dict[str, pg.PlotDataItem]) -> list[np.ndarray]:
        """Update the training loss curve; returns its values (the axis follows them)."""
        loss = positive(model.loss.view)
        items["loss"].setData(model.steps.view, loss)
        return [loss]

    def loss_range(self) -> tuple[float, float] | None:
        """The loss axis's range as values (not their log10), once the curves set one."""
        wanted = self._y_ranges.get("loss")
        return None if wanted is None else (10.0 ** wanted[0], 10.0 ** wanted[1])

    def _place_held_out_loss(self) -> None:
        """Held-out loss dots inside the axis's range; those beyond it as triangles at its
        edge, pointing the way the value lies."""
        logged = self._y_ranges.get("loss")
        off_scale = False
        for model in self.run:
            items = self.curves.get(model.name)
            if items is None:
                continue
            steps, values = held_out_points(model.epoch_steps.view, model.val_loss.view)
            color = self.colors.get(model.name, QColor("#888888"))
            dense = marks.is_dense(steps)
            if logged is None:  # no training curve yet: nothing to measure against
                marks.draw(items["val_loss"], items["val_loss_dots"], steps, values, color,
                           dense)
                items["val_loss_off"].setData([], [])
                continue
            logs = np.log10(values)
            above, below = logs > logged[1], logs < logged[0]
            inside = ~(above | below)
            marks.draw(items["val_loss"], items["val_loss_dots"], steps,
                       np.where(inside, values, np.nan), color, dense)
            # A marker's centre a little inside the edge, so it is drawn whole; one marker
            # for each run of epochs beyond the scale.
            inset = 0.05 * (logged[1] - logged[0])
            pinned = np.where(above, logged[1] - inset, logged[0] + inset)
            shown = marks.one_per_run(~inside, above)
            items["val_loss_off"].setData(steps[shown], 10.0 ** pinned[shown],
                                          symbol=["t1" if a else "t" for a in above[shown]])
            off_scale = off_scale or not inside.all()
        self._off_scale = off_scale

    def _refresh_accuracy(self, model: ModelSeries, items: dict[str, pg.PlotDataItem]) -> None:
        scalar_steps = model.steps.view
        items["accuracy"].setData(scalar_steps, model.accuracy.view * 100.0)
        epoch_steps = model.epoch_steps.view
        marks.draw(items["val_accuracy"], items["val_accuracy_dots"], epoch_steps,
                   model.val_accuracy.view * 100.0,
                   self.colors.get(model.name, QColor("#888888")), marks.is_dense(epoch_steps))

    def retheme(self, pal) -> None:
        self._pal = pal
        for plot in (self.layers, self.loss, self.accuracy):
            plot.setBackground(pal.surface)
            style.style_plot(plot.getPlotItem(), pal)

    # -- hover ------------------------------------------------------------------------------

    def _describe(self, what: str, x: float) -> str | None:
        return describe(self.run, what, x, self.chosen,
                        tuple(self.loss.getPlotItem().vb.viewRange()[0]), self.loss_range())

    @contextmanager
    def dressed_for_export(self) -> Iterator[None]:
        """The three plots with a title and a legend of the models (and the dots) for as
        long as the block runs: an exported picture has no heading or legend row."""
        title = self.run.title if self.run is not None and self.run.title else ""
        suffix = f" · {title}" if title else ""
        models = [(self.run.label(m), self.colors.get(m.name, QColor("#888888")))
                  for m in (self.run or [])]
        held_out = self.run is not None and any(m.epoch_steps.size for m in self.run)
        with ExitStack() as stack:
            for plot, heading in ((self.layers, "Gradient norm of chosen layers"),
                                  (self.loss, "Loss on training batches"),
                                  (self.accuracy, "Accuracy on training batches")):
                legend = plot_legend.legend_html(
                    models, held_out=held_out and plot is not self.layers,
                    off_scale=self._off_scale and plot is self.loss,
                    off_scale_text=plot_legend.OFF_SCALE_PICTURE)
                stack.enter_context(plot_legend.dressed(plot, heading + suffix, legend,
                                                        self._pal))
            yield

