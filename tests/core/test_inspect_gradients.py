"""Gradient norms of a training run placed on the layer graph (cnnviz.core.inspect.gradients)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from cnnviz.core.inspect import compute_layout, default_collapsed, inspect_model
from cnnviz.core.inspect.gradients import (
    GradientMap, decade_ticks, geometric_mean, input_size_note, norm_range, scale_position,
    unit_norms,
)
from cnnviz.core.train import GradNormRecorder
from cnnviz.core.zoo import resolve


def _recorded_names(arch: str, options: dict | None = None) -> tuple[str, ...]:
    """The layer names a GradNormRecorder gives for ``arch``, in forward order."""
    spec = resolve(arch)
    model = spec.build(**(options or {}))
    recorder = GradNormRecorder(model)
    recorder.trace(torch.zeros(1, *spec.input_shape))
    recorder.close()
    return recorder.layer_names


@pytest.mark.parametrize("arch, options", [
    ("plain20", None),
    ("resnet20", None),
    ("resnet18", None),
    ("torchvision:resnet18", None),
    ("plain20", {"batch_norm": False}),
    ("resnet20", {"batch_norm": False}),
])
def test_every_recorded_layer_lands_on_exactly_one_node(arch, options):
    names = _recorded_names(arch, options)
    report = inspect_model(arch, options=options)
    mapping = GradientMap(report, names)
    assert mapping.unmatched == ()
    assert len(set(mapping.node_ids)) == len(names)  # no two layers share a node
    for name, node in zip(names, mapping.node_ids):
        layer = report.layer(node)
        assert layer.name == name and layer.params > 0
        assert layer.kind in ("conv", "linear")
    # Forward order on both sides: the mapped nodes run in the recorder's order.
    order = {layer.id: layer.order for layer in report.layers}
    ranks = [order[n] for n in mapping.node_ids]
    assert ranks == sorted(ranks)


def test_names_of_another_network_are_reported_unmatched():
    report = inspect_model("plain20")
    mapping = GradientMap(report, ("conv1", "layer1.0.conv1", "layer2.0.downsample.0"))
    assert mapping.unmatched == ("layer2.0.downsample.0",)
    assert mapping.node_ids[:2] == ("conv1", "layer1_0_conv1")


def test_collapsed_blocks_gather_their_layers_and_show_the_geometric_mean():
    report = inspect_model("resnet20")
    names = _recorded_names("resnet20")
    mapping = GradientMap(report, names)
    collapsed = {"layer1", "layer2.0"}
    layout = compute_layout(report, collapsed)
    groups = mapping.groups(layout.nodes)
    in_layer1 = [i for i, n in enumerate(names) if n.startswith("layer1.")]
    assert sorted(groups["layer1"].tolist()) == in_layer1 and len(in_layer1) == 6
    assert len(groups["layer2.0"]) == 2  # option A shortcut: no weights of its own
    assert groups["layer2_1_conv1"].tolist() == [names.index("layer2.1.conv1")]
    assert groups["fc"].tolist() == [names.index("fc")]
    assert groups["layer2_1_bn1"].size == 0  # weighted layers only: batch norm shows none
    every = np.concatenate(list(groups.values()))
    assert sorted(every.tolist()) == list(range(len(names)))  # each layer in one unit
    assert len(mapping.indices("layer1.0")) == 2 and len(mapping.indices("")) == len(names)

    norms = np.full(len(names), 1e-3)
    norms[in_layer1] = [1e-4, 1e-2, 1e-3, 1e-3, 1e-3, 1e-3]
    norms[names.index("layer2.1.conv1")] = np.nan  # frozen
    shown = unit_norms(norms, groups)
    assert shown["layer1"].state == "trained" and shown["layer1"].layers == 6
    assert shown["layer1"].value == pytest.approx(1e-3)  # (1e-4 * 1e-2 * 1e-3^4) ** (1/6)
    assert shown["layer2_1_conv1"].state == "frozen" and math.isnan(shown["layer2_1_conv1"].value)
    assert shown["layer2_1_bn1"].state == "none"
    assert shown["fc"].value == pytest.approx(1e-3)


def test_a_block_with_some_frozen_layers_averages_the_trainable_ones():
    groups = {"block": np.array([0, 1, 2]), "all_frozen": np.array([1, 2])}
    norms = np.array([4.0, np.nan, np.nan])
    shown = unit_norms(norms, groups)
    assert shown["block"] == shown["block"].__class__(4.0, "trained", 3, 2)
    assert shown["all_frozen"].state == "frozen" and shown["all_frozen"].frozen == 2


def test_default_collapsed_big_network_keeps_every_layer_in_a_unit():
    report = inspect_model("resnet56")
    collapsed = default_collapsed(report)
    assert collapsed
    names = _recorded_names("resnet56")
    groups = GradientMap(report, names).groups(compute_layout(report, collapsed).nodes)
    assert sum(len(ix) for ix in groups.values()) == len(names)


def test_log_scale_helpers():
    assert norm_range(np.array([np.nan, 0.0, 1e-5, 3.0, np.inf])) == (1e-5, 3.0)
    assert norm_range(np.array([np.nan, 0.0])) is None
    assert scale_position(1e-3, 1e-5, 1e-1) == pytest.approx(0.5)
    assert scale_position(1e-5, 1e-5, 1e-1) == 0.0
    assert scale_position(1.0, 1e-5, 1e-1) == 1.0  # clipped
    assert scale_position(0.0, 1e-5, 1e-1) == 0.0
    assert scale_position(2.0, 2.0, 2.0) == 1.0
    assert geometric_mean(np.array([1e-4, 1e-2])) == pytest.approx(1e-3)
    assert geometric_mean(np.array([0.0, 5.0])) == 0.0


def test_unit_norms_agree_with_the_definition_on_random_groups():
    rng = np.random.default_rng(3)
    norms = 10.0 ** rng.uniform(-6, 1, 40)
    norms[rng.choice(40, 8, replace=False)] = np.nan
    norms[5] = 0.0
    groups = {f"u{i}": rng.choice(40, rng.integers(0, 6), replace=False) for i in range(60)}
    shown = unit_norms(norms, groups)
    for key, ix in groups.items():
        values = norms[ix]
        trained = values[np.isfinite(values)]
        unit = shown[key]
        assert (unit.layers, unit.frozen) == (len(ix), len(ix) - len(trained)) or len(ix) == 0
        if len(ix) == 0:
            assert unit.state == "none"
        elif len(trained) == 0:
            assert unit.state == "frozen"
        else:
            assert unit.state == "trained"
            assert unit.value == pytest.approx(geometric_mean(trained), rel=1e-12)


@pytest.mark.parametrize("low, high, ticks", [
    (4e-4, 0.05, [-3, -2]),       # the exact ends are labelled apart, not as ticks
    (1e-3, 1e-1, [-2]),
    (0.2, 0.9, []),               # less than a decade
    (0.02, 30.0, [-1, 0, 1]),
    (0.0, 1.0, []), (1.0, 1.0, []), (math.nan, 1.0, []), (1e-3, math.inf, []),
])
def test_decade_ticks_lie_strictly_inside_the_scale(low, high, ticks):
    assert decade_ticks(low, high) == ticks
    for power in ticks:
        assert low < 10.0 ** power < high
        assert 0.0 < scale_position(10.0 ** power, low, high) < 1.0


def test_input_size_note_speaks_only_when_the_sizes_differ():
    assert input_size_note((3, 32, 32), (3, 32, 32)) == ""
    assert input_size_note([3, 32, 32], (3, 32, 32)) == ""
    assert input_size_note(None, (3, 64, 64)) == ""
    note = input_size_note((3, 32, 32), (3, 64, 64))
    assert "3\u00d732\u00d732" in note and "3\u00d764\u00d764" in note
    assert note.count(".") == 1 and note.endswith("differ from the run.")

