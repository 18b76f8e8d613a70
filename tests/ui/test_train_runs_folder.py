"""Past runs follows the "Save runs in" folder; a run that fails to start leaves the run shown
before as it was; a measured run tells the next one how long it will take."""

from __future__ import annotations

import pytest

from cnnviz.core.train import ModelConfig, RunConfig, train
from tiny_models import Tiny

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")



def _config(steps=4, names=("plain", "residual"), **changes):
    return RunConfig(models=tuple(ModelConfig("tiny", name=n) for n in names), batch_size=8,
                     steps=steps, lr=0.05, seed=1, device="cpu", **changes)


def _type(qtbot, edit, text):
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_past_runs_follows_the_save_runs_in_folder(qtbot, train_ws, data, tmp_path):
    kept = tmp_path / "kept"
    list(train(_config(), data=data, modules={"plain": Tiny(), "residual": Tiny()},
               run_dir=kept / "one"))
    empty = tmp_path / "empty"
    empty.mkdir()
    train_ws.tabs.setCurrentWidget(train_ws.browser)
    _type(qtbot, train_ws.form.runs_dir.edit, str(kept))
    qtbot.waitUntil(lambda: train_ws.browser.paths() == [kept / "one"], timeout=WAIT_MS)
    assert train_ws.browser.empty.isHidden()
    # Typing a folder name lists nothing on the way: the list waits for the typing to stop.
    _type(qtbot, train_ws.form.runs_dir.edit, str(empty))
    assert train_ws.browser.root == kept
    qtbot.waitUntil(lambda: train_ws.browser.root == empty, timeout=WAIT_MS)
    assert train_ws.browser.paths() == []
    assert not train_ws.browser.empty.isHidden()
    assert str(empty) in train_ws.browser.empty.text()
    # A folder that does not exist yet says that the first run makes it.
    _type(qtbot, train_ws.form.runs_dir.edit, str(tmp_path / "new"))
    qtbot.waitUntil(lambda: train_ws.browser.root == tmp_path / "new", timeout=WAIT_MS)
    assert "the first run you start creates it" in train_ws.browser.empty.text()
    assert str(tmp_path / "new") in train_ws.browser.empty.text()


def test_a_run_that_fails_to_start_leaves_the_shown_run_alone(qtbot, train_ws, data, tmp_path):
    assert train_ws.start(config=_config(), modules={"plain": Tiny(), "residual": Tiny()},
                    data=data, run_dir=tmp_path / "good")
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    title, detail = train_ws.bar.title.text(), train_ws.bar.detail.text()
    progress = train_ws.bar.rate.text()
    panels = [p.series for p in train_ws.view.panels]
    assert title == "plain vs residual"  # two models of one display name: their run names
    assert "Shapes" in detail and progress.startswith("Step 4 of 4")
    # A zoo name that does not exist: the engine refuses it before the first record.
    broken = RunConfig(models=(ModelConfig("no_such_network", name="x"),), batch_size=8,
                       steps=150, lr=0.05, device="cpu")
    assert train_ws.start(config=broken, data=data, run_dir=tmp_path / "bad")
    assert train_ws.bar.title.text().startswith("Starting no_such_network")
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    assert not train_ws.banner.isHidden()
    assert (train_ws.bar.title.text(), train_ws.bar.detail.text()) == (title, detail)
    assert train_ws.bar.rate.text().startswith("Step 4 of 4")  # not "step 0 of 150"
    assert "did not start" in train_ws.bar.status.text()
    assert [p.series for p in train_ws.view.panels] == panels
    assert train_ws.run_dir == tmp_path / "good"


def test_a_measured_run_says_how_long_the_next_one_will_take(qtbot, train_ws, monkeypatch):
    from cnnviz.ui.train import estimate

    config = train_ws.form.config()
    measured = "going by your last run of these models."
    assert not train_ws.form.estimate.text().endswith(measured)  # nothing measured here yet
    # The workspace keeps the speed a finished run measured (as _on_thread_finished does).
    estimate.remember_speed(config, images=64 * 40, seconds=64.0)
    train_ws._show_estimate()
    steps = config.steps
    minutes = round(steps * config.batch_size / 40 / 60)
    assert train_ws.form.estimate.text() == \
        f"About {minutes} min on this computer, going by your last run of these models."
    assert not train_ws.form.estimate.isHidden()
    assert train_ws.form.estimate.text() in train_ws.bar.start_button.toolTip()
    # Twice the steps: twice the time; another data set has not been measured.
    train_ws.form.length.setValue(steps * 2)
    assert f"About {round(2 * minutes)} min" in train_ws.form.estimate.text()
    train_ws.form.dataset.setCurrentIndex(train_ws.form.dataset.findData("mnist"))
    assert not train_ws.form.estimate.text().endswith(measured)


