"""Training: data sets, the twin-training engine, gradient-norm recording and run logs.

Importing this package is cheap: each name below loads its module (and torch, where that
module needs it) on first use, so ``cnnviz --help`` never pays for torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "GradNormRecorder": "cnnviz.core.train.gradnorm",
    "parameterised_layers": "cnnviz.core.train.gradnorm",
    "RunConfig": "cnnviz.core.train.records",
    "ModelConfig": "cnnviz.core.train.records",
    "ModelInfo": "cnnviz.core.train.records",
    "RunStarted": "cnnviz.core.train.records",
    "StepRecord": "cnnviz.core.train.records",
    "EpochRecord": "cnnviz.core.train.records",
    "ModelStopped": "cnnviz.core.train.records",
    "RunFinished": "cnnviz.core.train.records",
    "GradientSnapshot": "cnnviz.core.train.records",
    "RunLog": "cnnviz.core.train.runlog",
    "read_run": "cnnviz.core.train.runreader",
    "RunFollower": "cnnviz.core.train.runreader",
    "RunData": "cnnviz.core.train.runreader",
    "is_run_folder": "cnnviz.core.train.runreader",
    "first_to_last_ratio": "cnnviz.core.train.runreader",
    "train": "cnnviz.core.train.engine",
    "RunControl": "cnnviz.core.train.control",
    "PRESETS": "cnnviz.core.train.presets",
    "Preset": "cnnviz.core.train.presets",
    "get_preset": "cnnviz.core.train.presets",
    "load_dataset": "cnnviz.core.train.datasets",
    "DataSplit": "cnnviz.core.train.datasets",
    "DATASET_TITLES": "cnnviz.core.train.datasets",
    "DATASETS": "cnnviz.core.train.records",
    "choose_device": "cnnviz.core.train.models",
    "freezable_blocks": "cnnviz.core.train.models",
    "ModelSummary": "cnnviz.core.train.summary",
    "summarise": "cnnviz.core.train.summary",
    "gradient_sentence": "cnnviz.core.train.summary",
    "SHAPE_CLASSES": "cnnviz.core.train.shapes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cnnviz.core.train' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
