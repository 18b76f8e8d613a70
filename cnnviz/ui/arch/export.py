"""Save what the Architectures workspace shows: the graph as PNG or SVG, the table as CSV or
Markdown.  Every write goes to a temporary file in the target folder first and is moved into
place only when complete, so a failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QWidget

from cnnviz.core.errors import CnnvizError
from cnnviz.ui import settings
from cnnviz.ui.theme import palette

FORMATS = {
    "png": ("Graph as PNG image", "PNG image (*.png)"),
    "svg": ("Graph as SVG drawing", "SVG drawing (*.svg)"),
    "csv": ("Table as CSV", "CSV table (*.csv)"),
    "md": ("Table as Markdown", "Markdown (*.md)"),
}


class ExportError(CnnvizError):
    """A file that could not be written."""


@contextlib.contextmanager
def atomic_path(path: Path):
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cnnviz cannot write in {path.parent}: {exc.strerror}.") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _bounds(scene: QGraphicsScene) -> QRectF:
    return scene.itemsBoundingRect().adjusted(-24, -24, 24, 24)


def export_png(scene: QGraphicsScene, path: Path, scale: float = 2.0) -> Path:
    """The whole graph (not only the visible part) at ``scale`` pixels per scene unit."""
    src = _bounds(scene)
    # Keep very tall graphs (ResNet-152 expanded) under a size image viewers can open.
    scale = min(scale, 30000 / max(src.width(), src.height(), 1))
    image = QImage(QSize(max(1, round(src.width() * scale)), max(1, round(src.height() * scale))),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(palette().canvas))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), src)
    painter.end()
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise ExportError(f"cnnviz could not write the PNG file {Path(path).name}.")
    return Path(path)


def export_svg(scene: QGraphicsScene, path: Path, title: str = "cnnviz graph") -> Path:
    src = _bounds(scene)
    with atomic_path(path) as tmp:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(QSize(round(src.width()), round(src.height())))
        gen.setViewBox(QRectF(0, 0, src.width(), src.height()))
        gen.setTitle(title)
        gen.setDescription("Layer graph exported by cnnviz")
        painter = QPainter()
        if not painter.begin(gen):
            raise ExportError(f"cnnviz could not write the SVG file {Path(path).name}.")
        painter.fillRect(QRectF(0, 0, src.width(), src.height()), QColor(palette().canvas))
        scene.render(painter, QRectF(0, 0, src.width(), src.height()), src,
                     Qt.AspectRatioMode.IgnoreAspectRatio)
        painter.end()
    return Path(path)


def export_table(report, path: Path, fmt: str) -> Path:
    """The layer table as "csv" or "md", written by the core's report exporters."""
    from cnnviz.core.inspect import report_to_csv, report_to_markdown

    text = (report_to_csv if fmt == "csv" else report_to_markdown)(report)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return Path(path)


def ask_path(parent: QWidget, kind: str, stem: str) -> Path | None:
    """Ask where to save a ``kind`` export (remembering the folder); None when cancelled."""
    label, pattern = FORMATS[kind]
    folder = Path(settings.read_str("paths/export", str(Path.home())))
    name, _ = QFileDialog.getSaveFileName(parent, f"Export {label}", str(folder / f"{stem}.{kind}"),
                                          pattern)
    if not name:
        return None
    settings.write("paths/export", str(Path(name).parent))
    return Path(name)


def export(kind: str, path: Path, scene: QGraphicsScene, report) -> Path:
    """Write one of :data:`FORMATS`; every failure is an :class:`ExportError` sentence."""
    try:
        if kind == "png":
            return export_png(scene, path)
        if kind == "svg":
            return export_svg(scene, path, report.display_name)
        return export_table(report, path, kind)
    except OSError as exc:
        raise ExportError(f"cnnviz could not write {path}: {exc.strerror or exc}.") from None
