"""How deep a network is, counted two ways the papers use.

*Depth* (:func:`longest_weighted_path`, :attr:`ModelReport.network_depth`) is the most
weighted layers (convolutions and fully connected layers) an input passes on one path to the
output: GoogLeNet's "22 layers deep", VGG-16's 16, ResNet-18's 18.  A shortcut's 1x1
projection (ResNet's ``downsample``) is never on that path, since the branch beside it holds
more layers, so it is not counted, as He et al. do not count it.

*Layers* (:func:`weighted_layers`) are all the weighted layers, shortcut projections left
out (ResNet-18 has 21 weighted modules with its three projections, 18 without).  For a chain
of layers both counts agree; parallel branches make layers exceed depth (GoogLeNet: 58
layers, depth 22).  Every other node of the traced graph (activations, normalisation,
pooling, additions) is a *module*: the count of those is ``len(report.layers)``.
"""

from __future__ import annotations

import weakref

import networkx as nx

from cnnviz.core.inspect.collapse import residual_adds
from cnnviz.core.inspect.report import ModelReport

WEIGHTED_KINDS = frozenset({"conv", "linear"})

#: One sentence for a tooltip: what "Depth" counts.
DEPTH_MEANING = ("The most layers with weights (convolutions and fully connected layers) an "
                 "image passes through on one path to the output, as the papers count depth: "
                 "GoogLeNet is 22 deep, ResNet-18 18; a shortcut's 1×1 projection is never on "
                 "that path.")
#: One sentence for a tooltip: what "Layers" counts.
LAYERS_MEANING = ("Every layer with weights (convolutions and fully connected layers), on all "
                  "paths; the 1×1 convolutions that project a shortcut to a new shape are left "
                  "out, as in the ResNet paper. Parallel branches count every layer: GoogLeNet "
                  "has 58 layers but a depth of 22.")
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


def longest_weighted_path(report: ModelReport) -> int:
    """The depth the papers give: the most weighted layers on one path through the graph
    (:data:`DEPTH_MEANING`); 0 for a network without any."""
    graph = report.graph
    most: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        before = max((most[p] for p in graph.predecessors(node)), default=0)
        most[node] = before + (1 if _weighted(report, node) else 0)
    return max(most.values(), default=0)


def weighted_layers(report: ModelReport) -> int:
    """Every weighted layer, shortcut projections left out (:data:`LAYERS_MEANING`); the
    depth of a network without parallel branches."""
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
