"""Per-layer gradient norms placed on the layer graph of a :class:`ModelReport`.

The training side measures one norm per parameterised layer and names each layer by its
qualified module name ("layer1.0.conv1"), in forward order
(:func:`cnnviz.core.train.gradnorm.parameterised_layers`).  The inspection names the same
modules in :attr:`LayerNode.name`.  :class:`GradientMap` ties the two together once per
(report, layer names); after that, colouring a graph for a new step is a few numpy gathers,
cheap enough to repeat several times a second while a run trains.

A visible unit of the graph is a layer node or a collapsed block.  A block shows the
*geometric mean* of the norms of the recorded layers inside it (gradient norms span orders of
magnitude, so the mean of their logarithms is what a log colour scale should show).  Frozen
layers (NaN) are left out of that mean; a unit whose recorded layers are all frozen is
frozen; a unit with no recorded layer has no gradient to show.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from cnnviz.core.inspect.report import ModelReport

UnitState = Literal["trained", "frozen", "none"]


@dataclass(frozen=True)
class UnitNorm:
    """The gradient norm one visible unit shows.

    ``state`` is "trained" (``value`` is the norm, or the geometric mean of a block's
    trainable layers; it can be 0 for a layer that got no gradient), "frozen" (every recorded
    layer inside is frozen; ``value`` is NaN) or "none" (no parameterised layer inside).
    ``layers`` counts the recorded layers inside and ``frozen`` how many of them are frozen.
    """

    value: float
    state: UnitState
    layers: int = 0
    frozen: int = 0


NO_GRADIENT = UnitNorm(math.nan, "none")


def _owner_of(report: ModelReport, name: str) -> str | None:
    """The node that shows module ``name``: the first call of that module (weights are
    counted at their first use), else the first operation run inside it (a module that uses
    its own parameters through functions, which tracing records as operations)."""
    inside = None
    for layer in report.layers:
        if layer.op == "module" and layer.name == name:
            return layer.id
        if inside is None and layer.op != "input" and (
                layer.block == name or layer.block.startswith(name + ".")):
            inside = layer.id
    return inside


class GradientMap:
    """Where each recorded layer of a training run lands in a report's graph.

    ``layer_names`` are the recorder's qualified module names (the axis of the norms arrays);
    ``node_ids[i]`` is the id of the :class:`LayerNode` that shows ``layer_names[i]``, or
    ``None`` when the report has no such module (a different network).
    """

    def __init__(self, report: ModelReport, layer_names: Sequence[str]) -> None:
        self.layer_names = tuple(layer_names)
        self.node_ids: tuple[str | None, ...] = tuple(
            _owner_of(report, name) for name in self.layer_names)
        block_of = {layer.id: layer.block for layer in report.layers}
        members: dict[str, list[int]] = {}
        for i, node in enumerate(self.node_ids):
            if node is None:
                continue
            members.setdefault(node, []).append(i)
            parts = block_of[node].split(".") if block_of[node] else []
            for depth in range(len(parts) + 1):
                members.setdefault(".".join(parts[:depth]), []).append(i)
        self._members = {key: np.asarray(ix, dtype=np.intp) for key, ix in members.items()}

    @property
    def unmatched(self) -> tuple[str, ...]:
        """Recorded layers the report has no node for."""
        return tuple(n for n, node in zip(self.layer_names, self.node_ids) if node is None)

    def indices(self, key: str) -> np.ndarray:
        """Indices into the norms of the recorded layers ``key`` shows: a layer id shows its
        own, a block path (the root is "") every one inside the block.  Empty when none."""
        return self._members.get(key, _EMPTY)

    def groups(self, units: Iterable[str]) -> dict[str, np.ndarray]:
        """:meth:`indices` for each visible unit of a layout (layer ids and the paths of
        collapsed blocks); computed once per layout, then :func:`unit_norms` per step."""
        return {unit: self.indices(unit) for unit in units}


_EMPTY = np.zeros(0, dtype=np.intp)


def unit_norms(norms: np.ndarray, groups: dict[str, np.ndarray]) -> dict[str, UnitNorm]:
    """What each unit of ``groups`` (from :meth:`GradientMap.groups`) shows for ``norms``
    (indexed like the map's layer names, NaN for frozen layers).

    Vectorised over all units at once (one gather and a few bincounts), since this runs for
    every node of the graph at every step sent while training."""
    norms = np.asarray(norms, dtype=np.float64)
    keys = list(groups)
    sizes = np.fromiter((len(groups[k]) for k in keys), dtype=np.intp, count=len(keys))
    if not keys or sizes.sum() == 0:
        return {k: NO_GRADIENT for k in keys}
    segment = np.repeat(np.arange(len(keys)), sizes)
    values = norms[np.concatenate([groups[k] for k in keys])]
    finite = np.isfinite(values)
    positive = finite & (values > 0)
    count = len(keys)
    n_trained = np.bincount(segment, weights=finite, minlength=count)
    n_zero = np.bincount(segment, weights=finite & ~positive, minlength=count)
    total = np.bincount(segment, weights=np.where(finite, values, 0.0), minlength=count)
    logs = np.bincount(segment, weights=np.log(np.where(positive, values, 1.0)), minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_zero > 0, 0.0, np.exp(logs / n_trained))
    shown = np.where(n_trained == 1, total, mean)  # one layer: its own norm, exactly
    out: dict[str, UnitNorm] = {}
    for i, key in enumerate(keys):
        size, trained = int(sizes[i]), int(n_trained[i])
        if size == 0:
            out[key] = NO_GRADIENT
        elif trained == 0:
            out[key] = UnitNorm(math.nan, "frozen", size, size)
        else:
            out[key] = UnitNorm(float(shown[i]), "trained", size, size - trained)
    return out


def geometric_mean(values: np.ndarray) -> float:
    """The geometric mean of non-negative values (0 when any of them is 0)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return math.nan
    if np.any(values <= 0):
        return 0.0
    return float(np.exp(np.mean(np.log(values))))


def norm_range(norms: np.ndarray) -> tuple[float, float] | None:
    """The smallest and largest positive, finite norm: the ends of a log colour scale.
    ``None`` when there is none (every layer frozen, or no gradient yet)."""
    norms = np.asarray(norms, dtype=np.float64)
    usable = norms[np.isfinite(norms) & (norms > 0)]
    if usable.size == 0:
        return None
    return float(usable.min()), float(usable.max())


def scale_position(value: float, low: float, high: float) -> float:
    """Where ``value`` sits between ``low`` and ``high`` on a log10 axis, clipped to [0, 1].

    Zero (a layer that got no gradient) is at 0; when ``low == high`` everything is at 1.
    """
    if not value > 0:
        return 0.0
    if high <= low:
        return 1.0
    t = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))
    return min(1.0, max(0.0, t))


def decade_ticks(low: float, high: float) -> list[int]:
    """The powers of ten strictly inside a log scale from ``low`` to ``high``, as exponents
    (``[-3, -2]`` for 4e-4 .. 0.05); empty when the scale is unusable or spans no decade."""
    if not (low > 0 and high > low and math.isfinite(high)):
        return []
    first, last = math.floor(math.log10(low)) + 1, math.ceil(math.log10(high)) - 1
    return list(range(first, last + 1))


def input_size_note(trained: Sequence[int] | None, shown: Sequence[int]) -> str:
    """One sentence when a graph shows a network at another input size than the run trained
    at (gradients match by architecture and options only, but shapes and multiply-adds follow
    the input); empty when the sizes agree or the run did not say its size."""
    if not trained or tuple(trained) == tuple(shown):
        return ""
    size = "\u00d7".join
    return (f"Trained at {size(map(str, trained))} but shown at {size(map(str, shown))}, so "
            "shapes and multiply-adds differ from the run.")
