"""Reading a run folder back, including one that is still being written.

:func:`read_run` loads a whole folder.  :class:`RunFollower` keeps reading positions and, on
each :meth:`~RunFollower.poll`, returns only the rows added since the last call, so a view can
follow a run another process is writing.  Only complete lines are read: a row cut short by a
kill is ignored, and picked up on the next poll if its writer finishes it.
"""

from __future__ import annotations

import csv
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.records import RunConfig
from cnnviz.core.train.runlog import FORMAT


@dataclass
class Table:
    """Columns of a CSV file as float64 arrays (empty cells read NaN)."""

    columns: tuple[str, ...]
    data: np.ndarray  # shape (rows, len(columns))

    def __len__(self) -> int:
        return self.data.shape[0]

    def column(self, name: str) -> np.ndarray:
        return self.data[:, self.columns.index(name)]

    @property
    def steps(self) -> np.ndarray:
        return self.column("step").astype(np.int64)

    def values(self) -> np.ndarray:
        """Everything but the ``step`` column: for a layer file, (rows, layers)."""
        keep = [i for i, c in enumerate(self.columns) if c != "step"]
        return self.data[:, keep]

    def extend(self, other: Table) -> None:
        if len(other):
            self.data = np.concatenate([self.data, other.data]) if len(self) else other.data


class _CsvTail:
    """Reads the complete lines appended to one CSV file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.columns: tuple[str, ...] | None = None

    def read_new(self) -> Table | None:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return None
        end = chunk.rfind(b"\n")
        if end < 0:
            return self._empty()
        self.offset += end + 1
        lines = chunk[: end + 1].decode("utf-8").splitlines()
        if self.columns is None:
            self.columns = tuple(next(csv.reader([lines[0]])))
            lines = lines[1:]
        rows = [self._parse(line) for line in lines if line]
        rows = [r for r in rows if r is not None]
        if not rows:
            return self._empty()
        return Table(self.columns, np.array(rows, dtype=np.float64))

    def _empty(self) -> Table | None:
        if self.columns is None:
            return None
        return Table(self.columns, np.empty((0, len(self.columns))))

    def _parse(self, line: str) -> list[float] | None:
        cells = line.split(",")
        if len(cells) != len(self.columns or ()):
            return None  # a row from a writer that changed its mind; skip rather than fail
        try:
            return [float(c) if c else float("nan") for c in cells]
        except ValueError:
            return None


@dataclass
class ModelLog:
    """What a run folder holds for one model.

    ``grad_norms``, ``weight_norms`` and ``update_ratios`` are tables with a ``step`` column
    then one column per layer in ``layer_names`` order (the latter two may be empty for a
    folder written by :class:`GradNormRecorder`).  ``stopped`` is ``None`` or a dict with
    ``step``, ``reason`` and ``message``.
    """

    name: str
    folder: str
    arch: str
    display_name: str
    layer_names: tuple[str, ...]
    frozen: tuple[bool, ...]
    num_params: int
    stopped: dict[str, Any] | None
    scalars: Table
    grad_norms: Table
    weight_norms: Table
    update_ratios: Table
    epochs: Table

    def first_to_last_ratio(self) -> float:
        """First trainable layer's latest gradient norm over the last one's (see below)."""
        if not len(self.grad_norms):
            return float("nan")
        return first_to_last_ratio(self.grad_norms.values()[-1])


def first_to_last_ratio(norms: np.ndarray) -> float:
    """The first measured layer's gradient norm divided by the last one's.

    ``norms`` is one row of per-layer norms in depth order; frozen (NaN) layers are skipped.
    Far below 1 means the gradient fades on its way back to the input (0.001: the first layer
    gets a thousandth of what the last gets); about 1 means it arrives intact.  NaN when fewer
    than two layers have a finite norm or the last one is zero.
    """
    row = np.asarray(norms, dtype=np.float64).ravel()
    finite = row[np.isfinite(row)]
    if finite.size < 2 or finite[-1] == 0:
        return float("nan")
    return float(finite[0] / finite[-1])


@dataclass
class RunData:
    """A run folder's contents; ``status`` is "running", "finished", "stopped", "failed" or
    "interrupted" (marked running, but its writer on this machine is gone)."""

    path: Path
    meta: dict[str, Any]
    models: list[ModelLog] = field(default_factory=list)

    @property
    def status(self) -> str:
        return _effective_status(self.meta)

    @property
    def config(self) -> RunConfig | None:
        """The configuration as a :class:`RunConfig`, or ``None`` for a recorder's folder."""
        data = self.meta.get("config") or {}
        if not data.get("models"):
            return None
        try:
            return RunConfig.from_dict(data)
        except (TypeError, ValueError):
            return None

    def model(self, name: str) -> ModelLog:
        for log in self.models:
            if log.name == name:
                return log
        raise KeyError(name)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _effective_status(meta: dict[str, Any]) -> str:
    status = meta.get("status", "unknown")
    pid = meta.get("pid")
    if status == "running" and isinstance(pid, int) and meta.get("host") == socket.gethostname():
        if not _pid_alive(pid):
            return "interrupted"
    return status


