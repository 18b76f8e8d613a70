"""Hand Python objects from worker threads to the GUI thread without Qt signals.

A queued signal that carries a Python object (``Signal(object)``) copies that object while Qt
holds one of its signal-slot mutexes, and the copy needs Python's GIL.  Qt's mutexes are a
small shared pool picked by object address, so when the GUI thread, holding the GIL,
disconnects any signal whose mutex happens to be the same one (a test's ``waitSignal``,
pyqtgraph relinking axes, a view dropping its worker), each thread waits for what the other
holds and the window freezes for good.

A :class:`Mailbox` avoids that by keeping worker threads away from Qt altogether: a worker
only puts items into a thread-safe queue (:meth:`Mailbox.post`), and a timer on the GUI thread
takes them out in order and calls ``deliver`` for each.  The timer runs only between
:meth:`Mailbox.open` and :meth:`Mailbox.close`, so an idle window does not poll.
"""

from __future__ import annotations

import queue
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer


class Mailbox(QObject):
    """Items posted from any thread, delivered in order on the GUI thread.

    ``deliver(item)`` runs on the GUI thread.  One timer tick delivers for at most
    ``budget_ms`` and leaves the rest for the next tick, so a burst of items never blocks
    painting.  Items posted after :meth:`close` wait until the next :meth:`open`;
    :meth:`discard` drops whatever is waiting.
    """

    def __init__(self, deliver: Callable[[Any], None], parent: QObject | None = None, *,
                 interval_ms: int = 10, budget_ms: float = 25.0) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._items: queue.SimpleQueue = queue.SimpleQueue()
        self._budget_s = budget_ms / 1000.0
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.drain)

    def post(self, item: Any) -> None:
        """Queue ``item`` for delivery; safe on any thread (no Qt call is made)."""
        self._items.put(item)

    def open(self) -> None:
        """Start delivering (GUI thread)."""
        if not self._timer.isActive():
            self._timer.start()

    def close(self) -> None:
        """Stop delivering (GUI thread); waiting items stay queued."""
        self._timer.stop()

    @property
    def is_open(self) -> bool:
        return self._timer.isActive()

    def discard(self) -> None:
        """Drop every waiting item."""
        while True:
            try:
                self._items.get_nowait()
            except queue.Empty:
                return

    def drain(self, budget_s: float | None = None) -> int:
        """Deliver waiting items now, for at most ``budget_s`` (the mailbox's budget by
        default); returns how many were delivered."""
        deadline = time.perf_counter() + (self._budget_s if budget_s is None else budget_s)
        count = 0
        while True:
            try:
                item = self._items.get_nowait()
            except queue.Empty:
                return count
            self._deliver(item)
            count += 1
            if time.perf_counter() >= deadline:
                return count
