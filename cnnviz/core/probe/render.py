"""Feature maps and filters as pictures: plain uint8 arrays a view or a PNG writer shows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


def to_uint8(values: np.ndarray, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Scale ``values`` linearly from [lo, hi] (default: their own range) to 0..255."""
    values = np.asarray(values, dtype=np.float32)
    lo = float(values.min()) if lo is None else lo
    hi = float(values.max()) if hi is None else hi
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        return np.zeros(values.shape, dtype=np.uint8)
    return np.clip((values - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def channel_order(act: torch.Tensor, by: str = "index") -> list[int]:
    """Channel indices of a (C, H, W) activation: ``"index"`` or ``"mean"`` (strongest first)."""
    if by == "index":
        return list(range(act.shape[0]))
    if by == "mean":
        return torch.argsort(act.reshape(act.shape[0], -1).mean(dim=1), descending=True).tolist()
    raise ValueError(f"unknown order {by!r}; use 'index' or 'mean'")


@dataclass(frozen=True)
class Grid:
    """A mosaic of channels: ``image`` (uint8, greyscale or RGB), ``order`` the channel in each
    cell (row-major), each cell ``cell`` pixels with ``pad`` pixels between cells."""

    image: np.ndarray
    order: list[int]
    cols: int
    cell: tuple[int, int]
    pad: int

    def cell_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """``(channel, row, col)`` of the map pixel under mosaic point (x, y), or ``None``."""
        ch, cw = self.cell
        step_x, step_y = cw + self.pad, ch + self.pad
        gx, gy = int(x // step_x), int(y // step_y)
        px, py = int(x - gx * step_x), int(y - gy * step_y)
        index = gy * self.cols + gx
        if x < 0 or y < 0 or gx >= self.cols or px >= cw or py >= ch or index >= len(self.order):
            return None
        return self.order[index], py, px


def _mosaic(tiles, cols: int, pad: int, background: int) -> np.ndarray:
    """Tiles (a list or an (n, h, w, ...) array) in rows of ``cols``, ``pad`` pixels apart."""
    tiles = np.asarray(tiles, dtype=np.uint8)
    n, h, w = tiles.shape[:3]
    rest = tiles.shape[3:]
    rows = math.ceil(n / cols)
    # One block per cell (tile plus its right and bottom gap), filled by slicing, not a loop:
    # a deep layer has thousands of channels and a layer switch must feel instant.
    cells = np.full((rows * cols, h + pad, w + pad) + rest, background, dtype=np.uint8)
    cells[:n, :h, :w] = tiles
    out = cells.reshape((rows, cols, h + pad, w + pad) + rest).swapaxes(1, 2)
    out = out.reshape((rows * (h + pad), cols * (w + pad)) + rest)
    return np.ascontiguousarray(out[: rows * (h + pad) - pad, : cols * (w + pad) - pad])


def _scaled(data: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """:func:`to_uint8` applied to every channel of (C, H, W) ``data`` at once."""
    flat = data.reshape(data.shape[0], -1)
    los = flat.min(axis=1).astype(np.float64) if lo is None else np.full(len(flat), lo)
    his = flat.max(axis=1).astype(np.float64) if hi is None else np.full(len(flat), hi)
    ok = np.isfinite(los) & np.isfinite(his) & (his > los)
    scale = np.where(ok, 255.0 / np.where(ok, his - los, 1.0), 0.0)
    out = (data - los.astype(np.float32)[:, None, None]) * scale.astype(np.float32)[:, None, None]
    out = np.clip(out, 0, 255).astype(np.uint8)
    out[~ok] = 0
    return out


def feature_grid(act: torch.Tensor, order: str | list[int] = "index", cols: int | None = None,
                 pad: int = 1, shared_scale: bool = False, limit: int | None = None) -> Grid:
    """Every channel of a (C, H, W) activation as a greyscale tile in one mosaic.

    Each tile is scaled to its own range unless ``shared_scale`` (then dead channels show
    black beside live ones).  ``limit`` keeps the first channels of the order.
    """
    if act.dim() != 3:
        raise ValueError(f"feature maps are (C, H, W); this output has shape {tuple(act.shape)}")
    chosen = channel_order(act, order) if isinstance(order, str) else list(order)
    if limit is not None:
        chosen = chosen[:limit]
    data = act.numpy()
    lo, hi = (float(data.min()), float(data.max())) if shared_scale else (None, None)
    tiles = _scaled(np.asarray(data[chosen], dtype=np.float32), lo, hi)
    cols = cols or max(1, math.ceil(math.sqrt(len(tiles))))
    return Grid(_mosaic(tiles, cols, pad, 40), chosen, cols, tuple(data.shape[1:]), pad)


def first_conv(model: nn.Module) -> tuple[str, nn.Conv2d]:
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            return name, m
    raise ValueError("this network has no 2-D convolution")


def first_conv_filters(model: nn.Module, scale: int = 4, pad: int = 2) -> Grid:
    """The first convolution's filters as small pictures (RGB when it reads 3 channels),
    each scaled up ``scale`` times; zero weight is mid-grey, one colour scale for all."""
    _, conv = first_conv(model)
    w = conv.weight.detach().float().cpu().numpy()  # (out, in/groups, k, k)
    bound = float(np.abs(w).max()) or 1.0
    tiles = []
    for f in w:
        img = f.transpose(1, 2, 0) if f.shape[0] == 3 else f[0]
        tile = to_uint8(img, -bound, bound)
        tiles.append(np.kron(tile, np.ones((scale, scale) + (1,) * (tile.ndim - 2), np.uint8)))
    cols = max(1, math.ceil(math.sqrt(len(tiles))))
    return Grid(_mosaic(tiles, cols, pad, 255), list(range(len(tiles))), cols,
                tiles[0].shape[:2], pad)
