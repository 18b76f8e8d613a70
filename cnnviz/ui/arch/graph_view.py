"""The layer graph: smooth zoom (wheel, pinch, animated steps), pan, fit, minimap, selection."""

from __future__ import annotations

from PySide6.QtCore import (
    QEasingCurve, QEvent, QPoint, QPointF, QRectF, Qt, QVariantAnimation, Signal,
)
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel, QMenu

from cnnviz.ui.arch.busy_pill import BusyPill
from cnnviz.ui.arch.gradient_legend import GradientLegend
from cnnviz.ui.arch.graph_start import start_view, top_center
from cnnviz.ui.arch.graph_items import readable_zoom, text_zoom
from cnnviz.ui.arch.graph_scene import GraphScene
from cnnviz.ui.arch.minimap import Minimap
from cnnviz.ui.arch.side_labels import LabelGeometry, LabelPlan, SideLabel, paint_labels
from cnnviz.ui.theme import palette, theme_manager

MIN_ZOOM, MAX_ZOOM = 0.04, 4.0
STEP = 1.25
# "Fit to window" on a graph of layers never goes below this: node titles are about 8 px tall
# here.  A graph that needs less is shown from its top, to scroll (wheel, drag, minimap) from
# there.
FIT_MIN_ZOOM = 0.6
# An overview (collapsed blocks make up a third of the boxes or more) is read by its boxes'
# colours and shortcut arcs, not by their labels (those are in tooltips and the details): it
# fits whole as long as every box stays this many pixels tall, so a deep network's fade
# across depth is seen at once.
OVERVIEW_BOX_MIN_PX = 5.0
FIT_MAX_ZOOM = 1.5


