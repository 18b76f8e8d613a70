"""Settings the setup form can tell are impossible before a run starts, each as a sentence.

Pure Python (no Qt, no torch), so the form can check on every edit and show the sentence
under the field it is about.  The engine checks again when the run starts: these checks only
catch, early and in the student's words, what the form's own fields can show to be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Keys of :attr:`Problem.field`: the form fields a problem can be about.
FIELDS = ("data_dir", "pipeline", "lr", "batch_size", "length")


@dataclass(frozen=True)
class Problem:
    """A setting that cannot run: ``field`` (one of :data:`FIELDS`) and a sentence saying
    what to do."""

    field: str
    sentence: str


@dataclass(frozen=True)
class FormValues:
    """What the form's fields hold.  ``train_size`` 0 means every image of the data set;
    ``length`` counts steps when ``by_steps`` is true, else epochs."""

    dataset: str = "shapes"
    data_dir: str = ""
    pipeline: str = ""
    train_size: int = 0
    batch_size: int = 64
    length: int = 300
    by_steps: bool = True
    lr: float = 0.1


def check_values(values: FormValues) -> list[Problem]:
    """Every problem of ``values``, in the form's top-to-bottom order (empty: it can run)."""
    problems = []
    if values.dataset == "folder":
        if not values.data_dir:
            problems.append(Problem("data_dir", "Choose the image folder to train on (one "
                                                "sub-folder per class)."))
        elif not Path(values.data_dir).expanduser().is_dir():
            problems.append(Problem("data_dir", f"There is no folder at {values.data_dir}; "
                                                "choose the image folder to train on."))
    if values.pipeline and not Path(values.pipeline).expanduser().is_file():
        problems.append(Problem("pipeline", "There is no augmentation pipeline file at "
                                            f"{values.pipeline}."))
    if not values.lr > 0:
        problems.append(Problem("lr", "The learning rate must be above zero: 0.1 is usual "
                                      "for SGD, 0.001 for Adam."))
    if values.batch_size < 1:
        problems.append(Problem("batch_size", "A batch needs at least one image: set the "
                                              "batch size to 1 or more."))
    elif 0 < values.train_size < values.batch_size:
        problems.append(Problem(
            "batch_size",
            f"A batch of {values.batch_size:,} is more than the {values.train_size:,} "
            f"training images; choose a batch size of at most {values.train_size:,} or "
            "train on more images."))
    if values.length < 1:
        unit = "step" if values.by_steps else "epoch"
        problems.append(Problem("length", f"Train for at least one {unit}."))
    return problems
