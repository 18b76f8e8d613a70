"""One model's training state within a run, and the optimiser and schedule it uses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.models import PreparedModel
from cnnviz.core.train.records import RunConfig


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA's OutOfMemoryError, or the RuntimeError other backends raise for it."""
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def lr_factor(config: RunConfig, total_steps: int) -> Callable[[int], float]:
    """The schedule as a factor of the starting learning rate, by optimiser steps taken."""
    if config.schedule == "constant":
        return lambda step: 1.0
    if config.schedule == "step":
        marks = sorted(int(round(f * total_steps)) for f in config.milestones)
        return lambda step: config.gamma ** sum(step >= m for m in marks)
    if config.schedule == "cosine":
        return lambda step: 0.5 * (1.0 + math.cos(math.pi * min(step, total_steps) / total_steps))
    raise TrainingError(f"There is no learning-rate schedule called '{config.schedule}'; "
                        "choose constant, step or cosine.")


@dataclass
class Trainee:
    """One model's training state inside a run."""

    model: PreparedModel
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    scaler: torch.amp.GradScaler
    loss_sum: torch.Tensor
    correct_sum: torch.Tensor
    seen: int = 0
    active: bool = True
    in_training_mode: bool = False  # train() walks every module: done only when it changed

    @property
    def name(self) -> str:
        return self.model.name

    def reset_epoch(self) -> None:
        self.loss_sum.zero_()
        self.correct_sum.zero_()
        self.seen = 0


def make_optimizer(config: RunConfig, module: nn.Module) -> torch.optim.Optimizer:
    params = [p for p in module.parameters() if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.learning_rate, momentum=config.momentum,
                               weight_decay=config.weight_decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.learning_rate,
                                weight_decay=config.weight_decay)
    raise TrainingError(f"There is no optimiser called '{config.optimizer}'; choose sgd or adam.")
