"""How many images a planned run puts through its models, known before it starts: the
training images (forward and backward) and the held-out images (forward only, at each
epoch's end), from the form's settings and the data set's size.

No torch here: the window asks this on its own thread.  The built-in data sets' sizes are
written out (a test checks them against :mod:`cnnviz.core.train.datasets`); an image folder's
is known once it was counted (:func:`count_folder`, on a worker).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from cnnviz.core.train.records import RunConfig

#: Training and held-out images of each built-in data set (before ``train_size`` caps them).
DATA_SIZES = {
    "shapes": (10_000, 2_000),
    "mnist": (60_000, 10_000),
    "fashion_mnist": (60_000, 10_000),
    "cifar10": (50_000, 10_000),
}
#: The share of an image folder held out for validation (as the engine splits it).
FOLDER_HELD_OUT = 0.15
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


@dataclass(frozen=True)
class WorkPlan:
    """Images through each model: ``trained`` (a training step's forward and backward) and
    ``validated`` (forward only)."""

    trained: int
    validated: int


def count_folder(path: str | Path) -> int:
    """Image files in the class sub-folders of ``path`` (0 when it is no such folder).
    Lists folders only; slow on a network drive, so call it off the window's thread."""
    root = Path(path).expanduser()
    try:
        folders = [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
        return sum(1 for d in folders for f in d.iterdir()
                   if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
    except OSError:
        return 0


def data_sizes(config: RunConfig, folder_images: int | None = None) -> tuple[int, int] | None:
    """Training and held-out images of ``config``'s data set, capped as the run caps them;
    None for an image folder not counted yet (``folder_images``)."""
    if config.dataset == "folder":
        if not folder_images:
            return None
        held_out = max(1, int(round(folder_images * FOLDER_HELD_OUT)))
        train, val = folder_images - held_out, held_out
    elif config.dataset in DATA_SIZES:
        train, val = DATA_SIZES[config.dataset]
        if config.dataset == "shapes":  # made to measure rather than capped
            train, val = config.train_size or train, config.val_size or val
    else:
        return None
    if config.train_size:
        train = min(train, config.train_size)
    if config.val_size:
        val = min(val, config.val_size)
    return train, val


def work_plan(config: RunConfig, folder_images: int | None = None) -> WorkPlan | None:
    """What a run of ``config`` will do, or None while the data set's size is unknown."""
    sizes = data_sizes(config, folder_images)
    if sizes is None or config.batch_size < 1:
        return None
    train, val = sizes
    per_epoch = max(1, train // config.batch_size)
    steps = config.steps if config.steps is not None else (config.epochs or 1) * per_epoch
    # Every epoch's end validates, and so does the last step when it ends an epoch early.
    epoch_ends = math.ceil(steps / per_epoch)
    return WorkPlan(trained=steps * config.batch_size,
                    validated=epoch_ends * val if config.validate else 0)
