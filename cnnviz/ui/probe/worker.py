"""The Look-inside panel's threads: one for the model, one for files, one for downloads.

Model work (building, running the image, tracing for receptive fields, ten-crop,
invariance) goes through a single thread, so two jobs never run a network at once (torch.fx
tracing patches ``nn.Module.__call__`` process-wide while it runs).  Reading pictures uses a
second thread and downloads a third, so a slow download never holds up the network.  All
callbacks, and a download's progress, run on the GUI thread (see
:class:`~cnnviz.ui.widgets.tasks.TaskRunner`); a newer request under the same key makes an
older one's result stale, and it is dropped.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from cnnviz.ui.widgets.tasks import TaskRunner


class DownloadCancelled(Exception):
    """Raised inside a download's progress callback to stop it (the panel is closing)."""


class ProbeWorker(QObject):
    """Runs the panel's jobs off the GUI thread.

    ``download_progress(done, total)`` arrives on the GUI thread, only when the percentage
    moved; ``busy_changed(bool)`` tells whether any job is running.
    """

    download_progress = Signal(int, int)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = TaskRunner(self)
        self.files = TaskRunner(self)
        self.downloads = TaskRunner(self)
        self._cancel = threading.Event()
        for runner in (self.model, self.files, self.downloads):
            runner.busy_changed.connect(lambda _b: self.busy_changed.emit(self.busy))

    @property
    def busy(self) -> bool:
        return self.model.busy or self.files.busy or self.downloads.busy

    def run_model(self, fn: Callable, *args: Any, on_done: Callable, on_error: Callable,
                  key: str) -> None:
        self.model.submit(fn, *args, on_done=on_done, on_error=on_error, key=key)

    def run_file(self, fn: Callable, *args: Any, on_done: Callable, on_error: Callable,
                 key: str) -> None:
        self.files.submit(fn, *args, on_done=on_done, on_error=on_error, key=key)

    def download(self, url: str, directory: Path | None, on_done: Callable[[Path], None],
                 on_error: Callable) -> None:
        """Fetch ``url`` into ``directory`` (torch's hub cache by default) on the download
        thread; ``on_done(local_path)`` follows on the GUI thread."""
        self.downloads.submit(self._fetch, url, directory, on_done=on_done, on_error=on_error,
                              key="download")

    def _fetch(self, url: str, directory: Path | None) -> Path:
        from cnnviz.core.probe import fetch_weights

        last = [-1]

        def progress(done: int, total: int) -> None:
            if self._cancel.is_set():
                raise DownloadCancelled()
            # A step is a whole percent, or a mebibyte when the size is unknown.
            step = done * 100 // total if total else done >> 20
            if step != last[0]:
                last[0] = step
                self.downloads.call_soon(self.download_progress.emit, done, total)

        return fetch_weights(url, directory, progress=progress)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Stop a download at its next chunk and wait for every running job."""
        self._cancel.set()
        for runner in (self.downloads, self.files, self.model):
            runner.shutdown(timeout_ms)
