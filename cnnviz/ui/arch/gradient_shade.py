"""Colouring the explorer's graph by the gradient norms of a training run.

The Train workspace sends :class:`~cnnviz.core.train.GradientSnapshot` objects; this module
keeps the latest one per network (architecture + builder options) and paints the graph by the
one that matches the network on screen.  Repainting for a newer step reuses the layer mapping
and the per-unit index groups (both cached per report and layout), so it costs a few numpy
gathers and one colour per node: no relayout, no re-inspection.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QTimer

from cnnviz.core.inspect.gradients import (
    GradientMap, UnitNorm, input_size_note, norm_range, scale_position, unit_norms,
)
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.gradient_legend import COLOR_MAP, LegendContent, color_at

ModelKey = tuple[str, tuple[tuple[str, Any], ...]]
MINIMAP_DELAY_MS = 500  # the overview re-renders the whole scene: at most twice a second


def model_key(ref: str, options: dict | None, defaults: dict | None = None) -> ModelKey:
    """What identifies a network for matching gradients to a graph: the catalog reference and
    every builder option, defaults filled in, choices compared in any case."""
    merged = {**(defaults or {}), **(options or {})}
    return ref.lower(), tuple(sorted(
        (key, value.lower() if isinstance(value, str) else value) for key, value in merged.items()))


def model_name(snapshot, network: str) -> str:
    """How views name ``snapshot``'s model: ``network`` (the display name, "Plain-56
    (CIFAR)") when the run named the model after its architecture, as the lab does by
    default; otherwise that, followed by the run's own name for it in quotes
    ("Plain-20 (CIFAR) “plain20-nobn”"), which tells two models of one network apart."""
    label, arch = snapshot.model.strip(), snapshot.arch.strip()
    plain = arch.removeprefix("torchvision:").rpartition(":")[2]
    if not label or label.lower() in (arch.lower(), plain.lower()):
        return network or label
    return f"{network} “{label}”" if network else label


def describe(unit: UnitNorm, params: int, is_block: bool, step: int) -> str:
    """One line of rich text on a unit's gradient, for tooltips and the details panel."""
    if unit.state == "frozen":
        return "<b>Gradient norm</b>: frozen, not trained in this run"
    if unit.state == "none":
        if not params:
            return "<b>Gradient norm</b>: none, this layer has no parameters"
        return ("<b>Gradient norm</b>: not measured (only layers with weight matrices "
                "or kernels are)")
    text = f"<b>Gradient norm</b> {html.escape(fmt.norm(unit.value))} at step {step}"
    if is_block and unit.layers > 1:
        trained = unit.layers - unit.frozen
        text += f"<br>geometric mean of {trained} layer{'s' if trained != 1 else ''}"
        if unit.frozen:
            text += f" ({unit.frozen} more frozen)"
    return text


