"""The Train workspace names things as the rest of the app does: networks by display name
(in the form, the bar, the panels, the hand-off menus), switches as "ReLU" and "Default
init", the device as "CPU"; and at 1280x800 the panel header keeps the step and the
first/last ratio in view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cnnviz.core.train import ModelConfig, RunConfig

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_form_lists_the_zoo_by_the_names_the_zoo_gives():
    from cnnviz.core.zoo import resolve
    from cnnviz.ui.train.model_row import ZOO_NAMES
    from cnnviz.ui.train.names import ZOO_DISPLAY

    assert list(ZOO_DISPLAY) == list(ZOO_NAMES)
    assert {name: resolve(name).display_name for name in ZOO_NAMES} == ZOO_DISPLAY


@pytest.fixture
def form(make_shown):
    from cnnviz.ui.train.setup_form import SetupForm

    return make_shown(SetupForm, (380, 760))


def test_the_form_shows_display_names_and_runs_the_references(qtbot, form):
    first, second = form.rows
    assert (first.combo.currentText(), second.combo.currentText()) == \
        ("Plain-20", "ResNet-20")
    assert [m.arch for m in form.config().models] == ["plain20", "resnet20"]
    # A reference typed in is taken as it is, and shown by its display name once entered.
    second.combo.lineEdit().selectAll()
    qtbot.keyClicks(second.combo.lineEdit(), "resnet32")
    qtbot.keyClick(second.combo.lineEdit(), Qt.Key.Key_Return)
    assert second.arch == "resnet32" and second.combo.currentText() == "ResNet-32"
    assert second.combo.count() == form.rows[0].combo.count()  # nothing added to the list
    assert form.config().models[1].arch == "resnet32"
    # Switches read as in the explorer, and still mean what the builders take.
    assert [form.activation.itemText(i) for i in range(form.activation.count())] == \
        ["ReLU", "Tanh", "Sigmoid"]
    assert form.init.currentText() == "Default init"
    form.activation.setCurrentIndex(form.activation.findText("Sigmoid"))
    assert all(m.options.get("activation") == "sigmoid" for m in form.config().models)


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (1280, 800))


def test_a_twin_run_reads_by_display_names_at_1280x800(qtbot, ws, data, tmp_path):
    config = RunConfig(models=(ModelConfig("plain20"), ModelConfig("resnet20")), batch_size=4,
                       steps=40, lr=0.05, seed=1, device="cpu", validate=False)
    assert ws.start(config=config, data=data, run_dir=tmp_path / "twin")
    assert ws.bar.title.text() == "Starting Plain-20 vs ResNet-20…"
    qtbot.waitUntil(lambda: bool(ws.view.panels) and len(ws.view.panels[0].series) >= 2,
                    timeout=WAIT_MS)
    assert ws.bar.status.text().startswith("Training on CPU.")
    ws.stop()
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    ws.view.refresh()
    ws.layout().activate()
    assert ws.bar.title.text() == "Plain-20 vs ResNet-20"
    assert not ws.bar.title.is_elided()
    # The data set beside the title is never cut: whole, or its name with the rest in the tip.
    assert ws.bar.detail.whole.startswith("·  ") and not ws.bar.detail.is_elided()
    for panel in ws.view.panels:
        assert panel.title.text() in ("Plain-20", "ResNet-20")
        assert panel.subtitle.text() == "20 layers"  # no raw "plain20 ·" before it
        # The ratio and the step both in full, however narrow the card.
        assert panel.ratio.text().startswith("First/last ") and not panel.ratio.is_elided()
        assert panel.metrics.text().startswith("Step ") and not panel.metrics.is_elided()
    for button in (ws.bar.graph_button, ws.bar.look_button):
        menu = button.menu()
        menu.aboutToShow.emit()  # what opening the menu does: fill it for the run shown now
        assert [a.text() for a in menu.actions()] == ["Plain-20", "ResNet-20"]
