"""Per-layer activation statistics: where units die and where they saturate."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from cnnviz.core.probe.capture import ActivationSet

# |x| above this after a tanh or sigmoid counts as saturated (the gradient is nearly zero).
_SATURATED = 0.97
# A tanh or sigmoid practically never outputs an exact zero; a layer with more exact zeros
# than this is a ReLU's (or comes after one), whose zeros are switched-off units, not
# saturation, even when its values happen to lie within [0, 1].
_RELU_ZEROS = 0.01


@dataclass(frozen=True)
class LayerStats:
    """``zero_fraction``: share of exact zeros (dead ReLU units); ``dead_channels``: channels
    that are zero everywhere; ``saturated_fraction``: share of values pinned near a bound."""

    name: str
    mean: float
    std: float
    zero_fraction: float
    dead_channels: int
    channels: int
    saturated_fraction: float


def _saturation(t: torch.Tensor) -> float:
    if float((t == 0).float().mean()) > _RELU_ZEROS:
        return 0.0
    lo, hi = float(t.min()), float(t.max())
    if lo >= 0.0 and hi <= 1.0 and hi > 0.0 and lo < 1.0 and t.numel() > 1:
        near = (t < 1 - _SATURATED) | (t > _SATURATED)  # sigmoid range
    elif lo >= -1.0 and hi <= 1.0:
        near = t.abs() > _SATURATED  # tanh range
    else:
        return 0.0
    return float(near.float().mean())


def activation_stats(acts: ActivationSet) -> list[LayerStats]:
    """One :class:`LayerStats` per recorded layer, in forward order (last call of each)."""
    rows = []
    for name in acts.order:
        t = acts.get(name)
        flat = t.reshape(t.shape[0], -1) if t.dim() >= 2 else t.reshape(1, -1)
        dead = int((flat.abs().amax(dim=1) == 0).sum()) if t.dim() >= 2 else 0
        rows.append(LayerStats(
            name=name, mean=float(t.mean()), std=float(t.std()) if t.numel() > 1 else 0.0,
            zero_fraction=float((t == 0).float().mean()), dead_channels=dead,
            channels=int(t.shape[0]) if t.dim() >= 2 else 1, saturated_fraction=_saturation(t),
        ))
    return rows
