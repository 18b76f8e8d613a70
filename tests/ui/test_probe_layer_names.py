"""Layer names in a narrow Look-inside list keep what tells the rows apart, and the red
shapes are explained where they are seen."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from cnnviz.core.zoo import resolve
from cnnviz.ui.probe.layer_names import short_layer_name, shared_prefix

WAIT_MS = 60_000


def test_shared_prefix_is_what_nearly_every_layer_starts_with():
    mobilenet = [f"features.{i}.depthwise.0" for i in range(1, 14)] + ["avgpool"]
    assert shared_prefix(mobilenet) == "features."
    resnet = ["conv1", "layer1.0.conv1", "layer2.0.conv1", "layer3.0.conv1", "layer4.0.conv1"]
    assert shared_prefix(resnet) == ""
    assert shared_prefix(["features"]) == "" and shared_prefix([]) == ""


def test_a_long_name_loses_its_shared_start_before_its_distinctive_end():
    def fits(limit):
        return lambda text: len(text) <= limit

    def elide(limit):
        return lambda text: text if len(text) <= limit else \
            text[:limit // 2] + "…" + text[len(text) - (limit - limit // 2 - 1):]

    name = "features.11.depthwise.0"
    assert short_layer_name(name, "features.", fits(30), elide(30)) == name
    assert short_layer_name(name, "features.", fits(16), elide(16)) == "…11.depthwise.0"
    # Too narrow even for that: the rest is cut in its middle, both ends kept.
    short = short_layer_name(name, "features.", fits(10), elide(10))
    assert short.startswith("…11") and short.endswith(".0") and len(short) <= 10
    # Without a shared start, ResNet's "layer" word goes before any stage number is cut.
    assert short_layer_name("layer1.0.conv1", "", fits(11), elide(11)) == "…1.0.conv1"
    assert short_layer_name("layer4.1.downsample.0", "", fits(17), elide(17)) == \
        "…4.1.downsample.0"
    short = short_layer_name("layer4.1.downsample.0", "", fits(12), elide(12))
    assert short.startswith("…4") and short.endswith("e.0") and len(short) <= 12
    assert short_layer_name("conv1", "", fits(4), elide(4)) == elide(4)("conv1")
    # In a list where the longest name lost its stage word, a short one loses it too.
    assert short_layer_name("layer1.0.bn1", "", fits(20), elide(20), drop_word=True) == \
        "…1.0.bn1"
    assert short_layer_name("conv1", "", fits(20), elide(20), drop_word=True) == "conv1"


@pytest.fixture
def panel(make_shown):
    from cnnviz.ui.probe import LookInsidePanel

    return make_shown(LookInsidePanel, (900, 650))


def shown_names(names) -> list[str]:
    """What the list draws in its name column, row by row."""
    delegate = names.itemDelegateForColumn(0)
    model = names.model()
    out = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        option = QStyleOptionViewItem()
        names.initViewItemOption(option)
        option.rect = names.visualRect(index)
        delegate.initStyleOption(option, index)
        out.append(option.text)
    return out


def test_mobilenet_layers_stay_apart_beside_the_explorer(qtbot, panel):
    panel.resize(900, 650)  # what Look inside gets at 1280x800
    panel.show()
    qtbot.waitExposed(panel)
    torch.manual_seed(0)
    panel.set_model(resolve("mobilenet_v1").build(), "mobilenet_v1")
    y, x = np.mgrid[0:120, 0:160]
    panel.set_image(np.stack([x, y, (x * y) % 255], 2).astype(np.uint8), "photo.jpg")
    qtbot.waitUntil(lambda: panel.probe is not None and not panel.worker.busy, timeout=WAIT_MS)
    names = panel.layer_list
    full = [names.topLevelItem(i).text(0) for i in range(names.topLevelItemCount())]
    shown = shown_names(names)
    fm, width = names.fontMetrics(), names.header().sectionSize(0)
    assert any(s != f for s, f in zip(shown, full))  # the column is too narrow for some
    assert len(set(shown)) == len(shown)  # yet no two rows read the same
    for text, name in zip(shown, full):
        assert fm.horizontalAdvance(text) <= width, text
        # Whole, or the shared "features." gone and the rest kept whole.
        assert text == name or text == "…" + name.removeprefix("features."), (text, name)
    assert names.topLevelItem(full.index("features.3.pointwise.0")).text(0) == \
        "features.3.pointwise.0"  # the item (and its tooltip) keeps the whole name
    # The red shapes are explained under the list, in the theme's red.
    dead = [names.topLevelItem(i) for i in range(len(full))
            if panel.probe.stats[full[i]].dead_channels]
    assert dead and panel.maps.dead_legend.isVisible()
    assert "dead channels" in panel.maps.dead_legend.text()
    assert "dead" in dead[0].toolTip(0) and dead[0].text(0) in dead[0].toolTip(0)
    legend = panel.maps.dead_legend
    assert legend.geometry().top() >= names.geometry().bottom()
    assert legend.height() >= legend.heightForWidth(legend.width())
