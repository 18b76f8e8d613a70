"""A run folder as a source of plot data: read once, or followed while its writer goes on.

:class:`FolderSource` wraps the core's :class:`~cnnviz.core.train.runreader.RunFollower`: each
poll reads the rows written since the previous one on a worker thread and appends them to a
:class:`RunSeries` on the GUI thread.  A QTimer polls
while the folder's ``run.json`` says "running" and stops when the run ends (or its writer is
gone), so a run started by ``cnnviz train`` or by a user's script through
``GradNormRecorder`` fills the plots as it grows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from cnnviz.core.errors import CnnvizError, brief
from cnnviz.core.train.runreader import RunFollower, RunUpdate, Table
from cnnviz.ui.train.names import meta_title
from cnnviz.ui.train.series import RunSeries
from cnnviz.ui.widgets.tasks import TaskRunner

POLL_MS = 500
# The files whose rows the plots show (a run's weight norms and update ratios are not).
PLOTTED = ("scalars.csv", "grad_norms.csv", "epochs.csv")

STATUS_SENTENCES = {
    "running": "Following a run that is still being written.",
    "finished": "This run finished.",
    "stopped": "This run was stopped before its end.",
    "failed": "This run ended with an error.",
    "interrupted": "This run ended without finishing: the program writing it is gone.",
}


def series_for(meta: dict) -> RunSeries:
    """An empty :class:`RunSeries` with the models a run.json lists."""
    run = RunSeries()
    for entry in meta.get("models", []):
        layers = tuple(entry.get("layer_names", ()))
        run.add_model(entry["name"], entry.get("display_name") or entry["name"], layers,
                      tuple(entry.get("frozen", ())) or (False,) * len(layers))
    run.total_steps = int(meta.get("total_steps") or 0)
    run.title = meta_title(meta)
    return run


def _column(table: Table, name: str) -> np.ndarray:
    if name in table.columns:
        return table.column(name)
    return np.full(len(table), np.nan)


def apply_update(run: RunSeries, update: RunUpdate) -> bool:
    """Append an update's rows and stop sentences to ``run``; True when anything changed."""
    changed = False
    for entry in update.meta.get("models", []):
        model = run.models.get(entry["name"])
        if model is None:
            continue
        stopped = entry.get("stopped")
        message = stopped.get("message") if isinstance(stopped, dict) else None
        if message != model.stopped:
            model.stopped = message
            changed = True
        tables = update.rows.get(entry["name"], {})
        scalars = tables.get("scalars.csv")
        if scalars is not None and len(scalars):
            model.add_scalars(scalars.steps, _column(scalars, "loss"),
                              _column(scalars, "accuracy"))
            changed = True
        grads = tables.get("grad_norms.csv")
        if grads is not None and len(grads):
            model.add_grads(grads.steps, grads.values())
            changed = True
        epochs = tables.get("epochs.csv")
        if epochs is not None and len(epochs):
            for step, loss, acc in zip(epochs.column("step"), epochs.column("val_loss"),
                                       epochs.column("val_accuracy")):
                model.add_epoch(int(step), float(loss), float(acc))
            changed = True
    status = update.status
    run.status = status
    finished = update.meta.get("finished") or {}
    run.message = finished.get("message") or STATUS_SENTENCES.get(status, "")
    return changed


class FolderSource(QObject):
    """Reads ``path`` into :attr:`run`, then follows it while it is being written.

    The constructor reads only run.json (raising TrainingError, a sentence, when the folder
    is not a readable run folder) and :attr:`run` starts with its models and no rows; the
    rows are read on a worker thread, so a long run opens without freezing the window.
    :attr:`meta` is that run.json, so nobody needs to read it again.
    ``updated`` fires after a read that brought rows (the first read always, then
    :attr:`loaded` is True); ``ended`` once a followed run is no longer running; ``failed``
    with a sentence when a file of the folder cannot be read (following then stops).
    """

    updated = Signal()
    ended = Signal(str)  # the status: finished, stopped, failed or interrupted
    failed = Signal(str)

    def __init__(self, path: str | Path, parent=None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._follower = RunFollower(self.path, files=PLOTTED)
        # The follower re-reads run.json on the worker; this copy changes only on the GUI
        # thread (_read), so a reader here never sees it half replaced.
        self._meta: dict = self._follower.meta
        self.run = series_for(self._meta)
        self.run.status = RunUpdate(self._meta, {}).status
        self.live = self.run.status == "running"
        self.loaded = False
        self._reading = False
        self._runner = TaskRunner(self)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self.poll()
        if self.live:
            self.timer.start()

    @property
    def meta(self) -> dict:
        """The folder's run.json, checked: as read on opening, then as the latest read
        brought it (a followed run adds its end and its models' stop sentences)."""
        return self._meta

    def poll(self) -> None:
        """Read what was added since the last read (on the worker; one read at a time)."""
        if self._reading or self._runner.closed:
            return
        self._reading = True
        self._runner.submit(self._follower.poll, on_done=self._read, on_error=self._unreadable)

    def _read(self, update: RunUpdate) -> None:
        self._reading = False
        first, self.loaded = not self.loaded, True
        self._meta = update.meta
        if apply_update(self.run, update) or first:
            self.updated.emit()
        if update.status != "running" and self.live:
            self.stop()
            self.ended.emit(update.status)

    def _unreadable(self, exc: BaseException, _tb: str) -> None:
        self._reading = False
        self.stop()
        self.failed.emit(str(exc) if isinstance(exc, CnnvizError) else
                         f"The run folder {self.path} cannot be read ({brief(exc)}).")

    def stop(self) -> None:
        """Stop following (a read under way is still applied)."""
        self.live = False
        self.timer.stop()

    def shutdown(self) -> None:
        """Stop following and wait for a read under way (its rows are dropped)."""
        self.stop()
        self._runner.shutdown()
