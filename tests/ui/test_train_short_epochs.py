"""Held-out results of a small image folder (an epoch is one step) do not cover the curves:
a thin line with a few markers, and one off-scale triangle per run of epochs beyond it."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.ui.train import held_out_marks as marks
from cnnviz.ui.train.series import RunSeries


def _points(curve) -> int:
    x, _y = curve.getData()
    return 0 if x is None else len(x)


def _run(epoch_every: int, steps: int = 200) -> RunSeries:
    run = RunSeries()
    run.total_steps = steps
    for name in ("plain20", "resnet20"):
        model = run.add_model(name, name, ["a", "b"])
        for step in range(1, steps + 1):
            model.add_step(step, 2.0 * np.exp(-step / 100), 0.5, [0.1, 1.0])
            if step % epoch_every == 0:
                # Epochs 60-89 diverge far above the scale: one run of off-scale epochs.
                loss = 1e6 if 60 <= step < 90 else 1.5 * np.exp(-step / 100)
                model.add_epoch(step, loss, 0.6)
    return run


@pytest.fixture
def history(make_shown):
    from cnnviz.ui.train.run_view import RunView

    return make_shown(RunView, (1280, 600)).history


def test_two_hundred_one_step_epochs_draw_a_line_with_a_few_markers(qtbot, history):
    run = _run(epoch_every=1)
    history.set_run(run, {m.name: history.palette().text().color() for m in run})
    history.refresh()
    items = history.curves["plain20"]
    for key in ("val_loss", "val_accuracy"):
        line = items[key]
        assert line.opts["symbol"] is None and line.opts["pen"] is not None
        assert _points(items[f"{key}_dots"]) <= marks.MARKERS + 1
    assert _points(items["val_accuracy"]) == 200
    assert "─●─" in history.scalar_legend.text()  # the legend shows the line, too
    # The 30 diverged epochs are one triangle, not a row of thirty.
    assert _points(items["val_loss_off"]) == 1
    _x, y = items["val_loss"].getData()
    assert np.isnan(y[59:89]).all()  # the line breaks where the results left the scale


def test_long_epochs_keep_a_dot_each(qtbot, history):
    run = _run(epoch_every=20)
    history.set_run(run, {m.name: history.palette().text().color() for m in run})
    history.refresh()
    items = history.curves["plain20"]
    assert items["val_accuracy"].opts["symbol"] == "o"
    assert _points(items["val_accuracy"]) == 10 and _points(items["val_accuracy_dots"]) == 0
    assert "●" in history.scalar_legend.text() and "─●─" not in history.scalar_legend.text()


def test_runs_of_off_scale_epochs_get_one_mark_each():
    off = np.array([0, 1, 1, 1, 0, 1, 0, 1, 1], dtype=bool)
    above = np.array([0, 1, 1, 1, 0, 0, 0, 1, 0], dtype=bool)
    # Two neighbours beyond opposite edges are two runs.
    assert marks.one_per_run(off, above).tolist() == [2, 5, 7, 8]
    assert marks.sparse(200).size <= marks.MARKERS + 1 and marks.sparse(200)[-1] == 199
    assert marks.is_dense(np.arange(1, 50)) and not marks.is_dense(np.arange(10, 500, 10))
