"""Where a new graph first opens: its zoom and the scene point at the centre of the view.

A graph that fits at a readable zoom opens whole; a longer one opens at its top, or, in a
view too short for more than a few boxes, where the network's structure begins (the first
Inception fan or residual block), since the stem above it is the same in every network.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QPointF, QRectF, QSize

START_ZOOM = 1.0  # a new graph opens at 100 % where it fits across, never above
START_MARGIN = 2  # scene pixels above the input in a new graph's first view
# A view shorter than this (a laptop screen) opens a long graph at the readable zoom instead:
# there a longer stretch of the network is worth more than larger boxes.
SHORT_VIEW = 520
# A view shorter still (a 1280 x 720 window: under five boxes at the readable zoom) opens a
# long graph where its structure begins, not on the stem above it (see structure_start).
STRUCTURE_VIEW = 450


def start_view(scene, view: QSize, readable: float) -> tuple[float, QPointF] | None:
    """The zoom and the scene point to centre for the first view of ``scene``'s graph in a
    viewport of size ``view``, ``readable`` being the zoom where labels are still drawn; None
    for an empty scene.

    Whole when it fits at ``readable``; else its top, at 100 % where the graph fits across
    and at ``readable`` at least, centred on the input when it is wider still.  A view under
    :data:`SHORT_VIEW` pixels opens at ``readable``; one under :data:`STRUCTURE_VIEW`
    pixels also opens where the network's structure begins (:func:`structure_start`).
    """
    # A narrow margin above the input: on a laptop screen each pixel of height shows more
    # of the network.
    rect = scene.itemsBoundingRect().adjusted(-20, -START_MARGIN, 20, 20)
    if rect.isEmpty():
        return None
    fit = min(view.width() / rect.width(), view.height() / rect.height())
    if fit >= readable:
        zoom = min(fit, START_ZOOM)
    else:
        start = readable if view.height() < SHORT_VIEW else START_ZOOM
        zoom = max(readable, min(start, view.width() / rect.width()))
    half_w, half_h = view.width() / 2 / zoom, view.height() / 2 / zoom
    node = structure_start(scene) if view.height() < STRUCTURE_VIEW and fit < readable else None
    if node is not None:
        return zoom, _at_structure(scene, rect, node, half_w, half_h)
    return zoom, _at_top(scene, rect, half_w, half_h)


def structure_start(scene):
    """The highest node of ``scene`` where the network stops being a plain chain: the first
    that branches (two or more edges leave it: an Inception fan, a residual fork) or the first
    collapsed block; None for a plain chain of layers (LeNet, VGG)."""
    leaving = Counter(edge.source for edge in scene.edges)
    marks = [node for key, node in scene.nodes.items() if node.is_block or leaving[key] > 1]
    return min(marks, key=lambda node: node.scene_box[1], default=None)


def top_center(scene, rect: QRectF, view: QSize, zoom: float) -> QPointF:
    """The scene point to centre so that ``rect`` (``scene``'s graph) is seen from its top
    at ``zoom`` in a viewport of size ``view``: its middle where it fits, else its top across
    the input node."""
    return _at_top(scene, rect, view.width() / 2 / zoom, view.height() / 2 / zoom)


def _at_top(scene, rect: QRectF, half_w: float, half_h: float) -> QPointF:
    x, y = rect.center().x(), rect.center().y()
    if rect.height() > 2 * half_h:
        y = rect.top() + half_h
    if rect.width() > 2 * half_w:
        first = next(iter(scene.nodes.values()), None)
        x = first.sceneBoundingRect().center().x() if first is not None else x
        x = max(rect.left() + half_w, min(rect.right() - half_w, x))
    return QPointF(x, y)


def _at_structure(scene, rect: QRectF, node, half_w: float, half_h: float) -> QPointF:
    """``node`` about a quarter down the view, with what follows it below, centred across on
    it.  The view's top edge falls just above a box, never through one, and the view never
    shows empty canvas above the graph or beside it."""
    box = node.sceneBoundingRect()
    wanted = box.top() - half_h / 2
    tops = (other.sceneBoundingRect().top() for other in scene.nodes.values())
    top = min((t for t in tops if t >= wanted), default=box.top()) - START_MARGIN
    y = max(rect.top() + half_h, min(rect.bottom() - half_h, top + half_h))
    if rect.width() > 2 * half_w:
        x = max(rect.left() + half_w, min(rect.right() - half_w, box.center().x()))
    else:
        x = rect.center().x()
    return QPointF(x, y)
