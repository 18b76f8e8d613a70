"""The Augment workspace's pipeline outside the window: remembered between sessions, saved
and loaded as JSON, shown as torchvision code, and exported as samples.

:class:`PipelineFiles` is a part of :class:`~cnnviz.ui.augment.workspace.AugmentWorkspace`
(a mixin listed before ``QWidget``); it relies on the workspace's ``editor`` (the
PipelineEditor), ``grid`` (the PreviewGrid), ``notice``, ``images``, ``current``,
``status_message`` and ``_dialogs``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from cnnviz.core.augment import Pipeline, Step
from cnnviz.core.errors import CnnvizError
from cnnviz.ui import settings
from cnnviz.ui.augment.export_dialog import CodeDialog, ExportSamplesDialog
from cnnviz.ui.augment.pipeline_editor import copy_pipeline
from cnnviz.ui.augment.preview_grid import MAX_SEED
from cnnviz.ui.widgets.file_dialogs import ask_open_file, ask_save_file

# What a new user starts with: the augmentations of AlexNet and Inception, one of each kind.
DEFAULT_PIPELINE = Pipeline([
    Step("hflip", {}, probability=0.5),
    Step("random_resized_crop", {"scale": (0.35, 1.0)}),
    Step("rotate", {"angle": (-15.0, 15.0)}),
    Step("pca_colour", {"alpha_std": 0.1}),
])

PIPELINE_KEY = "augment/pipeline"
SEED_KEY = "augment/fixed_seed"  # the seed when "Fixed seed" is on, else empty


class PipelineFiles:
    """Remembering, saving, loading and exporting the pipeline being edited."""

    def _restore_pipeline(self) -> None:
        seed = settings.read_str(SEED_KEY, "")
        if seed.isdigit():
            self.grid.set_seed(min(int(seed), MAX_SEED))
            self.grid.fixed_seed.setChecked(True)
        text = settings.read_str(PIPELINE_KEY, "")
        pipeline = DEFAULT_PIPELINE
        if text:
            try:
                pipeline = Pipeline.from_json(text)
            except CnnvizError:
                pipeline = DEFAULT_PIPELINE
        self.editor.set_pipeline(copy_pipeline(pipeline))

    def _remember_pipeline(self) -> None:
        settings.write(SEED_KEY, str(self.grid.seed) if self.grid.fixed_seed.isChecked() else "")
        try:
            settings.write(PIPELINE_KEY, self.editor.pipeline.to_json())
        except CnnvizError:
            pass  # an invalid half-edited pipeline is not worth remembering

    def save_pipeline(self, path: Path) -> None:
        """Write the pipeline as JSON; a failure is reported in the notice."""
        try:
            self.editor.pipeline.validated().save(path)
        except (CnnvizError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.notice.show_message(f"Cannot save the pipeline to {Path(path).name}: {reason}")
            return
        self.status_message.emit(f"Saved the pipeline to {Path(path).name}.")

    def load_pipeline(self, path: Path) -> bool:
        """Replace the pipeline with the one in ``path``; a bad file is reported, not raised."""
        try:
            pipeline = Pipeline.load(path)
        except CnnvizError as exc:
            self.notice.show_message(str(exc))
            return False
        self.editor.set_pipeline(pipeline)
        self.status_message.emit(f"Loaded the pipeline {Path(path).name}.")
        return True

    def save_pipeline_dialog(self) -> None:
        path = ask_save_file(self, "Save Pipeline", "pipelines", "pipeline.json",
                             "Pipelines (*.json)", ".json")
        if path is not None:
            self.save_pipeline(path)

    def load_pipeline_dialog(self) -> None:
        path = ask_open_file(self, "Load Pipeline", "pipelines", "Pipelines (*.json)")
        if path is not None:
            self.load_pipeline(path)

    # ---------------------------------------------------------------- export
    def torchvision_code(self) -> str:
        """The pipeline as torchvision.transforms.v2 code, sized for the current picture."""
        size = None
        if self.current is not None:
            size = (self.current.full_size[1], self.current.full_size[0])
        return self.editor.pipeline.to_torchvision_code(size)

    def show_code(self) -> CodeDialog | None:
        try:
            code = self.torchvision_code()
        except CnnvizError as exc:
            self.notice.show_message(str(exc))
            return None
        return self._open(CodeDialog(code, self))

    def export_samples_dialog(self) -> ExportSamplesDialog | None:
        if self.current is None:
            self.notice.show_message("Load a picture first: there is nothing to export yet.")
            return None
        dialog = ExportSamplesDialog(self.current, list(self.images),
                                     copy_pipeline(self.editor.pipeline), self.grid.count,
                                     self.grid.seed, self)
        dialog.finished_export.connect(lambda result: self.status_message.emit(result.message()))
        return self._open(dialog)

    def _open(self, dialog: QWidget) -> QWidget:
        """Open ``dialog`` window-modally and keep it until it closes (shutdown closes it)."""
        self._dialogs = [d for d in self._dialogs if d.isVisible()]
        self._dialogs.append(dialog)
        dialog.open()
        return dialog
