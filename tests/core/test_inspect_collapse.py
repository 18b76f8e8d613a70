"""Which blocks fold: residual blocks as a whole, and "Collapse all" on small networks."""

import pytest

from cnnviz.core.inspect import compute_layout, default_collapsed, inspect_model
from cnnviz.core.inspect.collapse import overview_collapsed, residual_adds, residual_blocks


@pytest.fixture(scope="module")
def mobilenet_v2():
    return inspect_model("mobilenet_v2")


def _visible_adds(report, layout) -> list[str]:
    return [a for a in residual_adds(report) if a in layout.nodes]


def _blocks(layout) -> set[str]:
    return {key for key, node in layout.nodes.items() if node.is_block}


def test_mobilenet_v2_folds_each_inverted_residual_with_its_addition(mobilenet_v2):
    collapsed = default_collapsed(mobilenet_v2)
    layout = compute_layout(mobilenet_v2, collapsed)
    blocks = _blocks(layout)
    assert "features.5" in blocks and "features.5.conv" not in layout.nodes
    assert not any(key.endswith(".conv") for key in blocks)
    # Every shortcut's addition is inside a box, none left dangling beside one.
    assert len(residual_adds(mobilenet_v2)) == 10 and not _visible_adds(mobilenet_v2, layout)
    inverted = {b.path for b in mobilenet_v2.root.walk() if b.type == "InvertedResidual"}
    assert inverted <= blocks
    assert len(residual_blocks(mobilenet_v2, blocks)) == 10
    assert 10 <= len(layout.nodes) <= 80


def test_efficientnet_folds_each_mbconv_with_its_addition():
    report = inspect_model("torchvision:efficientnet_b0")
    layout = compute_layout(report, default_collapsed(report))
    blocks = _blocks(layout)
    mbconv = {b.path for b in report.root.walk() if b.type == "MBConv"}
    assert mbconv <= blocks
    assert not any(key.endswith(".block") for key in blocks)
    assert residual_adds(report) and not _visible_adds(report, layout)
    # Only the blocks that add their input back hide a shortcut: the first MBConv of a
    # stage changes its width and has none, and a squeeze-and-excitation gate multiplies.
    hiding = residual_blocks(report, blocks)
    assert "features.2.1" in hiding
    assert "features.1.0" not in hiding and "features.2.0" not in hiding
    expanded = compute_layout(report)
    skips = [e for e in expanded.edges if e.is_skip]
    assert len(skips) == 9 and all(report.layer(e.target).type == "add" for e in skips)


def test_collapse_all_folds_the_basic_blocks_of_a_small_resnet():
    report = inspect_model("torchvision:resnet18")
    assert default_collapsed(report) == set()
    folded = overview_collapsed(report)
    assert folded == {f"layer{s}.{i}" for s in range(1, 5) for i in range(2)}
    layout = compute_layout(report, folded)
    assert _blocks(layout) == folded
    assert len(layout.nodes) < len(report.layers) / 3
    assert residual_blocks(report, folded) == folded  # each one hides a shortcut


def test_collapse_all_on_plain_and_tiny_networks():
    plain = inspect_model("plain20")
    folded = overview_collapsed(plain)
    assert len(folded) == 9 and all(plain.block(p).type == "BasicBlock" for p in folded)
    assert residual_blocks(plain, folded) == set()  # a plain net hides no shortcut
    lenet = inspect_model("lenet5")
    assert overview_collapsed(lenet) == {"features", "classifier"}
    assert len(compute_layout(lenet, overview_collapsed(lenet)).nodes) < len(lenet.layers) / 2


def test_collapse_all_keeps_the_default_of_a_big_network(mobilenet_v2):
    assert overview_collapsed(mobilenet_v2) == default_collapsed(mobilenet_v2)


def test_only_additions_of_two_tensors_count_as_shortcuts(mobilenet_v2):
    for add in residual_adds(mobilenet_v2):
        assert mobilenet_v2.layer(add).kind == "add"
        assert mobilenet_v2.graph.in_degree(add) == 2
    assert residual_adds(inspect_model("googlenet")) == set()


def test_a_block_of_one_parameter_free_module_is_never_folded():
    report = inspect_model("torchvision:swin_t")
    collapsed = default_collapsed(report)
    assert collapsed and "features.0.1" not in collapsed  # Swin's Permute after the stem
    assert report.block("features.0.1").type == "Permute"
    for path in collapsed:
        block = report.block(path)
        inside = [l for l in report.layers
                  if l.block == path or l.block.startswith(path + ".")]
        assert len(inside) > 1 or block.params > 0
    layout = compute_layout(report, collapsed)
    assert any(report.layer(key).type == "permute" for key, node in layout.nodes.items()
               if not node.is_block)
