"""The main window on the Architectures workspace, for the GUI benchmarks (not a benchmark)."""

from __future__ import annotations

import time


def open_explorer(width: int = 1280, height: int = 800):
    """``(app, window, arch, wait)``: a shown main window, its Architectures workspace with
    the catalog loaded and the first network inspected, and ``wait(condition)``, which runs
    the event loop until ``condition()`` holds (TimeoutError after ``timeout`` seconds)."""
    from cnnviz.ui.app import make_application

    app = make_application()
    from cnnviz.ui.main_window import MainWindow
    from cnnviz.ui.theme import theme_manager

    theme_manager().apply()
    window = MainWindow()
    window.resize(width, height)
    window.show()
    arch = window.show_workspace("arch")

    def wait(condition, timeout: float = 300.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("benchmark step timed out")
            app.processEvents()
            time.sleep(0.0005)

    wait(lambda: bool(arch.catalog.entries) and arch.report is not None and not arch.runner.busy)
    return app, window, arch, wait
