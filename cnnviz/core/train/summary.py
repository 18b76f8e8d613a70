"""What a run came to, per model, in numbers and in sentences (for ``cnnviz runs`` and the GUI)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnnviz.core.train.runreader import ModelLog, RunData, first_to_last_ratio


@dataclass(frozen=True)
class ModelSummary:
    """One model's standing at the last logged step; NaN where nothing was logged."""

    name: str
    display_name: str
    steps: int
    last_step: int
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float
    grad_ratio: float
    stopped: str | None

    @property
    def gradient_sentence(self) -> str:
        return gradient_sentence(self.name, self.grad_ratio)


def gradient_sentence(name: str, ratio: float) -> str:
    """One sentence on a first-to-last-layer gradient ratio (see ``first_to_last_ratio``)."""
    if not math.isfinite(ratio):
        return f"{name}: no gradient ratio yet."
    if ratio < 0.1:
        verdict = "the gradient fades on its way back to the input"
    elif ratio > 10:
        verdict = "the gradient grows on its way back to the input"
    else:
        verdict = "the gradient reaches the first layer about intact"
    if ratio == 0:
        return f"{name}: the first layer gets no measurable gradient at all; {verdict}."
    return f"{name}: the first layer gets {ratio:.3g} times the gradient of the last; {verdict}."


def _last(values, default=float("nan")) -> float:
    return float(values[-1]) if len(values) else default


def summarise_model(log: ModelLog) -> ModelSummary:
    scalars, epochs = log.scalars, log.epochs
    stopped = log.stopped.get("message", "stopped") if log.stopped else None
    ratio = first_to_last_ratio(log.grad_norms.values()[-1]) if len(log.grad_norms) else math.nan
    return ModelSummary(
        name=log.name, display_name=log.display_name, steps=len(scalars),
        last_step=int(_last(scalars.column("step"), 0)) if len(scalars) else 0,
        loss=_last(scalars.column("loss")), accuracy=_last(scalars.column("accuracy")),
        val_loss=_last(epochs.column("val_loss")),
        val_accuracy=_last(epochs.column("val_accuracy")),
        grad_ratio=ratio, stopped=stopped,
    )


def summarise(run: RunData) -> list[ModelSummary]:
    """A :class:`ModelSummary` per model of ``run``, in run order."""
    return [summarise_model(log) for log in run.models]