class GradientShading:
    """Paints ``view`` (a :class:`~cnnviz.ui.arch.graph_view.GraphView`) by gradient norms.

    :attr:`snapshot` is the snapshot on screen (None when the graph is not coloured by one);
    :attr:`units` what each visible node shows; :attr:`legend` what the colour bar explains
    (None when not coloured), also printed into exported pictures.
    """

    def __init__(self, view) -> None:
        self.view = view
        self.snapshots: dict[ModelKey, Any] = {}
        self.snapshot = None
        self.units: dict[str, UnitNorm] = {}
        self.legend: LegendContent | None = None
        self.low = self.high = float("nan")
        self._map: GradientMap | None = None
        self._map_for: tuple[Any, tuple[str, ...]] | None = None
        self._groups: dict | None = None
        self._groups_for: tuple[Any, Any] | None = None
        self._params: dict[str, int] = {}  # parameters of each visible unit, for its note
        self._minimap = QTimer(view, singleShot=True, interval=MINIMAP_DELAY_MS)
        self._minimap.timeout.connect(view.minimap.refresh)

    def remember(self, key: ModelKey, snapshot) -> None:
        self.snapshots[key] = snapshot

    def lookup(self, key: ModelKey | None):
        """The latest snapshot of the network ``key`` (None if it was never trained)."""
        return self.snapshots.get(key) if key is not None else None

    def mapping(self, report, snapshot) -> GradientMap:
        """Recorder layer names onto ``report``'s nodes, computed once per pair."""
        names = tuple(snapshot.layer_names)
        if self._map is None or self._map_for[0] is not report or self._map_for[1] != names:
            self._map = GradientMap(report, names)
            self._map_for = (report, names)
            self._groups = None
        return self._map

    def paint(self, report, layout, snapshot) -> None:
        """Colour the nodes of ``layout`` (drawn from ``report``) by ``snapshot``."""
        mapping = self.mapping(report, snapshot)
        if self._groups is None or self._groups_for[0] is not layout:
            self._groups = mapping.groups(layout.nodes)
            self._groups_for = (layout, mapping)
            blocks = {b.path: b.params for b in report.root.walk()}
            self._params = {key: blocks[key] if node.is_block else report.layer(key).params
                            for key, node in layout.nodes.items()}
        self.snapshot = snapshot
        self.units = unit_norms(snapshot.norms, self._groups)
        scale = norm_range(snapshot.norms)
        self.low, self.high = scale if scale else (float("nan"), float("nan"))
        paint = {}
        for key, unit in self.units.items():
            note = describe(unit, self._params[key], layout.nodes[key].is_block, snapshot.step)
            if unit.state == "trained":
                position = scale_position(unit.value, *scale) if scale else 0.0
                paint[key] = ("value", color_at(position), note)
            else:
                paint[key] = (unit.state, None, note)
        self.view.graph_scene.set_heat(paint)
        self.legend = LegendContent(
            model=model_name(snapshot, report.display_name), step=snapshot.step, low=self.low, high=self.high,
            run=snapshot.run, note=self._legend_note(layout, mapping),
            network=report.display_name,
            # A run says its input size once the training side sends it; older sends do not.
            warning=input_size_note(snapshot.input_shape, report.input_shape))
        self.view.legend.show_content(self.legend)
        self.view.legend.setToolTip(self._legend_tip())
        self._minimap.start()

    def clear(self) -> None:
        """Stop showing gradients (the nodes' colours are reset by the scene's shading)."""
        self.snapshot = None
        self.units = {}
        self.legend = None
        self.view.legend.hide_scale()
        self._minimap.start()

    def _legend_note(self, layout, mapping: GradientMap) -> str:
        parts = ["log10 scale"]
        if any(node.is_block for node in layout.nodes.values()):
            parts.append("collapsed blocks: geometric mean")
        missing = len(mapping.unmatched)
        if missing:
            parts.append(f"{missing} recorded layer{'s are' if missing > 1 else ' is'} not in "
                         "this graph")
        return " · ".join(parts)

    def _legend_tip(self) -> str:
        s = self.snapshot
        run = f" of run {html.escape(s.run)}" if s.run else ""
        name = self.legend.model if self.legend else s.model
        return (f"Gradient norms of {html.escape(name)} at step {s.step:,}{run}.<br>"
                f"Colour: log10 of the norm on the {COLOR_MAP} map, from the smallest to the "
                "largest layer norm of this step.<br>A collapsed block shows the geometric "
                "mean of its layers' norms.<br>Frozen layers are hatched; layers without "
                "measured weights stay plain.")

    def note_for(self, report, key: str) -> str | None:
        """The gradient line of the details panel for a layer id or block path (None when
        the graph is not coloured by gradients)."""
        if self.snapshot is None or self._map is None:
            return None
        is_block = key not in report.graph.nodes
        unit = unit_norms(self.snapshot.norms, {key: self._map.indices(key)})[key]
        params = report.block(key).params if is_block else report.layer(key).params
        return describe(unit, params, is_block, self.snapshot.step)
