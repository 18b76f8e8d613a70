"""The Train workspace hands its models to the other workspaces: a trained model to "Look
inside" (only while nothing trains it), and gradient snapshots to the explorer's graph."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from cnnviz.core.train import GradientSnapshot, ModelConfig, RunConfig, StepRecord, train
from cnnviz.ui.train.handoffs import TRAINING
from run_folders import open_run_and_read

WAIT_MS = 60_000


class Tiny(torch.nn.Module):
    """conv -> relu -> conv -> pool -> linear: three measured layers, fast on a CPU."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv2(torch.relu(self.conv1(x)))).mean(dim=(2, 3)))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (1216, 740))


def _tiny_config(steps, **changes):
    base = dict(models=(ModelConfig("tiny", name="plain"), ModelConfig("tiny", name="residual")),
                batch_size=8, steps=steps, lr=0.05, seed=1, device="cpu")
    return RunConfig(**{**base, **changes})


def _start_tiny(ws, data, tmp_path, steps, **changes):
    modules = {"plain": Tiny(), "residual": Tiny()}
    records: list = []
    assert ws.start(config=_tiny_config(steps, **changes), modules=modules, data=data,
                    run_dir=tmp_path / "run")
    ws.worker.record.connect(records.append)
    return modules, records


def _menu_actions(menu):
    menu.aboutToShow.emit()  # what opening the menu does: fill it for the run shown now
    return menu.actions()


def test_workspace_built_models_train_exactly_like_the_engines_own(qtbot, ws, tmp_path):
    """Without ``modules`` the workspace builds the zoo models itself (so it can hand them
    on); the same seed must give the same first steps as the engine building them."""
    config = RunConfig(models=(ModelConfig("plain20", name="plain20"),
                               ModelConfig("resnet20", name="resnet20")),
                       dataset="shapes", num_classes=3, train_size=16, val_size=8,
                       batch_size=4, steps=1, seed=5, device="cpu", validate=False)
    reference = {(r.model, r.step): r for r in train(config) if isinstance(r, StepRecord)}
    assert ws.start(config=config, run_dir=tmp_path / "run")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert ws.banner.isHidden(), ws.banner.text.text()
    for name in ("plain20", "resnet20"):
        series = ws.run.models[name]
        assert list(series.steps.view) == [1]
        assert series.loss.view[0] == pytest.approx(reference[name, 1].loss, rel=1e-6)
        np.testing.assert_allclose(series.grads.view[0], reference[name, 1].grad_norms,
                                   rtol=1e-5)
        # The workspace keeps the very modules the engine trained.
        assert isinstance(ws.handoffs.modules[name], torch.nn.Module)
    # The zoo's display names still title the run, as when the engine builds the models.
    assert ws.run.models["plain20"].display_name == "Plain-20"
    # ... and the run folder, so a reopened run is titled the same
    from cnnviz.core.train import read_run

    assert read_run(ws.run_dir).model("resnet20").display_name == "ResNet-20"
    # ... which keeps what the models learnt, for Look inside once cnnviz is closed
    saved = read_run(ws.run_dir).model("resnet20").weights
    assert (saved.file, saved.step, saved.after) == ("resnet20/weights.pt", 1, "completed")


def test_look_inside_waits_for_a_pause_and_sends_a_copy(qtbot, ws, data, tmp_path):
    modules, _records = _start_tiny(ws, data, tmp_path, steps=100_000)
    qtbot.waitUntil(lambda: ws._step >= 2, timeout=WAIT_MS)
    look = ws.bar.look_button
    assert not look.isEnabled() and look.toolTip() == TRAINING
    assert not ws.handoffs.send_model("plain")

    ws.bar.pause_button.click()
    qtbot.waitUntil(lambda: look.isEnabled(), timeout=WAIT_MS)  # the engine is parked
    held = ws._step
    actions = _menu_actions(look.menu())
    assert [a.text() for a in actions] == ["plain", "residual"]
    assert all(a.isEnabled() for a in actions)
    with qtbot.waitSignal(ws.look_inside_model_requested, timeout=WAIT_MS) as blocker:
        actions[0].trigger()
    module, arch, options, label, learnt_from = blocker.args
    assert learnt_from["classes"] == list(data.classes)
    np.testing.assert_allclose(learnt_from["mean"], data.mean, rtol=1e-6)
    assert module is not modules["plain"] and isinstance(module, Tiny)
    assert arch == "tiny" and options == {}
    # Named by the run's time, never by its folder's name ("run").
    assert re.fullmatch(rf"plain, step {held:,} of the run of \d{{1,2}} \w{{3}} \d\d:\d\d",
                        label), label
    live = modules["plain"].state_dict()
    for key, value in module.state_dict().items():
        assert torch.equal(value, live[key]), key  # the weights of the step it was paused at
    assert not module.training

    ws.bar.pause_button.click()  # resume: sending is off again until the next pause
    assert not look.isEnabled()
    qtbot.waitUntil(lambda: ws._step > held + 1, timeout=WAIT_MS)
    ws.bar.stop_button.click()
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert look.isEnabled()  # after the run the models are free
    with qtbot.waitSignal(ws.look_inside_model_requested, timeout=WAIT_MS) as blocker:
        _menu_actions(look.menu())[1].trigger()
    assert blocker.args[3].startswith("residual, step ")


