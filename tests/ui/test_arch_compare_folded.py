"""Compare opens both graphs folded into their blocks, so Plain-34 vs ResNet-34 shows the
shortcut arcs on the right and none on the left at once; the bar's collapse and expand
buttons act on both graphs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cnnviz.core.inspect.collapse import overview_collapsed
from cnnviz.ui.arch.compare import OPEN_MIN_ZOOM

WAIT_MS = 60_000


def _arcs_in_view(view) -> int:
    """Shortcut arcs (or skip edges) drawn at least partly inside the view's viewport."""
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    arcs = list(view.graph_scene.shortcuts.values())
    arcs += [e for e in view.graph_scene.edges if e.is_skip]
    return sum(1 for arc in arcs if arc.isVisible() and seen.intersects(arc.sceneBoundingRect()))


def test_plain34_vs_resnet34_opens_folded_with_the_arcs_in_view(qtbot, arch):
    bar, panel = arch.bar, arch.compare
    tab_bar = arch.tabs.tabBar()
    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton,
                     pos=tab_bar.tabRect(arch.tabs.indexOf(panel)).center())
    assert bar.collapse_button.isVisible() and bar.expand_button.isVisible()
    assert "both" in bar.collapse_button.toolTip() and "both" in bar.expand_button.toolTip()

    panel.compare("plain34", "resnet34")
    qtbot.waitUntil(lambda: all(panel.reports) and not arch.runner.busy, timeout=WAIT_MS)
    left, right = panel.views
    for view, result in zip(panel.views, panel.reports):
        blocks = overview_collapsed(result.report)
        assert len(blocks) == 16 and blocks <= set(view.graph_scene.nodes)
    # Opened where labels still read, scrolled to the first blocks: arcs on the right only.
    assert left.zoom() == pytest.approx(right.zoom()) and left.zoom() >= OPEN_MIN_ZOOM
    assert _arcs_in_view(right) >= 3 and _arcs_in_view(left) == 0
    assert not left.graph_scene.shortcuts and len(right.graph_scene.shortcuts) == 16
    # Fit to window shows the whole of both, every arc included.
    bar.fit_button.click()
    qtbot.waitUntil(lambda: left.shows_whole_graph() and right.shows_whole_graph(),
                    timeout=2_000)
    assert _arcs_in_view(right) == 16 and _arcs_in_view(left) == 0

    # Expand: both graphs show every layer (the skips are edges now), from their tops.
    bar.expand_button.click()
    assert not any(n.is_block for v in panel.views for n in v.graph_scene.nodes.values())
    assert len(left.graph_scene.nodes) == len(panel.reports[0].report.layers)
    assert any(e.is_skip for e in right.graph_scene.edges)
    assert not any(e.is_skip for e in left.graph_scene.edges)
    assert left.zoom() == pytest.approx(right.zoom())

    # Collapse again; the main graph (LeNet-5) was not touched by either button.
    shown = dict(arch.graph.graph_scene.nodes)
    bar.collapse_button.click()
    assert all(overview_collapsed(r.report) <= set(v.graph_scene.nodes)
               for v, r in zip(panel.views, panel.reports))
    assert _arcs_in_view(right) >= 3 and _arcs_in_view(left) == 0
    assert arch.graph.graph_scene.nodes == shown

    # A block's + in either graph unfolds both.
    block = next(n for n in right.graph_scene.nodes.values() if n.is_block)
    right.graph_scene.request_expand(block.key)
    assert not any(n.is_block for v in panel.views for n in v.graph_scene.nodes.values())
