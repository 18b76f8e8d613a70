"""The plots of one run: a column per model, the history row, and the measured lesson.

Data arrives in a :class:`~cnnviz.ui.train.series.RunSeries` (from live records or a run
folder); whoever changes it calls :meth:`RunView.mark_dirty`, and a ~30 Hz timer redraws the
long-lived plot items, one plot per tick, so a fast run never floods the window with
repaints and no single repaint is long.
"""

from __future__ import annotations

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
from cnnviz.ui.train.depth_plot import DepthPlot, link
from cnnviz.ui.train.heatmap import HeatMap, color_bar
from cnnviz.ui.train.history_plots import HistoryPlots
from cnnviz.ui.train.model_panel import ModelPanel
from cnnviz.ui.train.panel_pool import PanelPool
from cnnviz.ui.train.plot_split import PLOT_MIN_HEIGHT, PlotSplit
from cnnviz.ui.train.series import RunSeries, ratio_details, ratio_sentence
from cnnviz.ui.widgets import icons

FRAME_MS = 33
#: How far beyond the last step the history plots show, as a share of the steps shown.
MARKER_ROOM = 0.03


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
            "or a run logged from your own PyTorch script (see the README).",
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
    """Shows a :class:`RunSeries`; :meth:`set_run` when the models change.

    The panels are built ahead (see :mod:`cnnviz.ui.train.panel_pool`): :attr:`PREBUILD` of
    them once the view has been shown and the window is idle, and as many as a run will need
    when :meth:`prepare` is told so.  :attr:`panels` are the ones the current run shows.
    """

    #: Panels built ahead once the view is shown: a lesson compares two models.
    PREBUILD = 2
    #: How long after the view first shows that building ahead begins: the window's own
    #: first paint and start-up come first.
    PREBUILD_DELAY_MS = 400

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        pal = theme_manager().palette
        self.run = RunSeries()
        self.panels: list[ModelPanel] = []
        self.pool = PanelPool(self._panel_steps, self._settle_steps, self)
        self._unfinished = QWidget(self)  # never shown: holds plots until their panel exists
        self._unfinished.hide()
        self._linked = 0
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
        for plot in (self.history.layers, self.history.loss, self.history.accuracy):
            plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.split_share = PlotSplit(self.split, self)
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
        # Panels built for an earlier run (or ahead of this one) are reused: only what they
        # follow changes.  Those this run does not need wait hidden for one that does.
        self.panels = self.pool.take(len(models))
        for panel in self.pool.panels:
            panel.setVisible(panel in self.panels)
        for panel, series in zip(self.panels, models):
            panel.show_series(series, run.label(series))
        self._link()
        self.history.set_run(run, self.colors())
        count = len(self.panels)
        self._stages = ([("depth", i) for i in range(count)] + [("heat", i) for i in range(count)]
                        + [("history", p) for p in ("layers", "loss", "accuracy")]
                        + [("text",)])
        self._pending = []
        self.sentence.setText(ratio_sentence(run))
        self.sentence.setToolTip(ratio_details(run))
        if self.panels:
            self.split_share.apply()
        self.setCurrentWidget(self.plots_page if self.panels else self.empty)
        self.timer.start()
        self.mark_dirty()
        if any(len(series) or series.steps.size for series in models):
            # A run folder comes with its rows: draw them all at once.
            self.refresh()
        # A run just started has nothing to draw yet: its axes take the run's ranges one
        # plot per frame, like every later change, rather than all in the first paint.

    def prepare(self, count: int) -> None:
        """A run of ``count`` models is coming: build its panels now, in idle time (unless
        :attr:`PREBUILD` is 0: then nothing is built ahead)."""
        if self.PREBUILD:
            self.pool.want(count)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.PREBUILD and not self.pool.panels and not self.pool.busy:
            QTimer.singleShot(self.PREBUILD_DELAY_MS, self, lambda: self.pool.want(self.PREBUILD))

    def _panel_steps(self, index: int):
        """Build the panel at ``index`` a piece at a time (see :class:`PanelPool`)."""
        # Each plot has a Qt parent from the moment it exists (a hidden holder, until its
        # panel takes it): dropped half built, it is deleted by Qt with the view, never by
        # Python's collector at some later moment, which would call into pyqtgraph items
        # whose Python halves are already gone.  The colour bar is a graphics item: built
        # and placed in its map in one piece, it is never a loose item between two turns.
        pal = theme_manager().palette
        depth_plot = DepthPlot(pal)
        depth_plot.setParent(self._unfinished)
        yield
        heat_map = HeatMap(pal, color_bar())
        heat_map.setParent(self._unfinished)
        yield
        self.history.prepare(index + 1)
        yield
        # The palette may have changed meanwhile: the panel colours its plots afresh (and
        # is in the pool, re-coloured with the others, from the moment it exists).
        pal = theme_manager().palette
        for plot in (depth_plot, heat_map):
            plot.setParent(None)  # as if just made: the panel's splitter sizes it afresh
        panel = ModelPanel(pal, style.model_color(index, pal), depth_plot, heat_map)
        panel.hide()
        self.panel_row.addWidget(panel, 1)
        return panel

    def _settle_steps(self, count: int):
        """Lay the plot page out as a run of ``count`` models will show it, then paint each
        plot once offscreen, a plot at a time: the first real paint then finds the layout
        done and fonts, axes and caches ready (it cost as much as building the plots)."""
        if self.currentWidget() is not self.empty:
            return  # a run is shown: its plots are laid out and painted already
        for index, panel in enumerate(self.pool.panels):
            panel.setVisible(index < count)
        self.split_share.apply()
        # A stacked widget sizes only the page it shows; give this one the size it will get.
        self.plots_page.setGeometry(self.empty.geometry())
        self.plots_page.layout().activate()
        yield
        history = self.history
        panels = self.pool.panels[:count]
        plots = [plot for panel in panels for plot in (panel.depth_plot, panel.heat_map)]
        # The plots first, one at a time (the costly part), then what holds them (polishing
        # their labels and frames), which repaints the plots cheaply from their caches.
        for widget in (*plots, history.layers, history.loss, history.accuracy, *panels,
                       history, self.sentence_card):
            widget.grab()
            yield

    def _link(self) -> None:
        """Share the axes of the shown panels' plots (and only theirs)."""
        if self._linked == len(self.panels):
            return
        self._linked = len(self.panels)
        for panel in self.pool.panels:
            for plot in (panel.depth_plot, panel.heat_map):
                plot.setXLink(None)
                if plot is panel.depth_plot:
                    plot.setYLink(None)
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
            self.sentence.setToolTip(ratio_details(self.run))

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
            # Room after the last step: the last epoch ends there, and its held-out dots
            # (and pinned triangles) on the plot's edge would be cut in half.
            low, high = span
            high += MARKER_ROOM * (high - low)
            self._set_range(("history_x", name), getattr(history, name), "x", low, high,
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
        """Stop redrawing and building ahead (before the view goes away); remembers the
        share of the height the user gave the model panels."""
        self.timer.stop()
        self.pool.stop()
        self.split_share.save()

    def retheme(self, pal) -> None:
        self.empty.retheme(pal)
        self.sentence_icon.setPixmap(icons.pixmap("info", pal.accent, 18))
        self.sentence.setStyleSheet(f"color: {pal.text}; font-size: 13px;")
        for i, panel in enumerate(self.pool.panels):
            panel.retheme(pal, style.model_color(i, pal))
        self.history.retheme(pal)
        if self.panels:
            self.history.set_run(self.run, self.colors())
