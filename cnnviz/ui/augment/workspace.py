"""The Augment workspace: drop pictures in, build a pipeline, watch the samples change live.

Layout: a toolbar and the strip of loaded pictures along the top; below, the pipeline editor
(left), the preview of the original and N samples (centre) and the details of the sample
clicked (right).  Pictures load on a worker; the preview renders on another
(:class:`~cnnviz.ui.augment.worker.LatestOnlyWorker`), on a copy shrunk to tile size, so a
slider drag on a 12-megapixel photo stays fluid; the full picture is read again only on export.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
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

from cnnviz.core.augment import Pipeline
from cnnviz.ui.augment.header_row import FittingButtonRow
from cnnviz.ui.augment.images import LoadedImage
from cnnviz.ui.augment.intake import PictureIntake, plural
from cnnviz.ui.augment.panels import DropZone
from cnnviz.ui.augment.pipeline_editor import PipelineEditor, copy_pipeline
from cnnviz.ui.augment.pipeline_files import PipelineFiles
from cnnviz.ui.augment.preview_grid import PreviewGrid
from cnnviz.ui.augment.render import PreviewFrame, PreviewJob
from cnnviz.ui.augment.sample_details import SampleDetails
from cnnviz.ui.augment.scheduler import PreviewScheduler
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.widgets.tasks import TaskRunner

EXPORT_TIP = "Save augmented samples of the pictures to a folder"
LOOK_TIP = ("Run this picture, and this pipeline's samples, through the network chosen in "
            "Architectures")
WAITING_TIP = "Open a picture first"  # what a disabled button waits for
NO_PICTURE = "No picture yet"
# Below this many pixels on a side a crop, a rotation or a cutout has too little to show.
TINY_SIDE = 16
EDITOR_LEAST, PREVIEW_LEAST, DETAILS_LEAST = 370, 270, 200  # column widths, in pixels
# Below this height (a 1280x800 window or smaller) the thumbnail strip shrinks to small
# pictures without names, so the samples keep their height.
SHORT_HEIGHT = 780


class AugmentWorkspace(PictureIntake, PipelineFiles, QWidget):
    """See the workspace contract in the main window: TITLE, can_open, open_paths,
    menu_actions, shutdown.  ``images`` lists the loaded pictures in strip order.

    Taking pictures in (open, paste, drops) is :class:`PictureIntake`'s part; saving,
    loading and exporting the pipeline is :class:`PipelineFiles`'s."""

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
        self._tiny_notice = ""  # the notice shown for a tiny picture, while it is shown
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
        self._fill_header()
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
        # Room for "No picture yet", or a name's start and end: buttons fold before this.
        self.info.setMinimumWidth(self.info.fontMetrics().horizontalAdvance(NO_PICTURE) + 4)
        self.info_size = QLabel()
        self.info_size.setProperty("role", "muted")
        self.info_size.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.load_button = QPushButton("Load pipeline…")
        self.save_button = QPushButton("Save pipeline…")
        self.code_button = QPushButton("torchvision code…")
        self.code_button.setToolTip("The pipeline as torchvision.transforms.v2 code, to copy "
                                    "into a training script")
        self.look_button = QPushButton("Look inside")
        self.export_button = QPushButton("Export samples…")
        self.export_button.setProperty("primary", True)
        heading = QVBoxLayout()
        self.buttons = FittingButtonRow()
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
        bar.addWidget(self.buttons)

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
        # Its buttons stack when narrow (DropZone.resizeEvent); without this its side-by-side
        # minimum would hold the whole centre column wide.
        drop_page.setMinimumWidth(PREVIEW_LEAST)
        self.centre.addWidget(drop_page)
        self.centre.addWidget(self.grid)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.editor)
        self.split.addWidget(self.centre)
        self.split.addWidget(self.details)
        self.split.setStretchFactor(1, 1)
        self.split.setCollapsible(1, False)
        # The three columns fit side by side in the window's smallest size (960x640, where
        # the studio gets about 856 pixels): none is ever squeezed below what it can show.
        self.split.setChildrenCollapsible(False)
        self.editor.setMinimumWidth(EDITOR_LEAST)
        self.grid.setMinimumWidth(PREVIEW_LEAST)
        self.details.setMinimumWidth(DETAILS_LEAST)
        self.split.setSizes([390, 800, 280])

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

    def _fill_header(self) -> None:
        """The header's buttons, and the order they fold into "More" when the window is
        narrow: the pipeline files and its code first, Paste last (Open has its icon)."""
        row = self.buttons
        row.add(self.open_button, self.act_open, compact=True)
        row.add(self.paste_button, self.act_paste, rank=3)
        row.add(self.load_button, self.act_load, rank=2, gap=10)
        row.add(self.save_button, self.act_save, rank=1)
        row.add(self.code_button, self.act_code, rank=0)
        row.add_more()
        row.add(self.look_button, self.act_look, rank=4)
        row.add(self.export_button)

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
        self.act_look = action("Look &Inside", self.request_look_inside)
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

    # ---------------------------------------------------------- the picture shown
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
        # One picture is named in the header; its strip would only take the samples' height.
        self.strip.setVisible(len(self.images) > 1)
        for widget in (self.export_button, self.act_export, self.look_button, self.act_look):
            widget.setEnabled(have)
        # A disabled button says what it waits for.
        self.export_button.setToolTip(EXPORT_TIP if have else WAITING_TIP)
        self.look_button.setToolTip(LOOK_TIP if have else WAITING_TIP)
        pal = theme_manager().palette
        self.export_button.setIcon(icons.icon("export", pal.accent_text if have else pal.muted))
        if have:
            w, h = self.current.full_size
            self.info.setText(self.current.name)
            self.info_size.setText(f"  ·  {w} × {h}  ·  {plural(len(self.images), 'picture')}")
        else:
            self.info.setText(NO_PICTURE)
            self.info_size.setText("")
        self._say_if_tiny()

    def _say_if_tiny(self) -> None:
        """A picture a few pixels wide gives samples that look broken (all one colour, or
        unchanged): say why in the notice, and take the notice back for a larger picture."""
        tiny = None
        if self.current is not None and min(self.current.full_size) < TINY_SIDE:
            w, h = self.current.full_size
            tiny = (f"This picture is {w} × {h} pixels: too small for most operations to show "
                    "anything.")
        if tiny:
            self.notice.show_message(tiny)
            self._tiny_notice = tiny
        elif self.notice.message and self.notice.message == self._tiny_notice:
            self.notice.dismiss()

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
                          side, self.fuse_geometry, self.grid.tile_box(), self.current.name)

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
        self.strip.set_compact(self.height() < SHORT_HEIGHT)
        self._resize_timer.start()

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
        self._remember_pipeline()
