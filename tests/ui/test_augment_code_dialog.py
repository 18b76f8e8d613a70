"""The torchvision code dialog opens wide enough for its longest line, within the screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import QSize

from cnnviz.core.augment import Pipeline, Step
from cnnviz.ui.augment.export_dialog import CodeDialog, fitted_size


def code() -> str:
    """Code whose ColorJitter and shear lines, with their comments, are long."""
    return Pipeline([Step("hflip", {}, 0.5), Step("random_resized_crop", {}),
                     Step("shear", {"x": (-10, 10)}), Step("colour_jitter"),
                     Step("pca_colour")]).to_torchvision_code((480, 640))


def test_the_size_follows_the_code_within_the_screen():
    assert fitted_size(QSize(1300, 450), QSize(2560, 1440)) == QSize(1300, 450)
    assert fitted_size(QSize(300, 200), QSize(2560, 1440)) == QSize(720, 400)  # never tiny
    assert fitted_size(QSize(3000, 2000), QSize(1280, 800)) == QSize(1152, 720)


def test_on_a_large_screen_no_line_is_cut(tmp_path):
    """A fresh application on a 2560x1440 screen (the offscreen screen of the test session
    is 800 pixels wide): the dialog opens wider than the old 720 pixels, with no horizontal
    scroll bar."""
    source = tmp_path / "augment.py"
    source.write_text(code())
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "Big", "x": 0, "y": 0, "width": 2560,
                                               "height": 1440, "logicalDpi": 96,
                                               "logicalBaseDpi": 96, "dpr": 1}]}))
    script = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from cnnviz.ui.app import make_application
        from cnnviz.ui.augment.export_dialog import CodeDialog
        from cnnviz.ui.theme import theme_manager
        app = make_application()
        theme_manager().apply()
        dialog = CodeDialog(Path({str(source)!r}).read_text())
        dialog.show()
        for _ in range(20):
            app.processEvents()
        longest = max(dialog.editor.fontMetrics().horizontalAdvance(line)
                      for line in dialog.code.splitlines())
        print(json.dumps({{"width": dialog.width(), "longest": longest,
                          "hbar": dialog.editor.horizontalScrollBar().maximum(),
                          "screen": dialog.screen().availableGeometry().width()}}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "CNNVIZ_SETTINGS_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["screen"] == 2560
    assert shown["longest"] > 720 and shown["width"] > shown["longest"]
    assert shown["hbar"] == 0


def test_on_a_small_screen_the_dialog_stays_on_it(qtbot):
    dialog = CodeDialog(code())
    qtbot.addWidget(dialog)
    dialog.show()
    room = dialog.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    assert dialog.editor.horizontalScrollBar().maximum() > 0  # the rest scrolls into view
