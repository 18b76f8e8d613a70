"""Runs the training engine on a QThread and hands its records to the GUI thread.

The engine's generator runs entirely on the worker thread (importing torch included, so the
window never waits for it); each record crosses to the GUI thread through the queued
:attr:`TrainingWorker.record` signal.  Pause, resume and stop go through the engine's
:class:`~cnnviz.core.train.control.RunControl`, which is thread-safe; :meth:`shutdown` asks
for a stop and joins the thread, and the engine then writes its last records, so the run
folder is complete when it returns.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from cnnviz.core.errors import CnnvizError
from cnnviz.core.train.control import RunControl


def _leave_a_core_for_the_window() -> None:
    """Keep torch's CPU thread pool off one core.

    With as many intra-op threads as cores, torch's threads (which spin between operations)
    take every core and the GUI thread waits its turn for hundreds of milliseconds: the
    window stutters exactly while the student is watching it.
    """
    import torch

    cores = os.cpu_count() or 1
    if cores > 1 and torch.get_num_threads() >= cores:
        torch.set_num_threads(cores - 1)


class TrainingWorker(QThread):
    """One training run.  Create, connect, :meth:`start`; it is not reusable.

    ``modules`` and ``data`` are passed to the engine as they are (ready ``nn.Module`` objects
    by name and a loaded data split; tests and scripts use them to train tiny models).
    """

    record = Signal(object)   # each engine record, in order
    failed = Signal(str)      # a sentence: the run could not start, or broke unexpectedly

    def __init__(self, config, run_dir: str | Path | None, *, modules=None, data=None,
                 parent=None) -> None:
        super().__init__(parent)
        self.config = config
        self.run_dir = run_dir
        self.control = RunControl()
        self._modules = modules
        self._data = data

    def run(self) -> None:
        try:
            from cnnviz.core.train.engine import train

            _leave_a_core_for_the_window()
            transform = self._transform()
            for item in train(self.config, control=self.control, transform=transform,
                              run_dir=self.run_dir, modules=self._modules, data=self._data):
                self.record.emit(item)
        except CnnvizError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - shown to the user instead of killing the thread
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            self.failed.emit(f"Training failed unexpectedly: {first}")

    def _transform(self):
        if not self.config.pipeline:
            return None
        from cnnviz.core.augment.pipeline import Pipeline

        return Pipeline.load(self.config.pipeline).to_torch_transform()

    # -- control, from the GUI thread ----------------------------------------------------------

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def stop(self) -> None:
        self.control.stop()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def shutdown(self, timeout_ms: int = 120_000) -> bool:
        """Stop at the next step and wait for the thread; True when it has ended.

        The wait is bounded by one training step (the engine checks for a stop between steps)
        plus the last records' writing; ``timeout_ms`` only guards against a step that never
        returns.
        """
        self.control.stop()
        if not self.isRunning():
            return True
        return self.wait(timeout_ms)
