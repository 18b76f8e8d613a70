"""Names beside the boxes of a graph zoomed too far out for the boxes' own text.

Below :func:`~cnnviz.ui.arch.graph_items.text_zoom` a node is a flat coloured bar (ResNet-56
folded and fitted, the training lab's "Show in graph"); a reader must still be able to say
which bar is ``conv1`` and which is ``layer3.2``.  Each node's short name, and the value it is
coloured by (a gradient norm), goes in screen-size text to the right of its bar; labels that
would cover one another or another node are dropped.  The first and the last measured node
are labelled first, so the two ends of a fade are always named.

Placement runs on the GUI thread whenever a zoom settles, so it is split in three: a
:class:`LabelGeometry` measures every label once per layout (anchors, name widths, boxes as
plain numbers), a :class:`LabelPlan` adds the values once per colouring (reusing the labels
whose value did not change), and its :meth:`~LabelPlan.at` only compares numbers for a new
zoom and remembers the answer for the next repaint (benchmarks/bench_side_labels.py times it
on an expanded ResNet-152).

The labels are painted by the view over the scene (see ``GraphView.drawForeground``), never
added to it: exports and the minimap render the scene alone, and fitting measures only boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath

from cnnviz.ui.arch.graph_items import NodeItem

GAP_PX = 8.0  # between a bar (or its shortcut arc) and its label
PAD_X, PAD_Y = 6.0, 2.0  # inside a label's rounded backing
SPACING_PX = 2.0  # the least room between two labels, or a label and a box


@dataclass(frozen=True)
class SideLabel:
    """One label: node ``key``'s ``name`` and ``value`` (may be empty); ``anchor`` is the
    scene point its left middle is pinned to; ``width`` and ``height`` are in pixels.
    ``quiet`` labels (nodes with nothing measured, on a graph coloured by a measure) are
    drawn in the muted colour, so the eye goes to the measured ones."""

    key: str
    name: str
    value: str
    anchor: QPointF
    width: float
    height: float
    quiet: bool = False

    def rect_at(self, left_middle: QPointF) -> QRectF:
        """The label's box in view pixels when its anchor is at ``left_middle``."""
        return QRectF(left_middle.x() + GAP_PX, left_middle.y() - self.height / 2,
                      self.width, self.height)


def label_fonts() -> tuple[QFont, QFont]:
    """The name's font (the desktop font, semi-bold) and the value's (the desktop font).

    Without kerning: a label's width is then the sum of its characters' advances, which
    :class:`_TextWidths` adds up from a table instead of shaping every name."""
    name, value = QFont(), QFont()
    name.setWeight(QFont.Weight.DemiBold)
    for font in (name, value):
        font.setKerning(False)
    return name, value


def short_name(item: NodeItem, report) -> str:
    """What a reader calls a node: a block by its path ("layer2.1"), a layer by its module
    name ("conv1"), an operation between layers by its type."""
    if item.is_block:
        return item.key
    layer = report.layer(item.key)
    return layer.name or layer.type or item.key


