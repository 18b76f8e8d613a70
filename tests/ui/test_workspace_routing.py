"""Deciding where a file goes asks each workspace's light accepts function, never its module."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from cnnviz.ui.workspaces import WORKSPACES, WorkspaceRegistry, natural_owner


def _files(folder: Path) -> dict[str, Path]:
    run = folder / "run"
    run.mkdir()
    (run / "run.json").write_text("{}")
    pictures = folder / "pictures"
    pictures.mkdir()
    (pictures / "a.png").write_bytes(b"")
    model = folder / "net.py"
    model.write_text("")
    photo = folder / "cat.JPG"
    photo.write_bytes(b"")
    notes = folder / "notes.txt"
    notes.write_text("")
    saved = folder / "lesson.pt"
    saved.write_bytes(b"")
    pipeline = folder / "flips.json"
    pipeline.write_text('{\n  "format": "cnnviz-augment-pipeline",\n  "steps": []\n}')
    settings = folder / "settings.json"
    settings.write_text('{"format": "something else"}')
    return {"run": run, "pictures": pictures, "model": model, "photo": photo, "notes": notes,
            "saved": saved, "pipeline": pipeline, "settings": settings}


def _owner(registry: WorkspaceRegistry, path: Path) -> str | None:
    return next((w.key for w in WORKSPACES if registry.accepts(w.key, path)), None)


def test_each_kind_of_file_finds_its_workspace(tmp_path):
    files = _files(tmp_path)
    registry = WorkspaceRegistry()
    assert _owner(registry, files["run"]) == "train"
    assert _owner(registry, files["pictures"]) == "augment"
    assert _owner(registry, files["model"]) == "arch"
    assert _owner(registry, files["photo"]) == "augment"
    assert _owner(registry, files["notes"]) is None
    assert _owner(registry, files["saved"]) == "arch"
    assert _owner(registry, files["pipeline"]) == "augment"
    assert _owner(registry, files["settings"]) is None
    assert natural_owner(files["run"]) == "train" and natural_owner(files["notes"]) is None
    # By kind alone too, so a build missing a workspace can say which one these need.
    assert natural_owner(files["saved"]) == "arch"
    assert natural_owner(files["pipeline"]) == "augment"
    assert natural_owner(files["settings"]) is None


def test_the_window_knows_the_studios_pipeline_marker():
    from cnnviz.core.augment.pipeline import FORMAT
    from cnnviz.ui.file_kinds import PIPELINE_FORMAT

    assert PIPELINE_FORMAT == FORMAT


def test_routing_imports_no_workspace_torch_or_widget_library(tmp_path):
    files = _files(tmp_path)
    script = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from cnnviz.ui.workspaces import WORKSPACES, WorkspaceRegistry
        registry = WorkspaceRegistry()
        owners = {{}}
        for name, path in {json.dumps({k: str(v) for k, v in files.items()})}.items():
            owners[name] = next((w.key for w in WORKSPACES if registry.accepts(w.key, Path(path))), None)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "superqt", "qtpy",
                       "pyqtgraph", "PySide6") or m.endswith(".workspace"))
        print(json.dumps({{"owners": owners, "heavy": heavy}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["owners"]["run"] == "train" and result["owners"]["photo"] == "augment"
    assert result["owners"]["pipeline"] == "augment" and result["owners"]["saved"] == "arch"
    assert result["heavy"] == []


def test_a_failing_accepts_function_is_a_no_and_the_others_still_answer(tmp_path, monkeypatch):
    files = _files(tmp_path)
    augment = next(w for w in WORKSPACES if w.key == "augment")
    monkeypatch.setattr(augment, "accepts", "cnnviz.ui.file_kinds:no_such_function")
    registry = WorkspaceRegistry()
    assert registry.accepts("augment", files["photo"]) is False
    assert _owner(registry, files["run"]) == "train"


def test_a_workspace_that_failed_to_load_accepts_nothing(tmp_path, monkeypatch):
    files = _files(tmp_path)
    train = next(w for w in WORKSPACES if w.key == "train")
    monkeypatch.setattr(train, "module", "cnnviz.ui.no_such_area.workspace")
    registry = WorkspaceRegistry()
    assert registry.workspace_class("train") is None
    assert "built without the Train workspace" in registry.error("train")
    assert registry.accepts("train", files["run"]) is False


def test_each_workspace_opens_what_the_window_routes_to_it(tmp_path):
    files = _files(tmp_path)
    registry = WorkspaceRegistry()
    for entry in WORKSPACES:
        cls = registry.workspace_class(entry.key)
        for name, path in files.items():
            assert cls.can_open(path) == registry.accepts(entry.key, path), (entry.key, name)
