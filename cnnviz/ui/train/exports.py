"""Exporting the Train workspace's plots as PNG and their data as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pyqtgraph.exporters as exporters

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QObject, Signal
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QMenu, QToolButton, QWidget

from cnnviz.core.errors import CnnvizError
from cnnviz.core.inspect.textio import ExportError, atomic_write_bytes, atomic_write_text
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.widgets.file_dialogs import ask_folder


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
        folder = ask_folder(
            self.parent(), "Export Plots as PNG" if kind == "png" else "Export Plot Data as CSV",
            "train_export")
        if folder is None:
            return []
        return self.export(kind, folder)

    def export(self, kind: str, folder: Path) -> list[Path]:
        """Write the plots (``"png"``) or their data (``"csv"``) into ``folder``."""
        try:
            files = write_pngs(self.view, folder) if kind == "png" else \
                write_csvs(self.view.run, folder)
        except CnnvizError as exc:  # a file that could not be written, in a sentence
            self.banner.show_message(str(exc))
            return []
        except OSError as exc:
            self.banner.show_message(f"Could not write into {folder} ({exc.strerror or exc}); "
                                     "choose a folder you can write to.")
            return []
        self.exported.emit(f"Exported {len(files)} files to {folder}.")
        return files


def write_pngs(view, folder: str | Path) -> list[Path]:
    """Every plot of ``view`` (a :class:`~cnnviz.ui.train.run_view.RunView`) as its own PNG
    (pyqtgraph's exporter), and the whole view; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    view.refresh()
    written = []
    plots = []
    for panel in view.panels:
        name = _safe(panel.series.name)
        plots.append((f"{name}-depth.png", panel.depth_plot))
        plots.append((f"{name}-heatmap.png", panel.heat_map))
    history = view.history
    for filename, widget in plots:
        written.append(atomic_write_bytes(folder / filename, _plot_png(widget)))
    # A picture of one history plot has no heading or legend row beside it: it gets its own.
    with history.dressed_for_export():
        for filename, widget in (("layers-over-time.png", history.layers),
                                 ("loss.png", history.loss), ("accuracy.png", history.accuracy)):
            written.append(atomic_write_bytes(folder / filename, _plot_png(widget)))
    # Exporting re-measures the axes at the picture's scale, and the dressing comes and
    # goes: lay the plots out again before the page is grabbed as it is on screen.
    for _filename, widget in plots + [("", history.layers), ("", history.loss),
                                      ("", history.accuracy)]:
        widget.getPlotItem().layout.activate()
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    with history.as_picture():
        # The picture's legend may wrap otherwise than the screen's: lay it out first.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        overview = view.plots_page.grab().toImage()
    written.append(atomic_write_bytes(folder / "overview.png", _png_bytes(overview)))
    return written


def _plot_png(widget) -> bytes:
    exporter = exporters.ImageExporter(widget.getPlotItem())
    exporter.parameters()["width"] = max(800, int(widget.width() * 2))
    return _png_bytes(exporter.export(toBytes=True))


def _png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG (each file is then written whole or not at all)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if image.isNull() or not image.save(buffer, "PNG"):
        raise ExportError("A plot could not be drawn into a picture; make the window larger "
                          "and export again.")
    return bytes(buffer.data())


def write_csvs(run, folder: str | Path) -> list[Path]:
    """Per model of ``run`` (a :class:`~cnnviz.ui.train.series.RunSeries`): the gradient
    norms (step, then one column per layer in depth order), the scalars (step, loss,
    accuracy) and validation at epoch ends; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for model in run:
        name = _safe(model.name)
        tables = {
            f"{name}-grad_norms.csv": (("step", *model.layer_names),
                                       np.column_stack([model.grad_steps.view, model.grads.view])
                                       if len(model) else np.empty((0, model.depth + 1))),
            f"{name}-scalars.csv": (("step", "loss", "accuracy"),
                                    np.column_stack([model.steps.view, model.loss.view,
                                                     model.accuracy.view])),
            f"{name}-validation.csv": (("step", "val_loss", "val_accuracy"),
                                       np.column_stack([model.epoch_steps.view,
                                                        model.val_loss.view,
                                                        model.val_accuracy.view])),
        }
        for filename, (header, rows) in tables.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([int(row[0]), *(_cell(v) for v in row[1:])])
            written.append(atomic_write_text(folder / filename, text.getvalue()))
    return written


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "model"


def _cell(value: float) -> str:
    return "" if not np.isfinite(value) else format(float(value), ".7g")
