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
        "Trained long enough, the 56-layer plain network ends worse than the 20-layer one "
        "(the degradation problem of He et al.); the residual twin does not. That takes "
        "thousands of steps: in the first few hundred either may be ahead, so compare how "
        "evenly the gradient reaches the first layers, and train longer to see the loss "
        "curves part.",
        _twins(56),
    ),
    # Adam, not SGD: with PyTorch's default initialisation and no batch norm, SGD leaves
    # ResNet-20 at chance for hundreds of steps too (its residual branches start tiny and
    # grow slowly), and the lesson would be in the gradient plot only.  Adam grows them in a
    # few dozen steps; the plain twin's signal still fades to nothing on its way through.
    Preset(
        "plain20-vs-resnet20-no-bn", "Plain-20 vs ResNet-20, no batch norm",
        "Without batch normalisation nothing rescales the signal between layers. In a few "
        "hundred steps ResNet-20 learns the shapes while Plain-20 stays at chance (a loss "
        "of about 2.3): almost no signal gets through its 20 layers, and its first layers "
        "receive far smaller gradients, while the shortcuts carry the gradient straight back.",
        _twins(20, "-nobn", batch_norm=False, init="default"),
        {"optimizer": "adam", "lr": 0.001},
    ),
    Preset(
        "plain56-vs-resnet56-no-bn", "Plain-56 vs ResNet-56, no batch norm",
        "Deep and without batch norm: the plain network's gradient fades over its 56 layers "
        "and it stays at chance, while the residual twin learns within a few hundred steps.",
        _twins(56, "-nobn", batch_norm=False, init="default"),
        {"optimizer": "adam", "lr": 0.001},
    ),
    Preset(
        "plain20-vs-resnet20-sigmoid", "Plain-20 vs ResNet-20, sigmoid activations",
        "The sigmoid's slope is at most 1/4, so each layer shrinks the gradient going back: "
        "the classic vanishing gradient. Watch the gradient plots: in a few hundred steps "
        "neither network learns (both stay at a loss of about 2.3). The plain network's "
        "first layers get almost nothing; the residual one's path back crosses one sigmoid "
        "per block (it follows each addition), half as many, so its first layers get far "
        "more gradient, though still little.",
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
