"""The Setup form's architecture check imports torch through cnnviz.core.lazy_torch.

A first import can only be watched in a fresh process (pytest has usually imported torch
already), so two tests drive the real workspace in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from cnnviz.ui.train.model_row import FactsCache, ModelRow

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 60_000


def _run(code: str, tmp_path: Path, pythonpath: list[str] | None = None):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CNNVIZ_TESTING": "1",
           "CNNVIZ_SETTINGS_DIR": str(tmp_path)}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(ROOT)])
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


WORKSPACE = """
    import gc, sys, time
    from PySide6.QtCore import Qt, QTimer
    from cnnviz.core import lazy_torch
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager
    from cnnviz.ui.train.workspace import TrainWorkspace

    app = make_application()
    theme_manager().apply()
    workspace = TrainWorkspace()
    workspace.show()
    print("torch-at-show", "torch" in sys.modules)
    started = time.monotonic()

    def check():
        rows = workspace.form.rows
        if not all(r.facts is not None for r in rows) and time.monotonic() - started < 240:
            QTimer.singleShot(50, check)
            return
        row = rows[0]
        print("facts", row.arch, len(row.facts.blocks) if row.facts else None)
        print("error", row.facts.error if row.facts else None)
        print("imagenet-tip", row.start.itemData(1, Qt.ItemDataRole.ToolTipRole))
        print("freeze-enabled", row.freeze.isEnabled())
        print("loader", lazy_torch._loaded, gc.isenabled(), gc.get_freeze_count() > 100_000)
        print("banner", workspace.banner.message)
        workspace.shutdown()
        app.quit()

    QTimer.singleShot(0, check)
    app.exec()
"""


def _lines(out) -> dict[str, str]:
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)


def test_the_forms_first_check_imports_torch_through_the_loader_after_the_window_shows(
        tmp_path):
    lines = _lines(_run(WORKSPACE, tmp_path))
    assert lines["torch-at-show"] == "False"
    arch, blocks = lines["facts"].split()
    assert int(blocks) > 2, lines  # a zoo network's freezable blocks arrived
    assert lines["error"] == "None" and lines["freeze-enabled"] == "True"
    # The loader did the import: the collector is on again and torch's objects are frozen.
    assert lines["loader"] == "True True True"


def test_a_torch_that_cannot_load_is_a_sentence_in_the_form_not_a_traceback(tmp_path):
    broken = tmp_path / "site"
    (broken / "torch").mkdir(parents=True)
    (broken / "torch" / "__init__.py").write_text(
        "raise OSError('libtorch_cpu.so: cannot open shared object file')\n")
    out = _run(WORKSPACE, tmp_path, pythonpath=[str(broken)])
    lines = _lines(out)
    sentence = ("PyTorch could not be loaded (libtorch_cpu.so: cannot open shared object "
                "file), so no model can be built or trained; reinstall torch and torchvision "
                "in the Python environment cnnviz runs from.")
    assert lines["error"] == sentence
    assert lines["imagenet-tip"] == sentence  # where the row says why ImageNet is not offered
    assert lines["freeze-enabled"] == "False"
    assert lines["banner"] == sentence  # said where a student looks, not only in a tooltip
    assert "Traceback" not in out.stdout + out.stderr


def test_facts_arrive_through_the_runner_with_the_loader_in_process(qtbot):
    row = ModelRow("resnet20")
    qtbot.addWidget(row)
    cache = FactsCache()
    try:
        with qtbot.waitSignal(cache.runner.busy_changed, timeout=WAIT_MS,
                              check_params_cb=lambda busy: not busy):
            cache.refresh([row], {})
        assert row.facts is not None and row.facts.error is None
        assert row.freeze.isEnabled() and row.freeze.count() == len(row.facts.blocks) + 1
        assert "layer1" in row.facts.blocks
    finally:
        cache.shutdown()
