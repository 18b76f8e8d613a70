"""Ready-made comparisons that tell the ResNet lesson, for the CLI and the Train workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.records import ModelConfig, RunConfig


@dataclass(frozen=True)
class Preset:
    """A named pair of models and the settings that make their difference visible.

    ``lesson`` is a short paragraph for the user: what to look at and what to expect.
    ``settings`` are :class:`RunConfig` fields that the preset chooses (overridable).
    """

    key: str
    title: str
    lesson: str
    models: tuple[ModelConfig, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    def config(self, **overrides: Any) -> RunConfig:
        """A :class:`RunConfig` for this preset; ``overrides`` win over the preset's settings."""
        return RunConfig(models=self.models, **{**self.settings, **overrides})


def _twins(depth: int, suffix: str = "", **options: Any) -> tuple[ModelConfig, ...]:
    return (ModelConfig(f"plain{depth}", name=f"plain{depth}{suffix}", options=options),
            ModelConfig(f"resnet{depth}", name=f"resnet{depth}{suffix}", options=options))


PRESETS: tuple[Preset, ...] = (
    Preset(
        "plain20-vs-resnet20", "Plain-20 vs ResNet-20",
        "Two 20-layer networks that differ only by their shortcut connections. At this depth "
        "both train; watch the gradient norms across depth stay in the same range for both.",
        _twins(20),
    ),
    Preset(
        "plain56-vs-resnet56", "Plain-56 vs ResNet-56",
        "At 56 layers the plain network trains worse than the 20-layer one (the degradation "
        "problem of He et al.); the residual twin does not. Compare the loss curves and how "
        "evenly the gradient reaches the first layers.",
        _twins(56),
    ),
    Preset(
        "plain20-vs-resnet20-no-bn", "Plain-20 vs ResNet-20, no batch norm",
        "Without batch normalisation nothing rescales the signal between layers: the plain "
        "network's early layers receive much smaller gradients, while the shortcuts carry the "
        "gradient straight back.",
        _twins(20, "-nobn", batch_norm=False, init="default"),
        {"lr": 0.02},
    ),
    Preset(
        "plain56-vs-resnet56-no-bn", "Plain-56 vs ResNet-56, no batch norm",
        "Deep and without batch norm: the plain network's gradient fades over its 56 layers "
        "and it barely learns, or its loss blows up; the residual twin still learns.",
        _twins(56, "-nobn", batch_norm=False, init="default"),
        {"lr": 0.02},
    ),
    Preset(
        "plain20-vs-resnet20-sigmoid", "Plain-20 vs ResNet-20, sigmoid activations",
        "The sigmoid's slope is at most 1/4, so each layer shrinks the gradient going back: "
        "the classic vanishing gradient. The plain network's first layers get almost nothing; "
        "shortcuts bypass the sigmoids.",
        _twins(20, "-sigmoid", batch_norm=False, activation="sigmoid", init="xavier"),
        {"lr": 0.05},
    ),
)


def get_preset(key: str) -> Preset:
    for preset in PRESETS:
        if preset.key == key:
            return preset
    raise TrainingError(f"There is no preset called '{key}'; choose one of "
                        f"{', '.join(p.key for p in PRESETS)}.")
