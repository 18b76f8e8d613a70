"""What one clicked unit of a feature map sees: its box in the input and a sentence about it.

Plain functions over the engine's report (no Qt), so the panel only shows their results.
"""

from __future__ import annotations


def receptive_ids(report) -> dict[str, str]:
    """Activation name -> report layer id with a receptive field; a module used several
    times (ResNet's shared ReLU) maps to its last use, the output the activation set keeps."""
    ids = {}
    for layer in report.layers:
        if layer.op == "module" and layer.rf is not None:
            ids[layer.name] = layer.id
    return ids


def unit_region(report, ids: dict[str, str], name: str, act, channel: int, row: int,
                col: int) -> tuple[tuple[int, int, int, int] | None, str]:
    """``(box, sentence)`` for unit (row, col) of ``channel`` in layer ``name`` whose output
    is ``act`` (C, H, W); the box is ``None`` when the engine knows no receptive field there."""
    from cnnviz.core.probe import receptive_box

    layer = report.layer(ids[name]) if name in ids else None
    if layer is None or tuple(layer.output_shape[-2:]) != tuple(act.shape[-2:]):
        return None, f"No receptive field is known for {name}."
    box = receptive_box(report, layer.id, row, col)
    top, left, bottom, right = box
    return box, (f"Channel {channel}, unit ({row}, {col}) = {float(act[channel, row, col]):.3g} "
                 f"sees rows {top}–{bottom} and columns {left}–{right} of the input "
                 f"(receptive field {layer.rf}×{layer.rf}, a step of {layer.rf_jump} pixels).")
