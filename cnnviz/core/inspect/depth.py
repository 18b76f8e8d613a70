"""A network's depth as its paper counts it: the "18" of ResNet-18, the "16" of VGG-16.

The papers count *weighted layers*, the convolutions and fully connected layers on the path
an input takes; the 1x1 convolutions that project a shortcut to a new shape (ResNet's
``downsample``) are not counted, as He et al. do not count them (ResNet-18 has 21 of them
with the three projections, 18 without).  Every other node of the traced graph (activations,
normalisation, pooling, additions) is a *module*: the count of those is
``len(report.layers)``.
"""

from __future__ import annotations

import weakref

import networkx as nx

from cnnviz.core.inspect.collapse import residual_adds
from cnnviz.core.inspect.report import ModelReport

WEIGHTED_KINDS = frozenset({"conv", "linear"})

#: One sentence for a tooltip: what "Layers" counts.
LAYERS_MEANING = ("Layers with weights (convolutions and fully connected layers), as the papers "
                  "count depth: ResNet-18 has 18. The 1×1 convolutions that project a shortcut "
                  "to a new shape are not counted, as in the ResNet paper; parallel branches "
                  "(GoogLeNet's Inception blocks) count every layer, so those read deeper than "
                  "their paper's depth.")
#: One sentence for a tooltip: what "Modules" counts.
MODULES_MEANING = ("Every node of the traced graph: layers with weights, activations, "
                   "normalisations, pooling, additions.")


# report id -> (a weak reference to it, its projections): every view asks after each pick,
# and ResNet-152's 50 shortcuts take some 30 ms to walk.
_PROJECTIONS: dict[int, tuple[weakref.ref, frozenset[str]]] = {}


def shortcut_projections(report: ModelReport) -> frozenset[str]:
    """Ids of the weighted layers on a shortcut: of the two branches that meet at a residual
    addition, the one with fewer weighted layers (a projection), when they differ."""
    cached = _PROJECTIONS.get(id(report))
    if cached is not None and cached[0]() is report:
        return cached[1]
    found = frozenset(_find_projections(report))
    key = id(report)
    _PROJECTIONS[key] = (weakref.ref(report, lambda _ref: _PROJECTIONS.pop(key, None)), found)
    return found


def _find_projections(report: ModelReport) -> set[str]:
    graph = report.graph
    found: set[str] = set()
    for add in residual_adds(report):
        inputs = list(graph.predecessors(add))
        if len(inputs) != 2:
            continue
        reach = [nx.ancestors(graph, node) | {node} for node in inputs]
        shared = reach[0] & reach[1]  # everything before the fork
        branches = [{node for node in r - shared if _weighted(report, node)} for r in reach]
        short, long = sorted(branches, key=len)
        if len(short) < len(long):
            found |= short
    return found


def weighted_layers(report: ModelReport) -> int:
    """The depth the papers give: weighted layers, shortcut projections left out."""
    projections = shortcut_projections(report)
    return sum(1 for layer in report.layers
               if layer.kind in WEIGHTED_KINDS and layer.id not in projections)


def _weighted(report: ModelReport, node: str) -> bool:
    return report.layer(node).kind in WEIGHTED_KINDS


def block_layers(report: ModelReport) -> dict[str, int]:
    """``{block path: weighted layers inside it}``, shortcut projections left out (a
    ResNet BasicBlock has 2, with or without its projection)."""
    projections = shortcut_projections(report)
    counts: dict[str, int] = {}
    for layer in report.layers:
        if layer.kind not in WEIGHTED_KINDS or layer.id in projections or not layer.block:
            continue
        parts = layer.block.split(".")
        for i in range(1, len(parts) + 1):
            path = ".".join(parts[:i])
            counts[path] = counts.get(path, 0) + 1
    return counts
