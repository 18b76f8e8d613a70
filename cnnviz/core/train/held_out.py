"""A model's epoch end: its training sums, and a pass over the held-out images.

At every epoch's end each model still training is measured on the validation set (the images
kept out of training), in evaluation mode and without gradients.  The sums stay on the
device: :meth:`~cnnviz.core.train.pending.PendingStep.attach_epoch` copies them to the host
with the step's other numbers, so the host waits for them only once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager

import torch
import torch.nn.functional as F

from cnnviz.core.forward_lock import FORWARD_LOCK
from cnnviz.core.train.batches import BatchStream
from cnnviz.core.train.models import model_output
from cnnviz.core.train.trainee import Trainee


class HeldOutPass:
    """Ends a model's epoch (:meth:`epoch_sums`); one per run.

    ``validate`` is the run's choice (without it the held-out numbers are NaN);
    ``autocast`` makes the context the run's forward passes run in (mixed precision or
    none).
    """

    def __init__(self, stream: BatchStream, *, validate: bool, batch_size: int,
                 autocast: Callable[[], AbstractContextManager]) -> None:
        self.stream = stream
        self.validate = validate
        # No gradients are kept: batches larger than training's fit, and fewer run faster.
        self.batch_size = max(256, batch_size)
        self.autocast = autocast

    def epoch_sums(self, t: Trainee) -> tuple[torch.Tensor, int, int]:
        """``t``'s epoch sums still on the device, ``[training loss sum, training correct,
        held-out loss sum, held-out correct]`` (the held-out pair NaN when the run does not
        validate), the number of training images they cover and of held-out images; starts
        ``t``'s next epoch."""
        sums = torch.stack([t.loss_sum, t.correct_sum])  # a copy: the sums restart below
        seen = t.seen
        t.reset_epoch()
        if not self.validate:
            return torch.cat([sums, sums.new_full((2,), math.nan)]), seen, 0
        return torch.cat([sums, self._measure(t)]), seen, len(self.stream.split.val_y)

    def _measure(self, t: Trainee) -> torch.Tensor:
        """``[loss sum, correct]`` of ``t`` over the held-out images, on the device."""
        module = t.model.module
        module.eval()
        t.in_training_mode = False  # the next training step switches it back
        val = torch.zeros(2, device=t.loss_sum.device)
        with torch.no_grad(), self.autocast():
            for x, y in self.stream.validation(self.batch_size):
                with FORWARD_LOCK:
                    logits = model_output(module(x)).float()
                val[0] += F.cross_entropy(logits, y, reduction="sum")
                val[1] += (logits.argmax(dim=1) == y).sum()
        return val
