"""The explorer's graph coloured by gradient norms from a real (tiny) training run."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from cnnviz.core.inspect.gradients import geometric_mean, scale_position
from cnnviz.core.train import (
    GradientSnapshot, ModelConfig, RunConfig, RunStarted, StepRecord, load_dataset, train,
)
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.gradient_legend import color_at
from cnnviz.ui.arch.model_bar import GRADIENT_UNAVAILABLE
from held_catalog import hold_catalog

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def snapshots() -> dict[str, GradientSnapshot]:
    """Two optimiser steps of plain20, its no-batch-norm variant and a ResNet-20 frozen up
    to layer1, on the procedural shapes, as the Train workspace would send them."""
    models = (
        ModelConfig("plain20"),
        ModelConfig("plain20", name="plain20-nobn", options={"batch_norm": False}),
        ModelConfig("resnet20", name="resnet20-frozen", freeze_until="layer1"),
    )
    config = RunConfig(models=models, dataset="shapes", num_classes=3, image_size=32,
                       train_size=32, val_size=8, batch_size=16, steps=2, device="cpu",
                       validate=False)
    data = load_dataset("shapes", num_classes=3, image_size=32, train_size=32, val_size=8)
    names, last = {}, {}
    for record in train(config, data=data):
        if isinstance(record, RunStarted):
            names = {m.name: m.layer_names for m in record.models}
        elif isinstance(record, StepRecord):
            last[record.model] = record
    by_name = {m.label: m for m in models}
    return {
        name: GradientSnapshot(model=name, arch=by_name[name].arch,
                               options=dict(by_name[name].options), layer_names=names[name],
                               norms=rec.grad_norms, step=rec.step, run="test")
        for name, rec in last.items()
    }


def _show_gradients(qtbot, arch, snapshot, layers: bool = True):
    """Show ``snapshot`` as "Show in graph" does (folded into blocks); ``layers`` then
    expands every block, to look at the layers' own colours."""
    arch.show_gradients(snapshot)
    qtbot.waitUntil(lambda: arch.inspection is not None and not arch.runner.busy
                    and arch.gradients.snapshot is snapshot, timeout=WAIT_MS)
    if layers:
        assert arch.collapsed and all(arch.graph.graph_scene.nodes[b].is_block
                                      for b in arch.collapsed)
        arch.expand_all()
        assert arch.gradients.snapshot is snapshot


def _node_of(arch, name):
    return next(l.id for l in arch.report.layers if l.name == name)


def _grad_index(arch) -> int:
    return arch.bar.shade.findData("grad")


def test_show_gradients_brings_the_network_and_colours_it(qtbot, arch, snapshots):
    snap = snapshots["plain20"]
    assert arch.current_ref == "lenet5"
    _show_gradients(qtbot, arch, snap)
    assert arch.current_ref == "plain20" and arch.report.arch.lower().startswith("plain")
    assert arch.bar.shade_mode() == "grad" and arch.bar.gradient_available()
    scene = arch.graph.graph_scene
    norms = snap.by_layer()
    assert np.all(np.isfinite(snap.norms)) and len(set(np.round(snap.norms, 12))) > 5
    low, high = min(norms.values()), max(norms.values())
    colours = {}
    for name, value in norms.items():
        item = scene.nodes[_node_of(arch, name)]
        assert item.heat_state == "value"
        assert item.heat == color_at(scale_position(value, low, high))
        colours[name] = item.heat.name()
        assert fmt.norm(value) in item.toolTip()
    weakest, strongest = min(norms, key=norms.get), max(norms, key=norms.get)
    assert colours[weakest] == color_at(0.0).name() and colours[strongest] == color_at(1.0).name()
    assert len(set(colours.values())) > 5  # different norms, different colours
    # Layers without recorded weights are neutral.
    for layer in arch.report.layers:
        if layer.kind in ("activation", "norm", "pool", "input", "output"):
            assert scene.nodes[layer.id].heat_state == "none"
    legend = arch.graph.legend
    assert legend.isVisible()
    # The model by its display name, as everywhere a student reads it.
    assert legend.title == f"Gradient norm · Plain-20, step {snap.step}"
    assert (legend.low, legend.high) == (low, high)
    assert legend.note.startswith("log10 scale")
    # The legend is a strip under the graph, never over it.
    assert arch.graph.viewport().geometry().bottom() < legend.geometry().top()
    assert legend.geometry().bottom() == arch.graph.rect().bottom()

    # Click a convolution: the details panel says its norm.
    conv = scene.nodes[_node_of(arch, "layer2.0.conv1")]
    arch.graph.centerOn(conv)
    qtbot.mouseClick(arch.graph.viewport(), Qt.MouseButton.LeftButton,
                     pos=arch.graph.mapFromScene(conv.sceneBoundingRect().center()))
    assert arch.details.subject == conv.key
    text = arch.details.toPlainText()
    assert "Gradient norm" in text and fmt.norm(norms["layer2.0.conv1"]) in text


