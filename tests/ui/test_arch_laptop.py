"""The Architectures workspace on a laptop screen (1280 x 800) and on a large one (1920 x
1080): how the room is shared between catalog, graph, table and details, and how the layer
table's columns follow the window's width."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from cnnviz.ui import settings
from cnnviz.ui.arch.graph_items import readable_zoom
from cnnviz.ui.arch.table_panel import COMPACT_ROWS, MIN_ROWS, NAME_MAX

WAIT_MS = 60_000
# At 1280 x 800 the graph showed 3 boxes of ResNet-20 on a 608 x 358 viewport (21 % of the
# window) before the room was rebalanced.
NODES_BEFORE, LAPTOP_GRAPH_SHARE = 3, 0.30


@pytest.fixture
def first_arch():
    return "resnet20"


def _graph_share(arch) -> float:
    viewport, window = arch.graph.viewport(), arch.window()
    return viewport.width() * viewport.height() / (window.width() * window.height())


def _nodes_seen(graph) -> int:
    seen = QRectF(graph.mapToScene(graph.viewport().rect()).boundingRect())
    return sum(1 for node in graph.graph_scene.nodes.values()
               if node.sceneBoundingRect().intersects(seen))


def _rows_seen(table) -> float:
    view = table.view
    return view.viewport().height() / view.verticalHeader().defaultSectionSize()


def _resize(qtbot, arch, width: int, height: int) -> None:
    window = arch.window()
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=5_000)
    for _ in range(3):  # let deferred layout requests run before measuring
        qtbot.wait(30)


def test_a_laptop_screen_gives_the_graph_most_of_the_room(qtbot, arch):
    assert arch.window().width() == 1280 and arch.window().height() == 800
    graph, table = arch.graph, arch.table
    # The catalog gives its column to the graph; its button says it can come back.
    assert not arch.catalog.isVisible() and not arch.bar.catalog_button.isChecked()
    assert _graph_share(arch) >= LAPTOP_GRAPH_SHARE
    assert graph.viewport().height() > table.height()
    assert COMPACT_ROWS <= _rows_seen(table) < MIN_ROWS
    # A readable stretch of the network, from its input down.
    assert graph.zoom() == pytest.approx(readable_zoom(), abs=1e-6)
    assert _nodes_seen(graph) > NODES_BEFORE + 1
    first = next(iter(graph.graph_scene.nodes.values()))
    assert graph.viewport().rect().contains(graph.mapFromScene(first.sceneBoundingRect().center()))

    # The catalog comes back at a click, ready to search, and the choice is remembered.
    arch.bar.catalog_button.click()
    qtbot.waitUntil(arch.catalog.isVisible, timeout=2_000)
    assert arch.bar.catalog_button.isChecked() and arch.catalog.search.hasFocus()
    assert arch.catalog.width() >= 250
    assert settings.read_str("arch/catalog", "") == "shown"
    _resize(qtbot, arch, 1200, 760)  # a user's choice outlives the window's size
    assert arch.catalog.isVisible()
    arch.bar.catalog_button.click()
    assert not arch.catalog.isVisible() and settings.read_str("arch/catalog", "") == "hidden"


def test_a_large_screen_keeps_the_catalog_and_six_table_rows(qtbot, arch):
    laptop_nodes = _nodes_seen(arch.graph)
    _resize(qtbot, arch, 1920, 1080)
    assert arch.catalog.isVisible() and arch.bar.catalog_button.isChecked()
    assert _rows_seen(arch.table) >= MIN_ROWS
    assert _graph_share(arch) >= LAPTOP_GRAPH_SHARE
    sizes = arch.graph_split.sizes()
    assert sizes[0] > 1.5 * sizes[1]  # the graph still gets the most
    arch.graph.show_start()  # a tall view opens at 100 %, and still shows as much
    assert arch.graph.zoom() == pytest.approx(1.0)
    assert _nodes_seen(arch.graph) >= laptop_nodes
    # Back on the small screen, the catalog steps aside again (nobody asked for it).
    _resize(qtbot, arch, 1280, 800)
    assert not arch.catalog.isVisible()
    assert _rows_seen(arch.table) >= COMPACT_ROWS


def test_a_dragged_split_is_kept_and_remembered(qtbot, arch):
    total = sum(arch.graph_split.sizes())
    arch.graph_split.moveSplitter(total // 2, 1)  # what the bar's handle does when dragged
    sizes = arch.graph_split.sizes()
    _resize(qtbot, arch, 1300, 820)
    assert arch.graph_split.sizes()[1] >= sizes[1]  # not shared out anew
    arch.window().close()
    assert settings.app_settings().value("arch/graph_split") is not None


def test_a_split_nobody_dragged_is_not_remembered(qtbot, arch):
    arch.window().close()
    assert settings.app_settings().value("arch/graph_split") is None
    assert settings.app_settings().value("arch/details_split") is None


def _layer_column(table) -> int:
    return table.layers.COLUMNS.index("Layer")


def _natural_width(table, col: int) -> int:
    """The width a column of names takes when nothing squeezes it."""
    from PySide6.QtGui import QFont, QFontMetrics

    from cnnviz.ui.arch.table_panel import CELL_PAD, HEADER_PAD

    view = table.view
    text = view.fontMetrics().horizontalAdvance(table.layers.longest_text(col)) + CELL_PAD
    bold = QFont(view.horizontalHeader().font())
    bold.setWeight(QFont.Weight.DemiBold)
    head = QFontMetrics(bold).horizontalAdvance(table.layers.COLUMNS[col]) + HEADER_PAD
    return min(NAME_MAX, max(text, head))


def test_name_columns_shrink_in_a_narrow_window_and_grow_back(qtbot, arch):
    table, view = arch.table, arch.table.view
    layer = _layer_column(table)
    natural = _natural_width(table, layer)
    _resize(qtbot, arch, 1920, 1080)
    assert view.columnWidth(layer) == natural
    _resize(qtbot, arch, 960, 700)  # the window's smallest size
    assert view.columnWidth(layer) < natural
    params = table.layers.COLUMNS.index("Parameters")
    assert view.columnViewportPosition(params) + view.columnWidth(params) <= view.viewport().width()
    _resize(qtbot, arch, 1280, 800)  # every number whole, the names as wide as room allows
    last = max(table.layers.NUMERIC)
    assert view.columnViewportPosition(last) + view.columnWidth(last) <= view.viewport().width()
    assert min(120, natural) <= view.columnWidth(layer) <= natural  # 120: the names' floor
    _resize(qtbot, arch, 1920, 1080)
    assert view.columnWidth(layer) == natural  # no wider than its names
    # A network picked while the window is narrow gets its full names back as it widens.
    _resize(qtbot, arch, 960, 700)
    before = arch.report
    arch.catalog.select_ref("resnet32")
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    natural = _natural_width(table, layer)
    assert view.columnWidth(layer) < natural
    _resize(qtbot, arch, 1920, 1080)  # at 1280 px its names give way to the numbers still
    assert view.columnWidth(layer) == natural


def test_a_column_the_user_sized_keeps_its_width(qtbot, arch):
    table, view = arch.table, arch.table.view
    layer = _layer_column(table)
    view.horizontalHeader().resizeSection(layer, 300)  # as a drag of its edge does
    _resize(qtbot, arch, 960, 700)
    assert view.columnWidth(layer) == 300
    _resize(qtbot, arch, 1280, 800)
    assert view.columnWidth(layer) == 300
    # Another network starts over from its own names (in a window wide enough for them).
    _resize(qtbot, arch, 1920, 1080)
    assert view.columnWidth(layer) == 300
    arch.tabs.setCurrentIndex(0)
    before = arch.report
    arch.catalog.select_ref("resnet32")
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    assert view.columnWidth(layer) == _natural_width(table, layer)
