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
import re
import socket
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.records import RunConfig
from cnnviz.core.train.run_weights import SavedWeights, checked_weights
from cnnviz.core.train.runlog import FORMAT, VERSION
from cnnviz.core.train.sizes import size_words


# Lines parsed in one numpy call (about 20 ms for a 20-layer model's gradient norms).
_BLOCK_LINES = 2048

# An empty cell: between two commas, or a comma and the start or end of a line.
_EMPTY_CELL = re.compile(r"(?:(?<=,)|^)(?=,|$)", re.MULTILINE)


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
        except OSError as exc:
            raise TrainingError(f"{self.path.name} in {self.path.parent} cannot be read "
                                f"({exc.strerror or exc}).") from None
        end = chunk.rfind(b"\n")
        if end < 0:
            return self._empty()
        first = self.offset == 0
        self.offset += end + 1
        # A spreadsheet program may have saved the file with a byte-order mark or in another
        # encoding: a cell it garbled fails to parse and only its row is skipped.
        text = chunk[: end + 1].decode("utf-8-sig" if first else "utf-8", errors="replace")
        lines = text.splitlines()
        if self.columns is None:
            self.columns = tuple(c.strip() for c in next(csv.reader([lines[0]]), []))
            if "step" not in self.columns:
                raise TrainingError(f"{self.path.name} in {self.path.parent} has no step "
                                    "column, so it was not written by cnnviz.")
            lines = lines[1:]
        data = self._rows([line for line in lines if line])
        if not len(data):
            return self._empty()
        return Table(self.columns, data)

    def _rows(self, lines: list[str]) -> np.ndarray:
        """The lines' numbers as a (rows, columns) array, parsed a block at a time (numpy
        holds the GIL while it parses: between blocks the window's thread gets its turn)."""
        width = len(self.columns or ())
        blocks = [self._block(lines[i:i + _BLOCK_LINES])
                  for i in range(0, len(lines), _BLOCK_LINES)]
        return np.concatenate(blocks) if blocks else np.empty((0, width))

    def _block(self, lines: list[str]) -> np.ndarray:
        """Regular lines (the right number of cells) are parsed by numpy in one call, so a
        long run opens in a moment; with an odd line among them, each line is parsed on its
        own and the odd ones are skipped."""
        width = len(self.columns or ())
        if lines and all(line.count(",") == width - 1 for line in lines):
            text = "\n".join(lines)
            if ",," in text or ",\n" in text or "\n," in text or text[0] == "," or \
                    text[-1] == ",":
                text = _EMPTY_CELL.sub("nan", text)  # an empty cell reads NaN
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    values = np.fromstring(text.replace("\n", ","), dtype=np.float64, sep=",")
            except ValueError:  # a cell that is not a number
                values = None
            if values is not None and values.size == len(lines) * width:
                return values.reshape(len(lines), width)
        rows = [r for r in (self._parse(line) for line in lines) if r is not None]
        return np.array(rows, dtype=np.float64).reshape(len(rows), width)

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
    weights: SavedWeights | None = None

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


def read_meta(path: str | Path) -> dict[str, Any]:
    """The run.json of the run folder ``path``, checked: anything a reader relies on has the
    right type (see :func:`_checked_meta`).  Raises :class:`TrainingError` with a sentence
    naming the folder otherwise."""
    path = Path(path)
    try:
        meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        if not path.exists():
            raise TrainingError(f"This run was deleted or moved: {path} no longer "
                                "exists.") from None
        raise TrainingError(f"{path} is not a run folder: it has no run.json.") from None
    except UnicodeDecodeError:
        raise TrainingError(f"The run.json in {path} is not a text file.") from None
    except OSError as exc:
        raise TrainingError(f"The run.json in {path} cannot be read "
                            f"({exc.strerror or exc}).") from None
    except ValueError as exc:
        raise TrainingError(f"The run.json in {path} is damaged ({exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise TrainingError(f"The run.json in {path} was not written by cnnviz.")
    version = meta.get("version", VERSION)
    if not isinstance(version, int) or version > VERSION:
        raise TrainingError(f"The run in {path} was written by a newer cnnviz (run format "
                            f"{version}); update cnnviz to open it.")
    try:
        return _checked_meta(meta)
    except (TypeError, ValueError) as exc:
        raise TrainingError(f"The run.json in {path} is damaged: {exc}.") from None


def _checked_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``meta`` whose fields have the types readers expect; raises ValueError or
    TypeError with what is wrong.  Optional fields of the wrong type are dropped."""
    models = meta.get("models")
    if not isinstance(models, list):
        raise ValueError("it lists no models")
    checked = []
    for entry in models:
        if not isinstance(entry, dict):
            raise ValueError("a model entry is not a record")
        name, folder = entry.get("name"), entry.get("folder")
        if not isinstance(name, str) or not isinstance(folder, str) or not folder:
            raise ValueError("a model has no name or folder")
        if Path(folder).is_absolute() or ".." in Path(folder).parts:
            raise ValueError(f"model {name}'s folder {folder!r} is outside the run folder")
        layers = entry.get("layer_names", [])
        if not isinstance(layers, list) or not all(isinstance(n, str) for n in layers):
            raise ValueError(f"model {name}'s layer names are not a list of names")
        entry = dict(entry)
        frozen = entry.get("frozen")
        if not (isinstance(frozen, list) and len(frozen) == len(layers)):
            entry["frozen"] = [False] * len(layers)
        entry["frozen"] = [bool(f) for f in entry["frozen"]]
        if not isinstance(entry.get("stopped"), (dict, type(None))):
            entry["stopped"] = {"message": str(entry["stopped"])}
        for key in ("display_name", "arch"):
            if not isinstance(entry.get(key, ""), str):
                entry.pop(key)
        if not isinstance(entry.get("num_params", 0), (int, float)):
            entry.pop("num_params")
        if "weights" in entry:  # optional: older folders and a script's folders have none
            weights = checked_weights(entry["weights"])
            if weights is None:
                entry.pop("weights")
            else:
                entry["weights"] = weights
        checked.append(entry)
    meta = dict(meta, models=checked)
    for key in ("created", "status", "source", "host"):
        if key in meta and not isinstance(meta[key], str):
            meta[key] = str(meta[key])
    if not isinstance(meta.get("config", {}), dict):
        meta.pop("config")
    if isinstance(meta.get("dataset_name"), str):
        meta["dataset_name"] = size_words(meta["dataset_name"])  # "32x32" in older runs
    elif "dataset_name" in meta:
        meta.pop("dataset_name")
    if not isinstance(meta.get("pid"), (int, type(None))):
        meta.pop("pid")
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
    """Follows a run folder: each :meth:`poll` returns the rows added since the last one.

    ``files`` names the CSV files to read (all of a model's by default); a view that plots
    only some of them reads a long run several times faster.
    """

    def __init__(self, path: str | Path, files: tuple[str, ...] = _FILES) -> None:
        self.path = Path(path)
        self.meta = read_meta(self.path)
        self._tails: dict[str, dict[str, _CsvTail]] = {}
        for entry in self.meta["models"]:
            folder = self.path / entry["folder"]
            self._tails[entry["name"]] = {name: _CsvTail(folder / name) for name in files}

    def poll(self) -> RunUpdate:
        try:
            self.meta = read_meta(self.path)
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
            weights=SavedWeights.from_entry(entry),
        ))
    return run
