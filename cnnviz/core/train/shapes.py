"""A procedural image data set that needs no download: coloured shapes on noisy backgrounds.

Each image shows one shape (the class) in a random colour, size, position and a small random
rotation, over a dark random background with a soft gradient and Gaussian noise.  Everything
is drawn from ``numpy.random.default_rng(seed)``, so the same arguments always give the same
pixels.  Rotations stay within +/-20 degrees so that classes that differ only by orientation
(square and diamond, plus and cross) remain different classes.
"""

from __future__ import annotations

import numpy as np

SHAPE_CLASSES = (
    "circle", "ring", "square", "frame", "diamond",
    "triangle", "plus", "cross", "ellipse", "half-disc",
)


def _mask(kind: str, u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Inside-test of one shape kind; ``u, v`` are coordinates centred on the shape."""
    au, av = np.abs(u), np.abs(v)
    dist = np.sqrt(u * u + v * v)
    if kind == "circle":
        return dist < r
    if kind == "ring":
        return (dist < r) & (dist > 0.6 * r)
    if kind == "square":
        return np.maximum(au, av) < 0.8 * r
    if kind == "frame":
        side = np.maximum(au, av)
        return (side < 0.85 * r) & (side > 0.55 * r)
    if kind == "diamond":
        return au + av < 1.1 * r
    if kind == "triangle":
        # Pointing up: below the two slanted edges and above the base.
        return (v < 0.6 * r) & (v > -r + 1.7 * au)
    if kind == "plus":
        return ((au < 0.3 * r) & (av < r)) | ((av < 0.3 * r) & (au < r))
    if kind == "cross":
        d1, d2 = np.abs(u + v) / np.sqrt(2), np.abs(u - v) / np.sqrt(2)
        return ((d1 < 0.3 * r) | (d2 < 0.3 * r)) & (np.maximum(au, av) < 0.8 * r)
    if kind == "ellipse":
        return (u / r) ** 2 + (v / (0.45 * r)) ** 2 < 1
    if kind == "half-disc":
        return (dist < r) & (v > -0.1 * r)
    raise ValueError(f"unknown shape {kind!r}")


def make_shapes(
    count: int,
    *,
    num_classes: int = 10,
    size: int = 32,
    noise: float = 0.08,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` RGB images (uint8, shape (count, 3, size, size)) and their labels (int64).

    Classes are balanced and shuffled; ``noise`` is the standard deviation of the added
    Gaussian noise as a fraction of full scale.
    """
    if not 2 <= num_classes <= len(SHAPE_CLASSES):
        raise ValueError(f"num_classes must be between 2 and {len(SHAPE_CLASSES)}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % num_classes).astype(np.int64)

    # Per-image parameters, shaped (count, 1, 1) to broadcast over the pixel grid.
    def param(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, size=(count, 1, 1)).astype(np.float32)

    radius = param(0.22, 0.38) * size
    cx = size / 2 + param(-1, 1) * (size / 2 - radius - 1).clip(min=0)
    cy = size / 2 + param(-1, 1) * (size / 2 - radius - 1).clip(min=0)
    angle = np.deg2rad(param(-20, 20))
    fg = rng.uniform(0.45, 1.0, size=(count, 3, 1, 1)).astype(np.float32)
    bg = rng.uniform(0.0, 0.35, size=(count, 3, 1, 1)).astype(np.float32)
    tilt = rng.uniform(-0.15, 0.15, size=(count, 2, 1, 1)).astype(np.float32)

    # float32 throughout: half the memory traffic of float64, and pixels end up as uint8.
    grid = np.arange(size, dtype=np.float32) + 0.5
    ys, xs = np.meshgrid(grid, grid, indexing="ij")
    dx, dy = xs[None] - cx, ys[None] - cy
    cos, sin = np.cos(angle), np.sin(angle)
    u = cos * dx + sin * dy
    v = -sin * dx + cos * dy

    inside = np.zeros((count, size, size), dtype=bool)
    for cls in range(num_classes):
        pick = labels == cls
        if pick.any():
            inside[pick] = _mask(SHAPE_CLASSES[cls], u[pick], v[pick], radius[pick])

    ramp = tilt[:, 0] * (xs / size - 0.5) + tilt[:, 1] * (ys / size - 0.5)
    images = np.where(inside[:, None], fg, bg + ramp[:, None])
    images += rng.standard_normal(size=images.shape, dtype=np.float32) * np.float32(noise)
    images *= 255.0
    images += 0.5
    pixels = np.clip(images, 0, 255, out=images).astype(np.uint8)
    return pixels, labels
