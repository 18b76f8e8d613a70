"""The checks a run's configuration passes before anything is built: each failure is a
:class:`~cnnviz.core.errors.TrainingError` with a sentence naming the setting to change."""

from __future__ import annotations

import math

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.records import RunConfig

# Input sizes the lab trains at: below, even LeNet's first convolution has nothing to see;
# above, one batch of a deep network fills a computer's memory.
IMAGE_SIZES = (8, 1024)


def check_config(config: RunConfig) -> None:
    """Raise :class:`TrainingError` for a run that cannot start: no models, two models of one
    name, no steps, no logging, or a number no optimiser can use (:func:`check_numbers`)."""
    if not config.models:
        raise TrainingError("Choose at least one model to train.")
    labels = [m.label for m in config.models]
    if len(set(labels)) != len(labels):
        raise TrainingError("Two models of the run have the same name; give each its own.")
    if (config.steps is not None and config.steps < 1) or \
            (config.epochs is not None and config.epochs < 1):
        raise TrainingError("Train for at least one step (or one epoch).")
    if config.log_every < 1:
        raise TrainingError("Log at least every step (log_every must be 1 or more).")
    check_numbers(config)


def check_numbers(config: RunConfig) -> None:
    """Raise :class:`TrainingError` with a sentence for a setting no optimiser can use (a
    learning rate that is not a positive number, negative momentum or weight decay, an
    input size the lab does not train at)."""
    lr = config.lr
    if lr is not None and not (math.isfinite(lr) and lr > 0):
        raise TrainingError(f"The learning rate must be a positive number, not {lr}.")
    if not (math.isfinite(config.momentum) and 0 <= config.momentum < 1):
        raise TrainingError(f"Momentum must be at least 0 and below 1, not {config.momentum}.")
    if not (math.isfinite(config.weight_decay) and config.weight_decay >= 0):
        raise TrainingError(f"Weight decay must be 0 or more, not {config.weight_decay}.")
    if not (math.isfinite(config.gamma) and config.gamma > 0):
        raise TrainingError(f"The schedule's factor must be a positive number, not "
                            f"{config.gamma}.")
    low, high = IMAGE_SIZES
    if config.image_size is not None and not low <= config.image_size <= high:
        raise TrainingError(f"Train at an image size from {low} to {high} pixels, not "
                            f"{config.image_size}.")
    for name, value in (("training", config.train_size), ("validation", config.val_size)):
        if value is not None and value < 1:
            raise TrainingError(f"The {name} set needs at least one image, not {value}.")
