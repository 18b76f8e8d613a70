"""Saved networks (.pt, .pth, .ts) given to the window land in the explorer, which opens them or
says in one sentence why not; a whole pickled network is opened only once the student says
they trust it, and a model file that takes long to read can be abandoned."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from saved_networks import TINY_PARAMS, write_saved_networks  # noqa: E402

WAIT_MS = 60_000


@pytest.fixture
def first_arch():
    return "lenet5"


def _error_text(arch) -> str:
    dialog = arch.error_dialog
    return f"{dialog.text()} {dialog.informativeText()}"


def _open_and_wait_for_error(qtbot, arch, path: Path) -> str:
    arch.error_dialog = None
    arch.window().open_paths([path])
    qtbot.waitUntil(lambda: arch.error_dialog is not None and arch.error_dialog.isVisible()
                    and not arch.runner.busy, timeout=WAIT_MS)
    text = _error_text(arch)
    arch.error_dialog.close()
    return text


def test_a_state_dict_and_a_scripted_network_say_what_to_open(qtbot, arch, tmp_path):
    saved = write_saved_networks(tmp_path)
    shown = arch.report
    arch.window().show_workspace("augment")
    text = _open_and_wait_for_error(qtbot, arch, saved["state"])
    assert arch.window().current_key() == "arch"  # routed to the explorer, not the studio
    assert "tiny_state.pth holds only weights (a state_dict), not a network" in text
    assert "Traceback" not in text
    text = _open_and_wait_for_error(qtbot, arch, saved["script"])
    assert "TorchScript file (TinyNet)" in text
    assert arch.report is shown


def _trust_box(qtbot, arch):
    opener = arch.file_opener
    qtbot.waitUntil(lambda: opener.trust_box is not None and opener.trust_box.isVisible(),
                    timeout=WAIT_MS)
    return opener.trust_box


def _button(box, text: str):
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


def test_a_pickled_network_asks_for_trust_then_opens_once_trusted(qtbot, arch, tmp_path):
    saved = write_saved_networks(tmp_path)
    before = arch.report
    arch.error_dialog = None
    arch.window().open_paths([saved["full"]])
    assert arch.graph.shown_messages() == ["Loading tiny_full.pt…"]
    box = _trust_box(qtbot, arch)
    assert box.windowTitle() == "Open Pickled Network?"
    assert "runs Python code from the file" in box.text()
    assert box.defaultButton() is _button(box, "Cancel")  # Enter must not run the file
    assert not saved["mark"].exists() and arch.error_dialog is None

    qtbot.mouseClick(_button(box, "Open"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy,
                    timeout=WAIT_MS)
    assert saved["mark"].exists()  # trusted: its module was imported to unpickle it
    assert arch.report.display_name == "TinyNet"
    assert arch.report.totals.params == TINY_PARAMS
    assert arch.current_ref == f"{saved['full']}:TinyNet"
    assert arch.graph.shown_messages() == [] and arch.error_dialog is None


def test_declining_a_pickled_network_runs_nothing_and_keeps_the_network(qtbot, arch, tmp_path):
    saved = write_saved_networks(tmp_path)
    shown, ref = arch.report, arch.current_ref
    arch.window().open_paths([saved["full"]])
    box = _trust_box(qtbot, arch)
    qtbot.mouseClick(_button(box, "Cancel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not arch.runner.busy, timeout=WAIT_MS)
    qtbot.wait(50)
    assert not saved["mark"].exists()
    assert arch.report is shown and arch.current_ref == ref
    assert arch.graph.shown_messages() == []
    assert not any(e.source == "file" for e in arch.catalog.entries.values())


def test_cancelling_a_slow_model_file_drops_its_result(qtbot, arch, tmp_path):
    release = tmp_path / "release"
    script = tmp_path / "train_script.py"
    script.write_text(textwrap.dedent(f"""
        import pathlib, time
        from torch import nn

        while not pathlib.Path({str(release)!r}).exists():  # a slow top level
            time.sleep(0.02)


        class SlowNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def forward(self, x):
                return self.fc(x.flatten(1))
    """))
    shown, ref = arch.report, arch.current_ref
    arch.open_model_file(script)
    pill = arch.graph.busy_pill()
    assert arch.graph.shown_messages() == ["Running train_script.py to find its networks…"]
    assert pill.cancel_button.isVisible()
    qtbot.mouseClick(pill.cancel_button, Qt.MouseButton.LeftButton)
    assert arch.graph.shown_messages() == []
    release.touch()
    qtbot.waitUntil(lambda: not arch.runner.busy, timeout=WAIT_MS)
    qtbot.wait(50)
    assert arch.report is shown and arch.current_ref == ref
    assert not any(e.source == "file" for e in arch.catalog.entries.values())
    assert arch.chooser is None and arch.graph.shown_messages() == []


def test_the_open_dialog_offers_saved_networks(qtbot, arch, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    saved = write_saved_networks(tmp_path)
    asked = []

    def fake_dialog(parent, title, folder, file_filter):
        asked.append((title, file_filter))
        return str(saved["script"]), file_filter

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    arch.error_dialog = None
    arch.catalog.open_button.click()
    assert asked == [("Open Model File",
                      "Network files (*.py *.pt *.pth *.ts);;All files (*)")]
    assert arch.graph.shown_messages() == ["Loading tiny_script.ts…"]
    qtbot.waitUntil(lambda: arch.error_dialog is not None and not arch.runner.busy,
                    timeout=WAIT_MS)
    assert "TorchScript file (TinyNet)" in _error_text(arch)  # the saved file reached the core
    arch.error_dialog.close()
