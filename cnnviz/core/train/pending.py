"""A logging step's numbers on their way from the device to the host.

On CUDA the engine queues the next step's work before it reads a logging step's numbers, so
the GPU never idles while the host waits for a copy; elsewhere the copy is finished at once.
"""

from __future__ import annotations

import numpy as np
import torch

from cnnviz.core.train.batches import Batch
from cnnviz.core.train.records import EpochRecord
from cnnviz.core.train.trainee import Trainee


class PendingStep:
    """A logging step's numbers on their way to the host: read after the next step is queued.

    At an epoch's end the epoch's sums (training, then validation when the run validates)
    follow in a second copy, :meth:`attach_epoch`; the host waits only when it reads them.
    """

    def __init__(self, trainee: Trainee, batch: Batch, pack: tuple[torch.Tensor, float],
                 rate: float, elapsed: float) -> None:
        tensor, self.lr = pack
        self.trainee, self.batch, self.rate, self.elapsed = trainee, batch, rate, elapsed
        self.host, self.ready = self._copy(tensor)
        self.epoch: tuple[torch.Tensor, int, int] | None = None  # host copy, images, val images

    @staticmethod
    def _copy(tensor: torch.Tensor) -> tuple[torch.Tensor, torch.cuda.Event | None]:
        cuda = tensor.device.type == "cuda"
        # Only CUDA has an event to wait on; elsewhere the copy is an ordinary, finished one.
        host = tensor.to("cpu", non_blocking=cuda)
        if not cuda:
            return host, None
        ready = torch.cuda.Event()
        ready.record()
        return host, ready

    def attach_epoch(self, sums: torch.Tensor, seen: int, val_count: int) -> None:
        """The epoch's ``[train loss sum, train correct, val loss sum, val correct]``; the
        validation pair is NaN when the run does not validate."""
        host, self.ready = self._copy(sums)
        self.epoch = (host, seen, val_count)

    def values(self) -> np.ndarray:
        if self.ready is not None:
            self.ready.synchronize()
        return self.host.numpy().astype(np.float64)

    def epoch_record(self) -> EpochRecord:
        """The epoch's record (call :meth:`values` first: it waits for both copies)."""
        host, seen, val_count = self.epoch
        train_loss, train_correct, val_loss, val_correct = host.numpy().astype(np.float64)
        seen, val_count = max(1, seen), max(1, val_count)
        return EpochRecord(epoch=self.batch.epoch, step=self.batch.step, model=self.trainee.name,
                           train_loss=float(train_loss / seen),
                           train_accuracy=float(train_correct / seen),
                           val_loss=float(val_loss / val_count),
                           val_accuracy=float(val_correct / val_count))
