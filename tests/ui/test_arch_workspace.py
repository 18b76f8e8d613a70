"""The Architectures workspace, driven through the real window: catalog, graph, table, details,
charts, input editing and bad inputs."""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from cnnviz.core.inspect import compute_layout, default_collapsed
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.graph_view import FIT_MIN_ZOOM
from cnnviz.ui.arch.layer_table import KEY_ROLE, SORT_ROLE

WAIT_MS = 60_000


def _view_point(view, item, local: QPointF | None = None) -> QPoint:
    scene_point = item.mapToScene(local if local is not None else item.boundingRect().center())
    return view.mapFromScene(scene_point)


def _table_params(panel) -> int:
    model = panel.view.model()
    return sum(model.index(r, 4).data(SORT_ROLE) for r in range(model.rowCount()))


def test_every_zoo_entry_matches_the_engine(qtbot, arch, show):
    """Pick each zoo entry in the catalog; the graph and table agree with the engine's report."""
    refs = arch.catalog.refs("zoo")
    assert len(refs) >= 25 and "lenet5" in refs and "resnet152" in refs
    # The first one by a real click on the catalog tree (shown by its button at 1280 pixels).
    arch.bar.catalog_button.click()
    index = arch.catalog.proxy.mapFromSource(next(
        arch.catalog.model.item(r).child(c).index()
        for r in range(arch.catalog.model.rowCount())
        for c in range(arch.catalog.model.item(r).rowCount())
        if arch.catalog.model.item(r).child(c).data(Qt.ItemDataRole.UserRole + 1) == "alexnet"))
    arch.catalog.tree.scrollTo(index)
    rect = arch.catalog.tree.visualRect(index)
    before = arch.report
    qtbot.mouseClick(arch.catalog.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    assert arch.current_ref == "alexnet"
    for ref in refs:
        report = arch.report if ref == arch.current_ref else show(ref)
        assert arch.current_ref == ref
        expected = compute_layout(report, collapsed=frozenset(default_collapsed(report)))
        scene = arch.graph.graph_scene
        assert set(scene.nodes) == set(expected.nodes), ref
        assert len(scene.edges) == len(expected.edges), ref
        assert arch.table.layers.rowCount() == len(report.layers)
        assert _table_params(arch.table) == report.totals.params
        assert arch.table.subtotal == (len(report.layers), report.totals.params, report.totals.macs)
        assert arch.catalog.card.metrics["params"].text() == fmt.count(report.totals.params)


@pytest.fixture
def first_arch():
    return "resnet32"  # CIFAR ResNet-32: collapsed blocks, cheap to inspect


def test_collapse_and_expand_a_block_by_clicking(qtbot, arch):
    scene, view = arch.graph.graph_scene, arch.graph
    block = next(k for k, item in scene.nodes.items() if item.is_block)
    n_before = len(scene.nodes)
    item = scene.nodes[block]
    view.centerOn(item)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=_view_point(view, item, item.expand_button_rect().center()))
    assert block not in arch.collapsed
    expected = compute_layout(arch.report, collapsed=arch.collapsed)
    assert set(scene.nodes) == set(expected.nodes)
    assert len(scene.nodes) > n_before
    assert block in scene.frames
    layers = [l.id for l in arch.report.layers if l.block == block or l.block.startswith(block + ".")]
    assert any(l in scene.nodes for l in layers)

    frame = scene.frames[block]
    view.centerOn(frame.header_rect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=_view_point(view, frame, frame.header_rect().center() + QPointF(40, 0)))
    assert block in arch.collapsed
    assert len(scene.nodes) == n_before
    assert view.selected_key() == block

    arch.bar.expand_button.click()
    assert len(scene.nodes) == len(arch.report.layers)
    arch.bar.collapse_button.click()
    assert len(scene.nodes) == n_before


def test_repeated_blocks_carry_a_badge(qtbot, arch):
    runs = [b for b in arch.report.root.walk() if b.repeat > 1 and b.path in arch.graph.graph_scene.nodes]
    assert runs
    assert arch.graph.graph_scene.nodes[runs[0].path].badge == f"× {runs[0].repeat}"


@pytest.mark.parametrize("first_arch", ["lenet5"])
def test_selection_is_shared_between_graph_and_table(qtbot, arch, first_arch):
    view, scene = arch.graph, arch.graph.graph_scene
    conv = next(l for l in arch.report.layers if l.kind == "conv")
    item = scene.nodes[conv.id]
    view.centerOn(item)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_view_point(view, item))
    assert view.selected_key() == conv.id
    assert arch.table.selected_key() == conv.id
    assert arch.details.subject == conv.id
    # A formula may be broken before an " = " to fit the column: compare without the breaks.
    shown = " ".join(arch.details.toPlainText().split())
    assert conv.formulas and html.unescape(conv.formulas[0]) in shown

    linear = next(l for l in arch.report.layers if l.kind == "linear")
    table = arch.table.view
    row = next(r for r in range(table.model().rowCount())
               if table.model().index(r, 0).data(KEY_ROLE) == linear.id)
    index = table.model().index(row, 1)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center())
    assert arch.table.selected_key() == linear.id
    assert view.selected_key() == linear.id
    assert arch.details.subject == linear.id
    assert "Parameters" in arch.details.toPlainText()

    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert view.selected_key() is None and arch.table.selected_key() is None
    assert arch.details.subject == "model"


