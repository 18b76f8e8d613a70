"""How a run computes on its device: mixed precision and channels-last memory.

Both pay off only on CUDA, so both are on there and off elsewhere unless the run's
configuration says otherwise (and never off CUDA, where they would only slow it down).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch

from cnnviz.core.train.records import RunConfig


@dataclass(frozen=True)
class Precision:
    """The arithmetic of one run (:meth:`for_run` chooses it)."""

    device_type: str
    amp: bool
    channels_last: bool
    amp_dtype: torch.dtype = torch.float16

    @classmethod
    def for_run(cls, config: RunConfig, device: torch.device) -> Precision:
        cuda = device.type == "cuda"
        amp = bool(config.amp if config.amp is not None else cuda) and cuda
        channels_last = bool(config.channels_last if config.channels_last is not None
                             else cuda) and cuda
        dtype = torch.bfloat16 if amp and torch.cuda.is_bf16_supported() else torch.float16
        return cls(device.type, amp, channels_last, dtype)

    @property
    def scales_loss(self) -> bool:
        """Whether the loss needs a gradient scaler: float16's gradients underflow without
        one, bfloat16's do not."""
        return self.amp and self.amp_dtype == torch.float16

    def autocast(self) -> AbstractContextManager:
        """The context forward passes run in: autocast with mixed precision, else none."""
        if not self.amp:
            return nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.amp_dtype)
