"""The explorer's bar at the window's smallest size (960 x 640, what 150 % allows on a
small screen) with the catalog shown: the network's switches move under "Switches" and
the catalog and export buttons show their icons, so no control is cut to a letter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox

WAIT_MS = 60_000


@pytest.fixture
def first_arch():
    return "resnet20"  # three switches: batch norm, activation, initialisation


def _resize(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height,
                    timeout=5_000)
    for _ in range(3):
        qtbot.wait(30)


def _rect(bar, widget) -> QRect:
    return QRect(widget.mapTo(bar, widget.rect().topLeft()), widget.size())


def _controls(bar):
    return [bar.catalog_button, bar.title, bar.channels, bar.height_box, bar.width_box,
            bar.classes, bar.switches_button, bar.shade, bar.collapse_button,
            bar.expand_button, bar.fit_button, bar.export_button,
            *bar.option_widgets.values()]


def _assert_whole(bar) -> None:
    shown = [w for w in _controls(bar) if w.isVisible() and w.window() is bar.window()]
    for i, widget in enumerate(shown):
        rect = _rect(bar, widget)
        assert bar.rect().contains(rect), widget
        if isinstance(widget, (QAbstractButton, QComboBox)):  # its whole text shows
            assert widget.width() >= widget.sizeHint().width(), widget
        for other in shown[i + 1:]:
            assert not rect.intersects(_rect(bar, other)), (widget, other)


def test_the_switches_fold_into_a_popup_when_the_bar_is_narrow(qtbot, window, arch):
    bar = arch.bar
    _resize(qtbot, window, 960, 640)
    if not arch.catalog.isVisible():
        bar.catalog_button.click()
    qtbot.waitUntil(arch.catalog.isVisible, timeout=2_000)
    for _ in range(3):
        qtbot.wait(30)
    assert bar.compact and bar.switches_button.isVisible()
    assert not any(w.isVisible() for w in bar.option_widgets.values())
    assert bar.catalog_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    _assert_whole(bar)

    # The switches work from the popup: unticking batch norm rebuilds the network.
    qtbot.mouseClick(bar.switches_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(bar.switches_popup.isVisible, timeout=2_000)
    box = bar.option_widgets["batch_norm"]
    assert box.isVisible() and box.window() is bar.switches_popup
    before = arch.report
    box.click()
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy,
                    timeout=WAIT_MS)
    assert bar.options()["batch_norm"] is False
    assert not any(layer.kind == "norm" for layer in arch.report.layers)
    bar.switches_popup.hide()

    # Room again: the switches come back into the bar, the popup button goes.
    _resize(qtbot, window, 1920, 1080)
    assert not bar.compact and not bar.switches_button.isVisible()
    assert all(w.isVisible() and w.window() is bar.window() for w in bar.option_widgets.values())
    assert bar.export_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    _assert_whole(bar)
