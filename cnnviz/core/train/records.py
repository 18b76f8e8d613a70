"""What a training run is asked to do, and the records it yields while it does it.

These frozen dataclasses are the contract between the training engine
(:func:`cnnviz.core.train.engine.train`) and whoever consumes it: the CLI progress bar, the
run-folder writer and the Train workspace.  They hold plain Python numbers and numpy arrays,
never tensors, so they can cross threads and be kept in plot buffers safely.

The engine yields, in this order::

    RunStarted                      once, with the layer names of every model
    StepRecord ...                  one per model per logging step
    EpochRecord ...                 one per model at each epoch end (validation)
    ModelStopped                    when one model cannot go on (NaN loss, out of memory)
    RunFinished                     once, always last

Per-layer arrays (``grad_norms``, ``weight_norms``, ``update_ratios``) are indexed like the
``layer_names`` of that model's :class:`ModelInfo` in :class:`RunStarted`; the names are sent
once there instead of with every step.  A frozen layer's entries are ``NaN`` (never zero), and
``ModelInfo.frozen`` marks the same layers.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Union

import numpy as np

Optimizer = Literal["sgd", "adam"]
Schedule = Literal["constant", "step", "cosine"]

DATASETS = ("shapes", "mnist", "fashion_mnist", "cifar10", "folder")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _accepts(hint: Any, value: Any) -> bool | None:
    """Whether ``value`` fits the type ``hint``; None when the hint is not a simple one."""
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return _is_number(value)
    if hint is str:
        return isinstance(value, str)
    origin = typing.get_origin(hint)
    if origin is Literal:
        return value in typing.get_args(hint)
    if origin in (Union, types.UnionType):
        answers = [_accepts(arg, value) for arg in typing.get_args(hint)]
        return None if None in answers else any(answers)
    if origin is dict or hint is dict:
        return isinstance(value, dict)
    return None


def _checked_fields(cls, values: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    for name, value in values.items():
        if _accepts(hints.get(name, Any), value) is False:
            raise ValueError(f"{name} is {value!r}")
    return values


@dataclass(frozen=True)
class ModelConfig:
    """One model of a run.

    ``arch`` is a zoo reference accepted by ``cnnviz.core.zoo.resolve`` ("resnet20",
    "plain20", "efficientnet_b0", "path/to/file.py:ClassName").  ``name`` labels the model in
    records and names its sub-folder of the run folder; it defaults to ``arch`` and must be
    unique within a run.  ``options`` are the zoo builder's switches (``batch_norm``,
    ``activation``, ``init``).  ``freeze_until`` names a module (e.g. "layer2"): every
    parameterised layer up to and including it, in forward order, is frozen.  ``weights`` is
    ``None`` (fresh initialisation), ``"pretrained"`` (torchvision's default weights) or the
    path of a saved ``state_dict``.
    """

    arch: str
    name: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    freeze_until: str | None = None
    weights: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.arch

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "name": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """From :meth:`to_dict`'s form; raises ValueError naming a field of the wrong type."""
        if not isinstance(data, dict):
            raise ValueError("a model is not a record")
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**_checked_fields(cls, {k: v for k, v in data.items() if k in known}))


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run; written in full to ``run.json``.

    Length: ``steps`` (optimiser steps) wins over ``epochs`` when both are set; with neither,
    one epoch.  ``image_size`` and ``channels`` of ``None`` follow the first model's expected
    input.  ``amp`` and ``channels_last`` of ``None`` mean "on when the device is CUDA".
    ``device`` is "auto" (CUDA, then MPS, then CPU), or any torch device string.
    ``log_every`` is the number of optimiser steps between two records (and CSV rows).
    ``milestones`` are the fractions of the run at which the "step" schedule multiplies the
    learning rate by ``gamma``.  ``pipeline`` is the path of an augmentation pipeline file
    applied to training images (recorded here; the engine also takes any callable).
    ``train_size``/``val_size`` size the procedural "shapes" data set and cap the others.
    ``lr`` of ``None`` is 0.1 for SGD and 0.001 for Adam.
    """

    models: tuple[ModelConfig, ...]
    dataset: str = "shapes"
    data_dir: str | None = None
    download: bool = True
    num_classes: int | None = None
    image_size: int | None = None
    channels: int | None = None
    train_size: int | None = None
    val_size: int | None = None
    pipeline: str | None = None
    batch_size: int = 128
    steps: int | None = None
    epochs: int | None = None
    optimizer: Optimizer = "sgd"
    lr: float | None = None
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: Schedule = "constant"
    milestones: tuple[float, ...] = (0.5, 0.75)
    gamma: float = 0.1
    seed: int = 0
    device: str = "auto"
    amp: bool | None = None
    channels_last: bool | None = None
    log_every: int = 1
    validate: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["models"] = [m.to_dict() for m in self.models]
        data["milestones"] = list(self.milestones)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """From :meth:`to_dict`'s form (a run.json's ``config``); raises ValueError naming a
        field of the wrong type, so a hand-edited file never reaches the engine or a form."""
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = _checked_fields(cls, {k: v for k, v in data.items()
                                       if k in known and k != "models"})
        models = data.get("models", ())
        if not isinstance(models, (list, tuple)):
            raise ValueError("models is not a list")
        kwargs["models"] = tuple(ModelConfig.from_dict(m) for m in models)
        if "milestones" in kwargs:
            milestones = kwargs["milestones"]
            if not isinstance(milestones, (list, tuple)) or not all(
                    _is_number(m) for m in milestones):
                raise ValueError(f"milestones is {milestones!r}")
            kwargs["milestones"] = tuple(milestones)
        return cls(**kwargs)

    @property
    def learning_rate(self) -> float:
        """The starting learning rate, with the optimiser's default filled in."""
        if self.lr is not None:
            return float(self.lr)
        return 0.001 if self.optimizer == "adam" else 0.1

    def replace(self, **changes: Any) -> RunConfig:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class ModelInfo:
    """A model as the run sees it: its per-layer axis and size.

    ``layer_names`` are the qualified module names of the parameterised layers in forward
    order (the depth axis of every per-layer array); ``frozen[i]`` is True for a frozen layer.
    """

    name: str
    arch: str
    display_name: str
    layer_names: tuple[str, ...]
    frozen: tuple[bool, ...]
    num_params: int
    trainable_params: int


