"""What the network answers: top-k classes, ten-crop averaging, and the invariance check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from PIL import Image
from torch import nn

from cnnviz.core.forward_lock import FORWARD_LOCK
from cnnviz.core.probe.preprocess import Preprocess


@dataclass(frozen=True)
class Prediction:
    index: int
    name: str
    probability: float


def top_k(logits: torch.Tensor, categories: Sequence[str] = (), k: int = 5) -> list[Prediction]:
    """The ``k`` most probable classes of one logit vector (softmax), named when known."""
    probs = torch.softmax(logits.detach().float().reshape(-1), dim=0)
    values, indices = torch.topk(probs, min(k, probs.numel()))
    return [Prediction(int(i), categories[i] if i < len(categories) else f"class {int(i)}",
                       float(v)) for v, i in zip(values, indices)]


def _logits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    try:
        with FORWARD_LOCK, torch.no_grad():
            out = model(x)
    finally:
        model.train(was_training)
    if isinstance(out, (tuple, list)):
        out = out[0]
    return getattr(out, "logits", out)


def predict(model: nn.Module, image: np.ndarray, prep: Preprocess,
            categories: Sequence[str] = (), k: int = 5) -> list[Prediction]:
    """Top-``k`` for one RGB uint8 image under the network's evaluation recipe."""
    return top_k(_logits(model, prep(image))[0], categories, k)


def ten_crops(image: np.ndarray, prep: Preprocess) -> list[np.ndarray]:
    """The four corner crops, the centre crop, and the mirror image of each (Krizhevsky et
    al. 2012, sec. 4.1), taken from the image resized as the network's recipe resizes it.

    A recipe that resizes no larger than its crop (the small networks, a lab model fed the
    centre square) has no margin to crop from: the image is then resized to 256/224 of the
    crop, the margin ImageNet's recipe keeps.
    """
    h, w = prep.crop
    pil = Image.fromarray(np.ascontiguousarray(image))
    short = prep.resize if prep.resize > max(h, w) else round(max(h, w) * 256 / 224)
    scale = short / min(pil.width, pil.height)
    size = (max(w, round(pil.width * scale)), max(h, round(pil.height * scale)))
    big = np.array(pil.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0).convert("RGB"))
    H, W = big.shape[:2]
    corners = [(0, 0), (0, W - w), (H - h, 0), (H - h, W - w), ((H - h) // 2, (W - w) // 2)]
    crops = [big[t:t + h, l:l + w] for t, l in corners]
    return crops + [c[:, ::-1] for c in crops]


def ten_crop_predict(model: nn.Module, image: np.ndarray, prep: Preprocess,
                     categories: Sequence[str] = (), k: int = 5
                     ) -> tuple[list[Prediction], list[Prediction], list[np.ndarray]]:
    """``(single-crop top-k, ten-crop averaged top-k, the ten crops)``; the average is over
    the ten softmax outputs."""
    crops = ten_crops(image, prep)
    batch = torch.cat([prep.to_tensor(np.ascontiguousarray(c)) for c in crops])
    probs = torch.softmax(_logits(model, batch).float(), dim=1).mean(dim=0)
    averaged = top_k(torch.log(probs.clamp_min(1e-12)), categories, k)
    return predict(model, image, prep, categories, k), averaged, crops


def invariance_check(model: nn.Module, image: np.ndarray, pipeline, count: int, seed: int,
                     prep: Preprocess, categories: Sequence[str] = (), k: int = 3, *,
                     picture: str | None = None
                     ) -> list[tuple[np.ndarray, list[Prediction]]]:
    """Apply the augmentation ``pipeline`` ``count`` times (reproducibly from ``seed``) and
    return each sample with the network's top-``k`` for it.

    ``picture`` is the picture's file name ("cat.jpg"): sample i is then drawn as the
    augmentation studio and its export draw sample i of that picture with that seed (see
    :func:`cnnviz.core.augment.pipeline.sample_rng`), so both show the same samples.
    """
    samples = pipeline.samples(image, count, seed, picture=picture)
    batch = torch.cat([prep(s.image) for s in samples])
    logits = _logits(model, batch)
    return [(s.image, top_k(row, categories, k)) for s, row in zip(samples, logits)]
