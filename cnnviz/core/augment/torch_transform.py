"""A pipeline as a transform for a torch ``Dataset`` (what the training lab uses).

Seeding: with ``seed`` None, each call draws its key from torch's global generator, so
``torch.manual_seed`` and the per-worker seeds a ``DataLoader`` sets make a run repeatable
(numpy's global state, which DataLoader workers would all share, is never used).  With a
``seed``, call it as ``transform(image, index=i)`` to get exactly sample ``i`` of that seed
(the same picture as the preview grid and ``cnnviz augment --seed``) and change
:attr:`PipelineTransform.epoch` to get fresh samples each epoch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from PIL import Image

from cnnviz.core.augment.pipeline import Pipeline, sample_rng


def to_rgb_array(image: Any) -> np.ndarray:
    """A PIL image, an (H, W[, C]) array or a (C, H, W) tensor (uint8, or float in [0, 1])
    as an RGB uint8 (H, W, 3) array; one channel is repeated, a fourth is dropped."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"))
    if isinstance(image, torch.Tensor):
        tensor = image.detach().cpu()
        if tensor.ndim == 2:
            tensor = tensor[None]
        if tensor.ndim != 3:
            raise ValueError(f"expected a (C, H, W) image tensor, got shape {tuple(tensor.shape)}")
        if tensor.dtype.is_floating_point:
            tensor = (tensor.clamp(0, 1) * 255).round().to(torch.uint8)
        array = tensor.to(torch.uint8).permute(1, 2, 0).numpy()
    else:
        array = np.asarray(image)
        if array.dtype != np.uint8:
            if np.issubdtype(array.dtype, np.floating):
                array = np.rint(np.clip(array, 0, 1) * 255)
            array = array.astype(np.uint8)
        if array.ndim == 2:
            array = array[..., None]
    if array.ndim != 3:
        raise ValueError(f"expected an image, got an array of shape {array.shape}")
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    return np.ascontiguousarray(array[..., :3])


class PipelineTransform:
    """Callable transform: ``transform(image, index=None) -> torch.FloatTensor (3, H, W)``
    with values in [0, 1].  Picklable, so it works in DataLoader worker processes."""

    def __init__(self, pipeline: Pipeline, seed: int | None = None, epoch: int = 0) -> None:
        self.pipeline = pipeline
        self.seed = seed
        self.epoch = epoch

    def __repr__(self) -> str:
        ops = ", ".join(s.op for s in self.pipeline.steps if s.enabled)
        return f"PipelineTransform([{ops}], seed={self.seed})"

    def rng_for(self, index: int | None) -> np.random.Generator:
        if self.seed is not None and index is not None:
            # Epoch 0 is exactly sample ``index`` of ``seed``, as the preview shows it.
            if self.epoch == 0:
                return sample_rng(self.seed, index)
            return np.random.default_rng([int(self.seed), int(index), int(self.epoch)])
        key = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        return np.random.default_rng(key)

    def __call__(self, image: Any, index: int | None = None) -> torch.Tensor:
        array = self.pipeline.sample(to_rgb_array(image), self.rng_for(index)).image
        tensor = torch.from_numpy(np.ascontiguousarray(array)).permute(2, 0, 1)
        return tensor.to(torch.float32).div_(255.0)
