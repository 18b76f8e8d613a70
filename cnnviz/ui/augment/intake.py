"""How pictures reach the Augment workspace: Open…, Paste, drops of files, folders or image
data, each loaded on a worker and added to the strip.

:class:`PictureIntake` is a part of :class:`~cnnviz.ui.augment.workspace.AugmentWorkspace`
(a mixin listed before ``QWidget``); it relies on the workspace's ``loader`` (a TaskRunner),
``notice`` (a Banner), ``strip`` (the ThumbnailStrip), ``images``, ``current``,
``status_message``, ``images_loaded``, ``_select_key``, ``_pastes`` (an
:func:`itertools.count` numbering pasted pictures) and ``load_pipeline`` (from
:class:`~cnnviz.ui.augment.pipeline_files.PipelineFiles`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication

from cnnviz.core.augment.image_io import IMAGE_SUFFIXES
from cnnviz.core.errors import CnnvizError, brief
from cnnviz.ui.augment import accepts
from cnnviz.ui.augment.images import LoadBatch, LoadedImage, from_qimage, load_batch
from cnnviz.ui.widgets.file_dialogs import ask_open_files


def plural(n: int, word: str) -> str:
    """"1 picture", "3 pictures"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


class PictureIntake:
    """Opening, pasting and dropping pictures into the workspace."""

    @classmethod
    def can_open(cls, path: Path) -> bool:
        """A picture by its suffix, a saved pipeline, or a folder holding pictures (but not a
        training run); see :func:`cnnviz.ui.augment.accepts.can_open`."""
        return accepts.can_open(path)

    def open_paths(self, paths: list[Path]) -> None:
        """Load pictures from files and folders on a worker; report what was skipped once.

        A saved pipeline among them replaces the pipeline being edited (the last one wins
        when several come at once); a broken one is explained in the notice."""
        paths = [Path(p) for p in paths]
        pipelines = [p for p in paths if accepts.is_pipeline_file(p)]
        held = ""  # a broken pipeline's sentence, kept up while the pictures load
        if pipelines:
            paths = [p for p in paths if p not in pipelines]
            if not self.load_pipeline(pipelines[-1]):
                held = self.notice.message
        if paths:
            self.status_message.emit(f"Loading {paths[0].name}…" if len(paths) == 1
                                     else f"Loading {len(paths)} items…")
            self.loader.submit(load_batch, paths,
                               on_done=lambda batch: self._batch_loaded(batch, held),
                               on_error=self._load_failed)

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
        files = ask_open_files(self, "Open Pictures", "images",
                               f"Pictures ({patterns});;All files (*)")
        if files:
            self.open_paths(files)

    def paste(self) -> None:
        """Add the clipboard's picture (or the picture files copied in a file manager)."""
        self.add_from_mime(QGuiApplication.clipboard().mimeData(), "the clipboard")

    def add_from_mime(self, mime: QMimeData | None, where: str) -> bool:
        """Add the files or the image data in ``mime``; ``where`` ("the clipboard") names
        its source in the message shown when it holds no picture."""
        if mime is not None and mime.hasUrls():
            files = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
            if files:
                self.open_paths(files)
                return True
        if mime is not None and mime.hasImage():
            image = mime.imageData()
            if image is not None and not image.isNull():
                name = f"Pasted image {next(self._pastes)}"
                self._add_images([from_qimage(image, name)])
                self.status_message.emit(f"Added {name} from {where}.")
                return True
        self.notice.show_message(f"There is no picture on {where}: copy an image or picture "
                                 "files first.")
        return False

    def _batch_loaded(self, batch: LoadBatch, held: str = "") -> None:
        problems = " ".join(text for text in (held, batch.problems()) if text)
        if problems:
            self.notice.show_message(problems)
        elif batch.images:
            self.notice.dismiss()
        else:
            self.notice.show_message("There were no pictures to load there.")
        if batch.images:
            self._add_images(batch.images)
            self.status_message.emit(f"Loaded {plural(len(batch.images), 'picture')}.")
        else:  # the "Loading …" message must not stay up
            self.status_message.emit("No picture was loaded.")
        self.images_loaded.emit(len(batch.images))

    def _load_failed(self, exc: BaseException, _tb: str) -> None:
        text = str(exc) if isinstance(exc, CnnvizError) else f"Loading failed: {brief(exc)}."
        self.notice.show_message(text)
        self.status_message.emit("No picture was loaded.")
        self.images_loaded.emit(0)

    def _add_images(self, images: list[LoadedImage]) -> None:
        for image in images:
            self.images.append(image)
            self.strip.add_image(image)
        self.strip.select(images[0].key)

    def remove_image(self, key: object) -> None:
        """Take the picture ``key`` out of the strip; the next one is shown if it was."""
        self.images = [i for i in self.images if i.key != key]
        self.strip.remove(key)
        if self.current is not None and self.current.key == key:
            self.current = None
            self._select_key(self.strip.keys()[0] if self.images else None)

    # ---------------------------------------------------------- drag and drop
    def _takes(self, mime: QMimeData | None) -> bool:
        """Whether a drop is ours: picture data, or files and folders that all hold pictures.
        Anything else (a model file, a training run) is left to the main window, which
        routes each file to its workspace."""
        if mime is None:
            return False
        files = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if files:
            return all(self.can_open(f) for f in files)
        return mime.hasImage()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._takes(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if not self._takes(mime):
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_from_mime(mime, "what was dropped")
