"""The setup form's checks on their own: which settings cannot run, and in what words."""

from __future__ import annotations

import subprocess
import sys

from cnnviz.ui.train.form_checks import FIELDS, FormValues, Problem, check_values


def test_the_defaults_can_run():
    assert check_values(FormValues()) == []


def test_each_impossible_value_is_one_problem_in_the_forms_order(tmp_path):
    values = FormValues(dataset="folder", data_dir="", pipeline=str(tmp_path / "p.json"),
                        train_size=10, batch_size=32, length=0, by_steps=False, lr=0.0)
    problems = check_values(values)
    assert [p.field for p in problems] == ["data_dir", "pipeline", "lr", "batch_size",
                                           "length"]
    assert all(p.field in FIELDS for p in problems)
    assert problems[3] == Problem("batch_size", "A batch of 32 is more than the 10 training "
                                                "images; choose a batch size of at most 10 or "
                                                "train on more images.")
    assert problems[4].sentence == "Train for at least one epoch."
    assert all(p.sentence.endswith(".") and p.sentence[0].isupper() for p in problems)


def test_files_and_folders_are_looked_for(tmp_path):
    pipeline = tmp_path / "flip.json"
    pipeline.write_text("{}")
    assert check_values(FormValues(dataset="folder", data_dir=str(tmp_path),
                                   pipeline=str(pipeline))) == []
    missing = check_values(FormValues(dataset="folder", data_dir=str(pipeline)))
    assert [p.field for p in missing] == ["data_dir"]
    assert missing[0].sentence.startswith(f"There is no folder at {pipeline}")
    # A data set that downloads needs no folder of its own; shapes ignores it.
    assert check_values(FormValues(dataset="mnist", data_dir=str(tmp_path / "new"))) == []
    assert check_values(FormValues(dataset="shapes", data_dir="")) == []


def test_sizes_that_fit_pass_and_zero_means_every_image():
    assert check_values(FormValues(train_size=64, batch_size=64)) == []
    assert check_values(FormValues(train_size=0, batch_size=4096)) == []
    assert [p.field for p in check_values(FormValues(batch_size=0))] == ["batch_size"]


def test_the_checks_load_neither_qt_nor_torch():
    code = ("import sys, cnnviz.ui.train.form_checks; "
            "print(any(m.split('.')[0] in ('PySide6', 'torch') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
