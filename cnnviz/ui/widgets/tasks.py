"""Run slow work (importing torch, inspecting a model) off the GUI thread.

A :class:`TaskRunner` owns a private thread pool, so closing a window can wait for exactly its
own work.  The function runs on a pool thread and must not touch widgets; its result (or the
exception it raised) comes back through a :class:`~cnnviz.ui.widgets.mailbox.Mailbox` (the
pool thread makes no Qt call) and the callback runs on the GUI thread.  Submitting again under the same ``key`` makes the earlier task's result stale: it is
dropped, so a fast-clicking user only ever sees the last thing asked for.
"""

from __future__ import annotations

import itertools
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from cnnviz.ui.widgets.mailbox import Mailbox


class _Task(QRunnable):
    def __init__(self, task_id: int, fn: Callable[..., Any], args: tuple, mail: Mailbox) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id, self._fn, self._args, self._mail = task_id, fn, args, mail

    def run(self) -> None:
        try:
            result = self._fn(*self._args)
        except BaseException as exc:  # delivered to the GUI thread; never swallowed here
            self._mail.post((self._id, False, exc, traceback.format_exc()))
        else:
            self._mail.post((self._id, True, result, ""))


class TaskRunner(QObject):
    """Runs functions on a private pool; callbacks run on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 1) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._mail = Mailbox(self._delivered, self)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callable, Callable | None, str | None]] = {}
        self._latest: dict[str, int] = {}
        self._closed = False

    @property
    def closed(self) -> bool:
        """True after :meth:`shutdown`: the runner accepts no more work."""
        return self._closed

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException, str], None] | None = None,
        key: str | None = None,
    ) -> int:
        """Run ``fn(*args)`` on the pool; call ``on_done(result)`` or ``on_error(exc, tb)``."""
        if self._closed:
            raise RuntimeError("TaskRunner used after shutdown()")
        task_id = next(self._ids)
        was_busy = self.busy
        self._pending[task_id] = (on_done, on_error, key)
        if key is not None:
            self._latest[key] = task_id
        self._mail.open()
        self._pool.start(_Task(task_id, fn, args, self._mail))
        if not was_busy:
            self.busy_changed.emit(True)
        return task_id

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` on the GUI thread; safe from a task's thread.  Calls and the
        results of this runner's tasks arrive in the order they were made (a task's progress
        reports come before its result)."""
        self._mail.post((0, fn, args))

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Drop every pending callback and wait for running work; True when all finished."""
        self._closed = True
        self._pending.clear()
        self._mail.close()
        self._pool.clear()
        done = self._pool.waitForDone(timeout_ms)
        self._mail.discard()
        return done

    def _delivered(self, item: tuple) -> None:
        if item[0] == 0:  # a call_soon (task ids start at 1)
            if not self._closed:
                item[1](*item[2])
        else:
            self._on_finished(*item)

    def _on_finished(self, task_id: int, ok: bool, payload: Any, tb: str) -> None:
        entry = self._pending.pop(task_id, None)
        if not self._pending:
            self._mail.close()
            self.busy_changed.emit(False)
        if entry is None:
            return
        on_done, on_error, key = entry
        if key is not None and self._latest.get(key) != task_id:
            return  # superseded by a newer request under the same key
        if ok:
            on_done(payload)
        elif on_error is not None:
            on_error(payload, tb)
        else:
            raise payload
