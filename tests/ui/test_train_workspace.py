"""The Train workspace offscreen: a short twin run on tiny models, pause/stop, closing mid-run,
reopening and following run folders, a model that stops with NaN, export."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from torch import nn
from PySide6.QtCore import Qt

from cnnviz.core.train import GradNormRecorder, ModelConfig, RunConfig, read_run, train
from run_folders import open_run_and_read

WAIT_MS = 60_000


class Tiny(nn.Module):
    """conv -> relu -> conv -> pool -> linear: three measured layers, fast on a CPU."""

    def __init__(self, poison_from: int | None = None):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.fc = nn.Linear(4, 3)
        self.calls = 0
        self.poison_from = poison_from

    def forward(self, x):
        out = self.fc(torch.relu(self.conv2(torch.relu(self.conv1(x)))).mean(dim=(2, 3)))
        if self.training:
            self.calls += 1
            if self.poison_from and self.calls >= self.poison_from:
                out = out * float("nan")
        return out


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def past_run(data, tmp_path_factory):
    """A finished run folder of 7 steps (an epoch is 6), written by the engine itself."""
    folder = tmp_path_factory.mktemp("runs") / "past"
    list(train(_config(steps=7), data=data, modules={"plain": Tiny(), "residual": Tiny()},
               run_dir=folder))
    return folder


def _config(steps=12, **changes):
    base = dict(models=(ModelConfig("tiny", name="plain"), ModelConfig("tiny", name="residual")),
                batch_size=8, steps=steps, lr=0.05, seed=1, device="cpu")
    return RunConfig(**{**base, **changes})


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (1400, 900))


def _start(ws, data, tmp_path, steps=12, **models):
    modules = {"plain": models.get("plain") or Tiny(), "residual": models.get("residual") or Tiny()}
    assert ws.start(config=_config(steps), modules=modules, data=data, run_dir=tmp_path / "run")
    return modules


def test_a_twin_run_fills_every_plot(qtbot, ws, data, tmp_path):
    _start(ws, data, tmp_path, steps=8)
    assert ws.bar.state in ("starting", "running")
    assert not ws.bar.start_button.isEnabled()
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    ws.view.refresh()
    assert ws.banner.isHidden(), ws.banner.text.text()
    assert [p.series.name for p in ws.view.panels] == ["plain", "residual"]
    for panel in ws.view.panels:
        x, y = panel.depth_plot.current_data()
        assert list(x) == [1.0, 2.0, 3.0]
        assert np.all(np.isfinite(y)) and np.all(y > 0)
        image = panel.heat_map.image_data()
        assert image.shape == (3, 8)  # layers x logged steps
        steps, loss = ws.view.history.curves[panel.series.name]["loss"].getData()
        assert list(steps) == list(range(1, 9))
        assert np.all(np.isfinite(loss))
        steps, _ = ws.view.history.curves[panel.series.name]["layer:first"].getData()
        assert len(steps) == 8
        # The depth curve shows the latest logged step's norms exactly.
        assert np.allclose(y, panel.series.grads.view[-1])
    sentence = ws.view.sentence.text()
    assert "plain: the first layer's gradient is" in sentence and "residual:" in sentence
    assert ws.bar.progress.value() == 8
    assert "Training finished after 8 steps" in ws.bar.status.text()
    assert read_run(tmp_path / "run").status == "finished"
    assert ws.bar.start_button.isEnabled()


def test_pause_holds_the_run_and_stop_ends_it(qtbot, ws, data, tmp_path):
    _start(ws, data, tmp_path, steps=100_000)
    qtbot.waitUntil(lambda: ws._step >= 2, timeout=WAIT_MS)
    ws.bar.pause_button.click()
    assert ws.bar.state == "paused" and ws.worker.paused
    assert ws.bar.pause_button.text() == "Resume"
    qtbot.wait(300)  # let a step that was under way arrive
    held = ws._step
    qtbot.wait(400)
    assert ws._step == held
    ws.bar.pause_button.click()
    assert ws.bar.state == "running"
    qtbot.waitUntil(lambda: ws._step > held + 1, timeout=WAIT_MS)
    ws.bar.stop_button.click()
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    run = read_run(tmp_path / "run")
    assert run.status == "stopped"
    assert run.meta["finished"]["reason"] == "stopped"
    assert ws.run.status == "stopped"
    assert ws.bar.state == "idle"


def test_closing_mid_run_stops_joins_and_leaves_a_complete_log(qtbot, ws, data, tmp_path):
    _start(ws, data, tmp_path, steps=100_000)
    qtbot.waitUntil(lambda: ws._step >= 3, timeout=WAIT_MS)
    worker = ws.worker
    ws.shutdown()
    assert ws.worker is None
    assert not worker.is_running()
    run = read_run(tmp_path / "run")
    assert run.status == "stopped"
    for model in run.models:
        assert len(model.scalars) == len(model.grad_norms) >= 3
        assert model.grad_norms.columns == ("step", *model.layer_names)


def test_closing_the_main_window_mid_run_exits_cleanly(qtbot, window, data, tmp_path):
    arch = window.pages.get("arch")
    if arch is not None:
        # torch.fx tracing (the Architectures workspace inspecting its first model) patches
        # nn.Module.__call__ process-wide; let it finish before training starts.
        qtbot.waitUntil(lambda: arch.report is not None and not arch.runner.busy,
                        timeout=WAIT_MS)
    ws = window.show_workspace("train")
    _start(ws, data, tmp_path, steps=100_000)
    qtbot.waitUntil(lambda: ws._step >= 2, timeout=WAIT_MS)
    window.close()
    assert not ws.running
    run = read_run(tmp_path / "run")
    assert run.status == "stopped", run.meta["finished"]


def test_a_model_that_goes_nan_shows_its_sentence_while_the_twin_goes_on(qtbot, ws, data,
                                                                          tmp_path):
    _start(ws, data, tmp_path, steps=6, plain=Tiny(poison_from=4))
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    ws.view.refresh()
    plain, residual = ws.view.panels
    assert not plain.stop_box.isHidden()
    assert "plain's loss became NaN" in plain.stop_text.text()
    assert residual.stop_box.isHidden()
    assert len(plain.series) == 3 and len(residual.series) == 6
    x, y = residual.depth_plot.current_data()
    assert len(y) == 3 and np.all(np.isfinite(y))


def test_reopening_a_run_folder_fills_the_plots(qtbot, ws, past_run, tmp_path):
    from cnnviz.ui.train.workspace import TrainWorkspace

    folder = past_run
    assert TrainWorkspace.can_open(folder)
    assert not TrainWorkspace.can_open(folder.parent.parent)
    ws.open_paths([folder])
    assert "Reading" in ws.bar.status.text()  # the rows come from a worker thread
    qtbot.waitUntil(lambda: ws.source is not None and ws.source.loaded, timeout=WAIT_MS)
    ws.view.refresh()
    assert ws.source is not None and not ws.source.live
    assert ws.bar.state == "idle"
    for panel in ws.view.panels:
        assert panel.heat_map.image_data().shape == (3, 7)
        steps, acc = ws.view.history.curves[panel.series.name]["accuracy"].getOriginalDataset()
        assert len(steps) == 7 and np.all((acc >= 0) & (acc <= 100))
        # Validation at each epoch end (6 steps) and at the run's end arrives as dots.
        steps, _ = ws.view.history.curves[panel.series.name]["val_loss"].getOriginalDataset()
        assert list(steps) == [6, 7]
    assert "finished" in ws.bar.status.text()
    # The browser lists it when pointed at its parent.
    ws.browser.set_root(folder.parent)
    assert ws.browser.paths() == [folder]


def test_a_folder_that_is_not_a_run_is_a_sentence(ws, tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"hello": 1}))
    assert not ws.open_run(tmp_path)
    assert not ws.banner.isHidden()
    assert "was not written by cnnviz" in ws.banner.text.text()


def test_a_recorder_run_being_written_is_followed_live(qtbot, ws, tmp_path):
    model = Tiny()
    folder = tmp_path / "script"
    recorder = GradNormRecorder(model, run_dir=folder, name="mine")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(4, 3, 8, 8), torch.tensor([0, 1, 2, 0])

    def step(n):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        recorder.record(n, loss=loss.item())
        optimizer.step()

    for n in range(1, 4):
        step(n)
    assert open_run_and_read(qtbot, ws, folder)
    assert ws.source.live and ws.bar.state == "following"
    (panel,) = ws.view.panels
    assert len(panel.series) == 3
    for n in range(4, 7):
        step(n)
    qtbot.waitUntil(lambda: len(panel.series) == 6, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.heat_map.image_data() is not None
                    and panel.heat_map.image_data().shape == (3, 6), timeout=WAIT_MS)
    curve = ws.view.history.curves["mine"]["loss"]
    # The plot timer redraws one plot per tick; the loss plot may come a few ticks later.
    qtbot.waitUntil(lambda: len(curve.getOriginalDataset()[0]) == 6, timeout=WAIT_MS)
    steps, loss = curve.getOriginalDataset()
    assert list(steps) == [1, 2, 3, 4, 5, 6] and np.all(np.isfinite(loss))
    recorder.close()
    qtbot.waitUntil(lambda: not ws.source.live, timeout=WAIT_MS)
    assert ws.bar.state == "idle"


def test_hover_reads_the_value_under_the_mouse(qtbot, ws, past_run):
    assert open_run_and_read(qtbot, ws, past_run)
    ws.view.refresh()
    panel = ws.view.panels[0]
    norm = panel.series.grads.view[-1][1]
    text = panel.depth_plot.hover.hover_at(2, np.log10(norm))
    assert "conv2" in text and "step 7" in text and f"{norm:.3g}" in text
    text = panel.heat_map.hover.hover_at(3, 0.5)
    assert "step 3" in text and "conv1" in text
    vb = ws.view.history.loss.getPlotItem().vb
    vb.autoRange()
    text = ws.view.history.hovers[1].hover_at(4, sum(vb.viewRange()[1]) / 2)
    assert "plain @ 4: loss" in text and "residual @ 4: loss" in text


def test_plots_export_to_png_and_their_data_to_csv(qtbot, ws, past_run, tmp_path):
    assert open_run_and_read(qtbot, ws, past_run)
    pngs = ws.export("png", tmp_path / "png")
    names = {p.name for p in pngs}
    assert {"plain-depth.png", "residual-heatmap.png", "loss.png", "overview.png"} <= names
    for path in pngs:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage
    assert QImage(str(tmp_path / "png" / "loss.png")).width() >= 800
    # A file that cannot be written is a sentence, and no half-written file is left.
    blocked = tmp_path / "blocked"
    (blocked / "loss.png").mkdir(parents=True)
    assert ws.export("png", blocked) == []
    assert "loss.png" in ws.banner.message and "Traceback" not in ws.banner.message
    assert not [p for p in blocked.iterdir() if p.name.startswith(".")]
    files = ws.export("csv", tmp_path / "csv")
    with open(tmp_path / "csv" / "plain-grad_norms.csv") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["step", "conv1", "conv2", "fc"]
    assert len(rows) == 8 and rows[-1][0] == "7"
    logged = read_run(past_run).model("plain").grad_norms.values()[-1]
    assert np.allclose([float(v) for v in rows[-1][1:]], logged, rtol=1e-5)
    assert any(p.name == "residual-scalars.csv" for p in files)


def test_the_layer_choice_adds_curves(qtbot, ws, past_run):
    assert open_run_and_read(qtbot, ws, past_run)
    ws.view.history.choose("middle", True)
    curve = ws.view.history.curves["plain"]["layer:middle"]
    steps, values = curve.getOriginalDataset()  # getData() gives log10 on a log axis
    assert len(steps) == 7
    assert np.allclose(values, ws.run.models["plain"].grads.view[:, 1])
    ws.view.history.choose("first", False)
    assert "layer:first" not in ws.view.history.curves["plain"]


def test_the_form_builds_the_preset_or_a_custom_pair(ws):
    from cnnviz.core.train.presets import get_preset

    form = ws.form
    form.choose_preset("plain56-vs-resnet56-no-bn")
    preset = get_preset("plain56-vs-resnet56-no-bn")
    config = form.config()
    assert config.models == preset.models
    assert config.lr == pytest.approx(preset.settings["lr"])
    assert not form.batch_norm.isChecked()
    form.rows[1].combo.setCurrentText("efficientnet_b0")
    assert form.preset is None and form.preset_combo.currentData() == ""
    config = form.config()
    assert [m.arch for m in config.models] == ["plain56", "efficientnet_b0"]
    # The form leaves out switches at their default value.
    assert config.models[0].options == {
        k: v for k, v in preset.models[0].options.items() if v != "default"}
    form.length_unit.setCurrentIndex(form.length_unit.findData("epochs"))
    form.length.setValue(3)
    assert form.config().epochs == 3 and form.config().steps is None


def test_settings_that_cannot_run_are_a_sentence(ws):
    form = ws.form
    form.dataset.setCurrentIndex(form.dataset.findData("folder"))
    assert not ws.start()
    assert "Choose the image folder" in ws.banner.text.text()
    assert not ws.running


def test_an_unknown_model_is_a_sentence_from_the_worker(qtbot, ws, tmp_path):
    config = RunConfig(models=(ModelConfig("no_such_net"),), steps=2, batch_size=4,
                       train_size=16, val_size=8, device="cpu")
    assert ws.start(config=config, run_dir=tmp_path / "bad")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert not ws.banner.isHidden()
    assert "no_such_net" in ws.banner.text.text()
    assert ws.bar.start_button.isEnabled()


def test_the_theme_can_change_mid_view(qtbot, ws, past_run):
    from cnnviz.ui.theme import theme_manager

    assert open_run_and_read(qtbot, ws, past_run)
    theme_manager().set_mode("dark")
    try:
        ws.view.refresh()
        dark = ws.view.panels[0].color.name()
        assert ws.view.history.curves["plain"]["loss"].getData()[0] is not None
    finally:
        theme_manager().set_mode("light")
    assert ws.view.panels[0].color.name() != dark


def test_the_main_window_routes_a_run_folder_to_train_and_lists_its_actions(qtbot, window,
                                                                            past_run):
    routed = window.open_paths([past_run])
    assert routed == {"train": [past_run]}
    ws = window.pages["train"]
    qtbot.waitUntil(lambda: ws.source is not None and ws.source.loaded, timeout=WAIT_MS)
    assert window.current_key() == "train"
    assert [p.series.name for p in ws.view.panels] == ["plain", "residual"]
    titles = [a.text() for a in ws.menu_actions()]
    assert titles[0] == "Open &Run Folder…" and all(a.isEnabled() for a in ws.menu_actions())


def test_an_augmentation_pipeline_from_the_studio_trains(qtbot, ws, data, tmp_path):
    from cnnviz.core.augment.pipeline import Pipeline, Step

    path = tmp_path / "flip.json"
    Pipeline([Step("hflip")]).save(path)
    ws.form.pipeline.setText(str(path))
    config = ws.form.config()
    assert config.pipeline == str(path)
    assert ws.start(config=config.replace(models=_config().models, steps=3, batch_size=8),
                    modules={"plain": Tiny(), "residual": Tiny()}, data=data,
                    run_dir=tmp_path / "run")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert ws.banner.isHidden(), ws.banner.text.text()
    run = read_run(tmp_path / "run")
    assert run.status == "finished" and run.meta["config"]["pipeline"] == str(path)
    ws.form.pipeline.setText(str(tmp_path / "missing.json"))
    assert not ws.start()
    assert "no augmentation pipeline file" in ws.banner.text.text()


def test_enter_in_the_form_starts_the_run_it_describes(qtbot, ws, tmp_path):
    form = ws.form
    form.runs_dir.edit.setText(str(tmp_path))
    form.train_size.setValue(64)
    form.batch_size.setValue(8)
    form.length.setValue(2)
    form.length.setFocus()
    qtbot.keyClick(form.length, Qt.Key.Key_Return)
    assert ws.running
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert ws.banner.isHidden(), ws.banner.text.text()
    assert ws.run.last_step == 2
    # Enter again (the field locked during the run, so it is clicked back into) starts again;
    # while that run trains, another start is refused.
    form.length.setFocus()
    qtbot.keyClick(form.length, Qt.Key.Key_Return)
    assert ws.running and not ws.start()
    ws.stop()
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)


def test_the_settings_column_is_as_wide_as_its_styled_fields(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    ws = make_shown(TrainWorkspace, (1280, 800))
    form = ws.form
    assert form.viewport().width() >= form.widget().minimumSizeHint().width()
    assert form.horizontalScrollBar().maximum() == 0


def test_a_reopened_runs_snapshots_say_the_size_it_trained_at(qtbot, ws, past_run):
    from cnnviz.core.train import read_run

    sent = []
    ws.gradients_changed.connect(sent.append)
    assert open_run_and_read(qtbot, ws, past_run)
    size = read_run(past_run).meta["image_size"]
    assert sent and all(s.input_shape == (3, size, size) for s in sent)
