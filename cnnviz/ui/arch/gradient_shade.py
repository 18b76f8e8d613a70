"""Colouring the explorer's graph by the gradient norms of a training run.

The Train workspace sends :class:`~cnnviz.core.train.GradientSnapshot` objects; this module
keeps the latest one per network (architecture + builder options) and paints the graph by the
one that matches the network on screen.  Repainting for a newer step reuses the layer mapping
and the per-unit index groups (both cached per report and layout), so it costs a few numpy
gathers and one colour per node: no relayout, no re-inspection.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QTimer

from cnnviz.core.inspect.gradients import (
    GradientMap, UnitNorm, input_size_note, norm_range, scale_position, unit_norms,
)
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.gradient_legend import COLOR_MAP, LegendContent, color_at
from cnnviz.ui.arch.graph_items import FROZEN_TAG
from cnnviz.ui.arch.model_bar import CHOICES, OPTIONS

ModelKey = tuple[str, tuple[tuple[str, Any], ...]]
MINIMAP_DELAY_MS = 500  # the overview re-renders the whole scene: at most twice a second


def model_key(ref: str, options: dict | None, defaults: dict | None = None) -> ModelKey:
    """What identifies a network for matching gradients to a graph: the catalog reference and
    every builder option, defaults filled in, choices compared in any case."""
    merged = {**(defaults or {}), **(options or {})}
    return ref.lower(), tuple(sorted(
        (key, value.lower() if isinstance(value, str) else value) for key, value in merged.items()))


def model_name(snapshot, network: str, defaults: dict | None = None) -> str:
    """How views name ``snapshot``'s model: ``network`` (the display name, "Plain-20")
    followed by the builder options it was trained with, in words, where they differ from
    ``defaults`` (all of them when None): "Plain-20 without batch norm".
    The run's own id for the model ("plain20-nobn") is never shown: the options are what
    tell two models of one network apart."""
    name = network or arch_title(snapshot.arch) or snapshot.model.strip()
    words = option_words(snapshot.options or {}, defaults)
    return f"{name} {', '.join(words)}" if words else name


def arch_title(arch: str) -> str:
    """A class name for a ``file.py:Class`` reference, the name itself otherwise."""
    return arch.strip().removeprefix("torchvision:").rpartition(":")[2]


def option_words(options: dict, defaults: dict | None = None) -> list[str]:
    """Builder options as the model bar words them: "without batch norm", "with Sigmoid",
    "with Xavier init"; options equal to ``defaults`` are left out."""
    words = []
    for key, value in sorted(options.items()):
        if defaults is not None and key in defaults and _same(defaults[key], value):
            continue
        label = OPTIONS.get(key, (None, ""))[0]
        if isinstance(value, bool):
            text = label[0].lower() + label[1:] if label else key.replace("_", " ")
            words.append(f"{'with' if value else 'without'} {text}")
        else:
            choices = dict(CHOICES.get(key, ()))
            shown = choices.get(str(value).lower(), str(value))
            words.append(f"with {shown}")
    return words


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return a == b


_RUN_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-|$)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def run_words(run: str) -> str:
    """A run's label for a reader: a run folder's name ("20261128-141330-plain20-vs-…")
    becomes "the run of 28 Nov 14:13"; any other label is kept ("run lesson 3");
    empty stays empty."""
    run = run.strip()
    if not run:
        return ""
    stamp = _RUN_STAMP.match(run)
    if stamp is None or not 1 <= int(stamp[2]) <= 12:
        return f"run {run}"
    month, day, hour, minute = (int(stamp[i]) for i in range(2, 6))
    return f"the run of {day} {_MONTHS[month - 1]} {hour:02d}:{minute:02d}"


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

    def paint(self, report, layout, snapshot, defaults: dict | None = None) -> None:
        """Colour the nodes of ``layout`` (drawn from ``report``) by ``snapshot``;
        ``defaults`` are the network's default builder options (the legend names only the
        options the run changed)."""
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
                paint[key] = ("value", color_at(position), note, fmt.norm(unit.value))
            else:
                tag = FROZEN_TAG if unit.state == "frozen" else ""
                paint[key] = (unit.state, None, note, tag)
        self.view.graph_scene.set_heat(paint)
        self.legend = LegendContent(
            model=model_name(snapshot, report.display_name, defaults), step=snapshot.step,
            low=self.low, high=self.high, run=run_words(snapshot.run),
            note=self._legend_note(layout, mapping),
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
        run = f" of {html.escape(run_words(s.run))}" if s.run else ""
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
