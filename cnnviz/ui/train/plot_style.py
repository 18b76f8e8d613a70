"""Shared look of the Train workspace's plots: model colours, themed axes, hover read-outs."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QToolTip

from cnnviz.ui.theme import Palette
from cnnviz.ui.train.log_axis import LogAxis

# First model warm, second cool: the plain network and its residual twin stay apart at a
# glance, also for the common colour-vision deficiencies (orange/blue, then purple/teal).
_LIGHT_COLORS = ("#e8590c", "#3563e9", "#9c36b5", "#0c8599", "#c2255c", "#5c940d")
_DARK_COLORS = ("#ff922b", "#74a0ff", "#da77f2", "#3bc9db", "#f06595", "#94d82d")

HEATMAP_COLORMAP = "viridis"


def model_color(index: int, pal: Palette) -> QColor:
    colors = _DARK_COLORS if pal.name == "dark" else _LIGHT_COLORS
    return QColor(colors[index % len(colors)])


def cache_axis(axis: pg.AxisItem) -> None:
    """Keep ``axis`` as a ready pixmap between its own changes.

    With the grid on, an axis covers its whole plot, so every new point of a curve repaints
    it; replaying its tick labels costs more than the curves themselves.  The cached pixmap
    is redrawn only when the axis changes (range, size, colours).
    """
    axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def set_own_range(plot: pg.PlotWidget, axis: str, low: float, high: float,
                  linked: Iterable[pg.PlotWidget] = ()) -> None:
    """Set the ``axis`` ("x" or "y") range of ``plot`` alone, not of the plots ``linked`` to
    it.

    Every plot that moves is redrawn whole, axes and all; moving linked plots together
    makes one long repaint of all of them.  The caller sets each linked plot in its own
    frame instead; the links still carry what the user does with the mouse.
    """
    others = [other.getPlotItem().vb for other in linked if other is not plot]
    for view in others:
        view.blockLink(True)
    try:
        setter = plot.setXRange if axis == "x" else plot.setYRange
        setter(low, high, padding=0.02)
    finally:
        for view in others:
            view.blockLink(False)


def fixed_text_space(axis: pg.AxisItem, widest: str = "0.0001") -> None:
    """Reserve the same room for ``axis``'s tick labels whatever they say (``widest`` is
    the widest label expected).

    pyqtgraph otherwise widens (or heightens) the axis to its longest label: a range change
    that turns "0.1" into "0.0001" re-lays out the whole plot and redraws it.
    """
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    axis.setStyle(autoExpandTextSpace=False,
                  tickTextWidth=metrics.horizontalAdvance(widest) + 2,
                  tickTextHeight=metrics.height())


def style_plot(plot: pg.PlotItem, pal: Palette) -> None:
    """Axes, grid and title in the theme's colours."""
    font = QFont()
    font.setPointSizeF(8.5)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        cache_axis(axis)
        axis.setPen(pg.mkPen(pal.border))
        axis.setTextPen(pg.mkPen(pal.muted))
        axis.setTickFont(font)
        fixed_text_space(axis)
        # "(x1e+12)" beside a log axis reads as nonsense; log ticks already say 10⁻¹².
        axis.enableAutoSIPrefix(False)
        label = axis.labelText
        if label:
            axis.setLabel(label, color=pal.muted)
    plot.showGrid(x=True, y=True, alpha=0.18 if pal.name == "light" else 0.12)
    plot._cnnviz_color = pal.text  # noqa: SLF001 - our own marker on a pyqtgraph object
    _show_title(plot)


def snapped(low: float, high: float, step: float, margin: float = 0.0) -> tuple[float, float]:
    """``(low, high)`` widened by ``margin`` and out to multiples of ``step``.

    A range that follows the data exactly changes at nearly every step early in a run, and
    each change re-lays out and redraws the axes; snapped to a grid it changes a handful of
    times a run.
    """
    return (math.floor((low - margin) / step) * step, math.ceil((high + margin) / step) * step)


#: Point size of a plot's title.
TITLE_PT = 9.5
#: Pixels of view box a plot keeps under its title and above its bottom axis, at least.
VIEW_MIN_PX = 40
#: The margin of a title's text inside its label, on each side (Qt's document margin).
TITLE_MARGIN_PX = 4


