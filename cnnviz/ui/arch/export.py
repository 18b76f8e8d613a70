"""Save what the Architectures workspace shows: the graph as PNG, SVG or PDF, the table as CSV
or Markdown.  Each file is drawn into memory and written by the core's
:func:`~cnnviz.core.inspect.textio.atomic_write_bytes`: a failed export never leaves a
half-written file behind, and a new file gets the usual permissions (the umask's), as every
other export of cnnviz does.

A graph coloured by gradient norms is exported with its legend printed above it
(:mod:`cnnviz.ui.arch.legend_print`), so the picture explains its colours on its own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene, QWidget

from cnnviz.core.inspect.textio import ExportError, atomic_write_bytes, atomic_write_text
from cnnviz.ui.arch.gradient_legend import LegendContent
from cnnviz.ui.arch.legend_print import PrintedLegend
from cnnviz.ui.theme import palette
from cnnviz.ui.widgets.file_dialogs import ask_save_file

__all__ = ["FORMATS", "GRAPH_FORMATS", "ExportError", "ask_path", "export", "export_pdf",
           "export_png", "export_svg", "export_table"]

FORMATS = {
    "png": ("Graph as PNG Image", "PNG image (*.png)"),
    "svg": ("Graph as SVG Drawing", "SVG drawing (*.svg)"),
    "pdf": ("Graph as PDF Document", "PDF document (*.pdf)"),
    "csv": ("Table as CSV", "CSV table (*.csv)"),
    "md": ("Table as Markdown", "Markdown (*.md)"),
}
GRAPH_FORMATS = ("png", "svg", "pdf")
PDF_MAX_POINTS = 14400.0


def _open_buffer() -> tuple[QByteArray, QBuffer]:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return data, buffer


class _Picture:
    """What an exported picture holds, in scene units: ``legend`` (a :class:`PrintedLegend`,
    or None) across the top, the whole graph (not only the visible part) centred under it."""

    MARGIN = 24.0

    def __init__(self, scene: QGraphicsScene, legend: LegendContent | None) -> None:
        self.scene = scene
        self.source = scene.itemsBoundingRect().adjusted(-self.MARGIN, -self.MARGIN,
                                                         self.MARGIN, self.MARGIN)
        self.legend = PrintedLegend(legend, self.source.width()) if legend else None
        self.width = max(self.source.width(), self.legend.width if self.legend else 0.0)
        self.top = self.legend.height if self.legend else 0.0
        self.height = self.top + self.source.height()

    def paint(self, painter: QPainter) -> None:
        """Draw the picture at the painter's origin, ``width`` x ``height`` units."""
        pal = palette()
        painter.fillRect(QRectF(0, 0, self.width, self.height), QColor(pal.canvas))
        if self.legend is not None:
            self.legend.paint(painter, pal)
        target = QRectF((self.width - self.source.width()) / 2, self.top,
                        self.source.width(), self.source.height())
        # A picture on paper or a slide cannot be clicked: the blocks' expand buttons stay out.
        self.scene.printing = True
        try:
            self.scene.render(painter, target, self.source, Qt.AspectRatioMode.IgnoreAspectRatio)
        finally:
            self.scene.printing = False


def export_png(scene: QGraphicsScene, path: Path, scale: float = 2.0,
               legend: LegendContent | None = None) -> Path:
    """The whole graph (and ``legend`` above it) at ``scale`` pixels per scene unit."""
    picture = _Picture(scene, legend)
    # Keep very tall graphs (ResNet-152 expanded) under a size image viewers can open.
    scale = min(scale, 30000 / max(picture.width, picture.height, 1))
    image = QImage(QSize(max(1, round(picture.width * scale)),
                         max(1, round(picture.height * scale))),
                   QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.scale(image.width() / picture.width, image.height() / picture.height)
    picture.paint(painter)
    painter.end()
    data, buffer = _open_buffer()
    if not image.save(buffer, "PNG"):
        raise ExportError(f"cnnviz could not make the PNG picture {Path(path).name}; "
                          "try SVG or PDF, which have no size limit.")
    buffer.close()
    return atomic_write_bytes(Path(path), data.data())


def export_svg(scene: QGraphicsScene, path: Path, title: str = "cnnviz graph",
               legend: LegendContent | None = None) -> Path:
    """The whole graph as an SVG drawing (text stays text), ``legend`` above it."""
    picture = _Picture(scene, legend)
    data, buffer = _open_buffer()
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(round(picture.width), round(picture.height)))
    gen.setViewBox(QRectF(0, 0, picture.width, picture.height))
    gen.setTitle(title)
    gen.setDescription("Layer graph exported by cnnviz")
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"cnnviz could not draw the SVG file {Path(path).name}.")
    picture.paint(painter)
    painter.end()
    buffer.close()
    return atomic_write_bytes(Path(path), data.data())


def export_pdf(scene: QGraphicsScene, path: Path, title: str = "cnnviz graph",
               legend: LegendContent | None = None) -> Path:
    """The whole graph on one PDF page of its own size (vector, text stays text)."""
    picture = _Picture(scene, legend)
    # PDF readers refuse pages over 200 inches; a tall graph is scaled down to fit one.
    scale = min(1.0, PDF_MAX_POINTS / max(picture.width, picture.height, 1))
    data, buffer = _open_buffer()
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("cnnviz")
    writer.setResolution(72)  # one device pixel per point: the page is the picture's size
    writer.setPageSize(QPageSize(QSizeF(picture.width * scale, picture.height * scale),
                                 QPageSize.Unit.Point, "cnnviz graph",
                                 QPageSize.SizeMatchPolicy.ExactMatch))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"cnnviz could not write the PDF file {Path(path).name}.")
    painter.scale(scale, scale)
    picture.paint(painter)
    painter.end()  # the writer finishes the document here
    buffer.close()
    return atomic_write_bytes(Path(path), data.data())


def export_table(report, path: Path, fmt: str) -> Path:
    """The layer table as "csv" or "md", written by the core's report exporters."""
    from cnnviz.core.inspect import report_to_csv, report_to_markdown

    text = (report_to_csv if fmt == "csv" else report_to_markdown)(report)
    return atomic_write_text(Path(path), text)


def ask_path(parent: QWidget, kind: str, stem: str) -> Path | None:
    """Ask where to save a ``kind`` export (remembering the folder); None when cancelled."""
    label, pattern = FORMATS[kind]
    return ask_save_file(parent, f"Export {label}", "export", f"{stem}.{kind}", pattern,
                         f".{kind}")


def export(kind: str, path: Path, scene: QGraphicsScene, report,
           legend: LegendContent | None = None) -> Path:
    """Write one of :data:`FORMATS`; a graph picture carries ``legend`` (the gradient colour
    bar, when the graph is coloured by one).  Every failure is an :class:`ExportError`
    sentence."""
    try:
        if kind == "png":
            return export_png(scene, path, legend=legend)
        if kind == "svg":
            return export_svg(scene, path, report.display_name, legend=legend)
        if kind == "pdf":
            return export_pdf(scene, path, report.display_name, legend=legend)
        return export_table(report, path, kind)
    except OSError as exc:
        raise ExportError(f"cnnviz could not write {path}: {exc.strerror or exc}.") from None
