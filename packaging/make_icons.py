"""Render the application icon's PNG, .ico and .icns files from its SVG source.

Run after editing the SVG: ``python packaging/make_icons.py``.  The generated files are
committed, so neither the running program nor the package build needs this script.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnviz import APP_ID  # noqa: E402
from cnnviz.resources import (  # noqa: E402
    ICNS_PATH, ICO_PATH, ICON_SIZES, icon_png_path, icon_svg_path,
)

# Windows picks the closest of these for title bars, Explorer views and the taskbar.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The sizes Pillow's ICNS writer stores (it takes the exact size when one is supplied).
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn by Qt's SVG renderer at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG file Qt can draw.")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # QImage/QPainter need one
    svg = icon_svg_path()
    images: dict[int, Image.Image] = {}
    for size in sorted(set(ICON_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES)):
        png = render_png(svg, size)
        images[size] = Image.open(io.BytesIO(png)).convert("RGBA")
        if size in ICON_SIZES:
            target = icon_png_path(size)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(png)
            print(f"wrote {target.relative_to(ROOT)}")
    # Pillow scales the largest image for every size it is given no exact image for; handing it
    # each rendered size keeps the small icons as crisp as the renderer made them.
    largest = images[max(ICO_SIZES)]
    largest.save(ICO_PATH, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    print(f"wrote {ICO_PATH.relative_to(ROOT)}")
    images[max(ICNS_SIZES)].save(ICNS_PATH, format="ICNS",
                                 append_images=[images[s] for s in ICNS_SIZES[:-1]])
    print(f"wrote {ICNS_PATH.relative_to(ROOT)}")
    del app
    print(f"icon {APP_ID}: {len(ICON_SIZES)} PNGs, .ico and .icns are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
