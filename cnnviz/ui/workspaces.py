"""The window's workspaces: what each one is, which files it opens, and loading it on demand.

A workspace's module is imported the first time it is shown, because importing one costs
time (the studio pulls in its widget libraries, every workspace eventually torch).  Deciding
where a dropped file goes must not pay that: each workspace names a light *accepts*
function (``"module:function"``, a module that imports nothing heavier than the standard
library) that answers from the file's name and a glance at a folder.

Nothing here touches Qt widgets; :class:`WorkspaceRegistry` only imports classes and keeps the
sentence that explains a workspace that could not be loaded.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cnnviz.core.augment.image_io import IMAGE_SUFFIXES
from cnnviz.ui.file_kinds import MODEL_SUFFIXES, is_pipeline_file


@dataclass
class WorkspaceEntry:
    key: str
    title: str
    module: str
    class_name: str
    icon: str
    hint: str  # what the workspace opens, for messages when it is unavailable
    accepts: str  # "module:function" answering whether the workspace opens a path


WORKSPACES = (
    WorkspaceEntry("arch", "Architectures", "cnnviz.ui.arch.workspace", "ArchitecturesWorkspace",
                   "architectures", "network files (.py, .pt)",
                   "cnnviz.ui.file_kinds:is_model_file"),
    WorkspaceEntry("augment", "Augment", "cnnviz.ui.augment.workspace", "AugmentWorkspace",
                   "augment", "images", "cnnviz.ui.augment.accepts:can_open"),
    WorkspaceEntry("train", "Train", "cnnviz.ui.train.workspace", "TrainWorkspace",
                   "train", "training runs (folders with run.json)",
                   "cnnviz.ui.file_kinds:is_run_folder"),
)


def entry(key: str) -> WorkspaceEntry:
    return next(w for w in WORKSPACES if w.key == key)


def natural_owner(path: Path) -> str | None:
    """Which workspace a path belongs to by its kind alone, even when that workspace (or its
    accepts function) is missing from this build, so its page can say why nothing opened."""
    if path.is_dir():
        return "train" if (path / "run.json").exists() else None
    suffix = path.suffix.lower()
    if suffix in MODEL_SUFFIXES:
        return "arch"
    if suffix in IMAGE_SUFFIXES or is_pipeline_file(path):
        return "augment"
    return None


class WorkspaceRegistry:
    """Imports workspace classes and accepts functions on first use and remembers the
    outcome; a workspace that failed to load is None, with :meth:`error` saying why."""

    def __init__(self) -> None:
        self._classes: dict[str, type | None] = {}
        self._errors: dict[str, str] = {}
        self._accepts: dict[str, Callable[[Path], bool] | None] = {}

    def workspace_class(self, key: str) -> type | None:
        """The workspace class for ``key``, imported on first use; None when unavailable."""
        if key not in self._classes:
            found = entry(key)
            try:
                module = importlib.import_module(found.module)
                self._classes[key] = getattr(module, found.class_name)
            except ModuleNotFoundError as exc:
                self._classes[key] = None
                self._errors[key] = _missing_sentence(found, exc)
            except Exception as exc:  # a broken workspace must not take the window down
                self._classes[key] = None
                self._errors[key] = f"The {found.title} workspace failed to load: {exc}"
        return self._classes[key]

    def failed_to_start(self, key: str, exc: Exception) -> str:
        """Note that the workspace's class raised while building its page; returns why."""
        self._classes[key] = None
        self._errors[key] = f"The {entry(key).title} workspace failed to start: {exc}"
        return self._errors[key]

    def error(self, key: str) -> str:
        return self._errors.get(key, "")

    def accepts(self, key: str, path: Path) -> bool:
        """Whether workspace ``key`` opens ``path``, asked without importing the workspace.
        A workspace that failed to load accepts nothing; a failing accepts function counts
        as a no, so one workspace's bug never stops files from reaching the others."""
        if key in self._classes and self._classes[key] is None:
            return False
        if key not in self._accepts:
            module_name, _, name = entry(key).accepts.partition(":")
            try:
                self._accepts[key] = getattr(importlib.import_module(module_name), name)
            except Exception:  # a build without it: natural_owner still routes the file
                self._accepts[key] = None
        fn = self._accepts[key]
        if fn is None:
            return False
        try:
            return bool(fn(path))
        except Exception:
            return False


def _missing_sentence(found: WorkspaceEntry, exc: ModuleNotFoundError) -> str:
    if exc.name and found.module.startswith(exc.name):
        return (f"This copy of cnnviz was built without the {found.title} workspace "
                f"(the module {found.module} is not installed), so it cannot open {found.hint}.")
    return f"The {found.title} workspace needs the Python package '{exc.name}', which is not installed."
