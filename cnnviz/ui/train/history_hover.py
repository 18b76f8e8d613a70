"""What hovering a history plot reads out: each model's value at the step under the mouse
("plain @ 120: loss 1.93"), and a held-out loss when the mouse is at an epoch end, said to be
above or below the scale when the plot pins it to its edge."""

from __future__ import annotations

import numpy as np

from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.layer_choices import chosen_in_order
from cnnviz.ui.train.series import ModelSeries, RunSeries


def held_out_points(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The epoch ends with a finite, positive held-out value (a log axis shows no others)."""
    keep = np.isfinite(values) & (values > 0)
    return steps[keep], values[keep]


def describe(run: RunSeries | None, what: str, x: float, chosen: list[str],
             loss_steps_shown: tuple[float, float],
             loss_range: tuple[float, float] | None) -> str | None:
    """The hover text of plot ``what`` ("layers", "loss" or "accuracy") at step ``x``: one
    line per model, or None when nothing is plotted.

    ``chosen`` are the followed layers' keys; ``loss_steps_shown`` the loss plot's visible
    steps (how near an epoch end counts as at it) and ``loss_range`` its value range (None
    before the curves set one)."""
    if run is None:
        return None
    lines = []
    for model in run:
        if what == "layers":
            steps, values = model.grad_steps.view, None
        else:
            steps, values = model.steps.view, getattr(model, what).view
        if not len(steps):
            continue
        row = int(np.argmin(np.abs(steps - x)))
        step = int(steps[row])
        if what == "layers":
            parts = []
            for choice in chosen_in_order(chosen):
                index = choice.index(model.depth)
                parts.append(f"{model.layer_names[index]} "
                             f"{style.format_norm(float(model.grads.view[row][index]))}")
            lines.append(f"{run.label(model)} @ {step}: " + ", ".join(parts))
        elif what == "loss":
            lines.append(f"{run.label(model)} @ {step}: loss {values[row]:.4g}"
                         + held_out_text(model, x, loss_steps_shown, loss_range))
        else:
            lines.append(f"{run.label(model)} @ {step}: accuracy {values[row]:.1%}")
    return "\n".join(lines) or None


def held_out_text(model: ModelSeries, x: float, steps_shown: tuple[float, float],
                  shown: tuple[float, float] | None) -> str:
    """"; held-out loss 1.2e+10 (above the scale)" when the mouse is at an epoch end."""
    steps, values = held_out_points(model.epoch_steps.view, model.val_loss.view)
    if not steps.size:
        return ""
    low, high = steps_shown
    row = int(np.argmin(np.abs(steps - x)))
    if abs(steps[row] - x) > max(0.6, 0.03 * (high - low)):
        return ""
    value = float(values[row])
    where = ""
    if shown is not None and value > shown[1]:
        where = " (above the scale)"
    elif shown is not None and value < shown[0]:
        where = " (below the scale)"
    return f"; held-out loss {value:.4g}{where} at step {int(steps[row])}"