def title_row_px() -> int:
    """The height of a plot's title row: one line of its font.  pyqtgraph's own row is 30
    pixels whatever the font, a third of a small plot's room for its data."""
    font = QFont()
    font.setPointSizeF(TITLE_PT)
    return QFontMetrics(font).height() + 4


def titled(plot: pg.PlotItem, title: str, *shorter: str) -> None:
    """Give ``plot`` a title that :func:`style_plot` re-colours with the theme; ``shorter``
    forms of it stand in where the plot is too narrow for it (see :func:`fit_words`)."""
    plot._cnnviz_titles = (title, *shorter)  # noqa: SLF001 - our own marker
    plot._cnnviz_title = title  # noqa: SLF001 - the form on screen ("" for none)
    _show_title(plot)


def bottom_label(plot: pg.PlotItem, label: str, *shorter: str) -> None:
    """Title the bottom axis ``label``; ``shorter`` forms stand in where the plot is too
    narrow for it (see :func:`fit_words`)."""
    axis = plot.getAxis("bottom")
    axis._cnnviz_labels = (label, *shorter)  # noqa: SLF001 - our own marker
    plot.setLabel("bottom", label)


def title_width(text: str) -> int:
    """The width a title of ``text`` takes, its label's margins included."""
    font = QFont()
    font.setPointSizeF(TITLE_PT)
    return QFontMetrics(font).horizontalAdvance(text) + 2 * TITLE_MARGIN_PX + 2


def fit_words(widget: pg.PlotWidget) -> None:
    """Show the plot's title and its bottom axis's title in the longest of their forms
    that fits the plot's width (the title not at all when none fits).  Call it when the
    plot's width changes.

    pyqtgraph lays a plot out at least as wide as its title: a title wider than its widget
    pushes the plot's right part, axis titles and all, out of sight.
    """
    item = widget.getPlotItem()
    item.layout.activate()
    # The title and the bottom axis sit over the data's column.  A title too wide for it
    # widens the whole plot beyond the widget, by as much as it is too wide: the excess is
    # taken off, so the room measured is the same whichever form is on screen.
    room = item.vb.width() - max(0.0, item.width() - widget.viewport().width())
    titles = getattr(item, "_cnnviz_titles", ())
    if titles:
        title = next((t for t in titles if title_width(t) <= room), "")
        if title != item._cnnviz_title:  # noqa: SLF001 - our own marker
            item._cnnviz_title = title  # noqa: SLF001
            _show_title(item)
            # Laid out again now: a plot widened by a longer title would otherwise stay that
            # wide, and one whose title came back would draw it in the row it had before.
            item.layout.invalidate()
            item.layout.activate()
            item.setGeometry(widget.range)
    axis = item.getAxis("bottom")
    labels = getattr(axis, "_cnnviz_labels", ())
    if labels:
        metrics = QFontMetrics(axis.label.font())
        label = next((t for t in labels if metrics.horizontalAdvance(t) + 4 <= room),
                     labels[-1])
        if label != axis.labelText:
            axis.setLabel(label)


def show_title(plot: pg.PlotItem, shown: bool) -> None:
    """Show or hide the title :func:`titled` gave ``plot`` (hidden, its row takes no room)."""
    if shown != getattr(plot, "_cnnviz_title_shown", True):
        plot._cnnviz_title_shown = shown  # noqa: SLF001 - our own marker
        _show_title(plot)


def _show_title(plot: pg.PlotItem) -> None:
    if not getattr(plot, "_cnnviz_titles", ()):
        return
    title = plot._cnnviz_title  # noqa: SLF001 - our own marker
    if not title or not getattr(plot, "_cnnviz_title_shown", True):
        plot.titleLabel.setText("")  # a hidden title's text would still widen the plot
        plot.setTitle(None)
        # Half a tick label of room above the data: the top label is drawn whole.
        plot.layout.setRowFixedHeight(0, math.ceil(title_row_px() / 2))
        return
    color = getattr(plot, "_cnnviz_color", None)
    plot.setTitle(title, size=f"{TITLE_PT}pt", **({"color": color} if color else {}))
    row = title_row_px()
    plot.titleLabel.setMaximumHeight(row)
    plot.layout.setRowFixedHeight(0, row)


