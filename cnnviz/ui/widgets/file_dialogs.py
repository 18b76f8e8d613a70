"""File dialogs that start where the user last was.

Every open/save/folder dialog in cnnviz goes through these, so each kind of file (pictures,
pipelines, exports, runs, weights…) remembers its own folder under ``paths/<key>`` in the
settings, and a save dialog always gives the file its suffix.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from cnnviz.ui import settings


def last_folder(key: str, fallback: Path | None = None) -> Path:
    """The folder last used for ``key`` (or ``fallback``, or the home folder)."""
    stored = Path(settings.read_str(f"paths/{key}", "") or "")
    if stored.is_file():  # older versions kept the last file, not its folder
        stored = stored.parent
    if str(stored) not in ("", ".") and stored.is_dir():
        return stored
    return fallback if fallback is not None else Path.home()


def remember_folder(key: str, folder: Path) -> None:
    settings.write(f"paths/{key}", str(folder))


def ask_open_file(parent: QWidget | None, title: str, key: str, file_filter: str,
                  fallback: Path | None = None) -> Path | None:
    """One existing file, or None when cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder(key, fallback)),
                                          file_filter)
    if not name:
        return None
    remember_folder(key, Path(name).parent)
    return Path(name)


def ask_open_files(parent: QWidget | None, title: str, key: str, file_filter: str) -> list[Path]:
    """Any number of existing files (empty when cancelled)."""
    names, _ = QFileDialog.getOpenFileNames(parent, title, str(last_folder(key)), file_filter)
    if names:
        remember_folder(key, Path(names[0]).parent)
    return [Path(n) for n in names]


def ask_save_file(parent: QWidget | None, title: str, key: str, name: str, file_filter: str,
                  suffix: str) -> Path | None:
    """Where to save a file first called ``name``; the result always ends in ``suffix``
    (".json", ".png"…), whatever the user typed.  None when cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(last_folder(key) / name),
                                            file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)
    remember_folder(key, path.parent)
    return path


def ask_folder(parent: QWidget | None, title: str, key: str, fallback: Path | None = None,
               remember_parent: bool = False) -> Path | None:
    """An existing folder, or None when cancelled.  With ``remember_parent`` the next dialog
    starts beside the chosen folder (a run folder among its siblings) rather than in it."""
    chosen = QFileDialog.getExistingDirectory(parent, title, str(last_folder(key, fallback)))
    if not chosen:
        return None
    path = Path(chosen)
    remember_folder(key, path.parent if remember_parent else path)
    return path
