"""Export dialogs: augmented samples as files, and the pipeline as torchvision code."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtCore import QRunnable, QSize, QThreadPool, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.augment import Pipeline
from cnnviz.ui import settings
from cnnviz.ui.augment.export import FORMATS, ExportJob, ExportResult, write_samples
from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.augment.images import LoadedImage
from cnnviz.ui.widgets.mailbox import Mailbox
from cnnviz.ui.widgets.file_dialogs import ask_save_file


class _ExportRun(QRunnable):
    """Writes the samples on a pool thread, posting ("progress", done, total) and then
    ("finished", result) to the dialog's mailbox (the thread makes no Qt call)."""

    def __init__(self, job: ExportJob, mail: Mailbox, stop: threading.Event) -> None:
        super().__init__()
        self._job, self._mail, self._stop = job, mail, stop

    def run(self) -> None:
        last = [-1]

        def progress(done: int, total: int) -> None:
            if done != last[0]:  # emit only when it moved
                last[0] = done
                self._mail.post(("progress", done, total))

        try:
            result = write_samples(self._job, progress, self._stop.is_set)
        except Exception as exc:  # never a traceback in the user's face
            result = ExportResult(errors=[f"The export failed: {exc}."])
        self._mail.post(("finished", result))


class ExportSamplesDialog(QDialog):
    """Choose folder, pictures, count and format; writes on a worker with a progress bar.

    :attr:`finished_export` carries the :class:`ExportResult` when the writing ends.
    """

    finished_export = Signal(object)

    def __init__(self, current: LoadedImage, images: list[LoadedImage], pipeline: Pipeline,
                 count: int, seed: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Samples")
        self.setMinimumWidth(520)
        self._current, self._images, self._pipeline, self._seed = current, images, pipeline, seed
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._stop = threading.Event()
        self._mail = Mailbox(self._delivered, self)
        self.result_: ExportResult | None = None

        title = QLabel("Export augmented samples")
        title.setProperty("role", "title")
        intro = QLabel(f"Each sample is computed again at full resolution with seed {seed}, "
                       "so it matches the preview and the cnnviz augment command.", wordWrap=True)
        intro.setProperty("role", "muted")
        default = settings.read_str("paths/augment_export", str(Path.home() / "cnnviz-samples"))
        self.folder = QLineEdit(default)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.only_current = QRadioButton(f"This picture ({current.name})")
        self.all_images = QRadioButton(f"All {len(images)} pictures in the strip")
        self.only_current.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.only_current)
        group.addButton(self.all_images)
        # With one picture there is nothing to choose: its name stands in for the choice.
        self.one_picture = ElidedLabel(current.name, mode=Qt.TextElideMode.ElideMiddle)
        scope = QVBoxLayout()
        scope.setSpacing(2)
        scope.addWidget(self.one_picture)
        scope.addWidget(self.only_current)
        scope.addWidget(self.all_images)
        several = len(images) > 1
        self.one_picture.setVisible(not several)
        self.only_current.setVisible(several)
        self.all_images.setVisible(several)
        self.count = QSpinBox(minimum=1, maximum=10000, value=count)
        self.format = QComboBox()
        for suffix, label in FORMATS.items():
            self.format.addItem(label, suffix)
        form = QFormLayout()
        form.addRow("Folder", folder_row)
        form.addRow("Pictures", scope)
        form.addRow("Samples each", self.count)
        form.addRow("File type", self.format)
        self.progress = QProgressBar()
        # Its room is kept while it is hidden, so the dialog need not grow (nor squeeze the
        # rows above) when writing starts.
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.progress.hide()
        self.status = QLabel(wordWrap=True)
        self.status.setProperty("role", "muted")
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing())  # room for a line
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setProperty("primary", True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._close_or_stop)
        col = QVBoxLayout(self)
        col.setContentsMargins(22, 18, 22, 14)
        col.setSpacing(10)
        col.addWidget(title)
        col.addWidget(intro)
        col.addLayout(form)
        col.addWidget(self.progress)
        col.addWidget(self.status)
        col.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._show_naming)
        self._show_naming()

    def _show_naming(self) -> None:
        """Before writing, the status line says what the files will be called."""
        if not self.running:
            stem, suffix = self._current.stem, self.format.currentData()
            self.status.setText(f"Files are named {stem}_000.{suffix}, {stem}_001.{suffix} "
                                "and so on.")

    def job(self) -> ExportJob:
        images = tuple(self._images) if self.all_images.isChecked() else (self._current,)
        return ExportJob(images, self._pipeline, self.count.value(), self._seed,
                         Path(self.folder.text()).expanduser(), self.format.currentData())

    def start(self) -> None:
        """Start writing (the Export button)."""
        if not self.folder.text().strip():
            self.status.setText("Choose a folder to write the samples into.")
            return
        job = self.job()
        settings.write("paths/augment_export", str(job.folder))
        self.export_button.setEnabled(False)
        self.close_button.setText("Stop")
        self.progress.setRange(0, job.total)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"Writing {job.total} file{'s' if job.total != 1 else ''}…")
        self._stop.clear()
        self._mail.open()
        self._pool.start(_ExportRun(job, self._mail, self._stop))

    @property
    def running(self) -> bool:
        return self._pool.activeThreadCount() > 0

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose Folder for the Samples",
                                                  self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _delivered(self, item: tuple) -> None:
        if item[0] == "progress":
            self._progress(*item[1:])
        else:
            self._mail.close()
            self._finished(item[1])

    def _progress(self, done: int, total: int) -> None:
        self.progress.setValue(done)
        self.status.setText(f"Written {done} of {total}…")

    def _finished(self, result: ExportResult) -> None:
        self.result_ = result
        self.export_button.setEnabled(True)
        self.close_button.setText("Close")
        self.status.setText(result.message())
        self.fit_height()
        self.finished_export.emit(result)

    def fit_height(self) -> None:
        """Grow to the height the rows need at the present width: a message about files
        that failed can wrap onto several lines."""
        layout = self.layout()
        layout.activate()
        need = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                else layout.totalSizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)

    def _close_or_stop(self) -> None:
        if self.running:
            self._stop.set()
        else:
            self.reject()

    def done(self, code: int) -> None:
        self._stop.set()
        self._pool.waitForDone(30000)
        super().done(code)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class CodeDialog(QDialog):
    """The pipeline as ``torchvision.transforms.v2`` code, to copy or save as a .py file."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pipeline as torchvision Code")
        self.code = code
        title = QLabel("torchvision.transforms.v2")
        title.setProperty("role", "title")
        intro = QLabel("The same pipeline for a torch Dataset.  Where torchvision has no "
                       "equivalent, a comment says so.", wordWrap=True)
        intro.setProperty("role", "muted")
        self.editor = QPlainTextEdit(code, readOnly=True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(mono)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.status = QLabel()
        self.status.setProperty("role", "muted")
        buttons = QDialogButtonBox()
        self.copy_button = buttons.addButton("Copy to clipboard", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setProperty("primary", True)
        save = buttons.addButton("Save as…", QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.copy_button.clicked.connect(self.copy)
        save.clicked.connect(self._save_dialog)
        close.clicked.connect(self.reject)
        col = QVBoxLayout(self)
        col.setContentsMargins(20, 16, 20, 14)
        col.setSpacing(8)
        col.addWidget(title)
        col.addWidget(intro)
        col.addWidget(self.editor, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(buttons)
        col.addLayout(row)
        self._fit_code(parent)

    def _fit_code(self, parent: QWidget | None) -> None:
        """Open wide enough for the longest line and tall enough for every line, as far as
        the screen allows (a comment cut off at the right is a comment nobody reads)."""
        self.ensurePolished()
        self.editor.ensurePolished()  # the style sheet may change the font: measure its own
        metrics = self.editor.fontMetrics()
        lines = self.code.splitlines() or [""]
        text_w = max(metrics.horizontalAdvance(line) for line in lines)
        text_h = len(lines) * metrics.lineSpacing()
        # Around the text: the editor's frame and document margins, a scroll bar's width in
        # case one is needed after all, and the dialog's margins.
        chrome_w = 2 * (self.editor.frameWidth() + round(self.editor.document().documentMargin())) \
            + self.editor.verticalScrollBar().sizeHint().width() + 40 + 8
        rest_h = self.sizeHint().height() - self.editor.sizeHint().height()
        chrome_h = 2 * (self.editor.frameWidth() + round(self.editor.document().documentMargin()))
        screen = (parent.screen() if parent is not None else None) or self.screen()
        room = screen.availableGeometry()
        self.resize(fitted_size(QSize(text_w + chrome_w, text_h + chrome_h + rest_h),
                                QSize(room.width(), room.height())))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.status.setText("Copied.")

    def save_to(self, path: Path) -> None:
        """Write the code to ``path`` (atomically); the status line says where or why not."""
        try:
            _atomic_write(Path(path), self.code)
        except OSError as exc:
            self.status.setText(f"Cannot save {Path(path).name}: {exc.strerror or exc}.")
            return
        self.status.setText(f"Saved {Path(path).name}.")

    def _save_dialog(self) -> None:
        path = ask_save_file(self, "Save Code", "augment_code", "augment.py",
                             "Python files (*.py)", ".py")
        if path is not None:
            self.save_to(path)


def fitted_size(wanted: QSize, screen: QSize) -> QSize:
    """The size a dialog wanting ``wanted`` opens at on a screen of ``screen``: at least
    720 x 400, at most nine tenths of the screen (room for the window frame and panels)."""
    most_w, most_h = int(screen.width() * 0.9), int(screen.height() * 0.9)
    return QSize(min(max(720, wanted.width()), most_w), min(max(400, wanted.height()), most_h))