@dataclass(frozen=True)
class RunStarted:
    """First record of a run: what is about to be trained, where, and for how long."""

    config: RunConfig
    models: tuple[ModelInfo, ...]
    device: str
    amp: bool
    channels_last: bool
    total_steps: int
    steps_per_epoch: int
    dataset_name: str
    classes: tuple[str, ...]
    train_samples: int
    val_samples: int
    run_dir: str | None
    # What the models are fed: images of ``channels`` x ``image_size`` x ``image_size``,
    # scaled to [0, 1] then normalised by ``mean`` and ``std`` (one value per channel).
    image_size: int = 0
    channels: int = 0
    # The data set's own image side: smaller by a few pixels, its pictures were padded with
    # black to ``image_size`` (MNIST's 28 to LeNet-5's 32); else they were scaled.
    data_size: int = 0
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    # Files of an image folder that could not be read as pictures (left out of the data).
    skipped: int = 0


@dataclass(frozen=True, eq=False)
class StepRecord:
    """One model at one logging step (``step`` counts optimiser steps from 1).

    ``loss`` and ``accuracy`` are for this step's batch.  ``samples_per_s`` is the run's
    throughput since the previous logging step (all models train on the same batch, so it is
    shared by the twins).  ``grad_norms`` is the L2 norm of each layer's gradient (all of its
    parameters together) after backward; ``weight_norms`` each layer's weight norm after the
    optimiser step; ``update_ratios`` the norm of the step's weight change divided by the weight
    norm before it.  Arrays are float64 with NaN for frozen layers.
    """

    step: int
    epoch: int
    model: str
    loss: float
    accuracy: float
    lr: float
    samples_per_s: float
    elapsed_s: float
    grad_norms: np.ndarray
    weight_norms: np.ndarray
    update_ratios: np.ndarray


@dataclass(frozen=True)
class EpochRecord:
    """One model at the end of an epoch (or of the run): training means and validation.

    ``epoch`` counts from 1; ``train_loss``/``train_accuracy`` average the epoch's logged
    batches; ``val_loss``/``val_accuracy`` are NaN when validation is off.
    """

    epoch: int
    step: int
    model: str
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float


StopReason = Literal["nan", "out_of_memory", "error"]


@dataclass(frozen=True)
class ModelStopped:
    """A model that stopped before the end; ``message`` is the sentence to show the user."""

    step: int
    model: str
    reason: StopReason
    message: str


FinishReason = Literal["completed", "stopped", "out_of_memory", "all_models_stopped", "error"]


@dataclass(frozen=True)
class RunFinished:
    """Last record of every run, however it ended; ``message`` is one sentence for the user."""

    step: int
    reason: FinishReason
    message: str
    elapsed_s: float
    run_dir: str | None


Record = Union[RunStarted, StepRecord, EpochRecord, ModelStopped, RunFinished]


@dataclass(frozen=True)
class GradientSnapshot:
    """One model's latest per-layer gradient norms, for views outside the Train workspace
    (the explorer's graph colours its layers by them).

    ``arch`` and ``options`` name the network as the zoo builds it, so a view can show the
    same architecture; ``layer_names`` are the qualified module names of the parameterised
    layers in forward order (as :class:`ModelInfo` gives them) and ``norms`` is indexed like
    them, ``NaN`` for a frozen layer.  ``run`` labels the run the numbers come from;
    ``input_shape`` is the (channels, height, width) the run fed the model, when known.
    """

    model: str
    arch: str
    options: dict[str, Any]
    layer_names: tuple[str, ...]
    norms: np.ndarray
    step: int
    run: str = ""
    input_shape: tuple[int, int, int] | None = None

    def by_layer(self) -> dict[str, float]:
        """``{layer name: norm}`` (NaN for frozen layers)."""
        return {name: float(v) for name, v in zip(self.layer_names, self.norms)}