def name_rows(nodes: dict, names: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    """The label names of ``nodes`` (``names`` by key) once rows are named as a whole: boxes
    side by side whose names share a parent (Inception's four branches, a residual block's
    shortcut beside its main path) are named once, by that parent ("inception3a"), beside
    the rightmost of them, where a label has room; the others get no label.  Returns the
    names and the keys that now name a whole row."""
    rows: dict[int, list[str]] = {}
    for key, item in nodes.items():
        if names.get(key):
            rows.setdefault(round(item.scene_box[1]), []).append(key)
    named, row_keys = dict(names), set()
    for keys in rows.values():
        parent = _common_parent([names[key] for key in keys]) if len(keys) > 1 else ""
        if not parent:
            continue
        keys.sort(key=lambda key: nodes[key].scene_box[2])
        for key in keys[:-1]:
            named[key] = ""
        named[keys[-1]] = parent
        row_keys.add(keys[-1])
    return named, row_keys


def _common_parent(names: list[str]) -> str:
    """The dotted path every name lies strictly inside ("inception3a" for
    "inception3a.branch1" and "inception3a.branch4"), or "" when they share none."""
    paths = [name.split(".") for name in names]
    shared = []
    for parts in zip(*paths):
        if len(set(parts)) > 1:
            break
        shared.append(parts[0])
    if not shared or any(len(path) == len(shared) for path in paths):
        return ""
    return ".".join(shared)


class LabelGeometry:
    """Where the labels of one layout go, measured once: each named node's anchor (the scene
    point its label's left middle is pinned to) and name width, and every node's box, as
    plain numbers; a row of boxes with a common parent is named once (see
    :func:`name_rows`; ``row_keys`` are the nodes whose label names their row).  Build one
    whenever the scene is populated anew (its ``layout_revision`` moves); recolouring a
    graph keeps it."""

    def __init__(self, scene, names: dict[str, str]) -> None:
        own = names
        names, self.row_keys = name_rows(scene.nodes, names)
        name_font, value_font = label_fonts()
        self.name_width, self.value_width = _TextWidths(name_font), _TextWidths(value_font)
        self.height = max(self.name_width.metrics.height(),
                          self.value_width.metrics.height()) + 2 * PAD_Y
        boxes, middles = {}, {}
        for key, item in scene.nodes.items():
            boxes[key] = item.scene_bounds
            _left, top, _right, bottom = item.scene_box
            middles[key] = (top + bottom) / 2
        self.boxes = [(*box, key) for key, box in boxes.items()]
        columns: dict[int, float] = {}  # a column of boxes: labels line up after its widest
        for key, (left, _top, right, _bottom) in boxes.items():
            column = round((left + right) / 20)  # by the box's centre, whatever is beside it
            arc = scene.shortcuts.get(key)
            if arc is not None:
                right = max(right, arc.sceneBoundingRect().right())
            columns[column] = max(columns.get(column, right), right)
        # key: (name, anchor x, anchor y, width of the name and the backing's padding)
        self.named = {key: (names[key], columns[round((box[0] + box[2]) / 20)], middles[key],
                            self.name_width(names[key]) + 2 * PAD_X)
                      for key, box in boxes.items() if names.get(key)}
        # A row's label that shows a value (a gradient norm) is one box's: it keeps that
        # box's own name, "inception3a.branch4 0.0523", never the row's.
        self.own_names = {key: (own[key], self.name_width(own[key]) + 2 * PAD_X)
                          for key in self.row_keys}


class LabelPlan:
    """The labels of a scene's nodes as they are coloured now, and which of them fit at a
    zoom.

    Built from a :class:`LabelGeometry`, the scene's ``nodes`` (for the values they show)
    and, to reuse its labels where nothing changed, the plan it replaces.  :meth:`at` keeps
    its answers for the last :data:`ZOOMS_KEPT` zoom levels: zooming back and forth, and
    every repaint between two zooms, costs a dictionary look-up.  Build a new plan whenever
    the scene's ``revision`` moves.
    """

    ZOOMS_KEPT = 24

    def __init__(self, geometry: LabelGeometry, nodes: dict,
                 previous: LabelPlan | None = None) -> None:
        self.geometry = geometry
        named = geometry.named
        facts = {key: (nodes[key].value_text, nodes[key].heat_state == "none") for key in named}
        # Measured nodes before the rest, the two ends of each group first: where labels must
        # be dropped, the first and last measured layers (the two ends of a fade) keep theirs.
        measured = [key for key, (value, _quiet) in facts.items() if value]
        others = [key for key, (value, _quiet) in facts.items() if not value]
        old = previous.labels if previous is not None and previous.geometry is geometry else {}
        self.labels: dict[str, SideLabel] = {}
        self._candidates: list[tuple[SideLabel, float, float, str]] = []
        for key in [*_ends_first(measured), *_ends_first(others)]:
            value, quiet = facts[key]
            name, x, y, width = named[key]
            if value and key in geometry.own_names:
                name, width = geometry.own_names[key]
            label = old.get(key)
            if label is None or label.value != value or label.quiet != quiet \
                    or label.name != name:
                if value:
                    width += geometry.value_width("  " + value)
                label = SideLabel(key, name, value, QPointF(x, y), width, geometry.height,
                                  quiet)
            self.labels[key] = label
            self._candidates.append((label, x, y, key))
        self._placed: dict[float, list[tuple[SideLabel, float, float, str]]] = {}

    def at(self, zoom: float) -> list[SideLabel]:
        """The labels that fit at ``zoom`` without covering each other or another node, in
        the order they were given room (see the module's note)."""
        return [label for label, *_rest in self._fitting(zoom)]

    def on_screen(self, zoom: float, dx: float, dy: float, width: float,
                  height: float) -> list[tuple[SideLabel, QRectF]]:
        """The labels that fit at ``zoom`` and show in a ``width`` x ``height`` viewport
        whose scene-to-view transform is a scale by ``zoom`` and a shift by (``dx``,
        ``dy``); each with its box in view pixels."""
        shown = []
        for label, x, y, _key in self._fitting(zoom):
            x, y = x * zoom + dx, y * zoom + dy
            if x + GAP_PX < width and x + GAP_PX + label.width > 0 \
                    and abs(y - height / 2) < (height + label.height) / 2:
                shown.append((label, QRectF(x + GAP_PX, y - label.height / 2, label.width,
                                            label.height)))
        return shown

    def _fitting(self, zoom: float) -> list[tuple[SideLabel, float, float, str]]:
        placed = self._placed.get(zoom)
        if placed is None:
            placed = self._place(zoom)
            if len(self._placed) >= self.ZOOMS_KEPT:
                del self._placed[next(iter(self._placed))]
            self._placed[zoom] = placed
        return placed

    def _place(self, zoom: float) -> list[tuple[SideLabel, float, float, str]]:
        height = self.geometry.height
        half, band = height / 2, max(height, 1.0)
        # Rectangles on screen (left, top, right, bottom, key), filed by band of screen
        # height: a new label is checked against its neighbours only.
        boxes: dict[int, list[tuple[float, float, float, float, str]]] = {}
        for left, top, right, bottom, key in self.geometry.boxes:
            rect = (left * zoom, top * zoom, right * zoom, bottom * zoom, key)
            for row in range(int(rect[1] // band), int(rect[3] // band) + 1):
                boxes.setdefault(row, []).append(rect)
        taken: dict[int, list[tuple[float, float, float, float, str]]] = {}
        placed = []
        for candidate in self._candidates:
            label, x, y, key = candidate
            left, top = x * zoom + GAP_PX, y * zoom - half
            right, bottom = left + label.width, top + height
            if _room_taken(left - SPACING_PX, top - SPACING_PX, right + SPACING_PX,
                           bottom + SPACING_PX, key, band, taken, boxes):
                continue
            placed.append(candidate)
            rect = (left, top, right, bottom, "")
            for row in range(int(top // band), int(bottom // band) + 1):
                taken.setdefault(row, []).append(rect)
        return placed


def _room_taken(left: float, top: float, right: float, bottom: float, own: str, band: float,
                taken: dict, boxes: dict) -> bool:
    """Whether the room (left, top, right, bottom) meets a placed label, or a box other than
    node ``own``'s (overlaps of positive area, as ``QRectF.intersects`` counts them)."""
    for row in range(int(top // band), int(bottom // band) + 1):
        for o_left, o_top, o_right, o_bottom, _key in taken.get(row, ()):
            if left < o_right and o_left < right and top < o_bottom and o_top < bottom:
                return True
        for o_left, o_top, o_right, o_bottom, key in boxes.get(row, ()):
            if left < o_right and o_left < right and top < o_bottom and o_top < bottom \
                    and key != own:
                return True
    return False


class _TextWidths:
    """``font``'s text widths as sums of its characters' advances, each character measured
    once per font for the life of the program.  Shaping a whole string costs Qt some
    microseconds, and an expanded ResNet-152 has 517 names to measure whenever its layout
    changes; without kerning (see :func:`label_fonts`) the sum is the painted width, or
    a little more where a ligature narrows a pair."""

    _advances: dict[str, dict[str, float]] = {}  # font key: character: advance

    def __init__(self, font: QFont) -> None:
        self.metrics = QFontMetricsF(font)
        self._advance = self._advances.setdefault(font.key(), {})

    def __call__(self, text: str) -> float:
        advance = self._advance
        try:
            return sum(advance[char] for char in text)
        except KeyError:
            for char in text:
                if char not in advance:
                    advance[char] = self.metrics.horizontalAdvance(char)
            return sum(advance[char] for char in text)


def _ends_first(keys: list[str]) -> list[str]:
    return [keys[0], keys[-1], *keys[1:-1]] if len(keys) > 1 else keys


def paint_labels(painter: QPainter, labels: list[tuple[SideLabel, QRectF]], pal) -> None:
    """Draw ``labels`` (each with its box in the painter's pixels) in ``pal``'s colours."""
    name_font, value_font = label_fonts()
    name_fm = QFontMetricsF(name_font)
    backing = QColor(pal.canvas)
    backing.setAlpha(225)
    edge = QColor(pal.border)
    for label, rect in labels:
        path = QPainterPath()
        path.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(edge)
        painter.setBrush(backing)
        painter.drawPath(path)
        text = rect.adjusted(PAD_X, 0, -PAD_X, 0)
        painter.setFont(name_font)
        painter.setPen(QColor(pal.muted if label.quiet else pal.text))
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         label.name)
        if label.value:
            painter.setFont(value_font)
            painter.setPen(QColor(pal.muted))
            painter.drawText(text.adjusted(name_fm.horizontalAdvance(label.name), 0, 0, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "  " + label.value)
