"""Stop and pause requests from another thread, checked by the engine at every step."""

from __future__ import annotations

import threading


class RunControl:
    """A thread-safe remote for one run.

    The engine calls :meth:`checkpoint` between steps: it returns at once while the run is
    neither paused nor stopped, blocks while it is paused, and returns ``True`` when a stop was
    requested (the engine then ends the run cleanly and writes its last records).  A GUI
    worker keeps one of these and calls :meth:`pause`, :meth:`resume` and :meth:`stop` from
    the GUI thread.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def stop(self) -> None:
        """Ask the run to end at the next step (also wakes a paused run)."""
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set() and not self._stop.is_set()

    def checkpoint(self) -> bool:
        """Wait while paused; True when the run should stop now."""
        self._running.wait()
        return self._stop.is_set()
