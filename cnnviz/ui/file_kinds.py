"""Which files the workspaces open (networks, run folders, saved pipelines), answered
without importing them.

The window asks these when a file is dropped or given on the command line (see
:mod:`cnnviz.ui.workspaces`); the workspaces use the same functions, so the two never
disagree.  Only the standard library is imported here.
"""

from __future__ import annotations

from pathlib import Path

# Kept equal to cnnviz.core.augment.pipeline.FORMAT (a test checks): the marker a saved
# augmentation pipeline writes on its second line.
PIPELINE_FORMAT = "cnnviz-augment-pipeline"
# Bytes read to find that marker: a hand-written pipeline with many steps still names its
# format within this much.
PIPELINE_PEEK = 64 * 1024

# Kept equal to cnnviz.core.zoo.user_file.MODEL_FILE_SUFFIXES (a test checks), which this
# module does not import: that would load torch.
MODEL_SUFFIXES = (".py", ".pt", ".pth", ".ts")
#: The open dialogs' filter for network files.
MODEL_FILE_FILTER = ("Network files (" + " ".join(f"*{s}" for s in MODEL_SUFFIXES)
                     + ");;All files (*)")


def is_model_file(path: Path) -> bool:
    """A file the explorer loads as a network of one's own: Python source (.py) or a network
    PyTorch saved (.pt, .pth, .ts; what is inside is checked when it is opened)."""
    path = Path(path)
    return path.suffix.lower() in MODEL_SUFFIXES and path.is_file()


def is_run_folder(path: Path) -> bool:
    """A training run's folder: one holding a run.json (written by the lab, the command line
    or a script through GradNormRecorder)."""
    path = Path(path)
    return path.is_dir() and (path / "run.json").is_file()


def is_pipeline_file(path: str | Path) -> bool:
    """A ``.json`` file that names the studio's pipeline format near its start.  Only a
    glance: the file may still be broken further on, which loading it reports.  Other JSON
    (a run's run.json, a notebook's settings) is refused."""
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as file:
            head = file.read(PIPELINE_PEEK)
    except OSError:
        return False
    return f'"{PIPELINE_FORMAT}"'.encode() in head
