"""Fixtures that drive the real main window offscreen.

Every test gets its own settings folder (``CNNVIZ_SETTINGS_DIR``), so remembered choices never
leak between tests or into the user's settings.  The window starts on LeNet-5, the cheapest
network to inspect, unless a test says otherwise.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CNNVIZ_TESTING", "1")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def settings_dir(tmp_path, monkeypatch):
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("CNNVIZ_SETTINGS_DIR", str(folder))
    return folder


@pytest.fixture
def first_arch():
    """The architecture the Architectures workspace opens with."""
    return "lenet5"


@pytest.fixture
def make_window(qtbot, first_arch):
    """Build (and on teardown close) main windows; closing runs every workspace's shutdown."""
    from cnnviz.ui import settings
    from cnnviz.ui.app import make_application
    from cnnviz.ui.main_window import MainWindow
    from cnnviz.ui.theme import theme_manager

    make_application()
    windows = []

    def make(resize: bool = True):
        if first_arch:
            settings.write("arch/last", first_arch)
        theme_manager().apply()
        window = MainWindow()
        if resize:  # larger than the offscreen screen (800x800), which would maximise it
            window.setWindowState(Qt.WindowState.WindowNoState)
            window.resize(1280, 800)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.isVisible():
            window.close()
        window.deleteLater()
    # Delete them now: live windows from earlier tests would make every theme switch slower.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def arch(qtbot, window, first_arch):
    """The Architectures workspace with its catalog loaded and the first network shown."""
    ws = window.show_workspace("arch")
    qtbot.waitUntil(lambda: bool(ws.catalog.entries), timeout=WAIT_MS)
    if first_arch:
        qtbot.waitUntil(lambda: ws.report is not None and not ws.runner.busy, timeout=WAIT_MS)
    return ws


@pytest.fixture
def show(qtbot, arch):
    """``show(ref)`` picks ``ref`` in the catalog (as a click would) and waits for its graph."""

    def _show(ref: str):
        before = arch.report
        assert arch.catalog.select_ref(ref), f"{ref} is not in the catalog"
        qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
        return arch.report

    return _show


@pytest.fixture
def make_shown(qtbot):
    """``make_shown(Widget, size)`` builds a themed ``Widget`` of the app, shown offscreen at
    ``size`` (its own size hint when None); on teardown its ``shutdown`` runs (or
    ``stop_timer`` for plot views) and it is deleted at once, so widgets left from earlier
    tests never slow a later theme switch."""
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager

    made = []

    def make(cls, size: tuple[int, int] | None = None):
        make_application()
        theme_manager().apply()
        widget = cls()
        if size is not None:
            widget.resize(*size)
        qtbot.addWidget(widget)
        widget.show()
        made.append(widget)
        return widget

    yield make
    for widget in made:
        stop = getattr(widget, "shutdown", None) or getattr(widget, "stop_timer", None)
        if stop is not None:
            stop()
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models train fastest on one thread; more only fight over a busy machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data():
    """A small built-in shapes data set: 3 classes of 16x16 pictures."""
    from cnnviz.core.train.datasets import load_dataset

    return load_dataset("shapes", num_classes=3, image_size=16, train_size=48, val_size=12)



@pytest.fixture
def train_ws(make_shown):
    """The Train workspace, shown offscreen at the window size most students have
    (1280x800)."""
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (1280, 800))


@pytest.fixture
def plot_view(make_shown):
    """The Train workspace's plot view on its own, shown offscreen at 1280x800."""
    from cnnviz.ui.train.run_view import RunView

    return make_shown(RunView, (1280, 800))
