"""Geometric operations: mirroring, crops, rotation, shearing and perspective.

Each ``apply_*`` is a pure function of the image and concrete parameters and reports the
3x3 matrix that maps input pixel coordinates to output pixel coordinates.  Positive angles
turn the picture counter-clockwise as seen on screen, as in torchvision and Pillow.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from cnnviz.core.augment import kernels
from cnnviz.core.augment.spec import Move, OpInfo, OpResult, OpSpec, ParamSpec, as_rgb_u8

FILL = ParamSpec(
    "fill", "Fill", "int", 0, 0, 255, 1, "level",
    help="Grey level for the corners the transformed picture no longer covers.",
)


def _centre(shape: tuple[int, ...]) -> tuple[float, float]:
    return (shape[1] - 1) / 2.0, (shape[0] - 1) / 2.0


def _about_centre(linear: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The 3x3 matrix applying the 2x2 ``linear`` map around the image centre."""
    cx, cy = _centre(shape)
    move = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1]], dtype=np.float64)
    back = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]], dtype=np.float64)
    lin = np.eye(3)
    lin[:2, :2] = linear
    return move @ lin @ back


def plan_hflip(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    matrix = np.array([[-1, 0, shape[1] - 1], [0, 1, 0], [0, 0, 1]], dtype=np.float64)
    return Move(OpInfo("hflip", dict(params), matrix=matrix), (shape[1], shape[0]))


def apply_hflip(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    as_rgb_u8(image)
    return OpResult(kernels.flip(image, horizontal=True), plan_hflip(image.shape, params).info)


def plan_vflip(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    matrix = np.array([[1, 0, 0], [0, -1, shape[0] - 1], [0, 0, 1]], dtype=np.float64)
    return Move(OpInfo("vflip", dict(params), matrix=matrix), (shape[1], shape[0]))


def apply_vflip(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    as_rgb_u8(image)
    return OpResult(kernels.flip(image, horizontal=False), plan_vflip(image.shape, params).info)


def _crop_box(shape, width_frac, height_frac, pos_x, pos_y) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    cw = min(w, max(1, round(width_frac * w)))
    ch = min(h, max(1, round(height_frac * h)))
    x0 = round(pos_x * (w - cw))
    y0 = round(pos_y * (h - ch))
    return x0, y0, x0 + cw, y0 + ch


def _position(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, float]:
    return {"pos_x": float(rng.uniform()), "pos_y": float(rng.uniform())}


def plan_random_crop(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    box = _crop_box(shape, params["size"], params["size"], params["pos_x"], params["pos_y"])
    x0, y0, x1, y1 = box
    matrix = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64)
    return Move(OpInfo("random_crop", dict(params), matrix=matrix, box=box), (x1 - x0, y1 - y0))


def apply_random_crop(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Cut out a window ``size`` times the image's width and height; ``pos_x``/``pos_y`` in
    [0, 1] place it from the left/top edge to the right/bottom edge.  The result is a view
    of the input, as with numpy slicing (a pipeline's output never is)."""
    as_rgb_u8(image)
    move = plan_random_crop(image.shape, params)
    x0, y0, x1, y1 = move.info.box
    return OpResult(image[y0:y1, x0:x1], move.info)


def plan_random_resized_crop(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    """Cut out a window of ``scale`` times the image area and aspect ratio ``ratio`` (width
    over height, relative to the image's own), shrunk to fit when it would not, and resize it
    back to the input size."""
    h, w = shape[:2]
    area = params["scale"]
    ratio = params["ratio"]
    wf, hf = math.sqrt(area * ratio), math.sqrt(area / ratio)
    fit = max(wf, hf, 1.0)  # a window wider or taller than the image keeps its ratio, shrinks
    box = _crop_box(shape, wf / fit, hf / fit, params["pos_x"], params["pos_y"])
    x0, y0, x1, y1 = box
    sx, sy = w / (x1 - x0), h / (y1 - y0)
    # Pixel centres: input x0 - 0.5 (crop's left edge) lands on output -0.5 (image's edge).
    matrix = np.array(
        [[sx, 0, (0.5 - x0) * sx - 0.5], [0, sy, (0.5 - y0) * sy - 0.5], [0, 0, 1]],
        dtype=np.float64,
    )
    return Move(OpInfo("random_resized_crop", dict(params), matrix=matrix, box=box), (w, h))


def apply_random_resized_crop(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    as_rgb_u8(image)
    move = plan_random_resized_crop(image.shape, params)
    x0, y0, x1, y1 = move.info.box
    return OpResult(kernels.resize(image[y0:y1, x0:x1], move.size), move.info)


apply_random_resized_crop.__doc__ = plan_random_resized_crop.__doc__


def rotation_matrix(angle: float, shape: tuple[int, ...]) -> np.ndarray:
    """Input -> output matrix of a counter-clockwise turn by ``angle`` degrees about the
    image centre (y points down, hence the signs)."""
    t = math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    # Snap exact quarter turns so that 90 degrees is a pure pixel permutation.
    c, s = round(c, 12), round(s, 12)
    return _about_centre(np.array([[c, s], [-s, c]]), shape)


def plan_rotate(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    matrix = rotation_matrix(params["angle"], shape)
    return Move(OpInfo("rotate", dict(params), matrix=matrix), (shape[1], shape[0]), params["fill"])


def apply_rotate(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    as_rgb_u8(image)
    move = plan_rotate(image.shape, params)
    return OpResult(kernels.warp_affine(image, move.info.matrix, move.size, move.fill), move.info)


def plan_shear(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    """Shear about the centre: ``x`` tilts vertical lines by that many degrees (x moves with
    y), ``y`` tilts horizontal lines (y moves with x)."""
    tx, ty = math.tan(math.radians(params["x"])), math.tan(math.radians(params["y"]))
    matrix = _about_centre(np.array([[1.0, tx], [ty, 1.0]]), shape)
    return Move(OpInfo("shear", dict(params), matrix=matrix), (shape[1], shape[0]), params["fill"])


def apply_shear(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    as_rgb_u8(image)
    move = plan_shear(image.shape, params)
    return OpResult(kernels.warp_affine(image, move.info.matrix, move.size, move.fill), move.info)


apply_shear.__doc__ = plan_shear.__doc__


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 3x3 matrix taking the four points ``src`` (4, 2) to ``dst`` (4, 2)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    return np.append(coeffs, 1.0).reshape(3, 3)


def _corners(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, list]:
    return {"corners": [float(v) for v in rng.uniform(0.0, 1.0, 8)]}


def plan_perspective(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    """Pull each corner inwards by ``strength`` x (its ``corners`` fraction in [0, 1]) x half
    the side, as if the picture were photographed at an angle.  ``corners`` lists x then y
    for top-left, top-right, bottom-right, bottom-left."""
    h, w = shape[:2]
    if h < 2 or w < 2:  # a single row or column has no corners to pull
        return Move(OpInfo("perspective", dict(params), matrix=np.eye(3)), (w, h), params["fill"])
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float64)
    inward = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float64)
    pull = np.asarray(params["corners"], dtype=np.float64).reshape(4, 2) * params["strength"]
    dst = src + inward * pull * np.array([(w - 1) / 2.0, (h - 1) / 2.0])
    matrix = homography(src, dst)
    return Move(OpInfo("perspective", dict(params), matrix=matrix), (w, h), params["fill"])


def apply_perspective(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    as_rgb_u8(image)
    move = plan_perspective(image.shape, params)
    if min(image.shape[:2]) < 2:
        return OpResult(image.copy(), move.info)
    out = kernels.warp_perspective(image, move.info.matrix, move.size, move.fill)
    return OpResult(out, move.info)


apply_perspective.__doc__ = plan_perspective.__doc__


OPS = (
    OpSpec(
        "hflip", "Horizontal flip", "geometry",
        "Mirror the picture left to right; a cat facing left becomes a cat facing right.",
        (), apply_hflip, frozenset({"matrix"}), plan=plan_hflip, default_probability=0.5,
    ),
    OpSpec(
        "vflip", "Vertical flip", "geometry",
        "Mirror the picture top to bottom; sensible for aerial or microscope images only.",
        (), apply_vflip, frozenset({"matrix"}), plan=plan_vflip, default_probability=0.5,
    ),
    OpSpec(
        "random_crop", "Random crop", "geometry",
        "Cut a smaller window from a random place, like AlexNet's 224-pixel crops of 256.",
        (ParamSpec("size", "Window size", "float", (0.875, 0.875), 0.05, 1.0, 0.005,
                   "of side", ranged=True, help="Window side as a fraction of the image side."),),
        apply_random_crop, frozenset({"matrix", "box"}), keeps_size=False,
        extra_sampler=_position, plan=plan_random_crop,
    ),
    OpSpec(
        "random_resized_crop", "Random resized crop", "geometry",
        "Cut a window of random area and shape and stretch it back to full size (Inception).",
        (ParamSpec("scale", "Area", "float", (0.08, 1.0), 0.01, 1.0, 0.01, "of area",
                   ranged=True, help="Window area as a fraction of the image area."),
         ParamSpec("ratio", "Aspect ratio", "float", (0.75, 4 / 3), 0.25, 4.0, 0.01, "w/h",
                   ranged=True, help="Window width over height, relative to the image's.")),
        apply_random_resized_crop, frozenset({"matrix", "box"}), extra_sampler=_position,
        plan=plan_random_resized_crop,
    ),
    OpSpec(
        "rotate", "Rotation", "geometry",
        "Turn the picture about its centre by a random angle.",
        (ParamSpec("angle", "Angle", "float", (-15.0, 15.0), -180.0, 180.0, 0.5, "°",
                   ranged=True, help="Counter-clockwise turn in degrees."), FILL),
        apply_rotate, frozenset({"matrix"}), plan=plan_rotate,
    ),
    OpSpec(
        "shear", "Shear", "geometry",
        "Slant the picture sideways (x) or up and down (y), like pushing a deck of cards.",
        (ParamSpec("x", "Shear x", "float", (-10.0, 10.0), -45.0, 45.0, 0.5, "°", ranged=True),
         ParamSpec("y", "Shear y", "float", (0.0, 0.0), -45.0, 45.0, 0.5, "°", ranged=True),
         FILL),
        apply_shear, frozenset({"matrix"}), plan=plan_shear,
    ),
    OpSpec(
        "perspective", "Perspective", "geometry",
        "Tilt the picture as if photographed from a different angle.",
        (ParamSpec("strength", "Strength", "float", (0.0, 0.3), 0.0, 0.9, 0.01, "of half side",
                   ranged=True, help="How far the corners may move inwards."), FILL),
        apply_perspective, frozenset({"matrix"}), extra_sampler=_corners,
        plan=plan_perspective,
    ),
)
