"""When the preview is rendered, at what size, and which results are current.

Every change (a slider notch, a new seed, another picture) calls :meth:`request`; calls
within one pass of the event loop make one render.  Renders run on a
:class:`~cnnviz.ui.augment.worker.LatestOnlyWorker`, so a burst of changes costs at most
the render in progress plus the newest.  Edits ask for a *draft*, rendered at half the tile
resolution (a quarter of the work); once edits pause for :data:`SETTLE_MS` the same samples
are rendered at full tile resolution.  So while a slider moves the grid keeps up with the
hand, and it is sharp when the hand stops.
"""

from __future__ import annotations

import itertools
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from cnnviz.ui.augment.render import PreviewFrame, PreviewJob
from cnnviz.ui.augment.tile_picture import render_for_tiles
from cnnviz.ui.augment.worker import LatestOnlyWorker

SETTLE_MS = 150  # pause in editing after which a draft is redone at full resolution
DRAFT_MIN_SIDE = 96

# (generation, tile side) -> the job to render, or None when there is nothing to show.
JobFactory = Callable[[int, int], PreviewJob | None]


class PreviewScheduler(QObject):
    """Turns requests into renders; :attr:`frame_ready` and :attr:`failed` arrive on the
    GUI thread.  ``tile_side()`` gives the full-resolution side wanted right now."""

    frame_ready = Signal(object)  # PreviewFrame
    failed = Signal(object, str)

    def __init__(self, make_job: JobFactory, tile_side: Callable[[], int],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._make_job = make_job
        self._full_side = tile_side
        self._generations = itertools.count(1)
        self.requested = 0  # generation of the newest job sent to the worker
        self.side = 0  # tile side of that job
        self.draft = False  # whether the newest request was a draft
        self.worker = LatestOnlyWorker(render_for_tiles, self)
        self.worker.done.connect(self.frame_ready)
        self.worker.failed.connect(self.failed)
        self._coalesce = QTimer(self, singleShot=True, interval=0)
        self._coalesce.timeout.connect(self._submit)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self.request)

    def request(self, draft: bool = False) -> None:
        """Render soon; a ``draft`` is followed by a full render once requests pause."""
        if draft:
            self._settle.start()
        else:
            self._settle.stop()
        self.draft = draft
        self._coalesce.start()

    def settled(self, shown: PreviewFrame | None) -> bool:
        """True when ``shown`` is the newest full-resolution render and nothing is pending."""
        return (shown is not None and shown.generation == self.requested and not self.draft
                and not self.worker.busy and not self._coalesce.isActive()
                and not self._settle.isActive())

    def resized(self) -> None:
        """Render again if the tiles changed size enough to matter (not during a draft)."""
        side = self._full_side()
        if not self.draft and self.side and abs(side - self.side) > 0.15 * self.side:
            self.request()

    def _submit(self) -> None:
        full = self._full_side()
        side = max(DRAFT_MIN_SIDE, full // 2) if self.draft else full
        generation = next(self._generations)
        job = self._make_job(generation, side)
        if job is None:
            return
        self.requested, self.side = generation, side
        self.worker.submit(job)

    def shutdown(self) -> None:
        """Stop the timers and wait for a render in progress (its result is dropped)."""
        self._coalesce.stop()
        self._settle.stop()
        self.worker.shutdown()
