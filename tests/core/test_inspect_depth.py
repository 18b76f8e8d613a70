"""A network's depth reads as its name says: weighted layers, shortcut projections left out."""

from __future__ import annotations

import pytest

from cnnviz.core.inspect import inspect_model
from cnnviz.core.inspect.depth import block_layers, shortcut_projections, weighted_layers


@pytest.mark.parametrize("ref, depth", [
    ("resnet18", 18), ("resnet34", 34), ("resnet50", 50), ("vgg16", 16), ("alexnet", 8),
    ("lenet5", 5), ("plain56", 56), ("resnet56", 56), ("plain20", 20),
])
def test_the_depth_in_the_name(ref, depth):
    assert weighted_layers(inspect_model(ref)) == depth


def test_resnet18_leaves_out_its_three_projections_only():
    report = inspect_model("resnet18")
    projections = shortcut_projections(report)
    names = sorted(report.layer(i).name for i in projections)
    assert names == ["layer2.0.downsample.0", "layer3.0.downsample.0", "layer4.0.downsample.0"]
    convs = [layer for layer in report.layers if layer.kind in ("conv", "linear")]
    assert len(convs) == 21  # what a plain count of weighted modules would say
    counts = block_layers(report)
    assert counts["layer2.0"] == 2 and counts["layer1.0"] == 2  # with and without a projection
    assert counts["layer1"] == 4 and "fc" not in counts  # fc sits in no block


def test_a_network_without_shortcuts_projects_nothing():
    assert not shortcut_projections(inspect_model("plain34"))
