"""The few pixel-pushing primitives the operations are built from, with two backends.

The operations call only these functions.  Each has a portable implementation on Pillow and
numpy and, when OpenCV (``cv2``) is importable, a faster one on OpenCV, which is what
albumentations uses; both follow the same coordinate convention (pixel centres at integer
coordinates) and agree to within interpolation rounding, which a test checks.  The backend is
chosen once at import (``CNNVIZ_AUGMENT_BACKEND=pillow`` forces the portable one) and can be
switched with :func:`use_backend` for tests and benchmarks.  Outputs of one backend are
byte-for-byte reproducible; the two backends are not byte-identical to each other.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

import numpy as np
from PIL import Image, ImageFilter

try:  # OpenCV is optional: an accelerator, never a requirement.
    import cv2
except ImportError:  # pragma: no cover - depends on the environment
    cv2 = None

BACKENDS = ("opencv", "pillow") if cv2 is not None else ("pillow",)

_backend = (
    "pillow" if cv2 is None or os.environ.get("CNNVIZ_AUGMENT_BACKEND") == "pillow" else "opencv"
)


def backend() -> str:
    """The backend in use: ``"opencv"`` or ``"pillow"``."""
    return _backend


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run a block with the given backend (one of :data:`BACKENDS`).  The choice is global,
    not per thread: meant for tests and benchmarks, not for a running application."""
    global _backend
    if name not in BACKENDS:
        raise ValueError(f"backend {name!r} is not available here; choose from {BACKENDS}")
    previous, _backend = _backend, name
    try:
        yield
    finally:
        _backend = previous


def _cv() -> bool:
    return _backend == "opencv"


def _fill3(fill: int) -> tuple[int, int, int]:
    return (int(fill),) * 3


def flip(image: np.ndarray, horizontal: bool) -> np.ndarray:
    """Mirror left-right (``horizontal``) or top-bottom, into a new contiguous array."""
    if _cv():
        return cv2.flip(image, 1 if horizontal else 0)
    return np.ascontiguousarray(image[:, ::-1] if horizontal else image[::-1])


def warp_affine(
    image: np.ndarray, matrix: np.ndarray, size: tuple[int, int], fill: int = 0
) -> np.ndarray:
    """Warp by the 3x3 affine ``matrix`` (input -> output coordinates) into ``size`` = (w, h),
    bilinear, with ``fill`` (a grey level) outside the input."""
    if _cv():
        return cv2.warpAffine(
            image, matrix[:2].astype(np.float64), size, flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT, borderValue=_fill3(fill),
        )
    inverse = _pillow_backward(np.linalg.inv(matrix))
    out = Image.fromarray(image).transform(
        size, Image.Transform.AFFINE, tuple(inverse[:2].ravel()), Image.Resampling.BILINEAR,
        fillcolor=_fill3(fill),
    )
    return np.asarray(out)


def warp_perspective(
    image: np.ndarray, matrix: np.ndarray, size: tuple[int, int], fill: int = 0
) -> np.ndarray:
    """Warp by the 3x3 homography ``matrix`` (input -> output coordinates), bilinear."""
    if _cv():
        return cv2.warpPerspective(
            image, matrix.astype(np.float64), size, flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT, borderValue=_fill3(fill),
        )
    inverse = _pillow_backward(np.linalg.inv(matrix))
    inverse = inverse / inverse[2, 2]
    out = Image.fromarray(image).transform(
        size, Image.Transform.PERSPECTIVE, tuple(inverse.ravel()[:8]),
        Image.Resampling.BILINEAR, fillcolor=_fill3(fill),
    )
    return np.asarray(out)


def _pillow_backward(backward: np.ndarray) -> np.ndarray:
    """Pillow samples output pixel centres at (x + 0.5, y + 0.5) and reads the input with the
    same half-pixel offset; conjugate the integer-centre matrix by that shift."""
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    unshift = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]])
    return shift @ backward @ unshift


def remap(image: np.ndarray, coords: np.ndarray, fill: int | None = 0) -> np.ndarray:
    """Sample ``image`` bilinearly at ``coords`` ((H, W, 2) float32, x then y: the input
    position each output pixel reads).  Positions outside the image read ``fill``, or with
    ``fill`` None the picture mirrored at its edges (so a warp never shows a border)."""
    if _cv():
        if fill is None:
            return cv2.remap(image, coords, None, cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REFLECT_101)
        return cv2.remap(
            image, coords, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
            borderValue=_fill3(fill),
        )
    map_x, map_y = coords[..., 0], coords[..., 1]
    if fill is None:
        h, w = image.shape[:2]
        return _remap_numpy(image, mirror_coords(map_x, w), mirror_coords(map_y, h), 0)
    return _remap_numpy(image, map_x, map_y, fill)


def offset_by_position(field: np.ndarray, sign: float = 1.0) -> np.ndarray:
    """A new (H, W, 2) float32 array: ``field`` plus (``sign`` = 1) or minus (-1) each
    pixel's own (x, y).  Turns a displacement field into remap coordinates and back."""
    h, w = field.shape[:2]
    out = field.astype(np.float32, copy=True)
    out[..., 0] += np.float32(sign) * np.arange(w, dtype=np.float32)[None, :]
    out[..., 1] += np.float32(sign) * np.arange(h, dtype=np.float32)[:, None]
    return out


