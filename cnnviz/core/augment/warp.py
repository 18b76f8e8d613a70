"""Local warps: elastic deformation and grid distortion.

Both report their displacement field (``OpInfo.displacement``, ``(H, W, 2)`` float32, x then
y) with ``out[y, x] = in[y + dy, x + dx]``.  Their random shape comes from a ``field_seed``
and is defined relative to the picture, so a small preview and the full-size export of the
same parameters look alike.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Any, Mapping

import numpy as np

from cnnviz.core.augment import kernels
from cnnviz.core.augment.spec import Move, OpInfo, OpResult, OpSpec, ParamSpec, as_rgb_u8

# Elastic fields are drawn on a coarse lattice this many lattice steps per smoothing sigma,
# smoothed there and interpolated up: the same field for a fraction of full-size cost.
_STEPS_PER_SIGMA = 2.0
_MAX_LATTICE = 256


def _seed(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, int]:
    return {"field_seed": int(rng.integers(0, 2**31 - 1))}


def _gaussian_kernel(sigma: float) -> np.ndarray:
    radius = int(math.ceil(3 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _smooth_valid(noise: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Separable convolution over the last two axes keeping only fully covered samples (no
    edge effects); the kernel is short, so a sum of shifted slices is the fastest way."""
    taps = len(kernel)
    rows = sum(k * noise[..., i : noise.shape[-1] - taps + 1 + i] for i, k in enumerate(kernel))
    return sum(k * rows[..., i : rows.shape[-2] - taps + 1 + i, :] for i, k in enumerate(kernel))


class _RecentFields:
    """The last elastic fields drawn, up to a memory budget.  A preview redraws the same
    samples for every notch of a slider, and while that slider belongs to another step each
    sample's field is the same: a field is a pure function of its arguments.  The arrays
    are shared, so they are read-only."""

    def __init__(self, max_bytes: int = 16 * 2**20) -> None:
        self._lock = threading.Lock()
        self._fields: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._max_bytes = max_bytes

    def get(self, key: tuple, make) -> np.ndarray:
        with self._lock:
            field = self._fields.get(key)
            if field is not None:
                self._fields.move_to_end(key)
                return field
        field = make()
        field.setflags(write=False)
        if field.nbytes <= self._max_bytes // 4:
            with self._lock:
                self._fields[key] = field
                while sum(f.nbytes for f in self._fields.values()) > self._max_bytes:
                    self._fields.popitem(last=False)
        return field


_recent_fields = _RecentFields()


def elastic_field(shape: tuple[int, ...], magnitude: float, smoothness: float, seed: int) -> np.ndarray:
    """The (H, W, 2) displacement of an elastic deformation (Simard et al. 2003): white noise
    smoothed by a Gaussian of ``smoothness`` % of the shorter side, scaled so that its root
    mean square displacement is ``magnitude`` % of the shorter side.  Read-only (recent
    fields are kept and shared)."""
    key = (tuple(shape[:2]), float(magnitude), float(smoothness), int(seed))
    return _recent_fields.get(key, lambda: _elastic_field(shape, magnitude, smoothness, seed))


def _elastic_field(shape: tuple[int, ...], magnitude: float, smoothness: float, seed: int) -> np.ndarray:
    h, w = shape[:2]
    side = min(h, w)
    spacing = (smoothness / 100.0) / _STEPS_PER_SIGMA  # lattice step, in shorter sides
    nx = min(_MAX_LATTICE, int(math.ceil((w / side) / spacing)) + 1)
    ny = min(_MAX_LATTICE, int(math.ceil((h / side) / spacing)) + 1)
    kernel = _gaussian_kernel(_STEPS_PER_SIGMA)
    pad = len(kernel) - 1
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, (2, ny + pad, nx + pad))
    lattice = _smooth_valid(noise, kernel)
    rms = math.sqrt(float(np.mean(lattice**2))) or 1.0
    lattice = (lattice * (magnitude / 100.0 * side / rms)).astype(np.float32)
    return kernels.upsample(np.ascontiguousarray(lattice.transpose(1, 2, 0)), (w, h))


