"""Before a first run of a pair of models, the form guesses the run's length from their
multiply-adds and this computer's measured speed; a measured run replaces the guess."""

from __future__ import annotations

import pytest

from cnnviz.ui.train import estimate, first_guess

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
    macs = sum(first_guess.known_macs(first_guess.macs_key(m, config)) for m in config.models)
    return round(3 * macs * config.steps * config.batch_size / FAKE_SPEED / 60)


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
    # 3 passes x 2 models x 40 M multiply-adds x 6400 images / 1e9 a second = 25.6 min
    assert estimate.estimate_sentence(config) == ("Roughly 26 min (a first guess; the "
                                                  "estimate improves after a run).")
    assert estimate.rough_phrase(20) == "Under a minute"
    assert estimate.rough_phrase(100 * 60) == "Roughly 1 h 40 min"
