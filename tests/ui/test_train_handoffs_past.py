"""A past run reopened from its folder can be looked inside: the model is rebuilt from run.json
and its saved weights are loaded on a worker, then handed over like a live model."""

from __future__ import annotations

import threading

import pytest
import torch

from cnnviz.core.train import ModelConfig, RunConfig, load_dataset, train
from cnnviz.core.train import run_weights
from cnnviz.core.train.runreader import read_meta
from cnnviz.core.zoo import resolve
from cnnviz.ui.train.names import created_when
from run_folders import WAIT_MS, open_run_and_read

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FOLDER = "20261128-141330-plain-vs-residual"


@pytest.fixture(scope="module")
def past(tmp_path_factory):
    """A 2-step run of Plain-20 without batch norm, and the module the engine trained."""
    folder = tmp_path_factory.mktemp("runs") / FOLDER
    options = {"batch_norm": False}
    config = RunConfig(models=(ModelConfig("plain20", name="plain", options=options),),
                       dataset="shapes", num_classes=3, train_size=8, val_size=4,
                       batch_size=4, steps=2, lr=0.05, seed=2, device="cpu", validate=False)
    data = load_dataset("shapes", num_classes=3, image_size=32, train_size=8, val_size=4)
    module = resolve("plain20").build(num_classes=3, **options)
    list(train(config, data=data, modules={"plain": module}, run_dir=folder))
    return folder, module


def test_a_reopened_run_is_looked_inside_with_its_trained_weights(qtbot, window, past,
                                                                   monkeypatch):
    folder, trained = past
    threads: list[str] = []
    real = run_weights.load_trained

    def load(*args):
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(run_weights, "load_trained", load)
    train_ws = window.show_workspace("train")
    assert open_run_and_read(qtbot, train_ws, folder)
    look = train_ws.bar.look_button
    assert look.isEnabled(), look.toolTip()
    menu = look.menu()
    menu.aboutToShow.emit()
    (action,) = menu.actions()
    assert action.text() == "Plain-20" and action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: window.current_key() == "arch", timeout=WAIT_MS)
    panel = window.pages["arch"].look_inside()
    qtbot.waitUntil(lambda: panel._lab is not None, timeout=WAIT_MS)
    assert threads and threading.main_thread().name not in threads  # loaded on a worker
    lab = panel._lab
    meta = read_meta(folder)
    assert lab.ref == "plain20"
    # The run's time and the model's switches, never the folder's name.
    assert lab.label == f"Plain-20 without batch norm, step 2 of the run of {created_when(meta)}"
    assert FOLDER not in lab.label and "20261128" not in lab.label
    assert lab.class_names == tuple(meta["classes"])
    assert (lab.channels, lab.image_size) == (meta["channels"], meta["image_size"])
    state = trained.state_dict()
    got = lab.model.state_dict()
    assert set(got) == set(state)
    for key, value in got.items():
        assert torch.equal(value, state[key]), key
    qtbot.waitUntil(lambda: panel.network is not None and panel.network.trained_input,
                    timeout=WAIT_MS)
    assert panel.network.prep.mean == pytest.approx(meta["mean"])
    assert panel.network.prep.std == pytest.approx(meta["std"])


def test_a_damaged_weights_file_is_one_sentence_in_the_banner(qtbot, train_ws, past, tmp_path):
    import shutil

    folder = tmp_path / FOLDER
    shutil.copytree(past[0], folder)
    weights = folder / "plain" / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:200])
    assert open_run_and_read(qtbot, train_ws, folder)
    sent: list = []
    train_ws.look_inside_model_requested.connect(lambda *args: sent.append(args))
    assert train_ws.handoffs.send_model("plain")
    assert not train_ws.bar.look_button.isEnabled()  # one load at a time
    qtbot.waitUntil(lambda: train_ws.banner.isVisible(), timeout=WAIT_MS)
    text = train_ws.banner.text.text()
    assert text.startswith("The saved weights of Plain-20") and "damaged" in text
    assert "Traceback" not in text and "\n" not in text
    assert not sent
    assert train_ws.bar.look_button.isEnabled()  # it can be tried again once the file is back


def test_weights_deleted_after_opening_are_one_sentence(qtbot, train_ws, past, tmp_path):
    import shutil

    folder = tmp_path / FOLDER
    shutil.copytree(past[0], folder)
    assert open_run_and_read(qtbot, train_ws, folder)
    (folder / "plain" / "weights.pt").unlink()
    assert train_ws.handoffs.send_model("plain")
    qtbot.waitUntil(lambda: train_ws.banner.isVisible(), timeout=WAIT_MS)
    assert train_ws.banner.text.text() == (
        f"The weights of Plain-20 are missing from the run folder (there is no "
        f"plain/weights.pt in {folder}).")
