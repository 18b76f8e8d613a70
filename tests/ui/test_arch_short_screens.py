"""The explorer on a 1366 x 768 laptop, in a 1280 x 720 window and in a 960 px window: the
graph gets the height and opens where the network's structure begins (the layer table keeps
three rows with every number whole, its subtotals beside the filter box), the network's title
stays whole beside the input boxes, and the folded catalog's button says what it holds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QRectF

from cnnviz.ui.arch.graph_start import structure_start
from cnnviz.ui.arch.table_panel import COMPACT_ROWS

WAIT_MS = 60_000


def _resize(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height,
                    timeout=5_000)
    for _ in range(3):  # deferred layout requests and the split's share
        qtbot.wait(30)


def _whole_boxes(graph) -> int:
    seen = QRectF(graph.mapToScene(graph.viewport().rect()).boundingRect())
    return sum(1 for node in graph.graph_scene.nodes.values()
               if seen.contains(node.mapRectToScene(node.box())))


@pytest.mark.parametrize("first_arch", ["resnet50"])
def test_a_1366_x_768_laptop_shows_five_boxes_at_the_readable_zoom(qtbot, window, arch,
                                                                   first_arch):
    _resize(qtbot, window, 1366, 768)
    graph, table = arch.graph, arch.table
    graph.show_start()
    # The view opens on the first bottleneck blocks, not on the stem above them: the stem's
    # last pooling and three residual blocks are whole (the blocks are twice a layer's height).
    assert _whole_boxes(graph) >= 4
    seen = _seen(graph)
    nodes = graph.graph_scene.nodes
    assert all(seen.contains(nodes[key].mapRectToScene(nodes[key].box()))
               for key in ("maxpool", "layer1.0", "layer1.1", "layer1.2"))
    assert graph.viewport().height() >= 2.2 * table.height()
    # The table keeps its rows, and its subtotals moved up beside the filter box.
    view = table.view
    assert view.viewport().height() >= COMPACT_ROWS * view.verticalHeader().defaultSectionSize()
    footer, search = table.footer, table.filter_edit
    assert footer.isVisible() and footer.text().startswith("177 modules")
    assert abs(footer.geometry().center().y() - search.geometry().center().y()) <= 2
    assert footer.geometry().left() > search.geometry().right()

    _resize(qtbot, window, 1920, 1080)  # a tall screen: the subtotals go back under the table
    assert footer.geometry().top() > view.geometry().bottom()


def _rect(bar, widget) -> QRect:
    return QRect(widget.mapTo(bar, widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("first_arch", ["mobilenet_v2"])
def test_the_title_stays_whole_in_a_960_px_window_with_the_catalog(qtbot, window, arch,
                                                                  first_arch):
    bar = arch.bar
    _resize(qtbot, window, 960, 640)
    bar.catalog_button.click()
    qtbot.waitUntil(arch.catalog.isVisible, timeout=2_000)
    for _ in range(3):
        qtbot.wait(30)
    assert bar.title.text() == "MobileNetV2" and not bar.title.is_elided()
    # The words before the boxes gave way first (their tooltips say what the boxes hold).
    words = bar._input_words
    assert not any(word.isVisible() for word in words)
    assert bar.channels.isVisible() and bar.classes.toolTip()
    shown = [bar.catalog_button, bar.title, bar.channels, bar.height_box, bar.width_box,
             bar.classes]
    for i, widget in enumerate(shown):
        assert bar.rect().contains(_rect(bar, widget)), widget
        assert not any(_rect(bar, widget).intersects(_rect(bar, other))
                       for other in shown[i + 1:]), widget

    _resize(qtbot, window, 1920, 1080)  # room again: the words come back
    assert all(word.isVisible() for word in words) and not bar.title.is_elided()


def test_the_folded_catalog_says_what_it_holds_and_where_it_is(qtbot, window, arch):
    bar, button = arch.bar, arch.bar.catalog_button
    count = len(arch.catalog.entries)
    assert count > 20 and not arch.catalog.isVisible()  # folded at 1280 px
    assert button.text() == f"Catalog · {count} networks" and not button.icon().isNull()
    assert button.toolTip().startswith(f"Show the catalog: {count} networks")
    hint = f"To see another of the {count} networks, open the Catalog at the top left."
    assert hint in arch.details.toPlainText()

    button.click()  # found: the hint has done its work
    qtbot.waitUntil(arch.catalog.isVisible, timeout=2_000)
    assert button.toolTip() == "Hide the catalog and give its width to the graph"
    assert "open the Catalog" not in arch.details.toPlainText()
    button.click()
    assert not arch.catalog.isVisible()
    assert "open the Catalog" not in arch.details.toPlainText()
    assert button.toolTip().startswith("Show the catalog")
    assert bar.title.text() == "LeNet-5"


def _opened_at_1280_x_720(qtbot, window, arch):
    """The graph of a 1280 x 720 window, shown from where a network opens."""
    _resize(qtbot, window, 1280, 720)
    arch.graph.show_start()
    return arch.graph


def _seen(graph) -> QRectF:
    return QRectF(graph.mapToScene(graph.viewport().rect()).boundingRect())


@pytest.mark.parametrize("first_arch", ["googlenet"])
def test_a_1280_x_720_window_opens_googlenet_on_its_first_inception_block(qtbot, window, arch,
                                                                         first_arch):
    from cnnviz.ui.arch.graph_items import readable_zoom

    graph = _opened_at_1280_x_720(qtbot, window, arch)
    assert graph.zoom() >= readable_zoom() - 1e-6
    start = structure_start(graph.graph_scene)
    assert start is not None and start.key == "maxpool2"  # where the first fan opens
    seen = _seen(graph)
    branches = [node for key, node in graph.graph_scene.nodes.items()
                if key.startswith("inception3a.")]
    assert branches and any(seen.contains(node.mapRectToScene(node.box())) for node in branches)
    first = arch.report.layers[0].id  # the input
    assert not seen.intersects(graph.graph_scene.nodes[first].sceneBoundingRect())


@pytest.mark.parametrize("first_arch", ["alexnet"])
def test_a_plain_chain_still_opens_on_its_input_in_a_short_window(qtbot, window, arch,
                                                                  first_arch):
    graph = _opened_at_1280_x_720(qtbot, window, arch)
    assert structure_start(graph.graph_scene) is None
    first = graph.graph_scene.nodes[arch.report.layers[0].id]  # the input
    assert _seen(graph).contains(first.mapRectToScene(first.box()))


@pytest.mark.parametrize("first_arch", ["googlenet"])
def test_the_tables_numbers_stay_whole_in_a_1280_x_720_window(qtbot, window, arch, first_arch):
    _resize(qtbot, window, 1280, 720)
    table = arch.table
    for button in (table.btn_blocks, table.btn_layers):
        button.click()
        view = table.view
        source = view.model().sourceModel()
        width = view.viewport().width()
        for col in source.NUMERIC:
            right = view.columnViewportPosition(col) + view.columnWidth(col)
            assert 0 <= right <= width, source.COLUMNS[col]
    natural = table._natural_widths(view.model())
    assert view.columnWidth(1) < natural[1]  # the layer's name gave way to the numbers
