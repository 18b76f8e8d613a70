""""Show in graph" on a projector-sized window (1280 x 720, what 150 % makes of full HD):
the folded network is fitted too far out for the boxes' own text, so each bar is named, with
its gradient norm, in screen-size text beside it; the legend names the model in words."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontInfo

from cnnviz.core.train import GradientSnapshot, ModelConfig
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.gradient_shade import option_words, run_words
from cnnviz.ui.arch.graph_items import text_zoom
from cnnviz.ui.arch.side_labels import label_fonts
from cnnviz.ui.theme import palette
from lab_snapshots import one_step_snapshot

WAIT_MS = 60_000
RUN = "20261128-141330-plain20-nobn-vs-resnet20-nobn"  # a run folder's name, as the lab sends


def _no_bn(arch: str) -> GradientSnapshot:
    """One lab step of ``arch`` without batch norm, named as the lesson preset names it."""
    model = ModelConfig(arch, name=f"{arch}-nobn", options={"batch_norm": False})
    return dataclasses.replace(one_step_snapshot(model, 4, RUN), options=dict(model.options))


@pytest.fixture(scope="module")
def plain20() -> GradientSnapshot:
    return _no_bn("plain20")


@pytest.fixture(scope="module")
def plain56() -> GradientSnapshot:
    return _no_bn("plain56")


def _show_in_graph(qtbot, window, arch, snapshot) -> None:
    """At 1280 x 720, what the Train workspace's "Show in graph" does."""
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.height() == 720, timeout=5_000)
    window.show_gradients(snapshot)
    qtbot.waitUntil(lambda: arch.gradients.snapshot is snapshot and not arch.runner.busy,
                    timeout=WAIT_MS)
    qtbot.wait(50)  # deferred layout requests


def _boxes_in_view(graph) -> dict[str, QRectF]:
    """Each node's box in viewport pixels, for the nodes inside the viewport."""
    to_view, inside = graph.viewportTransform(), QRectF(graph.viewport().rect())
    boxes = {key: to_view.mapRect(node.mapRectToScene(node.box()))
             for key, node in graph.graph_scene.nodes.items()}
    return {key: box for key, box in boxes.items() if inside.intersects(box)}


def _assert_apart(labels, boxes) -> None:
    rects = [rect for _label, rect in labels]
    for i, rect in enumerate(rects):
        assert not any(rect.intersects(other) for other in rects[i + 1:]), labels[i][0].name
        assert not any(rect.intersects(box) for box in boxes.values()), labels[i][0].name


def test_show_in_graph_names_every_bar_with_its_norm(qtbot, window, arch, plain20):
    _show_in_graph(qtbot, window, arch, plain20)
    graph = arch.graph
    assert graph.is_overview() and graph.shows_whole_graph()
    assert graph.zoom() < text_zoom()  # the boxes draw no text of their own here

    labels = graph.side_labels()
    boxes = _boxes_in_view(graph)
    by_key = {label.key: (label, rect) for label, rect in labels}
    assert set(by_key) == set(boxes)  # every bar on screen is named
    viewport = QRectF(graph.viewport().rect())
    name_font, value_font = label_fonts()
    # Painted untransformed: the font's pixel size is its size on screen.
    assert QFontInfo(name_font).pixelSize() >= 8 and QFontInfo(value_font).pixelSize() >= 8
    for key, (label, rect) in by_key.items():
        assert viewport.contains(rect), label.name
        assert rect.left() > boxes[key].right()  # beside its bar, not over it
    _assert_apart(labels, boxes)
    # Blocks by their paths, layers by their module names, norms as the legend writes them.
    assert by_key["conv1"][0].name == "conv1" and by_key["layer3.2"][0].name == "layer3.2"
    units = arch.gradients.units
    for key in ("conv1", "layer1.0", "layer3.2", "fc"):
        assert by_key[key][0].value == fmt.norm(units[key].value)
    assert by_key["avgpool"][0].value == "" and by_key["avgpool"][0].quiet

    # The names are really painted: pixels of the text's colour inside each label.
    image = graph.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    for label, rect in labels:
        ink, inked = QColor(palette().muted if label.quiet else palette().text), 0
        for y in range(round(rect.top() * ratio), round(rect.bottom() * ratio)):
            for x in range(round(rect.left() * ratio), round(rect.right() * ratio)):
                pixel = image.pixelColor(x, y)
                inked += abs(pixel.lightness() - ink.lightness()) < 60
        assert inked > 10, label.name

    # Zoomed in far enough for the boxes' own text, the labels step aside.
    graph.zoom_to(text_zoom() * 1.1, animated=False)
    assert graph.side_labels() == []


def test_the_legend_names_the_model_and_the_run_in_words(qtbot, window, arch, plain20):
    _show_in_graph(qtbot, window, arch, plain20)
    legend = arch.graph.legend
    assert legend.title == f"Gradient norm · Plain-20 without batch norm, step {plain20.step}"
    tip = legend.toolTip()
    assert "the run of 28 Nov 14:13" in tip
    for raw in (plain20.model, RUN, "plain20", "batch_norm"):
        assert raw not in legend.title and raw not in tip


def test_a_deep_network_keeps_the_ends_of_its_fade_named(qtbot, window, arch, plain56):
    _show_in_graph(qtbot, window, arch, plain56)
    graph = arch.graph
    labels = graph.side_labels()
    names = [label.name for label, _rect in labels]
    # 35 bars do not all fit a name at this height: the first and last measured ones do.
    assert 10 <= len(labels) < len(graph.graph_scene.nodes)
    assert "conv1" in names and "fc" in names
    _assert_apart(labels, _boxes_in_view(graph))


def test_options_and_runs_in_words():
    defaults = {"batch_norm": True, "activation": "relu", "init": "default"}
    assert option_words({"batch_norm": False}, defaults) == ["without batch norm"]
    assert option_words({"batch_norm": True, "activation": "ReLU"}, defaults) == []
    assert option_words({"activation": "sigmoid", "init": "xavier"}, defaults) == [
        "with Sigmoid", "with Xavier init"]
    assert option_words({"aux_logits": True}) == ["with auxiliary classifiers"]
    assert run_words(RUN) == "the run of 28 Nov 14:13"
    assert run_words("lesson 3") == "run lesson 3" and run_words("") == ""
