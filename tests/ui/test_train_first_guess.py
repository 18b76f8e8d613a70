"""Before a first run of a pair of models, the form guesses the run's length from their
multiply-adds and this computer's measured speed; a measured run replaces the guess."""

from __future__ import annotations

import pytest

from cnnviz.ui.train import estimate, first_guess
from cnnviz.ui.train.work_plan import DATA_SIZES, IMAGE_SUFFIXES, WorkPlan, work_plan

WAIT_MS = 60_000
FAKE_SPEED = 2e9  # multiply-adds a second


@pytest.fixture
def ws(make_shown, monkeypatch):
    from cnnviz.ui.train.workspace import TrainWorkspace

    measured = []

    def fake_measure(seconds: float = 0.1) -> float:
        measured.append(seconds)
        return FAKE_SPEED

    monkeypatch.setattr(first_guess, "measure_throughput", fake_measure)
    workspace = make_shown(TrainWorkspace, (1280, 800))
    workspace.measured = measured
    return workspace


def _expected_minutes(config) -> int:
    """Three passes over the training images, one over the held-out images at each epoch's
    end (the built-in shapes: 10,000 to train on, 2,000 held out)."""
    macs = sum(first_guess.known_macs(first_guess.macs_key(m, config)) for m in config.models)
    epoch_ends = -(-config.steps // (10_000 // config.batch_size))
    images = 3 * config.steps * config.batch_size + (2_000 * epoch_ends if config.validate else 0)
    return round(macs * images / FAKE_SPEED / 60)


def test_a_first_guess_follows_the_models_work_and_the_measured_speed(qtbot, ws):
    config = ws.form.config()
    qtbot.waitUntil(lambda: ws.form.estimate.text().startswith(("Roughly", "Under")),
                    timeout=WAIT_MS)
    assert ws.measured == [0.1]  # timed once, on the worker, when the form first showed
    # The explorer's statistics say how much work one image is through each model.
    for model in config.models:
        assert first_guess.known_macs(first_guess.macs_key(model, config)) > 1e6
    ws.form.length.setValue(100)  # minutes, not hours, at the fake speed
    config = ws.form.config()
    minutes = _expected_minutes(config)
    assert 2 <= minutes < 60
    assert ws.form.estimate.text() == (f"Roughly {minutes} min (a first guess; the estimate "
                                       "improves after a run).")
    assert not ws.form.estimate.isHidden()
    assert ws.form.estimate.text() in ws.bar.start_button.toolTip()
    # Half the batch: about half the time.
    ws.form.batch_size.setValue(config.batch_size // 2)
    assert ws.form.estimate.text().startswith(f"Roughly {_expected_minutes(ws.form.config())}")

    # A run of these models measured here: its speed replaces the guess.
    config = ws.form.config()
    estimate.remember_speed(config, images=config.batch_size * 40, seconds=60.0)
    ws._show_estimate()
    assert ws.form.estimate.text().endswith("going by your last run of these models.")
    assert "first guess" not in ws.form.estimate.text()


def test_the_guess_waits_for_both_the_speed_and_the_models(qtbot, settings_dir):
    from cnnviz.core.train import ModelConfig, RunConfig

    config = RunConfig(models=(ModelConfig("plain20"), ModelConfig("resnet20")),
                       batch_size=32, steps=200)
    assert estimate.estimate_sentence(config) == ""
    first_guess.remember_throughput(1e9)
    assert estimate.estimate_sentence(config) == ""  # the models' work is not known yet
    for key in first_guess.missing(config):
        first_guess.remember_macs(key, 40_000_000)
    # 2 models x 40 M multiply-adds x (3 passes x 6400 images + 2000 held out at the one
    # epoch end) / 1e9 a second = 28.3 min
    assert estimate.estimate_sentence(config) == ("Roughly 28 min (a first guess; the "
                                                  "estimate improves after a run).")
    assert estimate.rough_phrase(20) == "Under a minute"
    assert estimate.rough_phrase(100 * 60) == "Roughly 1 h 40 min"


def test_the_work_of_a_run_counts_training_and_held_out_images():
    from cnnviz.core.train import ModelConfig, RunConfig

    twins = (ModelConfig("plain20"), ModelConfig("resnet20"))
    # 400 steps of 64 cross two epoch ends of the 10,000 shapes (156 steps each), and the
    # last step ends the third early: three validations of 2,000 images.
    plan = work_plan(RunConfig(models=twins, batch_size=64, steps=400))
    assert plan == WorkPlan(trained=400 * 64, validated=3 * 2_000)
    assert work_plan(RunConfig(models=twins, batch_size=64, steps=400,
                               validate=False)).validated == 0
    cifar = RunConfig(models=twins, dataset="cifar10", batch_size=100, epochs=2,
                      train_size=5_000)
    assert work_plan(cifar) == WorkPlan(trained=2 * 5_000, validated=2 * 10_000)
    # An image folder is not known until counted: 100 images, 15 held out.
    folder = RunConfig(models=twins, dataset="folder", data_dir="/x", batch_size=5, epochs=1)
    assert work_plan(folder) is None
    assert work_plan(folder, folder_images=100) == WorkPlan(trained=85, validated=15)


def test_the_data_set_sizes_agree_with_the_engine():
    from cnnviz.core.train import datasets, imagefolder

    assert DATA_SIZES["shapes"] == (datasets.SHAPES_TRAIN, datasets.SHAPES_VAL)
    assert set(DATA_SIZES) | {"folder"} == set(datasets.DATASET_TITLES)
    assert IMAGE_SUFFIXES == imagefolder.IMAGE_SUFFIXES


def test_a_model_is_counted_at_the_size_the_run_feeds_it():
    from cnnviz.core.train import ModelConfig, RunConfig

    # AlexNet first: the run feeds both models its 3 x 224 x 224 input (the guess once
    # counted every model at 32 x 32).
    config = RunConfig(models=(ModelConfig("alexnet"), ModelConfig("resnet18")), batch_size=8,
                       steps=10)
    for model in config.models:
        fed = first_guess.model_macs(first_guess.macs_key(model, config))
        told = first_guess.model_macs(first_guess.macs_key(
            model, config.replace(image_size=224, channels=3)))
        small = first_guess.model_macs(first_guess.macs_key(
            model, config.replace(image_size=96, channels=3)))
        assert fed == told and fed > 4 * small


def test_an_image_folder_gets_a_guess_at_its_counted_size(qtbot, ws, tmp_path):
    from PIL import Image

    root = tmp_path / "pictures"
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        for i in range(20):
            Image.new("RGB", (40, 30), (i * 10, 0, 0)).save(root / name / f"{i}.png")
    (root / "cats" / "notes.txt").write_text("not a picture")
    qtbot.waitUntil(lambda: first_guess.throughput() is not None, timeout=WAIT_MS)
    ws.form.dataset.setCurrentIndex(ws.form.dataset.findData("folder"))
    ws.form.data_dir.edit.setText(str(root))
    ws.form.batch_size.setValue(8)
    config = ws.form.config()
    assert config.dataset == "folder" and config.data_dir == str(root)
    # No guess for a folder nobody has counted: its size decides the held-out work.
    assert first_guess.guess_seconds(config.replace(data_dir=str(tmp_path / "other"))) is None
    qtbot.waitUntil(lambda: first_guess.known_folder_images(config) == 40, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ws.form.estimate.text().startswith(("Roughly", "Under")),
                    timeout=WAIT_MS)
    seconds = first_guess.guess_seconds(ws.form.config())
    macs = sum(first_guess.known_macs(first_guess.macs_key(m, config)) for m in config.models)
    plan = work_plan(config, 40)  # 34 to train on (4 steps an epoch), 6 held out
    assert plan.validated == 6 * -(-config.steps // 4)
    assert seconds == pytest.approx(macs * (3 * plan.trained + plan.validated) / FAKE_SPEED)