def test_a_finished_run_is_measured_for_the_next_estimate(qtbot, train_ws, data, tmp_path,
                                                          monkeypatch):
    from cnnviz.ui.train import estimate

    monkeypatch.setattr(estimate, "MIN_SECONDS", 0.0)
    config = _config(steps=6)
    assert train_ws.start(config=config, modules={"plain": Tiny(), "residual": Tiny()},
                    data=data, run_dir=tmp_path / "run")
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    seconds = estimate.estimate_seconds(config)
    assert seconds is not None and seconds == pytest.approx(train_ws._elapsed, rel=1e-6)


def _finished_run(folder, data):
    list(train(_config(steps=3), data=data, modules={"plain": Tiny(), "residual": Tiny()},
               run_dir=folder))
    return folder


def test_a_damaged_run_is_left_out_of_past_runs_and_the_others_stay(qtbot, train_ws, data,
                                                                    tmp_path):
    good = _finished_run(tmp_path / "runs" / "good", data)
    bad = _finished_run(tmp_path / "runs" / "bad", data)
    (bad / "run.json").write_text('[1, 2]')
    odd = _finished_run(tmp_path / "runs" / "odd", data)
    text = (odd / "run.json").read_text().replace('"created": "', '"created": 7, "was": "')
    (odd / "run.json").write_text(text)
    train_ws.browser.set_root(tmp_path / "runs")
    assert sorted(p.name for p in train_ws.browser.paths()) == ["good", "odd"]
    assert good in train_ws.browser.paths()


def test_a_run_whose_rows_cannot_be_read_is_a_sentence(qtbot, train_ws, data, tmp_path):
    folder = _finished_run(tmp_path / "run", data)
    (folder / "plain" / "grad_norms.csv").write_text("a,b\n1,2\n")  # not ours
    assert train_ws.open_run(folder)  # its run.json is fine: the rows are read on a worker
    assert not train_ws.source.loaded and "Reading" in train_ws.bar.status.text()
    qtbot.waitUntil(lambda: train_ws.banner.isVisible(), timeout=WAIT_MS)
    message = train_ws.banner.message
    assert "grad_norms.csv" in message and "has no step column" in message
    assert not train_ws.source.live and train_ws.bar.state == "idle"
    assert "could not be read" in train_ws.bar.status.text()


def test_past_runs_forgets_a_run_deleted_while_it_was_listed(qtbot, train_ws, data, tmp_path):
    import shutil

    kept = tmp_path / "kept"
    for name in ("one", "two"):
        list(train(_config(steps=1), data=data, modules={"plain": Tiny(), "residual": Tiny()},
                   run_dir=kept / name))
    _type(qtbot, train_ws.form.runs_dir.edit, str(kept))
    train_ws.tabs.setCurrentWidget(train_ws.browser)
    qtbot.waitUntil(lambda: sorted(train_ws.browser.paths()) == [kept / "one", kept / "two"],
                    timeout=WAIT_MS)
    # Deleted while the list is hidden: showing it again lists what is there now.
    train_ws.tabs.setCurrentWidget(train_ws.form)
    shutil.rmtree(kept / "one")
    train_ws.tabs.setCurrentWidget(train_ws.browser)
    assert train_ws.browser.paths() == [kept / "two"]
    # Deleted while the list is shown: opening it says so (not "no run.json") and the list
    # lets it go.
    shutil.rmtree(kept / "two")
    item = train_ws.browser.tree.topLevelItem(0)
    train_ws.browser.tree.itemActivated.emit(item, 0)
    assert train_ws.banner.isVisible()
    assert train_ws.banner.text.text() == (f"This run was deleted or moved: {kept / 'two'} no "
                                     "longer exists.")
    assert train_ws.browser.paths() == []
    assert not train_ws.browser.empty.isHidden()


def test_the_empty_states_speak_of_a_script_in_plain_words(train_ws):
    from PySide6.QtWidgets import QLabel, QPushButton

    page_text = " ".join(label.text() for label in train_ws.view.findChildren(QLabel))
    assert "a run logged from your own PyTorch script (see the README)" in page_text
    (button,) = [b for b in train_ws.browser.findChildren(QPushButton)
                 if b.text() == "Open a run folder…"]
    for text in (page_text, button.toolTip()):
        assert "GradNormRecorder" not in text and "<code>" not in text
    assert "your own PyTorch script (see the README)" in button.toolTip()
