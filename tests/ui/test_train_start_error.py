"""Why a run could not start stays in the banner only until the student edits the form to
fix it: a red sentence about a value already corrected reads as a new problem."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cnnviz.core.train import ModelConfig, RunConfig

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_a_refused_setting_leaves_the_banner_once_the_field_is_fixed(qtbot, train_ws):
    train_ws.form.batch_size.setValue(0)
    qtbot.mouseClick(train_ws.bar.start_button, Qt.MouseButton.LeftButton)
    assert not train_ws.running
    assert train_ws.banner.isVisible() and "batch" in train_ws.banner.message.lower()
    train_ws.form.batch_size.setValue(16)  # the student fixes the field the sentence names
    assert not train_ws.banner.isVisible() and train_ws.banner.message == ""


def test_an_engine_refusal_goes_at_the_next_edit_but_other_banners_stay(qtbot, train_ws, tmp_path):
    bad = RunConfig(models=(ModelConfig("no_such_net"),), steps=2, batch_size=4,
                    train_size=16, val_size=8, device="cpu")
    assert train_ws.start(config=bad, run_dir=tmp_path / "bad")
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    assert "no_such_net" in train_ws.banner.message and train_ws.banner.isVisible()
    train_ws.form.seed.setValue(train_ws.form.seed.value() + 1)
    assert not train_ws.banner.isVisible()

    # A sentence that is not about starting (a picture that could not be written, say)
    # is not the form's to hide.
    train_ws.banner.show_message("The overview picture could not be written.")
    train_ws.form.seed.setValue(train_ws.form.seed.value() + 1)
    assert train_ws.banner.isVisible()
    assert train_ws.banner.message == "The overview picture could not be written."
