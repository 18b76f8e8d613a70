"""Shared look of the Train workspace's plots: model colours, themed axes, hover read-outs."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QToolTip

from cnnviz.ui.theme import Palette

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


class LogAxis(pg.AxisItem):
    """An axis for a logarithmic scale whose labels never crowd.

    pyqtgraph labels every multiple 2..9 of each decade once the range is under about three
    decades; on a small plot they pile up on one another near each decade.  This axis
    measures the room a label needs (its tick font) against the pixels per decade and labels
    the decades (every one, or every 2nd, 3rd, 5th, 10th... when even they do not fit), then, of
    the sets of multiples in :attr:`MINOR_SETS`, the one that puts the most labels in range
    with a label's room between any two.  Multiples left unlabelled keep their tick (and
    grid line) where a decade is tall enough for them to read as a scale, not as a smear.

    Meant for axes that stay logarithmic: it turns pyqtgraph's own crowding rule off, since
    the labels it keeps already fit.

    One axis speaks one style: plain numbers ("0.001", "20") while every label can be one,
    else powers of ten for all ("10⁻³" beside "10⁻⁶", never "0.001" beside "10⁻⁶").  A range
    too short for two such labels (a depth profile between 0.6 and 1.5) gets "0.5" and "2",
    or plain numbers at an even linear step, instead of a lone "1".
    """

    #: Multiples of a decade that may be labelled together, richest first.
    MINOR_SETS = ((2, 3, 4, 5, 6, 7, 8, 9), (2, 3, 4, 5, 6, 8), (2, 4, 6, 8), (2, 3, 5),
                  (2, 5), (3,), (5,), (2,))
    #: Pixels a decade needs before its unlabelled multiples get ticks.
    MINOR_TICK_PX = 40.0
    #: Pixels kept free between two labels.
    GAP_PX = 3.0
    #: Pixels between two unlabelled decades below which they get no tick (a smear).
    MIN_TICK_GAP_PX = 4.0

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.setStyle(maxTextLevel=1, textFillLimits=[(0, 1.0)])

    def label_room(self) -> float:
        """Pixels one label needs along the axis, the gap included."""
        metrics = QFontMetrics(self.style["tickFont"] or QFont())
        if self.orientation in ("left", "right"):
            return metrics.height() + self.GAP_PX
        return metrics.horizontalAdvance("5·10⁻¹⁰") + 2 * self.GAP_PX

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802 - pyqtgraph's
        """Levels (spacing, values): labelled decades, labelled multiples, unlabelled ticks."""
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        low, high = sorted((minVal * self.scale, maxVal * self.scale))
        if high - low <= 0 or size <= 0:
            return []
        per_decade = size / (high - low)
        room = self.label_room() / per_decade  # in decades
        step = _decade_step(room)
        labelled = [float(d) for d in range(math.ceil(low / step) * step, math.floor(high) + 1,
                                            step)]
        plain: list[float] = []
        if step > 1 and per_decade >= self.MIN_TICK_GAP_PX:
            plain = [float(d) for d in range(math.ceil(low), math.floor(high) + 1)
                     if d % step]
        # Multiples only when every decade has its label (so a decade is a few labels tall).
        multiples = [(d + math.log10(m), m) for d in range(math.floor(low), math.ceil(high))
                     for m in range(2, 10)
                     if low < d + math.log10(m) < high] if step == 1 else []
        chosen: tuple[int, ...] = ()
        best = len(labelled)
        for candidate in self.MINOR_SETS if multiples else ():
            marks = sorted(labelled + [v for v, m in multiples if m in candidate])
            if len(marks) > best and all(b - a >= room for a, b in zip(marks, marks[1:])):
                chosen, best = candidate, len(marks)
        minors = [v for v, m in multiples if m in chosen]
        if per_decade >= self.MINOR_TICK_PX:
            plain += [v for v, m in multiples if m not in chosen]
        # A label whose centre is within half a label of an end is clipped or dropped when
        # drawn: count only those well inside, and label the inside when they are too few.
        half = room / 2
        inner = (low + half, high - half)
        if sum(inner[0] <= v <= inner[1] for v in labelled + minors) < 2:
            even = _round_ticks(*inner, room) or _even_ticks(*inner, room)
            if len(even) >= 2:
                labelled, minors = even, []
                plain = [v for v in plain if min(abs(v - e) for e in even) >= room]
        scale = self.scale
        return [(float(step) / scale, [v / scale for v in labelled]),
                (None, [v / scale for v in minors]),
                (None, [v / scale for v in plain])]

    def tickStrings(self, values, scale: float, spacing):  # noqa: N802 - pyqtgraph's
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return self._axis_labels([v * scale for v in values])

    def _axis_labels(self, exponents: list[float]) -> list[str]:
        # pyqtgraph asks per level; the style must hold across levels, so it is decided on
        # every value the axis labels now (kept by tickValues via generateDrawSpecs).
        everything = getattr(self, "_labelled_now", None) or exponents
        powers = any(not _plain_decade(e) for e in everything)
        return [log_label(e, powers=powers) for e in exponents]

    def generateDrawSpecs(self, p):  # noqa: N802 - pyqtgraph's
        # Every labelled value of the coming draw, so tickStrings picks one style for all.
        if self.logMode:
            low, high = self.range
            levels = self.tickValues(low, high, self._axis_length())
            self._labelled_now = [v * self.scale for spacing, values in levels[:2]
                                  for v in values]
        try:
            return super().generateDrawSpecs(p)
        finally:
            self._labelled_now = None

    def _axis_length(self) -> float:
        rect = self.mapRectFromParent(self.geometry())
        return rect.height() if self.orientation in ("left", "right") else rect.width()


def _decade_step(room: float) -> int:
    """The smallest of 1, 2, 3, 5, 10, 20, 30, 50, 100... decades that is at least ``room``."""
    power = 1
    while True:
        for multiple in (1, 2, 3, 5):
            if multiple * power >= room:
                return multiple * power
        power *= 10


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _round_ticks(low: float, high: float, room: float) -> list[float]:
    """log10 of 1, 2 and 5 times powers of ten in range, taken from the bottom up while a
    label's ``room`` (in decades) apart: "0.5" and "2" where the decade alone gives "1"."""
    candidates = sorted(d + math.log10(m) for d in range(math.floor(low), math.ceil(high) + 1)
                        for m in (1, 2, 5) if low <= d + math.log10(m) <= high)
    chosen: list[float] = []
    for value in candidates:
        if not chosen or value - chosen[-1] >= room:
            chosen.append(value)
    return chosen if len(chosen) >= 2 else []


