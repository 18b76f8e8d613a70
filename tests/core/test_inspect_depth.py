"""A network's depth reads as its name says: weighted layers, shortcut projections left out."""

from __future__ import annotations

import pytest

from cnnviz.core.inspect import inspect_model
from cnnviz.core.inspect.depth import block_layers, shortcut_projections, weighted_layers
from cnnviz.core.inspect.export import report_dict, report_to_table


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


@pytest.mark.parametrize("ref, depth, layers", [
    ("googlenet", 22, 58),  # "22 layers deep": 3 stem convs, 2 per Inception block, the fc
    ("vgg16", 16, 16), ("alexnet", 8, 8), ("lenet5", 5, 5), ("mobilenet_v1", 28, 28),
    # The longest path runs through the two 3x3 convs of a block, never through the 1x1
    # projection beside them: ResNet-18's depth leaves out its three shortcut convs.
    ("resnet18", 18, 18),
])
def test_depth_is_the_longest_path_of_weighted_layers(ref, depth, layers):
    report = inspect_model(ref)
    assert report.network_depth == depth
    assert weighted_layers(report) == layers


def test_the_depth_is_in_the_exports():
    report = inspect_model("googlenet")
    data = report_dict(report)
    assert data["network_depth"] == 22 and data["weighted_layers"] == 58
    table = report_to_table(report, depth=1)
    assert f"Depth: 22 layers with weights on the longest path (58 in all; " \
           f"{len(report.layers)} modules)" in table
