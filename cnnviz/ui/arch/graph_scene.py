"""Turn an engine :class:`~cnnviz.core.inspect.report.Layout` into graph items.

The engine lays nodes out in abstract units; :func:`layout_scale` maps them so that a layer
node is :data:`NODE_WIDTH` pixels wide at zoom 1 (more with a large desktop font), whatever
else the graph holds.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtWidgets import QGraphicsScene

from cnnviz.core.inspect.collapse import residual_blocks
from cnnviz.core.inspect.depth import block_layers
from cnnviz.core.inspect.labels import display_type, kernel_chain
from cnnviz.core.inspect.layout import NODE_WIDTH as LAYOUT_NODE_WIDTH
from cnnviz.core.inspect.layout import V_GAP
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.graph_items import EdgeItem, FrameItem, NodeItem, text_scale
from cnnviz.ui.arch.shortcut_item import ShortcutItem
from cnnviz.ui.arch.side_labels import short_name

NODE_WIDTH = 230.0
SHADES = ("params", "macs", "none")
GRADIENT = "grad"  # shade by a training run's gradient norms (painted by set_heat)


def layout_scale(layout) -> float:
    """Scene pixels per layout unit: the same for every graph (a scale taken from the graph,
    say its median box, would shrink a layer's box, and cut its text, whenever collapsed
    blocks outnumber layers), larger with a larger desktop font (see :func:`text_scale`)."""
    return NODE_WIDTH * text_scale() / LAYOUT_NODE_WIDTH


def hyper_summary(layer) -> str:
    """A few words for a layer's hyper-parameters: "3×3 /2 → 64", "→ 1000"."""
    h = layer.hyper or {}

    def pair(v):
        if isinstance(v, (tuple, list)):
            return "×".join(str(x) for x in v) if len(set(v)) > 1 else f"{v[0]}×{v[0]}"
        return f"{v}×{v}"

    parts = []
    k = h.get("kernel_size", h.get("kernel"))
    if k is not None:
        parts.append(pair(k))
    s = h.get("stride")
    if s is not None:
        sv = s[0] if isinstance(s, (tuple, list)) and len(set(s)) == 1 else s
        if sv not in (1, (1, 1), [1, 1]):
            parts.append(f"/{sv}" if not isinstance(sv, (tuple, list)) else f"/{pair(sv)}")
    out = h.get("out_channels", h.get("out_features"))
    if out is not None:
        parts.append(f"→ {out}")
    if h.get("groups", 1) not in (1, None) and h.get("groups") == h.get("in_channels"):
        parts.append("depthwise")
    return " ".join(parts)


def describe_layer(layer, totals) -> tuple[str, str, str]:
    """Title, subtitle and tooltip (rich text) of a layer node."""
    summary = hyper_summary(layer)
    title = f"{display_type(layer)} {summary}".strip()
    sub = fmt.shape(layer.output_shape)
    if layer.params:
        sub += f"  ·  {fmt.count(layer.params)} params"
    tip = (
        f"<b>{layer.name or layer.id}</b> &nbsp;<span style='opacity:.7'>{layer.type}</span><br>"
        f"Output: {fmt.shape(layer.output_shape)}<br>"
        f"Parameters: {fmt.exact(layer.params)} ({fmt.percent(layer.params, totals.params)})<br>"
        f"Multiply-adds: {fmt.count(layer.macs)}"
    )
    return title, sub, tip


