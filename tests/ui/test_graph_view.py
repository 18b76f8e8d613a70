"""The layer graph read from the back of a classroom: readable start zoom, whole titles,
"Collapse all" and "Fit to window" that do something sensible, shortcuts that stay visible
when residual blocks are folded."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, QVariantAnimation
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF
from PySide6.QtWidgets import QApplication

from cnnviz.core.inspect import compute_layout
from cnnviz.ui.arch.graph_items import readable_zoom
from cnnviz.ui.arch.graph_start import SHORT_VIEW
from cnnviz.ui.arch.graph_view import FIT_MIN_ZOOM

WAIT_MS = 60_000


def _on_screen_px(view, item) -> float:
    """The pixel size of a node's second (smaller) line of text at the view's zoom."""
    return QFontInfo(item._sub_font).pixelSize() * view.zoom()


def _title_rect(item) -> QRectF:
    width = QFontMetricsF(item._title_font).horizontalAdvance(item.title)
    return QRectF(13, 3, width, item.boundingRect().height() / 2)


def _visible(view, item) -> bool:
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    return shown.intersects(item.sceneBoundingRect())


def _settled(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view._anim.state() != QVariantAnimation.State.Running, timeout=2000)


@pytest.mark.parametrize("first_arch", ["resnet152"])
def test_a_big_network_opens_readable_with_whole_titles(qtbot, arch, show, first_arch):
    view, scene = arch.graph, arch.graph.graph_scene
    # Its column fits across at 100 %, but a laptop's short view opens at the readable zoom,
    # to show more of the network at once.
    assert view.viewport().height() < SHORT_VIEW
    assert view.zoom() == pytest.approx(readable_zoom())
    assert _on_screen_px(view, scene.nodes["conv1"]) >= 11
    assert _visible(view, scene.nodes[arch.report.layers[0].id])  # the input, at the top
    for key, item in scene.nodes.items():
        # Whole: "Conv2d 7×7 /2 → 64", "layer3.11 · Bottleneck".
        assert item.title == item.full_title, key
    runs = [item for item in scene.nodes.values() if item.badge and "/" in item.badge]
    assert len(runs) > 30  # "11/35" on the blocks of layer3
    for item in runs:
        assert not item.badge_rect().intersects(_title_rect(item)), item.key
        assert item.badge_rect().right() < item.expand_button_rect().left()

    show("googlenet")  # too wide for the view at 100 %: readable, and starting at the input
    assert _on_screen_px(view, scene.nodes["conv1_conv"]) >= 11
    assert _visible(view, scene.nodes[arch.report.layers[0].id])


def test_collapse_all_folds_a_small_resnet_into_blocks_with_shortcuts(qtbot, arch, show):
    report = show("resnet18")
    scene = arch.graph.graph_scene
    assert len(scene.nodes) == len(report.layers)  # small: opens expanded
    arch.bar.collapse_button.click()
    blocks = {key for key, item in scene.nodes.items() if item.is_block}
    assert blocks == {f"layer{s}.{i}" for s in range(1, 5) for i in range(2)}
    assert set(scene.nodes) == set(compute_layout(report, arch.collapsed).nodes)
    # Every folded BasicBlock still shows its shortcut: an arc in the skip edges' style,
    # passing the box on its right from just above it to just below it.
    assert set(scene.shortcuts) == blocks
    for key, arc in scene.shortcuts.items():
        box, path = scene.nodes[key].sceneBoundingRect(), arc.sceneBoundingRect()
        assert arc.is_skip
        assert path.right() > box.right()
        assert path.top() < box.top() and path.bottom() > box.bottom()
        assert "shortcut" in scene.nodes[key].toolTip()
    arch.bar.expand_button.click()
    assert len(scene.nodes) == len(report.layers) and not scene.shortcuts
    assert sum(e.is_skip for e in scene.edges) == 8


def test_plain_and_residual_twins_differ_when_collapsed(qtbot, arch):
    arch.tabs.setCurrentWidget(arch.compare)
    panel = arch.compare
    panel.compare("plain34", "resnet34")
    qtbot.waitUntil(lambda: all(panel.reports) and not arch.runner.busy, timeout=WAIT_MS)
    plain, residual = (view.graph_scene for view in panel.views)
    plain_blocks = {k for k, item in plain.nodes.items() if item.is_block}
    residual_blocks = {k for k, item in residual.nodes.items() if item.is_block}
    assert plain_blocks == residual_blocks and len(plain_blocks) == 16  # the same stacks
    assert not plain.shortcuts
    assert set(residual.shortcuts) == residual_blocks


def test_fit_to_window_never_shrinks_below_a_readable_zoom(qtbot, arch, show):
    report = show("resnet18")
    view = arch.graph
    arch.bar.fit_button.click()
    _settled(qtbot, view)
    assert view.zoom() == pytest.approx(FIT_MIN_ZOOM)  # 71 layers do not fit: the cap holds
    assert _visible(view, view.graph_scene.nodes[report.layers[0].id])  # from the top
    arch.window().resize(1920, 1080)
    show("lenet5")
    arch.bar.collapse_button.click()  # five boxes: input, features, flatten, classifier, output
    arch.bar.fit_button.click()
    _settled(qtbot, view)
    assert view.zoom() > FIT_MIN_ZOOM  # a short graph fits whole
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(view.graph_scene.itemsBoundingRect())


def test_node_text_grows_with_a_larger_desktop_font(qtbot, arch):
    scene = arch.graph.graph_scene
    conv = next(layer.id for layer in arch.report.layers if layer.kind == "conv")
    before = scene.nodes[conv]
    width, px = before.shape().boundingRect().width(), QFontInfo(before._sub_font).pixelSize()
    normal = QApplication.font()
    large = QFont(normal)
    large.setPointSizeF(normal.pointSizeF() * 13 / 9)  # 9 pt -> 13 pt in the system settings
    QApplication.setFont(large)
    try:
        arch.expand_all()  # draws the graph again
        item = scene.nodes[conv]
        assert item.shape().boundingRect().width() == pytest.approx(width * 13 / 9)
        assert QFontInfo(item._sub_font).pixelSize() >= px * 13 / 9 - 1
        assert item.title == item.full_title and item.subtitle == "6 × 28 × 28  ·  156 params"
        assert _on_screen_px(arch.graph, item) >= 11
    finally:
        QApplication.setFont(normal)


def test_the_overview_stays_small_beside_the_graph_in_a_small_window(qtbot, arch):
    view = arch.graph
    arch.bar.collapse_button.click()  # LeNet-5 as five boxes: a wide overview
    minimap, viewport = view.minimap, view.viewport()
    assert minimap.isVisible()
    assert minimap.width() <= 0.16 * viewport.width() + 1
    assert minimap.height() <= 0.55 * viewport.height() + 1
    for key, item in view.graph_scene.nodes.items():
        box = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert not box.translated(viewport.pos()).intersects(minimap.geometry()), key
    small = minimap.size()
    arch.window().resize(1920, 1080)
    qtbot.waitUntil(lambda: minimap.width() > small.width(), timeout=3000)
