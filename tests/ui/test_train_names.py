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


def test_a_twin_run_reads_by_display_names_at_1280x800(qtbot, train_ws, data, tmp_path):
    config = RunConfig(models=(ModelConfig("plain20"), ModelConfig("resnet20")), batch_size=4,
                       steps=40, lr=0.05, seed=1, device="cpu", validate=False)
    assert train_ws.start(config=config, data=data, run_dir=tmp_path / "twin")
    assert train_ws.bar.title.text() == "Starting Plain-20 vs ResNet-20…"
    qtbot.waitUntil(lambda: bool(train_ws.view.panels) and len(train_ws.view.panels[0].series) >= 2,
                    timeout=WAIT_MS)
    assert train_ws.bar.status.text().startswith("Training on CPU.")
    train_ws.stop()
    qtbot.waitUntil(lambda: not train_ws.running, timeout=WAIT_MS)
    train_ws.view.refresh()
    train_ws.layout().activate()
    assert train_ws.bar.title.text() == "Plain-20 vs ResNet-20"
    assert not train_ws.bar.title.is_elided()
    # The data set beside the title is never cut: whole, or its name with the rest in the tip.
    assert train_ws.bar.detail.whole.startswith("·  ") and not train_ws.bar.detail.is_elided()
    for panel in train_ws.view.panels:
        assert panel.title.text() in ("Plain-20", "ResNet-20")
        assert panel.subtitle.text() == "20 layers"  # no raw "plain20 ·" before it
        # The ratio and the step both in full, however narrow the card.
        assert panel.ratio.text().startswith("First/last ") and not panel.ratio.is_elided()
        assert panel.metrics.text().startswith("Step ") and not panel.metrics.is_elided()
    for button in (train_ws.bar.graph_button, train_ws.bar.look_button):
        menu = button.menu()
        menu.aboutToShow.emit()  # what opening the menu does: fill it for the run shown now
        assert [a.text() for a in menu.actions()] == ["Plain-20", "ResNet-20"]


def test_titles_name_the_switches_and_the_length():
    from cnnviz.core.train.presets import get_preset
    from cnnviz.ui.train.names import meta_title, model_title, run_title

    twins = ["Plain-20", "ResNet-20"]
    assert run_title(twins, [{}, {}], "300 steps", "Shapes (10 classes, 32 × 32)") == \
        "Plain-20 vs ResNet-20 · 300 steps · Shapes (10 classes, 32 × 32)"
    no_bn = {"batch_norm": False, "init": "default"}
    assert run_title(twins, [no_bn, no_bn], "200 steps") == \
        "Plain-20 vs ResNet-20, without batch norm · 200 steps"
    sigmoid = get_preset("plain20-vs-resnet20-sigmoid").models[0].options
    assert run_title(twins, [sigmoid, sigmoid]) == \
        "Plain-20 vs ResNet-20, with Sigmoid and Xavier init, without batch norm"
    # Switches that differ between the models go with each model.
    assert run_title(twins, [no_bn, {}], "1 step") == \
        "Plain-20 (without batch norm) vs ResNet-20 · 1 step"
    assert model_title("ResNet-20", no_bn) == "ResNet-20 without batch norm"
    meta = {"models": [{"name": "a", "display_name": "Plain-20 (CIFAR)"},
                       {"name": "b", "display_name": "ResNet-20 (CIFAR)"}],
            "config": {"models": [{"name": "a", "options": no_bn},
                                  {"name": "b", "options": no_bn}], "epochs": 3},
            "dataset_name": "MNIST"}
    assert meta_title(meta) == "Plain-20 vs ResNet-20, without batch norm · 3 epochs · MNIST"
    # An older run.json wrote sizes "32x32": it reads as a new one does.
    meta["dataset_name"] = "Shapes (4 classes, 64x64)"
    assert meta_title(meta).endswith(" · Shapes (4 classes, 64 × 64)")


def _lesson_folder(root, key, minute):
    """A run folder of preset ``key``, 200 steps, as the engine writes its run.json (no
    training needed to list it)."""
    from cnnviz.core.train import ModelInfo
    from cnnviz.core.train.presets import get_preset
    from cnnviz.core.train.records import RunFinished
    from cnnviz.core.train.runlog import RunLog

    preset = get_preset(key)
    infos = [ModelInfo(name=m.label, arch=m.arch, display_name=f"{n}-20 (CIFAR)",
                       layer_names=("conv1", "fc"), frozen=(False, False), num_params=1,
                       trainable_params=1)
             for m, n in zip(preset.models, ("Plain", "ResNet"))]
    log = RunLog(root / f"20261128-14{minute:02d}00-{key}", config=preset.config(
        steps=200).to_dict(), models=infos, meta={
        "dataset_name": "Shapes (10 classes, 32x32)", "total_steps": 200, "device": "cpu"})
    log.finish(RunFinished(200, "completed", "Training finished after 200 steps.", 1.0, None))
    return log.run_dir


def test_past_runs_and_the_header_tell_the_lessons_apart(qtbot, train_ws, tmp_path):
    with_bn = _lesson_folder(tmp_path, "plain20-vs-resnet20", 10)
    without = _lesson_folder(tmp_path, "plain20-vs-resnet20-no-bn", 13)
    train_ws.browser.set_root(tmp_path)
    train_ws.tabs.setCurrentWidget(train_ws.browser)
    rows = {train_ws.browser.paths()[i]: train_ws.browser.tree.topLevelItem(i).text(0).splitlines()
            for i in range(2)}
    # These run.json files are as older versions wrote them ("32x32"): they read as new ones.
    assert rows[with_bn][:2] == ["Plain-20 vs ResNet-20",
                                 "200 steps · Shapes (10 classes, 32 × 32)"]
    assert rows[without][:2] == ["Plain-20 vs ResNet-20, without batch norm",
                                 "200 steps · Shapes (10 classes, 32 × 32)"]
    assert "plain20" not in "".join(rows[without])  # no raw ids
    train_ws.open_run(without)
    assert train_ws.bar.title.text() == "Plain-20 vs ResNet-20, without batch norm"
    assert train_ws.bar.detail.whole == "·  200 steps · Shapes (10 classes, 32 × 32)"
