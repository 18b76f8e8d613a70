"""File dialogs start where the user last was, and save dialogs give files their suffix.

The dialogs are replaced by stand-ins that record where they were asked to start and answer
as a user would; everything after the answer runs through the real callers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from cnnviz.ui import settings
from cnnviz.ui.widgets import file_dialogs


class FakeDialogs:
    """Answers each QFileDialog call with the next queued answer; records the start path."""

    def __init__(self, monkeypatch) -> None:
        self.answers: list = []
        self.starts: list[str] = []
        for name in ("getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, self._file)
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", self._files)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _file(self, parent, title, start, *rest, **kwargs):
        self.starts.append(start)
        return (self.answers.pop(0), "")

    def _files(self, parent, title, start, *rest, **kwargs):
        self.starts.append(start)
        return (self.answers.pop(0), "")

    def _folder(self, parent, title, start, *rest, **kwargs):
        self.starts.append(start)
        return self.answers.pop(0)


@pytest.fixture
def dialogs(monkeypatch, qapp):
    return FakeDialogs(monkeypatch)


def test_a_saved_file_gets_its_suffix_and_its_folder_is_remembered(dialogs, tmp_path):
    (tmp_path / "lessons").mkdir()
    dialogs.answers = [str(tmp_path / "lessons" / "week 3"), ""]
    path = file_dialogs.ask_save_file(None, "Save Pipeline", "pipelines", "pipeline.json",
                                      "Pipelines (*.json)", ".json")
    assert path == tmp_path / "lessons" / "week 3.json"
    assert dialogs.starts[0] == str(Path.home() / "pipeline.json")
    # Cancelling the next one returns None, and it had started in the remembered folder.
    assert file_dialogs.ask_save_file(None, "Save Pipeline", "pipelines", "pipeline.json",
                                      "Pipelines (*.json)", ".json") is None
    assert dialogs.starts[1] == str(tmp_path / "lessons" / "pipeline.json")


def test_a_typed_suffix_is_kept_in_any_case(dialogs, tmp_path):
    dialogs.answers = [str(tmp_path / "GRAPH.PNG")]
    assert file_dialogs.ask_save_file(None, "Export", "export", "g.png", "PNG (*.png)",
                                      ".png") == tmp_path / "GRAPH.PNG"


def test_an_older_remembered_file_or_a_vanished_folder_starts_somewhere_real(tmp_path, qapp):
    old = tmp_path / "old.json"
    old.write_text("{}")
    settings.write("paths/pipelines", str(old))  # what earlier versions kept
    assert file_dialogs.last_folder("pipelines") == tmp_path
    settings.write("paths/pipelines", str(tmp_path / "gone"))
    assert file_dialogs.last_folder("pipelines") == Path.home()
    assert file_dialogs.last_folder("pipelines", fallback=tmp_path) == tmp_path


def test_a_run_folder_dialog_remembers_the_folder_beside_it(dialogs, tmp_path):
    runs = tmp_path / "runs"
    (runs / "monday").mkdir(parents=True)
    dialogs.answers = [str(runs / "monday"), ""]
    assert file_dialogs.ask_folder(None, "Open Run Folder", "runs",
                                   remember_parent=True) == runs / "monday"
    assert file_dialogs.ask_folder(None, "Open Run Folder", "runs") is None
    assert dialogs.starts[1] == str(runs)


def test_the_studio_saves_and_loads_a_pipeline_through_its_dialogs(qtbot, dialogs, tmp_path):
    from cnnviz.ui.app import make_application
    from cnnviz.ui.augment.workspace import AugmentWorkspace

    make_application()
    ws = AugmentWorkspace()
    qtbot.addWidget(ws)
    try:
        dialogs.answers = [str(tmp_path / "flip and crop")]
        ws.save_pipeline_dialog()
        saved = tmp_path / "flip and crop.json"
        assert saved.is_file()
        assert json.loads(saved.read_text())  # a real pipeline document, not an empty file
        dialogs.answers = [str(saved)]
        ws.load_pipeline_dialog()
        assert dialogs.starts[-1] == str(tmp_path)
    finally:
        ws.shutdown()


def test_look_inside_opens_pictures_where_the_window_last_opened_them(qtbot, dialogs,
                                                                       tmp_path):
    from PIL import Image

    from cnnviz.ui.app import make_application
    from cnnviz.ui.probe import LookInsidePanel

    make_application()
    photos = tmp_path / "photos"
    photos.mkdir()
    picture = photos / "cat.png"
    Image.new("RGB", (40, 30), (200, 120, 40)).save(picture)
    file_dialogs.remember_folder("images", photos)  # as File > Open Image… leaves it
    panel = LookInsidePanel()
    qtbot.addWidget(panel)
    try:
        dialogs.answers = [str(picture)]
        panel._open_image_dialog()
        assert dialogs.starts == [str(photos)]
        qtbot.waitUntil(lambda: panel.image is not None, timeout=10_000)
        assert panel.image_name == "cat.png" and panel.image.shape == (30, 40, 3)
    finally:
        panel.shutdown()
