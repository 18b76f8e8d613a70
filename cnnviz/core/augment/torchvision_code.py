"""Write a pipeline as equivalent ``torchvision.transforms.v2`` code.

The code works on float tensors in [0, 1] (it starts with ``ToImage`` and ``ToDtype``).
Where torchvision has no equivalent operation, or its parameters mean something different,
the line says so in a comment rather than pretending.
"""

from __future__ import annotations

import math
from typing import Callable

from cnnviz.core.augment.pipeline import Pipeline, Step

HEADER = """import torch
from torchvision.transforms import v2

transform = v2.Compose([
    v2.ToImage(),
    v2.ToDtype(torch.float32, scale=True),
"""

# RMS displacement of white noise uniform in [-1, 1] smoothed by a 2-D Gaussian of sigma s
# is about this / s (variance 1/3 spread over 4*pi*s^2 samples).
_SMOOTHED_RMS = math.sqrt(1 / 3) / (2 * math.sqrt(math.pi))


def _g(value: float) -> str:
    return f"{value:.6g}"


def _pair(values) -> str:
    return f"({_g(values[0])}, {_g(values[1])})"


def _size(image_size, fraction_h: float, fraction_w: float) -> str | None:
    if image_size is None:
        return None
    h, w = image_size
    return f"({max(1, round(fraction_h * h))}, {max(1, round(fraction_w * w))})"


def _random_crop(step: Step, image_size) -> tuple[str | None, str]:
    low, high = step.params["size"]
    size = _size(image_size, low, low)
    if low != high:
        return None, "random_crop with a range of window sizes has no torchvision equivalent"
    if size is None:
        return None, f"random_crop: use v2.RandomCrop(size) with size = {_g(low)} x your image size"
    return f"v2.RandomCrop({size})", ""


def _random_resized_crop(step: Step, image_size) -> tuple[str | None, str]:
    p = step.params
    size = _size(image_size, 1, 1) or "SIZE"
    note = "" if image_size else "set SIZE to your (height, width)"
    return (f"v2.RandomResizedCrop({size}, scale={_pair(p['scale'])}, "
            f"ratio={_pair(p['ratio'])}, antialias=True)", note)


def _rotate(step: Step, image_size) -> tuple[str | None, str]:
    p = step.params
    return f"v2.RandomRotation({_pair(p['angle'])}, fill={_g(p['fill'] / 255)})", ""


def _shear(step: Step, image_size) -> tuple[str | None, str]:
    # torchvision's RandomAffine slants the other way round: its shear x of +10 moves the
    # bottom of the picture left, where the studio's moves it right (and likewise for y, the
    # right side up rather than down).  So each range is negated, and the comment says so.
    p = step.params
    x_low, x_high = _negated(p["x"])
    y_low, y_high = _negated(p["y"])
    shear = f"({x_low}, {x_high}, {y_low}, {y_high})"
    return (f"v2.RandomAffine(degrees=0, shear={shear}, fill={_g(p['fill'] / 255)})",
            "signs flipped: a positive shear x moves the bottom right in cnnviz, left in "
            "torchvision")


def _negated(values) -> tuple[str, str]:
    """The range (low, high) of minus the values, written without "-0"."""
    return _g(0.0 - values[1]), _g(0.0 - values[0])


def _perspective(step: Step, image_size) -> tuple[str | None, str]:
    p = step.params
    return (f"v2.RandomPerspective(distortion_scale={_g(p['strength'][1])}, "
            f"p={_g(step.probability)}, fill={_g(p['fill'] / 255)})",
            "torchvision draws one strength up to distortion_scale, not a range")


def _colour_jitter(step: Step, image_size) -> tuple[str | None, str]:
    p = step.params
    hue = (max(-0.5, p["hue"][0] / 360), min(0.5, p["hue"][1] / 360))
    return (f"v2.ColorJitter(brightness={_pair(p['brightness'])}, contrast={_pair(p['contrast'])}, "
            f"saturation={_pair(p['saturation'])}, hue={_pair(hue)})",
            "torchvision applies the four changes in random order")


