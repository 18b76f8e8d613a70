"""Names beside the boxes of a graph zoomed too far out for the boxes' own text.

Below :func:`~cnnviz.ui.arch.graph_items.text_zoom` a node is a flat coloured bar (ResNet-56
folded and fitted, the training lab's "Show in graph"); a reader must still be able to say
which bar is ``conv1`` and which is ``layer3.2``.  :func:`place_labels` puts each node's short
name, and the value it is coloured by (a gradient norm), in screen-size text to the right of
its bar, dropping labels that would cover one another or another node: the first and the last
measured node are labelled first, so the two ends of a fade are always named.

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
    """The name's font (the desktop font, semi-bold) and the value's (the desktop font)."""
    name, value = QFont(), QFont()
    name.setWeight(QFont.Weight.DemiBold)
    return name, value


def short_name(item: NodeItem, report) -> str:
    """What a reader calls a node: a block by its path ("layer2.1"), a layer by its module
    name ("conv1"), an operation between layers by its type."""
    if item.is_block:
        return item.key
    layer = report.layer(item.key)
    return layer.name or layer.type or item.key


def place_labels(scene, zoom: float, names: dict[str, str]) -> list[SideLabel]:
    """The labels of ``scene``'s nodes that fit at ``zoom`` without covering each other or
    another node, in screen pixels relative to their scene anchors.  ``names`` maps node
    keys to short names (a node without one gets no label); values come from each node's
    ``value_text``."""
    name_fm, value_fm = (QFontMetricsF(font) for font in label_fonts())
    height = max(name_fm.height(), value_fm.height()) + 2 * PAD_Y
    nodes = scene.nodes
    columns: dict[int, float] = {}  # a column of boxes: labels line up after its widest box
    for key, item in nodes.items():
        box = item.sceneBoundingRect()
        arc = scene.shortcuts.get(key)
        right = max(box.right(), arc.sceneBoundingRect().right()) if arc is not None \
            else box.right()
        column = round(box.center().x() / 10)
        columns[column] = max(columns.get(column, right), right)
    keys = [key for key in nodes if names.get(key)]
    if not keys:
        return []
    # Measured nodes before the rest, the two ends of each group first: where labels must be
    # dropped, the first and last measured layers (the two ends of a fade) keep theirs.
    measured = [key for key in keys if getattr(nodes[key], "value_text", "")]
    others = [key for key in keys if not getattr(nodes[key], "value_text", "")]
    order = [*_ends_first(measured), *_ends_first(others)]
    placed: list[SideLabel] = []
    taken = _Grid(height)  # placed labels, by band of screen height: checks stay local
    boxes = _Grid(height)  # every node's box on screen
    for key, item in nodes.items():
        box = item.sceneBoundingRect()
        boxes.add(QRectF(box.left() * zoom, box.top() * zoom, box.width() * zoom,
                         box.height() * zoom), key)
    for key in order:
        item = nodes[key]
        value = getattr(item, "value_text", "")
        width = name_fm.horizontalAdvance(names[key]) + 2 * PAD_X
        if value:
            width += value_fm.horizontalAdvance("  " + value)
        box = item.sceneBoundingRect()
        anchor = QPointF(columns[round(box.center().x() / 10)],
                         item.pos().y() + item.box().center().y())
        quiet = item.heat_state == "none"
        label = SideLabel(key, names[key], value, anchor, width, height, quiet)
        screen = label.rect_at(QPointF(anchor.x() * zoom, anchor.y() * zoom))
        room = screen.adjusted(-SPACING_PX, -SPACING_PX, SPACING_PX, SPACING_PX)
        if taken.hits(room) or boxes.hits(room, key):
            continue
        placed.append(label)
        taken.add(screen, key)
    return placed


class _Grid:
    """Rectangles filed by horizontal band, to ask cheaply whether a new one hits any."""

    def __init__(self, band: float) -> None:
        self.band = max(band, 1.0)
        self.rows: dict[int, list[tuple[QRectF, str]]] = {}

    def _span(self, rect: QRectF) -> range:
        return range(int(rect.top() // self.band), int(rect.bottom() // self.band) + 1)

    def add(self, rect: QRectF, key: str) -> None:
        for row in self._span(rect):
            self.rows.setdefault(row, []).append((rect, key))

    def hits(self, rect: QRectF, own: str | None = None) -> bool:
        """Whether ``rect`` meets a filed rectangle (other than those filed as ``own``)."""
        return any(rect.intersects(other) and key != own
                   for row in self._span(rect) for other, key in self.rows.get(row, ()))


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