@pytest.mark.parametrize("first_arch", ["lenet5"])
def test_table_sorts_filters_and_subtotals_blocks(qtbot, arch, first_arch):
    panel = arch.table
    header = panel.view.horizontalHeader()
    panel.view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    top = panel.view.model().index(0, 0).data(KEY_ROLE)
    assert arch.report.layer(top).params == max(l.params for l in arch.report.layers)
    assert header.sortIndicatorSection() == 4

    qtbot.keyClicks(panel.filter_edit, "classifier")
    rows = panel.view.model().rowCount()
    kept = [l for l in arch.report.layers if "classifier" in (l.name + l.block)]
    assert rows == len(kept) < len(arch.report.layers)
    assert panel.subtotal[1] == sum(l.params for l in kept)
    assert panel.footer.text().startswith(f"Showing {rows} of {len(arch.report.layers)} modules")
    panel.filter_edit.clear()

    panel.btn_blocks.click()
    model = panel.view.model()
    blocks = {model.index(r, 0).data(KEY_ROLE): model.index(r, 3).data(SORT_ROLE)
              for r in range(model.rowCount())}
    for path, params in blocks.items():
        assert params == sum(l.params for l in arch.report.layers
                             if l.block == path or l.block.startswith(path + "."))
    panel.btn_layers.click()
    assert panel.view.model().rowCount() == len(arch.report.layers)


@pytest.mark.parametrize("first_arch", ["vgg16"])
def test_charts_show_vgg16s_first_fc_layer_towering(qtbot, arch, first_arch):
    arch.tabs.setCurrentWidget(arch.charts)
    chart = arch.charts.params_chart
    biggest = max(range(len(chart.values)), key=chart.values.__getitem__)
    layer = arch.report.layer(chart.keys[biggest])
    assert layer.kind == "linear" and layer.name == "classifier.0"
    assert chart.values[biggest] / arch.report.totals.params > 0.7
    assert "classifier.0" in chart.callout.text()
    assert sum(chart.values) == arch.report.totals.params
    assert sum(arch.charts.macs_chart.values) == arch.report.totals.macs
    widths = chart.bars.opts["width"]
    assert max(widths) == pytest.approx(chart.values[biggest] / chart.scale)


@pytest.mark.parametrize("first_arch", ["lenet5"])
def test_editing_the_class_count_updates_everything(qtbot, arch, first_arch):
    before = arch.report
    arch.bar.classes.setValue(7)
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    assert arch.report.layers[-2].output_shape[-1] == 7 or arch.report.layers[-1].output_shape[-1] == 7
    assert arch.report.totals.params == before.totals.params - 84 * 3 - 3
    assert _table_params(arch.table) == arch.report.totals.params



@pytest.mark.parametrize("first_arch", ["resnet20"])
def test_a_larger_input_updates_the_numbers(qtbot, arch, first_arch):
    before = arch.report
    arch.bar.height_box.setValue(64)
    arch.bar.width_box.setValue(64)
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    assert arch.report.input_shape[-2:] == (64, 64)
    assert arch.report.totals.params == before.totals.params
    # Every convolution sees four times the positions; only the classifier stays the same.
    assert arch.report.totals.macs == pytest.approx(4 * before.totals.macs, rel=0.01)
    assert arch.details.toPlainText().count("64") >= 1


@pytest.mark.parametrize("first_arch", ["lenet5"])
def test_an_input_too_small_is_said_in_the_window(qtbot, arch, first_arch):
    shown = arch.report
    arch.bar.height_box.setValue(4)
    arch.bar.width_box.setValue(4)
    qtbot.waitUntil(lambda: arch.banner.isVisible(), timeout=WAIT_MS)
    text = arch.banner.text.text()
    assert "small" in text.lower() and "4" in text
    assert arch.report is shown and arch.graph.graph_scene.nodes  # the last good graph stays
    arch.bar.height_box.setValue(32)
    arch.bar.width_box.setValue(32)
    qtbot.waitUntil(lambda: arch.report is not shown and not arch.runner.busy, timeout=WAIT_MS)
    assert not arch.banner.isVisible()


@pytest.mark.parametrize("first_arch", ["lenet5"])
def test_an_input_the_classifier_does_not_fit_is_said_in_the_window(qtbot, arch, first_arch):
    arch.bar.height_box.setValue(36)
    arch.bar.width_box.setValue(36)
    qtbot.waitUntil(lambda: arch.banner.isVisible(), timeout=WAIT_MS)
    assert "36" in arch.banner.text.text()
    assert arch.report.input_shape[-2:] == (32, 32)


@pytest.mark.parametrize("first_arch", ["lenet5"])
def test_zoom_wheel_and_fit(qtbot, arch, first_arch):
    view = arch.graph
    start = view.zoom()
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() == pytest.approx(start * 1.15 ** 2)
    arch.zoom_out()
    qtbot.waitUntil(lambda: view._anim.state() != view._anim.State.Running, timeout=5000)
    assert view.zoom() == pytest.approx(start * 1.15 ** 2 / 1.25)
    arch.fit_view()
    qtbot.waitUntil(lambda: view._anim.state() != view._anim.State.Running, timeout=5000)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    whole = view.graph_scene.itemsBoundingRect()
    # LeNet-5's 14 layers are taller than this window's graph at the smallest zoom Fit
    # allows: it stops there and shows the graph from its top, whole across.
    assert view.zoom() == pytest.approx(FIT_MIN_ZOOM)
    assert visible.top() <= whole.top()
    assert visible.left() <= whole.left() and visible.right() >= whole.right()
