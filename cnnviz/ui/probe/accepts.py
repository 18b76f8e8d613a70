"""Which files Look inside takes, decided without importing the panel.

A dropped picture, augmentation pipeline (.json) or weights file can be routed to the
panel before its widgets and torch are imported, so this module imports nothing but pathlib
and the core's list of picture suffixes.
"""

from __future__ import annotations

from pathlib import Path

from cnnviz.core.augment.image_io import IMAGE_SUFFIXES

# The files a saved PyTorch state dict usually comes in.
WEIGHTS_SUFFIXES = (".pth", ".pt", ".bin", ".ckpt")
PIPELINE_SUFFIX = ".json"


def file_kind(path: str | Path) -> str | None:
    """"image", "pipeline" or "weights" by the file's suffix; None for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix == PIPELINE_SUFFIX:
        return "pipeline"
    if suffix in WEIGHTS_SUFFIXES:
        return "weights"
    return None


def can_open(path: str | Path) -> bool:
    """Whether ``path`` is a file Look inside shows: a picture, a pipeline or weights."""
    path = Path(path)
    return path.is_file() and file_kind(path) is not None
