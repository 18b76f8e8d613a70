"""The setup form's transfer-learning controls, the past runs, and reopening a run refilling
the form."""

from __future__ import annotations

import urllib.error

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from cnnviz.core.train import (
    GradNormRecorder,
    ModelConfig,
    ModelInfo,
    RunConfig,
    RunFinished,
    RunLog,
)
from cnnviz.core.train.presets import get_preset
from run_folders import open_run_and_read

WAIT_MS = 90_000  # the first architecture check imports torchvision on a busy machine


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (1216, 740))


def _facts_in(qtbot, form):
    qtbot.waitUntil(lambda: all(r.facts is not None and r.facts.arch == r.arch
                                for r in form.rows), timeout=WAIT_MS)


def test_start_from_and_freeze_go_into_the_model_configs(qtbot, ws, tmp_path, monkeypatch):
    form = ws.form
    form.choose_preset("plain20-vs-resnet20")
    form.rows[1].combo.setCurrentText("resnet18")
    _facts_in(qtbot, form)
    plain, resnet = form.rows
    # plain20 has no published ImageNet weights: offered, but disabled, with the reason.
    item = plain.start.model().item(plain.start.findData("pretrained"))
    assert not item.isEnabled()
    assert "no ImageNet weights" in plain.start.itemData(1, Qt.ItemDataRole.ToolTipRole)
    assert resnet.start.model().item(1).isEnabled()
    # The freeze menu lists the blocks in order, without the last (nothing would train).
    blocks = [resnet.freeze.itemData(i) for i in range(resnet.freeze.count())]
    assert blocks == [None, "conv1", "bn1", "layer1", "layer2", "layer3", "layer4"]

    resnet.start.setCurrentIndex(1)
    resnet.start.activated.emit(1)
    resnet.freeze.setCurrentIndex(resnet.freeze.findData("layer2"))
    weights = tmp_path / "plain20.pt"
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(weights), ""))
    chooser = plain.start.count() - 1
    plain.start.setCurrentIndex(chooser)
    plain.start.activated.emit(chooser)
    assert plain.start.currentText() == "File plain20.pt"
    assert plain.start.toolTip() == str(weights)

    models = form.config().models
    assert models[0].weights == str(weights) and models[0].freeze_until is None
    assert models[1] == ModelConfig("resnet18", name="resnet18", weights="pretrained",
                                    freeze_until="layer2")
    # Changing the architecture drops what it no longer offers.
    resnet.combo.setCurrentText("plain18")
    _facts_in(qtbot, form)
    assert form.config().models[1].weights is None


def test_offline_imagenet_weights_are_a_sentence_in_the_banner(qtbot, ws, monkeypatch):
    import torchvision.models._api as api

    def offline(*_args, **_kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(api, "load_state_dict_from_url", offline)
    config = RunConfig(models=(ModelConfig("resnet18", weights="pretrained"),),
                       num_classes=3, train_size=8, val_size=4, batch_size=4, steps=1,
                       device="cpu")
    assert ws.start(config=config)
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert not ws.banner.isHidden()
    assert ws.banner.text.text() == ("Could not download the pretrained weights of resnet18: "
                                     "this computer seems to be offline.")
    assert ws.bar.start_button.isEnabled()


def _past_run(folder, config):
    """A finished run folder of ``config`` as the engine writes it (no step needed here)."""
    infos = [ModelInfo(name=m.label, arch=m.arch, display_name=m.arch, layer_names=("conv1",),
                       frozen=(False,), num_params=1, trainable_params=1)
             for m in config.models]
    log = RunLog(folder, config=config.to_dict(), models=infos)
    log.finish(RunFinished(0, "completed", "Training finished after 0 steps.", 0.0,
                           str(folder)))
    return folder


def test_reopening_a_run_refills_the_form_with_its_settings(qtbot, ws, tmp_path):
    preset = get_preset("plain20-vs-resnet20-no-bn")
    models = (preset.models[0],
              ModelConfig(**{**preset.models[1].to_dict(), "freeze_until": "layer1"}))
    settings = {**preset.settings, "lr": 0.003, "optimizer": "adam"}
    config = RunConfig(models=models, **settings, dataset="shapes", num_classes=3,
                       train_size=16, val_size=8, batch_size=4, steps=2, schedule="cosine",
                       seed=7, device="cpu", validate=False)
    folder = _past_run(tmp_path / "nobn", config)
    form = ws.form
    form.choose_preset("plain20-vs-resnet20")  # batch norm on, SGD: unlike the run
    assert form.batch_norm.isChecked()
    ws.browser.set_root(tmp_path)
    ws.browser.tree.itemActivated.emit(ws.browser.tree.topLevelItem(0), 0)
    assert ws.source is not None and ws.run_dir == folder
    assert form.preset_combo.currentData() == preset.key
    assert not form.batch_norm.isChecked()
    assert form.optimizer.currentData() == "adam" and form.lr.value() == pytest.approx(0.003)
    assert form.length.value() == 2 and form.length_unit.currentData() == "steps"
    assert form.seed.value() == 7 and form.schedule.currentData() == "cosine"
    assert form.rows[1].freeze_until == "layer1"
    again = form.config()
    assert again.models == config.models
    assert (again.optimizer, again.lr, again.steps, again.seed, again.batch_size) == \
        ("adam", pytest.approx(0.003), 2, 7, 4)
    assert not form.note.isHidden() and "this run's settings" in form.note.text()
    assert "nobn" not in form.note.text()  # the folder name is an id, not a title
    _facts_in(qtbot, form)  # the blocks arrive later and keep the choice
    assert form.rows[1].freeze_until == "layer1"
    form.seed.setValue(8)  # an edit: the note no longer describes the form
    assert form.note.isHidden()


def test_a_custom_pair_is_refilled_model_by_model(qtbot, ws, tmp_path):
    options = {"batch_norm": False, "activation": "tanh"}
    config = RunConfig(models=(ModelConfig("plain20", options=options),
                               ModelConfig("resnet32", options=options)),
                       num_classes=3, train_size=8, val_size=4, batch_size=4, steps=1,
                       device="cpu", validate=False)
    folder = _past_run(tmp_path / "custom", config)
    assert open_run_and_read(qtbot, ws, folder)
    form = ws.form
    assert form.preset is None and form.preset_combo.currentData() == ""
    assert [r.arch for r in form.rows] == ["plain20", "resnet32"]
    assert form.activation.currentData() == "tanh" and not form.batch_norm.isChecked()
    assert [m.to_dict() for m in form.config().models] == [m.to_dict() for m in config.models]


def test_a_script_run_leaves_the_form_alone_and_says_so(qtbot, ws, tmp_path):
    form = ws.form
    form.choose_preset("plain20-vs-resnet20-sigmoid")
    before = form.config()
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 3))
    recorder = GradNormRecorder(model, run_dir=tmp_path / "script", name="mine")
    loss = model(torch.randn(2, 3, 2, 2)).sum()
    loss.backward()
    recorder.record(1, loss=float(loss.detach()))
    recorder.close()
    assert open_run_and_read(qtbot, ws, tmp_path / "script")
    assert form.config() == before
    assert form.note.text() == ("script was written by a script that saved no settings, so "
                                "the form below keeps yours.")
    assert not form.note.isHidden()


