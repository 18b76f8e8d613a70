"""A new run that fails to start leaves the run still on screen usable: its Look inside and
Show in graph stay as they were."""

from __future__ import annotations

import pytest
from tiny_models import Tiny

from cnnviz.core.train import ModelConfig, RunConfig

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _menu_texts(button):
    menu = button.menu()
    menu.aboutToShow.emit()  # what opening the menu does: fill it for the run shown now
    return [(a.text(), a.isEnabled()) for a in menu.actions()]


def test_a_failed_start_keeps_the_hand_offs_of_the_run_on_screen(qtbot, train_ws, data, tmp_path):
    config = RunConfig(models=(ModelConfig("tiny", name="plain"),
                               ModelConfig("tiny", name="residual")),
                       batch_size=8, steps=3, lr=0.05, seed=1, device="cpu", validate=False)
    assert train_ws.start(config=config, modules={"plain": Tiny(), "residual": Tiny()}, data=data,
                    run_dir=tmp_path / "first")
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    look, graph = train_ws.bar.look_button, train_ws.bar.graph_button
    assert look.isEnabled() and graph.isEnabled()
    before = _menu_texts(look)
    assert before == [("plain", True), ("residual", True)]
    title = train_ws.bar.shown_title()

    bad = RunConfig(models=(ModelConfig("no_such_net"),), steps=2, batch_size=4,
                    train_size=16, val_size=8, device="cpu")
    assert train_ws.start(config=bad, run_dir=tmp_path / "bad")
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    assert "no_such_net" in train_ws.banner.text.text()
    assert train_ws.bar.shown_title() == title
    # The run on screen can still be looked inside and shown in the graph.
    assert look.isEnabled() and graph.isEnabled()
    assert _menu_texts(look) == before
    assert _menu_texts(graph) == before
    with qtbot.waitSignal(train_ws.show_gradients_requested, timeout=WAIT_MS) as blocker:
        graph.menu().actions()[0].trigger()
    assert blocker.args[0].step == 3
    with qtbot.waitSignal(train_ws.look_inside_model_requested, timeout=WAIT_MS) as blocker:
        look.menu().actions()[1].trigger()
    assert blocker.args[3].startswith("residual, step 3")
