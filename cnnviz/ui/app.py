"""Start the GUI: ``run_gui(files)`` shows the window, then opens the files given.

One window per user session: when cnnviz is already running, the files go to that window and
this launch exits (see :mod:`cnnviz.ui.single_instance`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import cnnviz
from cnnviz import resources


# Sizes offered for the whole interface (View > Interface Size), in percent: larger ones make
# text, plots and controls readable on a classroom projector.  Qt scales everything at
# start-up, so a change takes effect the next time cnnviz starts.  175 and 200 are for
# 1440p and 4K projectors and screens.
INTERFACE_SIZES = ("100", "125", "150", "175", "200")

# The smallest window every workspace lays out in, in pixels at 100 %.
MIN_WINDOW = (960, 640)


def size_fits(size: str, screen_pixels: tuple[int, int]) -> bool:
    """Whether the window's smallest size at ``size`` percent fits a screen's free area of
    ``screen_pixels`` (counted as at 100 %)."""
    factor = int(size) / 100
    return (MIN_WINDOW[0] * factor <= screen_pixels[0]
            and MIN_WINDOW[1] * factor <= screen_pixels[1])


def interface_scale() -> str | None:
    """The ``QT_SCALE_FACTOR`` the remembered interface size asks for (None at 100 % or
    when the environment already sets one: a scale the user chose there wins)."""
    if os.environ.get("QT_SCALE_FACTOR"):
        return None
    from cnnviz.ui import settings

    size = settings.read_str("view/interface_size", "100", INTERFACE_SIZES)
    return None if size == "100" else f"{int(size) / 100:g}"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with cnnviz's names (reused when one already exists, as in tests)."""
    app = QApplication.instance()
    if app is None:
        scale = interface_scale()
        if scale:
            os.environ["QT_SCALE_FACTOR"] = scale
        app = QApplication([sys.argv[0] if sys.argv else "cnnviz", *(argv or [])])
    app.setOrganizationName(cnnviz.ORG_NAME)
    app.setOrganizationDomain(cnnviz.ORG_DOMAIN)
    # The application id names the X11 window class (the desktop entry's StartupWMClass), the
    # Wayland app id and the settings store, so the launcher, taskbar and settings agree.
    app.setApplicationName(cnnviz.APP_ID)
    app.setApplicationDisplayName(cnnviz.APP_DISPLAY_NAME)
    app.setApplicationVersion(cnnviz.__version__)
    app.setDesktopFileName(cnnviz.APP_ID)
    if app.windowIcon().isNull():
        icon = QIcon()
        for path in resources.icon_files():
            icon.addFile(str(path))
        app.setWindowIcon(icon)
    return app


def run_gui(args: list[str]) -> int:
    """Show the main window, open ``args`` (files or folders) in it, and run the event loop."""
    app = make_application()
    guard = None
    try:
        from cnnviz.ui import single_instance
    except ImportError:  # a build without QtNetwork: every launch gets its own window
        single_instance = None
    if single_instance is not None:
        guard = single_instance.start(single_instance.absolute_paths(args))
        if guard is None:  # the running window took the files
            return 0
        guard.watch_file_open_events(app)

    from cnnviz.ui.theme import theme_manager

    theme_manager().apply()
    from cnnviz.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if guard is not None:
        guard.attach(window)
    if args:
        paths = [Path(a) for a in args]
        QTimer.singleShot(0, lambda: window.open_paths(paths))
    try:
        return app.exec()
    finally:
        if guard is not None:
            guard.close()
