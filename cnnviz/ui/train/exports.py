"""Exporting the Train workspace's plots as PNG and their data as CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from cnnviz.ui import settings
from cnnviz.ui.widgets.banner import Banner


class PlotExports(QObject):
    """The two export actions, the Export button's menu, and the writing itself.

    ``view`` is the :class:`~cnnviz.ui.train.run_view.RunView` whose plots are written; a
    folder that cannot be written is a sentence in ``banner``; ``exported`` says what was
    written (for the status bar).
    """

    exported = Signal(str)

    def __init__(self, view, button: QToolButton, banner: Banner, parent: QWidget) -> None:
        super().__init__(parent)
        self.view, self.button, self.banner = view, button, banner
        self.act_png = QAction("Export Plots as PNG…", parent)
        self.act_png.triggered.connect(lambda: self.export_dialog("png"))
        self.act_csv = QAction("Export Plot Data as CSV…", parent)
        self.act_csv.triggered.connect(lambda: self.export_dialog("csv"))
        menu = QMenu(parent)
        menu.addAction(self.act_png)
        menu.addAction(self.act_csv)
        button.setMenu(menu)
        self.update()

    def update(self) -> None:
        """Enable exporting when there are plots to export."""
        has = bool(self.view.panels)
        for widget in (self.act_png, self.act_csv, self.button):
            widget.setEnabled(has)

    def export_dialog(self, kind: str) -> list[Path]:
        start = settings.read_str("paths/train_export", str(Path.home()))
        folder = QFileDialog.getExistingDirectory(
            self.parent(), "Export Plots as PNG" if kind == "png" else "Export Plot Data as CSV",
            start)
        if not folder:
            return []
        settings.write("paths/train_export", folder)
        return self.export(kind, Path(folder))

    def export(self, kind: str, folder: Path) -> list[Path]:
        """Write the plots (``"png"``) or their data (``"csv"``) into ``folder``."""
        try:
            files = self.view.export_png(folder) if kind == "png" else \
                self.view.export_csv(folder)
        except OSError as exc:
            self.banner.show_message(f"Could not write into {folder} ({exc.strerror or exc}); "
                                     "choose a folder you can write to.")
            return []
        self.exported.emit(f"Exported {len(files)} files to {folder}.")
        return files
