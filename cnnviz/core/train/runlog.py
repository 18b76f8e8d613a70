"""Writing a run folder as training goes, so a crash or a kill loses at most one step.

Layout of a run folder::

    run.json                 format, status, configuration, device, and per model its
                             folder, layer names (depth order) and frozen mask
    <model>/scalars.csv      step,epoch,loss,accuracy,lr,samples_per_s,elapsed_s
    <model>/grad_norms.csv   step, then one column per layer in depth order
    <model>/weight_norms.csv same columns as grad_norms.csv
    <model>/update_ratios.csv
    <model>/epochs.csv       epoch,step,train_loss,train_accuracy,val_loss,val_accuracy
    <model>/weights.pt       the trained state_dict, once the model stopped training
                             (see :mod:`cnnviz.core.train.run_weights`)

Every row is written with one ``write`` call and flushed at once; ``run.json`` is replaced
atomically whenever the status changes.  :mod:`cnnviz.core.train.runreader` reads it back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.records import (
    EpochRecord,
    ModelInfo,
    ModelStopped,
    RunFinished,
    StepRecord,
)

FORMAT = "cnnviz-run"
VERSION = 1

SCALAR_COLUMNS = ("step", "epoch", "loss", "accuracy", "lr", "samples_per_s", "elapsed_s")
EPOCH_COLUMNS = ("epoch", "step", "train_loss", "train_accuracy", "val_loss", "val_accuracy")
LAYER_FILES = ("grad_norms.csv", "weight_norms.csv", "update_ratios.csv")


def unique_run_dir(path: str | Path) -> Path:
    """``path`` itself when it holds no run yet, else the first free ``path-2``, ``path-3``..."""
    path = Path(path)
    candidate, n = path, 1
    while (candidate / "run.json").exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _folder_name(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._") or "model"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return format(float(value), ".7g")


def _header(columns: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(columns))
    return buffer.getvalue()


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` with ``data`` so that a reader never sees half a file."""
    text = json.dumps(data, indent=2, allow_nan=False, default=str)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class _ModelFiles:
    """The open CSV files of one model."""

    def __init__(self, folder: Path, layer_names: Sequence[str], with_weights: bool) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, TextIO] = {}
        self._open(folder, "scalars.csv", SCALAR_COLUMNS)
        self._open(folder, "grad_norms.csv", ("step", *layer_names))
        if with_weights:
            self._open(folder, "weight_norms.csv", ("step", *layer_names))
            self._open(folder, "update_ratios.csv", ("step", *layer_names))
        self._open(folder, "epochs.csv", EPOCH_COLUMNS)

    def _open(self, folder: Path, name: str, columns: Sequence[str]) -> None:
        handle = open(folder / name, "w", encoding="utf-8", newline="")
        handle.write(_header(columns))
        handle.flush()
        self.files[name] = handle

    def row(self, name: str, values: Iterable[Any]) -> None:
        handle = self.files.get(name)
        if handle is None:
            return
        handle.write(",".join(_number(v) for v in values) + "\n")

    def flush(self) -> None:
        for handle in self.files.values():
            handle.flush()

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class RunLog:
    """Writes one run folder; create it, feed it records, then :meth:`finish` it.

    ``run_dir`` must not already hold a run (use :func:`unique_run_dir`).  ``config`` is the
    run's configuration as a JSON-able dict; ``meta`` adds top-level fields to ``run.json``
    (device, data set, ...).
    """

    def __init__(
        self,
        run_dir: str | Path,
        *,
        config: dict[str, Any],
        models: Sequence[ModelInfo],
        meta: dict[str, Any] | None = None,
        with_weights: bool = True,
        source: str = "cnnviz train",
    ) -> None:
        self.run_dir = Path(run_dir)
        if (self.run_dir / "run.json").exists():
            raise TrainingError(f"The folder {self.run_dir} already holds a run; choose another.")
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrainingError(
                f"Cannot create the run folder {self.run_dir} ({exc.strerror or exc}); "
                "choose a folder you can write to."
            ) from exc
        taken: set[str] = set()
        self._files: dict[str, _ModelFiles] = {}
        entries = []
        for info in models:
            folder = _folder_name(info.name, taken)
            entries.append({
                "name": info.name,
                "folder": folder,
                "arch": info.arch,
                "display_name": info.display_name,
                "layer_names": list(info.layer_names),
                "frozen": list(info.frozen),
                "num_params": info.num_params,
                "trainable_params": info.trainable_params,
                "stopped": None,
            })
        self._meta = {
            "format": FORMAT,
            "version": VERSION,
            "source": source,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "status": "running",
            "pid": os.getpid(),
            "host": socket.gethostname(),
            **(meta or {}),
            "config": config,
            "models": entries,
            "finished": None,
        }
        # run.json first: a folder never holds CSV files without the file that explains them.
        try:
            self._write_meta()
        except ValueError as exc:  # a setting json cannot write (NaN, infinity)
            try:
                self.run_dir.rmdir()  # made just now, and still empty
            except OSError:
                pass
            raise TrainingError(f"The run's settings cannot be saved ({exc}).") from None
        for info, entry in zip(models, entries):
            self._files[info.name] = _ModelFiles(self.run_dir / entry["folder"],
                                                 info.layer_names, with_weights)
        self._started = time.perf_counter()

    @classmethod
    def for_recorder(cls, run_dir: Path, name: str, arch: str, layer_names: Sequence[str],
                     frozen: Sequence[bool], model: Any,
                     config: dict[str, Any] | None = None) -> RunLog:
        """The run folder of a :class:`GradNormRecorder` used in someone's own script."""
        params = list(model.parameters())
        info = ModelInfo(
            name=name, arch=arch, display_name=arch, layer_names=tuple(layer_names),
            frozen=tuple(frozen), num_params=sum(p.numel() for p in params),
            trainable_params=sum(p.numel() for p in params if p.requires_grad),
        )
        return cls(unique_run_dir(run_dir), config=config or {}, models=[info],
                   with_weights=False, source="GradNormRecorder")

    def _write_meta(self) -> None:
        write_json_atomic(self.run_dir / "run.json", self._meta)

    def _model(self, name: str) -> _ModelFiles:
        try:
            return self._files[name]
        except KeyError:
            raise KeyError(f"no model {name!r} in this run") from None

    def log_step(self, rec: StepRecord) -> None:
        files = self._model(rec.model)
        files.row("scalars.csv", (rec.step, rec.epoch, rec.loss, rec.accuracy, rec.lr,
                                  rec.samples_per_s, rec.elapsed_s))
        files.row("grad_norms.csv", (rec.step, *rec.grad_norms))
        files.row("weight_norms.csv", (rec.step, *rec.weight_norms))
        files.row("update_ratios.csv", (rec.step, *rec.update_ratios))
        files.flush()

    def log_row(self, model: str, step: int, grad_norms: np.ndarray, *, loss: float | None,
                accuracy: float | None, lr: float | None, epoch: int | None) -> None:
        """A step from a user's own loop: whatever scalars it has, and the gradient norms."""
        files = self._model(model)
        elapsed = time.perf_counter() - self._started
        files.row("scalars.csv", (step, epoch, loss, accuracy, lr, None, elapsed))
        files.row("grad_norms.csv", (step, *grad_norms))
        files.flush()

    def log_epoch(self, rec: EpochRecord) -> None:
        files = self._model(rec.model)
        files.row("epochs.csv", (rec.epoch, rec.step, rec.train_loss, rec.train_accuracy,
                                 rec.val_loss, rec.val_accuracy))
        files.flush()

    def folder_of(self, name: str) -> str:
        """The sub-folder (relative to the run folder) that holds model ``name``'s files."""
        for entry in self._meta["models"]:
            if entry["name"] == name:
                return entry["folder"]
        raise KeyError(f"no model {name!r} in this run")

    def weights_saved(self, name: str, weights: dict[str, Any]) -> None:
        """Record model ``name``'s saved weights (``{"file", "step", "after"}``)."""
        for entry in self._meta["models"]:
            if entry["name"] == name:
                entry["weights"] = dict(weights)
        self._write_meta()

    def model_stopped(self, rec: ModelStopped) -> None:
        for entry in self._meta["models"]:
            if entry["name"] == rec.model:
                entry["stopped"] = {"step": rec.step, "reason": rec.reason,
                                    "message": rec.message}
        self._write_meta()

    def finish(self, rec: RunFinished) -> None:
        """Close the files and record how the run ended."""
        status = "finished" if rec.reason in ("completed", "all_models_stopped") else (
            "stopped" if rec.reason == "stopped" else "failed")
        self._meta["status"] = status
        self._meta["finished"] = {"step": rec.step, "reason": rec.reason,
                                  "message": rec.message, "elapsed_s": round(rec.elapsed_s, 3)}
        self._close_files()
        self._write_meta()

    def close_finished(self) -> None:
        """Close a recorder's run folder: it ended when the user's script said so."""
        self._meta["status"] = "finished"
        self._close_files()
        self._write_meta()

    def _close_files(self) -> None:
        for files in self._files.values():
            files.close()
