"""Refilling the setup form from a run's configuration (cnnviz.ui.train.form_refill), on the
form alone: presets recognised, custom sets rebuilt, every field filled, what cannot be shown
named, and a refilled run that cannot run pointed out at once."""

from __future__ import annotations

import pytest

from cnnviz.core.train.presets import PRESETS, get_preset
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui.train.form_refill import preset_of, same_models


@pytest.fixture
def form(make_shown):
    from cnnviz.ui.train.setup_form import SetupForm

    return make_shown(SetupForm, (380, 760))


def test_a_preset_is_recognised_by_its_models_not_by_their_training():
    preset = get_preset("plain20-vs-resnet20-sigmoid")
    trained = tuple(ModelConfig(**{**m.to_dict(), "freeze_until": "layer1",
                                   "weights": "pretrained"}) for m in preset.models)
    assert same_models(trained, preset.models)
    assert preset_of(trained) is preset
    renamed = (ModelConfig("plain20", name="mine", options=preset.models[0].options),
               preset.models[1])
    assert not same_models(renamed, preset.models) and preset_of(renamed) is None
    assert preset_of(preset.models[:1]) is None
    assert all(preset_of(p.models) is p for p in PRESETS)


def test_a_preset_run_refills_every_field(form, tmp_path):
    preset = get_preset("plain56-vs-resnet56-no-bn")
    folder = tmp_path / "digits"
    folder.mkdir()
    config = preset.config(dataset="folder", data_dir=str(folder), train_size=500,
                           batch_size=50, epochs=3, optimizer="adam", schedule="step",
                           seed=11, device="cpu")
    form.choose_preset("plain20-vs-resnet20")
    assert form.apply_config(config) == []
    assert form.preset is preset and form.preset_combo.currentData() == preset.key
    assert form.headline.isVisible() and form.lesson.text() == preset.lesson
    assert not form.batch_norm.isChecked()
    assert form.length_unit.currentData() == "epochs" and form.length.value() == 3
    again = form.config()
    assert again == config


def test_a_custom_set_is_rebuilt_model_by_model(form):
    options = {"activation": "tanh", "init": "xavier"}
    models = (ModelConfig("plain20", name="plain20", options=options),
              ModelConfig("resnet20", name="resnet20", options=options,
                          weights="/w/resnet20.pt"),
              ModelConfig("resnet20", name="resnet20-2", options=options))
    form.apply_config(RunConfig(models=models, batch_size=16, steps=5))
    assert form.preset is None and form.preset_combo.currentData() == ""
    assert not form.headline.isVisible() and "past run" in form.lesson.text()
    assert [r.arch for r in form.rows] == ["plain20", "resnet20", "resnet20"]
    assert form.rows[1].start.currentText() == "File resnet20.pt"
    assert (form.activation.currentData(), form.init.currentData()) == ("tanh", "xavier")
    assert form.config().models == models
    # The rows' remove buttons and tab order follow the rebuilt set.
    assert all(r.remove.isEnabled() for r in form.rows)


def test_what_the_form_cannot_show_is_named(form):
    config = RunConfig(models=(ModelConfig("plain20"),), dataset="imagenet",
                       schedule="warmup", device="xla:0", seed=2**33, steps=3)
    sentences = form.apply_config(config)
    assert sentences == ["The form cannot show the run's data set imagenet, schedule warmup, "
                         "device xla:0, seed 8589934592: check those fields before you press "
                         "Start."]


def test_a_refilled_run_that_cannot_run_shows_why_at_once(form):
    config = RunConfig(models=(ModelConfig("plain20"), ModelConfig("resnet20")),
                       train_size=8, batch_size=16, steps=0, lr=0.0)
    form.apply_config(config)
    shown = {key: line.text() for key, line in form.problem_lines.items() if line.isVisible()}
    assert set(shown) == {"batch_size", "length", "lr"}
    assert shown["batch_size"].startswith("A batch of 16 is more than the 8 training images")
    assert form.length.value() == 0 and form.lr.value() == 0.0