def describe_block(block, n_layers: int, totals, residual: bool = False,
                   n_modules: int = 0, chain: str = "") -> tuple[str, str, str]:
    """Title, subtitle and tooltip of a collapsed block of ``n_layers`` weighted layers
    (see :mod:`cnnviz.core.inspect.depth`) and ``n_modules`` modules in all; ``residual``
    when it hides a shortcut; ``chain`` its steps when they form one chain ("1×1 → 3×3",
    see :func:`cnnviz.core.inspect.labels.kernel_chain`), which then leads the subtitle so
    an Inception block's branches read apart without opening them."""
    title = f"{block.path} · {block.type}"
    size = (_plural(n_layers, "layer") if n_layers else _plural(n_modules, "module"))
    sub = f"{chain or size}  ·  {fmt.count(block.params)} params"
    shortcut = "Adds its input back to its output (a shortcut)<br>" if residual else ""
    tip = (
        f"<b>{block.path}</b> &nbsp;<span style='opacity:.7'>{block.type}</span><br>"
        f"{size} ({_plural(n_modules, 'module')}), collapsed — click + to expand<br>{shortcut}"
        f"Parameters: {fmt.exact(block.params)} ({fmt.percent(block.params, totals.params)})<br>"
        f"Multiply-adds: {fmt.count(block.macs)}"
    )
    return title, sub, tip


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def inside(block_path: str, container: str) -> bool:
    """Whether a layer of block ``block_path`` lies inside block ``container``."""
    return container == "" or block_path == container or block_path.startswith(container + ".")


class GraphScene(QGraphicsScene):
    """The items of one report's layout; emits requests to expand or collapse blocks.

    ``nodes`` maps layout keys to node items, ``edges`` lists the layout's edges, ``frames``
    the expanded blocks' frames and ``shortcuts`` the arcs beside collapsed residual blocks
    (by block path)."""

    expand_requested = Signal(str)
    collapse_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: list[EdgeItem] = []
        self.frames: dict[str, FrameItem] = {}
        self.shortcuts: dict[str, ShortcutItem] = {}
        self.names: dict[str, str] = {}  # each node's short name, for labels beside far bars
        self.scale_factor = 1.0
        self.printing = False  # set while exported: nodes leave out what only a click uses
        # Goes up whenever what a node shows changes: the view's placed labels depend on it.
        self.revision = 0
        self.layout_revision = 0  # goes up whenever the nodes are made anew (see populate)

    def request_expand(self, path: str) -> None:
        self.expand_requested.emit(path)

    def request_collapse(self, path: str) -> None:
        self.collapse_requested.emit(path)

    def populate(self, report, layout, frames: set[str], shade: str) -> None:
        """Replace the items with those of ``layout`` (of ``report``)."""
        self.clear()
        self.nodes, self.edges, self.frames, self.shortcuts = {}, [], {}, {}
        self.names = {}
        self.revision += 1
        self.layout_revision += 1
        s = self.scale_factor = layout_scale(layout)
        blocks = {b.path: b for b in report.root.walk()}
        layer_ids = set(report.graph.nodes)
        module_counts = _layer_counts(report)
        layer_counts = block_layers(report)
        runs = _repeat_badges(report, layout)
        residual = residual_blocks(report, {k for k, n in layout.nodes.items() if n.is_block})
        rects: dict[str, QRectF] = {}
        for key, ln in layout.nodes.items():
            rect = rects[key] = QRectF(ln.x * s, ln.y * s, ln.width * s, ln.height * s)
            is_block = ln.is_block or key not in layer_ids
            if is_block:
                kind = "block"
                title, sub, tip = describe_block(blocks[key], layer_counts.get(key, 0),
                                                 report.totals, key in residual,
                                                 module_counts.get(key, 0),
                                                 kernel_chain(report, key))
            else:
                layer = report.layer(key)
                kind = layer.kind
                title, sub, tip = describe_layer(layer, report.totals)
            badge, badge_note = runs.get(key, (None, ""))
            if badge:
                tip += f"<br>{badge_note}"
            item = NodeItem(key, rect, kind, title, sub, tip, is_block=is_block, badge=badge)
            self.addItem(item)
            self.nodes[key] = item
            self.names[key] = short_name(item, report)
        for edge in layout.edges:
            if edge.source not in self.nodes or edge.target not in self.nodes:
                continue
            if len(edge.points) >= 2:
                pts = [QPointF(x * s, y * s) for x, y in edge.points]
            else:
                a = self.nodes[edge.source].sceneBoundingRect()
                b = self.nodes[edge.target].sceneBoundingRect()
                pts = [QPointF(a.center().x(), a.bottom() - 3), QPointF(b.center().x(), b.top() + 3)]
            item = EdgeItem(edge.source, edge.target, pts, edge.is_skip)
            self.addItem(item)
            self.edges.append(item)
        for key in sorted(residual):
            arc = ShortcutItem(key, rects[key], 0.4 * V_GAP * s)
            self.addItem(arc)
            self.shortcuts[key] = arc
        for path in sorted(frames, key=len):
            rect = QRectF()
            for key, item in self.nodes.items():
                owner = key if item.is_block else report.layer(key).block
                if owner == path or owner.startswith(path + "."):
                    box = item.sceneBoundingRect()
                    if key in self.shortcuts:
                        box = box.united(self.shortcuts[key].sceneBoundingRect())
                    rect = rect.united(box) if not rect.isNull() else box
            if rect.isNull() or path not in blocks:
                continue
            frame = FrameItem(path, f"{path} · {blocks[path].type}", rect)
            self.addItem(frame)
            self.frames[path] = frame
        self.set_shade(report, shade)
        bounds = self.itemsBoundingRect()
        self.setSceneRect(bounds.adjusted(-60, -40, 60, 40))

    def set_shade(self, report, shade: str) -> None:
        """Shade nodes by "params", "macs" or "none" (square-root scale, so small layers show).

        :data:`GRADIENT` clears the weights and leaves the colours to :meth:`set_heat`; any
        other mode removes colours set by :meth:`set_heat`."""
        blocks = {b.path: b for b in report.root.walk()}
        values = {}
        for key, item in self.nodes.items():
            obj = blocks.get(key) if item.is_block else report.layer(key)
            values[key] = 0 if shade not in SHADES or obj is None else getattr(obj, shade, 0)
        top = max(values.values(), default=0)
        for key, item in self.nodes.items():
            item.weight = math.sqrt(values[key] / top) if top else 0.0
            if shade != GRADIENT and item.heat_state is not None:
                item.set_heat(None)
            item.update()
        self.revision += 1
        self.update()  # the labels beside far bars may change too

    def set_heat(self, paint: dict) -> None:
        """Colour nodes by a measured value: ``paint`` maps node keys to ``(state, colour,
        tooltip note, value text)`` as :meth:`NodeItem.set_heat` takes them; nodes not in it
        are neutral."""
        for key, item in self.nodes.items():
            item.set_heat(*paint.get(key, ("none", None, "", "")))
        self.revision += 1
        self.update()


