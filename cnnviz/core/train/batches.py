"""Seeded training batches, made on the training device and shared by every model of a run.

Without an augmentation the whole training set is moved to the device once (it is stored as
uint8) and each batch is a gather by a seeded permutation, then converted, resized and
normalised there: the loader costs a few kernel launches per step.  With an augmentation each
image of the batch goes through it on the host first, inside a random state seeded from
``(seed, step)``, so the draws are the same however many models train and however often the
run is repeated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.datasets import DataSplit

Transform = Callable[[torch.Tensor], torch.Tensor]

# Up to this many pixels of difference, a smaller image is padded rather than scaled
# (MNIST's 28x28 digits become the 32x32 input of LeNet-5 the way the paper did it).
_PAD_LIMIT = 4


def padding(have: int, want: int) -> int | None:
    """Pixels of black border that make a side of ``have`` pixels ``want`` long (half before,
    the rest after), or None when the lab scales the image instead."""
    grow = want - have
    return grow if 0 <= grow <= _PAD_LIMIT else None


@dataclass(frozen=True)
class Batch:
    """One training batch: ``x`` float (normalised, model-ready), ``y`` int64, on device."""

    step: int
    epoch: int
    x: torch.Tensor
    y: torch.Tensor


class Preparer:
    """Turns uint8 (or [0, 1] float) image batches into normalised model input on a device."""

    def __init__(self, split: DataSplit, *, device: torch.device, channels: int,
                 image_size: int, channels_last: bool = False) -> None:
        self.device = device
        self.channels = channels
        self.image_size = image_size
        self.channels_last = channels_last
        mean, std = list(split.mean), list(split.std)
        if split.channels == 1 and channels == 3:
            mean, std = mean * 3, std * 3
        elif split.channels == 3 and channels == 1:
            mean, std = [float(np.mean(mean))], [float(np.mean(std))]
        elif split.channels != channels:
            raise TrainingError(
                f"The data set has {split.channels}-channel images but the model expects "
                f"{channels} channels."
            )
        self.mean = torch.tensor(mean, device=device).view(1, -1, 1, 1)
        self.std = torch.tensor(std, device=device).view(1, -1, 1, 1)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        images = images.to(self.device, non_blocking=True)
        x = images.float().div_(255.0) if images.dtype == torch.uint8 else images.float()
        if x.shape[1] == 1 and self.channels == 3:
            x = x.expand(-1, 3, -1, -1)
        elif x.shape[1] == 3 and self.channels == 1:
            x = x.mean(dim=1, keepdim=True)
        height, width = x.shape[-2:]
        size = self.image_size
        if (height, width) != (size, size):
            grow_h, grow_w = padding(height, size), padding(width, size)
            if grow_h is not None and grow_w is not None:
                x = F.pad(x, (grow_w // 2, grow_w - grow_w // 2, grow_h // 2, grow_h - grow_h // 2))
            else:
                x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False,
                                  antialias=size < max(height, width))
        x = (x - self.mean) / self.std
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x


@contextmanager
def seeded_random_state(seed: int) -> Iterator[None]:
    """Seed torch (CPU), numpy and ``random`` for the block, then restore their old states."""
    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        np.random.seed(seed % (2**32))
        random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)


class BatchStream:
    """Endless training batches, epoch after epoch, each epoch a fresh seeded shuffle.

    Batches are full (an epoch drops the remainder), so every step sees ``batch_size`` images;
    ``steps_per_epoch`` is ``len(train) // batch_size``.  ``transform`` is applied to each
    training image (a uint8 tensor (C, H, W); it returns a uint8 tensor or a float one in
    [0, 1]); all images must come out the same size.
    """

    def __init__(self, split: DataSplit, prepare: Preparer, *, batch_size: int, seed: int,
                 transform: Transform | None = None) -> None:
        count = len(split.train_y)
        if batch_size < 1:
            raise TrainingError("The batch size must be at least 1.")
        if count < batch_size:
            raise TrainingError(
                f"The training set has only {count} images, fewer than the batch size "
                f"{batch_size}; choose a batch size of at most {count}."
            )
        self.split = split
        self.prepare = prepare
        self.batch_size = batch_size
        self.seed = seed
        self.transform = transform
        self.steps_per_epoch = count // batch_size
        device = prepare.device
        # With a transform the images stay on the host, where the transform runs.
        keep_on = torch.device("cpu") if transform is not None else device
        self._x = split.train_x.to(keep_on)
        self._y = split.train_y.to(device)
        self._generator = torch.Generator().manual_seed(seed)

    def __iter__(self) -> Iterator[Batch]:
        step, epoch = 0, 0
        while True:
            epoch += 1
            # Drawn on the host (the same order on every device), copied over once an epoch:
            # a copy per step would make the host wait for the device each time.
            order = torch.randperm(len(self._y), generator=self._generator)
            on_x, on_y = order.to(self._x.device), order.to(self._y.device)
            for start in range(0, self.steps_per_epoch * self.batch_size, self.batch_size):
                step += 1
                picked = slice(start, start + self.batch_size)
                images = self._images(on_x[picked], step)
                yield Batch(step, epoch, self.prepare(images), self._y[on_y[picked]])

    def _images(self, index: torch.Tensor, step: int) -> torch.Tensor:
        if self.transform is None:
            return self._x[index]
        with seeded_random_state(self.seed * 1_000_003 + step):
            try:
                out = [self.transform(self._x[i]) for i in index.tolist()]
                return torch.stack([o.float() / 255.0 if o.dtype == torch.uint8 else o.float()
                                    for o in out])
            except TrainingError:
                raise
            except Exception as exc:  # a user's transform: report it, do not crash the run
                raise TrainingError(f"The augmentation pipeline failed on a training image "
                                    f"({type(exc).__name__}: {exc}).") from exc

    def validation(self, batch_size: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The validation set in order, prepared, in batches of ``batch_size``."""
        device = self.prepare.device
        for start in range(0, len(self.split.val_y), batch_size):
            images = self.split.val_x[start:start + batch_size]
            yield self.prepare(images), self.split.val_y[start:start + batch_size].to(device)
