"""The names beside far boxes on a big expanded network: every box on screen that has room
is named, no label covers another or a box, wherever the view is panned and zoomed; and a
recolouring (a training step's norms) re-measures only the labels whose value changed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor

from cnnviz.ui.arch.graph_items import text_zoom
from cnnviz.ui.arch.side_labels import SPACING_PX, LabelGeometry, LabelPlan

ZOOMS = (0.08, 0.2, 0.35, 0.5)


def _boxes(view) -> dict[str, QRectF]:
    to_view = view.viewportTransform()
    return {key: to_view.mapRect(node.sceneBoundingRect())
            for key, node in view.graph_scene.nodes.items()}


def _assert_apart(labels, boxes) -> None:
    rects = [rect for _label, rect in labels]
    for i, (label, rect) in enumerate(labels):
        assert not any(rect.intersects(other) for other in rects[i + 1:]), label.name
        assert not any(rect.intersects(box) for key, box in boxes.items()
                       if key != label.key), label.name


@pytest.mark.parametrize("first_arch", ["resnet50"])
def test_every_box_on_screen_with_room_is_named_wherever_the_view_goes(qtbot, arch, first_arch):
    arch.expand_all()
    qtbot.waitUntil(lambda: not arch.runner.busy, timeout=60_000)
    view, scene = arch.graph, arch.graph.graph_scene
    assert len(scene.nodes) > 150 and max(ZOOMS) < text_zoom()
    viewport = QRectF(view.viewport().rect())
    graph = scene.itemsBoundingRect()
    for zoom in ZOOMS:
        view.zoom_to(zoom, animated=False)
        for fraction in (0.0, 0.37, 0.8):  # top, middle and near the end of the network
            view.centerOn(QPointF(graph.center().x(), graph.top() + fraction * graph.height()))
            labels = view.side_labels()
            assert labels, (zoom, fraction)
            boxes = _boxes(view)
            _assert_apart(labels, boxes)
            named = {label.key for label, _rect in labels}
            for label, rect in labels:
                assert rect.intersects(viewport)
                assert rect.left() > boxes[label.key].right() - 1  # beside its box
            # Every box with a label of its own (a row of boxes with one parent, such as a
            # block's shortcut beside its main path, is named once, beside its rightmost box).
            wanted = LabelPlan(LabelGeometry(scene, scene.names), scene.nodes).labels
            on_screen = {key for key, box in boxes.items()
                         if viewport.contains(box) and key in wanted}
            assert named & on_screen, (zoom, fraction)
            # A box on screen goes unnamed only where its label would cover another label
            # or another box (SPACING_PX around it).
            to_view = view.viewportTransform()
            for key in on_screen - named:
                label = wanted[key]
                room = label.rect_at(to_view.map(label.anchor)).adjusted(
                    -SPACING_PX, -SPACING_PX, SPACING_PX, SPACING_PX)
                assert any(room.intersects(rect) for _label, rect in labels) or any(
                    room.intersects(box) for other, box in boxes.items() if other != key), key


@pytest.mark.parametrize("first_arch", ["resnet18"])
def test_a_recolouring_measures_again_only_what_changed(qtbot, arch, first_arch):
    view, scene = arch.graph, arch.graph.graph_scene
    arch.expand_all()
    qtbot.waitUntil(lambda: not arch.runner.busy, timeout=60_000)
    view.zoom_to(0.3, animated=False)
    first = view.side_labels()
    geometry = LabelGeometry(scene, scene.names)
    step = {"conv1": ("value", QColor("#d9603b"), "", "0.0523"),
            "fc": ("value", QColor("#3b6fd9"), "", "3.21·10⁻⁵")}
    scene.set_heat(step)
    before = LabelPlan(geometry, scene.nodes)
    step["conv1"] = ("value", QColor("#d9603b"), "", "0.0623")  # the next training step
    scene.set_heat(step)
    after = LabelPlan(geometry, scene.nodes, previous=before)
    assert set(after.labels) == set(before.labels) == set(geometry.named)
    for key, label in after.labels.items():
        if key == "conv1":
            assert label is not before.labels[key] and label.value == "0.0623"
        else:  # unchanged: the same label, not measured again
            assert label is before.labels[key]
            assert label.quiet == (key != "fc")
    # The measured ends are given room first, and the view shows the new values.
    assert [label.key for label in after.at(0.3)][:2] == ["conv1", "fc"]
    shown = {label.key: label for label, _rect in view.side_labels()}
    assert shown["conv1"].value == "0.0623"  # fc is off screen, further down
    assert {label.key for label, _rect in first} - {"conv1", "fc"} <= set(shown)


@pytest.mark.parametrize("first_arch", ["resnet18"])
def test_folded_residual_blocks_are_named_beyond_their_shortcut_arcs(qtbot, arch, first_arch):
    arch.collapse_all()
    qtbot.waitUntil(lambda: not arch.runner.busy, timeout=60_000)
    view, scene = arch.graph, arch.graph.graph_scene
    assert len(scene.shortcuts) >= 8
    view.zoom_to(0.4, animated=False)
    view.centerOn(scene.nodes["layer1.0"])
    to_view = view.viewportTransform()
    labels = {label.key: rect for label, rect in view.side_labels()}
    beside = [key for key in scene.shortcuts if key in labels]
    assert beside
    for key in beside:
        arc = to_view.mapRect(scene.shortcuts[key].sceneBoundingRect())
        assert labels[key].left() > arc.right(), key


@pytest.mark.parametrize("first_arch", ["googlenet"])
def test_a_row_of_inception_branches_is_named_by_its_module(qtbot, arch, first_arch):
    view, scene = arch.graph, arch.graph.graph_scene
    row = [key for key in scene.nodes if key.startswith("inception3a.branch")]
    assert len(row) == 4 and len({scene.nodes[key].scene_box[1] for key in row}) == 1
    view.zoom_to(0.2, animated=False)  # an overview: the boxes' own text is not drawn
    assert view.zoom() < text_zoom()
    view.centerOn(scene.nodes["inception3a.branch2"])
    names = [label.name for label, _rect in view.side_labels()]
    assert "inception3a" in names
    assert not any(".branch" in name for name in names)
    # The label sits beside the rightmost branch, the one with room after it.
    labels = {label.name: label for label, _rect in view.side_labels()}
    assert labels["inception3a"].key == "inception3a.branch4"
    # Coloured by a measure, the label carries one box's value: it keeps that box's name.
    scene.set_heat({"inception3a.branch4": ("value", QColor("#d9603b"), "", "0.0523")})
    labels = {label.key: label for label, _rect in view.side_labels()}
    assert labels["inception3a.branch4"].name == "inception3a.branch4"
    assert labels["inception3a.branch4"].value == "0.0523"
