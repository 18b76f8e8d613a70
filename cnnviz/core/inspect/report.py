"""The data the inspection engine produces and every view reads.

This module is the contract between :mod:`cnnviz.core.inspect` and the UI: plain dataclasses
and a networkx graph, no tensors, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

# Categories used for colouring and filtering; every LayerNode.kind is one of these.
KINDS = (
    "input", "output", "conv", "linear", "norm", "activation", "pool", "dropout",
    "add", "concat", "reshape", "other",
)


@dataclass
class LayerNode:
    """One layer or operation of the traced network.

    ``name`` is the qualified module path for a layer ("layer1.0.conv1"); an operation
    between layers is named after the block it runs in ("layer1.0.add").  ``block`` is the
    path of the enclosing module ("" at the top).  ``hyper`` holds plain values (kernel,
    stride, padding, dilation, groups, channels, features...).  ``formulas`` are the course's
    arithmetic with the numbers filled in.  See :mod:`cnnviz.core.inspect.stats` for how
    multiply-adds are counted.

    Shapes exclude the batch dimension.  ``params`` counts each shared weight once (at its
    first use).  ``macs`` are multiply-adds for one sample.  ``rf`` is the receptive field side
    in input pixels and ``rf_jump`` the distance in input pixels between neighbouring outputs;
    both are ``None`` past the point where spatial structure ends (after flatten).
    """

    id: str
    name: str
    type: str
    kind: str
    block: str
    order: int
    hyper: dict[str, Any] = field(default_factory=dict)
    input_shapes: list[tuple[int, ...]] = field(default_factory=list)
    output_shape: tuple[int, ...] = ()
    params: int = 0
    trainable_params: int = 0
    macs: int = 0
    activation_bytes: int = 0
    rf: int | None = None
    rf_jump: int | None = None
    formulas: list[str] = field(default_factory=list)
    op: str = "module"  # how it was called: "input", "module", "function", "method", "output"

    @property
    def frozen_params(self) -> int:
        return self.params - self.trainable_params


@dataclass
class Block:
    """A module that groups nodes: ``path`` is its qualified module name ("layer1.0").

    ``children`` are child blocks; ``node_ids`` are the nodes directly inside it.  ``repeat``
    is the length of the run of structurally identical sibling blocks this block starts
    (1 when it is not the first of such a run, or alone); ``repeat_of`` names the first block
    of the run this block belongs to (``None`` for that first block and for blocks alone).
    Blocks are identical when their layers have the same types, hyper-parameters and shapes.
    """

    path: str
    type: str
    children: list["Block"] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)
    params: int = 0
    macs: int = 0
    repeat: int = 1
    repeat_of: str | None = None
    signature: str = ""

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Totals:
    params: int
    trainable_params: int
    macs: int
    activation_bytes: int  # sum of every layer's output for one sample
    size_bytes: int  # the weights (and buffers) as saved to disk

    @property
    def frozen_params(self) -> int:
        return self.params - self.trainable_params


@dataclass
class LayoutNode:
    """A placed box: ``(x, y)`` is its top-left corner; y grows downwards."""

    id: str  # a node id, or a block path when that block is collapsed
    x: float
    y: float
    width: float
    height: float
    is_block: bool = False


@dataclass
class LayoutEdge:
    """A polyline from the bottom centre of ``source`` to the top centre of ``target``;
    ``is_skip`` marks skip connections: edges that bypass other nodes and rejoin the main path
    by addition (residual shortcuts).  Branches that rejoin by concatenation (Inception,
    DenseNet) are ordinary edges however many nodes they pass."""

    source: str
    target: str
    points: list[tuple[float, float]]
    is_skip: bool = False


@dataclass
class Layout:
    nodes: dict[str, LayoutNode]
    edges: list[LayoutEdge]
    width: float
    height: float


@dataclass
class ModelReport:
    """Everything known about one network at one input size."""

    arch: str
    display_name: str
    input_shape: tuple[int, ...]
    num_classes: int | None
    graph: nx.DiGraph  # node id -> attribute "layer": LayerNode; edges follow the data
    layers: list[LayerNode]  # in execution order
    root: Block
    totals: Totals
    traced_with: str  # "fx" or "hooks"
    dtype_bytes: int = 4
    batch_size: int = 1
    # The most weighted layers on one path from input to output: the depth the papers give
    # (GoogLeNet 22); see cnnviz.core.inspect.depth.
    network_depth: int = 0

    @property
    def batch_activation_bytes(self) -> int:
        """Every layer's output for the whole batch the report was made for."""
        return self.totals.activation_bytes * self.batch_size

    def layer(self, node_id: str) -> LayerNode:
        return self.graph.nodes[node_id]["layer"]

    def block(self, path: str) -> Block:
        for b in self.root.walk():
            if b.path == path:
                return b
        raise KeyError(path)
