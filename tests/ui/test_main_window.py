"""The main window: workspaces, shortcuts, menus, themes, settings, drag-and-drop, shutdown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QScreen
from PySide6.QtWidgets import QApplication
from dnd import drop_files, send_drag

import cnnviz
from cnnviz.ui import main_window as mw
from cnnviz.ui.theme import DARK, LIGHT, theme_manager
from cnnviz.ui.widgets.unavailable import UnavailablePage

WAIT_MS = 60_000


def test_sidebar_lists_three_workspaces_reached_by_keyboard(qtbot, window):
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Architectures", "Augment", "Train"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    for key, name in ((Qt.Key.Key_3, "train"), (Qt.Key.Key_2, "augment"), (Qt.Key.Key_1, "arch")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == name
        assert window.stack.currentWidget() is window.pages[name]
        assert window.sidebar.currentRow() == [w.key for w in mw.WORKSPACES].index(name)


def test_clicking_the_sidebar_switches_workspace(qtbot, window):
    rect = window.sidebar.visualItemRect(window.sidebar.item(2))
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_key() == "train"


def test_missing_workspace_module_gets_an_honest_page(qtbot, make_window, monkeypatch, tmp_path):
    entry = next(w for w in mw.WORKSPACES if w.key == "augment")
    monkeypatch.setattr(entry, "module", "cnnviz.ui.no_such_area.workspace")
    window = make_window()
    page = window.show_workspace("augment")
    assert isinstance(page, UnavailablePage)
    assert "not available in this build" in page.findChild(type(page.message), "UnavailableTitle").text()
    assert "cnnviz.ui.no_such_area.workspace" in page.message.text()
    # An image still lands on that page, and the status bar says why nothing opened.
    window.show_workspace("arch")
    image = tmp_path / "cat.jpg"
    image.write_bytes(b"not really a jpeg")
    assert window.open_paths([image]) == {"augment": [image]}
    assert window.current_key() == "augment"
    assert "Augment is not available" in window.statusBar().currentMessage()


def test_a_workspace_that_fails_to_import_does_not_take_the_window_down(
        qtbot, make_window, monkeypatch, tmp_path):
    (tmp_path / "broken_ws_mod.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = next(w for w in mw.WORKSPACES if w.key == "train")
    monkeypatch.setattr(entry, "module", "broken_ws_mod")
    window = make_window()
    page = window.show_workspace("train")
    assert isinstance(page, UnavailablePage)
    assert "boom at import" in page.message.text()
    assert window.show_workspace("arch") is window.pages["arch"]


def test_theme_follows_choice_and_is_remembered(qtbot, window):
    window.theme_actions["dark"].trigger()
    app = QApplication.instance()
    assert theme_manager().palette is DARK
    assert app.palette().color(app.palette().ColorRole.Window) == QColor(DARK.window)
    window.theme_actions["light"].trigger()
    assert theme_manager().palette is LIGHT
    window.theme_actions["dark"].trigger()
    from cnnviz.ui.theme import ThemeManager

    assert ThemeManager().mode == "dark"  # a fresh start reads the saved choice
    window.theme_actions["system"].trigger()
    expected = DARK if theme_manager().system_is_dark() else LIGHT
    assert theme_manager().palette is expected


def test_geometry_and_workspace_are_remembered(qtbot, make_window, monkeypatch):
    # A full-HD screen's free area (the offscreen screen is 800x800, below the window's
    # minimum width, where every window opens maximised).
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(0, 0, 1920, 1040))
    first = make_window()
    first.resize(1000, 700)
    first.move(40, 30)
    first.show_workspace("train")
    first.close()
    second = make_window(resize=False)
    assert second.current_key() == "train"
    assert not second.isMaximized()
    assert (second.width(), second.height()) == (1000, 700)
    assert second.y() == first.y()


def test_a_window_larger_than_the_screen_reopens_maximised(qtbot, make_window):
    """As after choosing a larger interface size: the saved size no longer fits the screen
    (800x800 offscreen), and the window opens maximised instead of squeezed."""
    first = make_window()
    first.resize(1000, 700)
    first.close()
    second = make_window(resize=False)
    assert second.isMaximized()
    room = second.screen().availableGeometry()
    qtbot.waitUntil(lambda: second.height() >= room.height() - 8, timeout=5000)  # less its frame


def _model_file(folder: Path) -> Path:
    path = folder / "tiny_net.py"
    path.write_text(textwrap.dedent("""
        from torch import nn

        class TinyNet(nn.Module):
            input_shape = (1, 16, 16)
            num_classes = 3

            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)
                self.head = nn.Linear(4 * 14 * 14, 3)

            def forward(self, x):
                return self.head(self.conv(x).flatten(1))
    """))
    return path


def _drop(window, paths: list[Path]) -> None:
    assert drop_files(window, paths) == (True, True, True)


def test_dropped_files_go_to_the_right_workspace(qtbot, window, tmp_path):
    arch = window.pages["arch"]
    qtbot.waitUntil(lambda: arch.report is not None and not arch.runner.busy, timeout=WAIT_MS)

    model = _model_file(tmp_path)
    _drop(window, [model])
    qtbot.waitUntil(lambda: arch.report is not None and arch.report.arch.endswith("TinyNet")
                    and not arch.runner.busy, timeout=WAIT_MS)
    assert window.current_key() == "arch"
    assert arch.report.input_shape[-2:] == (16, 16)

    image = tmp_path / "photo.png"
    img = QImage(8, 8, QImage.Format.Format_RGB32)
    img.fill(QColor("orange"))
    assert img.save(str(image))
    _drop(window, [image])
    qtbot.waitUntil(lambda: window.current_key() == "augment", timeout=WAIT_MS)
    # The title names the picture once it is in (a projector's window list shows it).
    qtbot.waitUntil(lambda: window.windowTitle() == "photo.png — Augment — cnnviz",
                    timeout=WAIT_MS)

    run = tmp_path / "run-1"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"arch": "lenet5"}))
    _drop(window, [run])
    qtbot.waitUntil(lambda: window.current_key() == "train", timeout=WAIT_MS)


def test_drag_without_files_is_refused(qtbot, window):
    mime = QMimeData()
    mime.setText("just text")
    assert send_drag(window, mime, QPointF(10, 10)) == (False, False, False)


def test_files_nobody_opens_are_reported_in_the_status_bar(qtbot, window, tmp_path):
    odd = tmp_path / "notes.xyz"
    odd.write_text("?")
    empty = tmp_path / "empty"
    empty.mkdir()
    routed = window.open_paths([odd, tmp_path / "missing.png", empty])
    assert routed == {}
    message = window.statusBar().currentMessage()
    assert ("“notes.xyz” is not a picture, a network file (.py, .pt), an augmentation "
            "pipeline (.json) or a run folder") in message
    assert "“missing.png” does not exist." in message
    assert message.endswith("The folder “empty” holds no pictures and no training run.")


def test_file_menu_offers_open_export_and_quit(qtbot, window):
    arch = window.pages["arch"]
    window.file_menu.aboutToShow.emit()
    texts = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert texts[:2] == ["Open &Image…", "Open &Model File…"]
    assert texts[-1] == "&Quit"
    assert all(a in window.file_menu.actions() for a in arch.menu_actions())
    assert {a.text() for a in arch.menu_actions()} == {
        "Export Graph as PNG Image…", "Export Graph as SVG Drawing…",
        "Export Graph as PDF Document…",
        "Export Table as CSV…", "Export Table as Markdown…"}


def test_about_and_shortcuts_dialogs(qtbot, window):
    about = window.show_about()
    assert about.isVisible()
    assert cnnviz.__version__ in about.text and cnnviz.LICENSE in about.text
    about.close()
    shortcuts = window.show_shortcuts()
    keys = dict(shortcuts.rows)
    assert keys["Architectures"] == "Ctrl+1" and keys["Train"] == "Ctrl+3"
    # Menu entries are in title case; the list of shortcuts reads as sentences.
    assert "Fit to window" in keys and "Open model file" in keys and "Open image" in keys
    shortcuts.close()


def test_the_window_title_names_the_workspace_in_view(qtbot, window):
    arch = window.show_workspace("arch")
    qtbot.waitUntil(lambda: arch.report is not None, timeout=WAIT_MS)
    assert window.windowTitle() == f"{arch.report.display_name} — Architectures — cnnviz"
    window.show_workspace("augment")
    assert window.windowTitle().endswith("Augment — cnnviz")
    window.show_workspace("train")
    assert window.windowTitle().endswith("Train — cnnviz")


def test_closing_the_window_stops_the_workers(qtbot, make_window):
    window = make_window()
    arch = window.pages["arch"]
    qtbot.waitUntil(lambda: bool(arch.catalog.entries), timeout=WAIT_MS)
    arch.select_arch("resnet50")
    assert arch.runner.busy
    window.close()
    assert arch.runner._pool.activeThreadCount() == 0
    shown = arch.report
    qtbot.wait(50)
    assert arch.report is shown  # a result arriving after close is dropped


def test_long_sessions_survive_pysides_none_leak():
    """Painting calls void Qt methods millions of times; None must not run out of references
    (PySide6 6.12.0 leaks one per call before Python 3.12; pyproject.toml excludes it)."""
    code = textwrap.dedent("""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        import cnnviz.ui.theme
        from PySide6.QtCore import QObject
        probe = QObject()
        for _ in range(300_000):
            probe.setObjectName("x")
        print("alive")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "alive", out.stderr[-500:]


