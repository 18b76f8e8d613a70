"""Consecutive geometric operations and warps merged into one resampling pass.

Op by op, a pipeline of a crop, a rotation and a shear resamples the picture three times:
three passes over every pixel and three rounds of bilinear blur.  Each of these operations
only *moves* pixels, and its :class:`~cnnviz.core.augment.spec.Move` says how without
touching them, so :func:`resample` reads the input once:

* matrices (flips, crops, rotation, shear, perspective) multiply into one, applied with one
  ``warpAffine`` or ``warpPerspective``.  Where op by op a later rotation would bring in
  fill from outside an earlier picture's frame, that frame is carried to the output as a
  polygon and everything outside it is painted with the fill;
* a warp (elastic, grid) ends its group and takes in the matrices before it when one of
  them resamples (rotation, shear, perspective): its coordinate map, mirrored at the edge
  as op by op, is mapped back through them with one ``cv2.transform`` and read with one
  ``remap``.  Matrices after a warp start a new group: resampling the displacement field
  for them would cost more than it saves.  Flips and crops alone (before a warp or not)
  are cheaper done on their own, which :meth:`Pipeline.sample` does.

The result is the op-by-op picture up to interpolation (one bilinear pass instead of several,
so slightly sharper) and along the edges of fill, which are hard here where op by op blends
over a pixel.  Moves join a group only while their fill levels agree (:func:`joins`).
Merging needs OpenCV: without it :func:`available` is False and pipelines run op by op.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from cnnviz.core.augment import kernels
from cnnviz.core.augment.spec import Move

# A position counts as inside an intermediate picture up to this far past its pixel edges.
_EDGE_SLACK = 1e-6
# Sub-pixel bits for polygon corners handed to cv2.fillPoly.
_SHIFT = 4

def available() -> bool:
    """Whether merging is possible here (the OpenCV backend is in use)."""
    return kernels.backend() == "opencv"


def joins(group: Sequence[Move], move: Move) -> bool:
    """Whether ``move`` can be merged into ``group``: the group does not end with a warp,
    a warp joins only a group that resamples (flips and crops alone are cheaper done on
    their own than mapped through), and there is at most one fill level among them."""
    if group and group[-1].info.displacement is not None:
        return False
    fills = {m.fill for m in group if m.fill is not None}
    if move.info.displacement is not None and group and not fills:
        return False
    return move.fill is None or not fills or fills == {move.fill}


def resample(image: np.ndarray, moves: Sequence[Move]) -> np.ndarray:
    """``image`` (RGB uint8) moved by ``moves`` in order, read once; the moves must have
    been planned for the shapes they meet (the first for ``image``, each next for the size
    of the one before), and each must join the ones before it (:func:`joins`)."""
    if not moves:
        return image.copy()
    for k in range(1, len(moves)):
        if not joins(moves[:k], moves[k]):
            raise ValueError(f"move {k} ({moves[k].info.op}) cannot join the moves before it")
    sizes = [(image.shape[1], image.shape[0])] + [m.size for m in moves[:-1]]
    if moves[-1].info.displacement is not None:
        return _warp_group(image, moves, sizes)
    return _matrix_group(image, moves, sizes)


def _suffixes(moves: Sequence[Move]) -> list[np.ndarray]:
    """``out[k]``: the input -> output matrix of ``moves[k:]`` applied in order."""
    out = [np.eye(3)]
    for move in reversed(moves):
        out.append(out[-1] @ move.info.matrix)
    return out[::-1]


def _is_affine(matrix: np.ndarray) -> bool:
    return abs(matrix[2, 0]) < 1e-12 and abs(matrix[2, 1]) < 1e-12 and abs(matrix[2, 2] - 1.0) < 1e-12


def _fill(moves: Sequence[Move]) -> int | None:
    return next((m.fill for m in moves if m.fill is not None), None)


def _border(fill: int | None) -> dict:
    cv2 = kernels.cv2
    if fill is None:  # flips and crops only: repeat the edge pixel, as resizing a crop does
        return {"borderMode": cv2.BORDER_REPLICATE}
    return {"borderMode": cv2.BORDER_CONSTANT, "borderValue": (int(fill),) * 3}


def _frame(size: tuple[int, int]) -> list[tuple[float, float]]:
    """The four corners of a picture of ``size`` = (w, h), on its outer pixel edges."""
    w, h = size
    return [(-0.5, -0.5), (w - 0.5, -0.5), (w - 0.5, h - 0.5), (-0.5, h - 0.5)]


def _map(matrix: np.ndarray, points: list[tuple[float, float]]) -> list[tuple[float, float]] | None:
    """``points`` mapped by ``matrix``; None when one lands at or behind infinity (a
    perspective that folds the picture over, which no polygon describes)."""
    (a, b, c), (d, e, f), (g, h, i) = matrix.tolist()
    out = []
    for x, y in points:
        z = g * x + h * y + i
        if z <= 1e-9:
            return None
        out.append(((a * x + b * y + c) / z, (d * x + e * y + f) / z))
    return out


def _matrix_group(image: np.ndarray, moves: Sequence[Move], sizes) -> np.ndarray:
    cv2 = kernels.cv2
    out_size = moves[-1].size
    fill = _fill(moves)
    suffix = _suffixes(moves)
    # Frames of intermediate pictures that a filling move reads past: op by op shows fill
    # outside them.  Carried to the output they stay convex polygons.
    clips = []
    for k in range(1, len(moves)):
        if moves[k].fill is None:
            continue  # flips and crops do not read past the frame (a resized crop by < 1/2 px)
        polygon = _map(suffix[k], _frame(sizes[k]))
        if polygon is None:
            # Resample in two passes, split where the fold happens.
            return _matrix_group(_matrix_group(image, moves[:k], sizes[:k]), moves[k:], sizes[k:])
        if not _covers(polygon, out_size):
            clips.append(polygon)
    total = suffix[0]
    if _is_affine(total):
        out = cv2.warpAffine(image, total[:2], out_size, flags=cv2.INTER_LINEAR, **_border(fill))
    else:
        out = cv2.warpPerspective(image, total, out_size, flags=cv2.INTER_LINEAR, **_border(fill))
    if clips:
        w, h = out_size
        reach = 4.0 * max(w, h) + 16.0  # keeps corners within fillPoly's fixed-point range
        scale = float(1 << _SHIFT)
        margin = np.array([[-2, -2], [w + 1, -2], [w + 1, h + 1], [-2, h + 1]]) * scale
        for polygon in clips:
            # Even-odd filling of (output rectangle, polygon) paints just the outside.
            inner = np.clip(np.array(polygon), -reach, reach) * scale
            contours = [np.rint(c).astype(np.int32) for c in (margin, inner)]
            cv2.fillPoly(out, contours, (int(fill),) * 3, lineType=cv2.LINE_8, shift=_SHIFT)
    return out


def _covers(polygon: list[tuple[float, float]], size: tuple[int, int]) -> bool:
    """Whether the convex ``polygon`` (corners in order) contains the whole picture of
    ``size``: every corner of the picture lies on the inner side of every edge."""
    edges = [(x0, y0, x1 - x0, y1 - y0)
             for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1])]
    turn = sum(ex * ny - ey * nx for (_, _, ex, ey), (_, _, nx, ny) in zip(edges, edges[1:] + edges[:1]))
    sign = 1.0 if turn >= 0 else -1.0
    slack = _EDGE_SLACK * max(size)
    return all(sign * (ex * (py - y0) - ey * (px - x0)) >= -slack
               for px, py in _frame(size) for x0, y0, ex, ey in edges)


def _inside(points: list[tuple[float, float]] | None, size: tuple[int, int]) -> bool:
    if points is None:
        return False
    w, h = size
    return all(-0.5 - _EDGE_SLACK <= x <= w - 0.5 + _EDGE_SLACK
               and -0.5 - _EDGE_SLACK <= y <= h - 0.5 + _EDGE_SLACK for x, y in points)


def _warp_group(image: np.ndarray, moves: Sequence[Move], sizes) -> np.ndarray:
    cv2 = kernels.cv2
    warp, before = moves[-1], list(moves[:-1])
    w, h = warp.size
    if not before:
        coords = kernels.offset_by_position(warp.info.displacement)
        return cv2.remap(image, coords, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    back = [np.linalg.inv(m) for m in _suffixes(before)]
    # Every filling move must read inside the picture it is given (for the part of its
    # output the warp reads, which mirrors at its own edges), else the fill it would show
    # needs drawing between the matrices and the warp: then resample in two passes.
    frame = _frame(warp.size)
    if (any(before[k].fill is not None and not _inside(_map(back[k], frame), sizes[k])
            for k in range(1, len(before))) or _map(back[0], frame) is None):
        return _warp_group(_matrix_group(image, before, sizes[:-1]), [warp], sizes[-1:])
    coords = kernels.offset_by_position(warp.info.displacement)
    _fold(coords[..., 0], w)
    _fold(coords[..., 1], h)
    if _is_affine(back[0]):
        coords = cv2.transform(coords, back[0][:2])
    else:
        coords = cv2.perspectiveTransform(coords, back[0])
    return cv2.remap(image, coords, None, cv2.INTER_LINEAR, **_border(_fill(before)))


def _fold(values: np.ndarray, length: int) -> None:
    """Mirror coordinates into [0, length - 1] in place, as a mirror at the edge pixels
    would (cheap single fold; the rare longer reach falls back to the general one)."""
    top = float(length - 1)
    low, high = float(values.min()), float(values.max())
    if low >= 0.0 and high <= top:
        return
    if low < -top or high > 2.0 * top or length == 1:
        values[...] = kernels.mirror_coords(values, length)
        return
    np.abs(values, out=values)  # -x for x < 0
    values -= top
    np.abs(values, out=values)  # top - x folded for x > top
    np.subtract(top, values, out=values)
