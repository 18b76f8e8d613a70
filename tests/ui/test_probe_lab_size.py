"""A lab model trained at another size than the catalog's is looked inside at that size: the
picture, the feature maps, the receptive fields, the ten crops and the answers all follow."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt

from cnnviz.core.inspect import inspect_model
from cnnviz.core.probe import capture_activations, lab_preprocess, receptive_box
from cnnviz.core.zoo import resolve

WAIT_MS = 60_000
LABEL = "resnet20, step 40 of run 2026-11-28_0900"
CLASSES = ["circle", "square", "triangle"]
MEAN, STD = (0.52, 0.47, 0.41), (0.24, 0.23, 0.26)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def photo(h=90, w=150) -> np.ndarray:
    """A wide picture with a pure blue strip down its left sixth, outside its centre square."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, ((x // 9 + y // 9) % 2) * 210], axis=2)
    img[:, : w // 6, 2] = 255
    return img.astype(np.uint8)


def lab_module(arch: str, classes: int = 3, seed: int = 3) -> torch.nn.Module:
    torch.manual_seed(seed)
    return resolve(arch).build(num_classes=classes).eval()


@pytest.fixture
def panel(make_shown):
    from cnnviz.ui.probe import LookInsidePanel

    return make_shown(LookInsidePanel, (1280, 800))


def settle(qtbot, panel, what):
    def done():
        assert not panel.banner.message, panel.banner.message
        return what(panel) and not panel.worker.busy

    qtbot.waitUntil(done, timeout=WAIT_MS)


def lab_ready(p) -> bool:
    return (p.network is not None and p.network.weights == "lab" and p.probe is not None
            and p.probe.network is p.network and p.report is not None)


def show_resnet20_at_48(qtbot, panel) -> torch.nn.Module:
    """A lab ResNet-20 trained at 48x48 in the panel, looking at the striped photo."""
    module = lab_module("resnet20")
    panel.set_model(module, "resnet20", {}, LABEL, CLASSES, mean=MEAN, std=STD,
                    image_size=48, channels=3, owned=True)
    panel.set_image(photo(), "stripes.png")
    settle(qtbot, panel, lab_ready)
    return module


def test_a_resnet20_trained_at_48_pixels_is_looked_inside_at_48(qtbot, panel):
    module = show_resnet20_at_48(qtbot, panel)

    probe = panel.probe
    assert panel.network.input_shape == (3, 48, 48) and probe.seen.shape == (48, 48, 3)
    # The centre square of the wide picture, not the whole picture squashed: the blue strip
    # down its left edge is cut off.
    assert probe.seen[:, 0, 2].max() < 250
    # Every layer the engine measures has its size for a 48x48 input (the last stage 12x12).
    report = inspect_model("resnet20", (3, 48, 48), num_classes=3)
    shapes = {layer.name: tuple(layer.output_shape) for layer in report.layers
              if layer.op == "module"}
    measured = [name for name in probe.layers if name in shapes]
    assert len(measured) >= 19
    for name in measured:
        assert tuple(probe.acts.get(name).shape) == shapes[name], name
    assert tuple(probe.acts.get("layer3.2.conv2").shape) == (64, 12, 12)
    assert probe.layers[0] == "conv1" and probe.acts.get("conv1").shape[-2:] == (48, 48)
    # ... and the values are the model's on the picture fed the lab's way, with its statistics.
    expected = capture_activations(module, lab_preprocess(48, 3, MEAN, STD)(photo()))
    assert torch.allclose(probe.acts.get("layer2.0.conv1"), expected.get("layer2.0.conv1"))

    # The answer arrives in the lab's class names with the model's own probabilities.
    shown = panel.predictions.predictions
    probs = torch.softmax(expected.logits, 0)
    assert [p.name for p in shown] == [CLASSES[int(i)] for i in probs.argsort(descending=True)]
    assert [p.probability for p in shown] == pytest.approx(sorted(probs.tolist(), reverse=True))

    # The size in use is said where a student looks.
    header = panel.header
    assert header.subtitle.text() == "3×48×48 input · Weights trained in the lab"
    tag = header.lab_strip.size_tag
    assert tag.isVisible() and tag.text() == "input 48×48"
    assert tag.toolTip() == ("Pictures are fed at 48×48 pixels with 3 channels, as in its "
                             "training run; the catalog's network takes 3×32×32.")
    assert panel.seen.caption.text() == ("stripes.png: centre square resized to 48×48 as in "
                                         "training (catalog: 32×32), normalised.")


def test_receptive_fields_and_ten_crop_follow_the_labs_size(qtbot, panel):
    show_resnet20_at_48(qtbot, panel)
    assert panel.report.input_shape[-2:] == (48, 48)

    # A unit at the far corner of a 12x12 map of the last stage sees the input's far corner;
    # at the catalog's 32x32 the same layer's map would be 8x8 and have no such unit.
    panel.select_layer("layer3.2.conv2")
    view = panel.grid_view
    view.fit()
    x, y = view.pixel_of(5, 11, 11)
    pos = view.mapFromScene(view.item.mapToScene(QPointF(x, y)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.unit == (5, 11, 11)
    layer_id = next(l.id for l in panel.report.layers if l.name == "layer3.2.conv2")
    box = receptive_box(panel.report, layer_id, 11, 11)
    assert panel.input_view.box == box and box[2:] == (47, 47)
    assert "No receptive field" not in panel.maps.unit_info.text()
    assert "rows" in panel.maps.unit_info.text()

    panel.tabs.setCurrentWidget(panel.tencrop_view)
    tencrop = panel.tencrop_view
    qtbot.waitUntil(lambda: len(tencrop.crops) == 10 and not panel.worker.busy, timeout=WAIT_MS)
    assert all(c.shape == (48, 48, 3) for c in tencrop.crops)
    # Corner crops come from a margin around the centre square: they are not all the same.
    assert not np.array_equal(tencrop.crops[0], tencrop.crops[3])
    assert [p.name for p in tencrop.single.predictions] == \
        [p.name for p in panel.predictions.predictions]
    assert {p.name for p in tencrop.averaged.predictions} == set(CLASSES)

    checks = panel.invariance_view
    checks.count.setValue(2)
    panel.tabs.setCurrentWidget(checks)
    qtbot.waitUntil(lambda: len(checks.cards) == 2 and not panel.worker.busy, timeout=WAIT_MS)
    assert all({p.name for p in preds} <= set(CLASSES) for _image, preds in checks.rows)


def test_back_to_catalog_weights_returns_to_the_catalogs_size_and_back(qtbot, panel):
    show_resnet20_at_48(qtbot, panel)

    qtbot.mouseClick(panel.header.lab_strip.back_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel, lambda p: p.network is not None and p.network.weights == "random"
           and p.probe is not None and p.probe.network is p.network and p.report is not None)
    assert panel.network.input_shape == (3, 32, 32) and panel.probe.seen.shape == (32, 32, 3)
    assert panel.report.input_shape[-2:] == (32, 32)
    assert panel.probe.acts.get("layer3.2.conv2").shape[-2:] == (8, 8)
    assert panel.header.subtitle.text().startswith("3×32×32 input · ")
    assert not panel.header.lab_strip.isVisible()

    panel.weights_bar.choose("lab")  # and from the weights menu to the lab's model again
    settle(qtbot, panel, lab_ready)
    assert panel.network.input_shape == (3, 48, 48) and panel.probe.seen.shape == (48, 48, 3)
    assert panel.report.input_shape[-2:] == (48, 48)
    assert panel.header.lab_strip.size_tag.text() == "input 48×48"


def test_a_one_channel_lab_model_reads_the_average_of_the_colours(qtbot, panel):
    module = lab_module("lenet5")
    mean, std = (0.13,), (0.31,)
    panel.set_model(module, "lenet5", {}, "lenet5, step 9", ["zero", "one", "two"], mean=mean,
                    std=std, image_size=32, channels=1, owned=True)
    panel.set_image(photo(), "stripes.png")
    settle(qtbot, panel, lab_ready)

    # By hand: the centre square at 32x32, the mean of R, G and B, the run's normalisation.
    crop = panel.network.prep.crop_image(photo()).astype(np.float32) / 255.0
    x = torch.from_numpy((crop.mean(axis=2) - mean[0]) / std[0])[None, None]
    with torch.no_grad():
        logits = module(x)[0]
    assert torch.allclose(panel.probe.acts.logits, logits, atol=1e-5)
    seen = panel.probe.seen
    assert seen.shape == (32, 32, 3) and np.array_equal(seen[..., 0], seen[..., 2])
    # The lab's input is the catalog's here: the tag does not compare them.
    assert panel.header.lab_strip.size_tag.text() == "input 32×32, grey"
    assert panel.header.subtitle.text() == "1×32×32 input · Weights trained in the lab"
    assert "as grey levels" in panel.seen.caption.text()


def test_a_colour_model_trained_on_grey_pictures_is_shown_grey(qtbot, panel):
    module = lab_module("plain20")
    panel.set_model(module, "plain20", {}, "plain20, step 5", CLASSES, mean=(0.13,) * 3,
                    std=(0.31,) * 3, image_size=40, channels=3, owned=True)
    panel.set_image(photo(), "stripes.png")
    settle(qtbot, panel, lab_ready)
    seen = panel.probe.seen
    assert seen.shape == (40, 40, 3)
    assert np.array_equal(seen[..., 0], seen[..., 1]) and np.array_equal(seen[..., 1], seen[..., 2])
    assert panel.probe.acts.get("conv1").shape == (16, 40, 40)
    assert "as grey levels" in panel.seen.caption.text()


def test_channels_the_model_cannot_read_are_refused_with_a_sentence(qtbot, panel):
    panel.set_model(lab_module("resnet20"), "resnet20", {}, LABEL, CLASSES, mean=(0.5,),
                    std=(0.2,), image_size=48, channels=1, owned=True)
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.worker.busy, timeout=WAIT_MS)
    text = panel.banner.message
    assert text == ("The trained model reads colour (3-channel) pictures, but it was sent as "
                    "trained on grey (1-channel) ones; send it with the run's own input "
                    "settings.")
    assert panel.network is None


def test_a_lenet5_trained_on_28_pixel_digits_sees_the_labs_black_frame(qtbot, panel):
    """MNIST's 28x28 digits reached LeNet-5's 32x32 input padded with black: a photo looked
    at inside that model is resized to 28 and framed the same way, and the caption says so."""
    from cnnviz.core.probe import top_k

    digits = [str(d) for d in range(10)]
    module = lab_module("lenet5", classes=10)
    panel.set_model(module, "lenet5", {}, "lenet5, step 300", digits, mean=(0.13,),
                    std=(0.31,), image_size=32, channels=1, data_size=28, owned=True)
    white = np.full((60, 80, 3), 255, np.uint8)
    panel.set_image(white, "white.png")
    settle(qtbot, panel, lab_ready)
    seen = panel.probe.seen
    assert seen.shape == (32, 32, 3)
    assert not seen[:2].any() and not seen[-2:].any() and not seen[:, :2].any()
    assert (seen[2:30, 2:30] == 255).all()
    with torch.no_grad():
        logits = module(lab_preprocess(32, 1, (0.13,), (0.31,), data_size=28)(white))
    expected = top_k(logits[0], digits, 5)
    shown = panel.predictions.predictions
    assert [p.name for p in shown] == [p.name for p in expected]
    assert [p.probability for p in shown] == pytest.approx([p.probability for p in expected])
    assert "resized to 28×28 in a black border as in training" in panel.seen.caption.text()
