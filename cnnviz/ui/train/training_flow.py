"""Starting, pausing and stopping a training run in the Train workspace, and turning the
worker's records into plots, progress and status text.

:class:`TrainingFlow` is a part of :class:`~cnnviz.ui.train.workspace.TrainWorkspace`: it
works on the workspace's widgets (``form``, ``bar``, ``banner``, ``view``, ``browser``,
``handoffs``, ``exports``) and on its run state (``worker``, ``run``, ``run_dir``), which the
workspace makes before any of these methods runs.  The worker's records arrive through a
queued signal and only update numpy buffers; the view's timer redraws.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from cnnviz.core.errors import CnnvizError
from cnnviz.core.train.records import (
    EpochRecord,
    ModelStopped,
    RunConfig,
    RunFinished,
    RunStarted,
    StepRecord,
)
from cnnviz.ui.train.estimate import estimate_sentence, remember_speed
from cnnviz.ui.train.names import (
    device_name,
    length_phrase,
    models_title,
    run_title,
    when_phrase,
)
from cnnviz.ui.train.series import RunSeries
from cnnviz.ui.train.worker import TrainingWorker


def run_folder_name(config: RunConfig) -> str:
    """A new run's folder name: when it started, then its models ("…-plain-vs-residual")."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{'-vs-'.join(m.label for m in config.models)}"


class TrainingFlow:
    """The run-control part of the Train workspace (see the module docstring)."""

    def _reset_training_state(self) -> None:
        self.worker: TrainingWorker | None = None
        self._step = 0
        self._rate = math.nan
        self._batch = 0
        self._device = "CPU"
        self._began = False
        self._title_before = ""
        self._dir_before: Path | None = None
        self._config: RunConfig | None = None
        self._elapsed = 0.0

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
                run_dir = self.form.runs_folder() / run_folder_name(config)
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
        self.bar.show_title(f"Starting {models_title(config.models, switches=True)}…")
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
        options = {m.label: m.options for m in record.config.models}
        run.title = run_title([run.label(m) for m in run],
                              [options.get(m.name, {}) for m in run],
                              length_phrase(record.config.steps, record.config.epochs),
                              record.dataset_name)
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
                            when=when_phrase(datetime.now()),
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
