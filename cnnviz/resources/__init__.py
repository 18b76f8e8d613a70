"""Files shipped inside the package: the application icon, desktop entry and AppStream metainfo.

They live inside ``cnnviz`` (not beside it) so that a pip install carries them too; that is
what lets ``cnnviz --install-desktop`` work for people who never built a package.  Every name
below is derived from :data:`cnnviz.APP_ID`, the one application id the desktop, the icon theme,
AppStream and Qt all see.

The PNG, ``.ico`` and ``.icns`` files are generated from the SVG by ``packaging/make_icons.py``
and committed, so nothing here needs Qt or the script at run time.
"""

from __future__ import annotations

from pathlib import Path

from cnnviz import APP_ID

RESOURCE_DIR = Path(__file__).resolve().parent
ICON_DIR = RESOURCE_DIR / "icons"
# Laid out like an XDG icon theme, so installing the icon is copying this tree.
HICOLOR_DIR = ICON_DIR / "hicolor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_PATH = ICON_DIR / "cnnviz.ico"
ICNS_PATH = ICON_DIR / "cnnviz.icns"
DESKTOP_FILE = RESOURCE_DIR / f"{APP_ID}.desktop"
METAINFO_FILE = RESOURCE_DIR / f"{APP_ID}.metainfo.xml"


def icon_svg_path() -> Path:
    """The scalable icon, the source every other icon file is rendered from."""
    return HICOLOR_DIR / "scalable" / "apps" / f"{APP_ID}.svg"


def icon_png_path(size: int) -> Path:
    """The square PNG icon of ``size`` pixels (one of :data:`ICON_SIZES`)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size}px icon; sizes are {ICON_SIZES}")
    return HICOLOR_DIR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def icon_files() -> list[Path]:
    """Every icon file for a window icon, smallest first; pass each to ``QIcon.addFile``."""
    return [icon_png_path(size) for size in ICON_SIZES]


def theme_icon_files() -> list[Path]:
    """The icon theme files (PNGs and SVG), as paths below :data:`HICOLOR_DIR`."""
    return [*icon_files(), icon_svg_path()]
