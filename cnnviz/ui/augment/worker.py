"""Run preview renders off the GUI thread, keeping only the newest request.

A slider sends many values a second; rendering each in turn would make the preview lag ever
further behind the hand.  :class:`LatestOnlyWorker` runs at most one job at a time and holds
at most one waiting job: a new request replaces the waiting one, so after each render the
worker starts on the freshest state.  Results arrive on the GUI thread through a queued
signal.  Every finished result is delivered, even while a newer job runs, so a preview keeps
moving during a long drag; the caller drops results that no longer fit what is on screen.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    finished = Signal(object, bool, object, str)  # job, ok, result or exception, traceback


class _Run(QRunnable):
    def __init__(self, fn: Callable[[Any], Any], job: Any, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._job, self._relay = fn, job, relay

    def run(self) -> None:
        try:
            result = self._fn(self._job)
        except Exception as exc:  # handed to the GUI thread, which shows a sentence
            self._relay.finished.emit(self._job, False, exc, traceback.format_exc())
        else:
            self._relay.finished.emit(self._job, True, result, "")


class LatestOnlyWorker(QObject):
    """Calls ``fn(job)`` on a private thread; ``done(result)`` or ``failed(exc, tb)`` follow
    on the GUI thread.  :meth:`submit` while busy replaces the job waiting to run."""

    done = Signal(object)
    failed = Signal(object, str)
    busy_changed = Signal(bool)

    def __init__(self, fn: Callable[[Any], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._running = False
        self._waiting: Any = None
        self._closed = False
        self.started = 0  # jobs started (not replaced while waiting), for tests and benchmarks

    @property
    def busy(self) -> bool:
        return self._running

    def submit(self, job: Any) -> None:
        """Run ``job`` now if idle, else make it the one to run next."""
        if self._closed:
            return
        if self._running:
            self._waiting = job
            return
        self._start(job)

    def _start(self, job: Any) -> None:
        self._running = True
        self.started += 1
        self._pool.start(_Run(self._fn, job, self._relay))
        self.busy_changed.emit(True)

    def _finished(self, job: Any, ok: bool, payload: Any, tb: str) -> None:
        self._running = False
        if self._closed:
            return
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._start(waiting)
        else:
            self.busy_changed.emit(False)
        if ok:
            self.done.emit(payload)
        else:
            self.failed.emit(payload, tb)

    def wait(self, timeout_ms: int = 10000) -> bool:
        """Block until the running job is finished (its result is still delivered)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Forget the waiting job, stop delivering results and wait for the running one."""
        self._closed = True
        self._waiting = None
        self._pool.clear()
        return self._pool.waitForDone(timeout_ms)
