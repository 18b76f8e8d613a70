"""The plots of one run: a column per model, the history row, and the measured lesson.

Data arrives in a :class:`~cnnviz.ui.train.series.RunSeries` (from live records or a run
folder); whoever changes it calls :meth:`RunView.mark_dirty`, and a ~30 Hz timer redraws the
long-lived plot items, one plot per tick, so a fast run never floods the window with
repaints and no single repaint is long.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pyqtgraph.exporters as exporters
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.ui.theme import theme_manager
from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.depth_plot import link
from cnnviz.ui.train.history_plots import HistoryPlots
from cnnviz.ui.train.model_panel import ModelPanel
from cnnviz.ui.train.series import RunSeries, ratio_sentence
from cnnviz.ui.widgets import icons

FRAME_MS = 33


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "model"


class EmptyPage(QWidget):
    """What the plot area shows before any run: what this workspace is for, and how to start."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Watch the gradient flow, layer by layer",
                       alignment=Qt.AlignmentFlag.AlignCenter)
        title.setProperty("role", "title")
        text = QLabel(
            "Pick a lesson on the left — a plain network and its residual twin — and press "
            "<b>Start</b>. Both train on exactly the same batches; the plots show how much "
            "gradient reaches each layer, step by step.<br><br>You can also open a past run, "
            "or a folder written by <code>GradNormRecorder</code> in your own script.",
            alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        text.setProperty("role", "muted")
        text.setMaximumWidth(520)
        col = QVBoxLayout(self)
        col.addStretch(2)
        col.addWidget(self.icon)
        col.addSpacing(8)
        col.addWidget(title)
        # Centred by stretches, not by an alignment flag: an aligned label gets its size
        # hint's width, too narrow for its wrapped text, and the last line is cut off.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text, 100)
        row.addStretch(1)
        col.addLayout(row)
        col.addStretch(3)

    def retheme(self, pal) -> None:
        self.icon.setPixmap(icons.pixmap("train", pal.muted, 56))


class RunView(QStackedWidget):
    """Shows a :class:`RunSeries`; :meth:`set_run` when the models change."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        pal = theme_manager().palette
        self.run = RunSeries()
        self.panels: list[ModelPanel] = []
        self._pending: list[tuple] = []
        self._stages: list[tuple] = []
        self._ranges: dict[tuple, tuple] = {}
        self.empty = EmptyPage()
        self.sentence = QLabel(wordWrap=True)
        # Room for two lines from the start: a sentence that grows by a line mid-run would
        # re-lay out (and repaint) every plot below it.
        self.sentence.setMinimumHeight(self.sentence.fontMetrics().lineSpacing() * 2 + 4)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sentence_card = QFrame()
        self.sentence_card.setProperty("card", True)
        self.sentence_icon = QLabel()
        card_row = QHBoxLayout(self.sentence_card)
        card_row.setContentsMargins(14, 10, 14, 10)
        card_row.addWidget(self.sentence_icon, 0, Qt.AlignmentFlag.AlignTop)
        card_row.addWidget(self.sentence, 1)
        self.panel_row = QHBoxLayout()
        self.panel_row.setSpacing(12)
        panels = QWidget()
        panels.setLayout(self.panel_row)
        self.panel_row.setContentsMargins(0, 0, 0, 0)
        self.history = HistoryPlots(pal)
        history_card = QFrame()
        history_card.setProperty("card", True)
        hc = QVBoxLayout(history_card)
        hc.setContentsMargins(12, 10, 12, 10)
        hc.addWidget(self.history)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(panels)
        self.split.addWidget(history_card)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)
        self.plots_page = QWidget()
        col = QVBoxLayout(self.plots_page)
        col.setContentsMargins(14, 10, 14, 12)
        col.setSpacing(10)
        col.addWidget(self.sentence_card)
        col.addWidget(self.split, 1)
        self.addWidget(self.empty)
        self.addWidget(self.plots_page)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)
        theme_manager().changed.connect(self.retheme)
        self.retheme(pal)

    # -- data ---------------------------------------------------------------------------------

    def set_run(self, run: RunSeries) -> None:
        """Show ``run`` (replacing what was shown); models are laid out side by side."""
        self.run = run
        self._ranges = {}
        models = list(run)
        if len(models) == len(self.panels):
            # The same number of models (a run started again, another run opened): the
            # panels, their plots and their links stay; only what they follow changes.
            for panel, series in zip(self.panels, models):
                panel.show_series(series, run.label(series))
        else:
            self._build_panels(models)
        self.history.set_run(run, self.colors())
        count = len(self.panels)
        self._stages = ([("depth", i) for i in range(count)] + [("heat", i) for i in range(count)]
                        + [("history", p) for p in ("layers", "loss", "accuracy")]
                        + [("text",)])
        self._pending = []
        self.setCurrentWidget(self.plots_page if self.panels else self.empty)
        self.timer.start()
        self.mark_dirty()
        self.refresh()

    def _build_panels(self, models) -> None:
        for panel in self.panels:
            self.panel_row.removeWidget(panel)
            panel.deleteLater()
        pal = theme_manager().palette
        self.panels = [ModelPanel(series, style.model_color(i, pal), pal, self.run.label(series))
                       for i, series in enumerate(models)]
        for panel in self.panels:
            self.panel_row.addWidget(panel, 1)
        link([p.depth_plot for p in self.panels])
        heat = [p.heat_map for p in self.panels]
        for other in heat[1:]:
            other.setXLink(heat[0])

    def colors(self) -> dict:
        return {p.series.name: p.color for p in self.panels}

    def mark_dirty(self) -> None:
        # Stages already waiting keep their place, so a steady stream of records cannot
        # starve the last ones.
        self._pending += [stage for stage in self._stages if stage not in self._pending]

    def _tick(self) -> None:
        # One plot per tick: repainting every plot at once is the one thing here that could
        # hold the GUI thread long enough to be felt; one at a time keeps each repaint short,
        # and every plot still updates several times a second.
        if self._pending:
            self._refresh_stage(self._pending.pop(0))

    def refresh(self) -> None:
        """Redraw every plot from the run's buffers now."""
        self._pending = []
        for stage in self._stages:
            self._refresh_stage(stage)

    def _refresh_stage(self, stage: tuple) -> None:
        kind = stage[0]
        if kind == "depth":
            self._refresh_depth(stage[1])
        elif kind == "heat":
            self._refresh_heat(stage[1])
        elif kind == "history":
            self._refresh_history(stage[1])
        else:
            for panel in self.panels:
                panel.refresh_header()
            self.sentence.setText(ratio_sentence(self.run))

    def _refresh_depth(self, index: int) -> None:
        # Each panel's plot takes the shared range in its own frame (see set_own_range).
        plot = self.panels[index].depth_plot
        linked = [p.depth_plot for p in self.panels]
        levels = self.run.norm_range()
        if levels is not None:
            self._set_range(("depth_y", index), plot, "y", *style.snapped(*levels, 0.5, 0.1),
                            linked)
        depth = max(p.series.depth for p in self.panels)
        self._set_range(("depth_x", index), plot, "x", 0.5, depth + 0.5, linked)
        self.panels[index].refresh_depth()

    def _refresh_heat(self, index: int) -> None:
        heat_map = self.panels[index].heat_map
        levels = self.run.norm_range()
        heat_map.set_levels(style.snapped(*levels, 0.25) if levels is not None else None)
        heat_map.total_steps = self.run.total_steps
        heat_map.refresh()
        span = self._step_span()
        if span is not None:
            self._set_range(("steps_x", index), heat_map, "x", *span,
                            [p.heat_map for p in self.panels])

    def _refresh_history(self, name: str) -> None:
        span = self._step_span()
        if span is not None:
            history = self.history
            self._set_range(("history_x", name), getattr(history, name), "x", *span,
                            (history.layers, history.loss, history.accuracy))
        self.history.refresh((name,))

    def _step_span(self) -> tuple[int, int] | None:
        """The steps the step axes show, or None before the first step."""
        first = min((int(p.series.grad_steps.view[0]) for p in self.panels
                     if len(p.series)), default=0)
        # A live run's step axis spans the whole run from the start: the plots fill up left
        # to right, and axes that never change are never re-laid out or re-drawn.
        end = max(self.run.last_step, self.run.total_steps)
        return (first, end) if end > first else None

    def _set_range(self, key: tuple, plot, axis: str, low: float, high: float,
                   linked) -> None:
        # Setting an unchanged range still makes pyqtgraph re-lay out the axes; skip it.
        if self._ranges.get(key) != (low, high):
            self._ranges[key] = (low, high)
            style.set_own_range(plot, axis, low, high, linked)

    def stop_timer(self) -> None:
        self.timer.stop()

    def retheme(self, pal) -> None:
        self.empty.retheme(pal)
        self.sentence_icon.setPixmap(icons.pixmap("info", pal.accent, 18))
        self.sentence.setStyleSheet(f"color: {pal.text}; font-size: 13px;")
        for i, panel in enumerate(self.panels):
            panel.retheme(pal, style.model_color(i, pal))
        self.history.retheme(pal)
        if self.panels:
            self.history.set_run(self.run, self.colors())

    # -- export -------------------------------------------------------------------------------

    def export_png(self, folder: str | Path) -> list[Path]:
        """Every plot as its own PNG (pyqtgraph's exporter), and the whole view; returns the
        files written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.refresh()
        written = []
        plots = []
        for panel in self.panels:
            name = _safe(panel.series.name)
            plots.append((f"{name}-depth.png", panel.depth_plot))
            plots.append((f"{name}-heatmap.png", panel.heat_map))
        plots += [("layers-over-time.png", self.history.layers), ("loss.png", self.history.loss),
                  ("accuracy.png", self.history.accuracy)]
        for filename, widget in plots:
            exporter = exporters.ImageExporter(widget.getPlotItem())
            exporter.parameters()["width"] = max(800, int(widget.width() * 2))
            path = folder / filename
            exporter.export(str(path))
            written.append(path)
        overview = folder / "overview.png"
        self.plots_page.grab().save(str(overview))
        written.append(overview)
        return written

    def export_csv(self, folder: str | Path) -> list[Path]:
        """Per model: the gradient norms (step, then one column per layer in depth order),
        the scalars (step, loss, accuracy) and validation at epoch ends; returns the files."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for model in self.run:
            name = _safe(model.name)
            tables = {
                f"{name}-grad_norms.csv": (("step", *model.layer_names),
                                           np.column_stack([model.grad_steps.view,
                                                            model.grads.view])
                                           if len(model) else np.empty((0, model.depth + 1))),
                f"{name}-scalars.csv": (("step", "loss", "accuracy"),
                                        np.column_stack([model.steps.view, model.loss.view,
                                                         model.accuracy.view])),
                f"{name}-validation.csv": (("step", "val_loss", "val_accuracy"),
                                           np.column_stack([model.epoch_steps.view,
                                                            model.val_loss.view,
                                                            model.val_accuracy.view])),
            }
            for filename, (header, rows) in tables.items():
                path = folder / filename
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow(header)
                    for row in rows:
                        writer.writerow([int(row[0]), *(_cell(v) for v in row[1:])])
                written.append(path)
        return written


def _cell(value: float) -> str:
    return "" if not np.isfinite(value) else format(float(value), ".7g")