def test_newer_snapshots_recolour_without_relayout(qtbot, arch, snapshots):
    snap = snapshots["plain20"]
    _show_gradients(qtbot, arch, snap)
    scene = arch.graph.graph_scene
    items, report, layout = dict(scene.nodes), arch.report, arch.layout_data
    before = {key: item.heat.name() for key, item in items.items() if item.heat is not None}
    first = _node_of(arch, snap.layer_names[0])
    arch.select_layer(first)
    newer = dataclasses.replace(snap, norms=snap.norms[::-1].copy(), step=snap.step + 1)
    arch.update_gradients(newer)
    assert not arch.runner.busy  # nothing re-inspected
    assert scene.nodes == items and arch.report is report and arch.layout_data is layout
    low, high = newer.norms.min(), newer.norms.max()
    for name, value in newer.by_layer().items():
        assert scene.nodes[_node_of(arch, name)].heat == color_at(scale_position(value, low, high))
    after = {key: scene.nodes[key].heat.name() for key in before}
    assert sum(after[k] != before[k] for k in before) > len(before) // 2
    assert arch.graph.legend.title.endswith(f"Plain-20, step {newer.step}")
    assert fmt.norm(float(newer.norms[0])) in arch.details.toPlainText()


def test_other_networks_and_options_never_steal_the_view(qtbot, arch, show, snapshots):
    _show_gradients(qtbot, arch, snapshots["plain20"])
    painted = {k: i.heat for k, i in arch.graph.graph_scene.nodes.items()}
    arch.update_gradients(snapshots["resnet20-frozen"])
    arch.update_gradients(snapshots["plain20-nobn"])  # same arch, other options
    assert arch.current_ref == "plain20" and not arch.runner.busy
    assert {k: i.heat for k, i in arch.graph.graph_scene.nodes.items()} == painted
    assert arch.gradients.snapshot is snapshots["plain20"]

    # A network never trained: the entry is disabled and says why; shading falls back.
    show("lenet5")
    index = _grad_index(arch)
    item = arch.bar.shade.model().item(index)
    assert not item.isEnabled() and item.toolTip() == GRADIENT_UNAVAILABLE
    assert arch.bar.shade_mode() == "params"
    assert not arch.graph.legend.isVisible()
    assert arch.graph.viewport().geometry().bottom() == arch.graph.rect().bottom()
    assert all(i.heat_state is None for i in arch.graph.graph_scene.nodes.values())
    arch.bar.set_shade_mode("grad")
    assert arch.bar.shade_mode() == "params"

    # Picking the remembered network later offers its gradients.
    show("resnet20")
    assert arch.bar.gradient_available()
    arch.bar.shade.setCurrentIndex(_grad_index(arch))
    assert arch.gradients.snapshot is snapshots["resnet20-frozen"]
    assert arch.graph.legend.isVisible()


