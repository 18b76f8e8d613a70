"""A layered, top-to-bottom drawing of the layer graph (Sugiyama style, written for speed).

1. Nodes inside a collapsed block become one node; edges follow.
2. Layers: a node sits one layer below its lowest predecessor (longest path from the input).
3. Edges spanning several layers get a chain of invisible waypoints, one per layer, so they
   are routed around the nodes they bypass (skip connections run in their own lane).
4. Order within a layer: barycentre sweeps down and up, waypoints after real nodes on ties,
   which keeps the main path straight and puts skip lanes beside it.
5. x: each node moves towards its neighbours under a minimum spacing (a weighted least-squares
   fit where waypoints give way to real nodes), sweeping down and up a few times.

Units are abstract (a layer box is :data:`NODE_WIDTH` by :data:`NODE_HEIGHT`); the view scales.
"""

from __future__ import annotations

from collections import defaultdict

# default_collapsed is re-exported: callers import it from here.
from cnnviz.core.inspect.collapse import (  # noqa: F401
    default_collapsed, is_residual_add, visible_unit,
)
from cnnviz.core.inspect.report import Layout, LayoutEdge, LayoutNode, ModelReport

NODE_WIDTH, NODE_HEIGHT = 150.0, 40.0
BLOCK_WIDTH, BLOCK_HEIGHT = 190.0, 52.0
# V_GAP leaves room for an arrow between two rows and no more: on a laptop screen every
# unit of it costs rows of the network seen at once.
H_GAP, V_GAP, LANE_GAP, MARGIN = 30.0, 26.0, 18.0, 20.0
_SWEEPS = 4
_REFINE = 5  # odd: the last sweep goes down, so chains hang straight under their head


def compute_layout(report: ModelReport, collapsed: frozenset[str] | set[str] = frozenset()) -> Layout:
    """Place every visible node (a layer, or a collapsed block named by its path) and route
    every edge; see the module docstring for the method."""
    collapsed = frozenset(collapsed)
    unit_of: dict[str, str] = {}
    units: list[str] = []
    is_block: dict[str, bool] = {}
    for layer in report.layers:
        unit = visible_unit(layer.block, collapsed) or layer.id
        unit_of[layer.id] = unit
        if unit not in is_block:
            units.append(unit)
            is_block[unit] = unit != layer.id
    rank = {u: i for i, u in enumerate(units)}
    edges: list[tuple[str, str]] = []
    seen_edges = set()
    joins_by_add: set[tuple[str, str]] = set()
    for source, target in report.graph.edges:
        a, b = unit_of[source], unit_of[target]
        # Keep edges pointing forward in execution order; a block called twice could
        # otherwise point back at itself.
        if a != b and rank[a] < rank[b]:
            if (a, b) not in seen_edges:
                seen_edges.add((a, b))
                edges.append((a, b))
            if is_residual_add(report, target):
                joins_by_add.add((a, b))

    preds: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        preds[b].append(a)
    layer_of: dict[str, int] = {}
    for u in units:  # execution order is a topological order
        layer_of[u] = max((layer_of[p] + 1 for p in preds[u]), default=0)

    # Waypoints for long edges.
    width: dict[str, float] = {u: BLOCK_WIDTH if is_block[u] else NODE_WIDTH for u in units}
    height: dict[str, float] = {u: BLOCK_HEIGHT if is_block[u] else NODE_HEIGHT for u in units}
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    chains: list[tuple[str, str, list[str]]] = []
    order_key: dict[str, float] = {u: float(rank[u]) for u in units}
    for a, b in edges:
        chain: list[str] = []
        prev = a
        for level in range(layer_of[a] + 1, layer_of[b]):
            w = f"\0{a}\0{b}\0{level}"
            layer_of[w] = level
            width[w] = height[w] = 0.0
            order_key[w] = rank[a] + 0.5
            up[w].append(prev)
            down[prev].append(w)
            chain.append(w)
            prev = w
        up[b].append(prev)
        down[prev].append(b)
        chains.append((a, b, chain))
    waypoint = {w for _, _, chain in chains for w in chain}

    levels: list[list[str]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for node in sorted(layer_of, key=order_key.__getitem__):
        levels[layer_of[node]].append(node)
    _order(levels, up, down, waypoint)
    x = _place(levels, up, down, width, chains)

    # y: each layer is as tall as its tallest box.
    tops: list[float] = []
    y = MARGIN
    for level in levels:
        tops.append(y)
        y += max((height[n] for n in level), default=0.0) + V_GAP
    left = min((x[n] - width[n] / 2 for n in x), default=0.0)
    shift = MARGIN - left
    nodes: dict[str, LayoutNode] = {}
    for u in units:
        level_h = max(height[n] for n in levels[layer_of[u]])
        top = tops[layer_of[u]] + (level_h - height[u]) / 2
        nodes[u] = LayoutNode(u, x[u] - width[u] / 2 + shift, top, width[u], height[u], is_block[u])
    out_edges = []
    for a, b, chain in chains:
        na, nb = nodes[a], nodes[b]
        points = [(na.x + na.width / 2, na.y + na.height)]
        for w in chain:
            band_top = tops[layer_of[w]]
            band_h = max(height[n] for n in levels[layer_of[w]])
            points += [(x[w] + shift, band_top), (x[w] + shift, band_top + band_h)]
        points.append((nb.x + nb.width / 2, nb.y))
        out_edges.append(LayoutEdge(a, b, points, is_skip=_is_skip(chain, (a, b) in joins_by_add)))
    total_w = max((n.x + n.width for n in nodes.values()), default=0.0) + MARGIN
    return Layout(nodes=nodes, edges=out_edges, width=total_w, height=y - V_GAP + MARGIN)


def _is_skip(chain: list[str], joins_by_add: bool) -> bool:
    """A skip connection bypasses other nodes and rejoins the main path by addition (a
    residual shortcut).  An Inception or DenseNet branch that is merely shorter than its
    neighbours also bypasses nodes, but it rejoins by concatenation: an ordinary edge."""
    return bool(chain) and joins_by_add


def _order(levels: list[list[str]], up: dict, down: dict, waypoint: set[str]) -> None:
    """Barycentre sweeps; ties keep the current order and put waypoints after nodes."""
    pos = {n: i for level in levels for i, n in enumerate(level)}
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(levels)) if downward else range(len(levels) - 2, -1, -1)
        for li in indices:
            level = levels[li]
            neighbours = up if downward else down

            def key(n: str) -> tuple[float, int, int]:
                near = neighbours[n]
                centre = sum(pos[m] for m in near) / len(near) if near else pos[n]
                return centre, n in waypoint, pos[n]

            level.sort(key=key)
            for i, n in enumerate(level):
                pos[n] = i