def _even_ticks(low: float, high: float, room: float) -> list[float]:
    """log10 of multiples of a round step (1, 2 or 5 times a power of ten) between
    10**``low`` and 10**``high``, taken from the bottom up while at least ``room`` decades
    apart: the labels of a range under a decade.  The coarsest step that gives two wins."""
    first, last = 10.0 ** low, 10.0 ** high
    if not (math.isfinite(last - first) and last > first > 0):
        return []
    top = math.floor(math.log10(last - first))
    for power in range(top, top - 3, -1):
        for multiple in (5, 2, 1):
            step = multiple * 10.0 ** power
            chosen: list[float] = []
            for k in range(math.ceil(first / step), math.floor(last / step) + 1):
                value = math.log10(k * step)
                if not chosen or value - chosen[-1] >= room:
                    chosen.append(value)
            if len(chosen) >= 2:
                return chosen
    return []


def _plain_decade(exponent: float) -> bool:
    """Whether 10**``exponent`` reads well as a plain number ("0.0001" to "9000")."""
    return -4 <= math.floor(exponent + 1e-9) <= 3


def log_label(exponent: float, powers: bool = False) -> str:
    """The label of a log axis at 10**``exponent``: "30", "0.002" while short, "10⁻⁵" and
    "2·10⁻⁵" beyond (and always, with ``powers``).  pyqtgraph writes "3·10¹" for 30; a
    student reads "30" faster.  A value between multiples ("1.2") is written as it is.

    Takes the exponent, not the value: 10**-400 is 0.0 as a float, yet still a decade a
    vanishing gradient can reach.
    """
    decade = math.floor(exponent + 1e-9)
    exact = 10 ** (exponent - decade)
    mantissa = round(exact)
    if abs(exact - mantissa) > 1e-6 * exact:  # an even tick of a short range
        return f"{10 ** exponent:.3g}"
    if mantissa == 10:
        decade, mantissa = decade + 1, 1
    if -4 <= decade <= 3 and not powers:
        return f"{mantissa * 10.0**decade:.{max(0, -decade)}f}"
    power = f"10{str(decade).translate(_SUPERSCRIPT)}"
    return power if mantissa == 1 else f"{mantissa}·{power}"


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
    title = getattr(plot, "_cnnviz_title", "")
    if title:
        plot.setTitle(title, color=pal.text, size="9.5pt")


def snapped(low: float, high: float, step: float, margin: float = 0.0) -> tuple[float, float]:
    """``(low, high)`` widened by ``margin`` and out to multiples of ``step``.

    A range that follows the data exactly changes at nearly every step early in a run, and
    each change re-lays out and redraws the axes; snapped to a grid it changes a handful of
    times a run.
    """
    return (math.floor((low - margin) / step) * step, math.ceil((high + margin) / step) * step)


def titled(plot: pg.PlotItem, title: str) -> None:
    """Give ``plot`` a title that :func:`style_plot` re-colours with the theme."""
    plot._cnnviz_title = title  # noqa: SLF001 - our own marker on a pyqtgraph object
    plot.setTitle(title, size="9.5pt")


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
