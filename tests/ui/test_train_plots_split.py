"""The run view's height is shared 3:2 between the model panels and the history row whenever
a run's panels are shown, whatever the splitter made of itself before (a remembered squashing
share, a window resized while no run was shown); plots keep room for their axis titles and
colour-bar labels; the colour bar reads plain log10 values."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.ui import settings
from cnnviz.ui.train.plot_split import KEY, PANEL_SHARE, share_of
from cnnviz.ui.train.series import RunSeries

WAIT_MS = 10_000


def _run(total=40, depth=20, names=("plain", "residual"), low=-0.7, high=0.45):
    run = RunSeries()
    run.total_steps = total
    rng = np.random.default_rng(1)
    for name in names:
        model = run.add_model(name, name.title(), [f"layer{i}" for i in range(depth)])
        for step in range(1, 11):
            model.add_step(step, 2.0 / step, 0.1 * step, 10 ** rng.uniform(low, high, depth))
    return run


def _share(view) -> float:
    return share_of(view.split.sizes())


def _labels_fit(plot) -> None:
    """Every axis title of ``plot`` (and its colour bar's) lies inside the widget."""
    item = plot.getPlotItem()
    axes = [item.getAxis("left"), item.getAxis("bottom")]
    bar = getattr(plot, "bar", None)
    if bar is not None:
        axes.append(bar.axis)
    visible = plot.mapToScene(plot.viewport().rect()).boundingRect()
    for axis in axes:
        margin = axis.label.document().documentMargin()  # blank space around the text
        text = axis.label.boundingRect().adjusted(margin, margin, -margin, -margin)
        label = axis.label.mapRectToScene(text)
        assert visible.contains(label), (axis.labelText, label, visible)


def _shown_run(qtbot, view, run) -> None:
    view.set_run(run)
    view.refresh()
    qtbot.waitUntil(lambda: _share(view) is not None, timeout=WAIT_MS)


@pytest.fixture
def view(make_shown):
    from cnnviz.ui.train.run_view import RunView

    # A share remembered from an older session that leaves the panels a sliver.
    settings.write(KEY, "0.12")
    return make_shown(RunView, (1180, 760))


def test_a_run_gives_the_panels_three_fifths_and_every_plot_room_for_its_titles(qtbot, view):
    # The splitter lays itself out before any panel exists (the empty page, a resize).
    view.resize(900, 520)
    qtbot.wait(50)
    view.resize(1180, 760)
    _shown_run(qtbot, view, _run())
    assert _share(view) == pytest.approx(PANEL_SHARE, abs=0.02)
    for panel in view.panels:
        depth, heat = panel.plots.sizes()
        assert abs(depth - heat) <= 2  # the two plots of a panel share it evenly
        for plot in (panel.depth_plot, panel.heat_map):
            _labels_fit(plot)
    for plot in (view.history.layers, view.history.loss, view.history.accuracy):
        _labels_fit(plot)
    # At the smallest height the window allows, the titles still fit.
    view.resize(1180, view.minimumSizeHint().height())
    qtbot.waitUntil(lambda: view.panels[0].depth_plot.height() < 200, timeout=WAIT_MS)
    for panel in view.panels:
        for plot in (panel.depth_plot, panel.heat_map):
            _labels_fit(plot)
    # A run with more models takes its share afresh.
    view.resize(1180, 760)
    _shown_run(qtbot, view, _run(names=("a", "b", "c")))
    assert _share(view) == pytest.approx(PANEL_SHARE, abs=0.02)


def test_a_share_the_user_drags_to_is_kept_and_one_that_squashes_is_not(qtbot, view):
    from cnnviz.ui.train.plot_split import remembered_share

    _shown_run(qtbot, view, _run())
    total = sum(view.split.sizes())
    view.split.moveSplitter(int(total * 0.7), 1)  # what dragging the handle does
    assert _share(view) == pytest.approx(0.7, abs=0.02)
    _shown_run(qtbot, view, _run())
    assert _share(view) == pytest.approx(0.7, abs=0.02)  # the next run keeps it
    view.stop_timer()  # the view goes: the share is remembered for the next session
    assert remembered_share() == pytest.approx(0.7, abs=0.02)
    # Dragged down until the panels are as small as they go: not kept for the next run.
    view.resize(1880, 1040)
    qtbot.waitUntil(lambda: sum(view.split.sizes()) > total + 200, timeout=WAIT_MS)
    view.split.moveSplitter(0, 1)
    assert _share(view) < 0.45
    _shown_run(qtbot, view, _run())
    assert _share(view) == pytest.approx(PANEL_SHARE, abs=0.02)


def test_the_colour_bar_labels_the_norms_its_colours_stand_for(qtbot, view):
    # Norms from 0.2 to 2.8: log10 levels about -0.75..0.5, where pyqtgraph would write
    # "-500 … 500" with "(x0.001)" beside the bar; the bar says the norms themselves.
    _shown_run(qtbot, view, _run())
    axis = view.panels[0].heat_map.bar.axis
    low, high = axis.range
    assert low < 0 < high and max(abs(low), abs(high)) < 1
    assert axis.autoSIPrefixScale == 1.0
    assert "x0.001" not in axis.labelString() and "norm" in axis.labelString()
    levels = [level for level in axis.tickValues(low, high, axis.height()) if level[1]]
    assert levels
    for spacing, values in levels:
        for value, text in zip(values, axis.tickStrings(values, axis.autoSIPrefixScale,
                                                         spacing)):
            assert float(text) == pytest.approx(10 ** value, rel=1e-2), (value, text)