def _elastic(step: Step, image_size) -> tuple[str | None, str]:
    if image_size is None:
        return None, "elastic: v2.ElasticTransform(alpha, sigma) needs the image size to match"
    p = step.params
    side = min(image_size)
    sigma = p["smoothness"] / 100 * side
    rms = (p["magnitude"][0] + p["magnitude"][1]) / 2 / 100 * side
    alpha = 2 * rms * sigma / _SMOOTHED_RMS
    return (f"v2.ElasticTransform(alpha={_g(alpha)}, sigma={_g(sigma)})",
            "strength matched approximately (cnnviz draws it from a range and mirrors the edges)")


def _gaussian_blur(step: Step, image_size) -> tuple[str | None, str]:
    low, high = step.params["sigma"]
    kernel = 2 * math.ceil(3 * max(high, 0.1)) + 1
    return f"v2.GaussianBlur({kernel}, sigma={_pair((max(low, 0.01), max(high, 0.01)))})", ""


def _gaussian_noise(step: Step, image_size) -> tuple[str | None, str]:
    p = step.params
    note = "torchvision uses one strength (the top of the range)"
    if not p["per_channel"]:
        note += " and always colours the grain"
    return f"v2.GaussianNoise(sigma={_g(p['std'][1] / 255)})", note


def _cutout(step: Step, image_size) -> tuple[str | None, str]:
    p = step.params
    value = {"black": "0", "grey": "0.5", "noise": "'random'"}[p["fill"]]
    return (f"v2.RandomErasing(p={_g(step.probability)}, scale={_pair(p['area'])}, "
            f"ratio={_pair(p['ratio'])}, value={value})", "")


def _none(reason: str) -> Callable:
    return lambda step, image_size: (None, f"{step.op}: {reason}")


def _simple(call: str) -> Callable:
    return lambda step, image_size: (call.format(p=_g(step.probability)), "")


# Writers return (code or None, comment).  Transforms whose call already takes the step's
# probability are listed in _TAKES_P; the others are wrapped in v2.RandomApply.
_WRITERS: dict[str, Callable] = {
    "hflip": _simple("v2.RandomHorizontalFlip(p={p})"),
    "vflip": _simple("v2.RandomVerticalFlip(p={p})"),
    "random_crop": _random_crop,
    "random_resized_crop": _random_resized_crop,
    "rotate": _rotate,
    "shear": _shear,
    "perspective": _perspective,
    "colour_shift": _none("no torchvision equivalent (per-channel offsets)"),
    "colour_jitter": _colour_jitter,
    "pca_colour": _none("no torchvision equivalent (AlexNet PCA lighting)"),
    "greyscale": _simple("v2.RandomGrayscale(p={p})"),
    "elastic": _elastic,
    "grid_distortion": _none("no torchvision equivalent"),
    "gaussian_blur": _gaussian_blur,
    "gaussian_noise": _gaussian_noise,
    "cutout": _cutout,
}
_TAKES_P = {"hflip", "vflip", "greyscale", "perspective", "cutout"}


def pipeline_to_code(pipeline: Pipeline, image_size: tuple[int, int] | None = None) -> str:
    """Python source defining ``transform``, a ``v2.Compose`` equivalent to ``pipeline``
    (validated); ``image_size`` (h, w) lets sizes in pixels be filled in."""
    lines = [HEADER.rstrip("\n")]
    uses_cnnviz = False
    for step in pipeline.steps:
        if not step.enabled:
            lines.append(f"    # {step.op}: disabled in cnnviz")
            continue
        writer = _WRITERS.get(step.op, _none("no torchvision equivalent"))
        code, comment = writer(step, image_size)
        if code is None:
            uses_cnnviz = True
            lines.append(f"    # {comment}")
            continue
        if step.probability < 1.0 and step.op not in _TAKES_P:
            code = f"v2.RandomApply([{code}], p={_g(step.probability)})"
        lines.append(f"    {code},{f'  # {comment}' if comment else ''}")
    lines.append("])")
    if uses_cnnviz:
        lines.append("")
        lines.append("# For the exact pipeline, including the steps above that torchvision lacks:")
        lines.append("# transform = cnnviz.core.augment.Pipeline.load('pipeline.json').to_torch_transform()")
    return "\n".join(lines) + "\n"
