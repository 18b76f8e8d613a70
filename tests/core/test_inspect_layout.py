"""The layered layout and the graph files drawn from it."""

import json
import xml.etree.ElementTree as ET
from collections import defaultdict

import pytest
from PIL import Image

from cnnviz.core.inspect import (
    compute_layout, default_collapsed, graph_to_dot, graph_to_json, graph_to_png, graph_to_svg,
    inspect_model,
)


@pytest.fixture(scope="module")
def resnet18():
    return inspect_model("torchvision:resnet18")


@pytest.fixture(scope="module")
def googlenet():
    return inspect_model("googlenet")


def _check_sane(report, layout, collapsed=frozenset()):
    expected = set()
    for layer in report.layers:
        owner = next((b for b in sorted(collapsed, key=len)
                      if layer.block == b or layer.block.startswith(b + ".")), None)
        expected.add(owner or layer.id)
    assert set(layout.nodes) == expected  # every node placed, nothing else
    for edge in layout.edges:
        ys = [y for _, y in edge.points]
        assert ys == sorted(ys), f"{edge.source}->{edge.target} goes up"
        assert ys[0] == pytest.approx(layout.nodes[edge.source].y + layout.nodes[edge.source].height)
        assert ys[-1] == pytest.approx(layout.nodes[edge.target].y)
    rows = defaultdict(list)
    for node in layout.nodes.values():
        rows[node.y + node.height / 2].append(node)
        assert 0 <= node.x and node.x + node.width <= layout.width
        assert 0 <= node.y and node.y + node.height <= layout.height
    for row in rows.values():
        row.sort(key=lambda n: n.x)
        for a, b in zip(row, row[1:]):
            assert a.x + a.width <= b.x, f"{a.id} overlaps {b.id}"


def test_layout_of_a_resnet_is_sane_and_marks_its_skips(resnet18):
    layout = compute_layout(resnet18)
    _check_sane(resnet18, layout)
    skips = {(e.source, e.target) for e in layout.edges if e.is_skip}
    assert len(skips) == 8  # one shortcut per BasicBlock
    assert ("maxpool", "layer1_0_add") in skips  # the first identity shortcut
    assert all(resnet18.layer(t).kind == "add" for _, t in skips)
    # The main path stays straight: a conv sits right under the input of its block.
    nodes = layout.nodes
    assert nodes["layer1_0_conv1"].x == pytest.approx(nodes["maxpool"].x, abs=1.0)


def test_branches_sit_side_by_side(googlenet):
    layout = compute_layout(googlenet)
    _check_sane(googlenet, layout)
    heads = [layout.nodes[n] for n in ("inception3a_branch1_conv", "inception3a_branch2_0_conv",
                                      "inception3a_branch3_0_conv", "inception3a_branch4_0")]
    assert len({round(n.y) for n in heads}) == 1
    assert len({round(n.x) for n in heads}) == 4


def test_collapsed_blocks_are_single_nodes(resnet18):
    collapsed = {"layer1.0", "layer2"}
    layout = compute_layout(resnet18, collapsed)
    _check_sane(resnet18, layout, collapsed)
    assert layout.nodes["layer2"].is_block and layout.nodes["layer1.0"].is_block
    assert not any(n.startswith("layer2_") for n in layout.nodes)
    assert ("layer1.0", "layer1_1_conv1") in {(e.source, e.target) for e in layout.edges}


def test_big_networks_open_collapsed():
    big = inspect_model("torchvision:resnet152")
    collapsed = default_collapsed(big)
    layout = compute_layout(big, collapsed)
    _check_sane(big, layout, collapsed)
    assert 20 <= len(layout.nodes) <= 80
    assert "layer3.10" in layout.nodes
    assert default_collapsed(inspect_model("lenet5")) == set()


def test_graph_files(tmp_path, googlenet):
    svg = ET.parse(graph_to_svg(googlenet, tmp_path / "g.svg")).getroot()
    assert svg.tag.endswith("svg") and len(svg.findall(".//{http://www.w3.org/2000/svg}rect")) > 20
    with Image.open(graph_to_png(googlenet, tmp_path / "g.png")) as image:
        assert image.size[0] > 400 and image.size[1] > 1000
    dot = graph_to_dot(googlenet, tmp_path / "g.dot").read_text()
    assert dot.startswith('digraph "GoogLeNet"') and dot.count("->") > 20
    data = json.loads(graph_to_json(googlenet, tmp_path / "g.json",
                                    collapsed=frozenset()).read_text())
    assert len(data["nodes"]) == len(googlenet.layers)
    assert len(data["edges"]) == googlenet.graph.number_of_edges()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.json", "g.png", "g.svg"]


def test_only_residual_additions_are_skips_not_inception_branches(googlenet):
    """GoogLeNet's branches rejoin by concatenation: ordinary edges even where they pass
    nodes of a longer branch; ResNet's shortcuts rejoin by addition: skips."""
    for collapsed in (frozenset(), default_collapsed(googlenet)):
        layout = compute_layout(googlenet, collapsed)
        assert not any(e.is_skip for e in layout.edges)
    expanded = compute_layout(googlenet)
    # The short branch 1 (one conv block) still bypasses branch 2's second conv on its way
    # to the concatenation: a long edge, routed through waypoints, yet not a skip.
    long_edges = [e for e in expanded.edges if len(e.points) > 2]
    assert any(googlenet.layer(e.target).kind == "concat" for e in long_edges)


def test_residual_shortcuts_stay_skips_when_blocks_collapse(resnet18):
    collapsed = {"layer1.1", "layer3"}
    layout = compute_layout(resnet18, collapsed)
    skips = {(e.source, e.target) for e in layout.edges if e.is_skip}
    assert ("maxpool", "layer1_0_add") in skips
    assert ("layer2_0_downsample_1", "layer2_0_add") in skips
    assert not any(s in collapsed or t in collapsed for s, t in skips)
    mobilenet = inspect_model("mobilenet_v2")
    adds = compute_layout(mobilenet)
    skips = [e for e in adds.edges if e.is_skip]
    assert len(skips) == 10  # one per inverted residual block with a shortcut
    assert all(mobilenet.layer(e.target).kind == "add" for e in skips)
