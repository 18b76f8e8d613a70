"""Filters and occlusion: Gaussian blur, Gaussian noise and cutout (random erasing)."""

from __future__ import annotations

import functools
import math
import statistics
from typing import Any, Mapping

import numpy as np

from cnnviz.core.augment import kernels
from cnnviz.core.augment.spec import OpInfo, OpResult, OpSpec, ParamSpec, as_rgb_u8


# Normal noise is drawn by picking uniformly among this many equally likely quantiles of the
# standard normal distribution: the same distribution to 1/65536 in probability (tails cut
# at 4.3 sigma, invisible in 8-bit pictures) at a third of the cost of numpy's sampler.
_QUANTILES = 1 << 16


@functools.lru_cache(maxsize=1)
def _normal_quantiles() -> np.ndarray:
    normal = statistics.NormalDist()
    return np.array([normal.inv_cdf((i + 0.5) / _QUANTILES) for i in range(_QUANTILES)],
                    dtype=np.float32)


def _seed(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, int]:
    return {"noise_seed": int(rng.integers(0, 2**31 - 1))}


def apply_gaussian_blur(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Blur with a Gaussian of standard deviation ``sigma`` pixels (0 leaves it sharp)."""
    as_rgb_u8(image)
    out = kernels.gaussian_blur(image, params["sigma"])
    return OpResult(out, OpInfo("gaussian_blur", dict(params)))


def apply_gaussian_noise(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Add noise of standard deviation ``std`` levels drawn from ``noise_seed``; with
    ``per_channel`` False the same value goes to all three channels (no colour speckle)."""
    as_rgb_u8(image)
    rng = np.random.default_rng(params["noise_seed"])
    shape = image.shape if params["per_channel"] else image.shape[:2] + (1,)
    quantiles = _normal_quantiles() * np.float32(params["std"])
    noise = np.take(quantiles, rng.integers(0, _QUANTILES, shape, dtype=np.uint16))
    out = kernels.add_noise(image, noise)
    return OpResult(out, OpInfo("gaussian_noise", dict(params)))


def _cutout_place(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, Any]:
    return {
        "pos_x": float(rng.uniform()),
        "pos_y": float(rng.uniform()),
        "noise_seed": int(rng.integers(0, 2**31 - 1)),
    }


def cutout_box(shape: tuple[int, ...], area: float, ratio: float, pos_x: float, pos_y: float):
    """The (x0, y0, x1, y1) rectangle of ``area`` x the image area with width/height
    ``ratio`` (shrunk to fit), placed at ``pos_x``/``pos_y`` in [0, 1].

    The rectangle never covers more pixels than ``area`` asks for: on a tiny picture, where
    even one pixel is more than the area, it is empty (x0 == x1 or y0 == y1)."""
    h, w = shape[:2]
    limit = area * h * w
    bw = math.sqrt(limit * ratio)
    bh = math.sqrt(limit / ratio)
    fit = max(bw / w, bh / h, 1.0)
    bw, bh = min(w, round(bw / fit)), min(h, round(bh / fit))
    # Rounding both sides up can overshoot the area (a 1x1 picture would lose its only
    # pixel to a 2 % cutout); trim the side that is longer than the ratio wants.
    while bw * bh > limit:
        if bw > ratio * bh:
            bw -= 1
        else:
            bh -= 1
    x0, y0 = round(pos_x * (w - bw)), round(pos_y * (h - bh))
    return x0, y0, x0 + bw, y0 + bh


def apply_cutout(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Paint one rectangle (DeVries & Taylor's cutout, Zhong et al.'s random erasing) with
    black, mid grey or random pixels, so the network learns from the rest of the object."""
    as_rgb_u8(image)
    box = cutout_box(image.shape, params["area"], params["ratio"], params["pos_x"], params["pos_y"])
    x0, y0, x1, y1 = box
    out = image.copy()
    fill = params["fill"]
    if fill == "noise":
        rng = np.random.default_rng(params["noise_seed"])
        out[y0:y1, x0:x1] = rng.integers(0, 256, (y1 - y0, x1 - x0, 3), dtype=np.uint8)
    else:
        out[y0:y1, x0:x1] = 0 if fill == "black" else 128
    return OpResult(out, OpInfo("cutout", dict(params), box=box))


OPS = (
    OpSpec(
        "gaussian_blur", "Gaussian blur", "filter",
        "Soften the picture, as a slightly out-of-focus camera would.",
        (ParamSpec("sigma", "Sigma", "float", (0.1, 2.0), 0.0, 20.0, 0.1, "px", ranged=True,
                   help="Standard deviation of the blur in pixels of the picture shown."),),
        apply_gaussian_blur,
    ),
    OpSpec(
        "gaussian_noise", "Gaussian noise", "filter",
        "Sprinkle random grain over the picture, like a photo taken in dim light.",
        (ParamSpec("std", "Strength", "float", (5.0, 20.0), 0.0, 100.0, 0.5, "levels",
                   ranged=True, help="Standard deviation of the noise in 0-255 levels."),
         ParamSpec("per_channel", "Coloured grain", "bool", True,
                   help="Different noise in red, green and blue.")),
        apply_gaussian_noise, extra_sampler=_seed,
    ),
    OpSpec(
        "cutout", "Cutout / random erasing", "occlusion",
        "Blank out a random rectangle so the network cannot rely on one part of the object.",
        (ParamSpec("area", "Area", "float", (0.02, 0.2), 0.001, 1.0, 0.001, "of area",
                   ranged=True),
         ParamSpec("ratio", "Aspect ratio", "float", (0.3, 3.3), 0.1, 10.0, 0.05, "w/h",
                   ranged=True),
         ParamSpec("fill", "Fill", "choice", "black", choices=("black", "grey", "noise"))),
        apply_cutout, frozenset({"box"}), extra_sampler=_cutout_place,
    ),
)
