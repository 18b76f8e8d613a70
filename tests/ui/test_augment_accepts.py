"""The main window can ask which files the studio opens without importing the studio."""

from __future__ import annotations

import json
import subprocess
import sys

from cnnviz.ui.augment import accepts
from studio_pictures import picture

HEAVY = ("torch", "superqt", "qtpy", "pyqtgraph", "PySide6.QtWidgets")


def modules_after_import(module: str) -> list[str]:
    """The heavy modules loaded by importing ``module`` in a fresh interpreter (inside pytest,
    pytest-qt has already imported Qt, so only a new process can tell)."""
    code = (f"import json, sys\nimport {module}\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_light_module_imports_neither_qt_widgets_nor_torch():
    assert modules_after_import("cnnviz.ui.augment.accepts") == []
    # The check sees a heavy import when there is one.
    assert "superqt" in modules_after_import("superqt")


def test_pictures_and_folders_of_pictures_are_the_studios(tmp_path):
    photo = picture(tmp_path / "cat.JPG")
    assert accepts.can_open(photo)
    assert accepts.can_open(str(photo))  # a string path too

    folder = tmp_path / "shapes"
    folder.mkdir()
    picture(folder / "a.png")
    assert accepts.can_open(folder)
    classes = tmp_path / "dataset"
    (classes / "cats").mkdir(parents=True)  # an ImageFolder: class folders only
    assert accepts.can_open(classes)


def test_other_files_are_left_to_the_other_workspaces(tmp_path):
    model = tmp_path / "net.py"
    model.write_text("import torch\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "readme.txt").write_text("hello")
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text("{}")
    picture(run / "sample.png")  # a training run keeps pictures, yet stays the lab's
    empty = tmp_path / "empty"
    empty.mkdir()
    for path in (model, notes, run, empty, tmp_path / "missing.png"):
        assert not accepts.can_open(path), path.name


def test_the_workspace_answers_as_the_light_module_does(tmp_path):
    from cnnviz.ui.augment.workspace import AugmentWorkspace

    model = tmp_path / "net.py"
    model.write_text("")
    for path in (picture(tmp_path / "a.webp"), tmp_path, model):
        assert AugmentWorkspace.can_open(path) == accepts.can_open(path), path.name
    assert AugmentWorkspace.can_open(tmp_path / "a.webp")
    assert not AugmentWorkspace.can_open(model)
