"""Run preview renders off the GUI thread, keeping only the newest request.

A slider sends many values a second; rendering each in turn would make the preview lag ever
further behind the hand.  :class:`LatestOnlyWorker` runs at most one job at a time and holds
at most one waiting job: a new request replaces the waiting one, so after each render the
worker starts on the freshest state.  Results arrive on the GUI thread through a
:class:`~cnnviz.ui.widgets.mailbox.Mailbox` (the worker thread makes no Qt call).  Every finished result is delivered, even while a newer job runs, so a preview keeps
moving during a long drag; the caller drops results that no longer fit what is on screen.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from cnnviz.ui.widgets.mailbox import Mailbox


class _Run(QRunnable):
    """Runs jobs until none is waiting: the next job starts on the worker thread as soon as
    one ends, without a round trip through the GUI thread's event loop (which may be busy
    painting the result just sent)."""

    def __init__(self, worker: LatestOnlyWorker, job: Any) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._worker, self._job = worker, job

    def run(self) -> None:
        worker, job = self._worker, self._job
        while job is not None:
            try:
                ok, payload, tb = True, worker._fn(job), ""
            except Exception as exc:  # handed to the GUI thread, which shows a sentence
                ok, payload, tb = False, exc, traceback.format_exc()
            done, job = job, worker._next()
            # job, ok, result or exception, traceback, whether the worker is idle after it
            worker._mail.post((done, ok, payload, tb, job is None))


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
        self._mail = Mailbox(lambda item: self._finished(*item), self)
        self._lock = threading.Lock()  # guards the three fields below, shared with the thread
        self._running = False
        self._waiting: Any = None
        self._closed = False
        self.started = 0  # jobs started (not replaced while waiting), for tests and benchmarks

    @property
    def busy(self) -> bool:
        """True while a job runs or waits (results may still be on their way)."""
        return self._running

    def submit(self, job: Any) -> None:
        """Run ``job`` now if idle, else make it the one to run next."""
        with self._lock:
            if self._closed:
                return
            if self._running:
                self._waiting = job
                return
            self._running = True
            self.started += 1
        self._mail.open()
        self._pool.start(_Run(self, job))
        self.busy_changed.emit(True)

    def _next(self) -> Any:
        """On the worker thread: the job to run next, or None (then the worker is idle)."""
        with self._lock:
            job, self._waiting = self._waiting, None
            if job is None or self._closed:
                self._running = False
                return None
            self.started += 1
            return job

    def _finished(self, job: Any, ok: bool, payload: Any, tb: str, idle: bool) -> None:
        if self._closed:
            return
        if idle:
            with self._lock:
                running = self._running  # a job submitted since is on its way
            if not running:
                self._mail.close()
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
        with self._lock:
            self._closed = True
            self._waiting = None
        self._mail.close()
        self._pool.clear()
        done = self._pool.waitForDone(timeout_ms)
        self._mail.discard()
        return done