def test_options_pick_the_variant_that_was_trained(qtbot, arch, snapshots):
    snap = snapshots["plain20-nobn"]
    _show_gradients(qtbot, arch, snap)
    assert arch.current_ref == "plain20" and arch.bar.options()["batch_norm"] is False
    assert not any(l.kind == "norm" for l in arch.report.layers)
    scene = arch.graph.graph_scene
    for name, value in snap.by_layer().items():
        assert scene.nodes[_node_of(arch, name)].heat_state == "value"
    # Two models of one network: the option the run changed tells them apart, in words.
    assert arch.graph.legend.title.endswith(
        f"Plain-20 without batch norm, step {snap.step}")
    # The batch-norm variant's gradients do not fit this graph.
    arch.update_gradients(snapshots["plain20"])
    assert arch.gradients.snapshot is snap


def test_frozen_layers_and_collapsed_blocks(qtbot, arch, snapshots):
    snap = snapshots["resnet20-frozen"]
    norms = snap.by_layer()
    frozen = [n for n, v in norms.items() if np.isnan(v)]
    assert frozen and all(n == "conv1" or n.startswith("layer1.") for n in frozen)
    _show_gradients(qtbot, arch, snap)
    scene = arch.graph.graph_scene
    for name in frozen:
        item = scene.nodes[_node_of(arch, name)]
        assert item.heat_state == "frozen" and item.heat is None
        assert "frozen" in item.toolTip()
    assert scene.nodes[_node_of(arch, "layer3.0.conv1")].heat_state == "value"

    arch.collapse_block("layer1")
    arch.collapse_block("layer2")
    assert scene.nodes["layer1"].heat_state == "frozen"
    block = scene.nodes["layer2"]
    inside = [v for n, v in norms.items() if n.startswith("layer2.")]
    trained = [v for v in norms.values() if np.isfinite(v)]
    mean = geometric_mean(np.array(inside))
    assert block.heat_state == "value"
    assert block.heat == color_at(scale_position(mean, min(trained), max(trained)))
    assert "geometric mean of 6 layers" in block.toolTip()
    assert "geometric mean" in arch.graph.legend.note
    arch.select_layer("layer2")
    assert fmt.norm(mean) in arch.details.toPlainText()


def test_gradients_sent_before_the_zoo_loads_are_shown_once_it_has(qtbot, make_window,
                                                                   snapshots, monkeypatch):
    # The zoo is held back until the gradients have been sent, however fast the machine.
    arrived = hold_catalog(monkeypatch)
    ws = make_window().show_workspace("arch")
    snap = snapshots["plain20"]
    assert not ws.catalog.entries  # still loading
    ws.show_gradients(snap)
    qtbot.wait(20)  # the window's event loop runs while the zoo is still held back
    assert not ws.catalog.entries and ws.gradients.snapshot is not snap
    arrived.set()
    qtbot.waitUntil(lambda: ws.gradients.snapshot is snap and not ws.runner.busy, timeout=WAIT_MS)
    assert ws.current_ref == "plain20" and ws.bar.shade_mode() == "grad"


def test_a_network_outside_the_catalog_says_so(qtbot, arch, snapshots):
    stranger = dataclasses.replace(snapshots["plain20"], arch="no_such_network")
    arch.update_gradients(stranger)  # silently kept out: it can never match a graph
    assert arch.banner.isHidden()
    arch.show_gradients(stranger)
    assert not arch.banner.isHidden()
    assert "no_such_network is not in the catalog" in arch.banner.text.text()
    assert arch.current_ref == "lenet5" and not arch.bar.gradient_available()

    unnamed = dataclasses.replace(snapshots["plain20"], arch="", model="my_script_model")
    arch.show_gradients(unnamed)
    assert "my_script_model does not say which architecture" in arch.banner.text.text()
    assert arch.current_ref == "lenet5"