def minimum_plot_height(plot: pg.PlotWidget, *side_axes: pg.AxisItem) -> int:
    """The least height ``plot`` needs for its title (if shown), its axes' labels and
    :data:`VIEW_MIN_PX` of data, as it is laid out now.  A vertical axis's title is centred
    on the data's height: the data get at least its length (of the left axis and of
    ``side_axes``, a colour bar's, say), so it is never drawn over the title or cut."""
    item = plot.getPlotItem()
    item.layout.activate()
    least = item.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()
    view = VIEW_MIN_PX
    for axis in (item.getAxis("left"), *side_axes):
        if axis.labelText and axis.label.isVisible():
            margin = axis.label.document().documentMargin()
            view = max(view, axis.label.boundingRect().width() - 2 * margin + 4)
    return math.ceil(least + view) + 2 * plot.frameWidth()


def plot_options(log_y: bool = False) -> dict:
    """Keyword arguments for a ``pg.PlotWidget`` of this workspace: no context menus (built
    and then thrown away, pyqtgraph's view menu is half of a plot's construction time) and,
    with ``log_y``, a :class:`LogAxis` on the left."""
    options: dict = {"enableMenu": False}
    if log_y:
        options["axisItems"] = {"left": LogAxis("left")}
    return options


def new_plot_widget(pal: Palette, log_y: bool = False) -> pg.PlotWidget:
    """A PlotWidget without the bits a student does not need (the "A" button, the menus);
    ``log_y`` makes its y axis logarithmic, labelled by :class:`LogAxis`."""
    widget = pg.PlotWidget(background=pal.surface, **plot_options(log_y))
    widget.hideButtons()
    if log_y:
        widget.getPlotItem().setLogMode(y=True)
    return widget


def format_norm(value: float) -> str:
    if not math.isfinite(value):
        return "frozen" if math.isnan(value) else "∞"
    return f"{value:.3g}"


class Hover:
    """Shows a tooltip with what lies under the mouse in a plot.

    ``describe(x, y)`` gets view coordinates (for a log axis, the log10 of the value) and
    returns the text to show, or ``None`` over empty space.  The last text is kept in
    :attr:`text` (tests read it; the tooltip itself needs a real screen).
    """

    def __init__(self, widget: pg.PlotWidget, describe: Callable[[float, float], str | None]):
        self.widget = widget
        self.describe = describe
        self.text: str | None = None
        widget.scene().sigMouseMoved.connect(self._moved)

    def _moved(self, scene_pos: QPointF) -> None:
        vb = self.widget.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            self.text = None
            QToolTip.hideText()
            return
        point = vb.mapSceneToView(scene_pos)
        self.text = self.describe(point.x(), point.y())
        if self.text:
            view_pos = self.widget.mapFromScene(scene_pos)
            QToolTip.showText(self.widget.mapToGlobal(view_pos), self.text, self.widget)
        else:
            QToolTip.hideText()

    def hover_at(self, x: float, y: float) -> str | None:
        """What hovering the view point (x, y) shows (for tests and keyboard users)."""
        vb = self.widget.getPlotItem().vb
        self._moved(vb.mapViewToScene(QPointF(x, y)))
        return self.text


def mix(color: QColor, background: QColor, amount: float) -> QColor:
    """``color`` laid over ``background`` at opacity ``amount`` (0..1), as one opaque colour."""
    fore, back = QColor(color), QColor(background)
    return QColor(*(round(amount * f + (1 - amount) * b) for f, b in
                    ((fore.red(), back.red()), (fore.green(), back.green()),
                     (fore.blue(), back.blue()))))


def pen(color: QColor, width: float = 2.0, alpha: int = 255,
        style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> pg.QtGui.QPen:
    c = QColor(color)
    c.setAlpha(alpha)
    p = pg.mkPen(c, width=width, style=style)
    p.setCosmetic(True)
    return p
