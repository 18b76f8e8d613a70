"""The Train workspace's first run starts without building its plots on the spot: panels are
built ahead, one plot per turn of the event loop, once the view has shown; a run takes them
(or finishes them when it comes early), fills them, and the next run reuses them."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.core.train import ModelConfig, RunConfig
from tiny_models import Tiny

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")



def _config(names=("plain", "residual"), steps=4):
    return RunConfig(models=tuple(ModelConfig("tiny", name=n) for n in names), batch_size=8,
                     steps=steps, lr=0.05, seed=1, device="cpu")


def _train(qtbot, train_ws, data, folder, names=("plain", "residual"), steps=4):
    assert train_ws.start(config=_config(names, steps), modules={n: Tiny() for n in names},
                    data=data, run_dir=folder)
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    assert train_ws.banner.isHidden(), train_ws.banner.text.text()


def _ready(qtbot, view, count=2):
    qtbot.waitUntil(lambda: len(view.pool.panels) == count and not view.pool.busy,
                    timeout=WAIT_MS)


def _drawn(qtbot, view):
    view.mark_dirty()
    qtbot.waitUntil(lambda: not view._pending, timeout=WAIT_MS)


def test_the_shown_view_builds_two_panels_ahead_one_plot_per_turn(qtbot, make_shown,
                                                                  monkeypatch):
    from cnnviz.ui.train import run_view

    built = []
    for name in ("DepthPlot", "HeatMap"):
        cls = getattr(run_view, name)

        def counting(pal, *args, cls=cls, **kwargs):
            built.append(cls.__name__)
            return cls(pal, *args, **kwargs)

        monkeypatch.setattr(run_view, name, counting)
    view = make_shown(run_view.RunView, (1280, 800))
    per_turn = []
    before = [0]

    def turned():  # runs after the pool's own handler of the same timeout
        per_turn.append(len(built) - before[0])
        before[0] = len(built)

    view.pool.timer.timeout.connect(turned)
    assert view.panels == [] and view.currentWidget() is view.empty
    _ready(qtbot, view)
    assert sorted(built) == ["DepthPlot", "DepthPlot", "HeatMap", "HeatMap"]
    assert max(per_turn) == 1 and len(per_turn) > 4
    # Built ahead, laid out for a pair, but nothing shown yet: the empty page stays up.
    assert view.panels == [] and view.currentWidget() is view.empty
    depth = view.pool.panels[0].depth_plot
    assert depth.width() > 300 and depth.height() > 100
    assert depth.getPlotItem().getAxis("left").picture is not None  # painted once offscreen


def test_the_first_run_fills_the_panels_built_ahead_and_the_next_reuses_them(qtbot, train_ws,
                                                                             data, tmp_path):
    view = train_ws.view
    _ready(qtbot, view)
    built = list(view.pool.panels)
    _train(qtbot, train_ws, data, tmp_path / "first")
    assert view.panels == built
    _drawn(qtbot, view)
    for panel in view.panels:
        x, y = panel.depth_plot.current_data()
        assert list(x) == [1.0, 2.0] and np.allclose(y, panel.series.grads.view[-1])
        assert panel.heat_map.image_data().shape == (2, 4)
        steps, loss = view.history.curves[panel.series.name]["loss"].getOriginalDataset()
        assert list(steps) == [1, 2, 3, 4] and np.all(np.isfinite(loss))
    curves = {name: dict(items) for name, items in view.history.curves.items()}
    _train(qtbot, train_ws, data, tmp_path / "second", steps=3)
    assert view.panels == built and view.pool.panels == built
    assert view.history.curves == curves  # the same curve items, refilled
    _drawn(qtbot, view)
    for panel in view.panels:
        assert panel.heat_map.image_data().shape == (2, 3)
    assert train_ws.export("png", tmp_path / "png") and train_ws.export("csv", tmp_path / "csv")
    assert (tmp_path / "csv" / "residual-grad_norms.csv").read_text().count("\n") == 4


def test_a_run_started_before_the_panels_are_ready_gets_them_all(qtbot, train_ws, data, tmp_path):
    view = train_ws.view
    assert len(view.pool.panels) == 0  # Start pressed as soon as the workspace showed
    _train(qtbot, train_ws, data, tmp_path / "run", names=("a", "b", "c"), steps=3)
    assert len(view.panels) == 3 and all(p.isVisible() for p in view.panels)
    _drawn(qtbot, view)
    for panel in view.panels:
        assert len(panel.depth_plot.current_data()[0]) == 2
        assert panel.heat_map.image_data().shape == (2, 3)
    # A pair next: the first two panels serve it, the third waits hidden.
    _train(qtbot, train_ws, data, tmp_path / "pair", steps=2)
    assert view.panels == view.pool.panels[:2] and view.pool.panels[2].isHidden()


def test_building_ahead_follows_a_theme_change(qtbot, make_shown):
    from PySide6.QtGui import QColor

    from cnnviz.ui.theme import theme_manager
    from cnnviz.ui.train import plot_style as style
    from cnnviz.ui.train.run_view import RunView

    view = make_shown(RunView, (1280, 800))
    # The first panel half built (its depth plot in the light theme), then the theme turns.
    qtbot.waitUntil(lambda: view.pool._building is not None, timeout=WAIT_MS)
    assert not view.pool.panels
    theme_manager().set_mode("dark")
    try:
        _ready(qtbot, view)
        pal = theme_manager().palette
        for index, panel in enumerate(view.pool.panels):
            assert panel.color.name() == style.model_color(index, pal).name()
            assert panel.depth_plot.backgroundBrush().color() == QColor(pal.surface)
            assert panel.heat_map.backgroundBrush().color() == QColor(pal.surface)
    finally:
        theme_manager().set_mode("light")


def test_the_pool_builds_a_piece_per_turn_finishes_on_demand_and_stops_for_good(qtbot):
    from cnnviz.ui.train.panel_pool import PanelPool

    pieces: list[str] = []
    settled: list[int] = []

    def build(index):
        for piece in ("a", "b"):
            pieces.append(f"{index}{piece}")
            yield
        return f"panel{index}"

    def settle(count):
        settled.append(count)
        yield

    pool = PanelPool(build, settle)
    pool.timer.stop()
    pool.want(2)
    assert pool.busy
    pool._tick()
    assert pieces == ["0a"] and pool.panels == []
    # Needed now: the half-built panel is finished rather than started again.
    assert pool.take(1) == ["panel0"] and pieces == ["0a", "0b"]
    qtbot.waitUntil(lambda: not pool.busy, timeout=WAIT_MS)
    assert pool.panels == ["panel0", "panel1"] and pieces == ["0a", "0b", "1a", "1b"]
    assert settled == []  # take() showed the panels for real: nothing to settle
    ahead = PanelPool(build, settle)
    ahead.want(1)
    qtbot.waitUntil(lambda: not ahead.busy, timeout=WAIT_MS)
    assert ahead.panels == ["panel0"] and settled == [1]
    pool.stop()
    pool.want(3)
    assert not pool.busy and len(pool.panels) == 2
    assert pool.take(3)[-1] == "panel2"  # a run still gets what it needs


def test_a_piece_that_fails_is_not_kept_half_built(qtbot):
    from cnnviz.ui.train.panel_pool import PanelPool

    attempts = []

    def build(index):
        attempts.append(index)
        if len(attempts) == 1:
            raise RuntimeError("no display")
        yield
        return f"panel{index}"

    pool = PanelPool(build)
    with pytest.raises(RuntimeError):
        pool.take(1)
    assert pool.panels == []
    assert pool.take(1) == ["panel0"] and attempts == [0, 0]
