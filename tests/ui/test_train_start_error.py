"""Why a run could not start stays in the banner only until the student edits the form to
fix it: a red sentence about a value already corrected reads as a new problem."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cnnviz.core.train import ModelConfig, RunConfig

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (1280, 800))


def test_a_refused_setting_leaves_the_banner_once_the_field_is_fixed(qtbot, ws):
    ws.form.batch_size.setValue(0)
    qtbot.mouseClick(ws.bar.start_button, Qt.MouseButton.LeftButton)
    assert not ws.running
    assert ws.banner.isVisible() and "batch" in ws.banner.message.lower()
    ws.form.batch_size.setValue(16)  # the student fixes the field the sentence names
    assert not ws.banner.isVisible() and ws.banner.message == ""


def test_an_engine_refusal_goes_at_the_next_edit_but_other_banners_stay(qtbot, ws, tmp_path):
    bad = RunConfig(models=(ModelConfig("no_such_net"),), steps=2, batch_size=4,
                    train_size=16, val_size=8, device="cpu")
    assert ws.start(config=bad, run_dir=tmp_path / "bad")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert "no_such_net" in ws.banner.message and ws.banner.isVisible()
    ws.form.seed.setValue(ws.form.seed.value() + 1)
    assert not ws.banner.isVisible()

    # A sentence that is not about starting (a picture that could not be written, say)
    # is not the form's to hide.
    ws.banner.show_message("The overview picture could not be written.")
    ws.form.seed.setValue(ws.form.seed.value() + 1)
    assert ws.banner.isVisible()
    assert ws.banner.message == "The overview picture could not be written."
