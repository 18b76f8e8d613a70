"""Which files the Augment workspace opens, decided without importing the workspace.

The main window asks this when a file is dropped or opened, before the studio (its widgets,
superqt, the preview workers) has been imported, so this module imports nothing but pathlib,
the core's list of picture suffixes and the window's own file kinds.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from cnnviz.core.augment.image_io import IMAGE_SUFFIXES
from cnnviz.ui.file_kinds import is_pipeline_file

# Entries looked at to decide whether a folder holds pictures: enough for a data set's
# class folders, few enough that a drop of a huge folder answers at once.
FOLDER_PEEK = 200


def can_open(path: str | Path) -> bool:
    """A picture by its suffix, a saved pipeline (see
    :func:`cnnviz.ui.file_kinds.is_pipeline_file`), or a folder
    holding pictures or sub-folders (but not a training run, which has a run.json).  A
    folder that cannot be read is refused."""
    path = Path(path)
    if path.is_file():
        return path.suffix.lower() in IMAGE_SUFFIXES or is_pipeline_file(path)
    if path.is_dir() and not (path / "run.json").exists():
        try:
            entries = itertools.islice(path.iterdir(), FOLDER_PEEK)
            return any(p.suffix.lower() in IMAGE_SUFFIXES or p.is_dir() for p in entries)
        except OSError:
            return False
    return False