class GraphView(QGraphicsView):
    """Shows a :class:`GraphScene`; ``selection_changed`` carries the selected node key or None.

    ``context_menu_requested(menu, key)`` lets the owner add entries to the right-click menu
    before it opens (``key`` is the node under the mouse, or None).
    """

    selection_changed = Signal(object)
    view_changed = Signal()
    context_menu_requested = Signal(QMenu, object)
    busy_cancelled = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.graph_scene = GraphScene(self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Panning is by drag, wheel and the minimap; scroll bars would only take room.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.minimap = Minimap(self)
        self.legend = GradientLegend(self)  # shown while nodes are coloured by gradient norm
        self._placeholder = QLabel(self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setProperty("role", "muted")
        self._placeholder.setWordWrap(True)
        self._busy = BusyPill(self)
        self._busy.cancelled.connect(self._busy_cancel_pressed)
        self._anim = QVariantAnimation(self)
        self._anim.setDuration(170)
        self._anim.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._anim.valueChanged.connect(self._animate_zoom)
        self._anim.finished.connect(self.viewport().update)  # the labels beside far boxes
        self._anim_center: QPointF | None = None
        self._text_zoom = text_zoom()  # as the nodes are built with the desktop font now
        # The side labels, measured for the scene's layout_revision and revision they name.
        self._label_geometry: tuple[int, LabelGeometry] | None = None
        self._plan: tuple[int, LabelPlan] | None = None
        self.graph_scene.selectionChanged.connect(self._scene_selection_changed)
        self.horizontalScrollBar().valueChanged.connect(self._viewport_moved)
        self.verticalScrollBar().valueChanged.connect(self._viewport_moved)
        theme_manager().changed.connect(self._retheme)
        self._retheme(palette())
        self.set_placeholder("Pick an architecture from the catalog to see its layers.")

    # ------------------------------------------------------------- contents
    def show_graph(self, report, layout, frames: set[str], shade: str, fresh: bool = True) -> None:
        """Draw ``layout``.  ``fresh`` starts from the default view of a new graph; otherwise
        the zoom and scroll position are kept (see :meth:`align` to hold a node still)."""
        self.graph_scene.blockSignals(True)
        self.graph_scene.populate(report, layout, frames, shade)
        self._text_zoom = text_zoom()
        self.graph_scene.blockSignals(False)
        self._placeholder.hide()
        if fresh:
            self.show_start()
        self.minimap.refresh()
        self.selection_changed.emit(None)
        self.view_changed.emit()

    def view_point_of(self, key: str) -> QPoint | None:
        """Where node ``key``'s top-left corner is on screen (None when not drawn)."""
        item = self.graph_scene.nodes.get(key) or self.graph_scene.frames.get(key)
        if item is None:
            return None
        return self.mapFromScene(item.sceneBoundingRect().topLeft())

    def align(self, key: str, view_point: QPoint) -> None:
        """Scroll so that node ``key``'s top-left corner lands on ``view_point``."""
        now = self.view_point_of(key)
        if now is None:
            return
        delta = now - view_point
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + delta.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + delta.y())

    def clear_graph(self, message: str) -> None:
        self.graph_scene.clear()
        self.graph_scene.nodes.clear()
        self.graph_scene.edges.clear()
        self.graph_scene.frames.clear()
        self.graph_scene.shortcuts.clear()
        self.minimap.refresh()
        self.legend.hide_scale()
        self.set_placeholder(message)

    def set_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)
        self._placeholder.setGeometry(self.viewport().geometry().adjusted(40, 40, -40, -40))
        self._placeholder.setVisible(not self.graph_scene.nodes and self._busy.isHidden())

    def set_busy(self, text: str | None, cancellable: bool = False) -> None:
        """Show a "working" pill over the graph (None hides it); the graph stays usable.
        ``cancellable`` adds a Cancel button to the pill, which emits ``busy_cancelled``
        (the owner drops the work's result; the pill hides).  The placeholder text waits
        while the pill shows: one state message at a time."""
        if not text:
            self._busy.hide()
            self._placeholder.setVisible(not self.graph_scene.nodes)
            return
        self._placeholder.hide()
        self._busy.show_text(text, cancellable)
        self._place_busy()

    def _busy_cancel_pressed(self) -> None:
        self.set_busy(None)
        self.busy_cancelled.emit()

    def busy_pill(self) -> BusyPill:
        """The pill :meth:`set_busy` shows (for tests and screenshots)."""
        return self._busy

    def shown_messages(self) -> list[str]:
        """The state messages shown over the graph now: the "working" pill's and the
        placeholder's texts (at most one of them at a time)."""
        return [label.text() for label in (self._busy, self._placeholder)
                if not label.isHidden() and label.text()]

    def _place_busy(self) -> None:
        vp = self.viewport().geometry()
        self._busy.move(vp.center().x() - self._busy.width() // 2, vp.top() + 16)

    def reserve_bottom(self, height: int) -> None:
        """Keep ``height`` pixels under the graph free (for the gradient legend)."""
        self.setViewportMargins(0, 0, 0, height)
        self.minimap.reposition()
        self._placeholder.setGeometry(self.viewport().geometry().adjusted(40, 40, -40, -40))

    def set_shade(self, report, shade: str) -> None:
        self.graph_scene.set_shade(report, shade)
        self.minimap.refresh()

    # ------------------------------------------------------------ selection
    def selected_key(self) -> str | None:
        items = [i for i in self.graph_scene.selectedItems() if hasattr(i, "key")]
        return items[0].key if items else None

    def select_key(self, key: str | None, center: bool = True) -> None:
        """Select the node ``key`` (None clears) without echoing ``selection_changed``."""
        self.graph_scene.blockSignals(True)
        self.graph_scene.clearSelection()
        item = self.graph_scene.nodes.get(key) if key else None
        if item is not None:
            item.setSelected(True)
            if center:
                self.ensureVisible(item, 60, 60)
        self.graph_scene.blockSignals(False)
        self.viewport().update()

    def _scene_selection_changed(self) -> None:
        self.selection_changed.emit(self.selected_key())

    # ----------------------------------------------------------- zoom & pan
    def zoom(self) -> float:
        return self.transform().m11()

    def _set_zoom(self, value: float) -> None:
        value = max(MIN_ZOOM, min(MAX_ZOOM, value))
        factor = value / self.zoom()
        if abs(factor - 1.0) > 1e-6:
            self.scale(factor, factor)
        self._viewport_moved()

    def zoom_to(self, value: float, animated: bool = True, center: QPointF | None = None) -> None:
        """Zoom to ``value`` about the view's centre, or with scene point ``center`` kept in
        the middle of the view throughout."""
        value = max(MIN_ZOOM, min(MAX_ZOOM, value))
        self._anim.stop()
        self._anim_center = center
        if not animated:
            anchor = self.transformationAnchor()
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self._animate_zoom(value)
            self.setTransformationAnchor(anchor)
            return
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self._anim.setStartValue(self.zoom())
        self._anim.setEndValue(value)
        self._anim.finished.connect(self._restore_anchor)
        self._anim.start()

    def _animate_zoom(self, value) -> None:
        self._set_zoom(float(value))
        if self._anim_center is not None:
            self.centerOn(self._anim_center)

    def _restore_anchor(self) -> None:
        self._anim.finished.disconnect(self._restore_anchor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)

    def zoom_in(self) -> None:
        self.zoom_to(self._target() * STEP)

    def zoom_out(self) -> None:
        self.zoom_to(self._target() / STEP)

    def _target(self) -> float:
        running = self._anim.state() == QVariantAnimation.State.Running
        return float(self._anim.endValue()) if running else self.zoom()

    def is_overview(self) -> bool:
        """Whether the graph is an overview: collapsed blocks are a third of its boxes or
        more (ResNet-56 folded into its 27 blocks; not a graph of layers with one block
        folded)."""
        nodes = self.graph_scene.nodes.values()
        blocks = sum(1 for node in nodes if node.is_block)
        return blocks > 0 and 3 * blocks >= len(nodes)

    def fit_floor(self) -> float:
        """The smallest zoom "Fit to window" uses: :data:`FIT_MIN_ZOOM` for a graph of
        layers, lower for an overview (see :data:`OVERVIEW_BOX_MIN_PX`)."""
        if not self.is_overview():
            return FIT_MIN_ZOOM
        box = min(node.box().height() for node in self.graph_scene.nodes.values())
        return max(MIN_ZOOM, min(FIT_MIN_ZOOM, OVERVIEW_BOX_MIN_PX / max(box, 1.0)))

    def fit_view(self, animated: bool = True, floor: float | None = None) -> None:
        """Fit the whole graph into the view, at :meth:`fit_floor` (or ``floor``) or more: a
        graph too long for that is shown from its top."""
        rect = self.graph_scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        if rect.isEmpty():
            return
        vp = self.viewport().rect()
        fit = min(vp.width() / rect.width(), vp.height() / rect.height(), FIT_MAX_ZOOM)
        zoom = max(fit, self.fit_floor() if floor is None else floor)
        self.zoom_to(zoom, animated=animated, center=top_center(self.graph_scene, rect, vp.size(), zoom))

    def shows_whole_graph(self) -> bool:
        """Whether every box of the graph lies inside the viewport."""
        seen = self.mapToScene(self.viewport().rect()).boundingRect().adjusted(-1, -1, 1, 1)
        return all(seen.contains(node.mapRectToScene(node.box()))
                   for node in self.graph_scene.nodes.values())

    def show_start(self) -> None:
        """The first view of a new graph (see :func:`~cnnviz.ui.arch.graph_start.start_view`):
        whole when it fits at a readable zoom, else from its top, or in a short view from
        where the network's structure begins."""
        start = start_view(self.graph_scene, self.viewport().size(), readable_zoom())
        if start is not None:
            self.zoom_to(start[0], animated=False, center=start[1])

    def wheelEvent(self, event) -> None:
        # A trackpad's two-finger scroll pans; a mouse wheel (or Ctrl + scroll) zooms.
        if not event.pixelDelta().isNull() and not (event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            super().wheelEvent(event)
            return
        self._anim.stop()
        steps = event.angleDelta().y() / 120.0
        if steps:
            self._set_zoom(self.zoom() * (1.0 + 0.15) ** steps)
        event.accept()

    def viewportEvent(self, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.NativeGesture and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
            self._set_zoom(self.zoom() * (1.0 + event.value()))
            return True
        if kind == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if pinch is not None:
                self._set_zoom(self.zoom() * pinch.scaleFactor())
                return True
        return super().viewportEvent(event)

    def _viewport_moved(self, *_args) -> None:
        self.minimap.update_visibility()
        self.minimap.update()
        self.view_changed.emit()

    # ----------------------------------------------------------------- misc
    def contextMenuEvent(self, event) -> None:
        item = self.itemAt(event.pos())
        key = getattr(item, "key", None)
        if key is not None and not item.isSelected():
            self.graph_scene.clearSelection()
            item.setSelected(True)
        menu = QMenu(self)
        self.context_menu_requested.emit(menu, key)
        if not menu.isEmpty():
            menu.exec(event.globalPos())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.minimap.view_resized()
        self.minimap.update_visibility()
        self.legend.reposition()
        self._placeholder.setGeometry(self.viewport().geometry().adjusted(40, 40, -40, -40))
        self._place_busy()

    def side_labels(self) -> list[tuple[SideLabel, QRectF]]:
        """The labels drawn beside the boxes on screen (see :mod:`cnnviz.ui.arch.side_labels`),
        each with its box in viewport pixels: none while the boxes are large enough to show
        their own text (zoom at :func:`~cnnviz.ui.arch.graph_items.text_zoom` or more) or
        while an animated zoom runs."""
        zoom = self.zoom()
        zooming = self._anim.state() == QVariantAnimation.State.Running
        if zoom >= self._text_zoom or not self.graph_scene.nodes or zooming:
            return []  # placed once an animated zoom settles (its end repaints)
        scene = self.graph_scene
        if self._label_geometry is None or self._label_geometry[0] != scene.layout_revision:
            self._label_geometry = (scene.layout_revision, LabelGeometry(scene, scene.names))
        if self._plan is None or self._plan[0] != scene.revision:
            previous = self._plan[1] if self._plan is not None else None
            self._plan = (scene.revision,
                          LabelPlan(self._label_geometry[1], scene.nodes, previous))
        to_view = self.viewportTransform()  # a scale by the zoom and a shift
        return self._plan[1].on_screen(zoom, to_view.dx(), to_view.dy(),
                                       self.viewport().width(), self.viewport().height())

    def drawForeground(self, painter: QPainter, rect) -> None:
        exposed = self.mapFromScene(rect).boundingRect()
        labels = [(label, box) for label, box in self.side_labels() if box.intersects(exposed)]
        if not labels:
            return
        painter.save()
        painter.resetTransform()  # screen-size text, whatever the zoom
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        paint_labels(painter, labels, palette())
        painter.restore()

    def drawBackground(self, painter: QPainter, rect) -> None:
        # The dot grid is tiled in device pixels: a scaled, smoothed brush costs a third of
        # each frame on a big graph, an untransformed blit almost nothing.
        painter.save()
        painter.resetTransform()
        origin = self.mapFromScene(0, 0)
        area = self.viewport().rect()
        painter.drawTiledPixmap(area, self._tile, QPoint(-origin.x() % 24, -origin.y() % 24))
        painter.restore()

    def _retheme(self, pal) -> None:
        self._tile = QPixmap(24, 24)
        self._tile.fill(QColor(pal.canvas))
        painter = QPainter(self._tile)
        painter.setPen(QColor(pal.grid).darker(118 if pal.name == "light" else 90))
        painter.drawPoint(12, 12)
        painter.end()
        self.viewport().update()
        if self.graph_scene.nodes:
            self.minimap.refresh()
