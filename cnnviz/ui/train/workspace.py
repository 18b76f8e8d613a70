"""The Train workspace: train a plain network and its residual twin side by side and watch
their gradients, or reopen (and follow) a run folder.

Training runs on a :class:`~cnnviz.ui.train.worker.TrainingWorker` thread; its records arrive
here through a queued signal and only update numpy buffers (:mod:`cnnviz.ui.train.series`);
the :class:`~cnnviz.ui.train.run_view.RunView` timer redraws the plots at most 30 times a
second.  The view builds its plot panels ahead, while the workspace is idle
(:mod:`cnnviz.ui.train.panel_pool`), so not even the first run freezes the window when it
starts.  :meth:`TrainWorkspace.shutdown` stops the run and waits for the thread, so the run
folder is complete when the window closes.

Hand-offs to the other workspaces (:mod:`cnnviz.ui.train.handoffs`): a trained model goes to
"Look inside" through :attr:`TrainWorkspace.look_inside_model_requested`, and each model's
latest gradient norms go to the explorer's graph through :attr:`gradients_changed` (while a
run goes) and :attr:`show_gradients_requested` (the header's "Show in graph").
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.errors import CnnvizError
from cnnviz.core.train.records import (
    EpochRecord,
    ModelConfig,
    ModelStopped,
    RunConfig,
    RunFinished,
    RunStarted,
    StepRecord,
)
from cnnviz.core.train.runreader import RunData, RunFollower
from cnnviz.ui import settings
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.train.control_bar import ControlBar
from cnnviz.ui.train.estimate import estimate_sentence, remember_speed
from cnnviz.ui.train.exports import PlotExports
from cnnviz.ui.train.folder_source import FolderSource
from cnnviz.ui.train.handoffs import Handoffs
from cnnviz.ui.train.names import device_name, models_title
from cnnviz.ui.train.run_browser import RunBrowser
from cnnviz.ui.train.run_view import RunView
from cnnviz.ui.train.series import RunSeries
from cnnviz.ui.train.setup_form import SetupForm
from cnnviz.ui.train.worker import TrainingWorker
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.banner import Banner


def _run_folder_name(config: RunConfig) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{'-vs-'.join(m.label for m in config.models)}"


class TrainWorkspace(QWidget):
    """See the workspace contract in the main window: TITLE, can_open, open_paths, shutdown."""

    TITLE = "Train"
    #: How long "Save runs in" must stay unchanged before Past runs lists the new folder.
    RUNS_DIR_DELAY_MS = 400
    status_message = Signal(str)
    #: A trained model for "Look inside": a CPU copy, its arch, its options and a label
    #: ("plain20, step 400 of run <folder>").
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
        self.worker: TrainingWorker | None = None
        self.source: FolderSource | None = None
        self.run = RunSeries()
        self.run_dir: Path | None = None
        self._step = 0
        self._rate = math.nan
        self._batch = 0
        self._device = "CPU"
        self._began = False
        self._title_before = ""
        self._reading_folder = False  # an opened run folder's first read is under way
        self._folder_handoff: tuple = ({}, "", {})  # what the hand-offs get once it is in
        self._dir_before: Path | None = None
        self._config: RunConfig | None = None
        self._elapsed = 0.0

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
        return [("Start training", "Ctrl+Return"), ("Read a value", "Hover a plot"),
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
        self.form.shutdown()
        settings.write("train/split", self.split.saveState())

    # -- training -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self, *, config: RunConfig | None = None, modules=None, data=None,
              run_dir: str | Path | None = None) -> bool:
        """Start training ``config`` (the form's by default); False with a banner when the
        settings cannot run.  ``modules``/``data`` are handed to the engine as they are."""
        if self.worker is not None:
            return False
        self.banner.hide()
        try:
            config = config or self.form.config()
            if run_dir is None:
                run_dir = self.form.runs_folder() / _run_folder_name(config)
        except CnnvizError as exc:
            self.banner.show_message(str(exc))
            return False
        self._stop_source()
        self._dir_before, self.run_dir = self.run_dir, Path(run_dir)
        self._step, self._rate, self._batch = 0, math.nan, config.batch_size
        self._config, self._elapsed = config, 0.0
        self.worker = TrainingWorker(config, run_dir, modules=modules, data=data)
        self.worker.record.connect(self._on_record)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_thread_finished)
        self.worker.parked.connect(self._on_parked)
        self.form.show_note("")
        # The hand-offs keep the run on screen until the new one has started (_started):
        # a start that fails leaves its Look inside and Show in graph as they were.
        self.handoffs.set_training(self.worker)
        # Until the run has started, the plots (and the bar's progress) still show the run
        # before; a start that fails puts its title back (_on_thread_finished).
        self._began = False
        self._title_before = self.bar.shown_title()
        self.bar.show_title(f"Starting {models_title(config.models)}…")
        self.bar.status.setText("Preparing the data and the models…")
        self.bar.progress.setRange(0, 0)  # busy until the first record says how long
        self.bar.set_state("starting")
        self.form.setEnabled(False)
        self.worker.start()
        # The worker takes a while to build the models: time to get their panels ready.
        self.view.prepare(len(config.models))
        self.exports.update()
        return True

    def pause(self) -> None:
        if self.worker is not None and self.bar.state == "running":
            self.worker.pause()
            self.bar.set_state("paused")
            self.bar.status.setText(f"Paused at step {self._step}.")

    def resume(self) -> None:
        if self.worker is not None and self.bar.state == "paused":
            self.handoffs.set_parked(False)
            self.worker.resume()
            self.bar.set_state("running")
            self.bar.status.setText(self._running_text())

    def stop(self) -> None:
        if self.worker is not None:
            self.handoffs.set_parked(False)
            self.worker.stop()
            self.bar.set_state("stopping")
            self.bar.status.setText("Stopping after the current step…")

    def _on_parked(self, generation: int) -> None:
        """The engine waits at the pause asked for last: its models can be copied."""
        worker = self.worker
        if worker is not None and self.bar.state == "paused" and \
                generation == worker.control.generation:
            self.handoffs.set_parked(True)
            # The step under way when Pause was pressed has arrived by now.
            self.bar.status.setText(f"Paused at step {self._step}.")

    def _pause_toggled(self, on: bool) -> None:
        self.pause() if on else self.resume()

    def _running_text(self) -> str:
        where = f" Saving to {self.run_dir}." if self.run_dir else ""
        return f"Training on {self._device}.{where}"

    def _on_record(self, record) -> None:
        if isinstance(record, StepRecord):
            model = self.run.models.get(record.model)
            if model is not None:
                model.add_step(record.step, record.loss, record.accuracy, record.grad_norms)
            self._step = record.step
            self._elapsed = record.elapsed_s
            if math.isfinite(record.samples_per_s) and record.samples_per_s > 0:
                # Smoothed, so the time left does not jump with every batch.
                self._rate = record.samples_per_s if not math.isfinite(self._rate) else \
                    0.8 * self._rate + 0.2 * record.samples_per_s
            self.view.mark_dirty()
        elif isinstance(record, EpochRecord):
            model = self.run.models.get(record.model)
            if model is not None:
                model.add_epoch(record.step, record.val_loss, record.val_accuracy)
            self.view.mark_dirty()
        elif isinstance(record, RunStarted):
            self._started(record)
        elif isinstance(record, ModelStopped):
            model = self.run.models.get(record.model)
            if model is not None:
                model.stopped = record.message
            self.view.mark_dirty()
            self.status_message.emit(record.message)
        elif isinstance(record, RunFinished):
            self.run.status = record.reason
            self.run.message = record.message
            self.bar.status.setText(record.message)
            if record.reason in ("error", "out_of_memory"):
                self.banner.show_message(record.message)
            self.view.mark_dirty()

    def _started(self, record: RunStarted) -> None:
        self._began = True
        run = RunSeries()
        for info in record.models:
            run.add_model(info.name, info.display_name, info.layer_names, info.frozen)
        run.total_steps = record.total_steps
        run.title = f"{' vs '.join(run.label(m) for m in run)} · {record.dataset_name}"
        run.status = "running"
        self.run = run
        self._device = device_name(record.device) + (" with mixed precision" if record.amp
                                                      else "")
        if record.run_dir:
            self.run_dir = Path(record.run_dir)
        self.view.set_run(run)
        self.bar.show_title(run.title)
        self.bar.progress.setRange(0, max(1, record.total_steps))
        # Every model is built before the first record; copy the references (a plain dict,
        # so looking a name up never builds anything on this thread).
        modules = self.worker.modules if self.worker is not None else {}
        modules = dict(getattr(modules, "built", modules))
        self.handoffs.begin(run, {m.label: m for m in record.config.models},
                            self.run_dir.name if self.run_dir else "", modules, live=True,
                            data={"classes": list(record.classes), "mean": record.mean,
                                  "std": record.std, "image_size": record.image_size,
                                  "channels": record.channels,
                                  "data_size": record.data_size})
        if record.skipped:
            self.banner.show_message(
                f"{record.skipped} file{'s' if record.skipped != 1 else ''} of the image "
                "folder could not be read as pictures and "
                f"{'are' if record.skipped != 1 else 'is'} left out of the training data.")
        if self.bar.state == "starting":
            self.bar.set_state("running")
            self.bar.status.setText(self._running_text())
        self.browser.refresh_later()
        self.exports.update()

    def _show_progress(self) -> None:
        if self.worker is None or self.bar.state == "starting":
            return
        total = self.run.total_steps
        left = (total - self._step) * self._batch / self._rate \
            if math.isfinite(self._rate) and self._rate > 0 else math.nan
        self.bar.show_progress(self._step, total, self._rate, left)

    def _show_estimate(self) -> None:
        """Say under "Train for" how long the form's run will take here, when a run of the
        same models was measured."""
        try:
            sentence = estimate_sentence(self.form.config())
        except CnnvizError:
            sentence = ""
        self.form.show_estimate(sentence)
        self.bar.start_button.setToolTip(
            "Train the chosen models side by side (Ctrl+Return)" +
            (f". {sentence}" if sentence else ""))

    def _on_failed(self, message: str) -> None:
        self.banner.show_message(message)
        self.bar.status.setText("The run could not go on." if self._began else
                                self._not_started_text())

    def _not_started_text(self) -> str:
        return ("The new run did not start; the plots still show the run before."
                if self.run.models else "The run did not start.")

    def _on_thread_finished(self) -> None:
        began = self._began
        self._drop_worker()
        self.handoffs.finish()
        if began:
            self.bar.show_progress(self._step, self.run.total_steps, self._rate, math.nan)
            if self._config is not None:
                remember_speed(self._config, self._step * self._batch, self._elapsed)
                self._show_estimate()
        else:
            self._restore_before()
        self.view.refresh()
        self.browser.refresh_later()

    def _restore_before(self) -> None:
        """A run that never started leaves the bar as the run before had it."""
        self.bar.show_title(self._title_before)
        self.run_dir = self._dir_before
        self.bar.status.setText(self._not_started_text())
        if self.run.models:
            self.bar.show_progress(self.run.last_step, self.run.total_steps, math.nan,
                                   math.nan)
        else:
            self.bar.clear_progress()
        self.bar.set_state("idle")  # shows the progress again if the run before has one

    def _drop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is None:
            return
        for signal in (worker.record, worker.failed, worker.finished, worker.parked):
            try:
                signal.disconnect()
            except (RuntimeError, TypeError):
                pass
        worker.deleteLater()
        self.bar.set_state("idle")
        self.form.setEnabled(True)
        if self.bar.progress.maximum() == 0:
            self.bar.progress.setRange(0, 1)
        self.exports.update()

    # -- run folders --------------------------------------------------------------------------

    def open_run_dialog(self) -> None:
        start = settings.read_str("paths/runs", str(self.form.runs_folder()))
        path = QFileDialog.getExistingDirectory(self, "Open Run Folder", start)
        if path:
            settings.write("paths/runs", str(Path(path).parent))
            self.open_run(Path(path))

    def open_run(self, path: Path) -> bool:
        """Show the run folder ``path``; a run still being written is followed live."""
        if self.worker is not None:
            self.banner.show_message("Stop the current run before opening another one.")
            return False
        self.banner.hide()
        self._stop_source()
        try:
            source = FolderSource(path, self)
        except CnnvizError as exc:
            self.banner.show_message(str(exc))
            return False
        except OSError as exc:
            self.banner.show_message(f"The run folder {path} cannot be read "
                                     f"({exc.strerror or exc}).")
            return False
        self.source = source
        self.run = source.run
        self.run_dir = Path(path)
        source.updated.connect(self._source_updated)
        source.ended.connect(self._source_ended)
        source.failed.connect(self._source_failed)
        self.view.set_run(self.run)
        self.bar.show_title(self.run.title or Path(path).name)
        self.bar.set_state("following" if source.live else "idle")
        self.bar.clear_progress()
        self.bar.status.setText(f"Reading {Path(path).name}…")  # its rows come on a worker
        self._reading_folder = True
        meta = self._run_meta(Path(path))
        configs = self._refill_form(Path(path), meta)
        data = {key: meta[key] for key in ("classes", "mean", "std", "image_size", "channels",
                                           "data_size") if key in meta}
        # The hand-offs start from the rows, which the first read brings (_source_updated).
        self._folder_handoff = (configs, Path(path).name, data)
        self.handoffs.begin(RunSeries(), {}, "")
        self.exports.update()
        return True

    @staticmethod
    def _run_meta(path: Path) -> dict:
        """What the run folder's run.json says (nothing when it cannot be read)."""
        try:
            return RunFollower(path).meta
        except CnnvizError:
            return {}

    def _refill_form(self, path: Path, meta: dict) -> dict[str, ModelConfig]:
        """Fill the form with the run's settings (a run that saved none leaves it alone);
        returns the run's models by name."""
        config = RunData(path, meta).config
        if config is None:
            self.form.show_note(f"{path.name} was written by a script that saved no "
                                "settings, so the form below keeps yours.")
            return {e["name"]: ModelConfig(e.get("arch", ""), name=e["name"])
                    for e in meta.get("models", [])}
        unshown = self.form.apply_config(config)
        self.form.show_note(" ".join([f"The settings of {path.name}: press Start to train it "
                                      "again.", *unshown]))
        return {m.label: m for m in config.models}

    def _source_failed(self, message: str) -> None:
        self._reading_folder = False
        self.banner.show_message(message)
        self.bar.set_state("idle")
        self.bar.status.setText("The run folder could not be read to its end.")

    def _source_updated(self) -> None:
        if self._reading_folder:  # the first read is in
            self._reading_folder = False
            self.bar.status.setText(f"{self.run.message}  {self.run_dir}")
            configs, name, data = self._folder_handoff
            self.handoffs.begin(self.run, configs, name, live=self.source.live, data=data)
            self.exports.update()
        last = self.run.last_step
        total = self.run.total_steps or last
        self.bar.show_progress(last, total, math.nan, math.nan)
        self.view.mark_dirty()

    def _source_ended(self, status: str) -> None:
        self.handoffs.finish()
        self.bar.set_state("idle")
        self.bar.status.setText(self.run.message)
        self.view.mark_dirty()
        self.browser.refresh_later()

    def _stop_source(self) -> None:
        if self.source is not None:
            self.source.shutdown()
            self.source.deleteLater()
            self.source = None

    # -- export -------------------------------------------------------------------------------

    def export(self, kind: str, folder: Path) -> list[Path]:
        """Write the plots (``"png"``) or their data (``"csv"``) into ``folder``."""
        return self.exports.export(kind, folder)