def test_run_gui_shows_the_window_before_torch_then_opens_the_files_given(tmp_path):
    model = _model_file(tmp_path)
    code = textwrap.dedent(f"""
        import os, sys, time
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QTimer
        from cnnviz.ui import main_window
        from cnnviz.ui.app import make_application, run_gui
        app = make_application()
        started = time.monotonic()
        show = main_window.MainWindow.show

        def show_and_note(self):
            show(self)
            print("torch-at-show", "torch" in sys.modules)

        main_window.MainWindow.show = show_and_note

        def check():
            window = next(w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow")
            arch = window.pages["arch"]
            done = arch.report is not None and arch.report.arch.endswith("TinyNet")
            if not done and time.monotonic() - started < 90:
                QTimer.singleShot(100, check)
                return
            print("shown", window.isVisible(), "opened", done, window.current_key(),
                  "torch-later", "torch" in sys.modules)
            window.close()
            app.quit()

        QTimer.singleShot(100, check)
        sys.exit(run_gui([{str(model)!r}]))
    """)
    env = {**os.environ, "CNNVIZ_SETTINGS_DIR": str(tmp_path), "CNNVIZ_INSTANCE_NAME": f"t{os.getpid()}"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=150, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    words = out.stdout.split()
    assert words[-9:] == ["torch-at-show", "False", "shown", "True", "opened", "True", "arch",
                          "torch-later", "True"], out.stdout + out.stderr


def test_the_status_bar_speaks_for_the_workspace_in_view(qtbot, window):
    train = window.show_workspace("train")
    arch = window.page("arch")
    arch.status_message.emit("LeNet-5: 14 layers")  # the explorer, working out of view
    assert window.statusBar().currentMessage() == ""
    train.status_message.emit("Run saved.")
    assert window.statusBar().currentMessage() == "Run saved."
    window.show_workspace("arch")
    assert window.statusBar().currentMessage() == ""
    arch.status_message.emit("LeNet-5: 14 layers")
    assert window.statusBar().currentMessage() == "LeNet-5: 14 layers"


def test_a_larger_interface_for_a_projector_is_remembered_for_the_next_start(qtbot, window,
                                                                            monkeypatch):
    from cnnviz.ui.app import interface_scale

    monkeypatch.delenv("QT_SCALE_FACTOR", raising=False)
    assert window.size_actions["100"].isChecked() and interface_scale() is None
    window.offer_sizes((1920, 1080))  # the offscreen screen is smaller than a projector's
    assert not window.size_actions["200"].isEnabled()
    window.size_actions["150"].trigger()
    assert window.size_actions["150"].isChecked() and not window.size_actions["100"].isChecked()
    assert "150 %" in window.statusBar().currentMessage()
    assert interface_scale() == "1.5"  # what the next start hands to Qt
    monkeypatch.setenv("QT_SCALE_FACTOR", "2")
    assert interface_scale() is None  # a scale set in the environment wins
    window.size_actions["100"].trigger()  # leave the test store as it was


def test_interface_sizes_a_screen_cannot_hold_are_offered_but_greyed(qtbot, window,
                                                                       monkeypatch):
    from cnnviz.ui.app import size_fits

    # The offscreen screen is 800x800: even 100 % is larger than it, but the size in use
    # always stays choosable.
    assert size_fits("200", (2560, 1440)) and not size_fits("200", (1920, 1080))
    assert size_fits("150", (1920, 1080)) and not size_fits("175", (1920, 1080))
    room = window._screen_pixels()
    window.size_actions["125"].trigger()
    window.offer_sizes(room)
    for size, act in window.size_actions.items():
        assert act.isEnabled() == (size_fits(size, room) or act.isChecked())
        assert ("needs a larger screen" in act.text()) == (not size_fits(size, room))
    monkeypatch.setenv("QT_SCALE_FACTOR", "2")  # this start already draws at 200 %
    assert window._screen_pixels() == (room[0] * 2, room[1] * 2)
    window.offer_sizes((2560, 1440))
    window.size_actions["100"].trigger()
    assert all(act.isEnabled() for act in window.size_actions.values())
