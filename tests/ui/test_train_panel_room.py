"""The model panels fit their words: at a 150 % window's room (1280x690, a banner shown) no
title or axis title of a panel is drawn over another or cut at its plot's edge, and the
depth plot's log axis labels a wide range with several powers of ten."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from plot_texts import fading_run, glyph_box
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QImage, QPainter

WAIT_MS = 10_000


def _texts(panel) -> list[tuple[str, QRectF, QRect]]:
    """Each visible title and axis title of the panel's plots: its name, its rectangle in
    the panel's pixels, and its plot's rectangle there."""
    found = []
    for plot in (panel.depth_plot, panel.heat_map):
        item = plot.getPlotItem()
        axes = [item.getAxis("left"), item.getAxis("bottom")]
        if plot is panel.heat_map:
            axes.append(plot.bar.axis)
        items = [(a.labelText, a.label) for a in axes if a.labelText and a.label.isVisible()]
        if item.titleLabel.isVisible():
            items.append((f"title of {type(plot).__name__}", item.titleLabel.item))
        origin = plot.mapTo(panel, plot.rect().topLeft())
        for name, text_item in items:
            box = glyph_box(plot, text_item).translated(origin)
            found.append((name, box, plot.rect().translated(origin)))
    return found


def _tick_texts(axis) -> list[str]:
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        return [text for _rect, _flags, text in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()


@pytest.fixture
def make_ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return lambda size: make_shown(TrainWorkspace, size)


def _shown(qtbot, ws, banner: bool) -> None:
    if banner:
        ws.banner.show_message("3 files of the image folder could not be read as pictures "
                               "and are left out of the training data.")
    ws.view.set_run(fading_run())
    ws.view.refresh()
    qtbot.waitUntil(lambda: len(ws.view.panels) == 2 and ws.view.panels[0].isVisible(),
                    timeout=WAIT_MS)
    qtbot.wait(50)


@pytest.mark.parametrize("size", [(1280, 690), (1180, 640)])
def test_no_title_or_axis_title_of_a_panel_overlaps_or_is_cut(qtbot, make_ws, size):
    # 1280x690: the workspace at 150 % on a 1080p screen; 1180x640: what the window
    # leaves it there beside the sidebar, under the menu bar.
    ws = make_ws(size)
    _shown(qtbot, ws, banner=True)
    assert ws.height() <= size[1] + 1  # the workspace fits: nothing is squeezed below its
    for panel in ws.view.panels:       # minimum (and so clipped)
        texts = _texts(panel)
        assert {"layer (input → output)", "step", "norm", "layer"} <= {t for t, _, _ in texts}
        for name, box, plot in texts:
            assert QRectF(plot).contains(box), (name, box, plot)
        overlapping = [(a, b) for (a, ra, _), (b, rb, _) in itertools.combinations(texts, 2)
                       if ra.intersects(rb)]
        assert overlapping == []
        depth = panel.depth_plot.getPlotItem()
        assert depth.getViewBox().height() >= 38  # and some room for the data


def test_a_roomy_heat_map_keeps_its_title_and_a_short_one_drops_it(qtbot, make_ws):
    ws = make_ws((1920, 1080))
    _shown(qtbot, ws, banner=False)
    heat = ws.view.panels[0].heat_map
    assert heat.title_shown()
    ws.resize(1180, 640)
    ws.banner.show_message("A banner takes some of the height.")
    qtbot.waitUntil(lambda: heat.height() < heat.titled_height, timeout=WAIT_MS)
    assert not heat.title_shown()


@pytest.mark.parametrize("size, least", [((1180, 750), 3), ((1280, 800), 3),
                                         ((1180, 640), 2), ((1920, 1080), 3)])
def test_the_depth_axis_labels_a_wide_range_in_powers_of_ten(qtbot, make_ws, size, least):
    # Norms from 10⁻⁸ to 1: every label a power of ten, several of them where there is
    # room (1180x750 is what a 1280x800 window leaves the workspace; 1180x640 is 150 %
    # with a banner, where the data are about 40 pixels tall).
    ws = make_ws(size)
    _shown(qtbot, ws, banner=size == (1180, 640))
    axis = ws.view.panels[0].depth_plot.getPlotItem().getAxis("left")
    texts = _tick_texts(axis)
    assert len(texts) >= least, texts
    assert all(t.startswith("10") and "·" not in t for t in texts), texts
    exponents = sorted(int(t[2:].replace("⁻", "-").translate(str.maketrans(
        "⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))) for t in texts)
    steps = set(np.diff(exponents))
    assert len(steps) == 1 and steps <= {1, 2, 3, 4}, exponents  # evenly, a few decades apart
