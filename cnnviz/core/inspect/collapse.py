"""Which blocks the graph folds into single boxes.

A block folds as a whole *unit*: a residual block folds together with the addition that
closes its shortcut, never as its inner ``Sequential`` with the addition left outside
(MobileNetV2's ``InvertedResidual``, EfficientNet's ``MBConv``).  :func:`fold_unit` says which
block a fold of a given block really means.
"""

from __future__ import annotations

from collections import defaultdict

from cnnviz.core.inspect.report import Block, ModelReport

_DEFAULT_MAX_NODES = 80
# Module types that only hold other modules: folding one that is the sole body of its parent
# shows nothing the parent would not.
_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})
_ADD_TYPES = frozenset({"add", "add_"})  # the tracer's names for a + b and a += b


def visible_unit(block: str, collapsed: frozenset[str] | set[str]) -> str | None:
    """The outermost collapsed block that contains ``block`` (a node's block path), if any."""
    if not collapsed or not block:
        return None
    parts = block.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if prefix in collapsed:
            return prefix
    return None


def is_residual_add(report: ModelReport, node_id: str) -> bool:
    """Whether node ``node_id`` adds two tensors: the end of a residual shortcut.  (Its kind,
    "add", also covers subtraction and multiplication, such as a squeeze-and-excitation
    gate, which are no shortcuts.)"""
    layer = report.layer(node_id)
    return layer.type in _ADD_TYPES and report.graph.in_degree(node_id) >= 2


def residual_adds(report: ModelReport) -> set[str]:
    """Ids of the additions that merge two tensors: the ends of residual shortcuts."""
    return {layer.id for layer in report.layers if is_residual_add(report, layer.id)}


def residual_blocks(report: ModelReport, blocks: set[str] | frozenset[str]) -> set[str]:
    """Those of ``blocks`` (paths) that hold a residual addition, so a box drawn for one of
    them hides a shortcut."""
    adds = residual_adds(report)
    found = set()
    for path in blocks:
        if any(_inside(report.layer(a).block, path) for a in adds):
            found.add(path)
    return found


def fold_unit(block: Block, parent_of: dict[str, Block], adds_in: dict[str, int]) -> Block:
    """The block to fold when ``block`` is to be folded: its parent instead while the parent
    closes a residual shortcut itself (``adds_in`` counts residual additions directly in
    each block) or only wraps ``block`` as its container body; never the root."""
    while True:
        parent = parent_of.get(block.path)
        if parent is None or not parent.path:
            return block
        closes_shortcut = adds_in.get(parent.path, 0) > 0
        sole_body = (block.type in _CONTAINERS and len(parent.children) == 1
                     and not parent.node_ids)
        if not (closes_shortcut or sole_body):
            return block
        block = parent


def default_collapsed(report: ModelReport, max_nodes: int = _DEFAULT_MAX_NODES) -> set[str]:
    """Blocks to collapse so that a big network opens readable: the deepest blocks are
    folded first (each as its :func:`fold_unit`), one nesting level at a time, until at most
    ``max_nodes`` boxes remain (or nothing is left to fold).  Small networks get an empty set.
    A block of a single module without parameters (Swin's ``Permute``) is never folded: its
    box would hide one reshaping step behind a "+"."""
    collapsed: set[str] = set()
    for level in _fold_levels(report):
        if _count_units(report, collapsed) <= max_nodes:
            break
        collapsed.update(level)
    return collapsed


def overview_collapsed(report: ModelReport) -> set[str]:
    """What "Collapse all" folds: :func:`default_collapsed` where that is not empty;
    otherwise one level of blocks, so a small network shows its building blocks (ResNet-18's
    eight BasicBlocks, LeNet's feature extractor and classifier).  Only blocks of two
    layers or more count: folding a single layer would change nothing visible."""
    default = default_collapsed(report)
    if default:
        return default
    sizes = _layer_counts(report)
    for level in _fold_levels(report):
        big = {path for path in level if sizes.get(path, 0) >= 2}
        if big:
            return big
    return set()


def _fold_levels(report: ModelReport) -> list[set[str]]:
    """Every block's fold unit, grouped by the unit's own nesting depth, deepest first: one
    level is one kind of building block (ResNet-18's eight BasicBlocks together, the
    three with a ``downsample`` inside them included)."""
    parent_of: dict[str, Block] = {}
    for block in report.root.walk():
        for child in block.children:
            parent_of[child.path] = block
    adds_in: dict[str, int] = defaultdict(int)
    for add in residual_adds(report):
        adds_in[report.layer(add).block] += 1
    sizes = _layer_counts(report)
    by_depth: dict[int, set[str]] = defaultdict(set)
    for block in report.root.walk():
        if block.path:
            unit = fold_unit(block, parent_of, adds_in)
            if sizes.get(unit.path, 0) <= 1 and unit.params == 0:
                continue  # one parameter-free module: nothing to fold away
            by_depth[unit.path.count(".") + 1].add(unit.path)
    return [by_depth[depth] for depth in sorted(by_depth, reverse=True)]


def _count_units(report: ModelReport, collapsed: set[str]) -> int:
    return len({visible_unit(layer.block, collapsed) or layer.id for layer in report.layers})


def _layer_counts(report: ModelReport) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for layer in report.layers:
        parts = layer.block.split(".") if layer.block else []
        for i in range(1, len(parts) + 1):
            counts[".".join(parts[:i])] += 1
    return counts


def _inside(block: str, container: str) -> bool:
    return block == container or block.startswith(container + ".")
