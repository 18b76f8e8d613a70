"""Line icons drawn from inline SVG so they take the theme's colours at any size."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

# 24x24 stroke icons; "{c}" is replaced by the colour.
_SHAPES = {
    "architectures": (
        '<rect x="9" y="2.5" width="6" height="4.5" rx="1.2"/>'
        '<rect x="2.5" y="17" width="6" height="4.5" rx="1.2"/>'
        '<rect x="15.5" y="17" width="6" height="4.5" rx="1.2"/>'
        '<path d="M12 7v4.5M12 11.5H5.5V17M12 11.5h6.5V17"/>'
    ),
    "augment": (
        '<rect x="3" y="4" width="18" height="16" rx="2.5"/>'
        '<circle cx="9" cy="9.5" r="1.8"/><path d="M3.5 17.5l5-5 4 4 3-3 5 5"/>'
    ),
    "train": (
        '<path d="M3.5 20.5h17M4 4v16.5"/>'
        '<path d="M6.5 16.5c3-6 5-9 7.5-9s3.5 2 6 2"/><path d="M6.5 18c3-2 6-3 13-3"/>'
    ),
    "open": (
        '<path d="M3.5 7.5a2 2 0 0 1 2-2h4l2 2h7a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-13a2 2 0 0 1-2-2z"/>'
    ),
    "file-code": (
        '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>'
        '<path d="M10 12l-2 2 2 2M14 12l2 2-2 2"/>'
    ),
    "export": '<path d="M12 15V3.5M7.5 8L12 3.5 16.5 8"/><path d="M4 14v5a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-5"/>',
    "zoom-in": '<circle cx="10.5" cy="10.5" r="6.5"/><path d="M20.5 20.5l-5.2-5.2M10.5 7.5v6M7.5 10.5h6"/>',
    "zoom-out": '<circle cx="10.5" cy="10.5" r="6.5"/><path d="M20.5 20.5l-5.2-5.2M7.5 10.5h6"/>',
    "fit": '<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5"/>',
    "search": '<circle cx="10.5" cy="10.5" r="6.5"/><path d="M20.5 20.5l-5.2-5.2"/>',
    "expand": '<path d="M4 9V4h5M20 15v5h-5M4 4l6 6M20 20l-6-6"/>',
    "collapse": '<path d="M10 5v5H5M14 19v-5h5M10 10L4 4M14 14l6 6"/>',
    "compare": '<rect x="3" y="4" width="7.5" height="16" rx="1.5"/><rect x="13.5" y="4" width="7.5" height="16" rx="1.5"/>',
    "chart": '<path d="M4 20.5h16"/><rect x="5" y="11" width="3.2" height="7" rx="0.6"/><rect x="10.4" y="5" width="3.2" height="13" rx="0.6"/><rect x="15.8" y="14" width="3.2" height="4" rx="0.6"/>',
    "eye": '<path d="M2.5 12s3.5-6.5 9.5-6.5 9.5 6.5 9.5 6.5-3.5 6.5-9.5 6.5S2.5 12 2.5 12z"/><circle cx="12" cy="12" r="3"/>',
    "sliders": ('<path d="M4 6.5h3M11 6.5h9M4 12h9M17 12h3M4 17.5h1.5M9.5 17.5h10.5"/>'
                '<circle cx="9" cy="6.5" r="2"/><circle cx="15" cy="12" r="2"/>'
                '<circle cx="7.5" cy="17.5" r="2"/>'),
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>',
    "warning": '<path d="M12 3.5l9 16H3z"/><path d="M12 10v4.5M12 17v.5"/>',
}


def svg(name: str, color: str) -> bytes:
    body = _SHAPES[name]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
        f'stroke="{color}" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round">'
        f"{body}</svg>"
    ).encode()


def pixmap(name: str, color: str, size: int = 24, ratio: float = 2.0) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg(name, color)))
    pm = QPixmap(QSize(round(size * ratio), round(size * ratio)))
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pm.width(), pm.height()))
    painter.end()
    pm.setDevicePixelRatio(ratio)
    return pm


def icon(name: str, color: str, active_color: str | None = None, size: int = 24) -> QIcon:
    """An icon in ``color``; ``active_color`` (if given) is used when selected or checked."""
    result = QIcon()
    normal = pixmap(name, color, size)
    result.addPixmap(normal, QIcon.Mode.Normal, QIcon.State.Off)
    if active_color:
        active = pixmap(name, active_color, size)
        result.addPixmap(active, QIcon.Mode.Selected, QIcon.State.Off)
        result.addPixmap(active, QIcon.Mode.Normal, QIcon.State.On)
        result.addPixmap(active, QIcon.Mode.Active, QIcon.State.Off)
    return result