def _layer_counts(report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for layer in report.layers:
        parts = layer.block.split(".") if layer.block else []
        for i in range(1, len(parts) + 1):
            path = ".".join(parts[:i])
            counts[path] = counts.get(path, 0) + 1
    return counts


def _repeat_badges(report, layout) -> dict[str, tuple[str, str]]:
    """``{node key: (badge, tooltip line)}``: "× N" on the first block of a run of N
    identical blocks; when the other blocks of the run are drawn too, each says its place in
    the run ("2/N").  The tooltip line says what the badge means."""
    badges: dict[str, tuple[str, str]] = {}
    runs: dict[str, list] = {}
    for block in report.root.walk():
        if block.repeat_of:
            runs.setdefault(block.repeat_of, []).append(block)
    for block in report.root.walk():
        if block.repeat > 1 and block.path in layout.nodes:
            followers = runs.get(block.path, [])
            last = followers[-1].path if followers else block.path
            n = block.repeat
            badges[block.path] = (f"× {n}", f"<b>× {n}</b>: the first of {n} identical blocks "
                                            f"in a row, {block.path} to {last}")
            for i, f in enumerate(followers, start=2):
                if f.path in layout.nodes:
                    badges[f.path] = (f"{i}/{n}", f"<b>{i}/{n}</b>: block {i} of {n} identical "
                                                  f"blocks in a row, the same layers as "
                                                  f"{block.path}")
    return badges
