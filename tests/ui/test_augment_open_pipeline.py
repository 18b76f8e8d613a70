"""A saved pipeline opens like any other file: dropped on the window, named on the command
line, or dropped on the studio; a broken one is explained in one sentence."""

from __future__ import annotations

import json
from pathlib import Path

from dnd import drop_files

from cnnviz.core.augment import Pipeline, Step
from cnnviz.ui.augment import accepts
from studio_pictures import picture

WAIT_MS = 30_000
SAVED = Pipeline([Step("vflip", {}, 0.25), Step("rotate", {"angle": (-5.0, 5.0)})]).validated()


def saved_pipeline(path: Path) -> Path:
    SAVED.save(path)
    return path


def test_a_saved_pipeline_is_recognised_by_a_glance(tmp_path):
    assert accepts.can_open(saved_pipeline(tmp_path / "pipe.json"))
    assert accepts.can_open(saved_pipeline(tmp_path / "UPPER.JSON"))
    written_by_hand = tmp_path / "mine.json"
    written_by_hand.write_text(json.dumps({"steps": [{"op": "hflip"}],
                                           "format": "cnnviz-augment-pipeline"}))
    assert accepts.can_open(written_by_hand)
    # A broken file that names the format is the studio's to explain.
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "cnnviz-augment-pipeline", "steps": [')
    assert accepts.can_open(broken)
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"arch": "lenet5", "epochs": 3}))
    renamed = tmp_path / "pipe.txt"
    renamed.write_text(SAVED.to_json())
    for other in (run, renamed, tmp_path / "missing.json", tmp_path):
        assert not accepts.is_pipeline_file(other), other.name
    assert not accepts.can_open(run) and not accepts.can_open(renamed)


def test_dropping_a_pipeline_on_the_window_loads_it_in_the_studio(qtbot, window, tmp_path):
    pipe = saved_pipeline(tmp_path / "alexnet_pipeline.json")
    assert drop_files(window, [pipe]) == (True, True, True)
    qtbot.waitUntil(lambda: window.current_key() == "augment", timeout=WAIT_MS)
    studio = window.pages["augment"]
    qtbot.waitUntil(lambda: studio.pipeline.to_dict() == SAVED.to_dict(), timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "Loaded the pipeline alexnet_pipeline.json."


def test_a_pipeline_named_with_pictures_loads_both(qtbot, window, tmp_path):
    pipe = saved_pipeline(tmp_path / "pipe.json")
    photo = picture(tmp_path / "photo.png")
    routed = window.open_paths([photo, pipe])
    assert routed == {"augment": [photo, pipe]}
    studio = window.pages["augment"]
    qtbot.waitUntil(lambda: len(studio.images) == 1, timeout=WAIT_MS)
    assert studio.pipeline.to_dict() == SAVED.to_dict()
    assert [i.name for i in studio.images] == ["photo.png"]


def test_a_broken_pipeline_is_explained_and_the_pipeline_kept(qtbot, window, tmp_path):
    studio = window.show_workspace("augment")
    before = studio.pipeline.to_dict()
    broken = tmp_path / "pipe.json"
    broken.write_text('{"format": "cnnviz-augment-pipeline", "steps": [{"op": "twirl"}]}')
    photo = picture(tmp_path / "photo.png")
    with qtbot.waitSignal(studio.images_loaded, timeout=WAIT_MS):
        assert drop_files(studio, [broken, photo]) == (True, True, True)
    assert studio.pipeline.to_dict() == before
    assert studio.notice.isVisible()
    text = studio.notice.text.text()
    assert "twirl" in text and text.endswith(".") and "Traceback" not in text
    assert [i.name for i in studio.images] == ["photo.png"]  # the picture still came in
