"""A model trained in the lab, sent to the Look-inside panel: its own layers, label and classes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from cnnviz.core.errors import WeightsError
from cnnviz.core.inspect import inspect_model
from cnnviz.core.probe import capture_activations, check_architecture, cpu_copy, preprocess_for
from cnnviz.core.zoo import resolve

WAIT_MS = 60_000
LABEL = "plain20, step 2 of run 2026-11-28_0612"
NO_BN = {"batch_norm": False}


def picture(h=48, w=64) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // w, y * 255 // h, ((x // 8 + y // 8) % 2) * 200],
                    axis=2).astype(np.uint8)


@pytest.fixture(scope="module")
def lab_run():
    """A real (tiny) training run of a plain20 without batch norm on three shapes."""
    from cnnviz.core.train import ModelConfig, RunConfig, load_dataset, train
    from cnnviz.core.train.models import build_module

    data = load_dataset("shapes", num_classes=3, image_size=32, train_size=32, val_size=8)
    config = ModelConfig("plain20", options=dict(NO_BN))
    module, _title = build_module(config, len(data.classes))
    before = [p.detach().clone() for p in module.parameters()]
    run = RunConfig(models=(config,), steps=2, batch_size=16, device="cpu", log_every=1)
    records = list(train(run, modules={"plain20": module}, data=data))
    assert records and any(not torch.equal(a, b) for a, b in zip(before, module.parameters()))
    return module, list(data.classes)


@pytest.fixture
def panel(make_shown):
    from cnnviz.ui.probe import LookInsidePanel

    return make_shown(LookInsidePanel, (900, 650))


def settle(qtbot, panel, what):
    def done():
        assert not panel.banner.message, panel.banner.message
        return what(panel) and not panel.worker.busy

    qtbot.waitUntil(done, timeout=WAIT_MS)


def test_a_trained_no_bn_plain20_shows_its_own_layers_label_and_classes(qtbot, panel, lab_run):
    module, classes = lab_run
    assert classes and not {"tench", "goldfish"} & set(classes)
    panel.set_architecture("plain20")  # the catalog shows the batch-norm plain20
    settle(qtbot, panel, lambda p: p.network is not None)
    panel.set_model(module, "plain20", NO_BN, LABEL, class_names=classes)
    panel.set_image(picture(), "stripes")
    settle(qtbot, panel, lambda p: p.probe is not None and p.report is not None
           and p.network.weights == "lab")

    net = panel.network
    assert net.options == NO_BN and net.model is not module
    for mine, theirs in zip(net.model.parameters(), module.parameters()):
        assert torch.equal(mine, theirs)
    # The layers are the no-batch-norm network's, with the engine's shapes for that network.
    report = inspect_model("plain20", num_classes=3, options=NO_BN)
    assert panel.report.arch == "plain20"
    assert not any("bn" in layer.name for layer in panel.report.layers)
    shapes = {layer.name: tuple(layer.output_shape) for layer in report.layers}
    listed = [panel.layer_list.topLevelItem(i).text(0)
              for i in range(panel.layer_list.topLevelItemCount())]
    assert listed == panel.probe.layers and not any("bn" in name for name in listed)
    for name in listed:
        assert tuple(panel.probe.acts.get(name).shape) == shapes[name], name
    prep = preprocess_for((3, 32, 32))
    expected = capture_activations(module, prep(picture()))
    assert torch.allclose(panel.probe.acts.get("layer3.2.conv2"), expected.get("layer3.2.conv2"))

    # The header says which weights are in use; the menu offers them by the same label.
    strip = panel.header.lab_strip
    assert strip.isVisible() and LABEL in strip.label.text()
    assert all(c in strip.classes.text() for c in classes)
    assert panel.header.subtitle.text() == "3×32×32 input · Weights trained in the lab"
    assert panel.weights_bar.combo.currentData() == "lab"
    assert LABEL in panel.weights_bar.combo.currentText()

    # The answer is in the lab's class names, with the network's own probabilities.
    shown = panel.predictions.predictions
    assert len(shown) == 3 and {p.name for p in shown} == set(classes)
    probs = torch.softmax(expected.logits, 0)
    assert [p.probability for p in shown] == pytest.approx(sorted(probs.tolist(), reverse=True))
    assert panel.predictions.lines()[0].endswith(classes[int(probs.argmax())])
    assert panel.seen.answer_card.heading.text() == "ALL 3 CLASSES"

    # The way back to the catalog's network, and from its menu to the trained weights again.
    qtbot.mouseClick(strip.back_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel, lambda p: p.network is not None and p.network.weights == "random"
           and p.probe is not None and p.probe.network is p.network and p.report is not None)
    assert panel.network.options == {} and not strip.isVisible()
    assert any("bn" in name for name in panel.probe.layers)
    assert any("bn" in layer.name for layer in panel.report.layers)
    panel.weights_bar.choose("lab")
    settle(qtbot, panel, lambda p: p.network.weights == "lab" and p.probe.network is p.network
           and p.report is not None and p.report.arch == "plain20")
    assert strip.isVisible() and not any("bn" in name for name in panel.probe.layers)
    assert not any("bn" in layer.name for layer in panel.report.layers)


def test_without_class_names_a_cifar_model_numbers_its_classes(qtbot, panel, lab_run):
    module, _classes = lab_run
    panel.set_model(module, "plain20", NO_BN)
    panel.set_image(picture())
    settle(qtbot, panel, lambda p: p.probe is not None)
    names = [p.name for p in panel.predictions.predictions]
    assert sorted(names) == ["class 0", "class 1", "class 2"]
    assert "Trained in the training lab" in panel.header.lab_strip.label.text()
    assert not panel.header.lab_strip.classes.isVisible()


def test_a_model_sent_with_the_wrong_options_is_refused_with_a_sentence(qtbot, panel, lab_run):
    module, classes = lab_run
    panel.set_model(module, "plain20", {}, LABEL, class_names=classes)
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.worker.busy, timeout=WAIT_MS)
    text = panel.banner.message
    assert "does not match Plain-20" in text and "Traceback" not in text and text.endswith(".")
    assert panel.network is None


def test_the_copy_is_on_the_cpu_in_a_normal_layout_and_the_original_untouched(lab_run):
    module, _ = lab_run
    original = cpu_copy(module)  # a private model to change the layout of
    original.to(memory_format=torch.channels_last).train()
    conv = original.conv1.weight
    assert not conv.is_contiguous() and conv.is_contiguous(memory_format=torch.channels_last)
    original.conv1.weight.grad = torch.ones_like(conv)
    copy = cpu_copy(original)
    assert not copy.training and original.training
    for (name, mine), theirs in zip(copy.named_parameters(), original.parameters()):
        assert mine is not theirs and mine.device.type == "cpu" and mine.is_contiguous(), name
        assert torch.equal(mine, theirs) and mine.grad is None
    assert original.conv1.weight.grad is not None
    assert not original.conv1.weight.is_contiguous()
    with torch.no_grad():
        copy.conv1.weight.zero_()
    assert original.conv1.weight.abs().sum() > 0


def test_check_architecture_names_the_layer_that_differs(lab_run):
    module, _ = lab_run
    spec = resolve("plain20")
    check_architecture(module, spec, NO_BN)
    expected = r"match Plain-20: it has no bn1\.bias, .*options it was built with\.$"
    with pytest.raises(WeightsError, match=expected):
        check_architecture(module, spec, {})
