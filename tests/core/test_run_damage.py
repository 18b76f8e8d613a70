"""Damaged, hand-edited or foreign run folders, and settings no optimiser can use: each gets
one sentence (never a traceback) and nothing half-written is left behind."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from PIL import Image

from cnnviz.cli import main
from cnnviz.core.errors import TrainingError, brief
from cnnviz.core.train import ModelConfig, RunConfig, read_run, train
from cnnviz.core.train.records import RunStarted
from cnnviz.core.train.runlog import RunLog

TINY = ["--steps", "2", "--batch-size", "4", "--train-size", "8", "--val-size", "4",
        "--image-size", "8"]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("good") / "run"
    assert main(["train", "--arch", "plain20", "--quiet", *TINY, "--out", str(out)]) == 0
    return out


def _copy(good_run: Path, tmp_path: Path, name: str = "copy") -> Path:
    target = tmp_path / name
    shutil.copytree(good_run, target)
    return target


def _edit_meta(folder: Path, change) -> None:
    meta = json.loads((folder / "run.json").read_text())
    change(meta)
    (folder / "run.json").write_text(json.dumps(meta))


DAMAGE = {
    "a list": (lambda m: m.clear(), "not written by cnnviz"),
    "model entries that are numbers": (lambda m: m.update(models=[1, 2]), "not a record"),
    "a model without its folder": (lambda m: [e.pop("folder") for e in m["models"]],
                                   "no name or folder"),
    "layer names that are a number": (
        lambda m: [e.update(layer_names=5) for e in m["models"]], "layer names"),
    "a folder outside the run": (
        lambda m: [e.update(folder="../../etc") for e in m["models"]], "outside the run folder"),
    "a newer format": (lambda m: m.update(version=99), "newer cnnviz"),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_run_json_is_one_sentence(good_run, tmp_path, capsys, case):
    change, words = DAMAGE[case]
    folder = _copy(good_run, tmp_path)
    if case == "a list":
        (folder / "run.json").write_text("[1, 2]")
    else:
        _edit_meta(folder, change)
    with pytest.raises(TrainingError, match=words):
        read_run(folder)
    assert main(["runs", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnnviz: ") and words in err and "Traceback" not in err


def test_odd_but_harmless_fields_still_open(good_run, tmp_path):
    folder = _copy(good_run, tmp_path)

    def change(meta):
        meta.update(created=12345, pid="abc", status="running", config="not a record")
        for entry in meta["models"]:
            entry.update(stopped="it broke", frozen=[1], display_name=7)

    _edit_meta(folder, change)
    run = read_run(folder)
    assert run.meta["created"] == "12345" and "pid" not in run.meta and run.config is None
    model = run.models[0]
    assert model.stopped == {"message": "it broke"}
    assert model.frozen == (False,) * len(model.layer_names)
    assert model.display_name == model.name


def test_a_config_with_a_wrong_type_reads_as_no_config(good_run, tmp_path):
    folder = _copy(good_run, tmp_path)
    _edit_meta(folder, lambda m: m["config"].update(batch_size="x"))
    assert read_run(folder).config is None
    with pytest.raises(ValueError, match="batch_size is 'x'"):
        RunConfig.from_dict({"models": [{"arch": "plain20"}], "batch_size": "x"})
    for bad in ({"lr": True}, {"optimizer": "rmsprop"}, {"milestones": ["half"]},
                {"image_size": 3.5}, {"models": "plain20"}, {"models": [7]}):
        with pytest.raises(ValueError):
            RunConfig.from_dict({"models": [{"arch": "plain20"}], **bad})
    config = RunConfig(models=(ModelConfig("plain20", name="plain20"),), lr=0.05, amp=None)
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_csv_files_saved_by_a_spreadsheet_still_read(good_run, tmp_path):
    folder = _copy(good_run, tmp_path)
    scalars = folder / "plain20" / "scalars.csv"
    data = scalars.read_bytes()
    scalars.write_bytes(b"\xef\xbb\xbf" + data + b"3,1,0.5,0.5,0.1,1,\xe9\n")
    model = read_run(folder).model("plain20")
    assert list(model.scalars.steps) == [1, 2]  # the BOM is not a column, the garbled row is out


def test_a_csv_without_steps_or_a_folder_in_its_place_is_a_sentence(good_run, tmp_path):
    folder = _copy(good_run, tmp_path, "nostep")
    (folder / "plain20" / "grad_norms.csv").write_text("a,b\n1,2\n")
    with pytest.raises(TrainingError, match="grad_norms.csv .* has no step column"):
        read_run(folder)
    folder = _copy(good_run, tmp_path, "dir")
    (folder / "plain20" / "scalars.csv").unlink()
    (folder / "plain20" / "scalars.csv").mkdir()
    with pytest.raises(TrainingError, match="scalars.csv .* cannot be read"):
        read_run(folder)


def test_runs_lists_the_good_runs_past_a_damaged_one(good_run, tmp_path, capsys):
    parent = tmp_path / "runs"
    parent.mkdir()
    _copy(good_run, parent, "a-good")
    bad = _copy(good_run, parent, "b-bad")
    (bad / "run.json").write_bytes(b"\x00\xff\xfe binary")
    assert main(["runs", str(parent)]) == 0
    captured = capsys.readouterr()
    assert "a-good" in captured.out and "[finished]" in captured.out
    assert "b-bad" in captured.err and "not a text file" in captured.err
    assert main(["runs", str(bad / "run.json")]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.parametrize("change, words", [
    (dict(lr=math.nan), "learning rate"), (dict(lr=-1.0), "learning rate"),
    (dict(momentum=-1.0), "Momentum"), (dict(weight_decay=-1.0), "Weight decay"),
    (dict(image_size=0), "image size"), (dict(image_size=100_000), "image size"),
    (dict(train_size=0), "training set"),
])
def test_settings_no_optimiser_can_use_stop_before_any_file_is_written(tmp_path, change, words):
    config = RunConfig(models=(ModelConfig("plain20"),), steps=1, batch_size=4, device="cpu",
                       **change)
    with pytest.raises(TrainingError, match=words):
        list(train(config, run_dir=tmp_path / "run"))
    assert not (tmp_path / "run").exists()


def test_the_cli_says_the_same_for_bad_numbers(tmp_path, capsys):
    assert main(["train", "--arch", "plain20", "--lr", "nan", *TINY, "--out",
                 str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "learning rate must be a positive number" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_a_run_log_that_cannot_save_its_settings_leaves_no_folder(tmp_path):
    from cnnviz.core.train.records import ModelInfo

    info = ModelInfo(name="m", arch="m", display_name="M", layer_names=("fc",),
                     frozen=(False,), num_params=1, trainable_params=1)
    with pytest.raises(TrainingError, match="settings cannot be saved"):
        RunLog(tmp_path / "run", config={"lr": math.inf}, models=[info])
    assert not (tmp_path / "run").exists()


def test_unwritable_output_is_a_sentence(tmp_path, capsys):
    picture = tmp_path / "p.png"
    Image.new("RGB", (20, 20), (200, 10, 10)).save(picture)
    pipeline = tmp_path / "p.json"
    pipeline.write_text(json.dumps({"steps": [{"op": "hflip", "params": {}}]}))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code = main(["augment", str(picture), "--pipeline", str(pipeline), "--out",
                 str(blocker / "inside")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("cnnviz: ") and "inside" in err and "Traceback" not in err
    assert main(["augment", str(picture), "--pipeline", str(pipeline), "--seed", "-5",
                 "--out", str(tmp_path / "o")]) == 2
    assert "--seed must be 0 or more" in capsys.readouterr().err


def test_unreadable_pictures_of_a_folder_are_counted_and_said(tmp_path, capsys):
    for cls, colour in (("red", (220, 20, 20)), ("blue", (20, 20, 220))):
        (tmp_path / "data" / cls).mkdir(parents=True)
        for i in range(4):
            Image.new("RGB", (12, 12), colour).save(tmp_path / "data" / cls / f"{i}.png")
    (tmp_path / "data" / "red" / "broken.png").write_bytes(b"\x89PNG not really")
    config = RunConfig(models=(ModelConfig("plain20"),), dataset="folder",
                       data_dir=str(tmp_path / "data"), steps=1, batch_size=2, image_size=8,
                       device="cpu")
    started = next(r for r in train(config) if isinstance(r, RunStarted))
    assert started.skipped == 1
    assert main(["train", "--arch", "plain20", "--dataset", "folder", "--data-dir",
                 str(tmp_path / "data"), "--steps", "1", "--batch-size", "2", "--image-size",
                 "8", "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert "left out 1 file(s)" in capsys.readouterr().err


def test_brief_keeps_a_libraries_first_line_and_cuts_at_a_word():
    long = RuntimeError("Weights only load failed. " + "word " * 60 + "\nSecond paragraph")
    text = brief(long)
    assert text.endswith("…") and len(text) <= 141 and "Second" not in text
    assert not text[:-1].endswith(" ") and text.startswith("Weights only load failed")
    assert brief(ValueError()) == "ValueError"
    assert brief(OSError("disk full.")) == "disk full"
