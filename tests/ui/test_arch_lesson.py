""""Show in graph" from the training lab shows the lesson at once: Plain-56 folded into its
blocks, the graph given most of the height, the whole network fitted and shaded."""

from __future__ import annotations

import pytest

from cnnviz.core.inspect.collapse import overview_collapsed
from cnnviz.core.train import GradientSnapshot, ModelConfig
from cnnviz.ui.arch.graph_view import FIT_MIN_ZOOM, OVERVIEW_BOX_MIN_PX
from cnnviz.ui.arch.workspace_gradients import LESSON_GRAPH_SHARE
from lab_snapshots import one_step_snapshot

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def plain56() -> GradientSnapshot:
    """One optimiser step of Plain-56 on four procedural shapes, as the lab sends it."""
    return one_step_snapshot(ModelConfig("plain56"), 4, "test")


def _show(qtbot, arch, snapshot) -> None:
    arch.show_gradients(snapshot)
    qtbot.waitUntil(lambda: arch.inspection is not None and not arch.runner.busy
                    and arch.gradients.snapshot is snapshot, timeout=WAIT_MS)


def _graph_share(arch) -> float:
    sizes = arch.graph_split.sizes()
    return sizes[0] / sum(sizes)


def test_show_in_graph_folds_fits_and_enlarges_the_graph(qtbot, arch, show, plain56):
    assert arch.current_ref == "lenet5" and _graph_share(arch) < LESSON_GRAPH_SHARE - 0.05
    before = arch.graph_split.sizes()
    messages = []
    arch.status_message.connect(messages.append)
    _show(qtbot, arch, plain56)
    report, graph = arch.report, arch.graph
    blocks = overview_collapsed(report)
    assert len(blocks) == 27  # Plain-56: three stages of nine blocks
    assert arch.collapsed == blocks
    assert blocks <= set(graph.graph_scene.nodes)
    assert all(graph.graph_scene.nodes[b].heat_state == "value" for b in blocks)
    # At 1280 x 800 the table's six rows do not fit under that share: it folds away.
    assert _graph_share(arch) == 1.0 and arch.graph_split.sizes()[1] == 0
    qtbot.waitUntil(lambda: "table is folded away" in messages[-1], timeout=2_000)
    # The whole network is on screen: below the layer graphs' floor, above the overview's.
    assert graph.is_overview() and graph.shows_whole_graph()
    assert graph.fit_floor() <= graph.zoom() < FIT_MIN_ZOOM

    # Expanded to its 170 layers, the same network is too long to fit at a readable zoom:
    # "Fit to window" keeps layer titles readable and shows the graph from its top.
    arch.bar.expand_button.click()
    assert not graph.is_overview() and graph.fit_floor() == FIT_MIN_ZOOM
    arch.bar.fit_button.click()
    qtbot.waitUntil(lambda: abs(graph.zoom() - FIT_MIN_ZOOM) < 1e-6, timeout=2_000)
    assert not graph.shows_whole_graph()

    # The user expanded it on purpose: showing the gradients again keeps it expanded.
    arch.show_gradients(plain56)
    assert arch.current_ref == "plain56" and arch.bar.shade_mode() == "grad"
    assert arch.collapsed == frozenset() and not graph.is_overview()

    arch.bar.collapse_button.click()
    assert arch.collapsed == blocks
    arch.bar.fit_button.click()
    qtbot.waitUntil(graph.shows_whole_graph, timeout=2_000)

    # Another network picked in the catalog is no lesson: the table comes back.
    show("resnet18")
    assert arch.graph_split.sizes() == pytest.approx(before, abs=4)  # splitter rounding


def test_an_overview_too_long_to_fit_stops_where_boxes_are_still_seen(qtbot, arch, plain56):
    _show(qtbot, arch, plain56)
    graph = arch.graph
    # The user drags the table up: Plain-56's 35 boxes no longer fit in what is left.
    total = sum(arch.graph_split.sizes())
    arch.graph_split.setSizes([150, total - 150])
    assert graph.viewport().height() < 150
    graph.fit_view(animated=False)
    floor = graph.fit_floor()
    assert graph.zoom() == pytest.approx(floor)
    box = next(iter(graph.graph_scene.nodes.values())).box()
    assert box.height() * graph.zoom() == pytest.approx(OVERVIEW_BOX_MIN_PX)
    assert not graph.shows_whole_graph()
