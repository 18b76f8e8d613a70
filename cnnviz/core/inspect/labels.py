"""Words for the graph's boxes that say what a layer or a folded block does.

A folded ``Sequential`` reads by the windows it slides, in order: GoogLeNet's Inception
branches become "1×1 → 3×3" and "3×3 max-pool → 1×1" instead of "Sequential, 2 layers".
A concatenation along the channels reads "Concatenate (channels)" instead of ``cat``.
"""

from __future__ import annotations

from cnnviz.core.inspect.report import LayerNode, ModelReport

#: How many steps a kernel chain names before it ends in "…".
MAX_STEPS = 4
_CONCAT_TYPES = frozenset({"cat", "concat", "concatenate"})
_SEPARATOR = " \u2192 "


def display_type(layer: LayerNode) -> str:
    """The layer's type as a student reads it: ``layer.type``, except for a concatenation
    ("Concatenate (channels)" when it joins channels of an image-shaped tensor)."""
    if layer.type not in _CONCAT_TYPES:
        return layer.type
    dim = layer.hyper.get("dim", 0)
    rank = len(layer.output_shape) + 1  # the batch dimension is not in output_shape
    if isinstance(dim, int) and rank >= 3 and dim % rank == 1:
        return "Concatenate (channels)"
    return "Concatenate"


def _square(values) -> str:
    values = tuple(values) if isinstance(values, (tuple, list)) else (values,)
    if len(set(values)) == 1:
        return "\u00d7".join([str(values[0])] * max(2, len(values)))
    return "\u00d7".join(str(v) for v in values)


def layer_step(layer: LayerNode) -> str | None:
    """What one layer contributes to a kernel chain ("3×3", "3×3 depthwise",
    "3×3 max-pool", "global avg-pool", "fc"), or ``None`` for layers that slide no window
    and hold no weights (activations, normalisation, reshapes)."""
    hyper = layer.hyper
    if layer.kind == "conv" and "kernel" in hyper:
        step = _square(hyper["kernel"])
        groups, channels = hyper.get("groups", 1), hyper.get("in_channels")
        return f"{step} depthwise" if groups > 1 and groups == channels else step
    if layer.kind == "linear":
        return "fc"
    if layer.kind != "pool":
        return None
    how = "max" if "max" in layer.type.lower() else "avg"
    if "kernel" in hyper:
        return f"{_square(hyper['kernel'])} {how}-pool"
    if "output_size" in hyper:
        size = hyper["output_size"]
        sizes = size if isinstance(size, (tuple, list)) else (size,)
        return f"global {how}-pool" if all(s == 1 for s in sizes) else f"adaptive {how}-pool"
    return f"{how}-pool"


def _inside(block: str, path: str) -> bool:
    return block == path or block.startswith(path + ".")


def kernel_chain(report: ModelReport, path: str) -> str:
    """The steps of block ``path`` in order, joined by arrows ("1×1 → 3×3"), when its layers
    form one chain; "" when the block branches (an Inception block), or has no step.
    Longer chains name their first steps and end in "…"."""
    members = [layer for layer in report.layers if _inside(layer.block, path)]
    ids = {layer.id for layer in members}
    graph = report.graph
    starts = 0
    for layer in members:
        inner_in = sum(1 for p in graph.predecessors(layer.id) if p in ids)
        inner_out = sum(1 for s in graph.successors(layer.id) if s in ids)
        if inner_in > 1 or inner_out > 1:
            return ""
        starts += inner_in == 0
    if starts != 1:
        return ""
    steps = [step for step in map(layer_step, members) if step]
    if len(steps) > MAX_STEPS:
        steps = steps[:MAX_STEPS - 1] + ["\u2026"]
    return _SEPARATOR.join(steps)