def upsample(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear enlargement of a float32 (h, w, C) array to ``size`` = (W, H), sample centres
    at pixel centres and edges held (OpenCV's INTER_LINEAR convention)."""
    w, h = size
    if _cv():
        out = cv2.resize(values, (w, h), interpolation=cv2.INTER_LINEAR)
        return out.reshape(h, w, values.shape[2])
    ay, ax = _linear_weights(h, values.shape[0]), _linear_weights(w, values.shape[1])
    return np.einsum("yi,ijc,xj->yxc", ay, values, ax, optimize=True).astype(np.float32)


def _linear_weights(n_out: int, n_in: int) -> np.ndarray:
    pos = np.clip((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0, n_in - 1)
    low = np.minimum(np.floor(pos).astype(int), max(n_in - 2, 0))
    frac = pos - low
    weights = np.zeros((n_out, n_in), dtype=np.float32)
    weights[np.arange(n_out), low] += 1.0 - frac
    if n_in > 1:
        weights[np.arange(n_out), low + 1] += frac
    return weights


def mirror_coords(coords: np.ndarray, length: int) -> np.ndarray:
    """Fold coordinates back into [0, length - 1] as a mirror at the edge pixels would."""
    if length == 1:
        return np.zeros_like(coords)
    period = 2.0 * (length - 1)
    folded = np.mod(coords, period)
    return np.where(folded > length - 1, period - folded, folded).astype(np.float32)


def _remap_numpy(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray, fill: int) -> np.ndarray:
    h, w = image.shape[:2]
    # Pad by one pixel of fill so that neighbours just outside the image blend towards fill.
    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)), constant_values=fill).astype(np.float32)
    x = np.clip(map_x + 1.0, 0.0, w + 1.0)
    y = np.clip(map_y + 1.0, 0.0, h + 1.0)
    x0 = np.minimum(np.floor(x).astype(np.int32), w)
    y0 = np.minimum(np.floor(y).astype(np.int32), h)
    fx = (x - x0)[..., None]
    fy = (y - y0)[..., None]
    top = padded[y0, x0] * (1 - fx) + padded[y0, x0 + 1] * fx
    bottom = padded[y0 + 1, x0] * (1 - fx) + padded[y0 + 1, x0 + 1] * fx
    out = top * (1 - fy) + bottom * fy
    outside = (map_x < -1) | (map_x > w) | (map_y < -1) | (map_y > h)
    out[outside] = fill
    return np.rint(out).astype(np.uint8)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Blur with a Gaussian of standard deviation ``sigma`` pixels (edges reflected)."""
    if sigma <= 0:
        return image.copy()
    if _cv():
        return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT_101)
    return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(sigma)))


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize to ``size`` = (w, h): area averaging when shrinking, bilinear when enlarging."""
    w, h = size
    if (w, h) == (image.shape[1], image.shape[0]):
        return image.copy()
    if _cv():
        shrinking = w < image.shape[1] and h < image.shape[0]
        return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    resample = Image.Resampling.BOX if w < image.shape[1] else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(image).resize((w, h), resample))


def add_per_channel(image: np.ndarray, offsets) -> np.ndarray:
    """Add one whole number per channel, saturating at 0 and 255."""
    offsets = [int(v) for v in offsets]
    if _cv():
        return cv2.add(image, (*map(float, offsets), 0.0))
    out = image.astype(np.int16) + np.array(offsets, dtype=np.int16)
    return np.clip(out, 0, 255).astype(np.uint8)


def add_noise(image: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``image`` plus float32 ``noise`` ((H, W, 3), or (H, W, 1) for the same value in every
    channel), rounded and saturated to uint8 in one pass."""
    if _cv():
        if noise.shape[2] == 1:
            noise = cv2.cvtColor(noise, cv2.COLOR_GRAY2RGB)
        return cv2.add(image, noise, dtype=cv2.CV_8U)
    total = noise + image
    np.clip(total, 0.0, 255.0, out=total)
    return np.rint(total, out=total).astype(np.uint8)


def lookup(image: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """Map each channel through its own 256-entry uint8 table (``tables`` is (3, 256))."""
    if _cv():
        if (tables[0] == tables[1]).all() and (tables[1] == tables[2]).all():
            return cv2.LUT(image, tables[0])  # one shared table takes OpenCV's fast path
        return cv2.LUT(image, np.ascontiguousarray(tables.T[:, None, :]))
    flat = np.concatenate([tables[0], tables[1], tables[2]]).tolist()
    return np.asarray(Image.fromarray(image).point(flat))


def rgb_to_hsv(image: np.ndarray) -> np.ndarray:
    """RGB to HSV with all three channels in 0..255 (hue scaled to the full byte), as a new
    writable array."""
    if _cv():
        return cv2.cvtColor(image, cv2.COLOR_RGB2HSV_FULL)
    return np.array(Image.fromarray(image).convert("HSV"))


def hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_hsv`."""
    if _cv():
        return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB_FULL)
    h, w = hsv.shape[:2]
    return np.asarray(Image.frombytes("HSV", (w, h), hsv.tobytes()).convert("RGB"))


def to_grey(image: np.ndarray) -> np.ndarray:
    """Luma (ITU-R 601: 0.299 R + 0.587 G + 0.114 B) as an (H, W) uint8 array."""
    if _cv():
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return np.asarray(Image.fromarray(image).convert("L"))


def mix_channels(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Each output pixel is ``matrix`` (3x3) times the input pixel's RGB, rounded and
    saturated to uint8, in one pass."""
    if _cv():
        return cv2.transform(image, matrix.astype(np.float32))
    out = image.astype(np.float32) @ matrix.T.astype(np.float32)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    """An (H, W) uint8 array repeated into three equal channels."""
    if _cv():
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
    return np.repeat(grey[..., None], 3, axis=2)