def _blocks(row):
    return [row.freeze.itemData(i) for i in range(1, row.freeze.count())]


def test_an_answer_about_the_old_switches_is_not_offered(qtbot, ws):
    form = ws.form
    form.choose_preset("plain20-vs-resnet20")
    _facts_in(qtbot, form)
    row = form.rows[1]
    with_bn = row.facts
    assert "bn1" in _blocks(row)
    form.batch_norm.setChecked(False)
    # At once: the blocks with batch norm no longer describe the model.
    assert row.facts is None and "bn1" not in _blocks(row)
    # The check asked for before the toggle answers late, through the cache's real callback.
    form.facts._ready(row, (row.arch, ()), with_bn)
    assert row.facts is None and "bn1" not in _blocks(row)
    _facts_in(qtbot, form)
    assert row.facts.options == (("batch_norm", False),)
    assert _blocks(row) == ["conv1", "layer1", "layer2", "layer3"]


def test_a_refill_keeps_values_beyond_the_fields_and_says_what_it_cannot_keep(
        qtbot, ws, tmp_path, monkeypatch):
    import threading

    from cnnviz.ui.train import model_row

    # The facts of the form as it opened come first: arriving late, under a busy machine,
    # they would check the refilled block to freeze before the test has seen it.
    _facts_in(qtbot, ws.form)
    # The models' facts are held back until the test has seen the form without them (a
    # fast worker would otherwise bring them before the first look).
    release = threading.Event()
    work_out = model_row.model_facts

    def held(*args):
        release.wait(WAIT_MS / 1000)
        return work_out(*args)

    monkeypatch.setattr(model_row, "model_facts", held)
    ws.form.facts._known.clear()
    models = (ModelConfig("plain20"), ModelConfig("resnet20", freeze_until="layer9"))
    config = RunConfig(models=models, num_classes=3, train_size=20_000, val_size=4,
                       batch_size=8192, steps=2_000_000, optimizer="adam", lr=0.00003,
                       seed=2**40, device="cpu", validate=False)
    folder = _past_run(tmp_path / "big", config)
    assert open_run_and_read(qtbot, ws, folder)
    form = ws.form
    again = form.config()
    # Beyond the fields' usual ranges, yet kept as they were: the fields widened.
    assert (again.steps, again.batch_size) == (2_000_000, 8192)
    assert again.lr == pytest.approx(0.00003, rel=1e-9)
    # A seed no spin box can hold is named in the refill's line, not changed silently.
    assert not form.note.isHidden()
    assert "seed 1099511627776" in form.note.text()
    assert form.note.text().startswith("The form below holds this run's settings")
    # The block to freeze up to is kept until the model's blocks are known, then the line
    # says it is not one of them.
    assert form.rows[1].freeze_until == "layer9"
    release.set()
    _facts_in(qtbot, form)
    assert form.rows[1].freeze_until is None
    assert "ResNet-20 has no block layer9 to freeze up to" in form.note.text()
    assert "seed 1099511627776" in form.note.text()  # added to the line, not replacing it


def test_the_past_runs_list_catches_up_when_it_is_shown(qtbot, ws, tmp_path):
    config = RunConfig(models=(ModelConfig("plain20"),), num_classes=3, train_size=8,
                       val_size=4, batch_size=4, steps=1, device="cpu", validate=False)
    first = _past_run(tmp_path / "first", config)
    ws.browser.set_root(tmp_path)
    assert ws.browser.paths() == [first]
    assert ws.tabs.currentWidget() is ws.form
    second = _past_run(tmp_path / "second", config)
    # A run ended while the list is hidden: nothing is read until it is shown.
    ws.browser.refresh_later()
    assert ws.browser.paths() == [first]
    ws.tabs.setCurrentWidget(ws.browser)
    qtbot.waitUntil(lambda: set(ws.browser.paths()) == {first, second}, timeout=5_000)
    # On screen, it lists again at once.
    third = _past_run(tmp_path / "third", config)
    ws.browser.refresh_later()
    assert set(ws.browser.paths()) == {first, second, third}