def plan_elastic(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    field = elastic_field(shape, params["magnitude"], params["smoothness"], params["field_seed"])
    return Move(OpInfo("elastic", dict(params), displacement=field), (shape[1], shape[0]))


def apply_elastic(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Elastic deformation with the field of :func:`elastic_field` for ``field_seed``.
    Where the field reaches past the edge the picture is mirrored, so no border shows."""
    as_rgb_u8(image)
    move = plan_elastic(image.shape, params)
    out = kernels.remap(image, kernels.offset_by_position(move.info.displacement), fill=None)
    return OpResult(out, move.info)


def _line_steps(drawn: Mapping[str, Any], rng: np.random.Generator, shape) -> dict[str, Any]:
    n, amount = drawn["steps"], drawn["amount"]
    return {
        "x_steps": [float(v) for v in rng.uniform(-amount, amount, n)],
        "y_steps": [float(v) for v in rng.uniform(-amount, amount, n)],
    }


def _axis_map(length: int, steps: list[float]) -> np.ndarray:
    """Source coordinate for each output coordinate along one axis: the axis is cut into
    equal cells and cell k is filled from a source cell (1 + steps[k]) times as wide,
    renormalised so that the ends stay put."""
    widths = 1.0 + np.asarray(steps, dtype=np.float64)
    src = np.concatenate([[0.0], np.cumsum(widths)]) / widths.sum() * (length - 1)
    dst = np.linspace(0.0, length - 1.0, len(widths) + 1)
    return np.interp(np.arange(length), dst, src).astype(np.float32)


def _grid_maps(shape: tuple[int, ...], params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    h, w = shape[:2]
    return _axis_map(w, params["x_steps"]), _axis_map(h, params["y_steps"])


def plan_grid_distortion(shape: tuple[int, ...], params: Mapping[str, Any]) -> Move:
    h, w = shape[:2]
    map_x, map_y = _grid_maps(shape, params)
    field = np.empty((h, w, 2), dtype=np.float32)
    field[..., 0] = (map_x - np.arange(w, dtype=np.float32))[None, :]
    field[..., 1] = (map_y - np.arange(h, dtype=np.float32))[:, None]
    return Move(OpInfo("grid_distortion", dict(params), displacement=field), (w, h))


def apply_grid_distortion(image: np.ndarray, params: Mapping[str, Any]) -> OpResult:
    """Cut the picture into ``steps`` x ``steps`` cells and stretch or squeeze each column
    and row of cells by its ``x_steps``/``y_steps`` fraction (as albumentations does)."""
    as_rgb_u8(image)
    h, w = image.shape[:2]
    map_x, map_y = _grid_maps(image.shape, params)
    # Both arrays are built from the two 1-D maps (the warp is separable): no full-size reads.
    coords = np.empty((h, w, 2), dtype=np.float32)
    coords[..., 0] = map_x[None, :]
    coords[..., 1] = map_y[:, None]
    # Sources stay inside the picture (the ends are fixed), so nothing needs filling.
    out = kernels.remap(image, coords)
    return OpResult(out, plan_grid_distortion(image.shape, params).info)


OPS = (
    OpSpec(
        "elastic", "Elastic deformation", "warp",
        "Bend the picture like rubber with a smooth random field (Simard et al., 2003).",
        (ParamSpec("magnitude", "Magnitude", "float", (1.0, 3.0), 0.0, 20.0, 0.1,
                   "% of side", ranged=True, help="Typical distance a pixel moves."),
         ParamSpec("smoothness", "Smoothness", "float", 8.0, 1.0, 50.0, 0.5, "% of side",
                   help="Size of the bends: small values ripple, large values sway.")),
        apply_elastic, frozenset({"displacement"}), extra_sampler=_seed, plan=plan_elastic,
    ),
    OpSpec(
        "grid_distortion", "Grid distortion", "warp",
        "Stretch and squeeze the rows and columns of a coarse grid over the picture.",
        (ParamSpec("steps", "Grid cells", "int", 5, 2, 20, 1, "per side"),
         ParamSpec("amount", "Amount", "float", 0.3, 0.0, 0.9, 0.01, "of cell",
                   help="How much wider or narrower a cell may become.")),
        apply_grid_distortion, frozenset({"displacement"}), extra_sampler=_line_steps,
        plan=plan_grid_distortion,
    ),
)
