"""The Look-inside panel: a picture through a network, layer by layer, with its weights."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import numpy as np
import pytest
from dnd import drop_files
import torch
from PIL import Image
from PySide6.QtCore import QPointF, Qt

from cnnviz.core.augment import Pipeline, Step
from cnnviz.core.inspect import inspect_model
from cnnviz.core.probe import (
    WeightsChoice, capture_activations, channel_order, preprocess_for, receptive_box, top_k,
)
from cnnviz.core.zoo import resolve
from cnnviz.ui.probe.grid_view import best_columns

WAIT_MS = 60_000


def photo(h=120, w=160, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, ((x // 20 + y // 20) % 2) * 220], axis=2)
    return np.clip(img + rng.integers(-20, 20, img.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def picture(tmp_path) -> Path:
    path = tmp_path / "house.png"
    Image.fromarray(photo()).save(path)
    return path


@pytest.fixture
def panel(make_shown):
    from cnnviz.ui.probe import LookInsidePanel

    return make_shown(LookInsidePanel, (1280, 800))


def settle(qtbot, panel, what=lambda p: p.probe is not None):
    def done():
        assert not panel.banner.message, panel.banner.message  # a problem ends the wait
        return what(panel) and not panel.worker.busy

    qtbot.waitUntil(done, timeout=WAIT_MS)


def looking_at(qtbot, panel, ref, image):
    panel.set_architecture(ref)
    panel.set_image(image)
    settle(qtbot, panel, lambda p: p.probe is not None and p.report is not None)
    return panel.probe


def test_layer_list_matches_the_activations_and_the_engine(qtbot, panel, picture):
    probe = looking_at(qtbot, panel, "lenet5", picture)
    spec = resolve("lenet5")
    prep = preprocess_for(spec.input_shape)
    from cnnviz.core.augment import load_image

    expected = capture_activations(spec.build(), prep(load_image(picture))).spatial_layers()
    listed = [panel.layer_list.topLevelItem(i).text(0)
              for i in range(panel.layer_list.topLevelItemCount())]
    assert listed == expected == probe.layers
    report = inspect_model("lenet5")
    shapes = {layer.name: tuple(layer.output_shape) for layer in report.layers}
    for name in listed:
        assert tuple(probe.acts.get(name).shape) == shapes[name], name
    # The network saw a 32x32 grey picture; the first layer is shown.
    assert probe.seen.shape == (32, 32, 3)
    assert panel.layer == listed[0] and panel.grid_view.layer == listed[0]
    assert "resized to 32×32, as grey levels" in panel.seen.caption.text()


def test_selecting_a_layer_draws_its_channels_and_sorting_reorders(qtbot, panel, picture):
    probe = looking_at(qtbot, panel, "resnet20", picture)
    item = next(panel.layer_list.topLevelItem(i) for i in range(panel.layer_list.topLevelItemCount())
                if panel.layer_list.topLevelItem(i).text(0) == "layer2.0.conv1")
    rect = panel.layer_list.visualItemRect(item)
    panel.layer_list.scrollToItem(item)
    rect = panel.layer_list.visualItemRect(item)
    qtbot.mouseClick(panel.layer_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.layer == "layer2.0.conv1"
    grid = panel.grid_view.grid
    act = probe.acts.get("layer2.0.conv1")
    assert act.shape == (32, 16, 16)
    assert len(grid.order) == 32 and grid.order == list(range(32))
    # As many columns as draw the maps largest in the canvas (see test_probe_fit).
    room = panel.grid_view.viewport().size()
    cols = best_columns(32, (16, 16), grid.pad, (room.width(), room.height()))
    rows = -(-32 // cols)
    assert grid.cols == cols and grid.cell == (16, 16)
    assert grid.image.shape[:2] == (rows * 16 + (rows - 1) * grid.pad,
                                    cols * 16 + (cols - 1) * grid.pad)
    assert panel.stats_strip.highlights[1].getRegion() == (
        probe.layers.index("layer2.0.conv1") - 0.5, probe.layers.index("layer2.0.conv1") + 0.5)
    panel.maps.order.setCurrentIndex(panel.maps.order.findData("mean"))
    by_mean = panel.grid_view.grid.order
    assert by_mean == channel_order(act, "mean") and by_mean != list(range(32))
    means = act.mean(dim=(1, 2))
    assert all(means[a] >= means[b] for a, b in zip(by_mean, by_mean[1:]))


def test_clicking_a_unit_outlines_what_it_sees(qtbot, panel, picture):
    looking_at(qtbot, panel, "lenet5", picture)
    panel.select_layer("features.5")
    view = panel.grid_view
    view.fit()
    x, y = view.pixel_of(3, 1, 2)
    pos = view.mapFromScene(view.item.mapToScene(QPointF(x, y)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.unit == (3, 1, 2)
    report = panel.report
    layer_id = next(l.id for l in report.layers if l.name == "features.5")
    # LeNet-5 by hand: pool2 units see 16x16 windows 4 pixels apart, unit (0, 0) centred at 7.5.
    assert panel.input_view.box == receptive_box(report, layer_id, 1, 2) == (4, 8, 19, 23)
    box = panel.input_view.box_rect()
    picture_rect = panel.input_view.picture_rect()
    assert box.width() == pytest.approx(16 * picture_rect.width() / 32)
    assert "rows 4–19 and columns 8–23" in panel.maps.unit_info.text()
    panel.select_layer("features.0")  # a new layer clears the outline
    assert panel.input_view.box is None


def test_dropping_an_image_runs_it(qtbot, panel, picture):
    panel.set_architecture("lenet5")
    settle(qtbot, panel, lambda p: p.network is not None)
    assert drop_files(panel, [picture]) == (True, True, True)
    settle(qtbot, panel)
    assert panel.image_name == "house.png"
    assert np.array_equal(panel.probe.image, photo())


def test_a_broken_image_gets_a_sentence(qtbot, panel, tmp_path, picture):
    looking_at(qtbot, panel, "lenet5", picture)
    shown = panel.probe
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a picture")
    panel.set_image(broken)
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=WAIT_MS)
    assert "broken.png" in panel.banner.message and "Traceback" not in panel.banner.message
    assert panel.probe is shown  # what was on screen stays


def test_published_weights_load_through_the_download_path(qtbot, panel, tmp_path, picture):
    looking_at(qtbot, panel, "lenet5", picture)
    torch.manual_seed(3)
    trained = resolve("lenet5").build()
    source = tmp_path / "published" / "lenet5-0123abcd.pth"
    source.parent.mkdir()
    torch.save(trained.state_dict(), source)
    digits = tuple(f"digit {i}" for i in range(10))
    choice = WeightsChoice("lenet5", "TEST_V1", source.as_uri(), digits, 98.0, 0.2)
    seen_progress = []
    panel.worker.download_progress.connect(lambda d, t: seen_progress.append((d, t)))
    cache = tmp_path / "cache"
    panel.download_weights(choice, cache)
    settle(qtbot, panel, lambda p: p.network.weights == "imagenet" and p.probe.network is p.network)
    assert (cache / source.name).read_bytes() == source.read_bytes()
    assert seen_progress and seen_progress[-1] == (source.stat().st_size, source.stat().st_size)
    assert not panel.weights_bar.progress.isVisible()
    for mine, theirs in zip(panel.network.model.parameters(), trained.parameters()):
        assert torch.equal(mine, theirs)
    expected = top_k(trained.eval()(panel.network.prep.to_tensor(
        panel.network.prep.crop_image(photo())))[0], digits, 5)
    shown = panel.predictions.predictions
    assert [p.name for p in shown] == [p.name for p in expected]
    assert [p.probability for p in shown] == pytest.approx([p.probability for p in expected])
    assert panel.predictions.lines()[0].endswith(expected[0].name)
    assert "TEST_V1" in panel.header.subtitle.text()
    assert panel.weights_bar.combo.currentText() == "Published weights TEST_V1"


def test_offline_download_says_so(qtbot, panel, tmp_path, picture, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))

    def offline(*_args, **_kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    looking_at(qtbot, panel, "resnet18", picture)
    combo = panel.weights_bar.combo
    assert combo.findData("imagenet") >= 0
    panel.weights_bar.choose("imagenet")
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.worker.busy, timeout=WAIT_MS)
    assert "offline" in panel.banner.message
    assert "resnet18-" in panel.banner.message
    assert panel.network.weights == "random"
    assert combo.currentData() == "random"
    assert not panel.weights_bar.progress.isVisible()


def test_a_weights_file_that_does_not_fit_is_refused_with_a_sentence(qtbot, panel, tmp_path, picture):
    looking_at(qtbot, panel, "lenet5", picture)
    network = panel.network
    wrong = tmp_path / "resnet20.pth"
    torch.save(resolve("resnet20").build().state_dict(), wrong)
    panel.load_weights_path(wrong)
    qtbot.waitUntil(lambda: panel.banner.isVisible() and not panel.worker.busy, timeout=WAIT_MS)
    assert "do not fit" in panel.banner.message
    assert panel.network is network


def test_a_model_from_the_training_lab(qtbot, panel, picture):
    torch.manual_seed(7)
    trained = resolve("resnet20").build()
    panel.set_model(trained, "resnet20")
    panel.set_image(picture)
    settle(qtbot, panel, lambda p: p.probe is not None and p.report is not None)
    assert panel.network.weights == "lab" and panel.network.model is not trained
    assert panel.weights_bar.combo.currentData() == "lab"
    for mine, theirs in zip(panel.network.model.parameters(), trained.parameters()):
        assert torch.equal(mine, theirs)
    assert len(panel.predictions.predictions) == 5
    assert panel.predictions.predictions[0].name.startswith("class ")
    panel.weights_bar.choose("random")
    settle(qtbot, panel, lambda p: p.network.weights == "random" and p.probe.network is p.network)
    assert not torch.equal(next(panel.network.model.parameters()), next(trained.parameters()))
    assert panel.predictions.predictions == [] and "random weights" in panel.predictions.message


def test_ten_crop_and_invariance_fill_their_views(qtbot, panel, picture, tmp_path):
    looking_at(qtbot, panel, "resnet20", picture)
    panel.tabs.setCurrentWidget(panel.tencrop_view)
    qtbot.waitUntil(lambda: len(panel.tencrop_view.crops) == 10, timeout=WAIT_MS)
    assert all(c.shape == (32, 32, 3) for c in panel.tencrop_view.crops)
    assert len(panel.tencrop_view.single.predictions) == 5
    assert len(panel.tencrop_view.averaged.predictions) == 5
    assert not panel.tencrop_view.thumbs[9].pixmap().isNull()

    pipeline_file = tmp_path / "flip.json"
    Pipeline([Step("hflip", probability=1.0)]).save(pipeline_file)
    panel.open_paths([pipeline_file])
    assert panel.pipeline_source == "flip.json" and "Horizontal flip" in panel.invariance_view.pipeline_label.text()
    view = panel.invariance_view
    view.count.setValue(3)
    panel.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: len(view.cards) == 3 and not panel.worker.busy, timeout=WAIT_MS)
    assert all(np.array_equal(image, photo()[:, ::-1]) for image, _ in view.rows)
    # A mirror image gives every sample the same answer, so the verdicts agree with each other.
    assert len({card.same for card in view.cards}) == 1
    assert "of 3 augmented samples" in view.summary.text()


def test_a_newer_request_wins(qtbot, panel, picture):
    panel.set_image(picture)
    panel.set_architecture("resnet20")
    panel.set_architecture("lenet5")
    settle(qtbot, panel, lambda p: p.probe is not None and p.report is not None)
    assert panel.network.ref == "lenet5" and panel.probe.network is panel.network
    assert panel.report.arch == "lenet5"
    assert panel.probe.layers[0] == "features.0"


def test_options_reach_the_network_and_saturation_is_shown_after_squashing_only(
        qtbot, panel, picture):
    from torch import nn

    from cnnviz.core.probe import activation_stats

    panel.set_architecture("resnet20", {"activation": "sigmoid"})
    panel.set_image(picture)
    settle(qtbot, panel, lambda p: p.probe is not None and p.report is not None)
    model = panel.network.model
    assert panel.network.options == {"activation": "sigmoid"}
    squashing = {n for n, m in model.named_modules() if isinstance(m, nn.Sigmoid)}
    assert "act" in squashing
    core = {s.name: s for s in activation_stats(panel.probe.acts)}
    shown = panel.probe.stats
    assert shown["act"].saturated_fraction == core["act"].saturated_fraction
    for name in panel.probe.layers:
        if name not in squashing:
            assert shown[name].saturated_fraction == 0.0, name
    strip = panel.stats_strip
    index = panel.probe.layers.index("act")
    assert strip.values["saturated"][index] == core["act"].saturated_fraction
