"""Which part of the input image one unit of a feature map sees.

The engine gives each layer its receptive field ``rf`` and ``rf_jump`` (the distance in input
pixels between neighbouring units).  The box of unit (row, col) also needs where unit (0, 0)
is centred; that centre moves at every window by ``((k - 1)*d/2 - p) * jump_in``
(Araujo et al., "Computing receptive fields of convolutional neural networks", 2019).
At a merge the widest input wins, as in the engine.
"""

from __future__ import annotations

from cnnviz.core.inspect.report import LayerNode, ModelReport


def _max(value) -> float:
    return float(max(value)) if isinstance(value, (tuple, list)) else float(value)


def _centre_step(layer: LayerNode) -> float:
    h = layer.hyper
    if "kernel" not in h:
        if "output_size" in h and layer.input_shapes and len(layer.output_shape) >= 3:
            n_in, n_out = layer.input_shapes[0][-1], layer.output_shape[-1]
            return (-(-n_in // n_out) - 1) / 2  # adaptive pooling: no padding
        return 0.0
    k, d = _max(h["kernel"]), _max(h.get("dilation", 1))
    pad = h.get("padding", 0)
    p = (k - 1) * d / 2 if pad == "same" else 0.0 if pad == "valid" else _max(pad)
    return (k - 1) * d / 2 - p


def unit_centres(report: ModelReport) -> dict[str, float]:
    """For each layer with spatial output, the input-pixel centre of its unit (0, 0)."""
    centre: dict[str, float] = {}
    for layer in report.layers:
        if layer.rf is None:
            continue
        inputs = [p for p in report.graph.predecessors(layer.id) if p in centre]
        if not inputs:
            centre[layer.id] = 0.0 if layer.kind == "input" else (layer.rf - 1) / 2
            continue
        widest = max(inputs, key=lambda p: report.layer(p).rf or 0)
        jump_in = report.layer(widest).rf_jump or 1
        centre[layer.id] = centre[widest] + _centre_step(layer) * jump_in
    return centre


def receptive_box(report: ModelReport, layer_id: str, row: int, col: int,
                  clip: bool = True) -> tuple[int, int, int, int]:
    """``(top, left, bottom, right)``, inclusive input-pixel bounds of what unit (row, col)
    of layer ``layer_id`` sees; clipped to the input unless ``clip`` is false."""
    layer = report.layer(layer_id)
    if layer.rf is None or layer.rf_jump is None:
        raise ValueError(f"{layer.name} has no spatial layout, so no receptive field box")
    c0 = unit_centres(report)[layer_id]
    half = (layer.rf - 1) / 2
    cy, cx = c0 + row * layer.rf_jump, c0 + col * layer.rf_jump
    top, left = round(cy - half), round(cx - half)
    bottom, right = round(cy + half), round(cx + half)
    if clip:
        h, w = report.input_shape[-2], report.input_shape[-1]
        top, left = max(0, top), max(0, left)
        bottom, right = min(h - 1, bottom), min(w - 1, right)
    return top, left, bottom, right
