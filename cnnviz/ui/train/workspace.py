"""The Train workspace: train a plain network and its residual twin side by side and watch
their gradients, or reopen (and follow) a run folder.

This module builds the workspace and keeps its contract with the main window; starting and
stopping runs is :mod:`cnnviz.ui.train.training_flow`, opening past runs is
:mod:`cnnviz.ui.train.folder_flow`.  Training runs on a
:class:`~cnnviz.ui.train.worker.TrainingWorker` thread; its records only update numpy buffers
(:mod:`cnnviz.ui.train.series`) and the :class:`~cnnviz.ui.train.run_view.RunView` timer
redraws the plots at most 30 times a second.  The view builds its plot panels ahead, while the
workspace is idle (:mod:`cnnviz.ui.train.panel_pool`), so not even the first run freezes the
window when it starts.  :meth:`TrainWorkspace.shutdown` stops the run and waits for the
thread, so the run folder is complete when the window closes.

Hand-offs to the other workspaces (:mod:`cnnviz.ui.train.handoffs`): a trained model goes to
"Look inside" through :attr:`TrainWorkspace.look_inside_model_requested`, and each model's
latest gradient norms go to the explorer's graph through :attr:`gradients_changed` (while a
run goes) and :attr:`show_gradients_requested` (the header's "Show in graph").
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from cnnviz.core.errors import CnnvizError
from cnnviz.ui import settings
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.train.control_bar import ControlBar
from cnnviz.ui.train.exports import PlotExports
from cnnviz.ui.train.first_guess import FirstGuessWorker
from cnnviz.ui.train.folder_flow import RunFolderFlow
from cnnviz.ui.train.handoffs import Handoffs
from cnnviz.ui.train.run_browser import RunBrowser
from cnnviz.ui.train.run_view import RunView
from cnnviz.ui.train.series import RunSeries
from cnnviz.ui.train.setup_fold import SHORTCUT, SetupFold
from cnnviz.ui.train.setup_form import SetupForm
from cnnviz.ui.train.training_flow import TrainingFlow
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.banner import Banner


class TrainWorkspace(TrainingFlow, RunFolderFlow, QWidget):
    """See the workspace contract in the main window: TITLE, can_open, open_paths, shutdown."""

    TITLE = "Train"
    #: How long "Save runs in" must stay unchanged before Past runs lists the new folder.
    RUNS_DIR_DELAY_MS = 400
    status_message = Signal(str)
    #: A trained model for "Look inside": a CPU copy, its arch, its options and a label
    #: ("Plain-20, step 400 of run <folder>").
    look_inside_model_requested = Signal(object, str, dict, str, dict)
    #: Each model's latest gradient norms (a GradientSnapshot), at most 4 times a second.
    gradients_changed = Signal(object)
    #: "Show in graph" chose a model: its latest GradientSnapshot.
    show_gradients_requested = Signal(object)
    subject_changed = Signal(str)  # the run on screen, by its models (for the window title)

    @property
    def subject(self) -> str:
        """The run on screen by its models ("" before any): the window's title names it."""
        return self.bar.title.text() if self.run.models else ""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = RunSeries()
        self.run_dir: Path | None = None
        self._reset_training_state()
        self._reset_folder_state()
        #: The banner's sentence when it says why the last start failed ("" otherwise): the
        #: next edit of the form is the student acting on it, so the banner goes then.
        self._start_error = ""

        self.form = SetupForm()
        self.browser = RunBrowser()
        self.bar = ControlBar()
        self.bar.title_shown.connect(lambda _models: self.subject_changed.emit(self.subject))
        self.banner = Banner()
        self.view = RunView()
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.form, "Setup")
        self.tabs.addTab(self.browser, "Past runs")
        self._build()
        self.fold = SetupFold(self.tabs, self.bar.setup_button, self)
        self.handoffs = Handoffs(self.bar, self)
        self.handoffs.look_inside.connect(self.look_inside_model_requested)
        self.handoffs.failed.connect(self.banner.show_message)
        self.form.start_requested.connect(self.start)  # Enter in a field (start() checks)
        self.form.problem.connect(self.banner.show_message)
        self.handoffs.gradients_changed.connect(self.gradients_changed)
        self.handoffs.show_gradients.connect(self.show_gradients_requested)
        self._build_actions()
        self.bar.start_button.clicked.connect(self.start)
        self.bar.pause_button.toggled.connect(self._pause_toggled)
        self.bar.stop_button.clicked.connect(self.stop)
        self.browser.open_requested.connect(self.open_run)
        self.browser.open_folder_requested.connect(self.open_run_dialog)
        self.view.timer.timeout.connect(self._show_progress)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        self.browser.set_root(self.form.runs_folder())
        # Past runs follows "Save runs in" once the typing pauses: listing a folder on
        # every key press would list "/", "/h", "/ho"… on the way.
        self._runs_dir_timer = QTimer(self, singleShot=True, interval=self.RUNS_DIR_DELAY_MS)
        self._runs_dir_timer.timeout.connect(
            lambda: self.browser.set_root(self.form.runs_folder()))
        self.form.runs_dir.changed.connect(self._runs_dir_timer.start)
        self.form.changed.connect(self._show_estimate)
        self.form.changed.connect(self._form_edited)
        # Before a first run of the form's models: a rough guess, worked out on a worker.
        self.first_guess = FirstGuessWorker(self)
        self.first_guess.changed.connect(self._show_estimate)
        self.form.changed.connect(self._ask_first_guess)
        self._show_estimate()

    def _build(self) -> None:
        right = QWidget()
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.bar)
        banner_row = QVBoxLayout()
        banner_row.setContentsMargins(14, 8, 14, 0)
        banner_row.addWidget(self.banner)
        col.addLayout(banner_row)
        col.addWidget(self.view, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.tabs)
        self.split.addWidget(right)
        self.split.setStretchFactor(1, 1)
        # No fixed minimum width: the settings column is as wide as the form's fields once
        # styled (SetupForm.minimumSizeHint); a width fixed before styling would clip them.
        self.split.setSizes([360, 920])
        self.split.setCollapsible(1, False)
        state = settings.app_settings().value("train/split")
        if state is not None:
            self.split.restoreState(state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)

    def _build_actions(self) -> None:
        self.act_open_run = QAction("Open &Run Folder…", self)
        self.act_open_run.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.act_open_run.triggered.connect(self.open_run_dialog)
        self.exports = PlotExports(self.view, self.bar.export_button, self.banner, self)
        self.exports.exported.connect(self.status_message)
        self.act_export_png, self.act_export_csv = self.exports.act_png, self.exports.act_csv

    def _retheme(self, pal) -> None:
        self.tabs.setTabIcon(0, icons.icon("train", pal.muted, pal.accent, 18))
        self.tabs.setTabIcon(1, icons.icon("open", pal.muted, pal.accent, 18))

    # -- the first guess of a run's length ----------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # Timing this computer takes about 0.3 s on a worker: only once it is seen.
        self.first_guess.measure()
        self._ask_first_guess()

    def _ask_first_guess(self) -> None:
        try:
            config = self.form.config()
        except CnnvizError:
            return
        self.first_guess.request(config)

    # -- a start that failed ----------------------------------------------------------------

    def start(self, *, config=None, modules=None, data=None, run_dir=None) -> bool:
        """Start a run (see :meth:`TrainingFlow.start`); why it could not start stays in
        the banner until the form is next edited."""
        busy = self.worker is not None
        started = super().start(config=config, modules=modules, data=data, run_dir=run_dir)
        if started:
            self._start_error = ""
            self.worker.failed.connect(self._worker_failed)
        elif not busy and self.banner.message:
            self._start_error = self.banner.message
            self.fold.reveal()  # the form is where the student acts on it
        return started

    def _worker_failed(self, message: str) -> None:
        if not self._began:  # the engine refused the settings before the first step
            self._start_error = message

    def _started(self, record) -> None:
        super()._started(record)
        self.fold.run_started()

    def _on_thread_finished(self) -> None:
        began = self._began
        super()._on_thread_finished()
        self.fold.run_ended()
        if not began:  # the engine refused the settings: the form is where to fix them
            self.fold.reveal()

    def _form_edited(self) -> None:
        if self._start_error and self.worker is None and \
                self.banner.message == self._start_error:
            self.banner.dismiss()
        self._start_error = ""

    # -- workspace contract -------------------------------------------------------------------

    @classmethod
    def can_open(cls, path: Path) -> bool:
        path = Path(path)
        return path.is_dir() and (path / "run.json").is_file()

    def open_paths(self, paths: list[Path]) -> None:
        """Open run folders (the last one given is shown)."""
        folders = [Path(p) for p in paths if self.can_open(Path(p))]
        if folders:
            self.open_run(folders[-1])

    def menu_actions(self) -> list[QAction]:
        return [self.act_open_run, self.act_export_png, self.act_export_csv]

    def shortcut_rows(self) -> list[tuple[str, str]]:
        return [("Start training", "Ctrl+Return"), ("Show or hide the setup", SHORTCUT),
                ("Read a value", "Hover a plot"),
                ("Zoom a plot", "Mouse wheel / drag")]

    def shutdown(self) -> None:
        """Stop following, stop the run and wait for its thread (the run folder is then
        complete), and remember the layout."""
        self.view.stop_timer()
        self._stop_source()
        worker = self.worker
        if worker is not None:
            worker.shutdown()
            self._drop_worker()
        self.handoffs.shutdown()
        self.first_guess.shutdown()
        self.form.shutdown()
        if self.fold.shown:  # a folded side has no width worth remembering
            settings.write("train/split", self.split.saveState())

    # -- export -------------------------------------------------------------------------------

    def export(self, kind: str, folder: Path) -> list[Path]:
        """Write the plots (``"png"``) or their data (``"csv"``) into ``folder``."""
        return self.exports.export(kind, folder)
