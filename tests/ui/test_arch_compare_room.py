"""Compare on a projector-sized window (1280 x 720, what 150 % makes of full HD) and at the
window's smallest size: the graphs, not the numbers table, get the height, and the bar's
combos never sit on one another; opened before the catalog has loaded, it names the networks
by their display names once it arrives and shows one state message per graph."""

from __future__ import annotations

from PySide6.QtCore import QRect

from cnnviz.ui.arch.compare import ROWS, TABLE_SHARE
from held_catalog import hold_catalog

WAIT_MS = 60_000


def _resize(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height,
                    timeout=5_000)
    for _ in range(3):  # deferred layout requests and the table's first share
        qtbot.wait(30)


def _compare(qtbot, arch, left: str, right: str):
    arch.tabs.setCurrentWidget(arch.compare)
    arch.compare.compare(left, right)
    qtbot.waitUntil(lambda: all(arch.compare.reports) and not arch.runner.busy,
                    timeout=WAIT_MS)
    return arch.compare


def _in(panel, widget) -> QRect:
    return widget.geometry().translated(widget.parentWidget().mapTo(panel, widget.pos())
                                        - widget.pos())


def test_the_graphs_get_most_of_the_height_at_1280_x_720(qtbot, window, arch):
    _resize(qtbot, window, 1280, 720)
    panel = _compare(qtbot, arch, "plain34", "resnet34")
    table, graphs = panel.split.sizes()
    assert table <= TABLE_SHARE * (table + graphs) and graphs >= 0.6 * (table + graphs)
    assert panel.views[0].viewport().height() > 1.5 * panel.table.height()
    # The table keeps its header and whole rows (two at least), and scrolls to the rest.
    rows, head = panel.table.verticalHeader(), panel.table.horizontalHeader()
    shown = panel.table.viewport().height()
    assert shown >= 2 * rows.sectionSize(0) and shown % rows.sectionSize(0) <= 2
    assert panel.table.verticalScrollBar().maximum() > 0 and head.isVisible()
    # Dragged down, it shows every row whole, and stays so when the window grows.
    panel.split.moveSplitter(panel.table_height() + 50, 1)
    assert panel.table.height() == panel.table_height()
    assert panel.table.viewport().height() >= rows.length()
    _resize(qtbot, window, 1920, 1080)
    assert panel.table.height() == panel.table_height()


def test_depth_shares_the_layers_row(qtbot, window, arch):
    _resize(qtbot, window, 1280, 720)
    panel = _compare(qtbot, arch, "plain34", "resnet34")
    assert panel.table.rowCount() == len(ROWS) == 6  # no row more to squeeze in
    row = ROWS.index("Layers")
    for col, shown in enumerate(panel.reports):
        depth = shown.report.network_depth
        assert depth == 34  # both are 34 deep, as their names say
        assert panel.table.item(row, col).text().endswith(f" · depth {depth}")
        assert "as the papers count depth" in panel.table.item(row, col).toolTip()
    assert "Depth:" in panel.table.verticalHeaderItem(row).toolTip()
    # The graphs keep their share of the height.
    table, graphs = panel.split.sizes()
    assert table <= TABLE_SHARE * (table + graphs)


def test_the_bar_fits_the_smallest_window(qtbot, window, arch):
    panel = _compare(qtbot, arch, "plain34", "resnet34")
    _resize(qtbot, window, 960, 640)
    left, right = (_in(panel, picker) for picker in panel.pickers)
    vs, swap, presets = (_in(panel, w) for w in (panel.vs_label, panel.swap_button,
                                                  panel.preset_box))
    assert left.right() < vs.left() and vs.right() < right.left()
    assert right.right() < swap.left() and swap.right() < presets.left()
    assert presets.right() <= panel.width()
    metrics = panel.pickers[0].fontMetrics()
    for picker in panel.pickers:  # wide enough for the name it shows
        assert picker.width() > metrics.horizontalAdvance(picker.currentText()) + 24
    assert [p.currentText() for p in panel.pickers] == ["Plain-34", "ResNet-34"]


def test_compare_before_the_catalog_names_networks_once_it_arrives(qtbot, make_window,
                                                                   monkeypatch):
    # The catalog is held back until the comparison has started, however fast the machine.
    arrived = hold_catalog(monkeypatch)
    window = make_window()
    arch = window.show_workspace("arch")
    assert not arch.catalog.entries  # still loading
    panel = arch.compare
    arch.tabs.setCurrentWidget(panel)
    panel.compare("plain34", "resnet34")
    for view in panel.views:  # working: the pill alone, no "Pick a network above."
        assert len(view.shown_messages()) == 1
        assert view.shown_messages()[0].startswith("Inspecting")
    arrived.set()
    qtbot.waitUntil(lambda: bool(arch.catalog.entries), timeout=WAIT_MS)
    assert [p.currentText() for p in panel.pickers] == ["Plain-34", "ResNet-34"]
    assert [panel.table.horizontalHeaderItem(i).text() for i in range(2)] == [
        "Plain-34", "ResNet-34"]
    for view in panel.views:
        assert all("plain34" not in m and "resnet34" not in m for m in view.shown_messages())
        assert len(view.shown_messages()) <= 1
    qtbot.waitUntil(lambda: all(panel.reports) and not arch.runner.busy, timeout=WAIT_MS)
    assert [p.currentText() for p in panel.pickers] == ["Plain-34", "ResNet-34"]
    assert all(view.shown_messages() == [] for view in panel.views)