def test_gradient_snapshots_carry_the_step_records_numbers(qtbot, ws, data, tmp_path):
    assert ws.handoffs.timer.interval() == 250
    snapshots: list[GradientSnapshot] = []
    ws.gradients_changed.connect(snapshots.append)
    _modules, records = _start_tiny(ws, data, tmp_path, steps=8)
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    started = next(r for r in records if hasattr(r, "total_steps"))
    layers = {m.name: m.layer_names for m in started.models}
    last = {r.model: r for r in records if isinstance(r, StepRecord)}
    for name in ("plain", "residual"):
        mine = [s for s in snapshots if s.model == name]
        # Sent by a 4 Hz timer, not per record: never more than one per logged step.
        assert 1 <= len(mine) <= 8
        final = mine[-1]
        assert final.step == 8 and final.arch == "tiny" and final.run == "run"
        assert final.input_shape == (started.channels, started.image_size, started.image_size)
        assert final.layer_names == layers[name] == ("conv1", "conv2", "fc")
        np.testing.assert_array_equal(final.norms, last[name].grad_norms)
        assert final.by_layer()["fc"] == last[name].grad_norms[2]
        # Every snapshot sent matches the record of its step.
        by_step = {r.step: r for r in records if isinstance(r, StepRecord) and r.model == name}
        for snap in mine:
            np.testing.assert_array_equal(snap.norms, by_step[snap.step].grad_norms)

    graph = ws.bar.graph_button
    assert graph.isEnabled()
    actions = _menu_actions(graph.menu())
    assert [a.text() for a in actions] == ["plain", "residual"]
    with qtbot.waitSignal(ws.show_gradients_requested, timeout=WAIT_MS) as blocker:
        actions[1].trigger()
    shown = blocker.args[0]
    assert shown.model == "residual" and shown.step == 8
    np.testing.assert_array_equal(shown.norms, last["residual"].grad_norms)


def test_opening_a_past_run_sends_its_last_logged_step(qtbot, ws, data, tmp_path):
    folder = tmp_path / "past"
    records = list(train(_tiny_config(5), data=data, modules={"plain": Tiny(), "residual": Tiny()},
                         run_dir=folder))
    last = {r.model: r for r in records if isinstance(r, StepRecord)}
    snapshots: list[GradientSnapshot] = []
    ws.gradients_changed.connect(snapshots.append)
    assert open_run_and_read(qtbot, ws, folder)
    sent = {s.model: s for s in snapshots}
    assert len(snapshots) == 2 and set(sent) == {"plain", "residual"}
    for name, snap in sent.items():
        assert snap.step == 5 and snap.run == "past"
        np.testing.assert_allclose(snap.norms, last[name].grad_norms, rtol=1e-6)
    # The folder keeps the trained weights: its models can be looked inside.
    assert ws.bar.look_button.isEnabled()
    assert [a.isEnabled() for a in _menu_actions(ws.bar.look_button.menu())] == [True, True]


def test_a_past_run_saved_without_weights_says_why_nothing_can_be_looked_inside(
        qtbot, ws, data, tmp_path):
    folder = tmp_path / "old"
    list(train(_tiny_config(2), data=data, modules={"plain": Tiny(), "residual": Tiny()},
               run_dir=folder))
    meta = json.loads((folder / "run.json").read_text())
    for entry in meta["models"]:  # as an older cnnviz wrote it
        del entry["weights"]
    (folder / "run.json").write_text(json.dumps(meta))
    assert open_run_and_read(qtbot, ws, folder)
    look = ws.bar.look_button
    assert not look.isEnabled()
    assert look.toolTip().startswith("This run kept no weights")
    assert not ws.handoffs.send_model("plain")