def _place(levels: list[list[str]], up: dict, down: dict, width: dict[str, float],
           chains: list[tuple[str, str, list[str]]]) -> dict[str, float]:
    """Centre x of every node and waypoint."""
    origin = {w: a for a, _, chain in chains for w in chain}
    destination = {w: b for _, b, chain in chains for w in chain}
    waypoint = set(origin)
    x: dict[str, float] = {}
    for level in levels:
        cursor = 0.0
        for n in level:
            x[n] = cursor + width[n] / 2
            cursor += width[n] + _gap(n, waypoint)
    for it in range(_REFINE):
        downward = it % 2 == 0
        sequence = levels[1:] if downward else levels[-2::-1]
        for level in sequence:
            desired = []
            for n in level:
                near, ends = (up[n], origin) if downward else (down[n], destination)
                if not near:  # a source (or sink): follow the other side
                    near, ends = (down[n], destination) if downward else (up[n], origin)
                desired.append(_pull(n, near, x, ends))
            _pack(level, desired, x, width, waypoint)
    return x


def _pull(n: str, near: list[str], x: dict[str, float], ends: dict[str, str]) -> float:
    """Where ``n`` would like to be: the mean x of its neighbours.  A real node sees a
    waypoint neighbour as the real node at the far end of that long edge, so a skip lane
    beside a ResNet block does not bend its main path, while the branches of an Inception
    module still centre the concatenation below them."""
    if not near:
        return x[n]
    if n not in ends:
        near = [ends.get(m, m) for m in near]
    return sum(x[m] for m in near) / len(near)


def _gap(n: str, waypoint: set[str]) -> float:
    return LANE_GAP if n in waypoint else H_GAP


def _pack(level: list[str], desired: list[float], x: dict[str, float],
          width: dict[str, float], waypoint: set[str]) -> None:
    """The placement closest to ``desired`` (least squares, waypoints weighing little) that
    keeps the order and the spacing.  With ``y_i = x_i - offset_i`` the spacing constraints
    become ``y`` non-decreasing, which pool-adjacent-violators solves in one pass."""
    offsets: list[float] = []
    total = 0.0
    for i, n in enumerate(level):
        if i:
            a = level[i - 1]
            total += width[a] / 2 + width[n] / 2 + max(_gap(a, waypoint), _gap(n, waypoint))
        offsets.append(total)
    pools: list[list[float]] = []  # [weight, weighted sum, count]
    for n, d, off in zip(level, desired, offsets):
        w = 0.001 if n in waypoint else 1.0
        pools.append([w, w * (d - off), 1])
        while len(pools) > 1 and pools[-2][1] / pools[-2][0] > pools[-1][1] / pools[-1][0]:
            w2, s2, c2 = pools.pop()
            pools[-1][0] += w2
            pools[-1][1] += s2
            pools[-1][2] += c2
    i = 0
    for w, s, count in pools:
        for _ in range(int(count)):
            x[level[i]] = s / w + offsets[i]
            i += 1
