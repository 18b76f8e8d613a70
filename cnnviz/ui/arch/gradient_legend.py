"""The colour bar that explains a graph coloured by gradient norm, floating over the graph.

The colour map is viridis (perceptually uniform, readable in grey and by the common colour
vision deficiencies), taken from pyqtgraph's bundled maps; positions come from
:func:`cnnviz.core.inspect.gradients.scale_position` (log10 of the norm between the run's
smallest and largest).  The pieces drawn here (bar, swatches, notice) are shared with the
legend printed into exported pictures (:mod:`cnnviz.ui.arch.legend_print`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPainterPath, QPen,
)
from PySide6.QtWidgets import QWidget

from cnnviz.core.inspect.gradients import decade_ticks
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.theme import palette, theme_manager

COLOR_MAP = "viridis"
SWATCHES = (("frozen", True), ("not measured", False))


@lru_cache(maxsize=1)
def _table() -> tuple[QColor, ...]:
    import pyqtgraph as pg

    lut = pg.colormap.get(COLOR_MAP).getLookupTable(nPts=256, mode="byte")
    return tuple(QColor(int(r), int(g), int(b)) for r, g, b, *_ in lut)


def color_at(position: float) -> QColor:
    """The colour map at ``position`` in [0, 1] (clipped)."""
    table = _table()
    i = round(min(1.0, max(0.0, position)) * (len(table) - 1))
    return QColor(table[i])


@dataclass(frozen=True)
class LegendContent:
    """What a gradient colour bar explains: ``model``'s norms at ``step`` of ``run`` (worded
    for a reader: "the run of 28 Nov 14:13"), on a
    log scale from ``low`` to ``high`` (NaN: nothing measured yet), drawn on the graph of
    ``network`` (the architecture's display name).  ``note`` lists how to read the colours
    ("log10 scale · …"); ``warning`` is one sentence the reader must not miss (the graph is
    drawn at another input size than the run trained at), or empty."""

    model: str
    step: int
    low: float
    high: float
    run: str = ""
    note: str = ""
    warning: str = ""
    network: str = ""

    @property
    def title(self) -> str:
        return f"Gradient norm · {self.model}, step {self.step:,}"

    @property
    def has_scale(self) -> bool:
        return self.low > 0 and self.high > 0


def bar_x(value: float, low: float, high: float, bar: QRectF) -> float:
    """Where ``value`` sits on a log bar drawn in ``bar`` from ``low`` to ``high``."""
    span = math.log10(high) - math.log10(low)
    if span <= 0:
        return bar.right()
    return bar.left() + (math.log10(value) - math.log10(low)) / span * bar.width()


def paint_bar(painter: QPainter, bar: QRectF, low: float, high: float, pal) -> list[float]:
    """The viridis bar in ``bar`` with a tick at each power of ten inside the scale; returns
    the ticks' x positions (in the order of :func:`decade_ticks`)."""
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    for i in range(17):
        gradient.setColorAt(i / 16, color_at(i / 16))
    path = QPainterPath()
    path.addRoundedRect(bar, 3, 3)
    painter.fillPath(path, QBrush(gradient))
    tick = QColor(pal.surface)
    tick.setAlpha(200)
    painter.setPen(QPen(tick, 1.0))
    xs = [bar_x(10.0 ** power, low, high, bar) for power in decade_ticks(low, high)]
    for x in xs:
        painter.drawLine(QPointF(x, bar.top() + 1), QPointF(x, bar.bottom() - 1))
    return xs


def swatches_width(fm: QFontMetricsF, swatch_w: float = 20.0, gap: float = 16.0) -> float:
    return sum(swatch_w + 5 + fm.horizontalAdvance(label) for label, _ in SWATCHES) \
        + gap * (len(SWATCHES) - 1)


def paint_swatches(painter: QPainter, row: QRectF, fm: QFontMetricsF, pal,
                   swatch_w: float = 20.0, gap: float = 16.0) -> float:
    """The frozen (hatched) and not-measured swatches, right-aligned in ``row``; returns
    their width."""
    total = swatches_width(fm, swatch_w, gap)
    x = row.right() - total
    for label, frozen in SWATCHES:
        width = swatch_w + 5 + fm.horizontalAdvance(label)
        swatch = QRectF(x, row.top() + 2, swatch_w, row.height() - 4)
        shape = QPainterPath()
        shape.addRoundedRect(swatch, 3, 3)
        painter.setPen(QPen(QColor(pal.border), 1.0))
        painter.setBrush(QColor(pal.surface_alt if frozen else pal.surface))
        painter.drawPath(shape)
        if frozen:
            hatch = QColor(pal.muted)
            hatch.setAlpha(120)
            painter.fillPath(shape, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        painter.setPen(QColor(pal.muted))
        painter.drawText(QRectF(swatch.right() + 5, row.top(), width, row.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        x += width + gap
    return total


def paint_mark(painter: QPainter, mark: QRectF, pal) -> None:
    """A round "!" in the accent colour: the sign before a warning line."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(pal.accent))
    painter.drawEllipse(mark)
    painter.setPen(QColor(pal.accent_text))
    painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, "!")


def paint_notice(painter: QPainter, row: QRectF, text: str, fm: QFontMetricsF, pal) -> None:
    """``text`` after a :func:`paint_mark`, on one line of ``row`` (elided to fit)."""
    d = min(row.height() - 2, fm.height() * 0.9)
    paint_mark(painter, QRectF(row.left(), row.center().y() - d / 2, d, d), pal)
    left = row.left() + d + 6
    width = row.right() - left
    painter.setPen(QColor(pal.text))
    painter.drawText(QRectF(left, row.top(), width, row.height()),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     fm.elidedText(text, Qt.TextElideMode.ElideRight, width))


class GradientLegend(QWidget):
    """A strip along the bottom of a graph view: title and notes, then the colour bar between
    the step's smallest and largest norm (ticks at powers of ten) and the two out-of-scale
    swatches (frozen, not measured); a warning line when there is one.  The view keeps the
    strip's height free (:meth:`GraphView.reserve_bottom`), so the legend never hides a
    node.  :attr:`content` is what it shows (None while hidden)."""

    PAD_X, PAD_Y = 14.0, 7.0
    BAR_H = 10.0
    BAR_MAX = 440.0

    def __init__(self, view) -> None:
        super().__init__(view)
        self._view = view
        self.content: LegendContent | None = None
        self._title_font = QFont()
        self._title_font.setPointSizeF(9.2)
        self._title_font.setWeight(QFont.Weight.DemiBold)
        self._small_font = QFont()
        self._small_font.setPointSizeF(8.2)
        self.setToolTip("Colours follow log10 of each layer's gradient norm")
        theme_manager().changed.connect(self._retheme)
        self.hide()

    # What the strip shows, for readers that need one part.
    @property
    def title(self) -> str:
        return self.content.title if self.content else ""

    @property
    def low(self) -> float:
        return self.content.low if self.content else math.nan

    @property
    def high(self) -> float:
        return self.content.high if self.content else math.nan

    @property
    def note(self) -> str:
        return self.content.note if self.content else ""

    @property
    def warning(self) -> str:
        return self.content.warning if self.content else ""

    def _retheme(self, _palette) -> None:
        self.update()

    def show_content(self, content: LegendContent) -> None:
        """Show ``content``; the strip grows a line while it carries a warning."""
        resized = self.content is None or bool(self.content.warning) != bool(content.warning)
        self.content = content
        if self.isHidden() or resized:
            self._view.reserve_bottom(self.strip_height())
            self.show()
            self.reposition()
        self.update()

    def hide_scale(self) -> None:
        self.content = None
        if not self.isHidden():
            self.hide()
            self._view.reserve_bottom(0)

    def strip_height(self) -> int:
        title = QFontMetricsF(self._title_font)
        small = QFontMetricsF(self._small_font)
        lines = 2 if self.warning else 1
        return math.ceil(2 * self.PAD_Y + title.height() + lines * (5 + small.height()))

    def reposition(self) -> None:
        height = self.strip_height()
        self.setGeometry(0, self._view.height() - height, self._view.width(), height)

    def decades(self) -> list[int]:
        """Powers of ten strictly inside the scale."""
        return decade_ticks(self.low, self.high)

    def paintEvent(self, event) -> None:
        if self.content is None:
            return
        pal = palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(pal.surface))
        painter.setPen(QPen(QColor(pal.border), 1.0))
        painter.drawLine(QPointF(0, 0.5), QPointF(self.width(), 0.5))

        title_fm = QFontMetricsF(self._title_font)
        small_fm = QFontMetricsF(self._small_font)
        left, y = self.PAD_X, self.PAD_Y
        inner_w = self.width() - 2 * self.PAD_X
        painter.setFont(self._title_font)
        painter.setPen(QColor(pal.text))
        title = title_fm.elidedText(self.title, Qt.TextElideMode.ElideRight, inner_w)
        painter.drawText(QRectF(left, y, inner_w, title_fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        note_left = left + title_fm.horizontalAdvance(title) + 12
        if self.note and note_left < left + inner_w - 40:
            painter.setFont(self._small_font)
            painter.setPen(QColor(pal.muted))
            width = left + inner_w - note_left
            painter.drawText(QRectF(note_left, y, width, title_fm.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             small_fm.elidedText(self.note, Qt.TextElideMode.ElideRight, width))
        y += title_fm.height() + 5
        row = QRectF(left, y, inner_w, small_fm.height())
        painter.setFont(self._small_font)
        swatches_w = paint_swatches(painter, row, small_fm, pal)
        bar_row = QRectF(left, y, min(self.BAR_MAX, inner_w - swatches_w - 24), row.height())
        if self.content.has_scale:
            self._paint_bar_row(painter, bar_row, small_fm, pal)
        else:
            painter.setPen(QColor(pal.muted))
            painter.drawText(bar_row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "No gradient measured yet")
        if self.warning:
            y += small_fm.height() + 5
            paint_notice(painter, QRectF(left, y, inner_w, small_fm.height()), self.warning,
                         small_fm, pal)
        painter.end()

    def _paint_bar_row(self, painter: QPainter, row: QRectF, fm: QFontMetricsF, pal) -> None:
        """``low`` [colour bar with a tick at each power of ten] ``high`` on one line."""
        low_text, high_text = fmt.norm(self.low), fmt.norm(self.high)
        low_w, high_w = fm.horizontalAdvance(low_text), fm.horizontalAdvance(high_text)
        painter.setPen(QColor(pal.text))
        painter.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, low_text)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, high_text)
        bar = QRectF(row.left() + low_w + 8, row.center().y() - self.BAR_H / 2,
                     max(10.0, row.width() - low_w - high_w - 16), self.BAR_H)
        paint_bar(painter, bar, self.low, self.high, pal)