def test_frozen_layers_show_as_frozen_in_the_plots(qtbot, ws, data, tmp_path):
    config = _tiny_config(3)
    frozen = (ModelConfig("tiny", name="plain", freeze_until="conv1"), config.models[1])
    assert ws.start(config=config.replace(models=frozen),
                    modules={"plain": Tiny(), "residual": Tiny()}, data=data,
                    run_dir=tmp_path / "run")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    ws.view.refresh()
    plain, residual = ws.view.panels
    assert plain.series.frozen == (True, False, False)
    _x, y = plain.depth_plot.current_data()
    assert np.isnan(y[0]) and np.all(np.isfinite(y[1:]))  # a gap, not a zero
    assert "1 frozen" in plain.subtitle.text()
    assert "(frozen)" in plain.depth_plot.hover.hover_at(1, 0.0)
    assert np.all(np.isfinite(residual.depth_plot.current_data()[1]))
    snapshot = ws.handoffs.snapshot("plain")
    assert np.isnan(snapshot.norms[0]) and np.isfinite(snapshot.norms[1])


def test_a_long_title_fits_the_header_at_1280x800(ws):
    # The models' names keep the title line; the data set beside them gives way first.
    ws.bar.show_title("Plain-110 (CIFAR) vs ResNet-110 (CIFAR) · "
                      "Shapes (10 classes, 32 × 32)")
    ws.bar.layout().activate()
    label = ws.bar.title
    assert label.text() == "Plain-110 (CIFAR) vs ResNet-110 (CIFAR)" and not label.is_elided()
    # Too long beside these names: the data set's details go to its tooltip, not cut.
    detail = ws.bar.detail
    assert detail.whole == "·  Shapes (10 classes, 32 × 32)"
    assert detail.text() == "·  Shapes" and not detail.is_elided()
    assert "Shapes (10 classes, 32 × 32)" in detail.toolTip()
    assert detail.isVisible()
    assert ws.bar.shown_title().endswith(" · Shapes (10 classes, 32 × 32)")
    very_long = " vs ".join(f"Plain-{n} (CIFAR)" for n in (20, 32, 44, 56, 110))
    ws.bar.show_title(very_long)
    ws.bar.layout().activate()
    assert label.is_elided() and label.toolTip() == very_long
    # the long title never pushes the buttons beside it out of the bar
    ws.bar.layout().activate()
    assert label.minimumSizeHint().width() < ws.bar.width() // 4
    for button in (ws.bar.start_button, ws.bar.stop_button):
        assert ws.bar.rect().contains(button.geometry().translated(
            button.parentWidget().mapTo(ws.bar, button.parentWidget().rect().topLeft())))


def test_the_main_window_takes_a_trained_model_to_look_inside_and_the_graph(qtbot, window,
                                                                             tmp_path):
    arch = window.pages.get("arch")
    if arch is not None:  # let the explorer finish inspecting its first network
        qtbot.waitUntil(lambda: arch.report is not None and not arch.runner.busy,
                        timeout=WAIT_MS)
    ws = window.show_workspace("train")
    config = RunConfig(models=(ModelConfig("lenet5"),), num_classes=3, train_size=16,
                       val_size=8, batch_size=4, steps=2, device="cpu", validate=False)
    assert ws.start(config=config, run_dir=tmp_path / "lab")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert ws.banner.isHidden(), ws.banner.text.text()
    (action,) = _menu_actions(ws.bar.look_button.menu())
    action.trigger()
    qtbot.waitUntil(lambda: window.current_key() == "arch", timeout=WAIT_MS)
    panel = window.pages["arch"].look_inside()
    qtbot.waitUntil(lambda: panel._lab is not None, timeout=WAIT_MS)
    assert panel._lab.ref == "lenet5"
    assert re.fullmatch(r"LeNet-5, step 2 of the run of \d{1,2} \w{3} \d\d:\d\d",
                        panel._lab.label), panel._lab.label
    assert panel._lab.class_names == tuple(ws.handoffs.data["classes"])
    assert len(panel._lab.class_names) == 3
    # a picture reaches the copy normalised as the lab's training images were
    qtbot.waitUntil(lambda: panel.network is not None and panel.network.weights == "lab",
                    timeout=WAIT_MS)
    assert panel.network.prep.mean == pytest.approx(ws.handoffs.data["mean"])
    assert panel.network.prep.std == pytest.approx(ws.handoffs.data["std"])
    # ... at the size and channels the run fed it (LeNet-5's own: 1x32x32)
    assert (panel._lab.channels, panel._lab.image_size) == (1, 32)
    assert panel.network.input_shape == (1, 32, 32) and panel.network.trained_input
    trained = ws.handoffs.modules["lenet5"].state_dict()
    for key, value in panel._lab.model.state_dict().items():
        assert torch.equal(value, trained[key]), key

    window.show_workspace("train")
    (action,) = _menu_actions(ws.bar.graph_button.menu())
    action.trigger()
    assert window.current_key() == "arch"
    assert window._gradients[("lab", "lenet5")].step == 2
