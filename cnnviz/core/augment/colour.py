"""Colour operations: per-channel shifts, colour jitter, PCA colour augmentation, greyscale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

from cnnviz.core.augment import kernels
from cnnviz.core.augment.spec import OpInfo, OpResult, OpSpec, ParamSpec, PcaInfo, as_rgb_u8

_LEVELS = np.arange(256, dtype=np.float64)
_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601, as greyscale uses

# Statistics of a whole picture (a mean, a 3x3 covariance) are taken from an evenly spaced
# grid of about this many pixels: as exact as the eye can tell, at a fraction of the cost.
_STAT_SAMPLE = 1 << 15


def _stat_grid(image: np.ndarray) -> np.ndarray:
    stride = max(1, int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / _STAT_SAMPLE))))
    return np.ascontiguousarray(image[::stride, ::stride])


def _table(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def apply_colour_shift(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Add ``red``, ``green`` and ``blue`` (in 0-255 levels) to the matching channel."""
    as_rgb_u8(image)
    offsets = (params["red"], params["green"], params["blue"])
    return OpResult(kernels.add_per_channel(image, offsets), OpInfo("colour_shift", dict(params)))


def apply_colour_jitter(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Change brightness, contrast, saturation and hue, in that fixed order.

    ``brightness`` multiplies every level; ``contrast`` scales levels away from the mean grey;
    ``saturation`` blends with the greyscale picture (0 = grey, 1 = unchanged); ``hue`` turns
    every colour round the colour wheel by that many degrees.  Factors of 1 and a hue of 0
    change nothing.
    """
    as_rgb_u8(image)
    out = image
    brightness, contrast = params["brightness"], params["contrast"]
    if brightness != 1.0 or contrast != 1.0:
        bright = np.clip(_LEVELS * brightness, 0, 255)
        if contrast != 1.0:
            # Mean grey after the brightness change, from the grey histogram (one pass).
            hist = np.bincount(kernels.to_grey(_stat_grid(image)).ravel(), minlength=256)
            mean = float(hist @ bright) / hist.sum()
            bright = contrast * bright + (1.0 - contrast) * mean
        table = _table(bright)
        out = kernels.lookup(out, np.stack([table, table, table]))
    if params["saturation"] != 1.0:
        # Blending with the greyscale picture is one linear map of RGB: apply it in one pass.
        s = params["saturation"]
        out = kernels.mix_channels(out, s * np.eye(3) + (1.0 - s) * np.tile(_LUMA, (3, 1)))
    if params["hue"] != 0.0:
        hsv = kernels.rgb_to_hsv(out)
        # Hue spans the full byte, so adding with uint8 wrap-around turns the colour wheel.
        hsv[..., 0] += np.uint8(int(round(params["hue"] / 360.0 * 256.0)) % 256)
        out = kernels.hsv_to_rgb(hsv)
    if out is image:
        out = image.copy()
    return OpResult(out, OpInfo("colour_jitter", dict(params)))


@dataclass(frozen=True)
class PcaBasis:
    """Principal axes of RGB colour for pixels scaled to [0, 1]: unit ``eigenvectors`` as
    columns, ``eigenvalues`` in decreasing order."""

    eigenvectors: np.ndarray
    eigenvalues: np.ndarray


# The ImageNet colour basis that fb.resnet.torch and many AlexNet reimplementations use.
IMAGENET_BASIS = PcaBasis(
    eigenvectors=np.array([
        [-0.5675, 0.7192, 0.4009],
        [-0.5808, -0.0045, -0.8140],
        [-0.5836, -0.6948, 0.4203],
    ]),
    eigenvalues=np.array([0.2175, 0.0188, 0.0045]),
)


def pca_basis(images: np.ndarray | Iterable[np.ndarray]) -> PcaBasis:
    """The eigen-decomposition of the 3x3 RGB covariance of one image, or of all pixels of
    several images (a data set), as Krizhevsky et al. computed it over ImageNet.

    Large images are sampled on an evenly spaced grid, so the result is deterministic.
    Eigenvector signs are fixed so that each vector's largest component is positive.
    """
    if isinstance(images, np.ndarray):
        images = [images]
    total = np.zeros(3)
    outer = np.zeros((3, 3))
    count = 0
    for image in images:
        # One contiguous row per channel, and plain numpy products: BLAS would wake its
        # thread pool for a 3x3 result, which costs more than the arithmetic on a busy CPU.
        channels = np.ascontiguousarray(_stat_grid(as_rgb_u8(image)).reshape(-1, 3).T,
                                        dtype=np.float64) / 255.0
        total += channels.sum(axis=1)
        for i in range(3):
            for j in range(i, 3):
                outer[i, j] += float((channels[i] * channels[j]).sum())
                outer[j, i] = outer[i, j]
        count += channels.shape[1]
    if count == 0:
        raise ValueError("no pixels to compute a colour basis from")
    mean = total / count
    covariance = outer / count - np.outer(mean, mean)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    values, vectors = np.clip(values[order], 0.0, None), vectors[:, order]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(3)])
    return PcaBasis(vectors * signs, values)


def pca_shift(basis: PcaBasis, alphas: np.ndarray) -> np.ndarray:
    """[p1 p2 p3][a1*l1, a2*l2, a3*l3]^T, in 0-255 levels."""
    return basis.eigenvectors @ (np.asarray(alphas) * basis.eigenvalues) * 255.0


def _alphas(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, list]:
    return {"alphas": [float(a) for a in rng.normal(0.0, drawn["alpha_std"], 3)]}


def apply_pca_colour(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Krizhevsky et al. 2012, section 4.1: add [p1 p2 p3][a1*l1, a2*l2, a3*l3]^T to every
    pixel, where p and l are the eigenvectors and eigenvalues of the RGB covariance of this
    image (``source`` "image") or of ImageNet ("imagenet"), and ``alphas`` the drawn a.

    A caller with a data set's basis (see :func:`pca_basis`) may pass its ``eigenvectors``
    and ``eigenvalues`` in ``params``; they then take precedence over ``source``.
    """
    as_rgb_u8(image)
    if "eigenvectors" in params:
        basis = PcaBasis(np.asarray(params["eigenvectors"]), np.asarray(params["eigenvalues"]))
        source = "given"
    elif params["source"] == "imagenet":
        basis, source = IMAGENET_BASIS, "imagenet"
    else:
        basis, source = pca_basis(image), "image"
    alphas = np.asarray(params["alphas"], dtype=np.float64)
    shift = pca_shift(basis, alphas)
    info = OpInfo(
        "pca_colour", dict(params),
        pca=PcaInfo(basis.eigenvectors.copy(), basis.eigenvalues.copy(), alphas, shift, source),
    )
    # Levels are whole numbers, so adding the rounded shift is rounding the shifted level.
    return OpResult(kernels.add_per_channel(image, np.rint(shift)), info)


def apply_greyscale(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Replace each pixel by its luma (0.299 R + 0.587 G + 0.114 B) in all three channels."""
    as_rgb_u8(image)
    out = kernels.grey_to_rgb(kernels.to_grey(image))
    return OpResult(out, OpInfo("greyscale", dict(params)))


def _level(name: str, title: str) -> ParamSpec:
    return ParamSpec(name, title, "int", (-20, 20), -255, 255, 1, "levels", ranged=True)


def _factor(name: str, title: str, help: str) -> ParamSpec:
    return ParamSpec(name, title, "float", (0.8, 1.2), 0.0, 3.0, 0.01, "×", ranged=True, help=help)


OPS = (
    OpSpec(
        "colour_shift", "Colour shift", "colour",
        "Add a different random amount to the red, green and blue channels.",
        (_level("red", "Red"), _level("green", "Green"), _level("blue", "Blue")),
        apply_colour_shift,
    ),
    OpSpec(
        "colour_jitter", "Colour jitter", "colour",
        "Randomly change brightness, contrast, saturation and hue, as lighting would.",
        (_factor("brightness", "Brightness", "1 leaves the picture as it is."),
         _factor("contrast", "Contrast", "Below 1 towards flat grey, above 1 punchier."),
         _factor("saturation", "Saturation", "0 is greyscale, above 1 more vivid."),
         ParamSpec("hue", "Hue", "float", (-18.0, 18.0), -180.0, 180.0, 1.0, "°", ranged=True,
                   help="Turn every colour round the colour wheel.")),
        apply_colour_jitter,
    ),
    OpSpec(
        "pca_colour", "PCA colour", "colour",
        "AlexNet's colour trick: shift all pixels along the main axes of the picture's colours.",
        (ParamSpec("alpha_std", "Alpha spread", "float", 0.1, 0.0, 2.0, 0.01, "σ",
                   help="Standard deviation of the random weights a (AlexNet used 0.1)."),
         ParamSpec("source", "Colour axes from", "choice", "image",
                   choices=("image", "imagenet"),
                   help="This picture's own colour statistics, or ImageNet's.")),
        apply_pca_colour, frozenset({"pca"}), extra_sampler=_alphas,
    ),
    OpSpec(
        "greyscale", "Greyscale", "colour",
        "Drop the colour and keep the brightness, so the network must rely on shape.",
        (), apply_greyscale, default_probability=0.5,
    ),
)
