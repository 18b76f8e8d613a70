"""The Look-inside panel fits beside the explorer at 1280x800 (about 900x650) and on a large
screen: toolbars wrap instead of clipping, long names are shortened with a tooltip."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QSpinBox, QWidget

from cnnviz.core.zoo import resolve
from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.probe.flow import FlowLayout
from probe_panels import panel  # noqa: F401 - the fixture, used by name

WAIT_MS = 60_000
LONG_LABEL = "resnet20, step 12,400 of run 2026-11-28_0612 (cosine schedule)"


def clipped(root: QWidget) -> list[str]:
    """Text widgets on screen under ``root`` that are narrower than their text needs, or cut
    off by a parent; an ElidedLabel may be narrow only while it carries its text as a tooltip,
    and word-wrapped labels wrap instead."""
    problems = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or not isinstance(w, (QLabel, QAbstractButton, QComboBox,
                                                         QSpinBox)):
            continue
        name = f"{type(w).__name__}({getattr(w, 'text', lambda: '')()!r})"
        if isinstance(w, ElidedLabel):
            if w.elided and w.text() not in w.toolTip():
                problems.append(f"{name} is shortened without a tooltip")
            continue
        if isinstance(w, QLabel) and (w.wordWrap() or not w.text()):
            continue
        if w.width() < w.minimumSizeHint().width() or \
                (not isinstance(w, QLabel) and w.width() < w.sizeHint().width() - 1):
            problems.append(f"{name} is {w.width()} wide but needs {w.sizeHint().width()}")
            continue
        # Cut off by an ancestor: the widget's rectangle must lie inside every parent's.
        rect = QRect(w.mapTo(root, QPoint(0, 0)), w.size())
        parent = w.parentWidget()
        while parent is not None and parent is not root:
            if parent.objectName() == "qt_scrollarea_viewport":
                break  # scrolled content: what lies outside is reached by scrolling
            bounds = QRect(parent.mapTo(root, QPoint(0, 0)), parent.size())
            if not bounds.contains(rect):
                problems.append(f"{name} sticks out of {type(parent).__name__}")
                break
            parent = parent.parentWidget()
    return problems


def settle(qtbot, panel, what):
    def done():
        assert not panel.banner.message, panel.banner.message
        return what(panel) and not panel.worker.busy

    qtbot.waitUntil(done, timeout=WAIT_MS)


def picture() -> np.ndarray:
    y, x = np.mgrid[0:60, 0:80]
    return np.stack([x * 3, y * 4, (x + y) % 256], axis=2).astype(np.uint8)


@pytest.mark.parametrize("size", [(900, 650), (1530, 900)])
def test_nothing_is_clipped_beside_the_explorer_or_on_a_large_screen(qtbot, panel, size):
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    torch.manual_seed(0)
    # Trained at 64x64, not the catalog's 32x32: the strip names the size as well.
    panel.set_model(resolve("resnet20").build(), "resnet20", label=LONG_LABEL,
                    class_names=[f"shape {i}" for i in range(10)], image_size=64, channels=3)
    panel.set_image(picture(), "a rather long picture file name from the studio.png")
    settle(qtbot, panel, lambda p: p.probe is not None)
    panel.select_layer("layer3.2.conv2")
    for view in (panel.maps, panel.filters_view, panel.tencrop_view, panel.invariance_view):
        panel.tabs.setCurrentWidget(view)
        settle(qtbot, panel, lambda p: True)
        qtbot.wait(20)
        assert clipped(panel) == [], type(view).__name__
    panel.tabs.setCurrentWidget(panel.maps)
    # The picture gives up height to its (long, wrapped) caption rather than lie under it.
    view, caption = panel.input_view, panel.seen.caption
    assert caption.parentWidget() is view.parentWidget()
    assert caption.geometry().top() > view.geometry().bottom()
    # The maps keep most of the width, and every layer's name shows whole at either size.
    assert panel.grid_view.width() >= 0.4 * size[0]
    names = panel.layer_list
    width = names.header().sectionSize(0)
    fm = names.fontMetrics()
    too_long = [names.topLevelItem(i).text(0) for i in range(names.topLevelItemCount())
                if fm.horizontalAdvance(names.topLevelItem(i).text(0)) + 8 > width]
    assert too_long == []
    # The run's label stays whole; the list of classes gives way first, into its tooltip.
    strip = panel.header.lab_strip
    assert not strip.label.elided and LONG_LABEL in strip.label.text()
    assert strip.size_tag.isVisible() and strip.size_tag.text() == "input 64×64"
    assert strip.classes.elided == (size[0] < 1000)
    assert "shape 9" in strip.classes.toolTip() or not strip.classes.elided


def test_a_narrow_toolbar_wraps_its_controls_onto_a_second_row(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host, spacing=10, last_right=True)
    info = ElidedLabel("layer3.2.conv2 · 64 maps of 8×8 · mean 0.213 · 41% zeros")
    controls = QLabel("Channel order  One colour scale")
    flow.addWidget(info)
    flow.addWidget(controls)
    wide = info.sizeHint().width() + controls.sizeHint().width() + 40
    host.resize(wide, flow.heightForWidth(wide))
    host.show()
    qtbot.waitExposed(host)
    assert len(flow.rows(wide)) == 1
    assert abs(info.geometry().center().y() - controls.geometry().center().y()) <= 1
    assert controls.geometry().right() == wide - 1  # the last one sits at the right edge
    narrow = info.sizeHint().width() + 20
    assert flow.heightForWidth(narrow) > flow.heightForWidth(wide)
    host.resize(narrow, flow.heightForWidth(narrow))
    qtbot.waitUntil(lambda: controls.y() > info.y())
    assert controls.x() == 0 and not info.elided
    tiny = controls.sizeHint().width() + 10
    host.resize(tiny, flow.heightForWidth(tiny))
    qtbot.waitUntil(lambda: info.width() == tiny)
    assert info.elided and info.text() in info.toolTip()
    assert len(flow.rows(tiny)) == 2


def test_the_clipping_check_sees_a_clipped_checkbox_and_a_silent_elision(qtbot):
    from PySide6.QtWidgets import QCheckBox

    root = QWidget()
    qtbot.addWidget(root)
    box = QCheckBox("One colour scale", root)
    label = ElidedLabel("a name far too long for forty pixels", parent=root)
    root.resize(300, 60)
    root.show()
    qtbot.waitExposed(root)
    box.setGeometry(0, 0, 60, 24)
    label.setGeometry(0, 30, 40, 20)
    assert clipped(root) == [f"QCheckBox('One colour scale') is 60 wide but needs "
                             f"{box.sizeHint().width()}"]
    assert label.elided
    super(ElidedLabel, label).setToolTip("")  # its whole text lost: now it is silent clipping
    assert label.elided and len(clipped(root)) == 2
