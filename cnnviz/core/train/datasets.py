"""The data sets a run can train on, loaded into memory as uint8 tensors at native size.

:func:`load_dataset` returns a :class:`DataSplit`: training and validation images as
``uint8`` tensors (N, C, H, W) and ``int64`` labels.  Resizing to the model's input, channel
conversion and normalisation happen per batch on the training device (see
:mod:`cnnviz.core.train.batches`), so a data set is stored once, small, whatever the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.records import DATASETS
from cnnviz.core.train.shapes import SHAPE_CLASSES, make_shapes
from cnnviz.core.train.sizes import size_text

DATASET_TITLES = {
    "shapes": "Shapes (built in)",
    "mnist": "MNIST",
    "fashion_mnist": "Fashion-MNIST",
    "cifar10": "CIFAR-10",
    "folder": "Image folder",
}

SHAPES_TRAIN, SHAPES_VAL = 10_000, 2_000


@dataclass(frozen=True)
class DataSplit:
    """Training and validation data of a run.

    ``mean``/``std`` are per-channel statistics of the training images in [0, 1], used to
    normalise every batch.  ``val_is_test`` says the validation images are the data set's
    official test set.  ``skipped`` counts files of an image folder that could not be read.
    """

    name: str
    classes: tuple[str, ...]
    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    mean: tuple[float, ...]
    std: tuple[float, ...]
    val_is_test: bool = False
    skipped: int = 0

    @property
    def channels(self) -> int:
        return int(self.train_x.shape[1])

    @property
    def image_size(self) -> int:
        return int(self.train_x.shape[-1])


def _stats(images: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    sample = images[:10_000].astype(np.float32) / 255.0
    mean = sample.mean(axis=(0, 2, 3))
    std = sample.std(axis=(0, 2, 3)).clip(min=1e-3)
    return tuple(float(m) for m in mean), tuple(float(s) for s in std)


def _split(rng: np.random.Generator, count: int, fraction: float) -> tuple[np.ndarray, ...]:
    order = rng.permutation(count)
    n_val = max(1, int(round(count * fraction)))
    return order[n_val:], order[:n_val]


def _make(name, classes, train_x, train_y, val_x, val_y, *, val_is_test=False,
          skipped=0) -> DataSplit:
    mean, std = _stats(train_x)
    return DataSplit(
        name=name, classes=tuple(classes),
        train_x=torch.from_numpy(np.ascontiguousarray(train_x)),
        train_y=torch.from_numpy(np.ascontiguousarray(train_y)),
        val_x=torch.from_numpy(np.ascontiguousarray(val_x)),
        val_y=torch.from_numpy(np.ascontiguousarray(val_y)),
        mean=mean, std=std, val_is_test=val_is_test, skipped=skipped,
    )


def load_dataset(
    dataset: str = "shapes",
    *,
    data_dir: str | Path | None = None,
    download: bool = True,
    num_classes: int | None = None,
    image_size: int | None = None,
    train_size: int | None = None,
    val_size: int | None = None,
    val_fraction: float = 0.15,
    seed: int = 0,
) -> DataSplit:
    """Load one of :data:`~cnnviz.core.train.records.DATASETS`.

    ``shapes`` is generated from ``seed`` (``num_classes`` shapes, ``image_size`` pixels,
    default 10 and 32; ``train_size``/``val_size`` images, default 10,000 and 2,000).
    ``mnist``, ``fashion_mnist`` and ``cifar10`` are read from ``data_dir`` or the cache and
    downloaded there when missing and ``download`` is allowed; their test set is the
    validation set.  ``folder`` reads ``data_dir`` (one sub-folder per class, images resized
    to ``image_size``, default 64) and keeps ``val_fraction`` of it, drawn with ``seed``, for
    validation.  ``train_size``/``val_size`` cap the number of images for the others.
    """
    if dataset not in DATASETS:
        raise TrainingError(
            f"There is no data set called '{dataset}'; choose one of {', '.join(DATASETS)}."
        )
    rng = np.random.default_rng(seed)
    if dataset == "shapes":
        classes = num_classes or 10
        if not 2 <= classes <= len(SHAPE_CLASSES):
            raise TrainingError(
                f"The shapes data set has 2 to {len(SHAPE_CLASSES)} classes, not {classes}."
            )
        size = image_size or 32
        train_x, train_y = make_shapes(train_size or SHAPES_TRAIN, num_classes=classes,
                                       size=size, seed=seed)
        val_x, val_y = make_shapes(val_size or SHAPES_VAL, num_classes=classes, size=size,
                                   seed=seed + 1_000_003)
        title = f"Shapes ({classes} classes, {size_text(size, size)})"
        return _make(title, SHAPE_CLASSES[:classes],
                     train_x, train_y, val_x, val_y)
    if dataset == "folder":
        if not data_dir:
            raise TrainingError("Choose the image folder to train on (one sub-folder per class).")
        from cnnviz.core.train.imagefolder import read_image_folder

        images, labels, classes, skipped = read_image_folder(data_dir, size=image_size or 64)
        train_idx, val_idx = _split(rng, len(images), val_fraction)
        train_idx = train_idx[:train_size] if train_size else train_idx
        val_idx = val_idx[:val_size] if val_size else val_idx
        return _make(f"{Path(data_dir).name} ({len(classes)} classes)", classes,
                     images[train_idx], labels[train_idx], images[val_idx], labels[val_idx],
                     skipped=skipped)

    from cnnviz.core.train.readers import fetch

    split = fetch(dataset, data_dir, download=download)
    train_x, train_y, val_x, val_y = split.train_x, split.train_y, split.test_x, split.test_y
    if train_size:
        keep = rng.permutation(len(train_x))[:train_size]
        train_x, train_y = train_x[keep], train_y[keep]
    if val_size:
        val_x, val_y = val_x[:val_size], val_y[:val_size]
    return _make(DATASET_TITLES[dataset], split.classes, train_x, train_y, val_x, val_y,
                 val_is_test=True)
