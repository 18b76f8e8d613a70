"""Past runs: the run folders under the runs folder, newest first, to reopen with a click.

Only each folder's ``run.json`` is read to list it (its CSV files are read when it opens), so
a folder of hundreds of runs lists at once; still, listing them is work for the window's
thread, so the list is made again each time it is shown (a run may have been deleted or
moved meanwhile), never while it is hidden (:meth:`RunBrowser.refresh_later`).  A run whose
writer is still going shows as "running" and opens followed live.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.errors import CnnvizError
from cnnviz.core.train.runreader import RunUpdate, read_meta
from cnnviz.ui.train.names import device_name, meta_title

STATUS_LABELS = {"running": "● Running", "finished": "Finished", "stopped": "Stopped",
                 "failed": "Failed", "interrupted": "Interrupted"}


def list_runs(root: Path) -> list[tuple[Path, dict]]:
    """(folder, run.json contents) of every run directly under ``root`` (or ``root`` itself),
    newest first; folders whose run.json cannot be read, or is damaged, are left out."""
    root = Path(root)
    candidates = [root] if (root / "run.json").is_file() else []
    if root.is_dir():
        try:
            candidates += [p for p in root.iterdir() if (p / "run.json").is_file()]
        except OSError:  # a folder we may not list
            pass
    runs = []
    for folder in candidates:
        try:
            runs.append((folder, read_meta(folder)))
        except CnnvizError:
            continue
    runs.sort(key=lambda r: r[1].get("created", ""), reverse=True)
    return runs


def _when(meta: dict) -> str:
    try:
        stamp = datetime.fromisoformat(meta.get("created", "")).astimezone()
    except ValueError:
        return ""
    return stamp.strftime("%d %b %Y, %H:%M")


def _row_lines(folder: Path, meta: dict) -> list[str]:
    """A run's row: its models and switches, then its length and data set, then when and
    where it ran (the data set on a line of its own: beside the date it pushed the date out
    of a narrow column)."""
    models, _, rest = meta_title(meta).partition(" · ")
    device = meta.get("device")
    when = " · ".join(x for x in (_when(meta), device_name(device) if device else "") if x)
    return [line for line in (models or folder.name, rest, when) if line]


class RunBrowser(QWidget):
    """The list of past runs; emits :attr:`open_requested` with a folder to open."""

    open_requested = Signal(object)      # Path of a run folder
    open_folder_requested = Signal()     # "Open a run folder…" pressed

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.root: Path | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Run", "Status"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.empty = QLabel(wordWrap=True)
        self.empty.setProperty("role", "muted")
        self.where = QLabel(wordWrap=True)
        self.where.setProperty("role", "muted")
        open_button = QPushButton("Open a run folder…")
        open_button.setToolTip("Open a run saved by the Train workspace or cnnviz train, or a "
                               "run logged from your own PyTorch script (see the README)")
        open_button.clicked.connect(self.open_folder_requested)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(open_button, 1)
        row.addWidget(refresh)
        col = QVBoxLayout(self)
        col.setContentsMargins(14, 12, 14, 12)
        col.setSpacing(8)
        col.addWidget(self.where)
        col.addWidget(self.tree, 1)
        col.addWidget(self.empty)
        col.addLayout(row)

    def set_root(self, root: Path) -> None:
        self.root = Path(root)
        self.refresh()

    def refresh_later(self) -> None:
        """List the runs again now if the list is on screen, else when it is next shown."""
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        # Always: a run may have been deleted, moved or added by hand meanwhile.
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """List the runs under the root folder now."""
        self.tree.clear()
        root = self.root
        runs = list_runs(root) if root is not None else []
        self.where.setText(f"Runs in {root}" if root is not None else "")
        for folder, meta in runs:
            status = RunUpdate(meta, {}).status
            item = QTreeWidgetItem(["\n".join(_row_lines(folder, meta)),
                                    STATUS_LABELS.get(status, status)])
            item.setData(0, Qt.ItemDataRole.UserRole, str(folder))
            item.setToolTip(0, str(folder))
            self.tree.addTopLevelItem(item)
        self.empty.setText("" if runs else self._empty_text())
        self.empty.setVisible(not runs)

    def _empty_text(self) -> str:
        """What the list says with no run in it, naming the folder it looks in."""
        root = self.root
        if root is None:
            return "Open a run folder with the button below."
        if not root.exists():
            return (f"There is no folder {root} yet: the first run you start creates it. "
                    "Open any other run folder with the button below.")
        return (f"No runs in {root} yet. Runs you start are saved there; open any other run "
                "folder with the button below.")

    def paths(self) -> list[Path]:
        return [Path(self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole))
                for i in range(self.tree.topLevelItemCount())]

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        path = Path(item.data(0, Qt.ItemDataRole.UserRole))
        self.open_requested.emit(path)  # a folder gone meanwhile is a sentence there
        if not (path / "run.json").is_file():
            self.refresh()
