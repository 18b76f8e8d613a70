"""The layer table beside the open catalog on a laptop screen (1280 x 800, about 600 pixels
for the table): the numbers stay whole and no horizontal scroll bar appears; the least
needed columns step aside, say so in the header, and come back when there is room."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import QApplication, QMenu, QToolTip

from cnnviz.ui.arch.table_panel import HEADER_PAD


def _resize(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=5_000)
    for _ in range(3):  # deferred layout requests before measuring
        qtbot.wait(30)


def _open_catalog(qtbot, arch) -> None:
    if not arch.catalog.isVisible():
        arch.bar.catalog_button.click()
    qtbot.waitUntil(arch.catalog.isVisible, timeout=2_000)
    for _ in range(3):
        qtbot.wait(30)


def _whole(table, title: str) -> None:
    """Column ``title`` is shown, inside the view, and as wide as its header and values."""
    view = table.view
    col = table.layers.COLUMNS.index(title)
    assert not view.isColumnHidden(col), title
    assert view.columnViewportPosition(col) + view.columnWidth(col) <= view.viewport().width()
    bold = QFont(view.horizontalHeader().font())
    bold.setWeight(QFont.Weight.DemiBold)
    assert QFontMetrics(bold).horizontalAdvance(title) + HEADER_PAD <= view.columnWidth(col)
    longest = table.layers.longest_text(col)
    assert view.fontMetrics().horizontalAdvance(longest) < view.columnWidth(col), longest


def _no_side_scrolling(view) -> None:
    bar = view.horizontalScrollBar()
    assert bar.maximum() == 0 and not bar.isVisible()


@pytest.mark.parametrize("first_arch", ["vgg16"])
def test_numbers_stay_whole_beside_the_catalog_at_1280(qtbot, window, arch, first_arch):
    assert window.width() == 1280 and window.height() == 800
    _open_catalog(qtbot, arch)
    table, view = arch.table, arch.table.view
    assert view.viewport().width() < 700  # the squeeze this is about
    for title in ("#", "Output shape", "Parameters", "Multiply-adds"):
        _whole(table, title)
    _no_side_scrolling(view)
    # Share and Receptive field stepped aside (Block too: the layer's name starts with it).
    assert {"Share", "Receptive field"} <= set(table.hidden_columns)
    for title in table.hidden_columns:
        assert view.isColumnHidden(table.layers.COLUMNS.index(title))
    # Names gave way before types: "features.28" is cut before "AdaptiveAvgPool2d".
    layer, kind = table.layers.COLUMNS.index("Layer"), table.layers.COLUMNS.index("Type")
    assert view.columnWidth(layer) == table.layers.SHRINKABLE[layer]
    assert view.columnWidth(kind) > table.layers.SHRINKABLE[kind]

    # The header says what is hidden and how to get it back, on hover and on right-click.
    header = view.horizontalHeader()
    params = table.layers.COLUMNS.index("Parameters")
    pos = QPoint(header.sectionViewportPosition(params) + 10, header.height() // 2)
    event = QHelpEvent(QEvent.Type.ToolTip, pos, header.viewport().mapToGlobal(pos))
    QApplication.sendEvent(header.viewport(), event)
    assert "Share" in QToolTip.text() and "fold the catalog" in QToolTip.text()
    QToolTip.hideText()
    shown: list[list[str]] = []

    def read_menu():
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            shown.append([a.text() for a in menu.actions()])
            menu.close()

    QTimer.singleShot(50, read_menu)
    header.customContextMenuRequested.emit(pos)
    assert shown and "Receptive field" in shown[0]
    assert any("fold the catalog" in text for text in shown[0])

    # Folding the catalog brings columns back; a large screen shows them all.
    arch.bar.catalog_button.click()
    qtbot.waitUntil(lambda: not arch.catalog.isVisible(), timeout=2_000)
    qtbot.wait(60)
    assert len(table.hidden_columns) < 3
    assert "fold the catalog" not in table.hidden_note()  # it is folded already
    _no_side_scrolling(view)
    _resize(qtbot, window, 1920, 1080)
    assert table.hidden_columns == [] and table.hidden_note() == ""
    assert not any(view.isColumnHidden(c) for c in range(len(table.layers.COLUMNS)))
    _whole(table, "Receptive field")
    _no_side_scrolling(view)


@pytest.mark.parametrize("first_arch", ["vgg16"])
def test_the_blocks_table_fits_beside_the_catalog_too(qtbot, window, arch, first_arch):
    _open_catalog(qtbot, arch)
    table, view = arch.table, arch.table.view
    table.btn_blocks.click()
    qtbot.wait(30)
    for col in table.blocks.NUMERIC:
        if not view.isColumnHidden(col):
            assert view.columnViewportPosition(col) + view.columnWidth(col) \
                <= view.viewport().width()
    _no_side_scrolling(view)
