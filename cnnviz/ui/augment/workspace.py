"""The Augment workspace: drop pictures in, build a pipeline, watch the samples change live.

Layout: a toolbar and the strip of loaded pictures along the top; below, the pipeline editor
(left), the preview of the original and N samples (centre) and the details of the sample
clicked (right).  Pictures load on a worker; the preview renders on another
(:class:`~cnnviz.ui.augment.worker.LatestOnlyWorker`), on a copy shrunk to tile size, so a
slider drag on a 12-megapixel photo stays fluid; the full picture is read again only on export.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.augment import IMAGE_SUFFIXES, Pipeline, Step
from cnnviz.core.errors import CnnvizError, brief
from cnnviz.ui import settings
from cnnviz.ui.augment.export_dialog import CodeDialog, ExportSamplesDialog
from cnnviz.ui.augment.images import LoadBatch, LoadedImage, from_qimage, load_batch
from cnnviz.ui.augment.pipeline_editor import PipelineEditor, copy_pipeline
from cnnviz.ui.augment.preview_grid import MAX_SEED, PreviewGrid
from cnnviz.ui.augment.panels import DropZone
from cnnviz.ui.augment.render import PreviewFrame, PreviewJob
from cnnviz.ui.augment.sample_details import SampleDetails
from cnnviz.ui.augment.scheduler import PreviewScheduler
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.widgets.tasks import TaskRunner

# What a new user starts with: the augmentations of AlexNet and Inception, one of each kind.
DEFAULT_PIPELINE = Pipeline([
    Step("hflip", {}, probability=0.5),
    Step("random_resized_crop", {"scale": (0.35, 1.0)}),
    Step("rotate", {"angle": (-15.0, 15.0)}),
    Step("pca_colour", {"alpha_std": 0.1}),
])

_SETTINGS_KEY = "augment/pipeline"
_SEED_KEY = "augment/fixed_seed"  # the seed when "Fixed seed" is on, else empty
EXPORT_TIP = "Save augmented samples of the pictures to a folder"
_FOLDER_PEEK = 200  # entries looked at to decide whether a folder holds pictures


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class AugmentWorkspace(QWidget):
    """See the workspace contract in the main window: TITLE, can_open, open_paths,
    menu_actions, shutdown.  ``images`` lists the loaded pictures in strip order."""

    TITLE = "Augment"
    status_message = Signal(str)
    images_loaded = Signal(int)  # how many pictures a drop or Open added
    # (picture as RGB uint8, its name, a snapshot of the pipeline): run it through a network
    look_inside_requested = Signal(object, str, object)
    frame_shown = Signal(object)  # the PreviewFrame now on screen
    subject_changed = Signal(str)  # the picture now shown (for the window title)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.images: list[LoadedImage] = []
        self.current: LoadedImage | None = None
        self.frame: PreviewFrame | None = None  # the frame on screen
        # Merge consecutive geometric steps into one resampling in the preview (off only to
        # compare, in benchmarks and tests).
        self.fuse_geometry = True
        self._pastes = itertools.count(1)
        self._dialogs: list[QWidget] = []
        self.loader = TaskRunner(self, max_threads=1)

        self.editor = PipelineEditor()
        self.grid = PreviewGrid()
        self.details = SampleDetails()
        self.drop_zone = DropZone()
        self.notice = Banner()
        self.preview = PreviewScheduler(self._make_job, self.grid.tile_side, self)
        self.preview.frame_ready.connect(self._frame_ready)
        self.preview.failed.connect(self._render_failed)
        self._build()
        self._build_actions()
        self._restore_pipeline()
        self._count_steps()
        self.editor.pipeline_changed.connect(lambda: self.preview.request(draft=True))
        self.editor.pipeline_changed.connect(self._count_steps)
        self.grid.settings_changed.connect(self.preview.request)
        self.grid.sample_clicked.connect(self._sample_clicked)
        self.strip.current_changed.connect(self._select_key)
        self.strip.remove_requested.connect(self.remove_image)
        self.loader.busy_changed.connect(self.progress.setVisible)
        self._resize_timer = QTimer(self, singleShot=True, interval=120)
        self._resize_timer.timeout.connect(self.preview.resized)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        self._update_state()

    # ----------------------------------------------------------------- build
    def _build(self) -> None:
        from cnnviz.ui.augment.thumbnails import ThumbnailStrip

        toolbar = QFrame(objectName="Toolbar")
        bar = QHBoxLayout(toolbar)
        bar.setContentsMargins(14, 8, 14, 8)
        bar.setSpacing(8)
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Open pictures (or drop them, or a folder, anywhere here)")
        self.paste_button = QPushButton("Paste")
        self.paste_button.setToolTip("Add the picture on the clipboard (Ctrl+V)")
        self.title = QLabel("Augment")
        self.title.setProperty("role", "title")
        # Under the title, as the Architectures header has it, so that the buttons never
        # squeeze it: which picture, its size, how many are loaded.
        # The picture's name gives way (shortened in its middle, whole in the tooltip); its
        # size and the count of pictures beside it always show whole.
        self.info = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.info.setProperty("role", "muted")
        self.info_size = QLabel()
        self.info_size.setProperty("role", "muted")
        self.info_size.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.load_button = QPushButton("Load pipeline…")
        self.save_button = QPushButton("Save pipeline…")
        self.code_button = QPushButton("torchvision code…")
        self.code_button.setToolTip("The pipeline as torchvision.transforms.v2 code, to copy "
                                    "into a training script")
        self.look_button = QPushButton("Look inside")
        self.look_button.setToolTip("Run this picture, and this pipeline's samples, through the "
                                    "network chosen in Architectures")
        self.export_button = QPushButton("Export samples…")
        self.export_button.setProperty("primary", True)
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        info_row = QHBoxLayout()
        info_row.setSpacing(0)
        info_row.addWidget(self.info, 0)
        info_row.addWidget(self.info_size, 0)
        info_row.addStretch(1)
        heading.addLayout(info_row)
        bar.addLayout(heading, 1)
        bar.addSpacing(8)
        bar.addWidget(self.open_button)
        bar.addWidget(self.paste_button)
        bar.addSpacing(10)
        for button in (self.load_button, self.save_button, self.code_button, self.look_button,
                       self.export_button):
            bar.addWidget(button)

        self.strip = ThumbnailStrip()
        self.progress = QProgressBar(textVisible=False, maximumHeight=3)
        self.progress.setRange(0, 0)
        self.progress.hide()
        notice_row = QVBoxLayout()
        notice_row.setContentsMargins(14, 6, 14, 0)
        notice_row.addWidget(self.notice)

        self.centre = QStackedWidget()
        drop_page = QWidget()
        drop_col = QVBoxLayout(drop_page)
        drop_col.setContentsMargins(16, 16, 16, 16)
        drop_col.addWidget(self.drop_zone)
        self.centre.addWidget(drop_page)
        self.centre.addWidget(self.grid)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.editor)
        self.split.addWidget(self.centre)
        self.split.addWidget(self.details)
        self.split.setStretchFactor(1, 1)
        self.split.setCollapsible(1, False)
        self.editor.setMinimumWidth(380)
        self.details.setMinimumWidth(250)
        self.split.setSizes([390, 800, 320])

        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(toolbar)
        col.addWidget(self.progress)
        col.addWidget(self.strip)
        col.addLayout(notice_row)
        col.addWidget(self.split, 1)

        self.open_button.clicked.connect(self.open_dialog)
        self.drop_zone.open_button.clicked.connect(self.open_dialog)
        self.paste_button.clicked.connect(self.paste)
        self.drop_zone.paste_button.clicked.connect(self.paste)
        self.load_button.clicked.connect(self.load_pipeline_dialog)
        self.save_button.clicked.connect(self.save_pipeline_dialog)
        self.code_button.clicked.connect(self.show_code)
        self.export_button.clicked.connect(self.export_samples_dialog)
        self.look_button.clicked.connect(self.request_look_inside)

    def _build_actions(self) -> None:
        def action(text: str, slot, shortcut=None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.triggered.connect(slot)
            return act

        self.act_open = action("Open &Pictures for Augmenting…", self.open_dialog)
        self.act_paste = action("&Paste Picture", self.paste)
        self.act_load = action("&Load Pipeline…", self.load_pipeline_dialog)
        self.act_save = action("&Save Pipeline As…", self.save_pipeline_dialog)
        self.act_code = action("Pipeline as torchvision &Code…", self.show_code)
        self.act_export = action("&Export Samples…", self.export_samples_dialog, "Ctrl+E")
        self.addAction(self.act_export)
        self.paste_shortcut = QShortcut(QKeySequence.StandardKey.Paste, self, self.paste,
                                        context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def menu_actions(self) -> list[QAction]:
        """Entries for the window's File menu while this workspace is shown."""
        return [self.act_open, self.act_paste, self.act_load, self.act_save, self.act_code,
                self.act_export]

    def shortcut_rows(self) -> list[tuple[str, str]]:
        return [("Paste a picture", "Ctrl+V"), ("Re-roll the samples", "R"),
                ("Export samples", "Ctrl+E"), ("Remove the selected picture", "Delete")]

    def _retheme(self, pal) -> None:
        self.drop_zone.retheme(pal)
        self.open_button.setIcon(icons.icon("open", pal.text))
        self.export_button.setIcon(icons.icon(
            "export", pal.accent_text if self.export_button.isEnabled() else pal.muted))
        self.code_button.setIcon(icons.icon("file-code", pal.text))
        self.setStyleSheet(
            f"#ThumbnailStrip {{ background: {pal.sidebar}; border: none; "
            f"border-bottom: 1px solid {pal.border}; border-radius: 0; padding: 4px 10px; }}"
            f"#ThumbnailStrip::item {{ color: {pal.muted}; border-radius: 8px; padding: 4px; }}"
            f"#ThumbnailStrip::item:selected {{ background: {pal.accent_soft}; color: {pal.text}; }}"
            f"#StepNumber {{ background: {pal.accent_soft}; color: {pal.accent}; "
            f"border-radius: 11px; font-weight: 700; }}"
        )
        self.grid.update()
        if self.details.index is not None and self.frame and self.frame.samples:
            self._sample_clicked(self.details.index)

    # --------------------------------------------------------------- opening
    @classmethod
    def can_open(cls, path: Path) -> bool:
        """A picture by its suffix, or a folder holding pictures (but not a training run)."""
        path = Path(path)
        if path.is_file():
            return path.suffix.lower() in IMAGE_SUFFIXES
        if path.is_dir() and not (path / "run.json").exists():
            try:
                entries = itertools.islice(path.iterdir(), _FOLDER_PEEK)
                return any(p.suffix.lower() in IMAGE_SUFFIXES or p.is_dir() for p in entries)
            except OSError:
                return False
        return False

    def open_paths(self, paths: list[Path]) -> None:
        """Load pictures from files and folders on a worker; report what was skipped once."""
        paths = [Path(p) for p in paths]
        if paths:
            self.status_message.emit(f"Loading {paths[0].name}…" if len(paths) == 1
                                     else f"Loading {len(paths)} items…")
            self.loader.submit(load_batch, paths, on_done=self._batch_loaded,
                               on_error=self._load_failed)

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(
            self, "Open Pictures", settings.read_str("paths/images", str(Path.home())),
            f"Pictures ({patterns});;All files (*)",
        )
        if files:
            settings.write("paths/images", str(Path(files[0]).parent))
            self.open_paths([Path(f) for f in files])

    def paste(self) -> None:
        """Add the clipboard's picture (or the picture files copied in a file manager)."""
        self.add_from_mime(QGuiApplication.clipboard().mimeData(), "the clipboard")

    def add_from_mime(self, mime: QMimeData | None, where: str) -> bool:
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

    def _batch_loaded(self, batch: LoadBatch) -> None:
        problems = batch.problems()
        if problems:
            self.notice.show_message(problems)
        elif batch.images:
            self.notice.hide()
        else:
            self.notice.show_message("There were no pictures to load there.")
        if batch.images:
            self._add_images(batch.images)
            self.status_message.emit(f"Loaded {_plural(len(batch.images), 'picture')}.")
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
        self.images = [i for i in self.images if i.key != key]
        self.strip.remove(key)
        if self.current is not None and self.current.key == key:
            self.current = None
            self._select_key(self.strip.keys()[0] if self.images else None)

    def _select_key(self, key: object) -> None:
        self.current = next((i for i in self.images if i.key == key), None)
        if self.current is not None:
            self.strip.select(key)
        self.grid.set_original(self.current.preview if self.current else None)
        self.grid.clear_samples()
        self.details.clear()
        self.frame = None
        self._update_state()
        self.schedule_preview()

    @property
    def subject(self) -> str:
        """The picture being augmented ("" when none): the window's title names it."""
        return self.current.name if self.current is not None else ""

    def _update_state(self) -> None:
        self.subject_changed.emit(self.subject)
        have = self.current is not None
        self.centre.setCurrentIndex(1 if have else 0)
        self.strip.setVisible(bool(self.images))
        for widget in (self.export_button, self.act_export):
            widget.setEnabled(have)
        # A disabled button says what it waits for.
        self.export_button.setToolTip(EXPORT_TIP if have else "Open a picture first")
        pal = theme_manager().palette
        self.export_button.setIcon(icons.icon("export", pal.accent_text if have else pal.muted))
        if have:
            w, h = self.current.full_size
            self.info.setText(self.current.name)
            self.info_size.setText(f"  ·  {w} × {h}  ·  {_plural(len(self.images), 'picture')}")
        else:
            self.info.setText("No picture yet")
            self.info_size.setText("")

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

    # --------------------------------------------------------------- preview
    @property
    def pipeline(self) -> Pipeline:
        """The pipeline being edited (the editor's; do not keep a reference across edits)."""
        return self.editor.pipeline

    def _count_steps(self) -> None:
        self.grid.set_step_count(sum(step.enabled for step in self.editor.pipeline.steps))

    def schedule_preview(self) -> None:
        """Render the grid again (soon, once for all calls in this pass of the event loop)."""
        self.preview.request()

    def preview_settled(self) -> bool:
        """True when the grid shows the newest full-resolution render and nothing is pending."""
        return self.preview.settled(self.frame)

    def _make_job(self, generation: int, side: int) -> PreviewJob | None:
        if self.current is None:
            return None
        return PreviewJob(generation, self.current.key, self.current.preview,
                          copy_pipeline(self.editor.pipeline), self.grid.count, self.grid.seed,
                          side, self.fuse_geometry, self.grid.tile_box())

    def _frame_ready(self, frame: PreviewFrame) -> None:
        if self.current is None or frame.image_key != self.current.key:
            return  # a late answer for a picture no longer shown
        if self.frame is not None and frame.generation < self.frame.generation:
            return
        self.frame = frame
        if frame.error:
            self.grid.status.setText(frame.error)
            return
        self.grid.show_frame(frame.base, frame.samples, frame.pictures)
        h, w = frame.base.shape[:2]
        self.grid.status.setText(f"at {w} × {h} px")
        self.grid.status.setToolTip(f"Samples of seed {frame.seed}, computed at {w} × {h} pixels "
                                    "for the screen; export computes them at full size")
        # The details follow the chosen sample; sample 1 until the user picks another, so
        # the matrices and PCA axes are on screen without a click.  Laying out that rich
        # text costs more than drawing the grid, so drafts (a slider moving) leave it to the
        # sharp frame that follows when the slider rests.
        index = self.details.index if self.details.index is not None else 0
        index = min(index, len(frame.samples) - 1)
        self.grid.select(index)
        if not self.preview.draft:
            self._sample_clicked(index)
        self.frame_shown.emit(frame)

    def _render_failed(self, exc: BaseException, _tb: str) -> None:
        self.grid.status.setText(f"The preview failed: {exc}")

    def _sample_clicked(self, index: int) -> None:
        if self.frame is None or index >= len(self.frame.samples):
            return
        self.grid.select(index)
        self.details.show_sample(index, self.frame.samples[index], theme_manager().palette.muted)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._resize_timer.start()

    # ------------------------------------------------------------- pipelines
    def _restore_pipeline(self) -> None:
        seed = settings.read_str(_SEED_KEY, "")
        if seed.isdigit():
            self.grid.set_seed(min(int(seed), MAX_SEED))
            self.grid.fixed_seed.setChecked(True)
        text = settings.read_str(_SETTINGS_KEY, "")
        pipeline = DEFAULT_PIPELINE
        if text:
            try:
                pipeline = Pipeline.from_json(text)
            except CnnvizError:
                pipeline = DEFAULT_PIPELINE
        self.editor.set_pipeline(copy_pipeline(pipeline))

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
        start = settings.read_str("paths/pipelines", str(Path.home() / "pipeline.json"))
        name, _ = QFileDialog.getSaveFileName(self, "Save Pipeline", start, "Pipelines (*.json)")
        if name:
            path = Path(name) if name.endswith(".json") else Path(name + ".json")
            settings.write("paths/pipelines", str(path))
            self.save_pipeline(path)

    def load_pipeline_dialog(self) -> None:
        start = settings.read_str("paths/pipelines", str(Path.home()))
        name, _ = QFileDialog.getOpenFileName(self, "Load Pipeline", start, "Pipelines (*.json)")
        if name:
            settings.write("paths/pipelines", name)
            self.load_pipeline(Path(name))

    # ---------------------------------------------------------------- export
    def torchvision_code(self) -> str:
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

    def _open(self, dialog):
        self._dialogs = [d for d in self._dialogs if d.isVisible()]
        self._dialogs.append(dialog)
        dialog.open()
        return dialog

    # -------------------------------------------------------------- lifetime
    def request_look_inside(self) -> None:
        """Ask the window to show the current picture and pipeline in "Look inside"."""
        if self.current is None:
            self.status_message.emit("Open a picture first, then look inside a network with it.")
            return
        image = self.current.full if self.current.full is not None else self.current.preview
        self.look_inside_requested.emit(image, self.current.name, copy_pipeline(self.pipeline))

    def shutdown(self) -> None:
        """Stop the workers (waiting for a render in progress) and remember the pipeline."""
        self._resize_timer.stop()
        for dialog in self._dialogs:
            dialog.close()
        self.preview.shutdown()
        self.loader.shutdown()
        settings.write(_SEED_KEY, str(self.grid.seed) if self.grid.fixed_seed.isChecked() else "")
        try:
            settings.write(_SETTINGS_KEY, self.editor.pipeline.to_json())
        except CnnvizError:
            pass  # an invalid half-edited pipeline is not worth remembering
