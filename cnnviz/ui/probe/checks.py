"""The test-time checks: ten-crop averaging and the augmentation invariance check.

:class:`AnswerChecks` owns both views and the pipeline; the panel hands it each new
:class:`~cnnviz.ui.probe.jobs.ImageProbe` and says when a view is on screen.  A check runs
(on the model thread) only when its view is shown and its last result is for another probe,
and a result that arrives for a probe no longer shown is dropped.  Problems come out of
``failed(exc, tb)``; loading a bad pipeline file emits ``problem(sentence)``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from cnnviz.core.errors import CnnvizError
from cnnviz.ui.probe import jobs
from cnnviz.ui.probe.invariance_view import InvarianceView
from cnnviz.ui.probe.tencrop_view import TenCropView
from cnnviz.ui.widgets.file_dialogs import ask_open_file

NO_IMAGE = "Drop a photo to compare the centre crop with ten-crop averaging."


class AnswerChecks(QObject):
    failed = Signal(object, str)
    problem = Signal(str)

    def __init__(self, worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.probe = None
        self.picture: str | None = None
        self.pipeline = jobs.DEFAULT_PIPELINE
        self.pipeline_source = "default"
        self.tencrop_view = TenCropView()
        self.invariance_view = InvarianceView()
        self.invariance_view.set_pipeline(self.pipeline, self.pipeline_source)
        self.invariance_view.run_requested.connect(self.run_invariance)
        self.invariance_view.load_requested.connect(self._open_pipeline_dialog)
        self._tencrop_for = self._invariance_for = None
        self._shown: QWidget | None = None

    def set_probe(self, probe, picture: str | None = None) -> None:
        """Check ``probe`` (None: nothing to check).  ``picture`` is the file name of its
        picture: the invariance check mixes it into each sample's draw, as the augmentation
        studio does, so the same picture, seed and pipeline give the studio's samples."""
        self.probe = probe
        self.picture = picture
        self._tencrop_for = self._invariance_for = None
        if probe is None:
            self.tencrop_view.clear(NO_IMAGE)
            self.invariance_view.clear()
        self.refresh()

    def shown(self, view: QWidget | None) -> None:
        """The panel now shows ``view`` (one of the two views, or something else)."""
        self._shown = view
        self.refresh()

    def refresh(self) -> None:
        """Run the check on screen if its result is not for the current probe."""
        if self._shown is self.tencrop_view and self._tencrop_for is not self.probe:
            self.run_ten_crop()
        elif self._shown is self.invariance_view and self._invariance_for is not self.probe:
            view = self.invariance_view
            self.run_invariance(view.count.value(), view.seed.value())

    def set_pipeline(self, pipeline, source: str) -> None:
        try:
            self.pipeline = pipeline.validated()
        except CnnvizError as exc:
            self.problem.emit(str(exc))
            return
        self.pipeline_source = source
        self.invariance_view.set_pipeline(self.pipeline, source)
        self._invariance_for = None
        self.refresh()

    def load_pipeline_file(self, path: str | Path) -> None:
        from cnnviz.core.augment import Pipeline

        try:
            pipeline = Pipeline.load(path)
        except CnnvizError as exc:
            self.problem.emit(str(exc))
            return
        self.set_pipeline(pipeline, Path(path).name)

    def run_ten_crop(self) -> None:
        probe = self.probe
        if probe is None:
            return
        self._tencrop_for = probe

        def done(result) -> None:
            if probe is self.probe:
                self.tencrop_view.set_result(*result, trained=probe.network.trained)

        self.worker.run_model(jobs.ten_crop, probe.network, probe.image, key="tencrop",
                              on_done=done, on_error=self.failed.emit)

    def run_invariance(self, count: int, seed: int) -> None:
        probe = self.probe
        if probe is None:
            return
        self._invariance_for = probe
        self.invariance_view.clear(f"Applying the pipeline {count} times…")

        def done(result) -> None:
            if probe is self.probe:
                self.invariance_view.set_result(*result, trained=probe.network.trained)

        self.worker.run_model(jobs.invariance, probe.network, probe.image, self.pipeline, count,
                              seed, self.picture, key="invariance", on_done=done,
                              on_error=self.failed.emit)

    def _open_pipeline_dialog(self) -> None:
        path = ask_open_file(self.invariance_view, "Load Pipeline", "pipelines",
                             "Pipelines (*.json)")
        if path is not None:
            self.load_pipeline_file(path)
