"""Saving each model's trained weights into the run folder once its training has ended (see
:mod:`cnnviz.core.train.run_weights` for the files and what run.json records)."""

from __future__ import annotations

from cnnviz.core.train.run_weights import keep_weights
from cnnviz.core.train.runlog import RunLog
from cnnviz.core.train.trainee import Trainee


class WeightKeeper:
    """Keeps each model's weights at most once per run: the first ending counts (a model
    that stopped at a NaN keeps those weights when the run finishes later)."""

    def __init__(self) -> None:
        self.kept: set[str] = set()  # the models whose trained weights are in the run folder

    def keep(self, log: RunLog | None, t: Trainee, step: int, after: str) -> None:
        """Save ``t``'s weights from ``step`` into ``log``'s folder (nothing without a
        folder); ``after`` says how its training ended ("completed", "nan", ...)."""
        if log is None or t.name in self.kept:
            return
        self.kept.add(t.name)
        try:
            keep_weights(log, t.name, t.model.module, step, after)
        except Exception:  # noqa: BLE001 - a device that failed; the log is finished next
            pass
