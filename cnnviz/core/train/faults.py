"""What the engine says and does when a model's training goes wrong once the run has started:
a loss that became NaN or infinite (that model stops, its twins go on) and a device out of
memory (every model stops).  The sentences name the setting a student can change."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cnnviz.core.train.trainee import Trainee


def nan_message(name: str, others: Sequence[str], learning_rate: float, step: int) -> str:
    """Why model ``name`` stopped at ``step``; ``others`` are the models that go on."""
    goes_on = f"; {', '.join(others)} goes on" if others else ""
    return (f"{name}'s loss became NaN or infinite by step {step}, so it stopped"
            f"{goes_on}. Try a lower learning rate (it started at "
            f"{learning_rate:g}) or turn batch norm on.")


def oom_message(device: torch.device, batch_size: int, culprit: str | None) -> str:
    """Why every model stopped: ``device`` ran out of memory training model ``culprit`` (or
    preparing a batch, when None)."""
    what = f"training {culprit}" if culprit is not None else "preparing a batch"
    return (f"The {device.type.upper()} device ran out of memory {what} at batch "
            f"size {batch_size}; try a batch size of {max(1, batch_size // 2)} or train "
            "fewer models at once.")


def release_memory(trainees: Sequence[Trainee], device: torch.device) -> None:
    """Drop every model's gradients and, on CUDA, the cached blocks, so that what comes
    next (saving weights, the next run) has memory to work with."""
    for t in trainees:
        t.optimizer.zero_grad(set_to_none=True)
    if device.type == "cuda":
        torch.cuda.empty_cache()
