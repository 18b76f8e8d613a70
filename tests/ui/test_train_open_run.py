"""Opening a past run folder: FolderSource keeps the run.json it read, and the workspace
takes the run's settings and data facts from it instead of reading the file again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cnnviz.core.train import ModelConfig, RunConfig, train
from cnnviz.core.train import runreader
from run_folders import WAIT_MS, open_run_and_read
from tiny_models import Tiny

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def past_run(data, tmp_path_factory):
    """A finished run folder of 3 steps, written by the engine itself."""
    folder = tmp_path_factory.mktemp("runs") / "past"
    config = RunConfig(models=(ModelConfig("tiny", name="plain"),
                               ModelConfig("tiny", name="residual")),
                       batch_size=8, steps=3, lr=0.05, seed=1, device="cpu")
    list(train(config, data=data, modules={"plain": Tiny(), "residual": Tiny()},
               run_dir=folder))
    return folder


def test_the_source_keeps_the_run_json_it_read(qtbot, past_run):
    from cnnviz.ui.train.folder_source import FolderSource

    source = FolderSource(past_run)
    try:
        # At once, before any rows: the run.json the constructor checked.
        assert [m["name"] for m in source.meta["models"]] == ["plain", "residual"]
        qtbot.waitUntil(lambda: source.loaded, timeout=WAIT_MS)
        on_disk = runreader.read_meta(past_run)
        assert source.meta == on_disk
        assert source.meta["status"] == "finished"
    finally:
        source.shutdown()


def test_opening_a_run_reads_its_run_json_once_on_the_gui_thread(qtbot, train_ws, past_run,
                                                                   monkeypatch):
    real = runreader.read_meta
    calls: list[str] = []

    def counted(path):
        if Path(path) == past_run:
            calls.append(threading.current_thread().name)
        return real(path)

    monkeypatch.setattr(runreader, "read_meta", counted)
    assert open_run_and_read(qtbot, train_ws, past_run)
    main = threading.main_thread().name
    # The follower's poll re-reads it on the worker; the window's thread reads it once.
    assert calls.count(main) == 1, calls
    # What the workspace took from it: the settings in the form, the data for Look inside.
    assert train_ws.source.meta["models"][0]["name"] == "plain"
    assert train_ws.form.note.text().startswith("The form below holds this run's settings")
    assert "past" not in train_ws.form.note.text()  # the folder's name is an id, not a title
    configs, name, data = train_ws._folder_handoff
    assert set(configs) == {"plain", "residual"} and name == "past"
    assert data["classes"] == train_ws.source.meta["classes"]
