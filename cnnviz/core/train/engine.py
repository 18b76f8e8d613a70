"""The training engine: one or more models trained side by side on the very same batches.

:func:`train` is a generator of the records in :mod:`cnnviz.core.train.records`.  Every model
sees every batch in the same order (one batch is made per step and given to each model in
turn), so any difference between twins comes from the models, not the data.  The generator
runs in the caller's thread; a GUI runs it in a worker thread and passes a
:class:`~cnnviz.core.train.control.RunControl` to pause or stop it.

Errors in the configuration (an unknown model, a data set that cannot be read, a model that
cannot take the images) raise :class:`~cnnviz.core.errors.TrainingError` before the first
record.  Once the run has started, trouble ends it with records instead: a model whose loss is
not finite, or that fails, stops alone (:class:`ModelStopped`); running out of memory stops
them all; :class:`RunFinished` always comes last and the run folder is closed either way.

On CUDA the numbers of a logging step are copied to the host without waiting for them: the
engine queues the next step's work first and reads them then, so the GPU never idles while the
host waits for a copy.  Records therefore trail the training by one step there; their order and
values are the same as on the CPU, where they are read at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.core.errors import CnnvizError
from cnnviz.core.forward_lock import FORWARD_LOCK
from cnnviz.core.train.batches import Batch, BatchStream, Preparer, Transform
from cnnviz.core.train.config_checks import IMAGE_SIZES, check_config, check_numbers
from cnnviz.core.train.control import RunControl
from cnnviz.core.train.datasets import DataSplit
from cnnviz.core.train.faults import nan_message, oom_message, release_memory
from cnnviz.core.train.held_out import HeldOutPass
from cnnviz.core.train.models import (
    build_module,
    choose_device,
    run_inputs,
    model_output,
    prepare_model,
    zoo_title,
)
from cnnviz.core.train.records import (
    EpochRecord,
    ModelInfo,
    ModelStopped,
    Record,
    RunConfig,
    RunFinished,
    RunStarted,
    StepRecord,
)
from cnnviz.core.train.pending import PendingStep
from cnnviz.core.train.precision import Precision
from cnnviz.core.train.runlog import RunLog, unique_run_dir
from cnnviz.core.train.trainee import Trainee, is_out_of_memory, lr_factor, make_optimizer
from cnnviz.core.train.weight_keeper import WeightKeeper

#: Re-exported: callers check a configuration as the engine does before building anything.
__all__ = ["IMAGE_SIZES", "check_config", "check_numbers", "train"]


class _Run:
    """The state of one call to :func:`train`; :meth:`records` is the generator."""

    # Devices on which a logging step's numbers are read one step late (see the module's
    # docstring); elsewhere reading them at once costs nothing.
    DEFERRED_READ = ("cuda",)

    def __init__(self, config: RunConfig, control: RunControl | None,
                 transform: Transform | None, run_dir: str | Path | None,
                 modules: Mapping[str, nn.Module] | None, data: DataSplit | None) -> None:
        check_config(config)
        self.config = config
        self.control = control or RunControl()
        self.device = choose_device(config.device)
        self.precision = Precision.for_run(config, self.device)
        self.amp, self.channels_last = self.precision.amp, self.precision.channels_last
        self._autocast = self.precision.autocast
        self.channels, self.image_size, self.data = run_inputs(config, data,
                                                              from_zoo=modules is None)
        self.prepare = prepare = Preparer(self.data, device=self.device, channels=self.channels,
                           image_size=self.image_size, channels_last=self.channels_last)
        self.stream = BatchStream(self.data, prepare, batch_size=config.batch_size,
                                  seed=config.seed, transform=transform)
        self.held_out = HeldOutPass(self.stream, validate=config.validate,
                                    batch_size=config.batch_size, autocast=self._autocast)
        spe = self.stream.steps_per_epoch
        self.total_steps = config.steps or (config.epochs or 1) * spe
        self.trainees = [self._trainee(m, modules) for m in config.models]
        self.run_dir = unique_run_dir(run_dir) if run_dir is not None else None
        self.log: RunLog | None = None
        self.finished = False
        self.pending: list[PendingStep] = []  # a logging step read one step late
        self.epochs_read: list[PendingStep] = []  # read; their epoch records come next
        self.weights = WeightKeeper()

    def _trainee(self, model_config, modules) -> Trainee:
        num_classes = len(self.data.classes)
        torch.manual_seed(self.config.seed)  # the same architecture starts from the same weights
        if modules is not None:
            module = modules[model_config.label]
            display = zoo_title(model_config.arch) or model_config.arch or type(module).__name__
        else:
            module, display = build_module(model_config, num_classes)
        example = torch.zeros(2, self.channels, self.image_size, self.image_size,
                              device=self.device)
        with self._autocast():
            prepared = prepare_model(model_config, module, display, device=self.device,
                                     example=example, channels_last=self.channels_last,
                                     num_classes=num_classes)
        optimizer = make_optimizer(self.config, prepared.module)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lr_factor(self.config, self.total_steps))
        scaler = torch.amp.GradScaler(self.device.type, enabled=self.precision.scales_loss)
        zero = torch.zeros((), device=self.device)
        return Trainee(prepared, optimizer, scheduler, scaler, zero.clone(), zero.clone())

    # -- the records -------------------------------------------------------------------------

    def _infos(self) -> tuple[ModelInfo, ...]:
        return tuple(
            ModelInfo(name=t.name, arch=t.model.config.arch, display_name=t.model.display_name,
                      layer_names=t.model.recorder.layer_names, frozen=t.model.recorder.frozen,
                      num_params=t.model.num_params,
                      trainable_params=t.model.trainable_params)
            for t in self.trainees
        )

    def _emit(self, record: Record) -> Record:
        if self.log is not None:
            if isinstance(record, StepRecord):
                self.log.log_step(record)
            elif isinstance(record, EpochRecord):
                self.log.log_epoch(record)
            elif isinstance(record, ModelStopped):
                self.log.model_stopped(record)
            elif isinstance(record, RunFinished):
                self.log.finish(record)
        return record

    def records(self) -> Iterator[Record]:
        started = time.perf_counter()
        infos = self._infos()
        if self.run_dir is not None:
            self.log = RunLog(self.run_dir, config=self.config.to_dict(), models=infos, meta={
                "device": str(self.device), "amp": self.amp, "channels_last": self.channels_last,
                "dataset_name": self.data.name, "classes": list(self.data.classes),
                "total_steps": self.total_steps,
                "steps_per_epoch": self.stream.steps_per_epoch,
                **self._inputs(),
            })
        self.step = 0
        reason, message = "completed", ""
        try:
            yield self._emit(RunStarted(
                config=self.config, models=infos, device=str(self.device), amp=self.amp,
                channels_last=self.channels_last, total_steps=self.total_steps,
                steps_per_epoch=self.stream.steps_per_epoch, dataset_name=self.data.name,
                classes=tuple(self.data.classes), train_samples=len(self.data.train_y),
                val_samples=len(self.data.val_y), skipped=self.data.skipped,
                run_dir=str(self.run_dir) if self.run_dir else None, **self._inputs()))
            reason, message = yield from self._steps(started)
            yield from self._read_pending()
        except CnnvizError as exc:
            yield from self._read_pending()  # the last logged step still counts
            reason, message = "error", str(exc)
        except GeneratorExit:
            # The consumer closed the generator early: still leave a complete folder.
            self._log_pending()
            self._keep_all("closed")
            self._finish_log("stopped", "The run was closed before it ended.", started)
            raise
        except BaseException as exc:
            self._log_pending()
            if isinstance(exc, KeyboardInterrupt):
                self._keep_all("closed")
                self._finish_log("stopped", "The run was interrupted.", started)
            else:
                self._keep_all("error")
                self._finish_log("error", f"Training failed: {exc}", started)
            raise
        self._keep_all(reason)
        self.finished = True
        yield self._emit(RunFinished(self.step, reason, message or self._summary(reason),
                                     time.perf_counter() - started,
                                     str(self.run_dir) if self.run_dir else None))

    def _inputs(self) -> dict:
        """The size and normalisation of the models' inputs (for RunStarted and run.json)."""
        return {"image_size": self.image_size, "channels": self.channels,
                "data_size": int(self.data.image_size),
                "mean": tuple(self.prepare.mean.flatten().tolist()),
                "std": tuple(self.prepare.std.flatten().tolist())}

    def _keep_all(self, after: str) -> None:
        for t in self.trainees:
            self.weights.keep(self.log, t, self.step, after)  # kept once per model

    def _finish_log(self, reason: str, message: str, started: float) -> None:
        if self.log is not None and not self.finished:
            self.finished = True
            self.log.finish(RunFinished(self.step, reason, message,
                                        time.perf_counter() - started, str(self.run_dir)))

    def _summary(self, reason: str) -> str:
        step = self.step
        if reason == "completed":
            return f"Training finished after {step} steps."
        if reason == "stopped":
            return f"Training stopped at step {step}, as asked."
        return f"Every model stopped by step {step}."

    def _log_pending(self) -> None:
        """Write the logging step still on its way to the run folder, when the run ends by an
        exception and nobody takes records any more."""
        try:
            for _ in self._read_pending():
                pass  # each record reaches the run folder through _emit
        except Exception:  # noqa: BLE001 - the device may be what failed; the folder is closed next
            pass

    def _read_pending(self):
        """Report the logging step whose numbers are on their way to the host: every model's
        step first, then, at an epoch's end, the epoch of each model still training."""
        while self.pending:  # taken one by one: a run closed midway still logs the rest
            p = self.pending.pop(0)
            if p.trainee.active:
                yield from self._report(p.trainee, p.batch, p.values(), p.lr, p.rate,
                                        p.elapsed)
                if p.epoch is not None:
                    self.epochs_read.append(p)
        while self.epochs_read:
            p = self.epochs_read.pop(0)
            if p.trainee.active:
                yield self._emit(p.epoch_record())

    def _steps(self, started: float):
        config, spe = self.config, self.stream.steps_per_epoch
        batches = iter(self.stream)
        last_time, last_step, step = time.perf_counter(), 0, 0
        defer = self.device.type in self.DEFERRED_READ
        while step < self.total_steps:
            if self.control.paused or self.control.stop_requested:
                yield from self._read_pending()  # show the last step before waiting
            if self.control.checkpoint():
                return "stopped", ""
            try:
                batch = next(batches)
            except Exception as exc:  # noqa: BLE001 - only memory trouble is handled here
                if not is_out_of_memory(exc):
                    raise
                yield from self._read_pending()
                yield from self._out_of_memory(None, step + 1)
                return "out_of_memory", self._oom_message(None)
            step = self.step = batch.step
            epoch_end = step % spe == 0 or step == self.total_steps
            log = step % config.log_every == 0 or epoch_end
            packs: dict[str, tuple[torch.Tensor, float]] = {}
            for trainee in [t for t in self.trainees if t.active]:
                try:
                    pack = self._step(trainee, batch, log)
                except Exception as exc:  # noqa: BLE001 - a failing model must not end its twin
                    if is_out_of_memory(exc):
                        yield from self._read_pending()
                        yield from self._out_of_memory(trainee, step)
                        return "out_of_memory", self._oom_message(trainee)
                    yield from self._read_pending()  # its last good step comes first
                    yield from self._stop(trainee, step, "error",
                                          f"{trainee.name} stopped at step {step}: "
                                          f"{str(exc).splitlines()[0][:200]}")
                    continue
                if pack is not None:
                    packs[trainee.name] = pack
            # This step's work is queued: now the previous logging step can be read.
            yield from self._read_pending()
            if log:
                now = time.perf_counter()
                rate = config.batch_size * (step - last_step) / max(now - last_time, 1e-9)
                last_time, last_step = now, step
                self.pending = [PendingStep(t, batch, packs[t.name], rate, now - started)
                                for t in self.trainees if t.name in packs]
            if epoch_end:  # every epoch end is a logging step: its numbers travel together
                for p in list(self.pending):
                    try:
                        p.attach_epoch(*self.held_out.epoch_sums(p.trainee))
                    except Exception as exc:  # noqa: BLE001 - only memory trouble is handled
                        if not is_out_of_memory(exc):
                            raise
                        p.epoch = None
                        yield from self._read_pending()
                        yield from self._out_of_memory(p.trainee, step)
                        return "out_of_memory", self._oom_message(p.trainee)
            if log and (not defer or step == self.total_steps):
                yield from self._read_pending()
            if not any(t.active for t in self.trainees):
                return "all_models_stopped", ""
        return "completed", ""

    def _step(self, t: Trainee, batch: Batch, log: bool) -> tuple[torch.Tensor, float] | None:
        """One optimiser step; at a logging step, the numbers to report packed in one tensor
        (still on the device) and the learning rate the step used."""
        module = t.model.module
        if not t.in_training_mode:
            module.train()
            for layer in t.model.frozen_norm_layers:
                layer.eval()
            t.in_training_mode = True
        t.optimizer.zero_grad(set_to_none=True)
        with FORWARD_LOCK, self._autocast():
            logits = model_output(module(batch.x))
        loss = F.cross_entropy(logits.float(), batch.y)
        t.scaler.scale(loss).backward()
        loss = loss.detach()
        correct = (logits.detach().argmax(dim=1) == batch.y).sum()
        # A NaN or infinite loss leaves the epoch's sum non-finite until the epoch ends, and
        # every epoch end is a logging step: the sum is the model's "went non-finite" flag.
        t.loss_sum.add_(loss, alpha=len(batch.y))
        t.correct_sum.add_(correct)
        t.seen += len(batch.y)
        lr = t.optimizer.param_groups[0]["lr"]
        if log:
            t.scaler.unscale_(t.optimizer)
            grads = t.model.recorder.grad_norms_tensor()
            t.model.recorder.snapshot_weights()
        t.scaler.step(t.optimizer)
        t.scaler.update()
        t.scheduler.step()
        if not log:
            return None
        weights = t.model.recorder.weight_stats_tensor()
        head = torch.stack([loss.float(), correct.float() / len(batch.y),
                            (~torch.isfinite(t.loss_sum)).float()])
        return torch.cat([head, grads, weights.flatten()]), lr

    def _report(self, t: Trainee, batch: Batch, values: np.ndarray, lr: float, rate: float,
                elapsed: float):
        """The records of one logging step from its numbers, copied to the host in one piece."""
        loss, accuracy, nonfinite = values[:3]
        layers = len(t.model.recorder.layer_names)
        if nonfinite or not math.isfinite(loss):
            others = [o.name for o in self.trainees if o.active and o is not t]
            message = nan_message(t.name, others, self.config.learning_rate, batch.step)
            yield from self._stop(t, batch.step, "nan", message)
            return
        grads = values[3:3 + layers]
        weights = values[3 + layers:3 + 2 * layers]
        ratios = values[3 + 2 * layers:3 + 3 * layers]
        yield self._emit(StepRecord(
            step=batch.step, epoch=batch.epoch, model=t.name, loss=float(loss),
            accuracy=float(accuracy), lr=float(lr), samples_per_s=rate, elapsed_s=elapsed,
            grad_norms=grads, weight_norms=weights, update_ratios=ratios))

    def _oom_message(self, t: Trainee | None) -> str:
        return oom_message(self.device, self.config.batch_size,
                           t.name if t is not None else None)

    def _stop(self, t: Trainee, step: int, reason: str, message: str):
        t.active = False
        t.model.module.zero_grad(set_to_none=True)
        self.weights.keep(self.log, t, self.step, reason)  # it trains no more: final weights
        yield self._emit(ModelStopped(step=step, model=t.name, reason=reason, message=message))

    def _out_of_memory(self, culprit: Trainee | None, step: int):
        message = self._oom_message(culprit)
        release_memory(self.trainees, self.device)
        for t in [t for t in self.trainees if t.active]:
            yield from self._stop(t, step, "out_of_memory", message)


def train(
    config: RunConfig,
    *,
    control: RunControl | None = None,
    transform: Transform | None = None,
    run_dir: str | Path | None = None,
    modules: Mapping[str, nn.Module] | None = None,
    data: DataSplit | None = None,
) -> Iterator[Record]:
    """Train ``config.models`` side by side and yield records as it goes.

    ``run_dir``, when given, is where the run folder is written (a ``-2``... suffix is added
    if it already holds a run; :class:`RunStarted` says which folder was used).
    ``transform`` augments each training image (see :class:`~cnnviz.core.train.batches.
    BatchStream`).  ``modules`` maps model names to ready ``nn.Module`` objects instead of
    building them from the zoo; ``data`` is an already loaded :class:`DataSplit`.

    Setting up happens on the first ``next()``: a configuration that cannot run raises
    :class:`~cnnviz.core.errors.TrainingError` there.
    """
    run = _Run(config, control, transform, run_dir, modules, data)
    yield from run.records()