def is_run_folder(path: str | Path) -> bool:
    """Cheap check: does ``path`` hold a run.json?"""
    return (Path(path) / "run.json").is_file()


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TrainingError(f"{path} is not a run folder: it has no run.json.") from None
    except (OSError, ValueError) as exc:
        raise TrainingError(f"The run.json in {path} cannot be read ({exc}).") from exc
    if meta.get("format") != FORMAT or not isinstance(meta.get("models"), list):
        raise TrainingError(f"The run.json in {path} was not written by cnnviz.")
    return meta


@dataclass
class RunUpdate:
    """New rows since the previous poll, per model name, and the current run.json."""

    meta: dict[str, Any]
    rows: dict[str, dict[str, Table]]

    @property
    def status(self) -> str:
        return _effective_status(self.meta)

    def is_empty(self) -> bool:
        return not any(len(t) for tables in self.rows.values() for t in tables.values())


_FILES = ("scalars.csv", "grad_norms.csv", "weight_norms.csv", "update_ratios.csv", "epochs.csv")


class RunFollower:
    """Follows a run folder: each :meth:`poll` returns the rows added since the last one."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.meta = _read_meta(self.path)
        self._tails: dict[str, dict[str, _CsvTail]] = {}
        for entry in self.meta["models"]:
            folder = self.path / entry["folder"]
            self._tails[entry["name"]] = {name: _CsvTail(folder / name) for name in _FILES}

    def poll(self) -> RunUpdate:
        try:
            self.meta = _read_meta(self.path)
        except TrainingError:
            pass  # keep the last good copy; the writer replaces it atomically
        rows: dict[str, dict[str, Table]] = {}
        for name, tails in self._tails.items():
            rows[name] = {}
            for file, tail in tails.items():
                table = tail.read_new()
                if table is not None:
                    rows[name][file] = table
        return RunUpdate(self.meta, rows)


def _empty_table(columns: tuple[str, ...]) -> Table:
    return Table(columns, np.empty((0, len(columns))))


def read_run(path: str | Path) -> RunData:
    """Read everything a run folder holds now (it may still be growing)."""
    follower = RunFollower(path)
    update = follower.poll()
    run = RunData(Path(path), update.meta)
    for entry in update.meta["models"]:
        tables = update.rows.get(entry["name"], {})
        layers = tuple(entry.get("layer_names", ()))
        layer_cols = ("step", *layers)

        def table(file: str, columns: tuple[str, ...], tables=tables) -> Table:
            return tables.get(file) or _empty_table(columns)

        run.models.append(ModelLog(
            name=entry["name"],
            folder=entry["folder"],
            arch=entry.get("arch", ""),
            display_name=entry.get("display_name", entry["name"]),
            layer_names=layers,
            frozen=tuple(entry.get("frozen", [False] * len(layers))),
            num_params=int(entry.get("num_params", 0)),
            stopped=entry.get("stopped"),
            scalars=table("scalars.csv", ("step", "epoch", "loss", "accuracy", "lr",
                                          "samples_per_s", "elapsed_s")),
            grad_norms=table("grad_norms.csv", layer_cols),
            weight_norms=table("weight_norms.csv", layer_cols),
            update_ratios=table("update_ratios.csv", layer_cols),
            epochs=table("epochs.csv", ("epoch", "step", "train_loss", "train_accuracy",
                                        "val_loss", "val_accuracy")),
        ))
    return run
