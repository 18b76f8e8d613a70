"""Small things a student reads before and after a run: the heat map waiting for its first
step, and the Past runs list with its dates whole."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cnnviz.core.train import ModelConfig, RunConfig, train
from cnnviz.ui.train.series import RunSeries
from tiny_models import Tiny

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_heat_map_before_the_first_step_says_so_over_the_models_layers(qtbot, plot_view):
    run = RunSeries()
    run.total_steps = 40
    model = run.add_model("plain", "Plain-20", [f"layer{i}" for i in range(20)])
    plot_view.set_run(run)
    plot_view.refresh()
    heat = plot_view.panels[0].heat_map
    # The layer axis spans the 20 layers, not pyqtgraph's empty -0.5..0.5.
    assert heat.getPlotItem().vb.viewRange()[1] == pytest.approx([0, 20], abs=0.5)
    assert heat.empty_text.isVisible()
    assert heat.empty_text.textItem.toPlainText() == "Fills in from the first step"
    (left, right), (bottom, top) = heat.getPlotItem().vb.viewRange()
    pos = heat.empty_text.pos()
    assert left < pos.x() < right and bottom < pos.y() < top
    model.add_step(1, 2.3, 0.1, np.full(20, 0.1))
    plot_view.mark_dirty()
    qtbot.waitUntil(lambda: not plot_view._pending, timeout=WAIT_MS)
    assert not heat.empty_text.isVisible()
    assert heat.image_data().shape == (20, 1)


def test_past_runs_shows_each_runs_date_whole_at_1280x800(qtbot, train_ws, data, tmp_path):
    config = RunConfig(models=(ModelConfig("tiny", name="plain"),
                               ModelConfig("tiny", name="residual")),
                       batch_size=8, steps=2, lr=0.05, seed=1, device="cpu", validate=False)
    list(train(config, data=data, modules={"plain": Tiny(), "residual": Tiny()},
               run_dir=tmp_path / "runs" / "one"))
    train_ws.tabs.setCurrentWidget(train_ws.browser)
    train_ws.browser.set_root(tmp_path / "runs")
    qtbot.waitUntil(lambda: len(train_ws.browser.paths()) == 1, timeout=WAIT_MS)
    tree = train_ws.browser.tree
    item = tree.topLevelItem(0)
    lines = item.text(0).split("\n")
    assert lines[0] == "plain vs residual"
    assert re.fullmatch(r"\d\d \w{3} \d{4}, \d\d:\d\d · CPU", lines[-1]), lines
    train_ws.layout().activate()
    metrics = tree.fontMetrics()
    room = tree.columnWidth(0) - 2 * tree.style().pixelMetric(
        tree.style().PixelMetric.PM_FocusFrameHMargin) - 8
    for line in lines:
        assert metrics.horizontalAdvance(line) <= room, (line, room)
