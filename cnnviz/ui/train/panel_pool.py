"""Plot panels built ahead of the first run, one piece per turn of the event loop.

A model's panel holds two pyqtgraph plots, and building one plot takes tens of milliseconds
on the GUI thread; the first layout and paint of a plot cost as much again.  Done all at once
when the first run's first record arrives, a pair of panels froze the window for half a
second or more.  A :class:`PanelPool` does that work while the window is idle instead: each
turn of a zero-interval timer does one piece (build one plot, lay out, paint one plot
offscreen), and the events that came in meanwhile (a click, a repaint) are handled between two
pieces.  A run that needs a panel before it is ready gets it finished on the spot.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, QTimer

Steps = Generator[None, None, object]


class PanelPool(QObject):
    """Panels built in order by ``build``; :meth:`want` builds ahead, :meth:`take` now.

    ``build(index)`` builds the panel at ``index``: a generator that yields after each piece
    and returns the finished panel.  Once every panel wanted is built, ``settle(count)`` (a
    generator too, optional) runs the same way: the place to lay the panels out and paint
    them once offscreen, so their first real paint finds everything ready.  :meth:`take`
    drops a settling under way: the panels are about to be shown for real.

    :attr:`panels` holds every finished panel, in the order built; the pool never drops one,
    so a run with fewer models leaves the rest for the next run with more.
    """

    def __init__(self, build: Callable[[int], Steps],
                 settle: Callable[[int], Generator[None, None, None]] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panels: list = []
        self._build = build
        self._settle = settle
        self._building: Steps | None = None
        self._settling: Generator[None, None, None] | None = None
        self._settled = 0
        self._wanted = 0
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)

    @property
    def busy(self) -> bool:
        """Whether work ahead is under way (or about to be)."""
        return self.timer.isActive()

    def want(self, count: int) -> None:
        """Have ``count`` panels ready soon: build (and settle) them in idle time."""
        if self._stopped:
            return
        self._wanted = max(self._wanted, count)
        if len(self.panels) < self._wanted or (self._settle and self._settled < self._wanted):
            self.timer.start()

    def take(self, count: int) -> list:
        """The first ``count`` panels, building at once whatever of them is missing."""
        self._drop_settling()
        # Shown for real from now on: settling them offscreen would only redo that work.
        self._settled = max(self._settled, self._wanted)
        while len(self.panels) < count:
            self._advance()
        return self.panels[:count]

    def stop(self) -> None:
        """Do nothing more ahead, from now on (the view is going away); :meth:`take` still
        builds what it is asked for."""
        self._stopped = True
        self.timer.stop()
        self._drop_settling()
        if self._building is not None:  # what it built so far stays with its Qt parent
            self._building.close()
            self._building = None

    def _tick(self) -> None:
        if len(self.panels) < self._wanted:
            self._advance()
        elif self._settle is not None and self._settled < self._wanted:
            if self._settling is None:
                self._settling = self._settle(self._wanted)
            try:
                next(self._settling)
            except StopIteration:
                self._settling = None
                self._settled = self._wanted
        else:
            self.timer.stop()

    def _advance(self) -> None:
        """Build the next piece."""
        if self._building is None:
            self._building = self._build(len(self.panels))
        try:
            next(self._building)
        except StopIteration as done:
            self._building = None
            self.panels.append(done.value)
        except BaseException:
            self._building = None  # a failed panel is started afresh, never half kept
            raise

    def _drop_settling(self) -> None:
        if self._settling is not None:
            self._settling.close()
            self._settling = None
