"""The Train plots follow a live run through the plot timer: incremental heat-map columns equal
a rebuild, steady axes are not redrawn, and a new run reuses the panels."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.ui.train.heat_columns import HeatColumns, log_norms
from cnnviz.ui.train.series import RunSeries

WAIT_MS = 10_000


@pytest.fixture
def view(make_shown):
    from cnnviz.ui.train.run_view import RunView

    return make_shown(RunView, (1100, 750))


def _run(total=60, depth=6, names=("plain", "residual")):
    run = RunSeries()
    run.total_steps = total
    for name in names:
        run.add_model(name, name.title(), [f"layer{i}" for i in range(depth)])
    return run


def _feed(run, steps, rng, low=-3.0, high=0.0):
    for step in steps:
        for model in run:
            norms = 10 ** rng.uniform(low, high, model.depth)
            model.add_step(step, 2.0 / step, min(1.0, step / 50), norms)


def _points(curve) -> int:
    x, _ = curve.getOriginalDataset()
    return 0 if x is None else len(x)


def _drawn(qtbot, view):
    view.mark_dirty()
    qtbot.waitUntil(lambda: not view._pending, timeout=WAIT_MS)


def test_the_plot_timer_draws_a_live_run_column_by_column(qtbot, view):
    rng = np.random.default_rng(3)
    run = _run()
    view.set_run(run)
    images = []
    for first in range(1, 41, 4):  # records arrive between frames, a few at a time
        _feed(run, range(first, first + 4), rng)
        _drawn(qtbot, view)
        images = images or [p.heat_map.columns.image for p in view.panels]
    for panel, image in zip(view.panels, images):
        series = panel.series
        # The image was laid out once for the 60-step run and written in place since.
        assert panel.heat_map.columns.image is image
        assert panel.heat_map.image.image.base is image
        assert image.shape == (6, 60)
        rebuilt = HeatColumns(6)
        rebuilt.update(series, total_steps=60)
        np.testing.assert_array_equal(panel.heat_map.image.image, rebuilt.image)
        np.testing.assert_array_equal(panel.heat_map.image_data(),
                                      log_norms(series.grads.view).T)
        rect = panel.heat_map.image.mapRectToParent(panel.heat_map.image.boundingRect())
        assert (rect.left(), rect.right()) == (0.5, 60.5)
        x, y = panel.depth_plot.current_data()
        assert list(x) == list(range(1, 7)) and np.allclose(y, series.grads.view[-1])
        loss_x, loss_y = view.history.curves[series.name]["loss"].getOriginalDataset()
        assert list(loss_x) == list(range(1, 41)) and np.allclose(loss_y, series.loss.view)
    assert "Plain: the first layer's gradient is" in view.sentence.text()
    assert view.sentence.toolTip().startswith("Plain: first/last = ")  # the exact figure
    # Hovering a column reads the step drawn there.
    text = view.panels[0].heat_map.hover.hover_at(17.2, 2.5)
    assert text.startswith("step 17 · layer2 (layer 3)")


def test_the_trail_fades_into_the_background_with_opaque_lines(view):
    from PySide6.QtGui import QColor

    from cnnviz.ui.theme import theme_manager

    view.set_run(_run())
    plot = view.panels[0].depth_plot
    surface = QColor(theme_manager().palette.surface)
    colors = [curve.opts["pen"].color() for curve in plot.trail]
    current = plot.current.opts["pen"].color()

    def distance(a, b):
        return sum(abs(x - y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))

    assert all(c.alpha() == 255 for c in colors)  # opaque: the cheap way to draw a line
    fading = [distance(c, surface) for c in colors]  # oldest first
    assert fading == sorted(fading) and fading[0] < fading[-1] < distance(current, surface)


def test_a_flood_of_records_queues_each_plot_once(qtbot, view):
    run = _run()
    view.set_run(run)
    _feed(run, range(1, 3), np.random.default_rng(0))
    for _ in range(200):
        view.mark_dirty()
    assert sorted(view._pending) == sorted(view._stages)
    qtbot.waitUntil(lambda: not view._pending, timeout=WAIT_MS)


def test_steps_within_the_shown_range_leave_the_axes_alone(qtbot, view):
    rng = np.random.default_rng(5)
    run = _run()
    view.set_run(run)
    _feed(run, range(1, 11), rng, -2.7, -0.3)
    for model in run:
        model.add_step(11, 1.0, 0.5, 10 ** np.linspace(-2.8, -0.2, model.depth))
    _drawn(qtbot, view)
    axes = [view.panels[0].depth_plot.getPlotItem().getAxis("left"),
            view.history.layers.getPlotItem().getAxis("left"),
            view.history.loss.getPlotItem().getAxis("left"),
            view.panels[1].heat_map.bar.axis]
    before = [(axis.range, axis.picture) for axis in axes]
    assert all(picture is not None for _, picture in before)
    # The smallest norm creeps lower step by step, as it does early in a real run; it stays
    # inside the quarter decade already shown, so no axis is re-laid out or redrawn.
    for step in range(12, 30):
        for model in run:
            norms = 10 ** rng.uniform(-2.7, -0.3, model.depth)
            norms[0] = 10 ** (-2.8 - 0.08 * (step - 11) / 18)
            model.add_step(step, 0.5, 0.5, norms)
        _drawn(qtbot, view)
    assert [(axis.range, axis.picture) for axis in axes] == before
    # A step beyond the range widens it: the axes follow, on whole quarter decades.
    for model in run:
        model.add_step(30, 0.5, 0.5, np.full(model.depth, 50.0))
    _drawn(qtbot, view)
    low, high = view.panels[0].depth_plot.getPlotItem().vb.viewRange()[1]
    assert low <= -2.88 and high >= np.log10(50.0)
    assert view.history._y_ranges["layers"] == (-3.0, 1.75)
    assert view.panels[0].heat_map.bar.levels() == (-3.0, 1.75)


def test_a_new_run_reuses_the_panels_and_forgets_the_old_data(qtbot, view):
    rng = np.random.default_rng(9)
    first = _run()
    view.set_run(first)
    _feed(first, range(1, 21), rng)
    _drawn(qtbot, view)
    panels = list(view.panels)
    second = _run(total=30, depth=4, names=("a", "b"))
    view.set_run(second)
    assert view.panels == panels
    assert [p.title.text() for p in panels] == ["A", "B"]
    for panel in panels:
        assert panel.heat_map.image_data() is None
        assert len(panel.depth_plot.current_data()[0]) == 0
        assert panel.metrics.text() == "Waiting for the first step"
    _feed(second, range(1, 6), rng)
    _drawn(qtbot, view)
    for panel, series in zip(panels, second):
        assert panel.heat_map.image_data().shape == (4, 5)
        assert list(panel.depth_plot.current_data()[0]) == [1, 2, 3, 4]
    assert set(view.history.curves) == {"a", "b"}
    # A run with fewer models shows the first panel and keeps the other hidden for later.
    curves = view.history.curves["a"]
    view.set_run(_run(names=("solo",)))
    assert view.panels == panels[:1] and panels[1].isHidden()
    assert view.history.curves["solo"] == curves  # the same curve items, refilled
    assert _points(view.history.curves["solo"]["loss"]) == 0
    hidden = [c for c in view.history.layers.getPlotItem().items if not c.isVisible()]
    assert hidden and all(_points(c) == 0 for c in hidden)
    # One with more models builds only the panel missing.
    view.set_run(_run(names=("a", "b", "c")))
    assert view.panels[:2] == panels and len(view.panels) == 3
    assert all(p.isVisible() for p in view.panels)
    _feed(view.run, range(1, 4), rng)
    _drawn(qtbot, view)
    assert [len(p.depth_plot.current_data()[0]) for p in view.panels] == [6, 6, 6]


def test_a_new_norm_range_reaches_one_plot_per_frame_and_the_axes_keep_their_width(
        qtbot, view):
    rng = np.random.default_rng(11)
    run = _run()
    view.set_run(run)
    _feed(run, range(1, 6), rng, -1.2, -0.8)
    _drawn(qtbot, view)
    depth = [p.depth_plot for p in view.panels]
    axes = [plot.getPlotItem().getAxis("left") for plot in depth]
    widths = [axis.width() for axis in axes]
    before = [plot.getPlotItem().vb.viewRange()[1] for plot in depth]
    assert before[0] == pytest.approx(before[1])
    # Norms four decades lower: the shared range widens, and the tick labels grow longer.
    for model in run:
        model.add_step(6, 0.5, 0.5, np.full(model.depth, 1e-5))
    view.mark_dirty()
    view.timer.stop()
    view._tick()  # one frame: the first model's depth plot
    first, second = (plot.getPlotItem().vb.viewRange()[1] for plot in depth)
    assert first[0] < -5 and second == pytest.approx(before[1])
    view._tick()  # the next frame: the second model's catches up
    assert depth[1].getPlotItem().vb.viewRange()[1] == pytest.approx(
        depth[0].getPlotItem().vb.viewRange()[1])
    qtbot.wait(50)
    assert [axis.width() for axis in axes] == widths
    # The link still carries what the user does: zooming one plot moves the other.
    depth[1].getPlotItem().vb.setYRange(-3, -1, padding=0)
    assert depth[0].getPlotItem().vb.viewRange()[1] == pytest.approx([-3, -1], abs=0.05)
