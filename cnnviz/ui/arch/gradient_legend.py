"""The colour bar that explains a graph coloured by gradient norm, floating over the graph.

The colour map is viridis (perceptually uniform, readable in grey and by the common colour
vision deficiencies), taken from pyqtgraph's bundled maps; positions come from
:func:`cnnviz.core.inspect.gradients.scale_position` (log10 of the norm between the run's
smallest and largest).
"""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush, QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPainterPath, QPen,
)
from PySide6.QtWidgets import QWidget

from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.theme import palette, theme_manager

COLOR_MAP = "viridis"


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


class GradientLegend(QWidget):
    """A strip along the bottom of a graph view: title and notes, then the colour bar between
    the step's smallest and largest norm (ticks at powers of ten) and the two out-of-scale
    swatches (frozen, not measured).  The view keeps the strip's height free
    (:meth:`GraphView.reserve_bottom`), so the legend never hides a node."""

    PAD_X, PAD_Y = 14.0, 7.0
    BAR_H = 10.0
    BAR_MAX = 440.0

    def __init__(self, view) -> None:
        super().__init__(view)
        self._view = view
        self.title = ""
        self.low = self.high = math.nan
        self.note = ""
        self._title_font = QFont()
        self._title_font.setPointSizeF(9.2)
        self._title_font.setWeight(QFont.Weight.DemiBold)
        self._small_font = QFont()
        self._small_font.setPointSizeF(8.2)
        self.setToolTip("Colours follow log10 of each layer's gradient norm")
        theme_manager().changed.connect(self._retheme)
        self.hide()

    def _retheme(self, _palette) -> None:
        self.update()

    def show_scale(self, title: str, low: float, high: float, note: str = "") -> None:
        """Show the scale from ``low`` to ``high`` (NaN: no usable norm yet)."""
        self.title, self.low, self.high, self.note = title, low, high, note
        if self.isHidden():
            self._view.reserve_bottom(self.strip_height())
            self.show()
            self.reposition()
        self.update()

    def hide_scale(self) -> None:
        if not self.isHidden():
            self.hide()
            self._view.reserve_bottom(0)

    def strip_height(self) -> int:
        title = QFontMetricsF(self._title_font)
        small = QFontMetricsF(self._small_font)
        return math.ceil(2 * self.PAD_Y + title.height() + 5 + small.height())

    def reposition(self) -> None:
        height = self.strip_height()
        self.setGeometry(0, self._view.height() - height, self._view.width(), height)

    def decades(self) -> list[int]:
        """Powers of ten strictly inside the scale."""
        if not (self.low > 0 and self.high > self.low):
            return []
        first, last = math.floor(math.log10(self.low)) + 1, math.ceil(math.log10(self.high)) - 1
        return list(range(first, last + 1))

    def _x(self, value: float, bar: QRectF) -> float:
        span = math.log10(self.high) - math.log10(self.low)
        return bar.left() + (math.log10(value) - math.log10(self.low)) / span * bar.width()

    def paintEvent(self, event) -> None:
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
        swatches_w = self._paint_swatches(painter, row, small_fm, pal)
        bar_row = QRectF(left, y, min(self.BAR_MAX, inner_w - swatches_w - 24), row.height())
        if self.low > 0 and self.high > 0:
            self._paint_bar(painter, bar_row, small_fm, pal)
        else:
            painter.setPen(QColor(pal.muted))
            painter.drawText(bar_row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "No gradient measured yet")
        painter.end()

    def _paint_bar(self, painter: QPainter, row: QRectF, fm: QFontMetricsF, pal) -> None:
        """``low`` [colour bar with a tick at each power of ten] ``high`` on one line."""
        low_text, high_text = fmt.norm(self.low), fmt.norm(self.high)
        low_w, high_w = fm.horizontalAdvance(low_text), fm.horizontalAdvance(high_text)
        painter.setPen(QColor(pal.text))
        painter.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, low_text)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, high_text)
        bar = QRectF(row.left() + low_w + 8, row.center().y() - self.BAR_H / 2,
                     max(10.0, row.width() - low_w - high_w - 16), self.BAR_H)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for i in range(17):
            gradient.setColorAt(i / 16, color_at(i / 16))
        path = QPainterPath()
        path.addRoundedRect(bar, 3, 3)
        painter.fillPath(path, QBrush(gradient))
        tick = QColor(pal.surface)
        tick.setAlpha(200)
        painter.setPen(QPen(tick, 1.0))
        for power in self.decades():
            x = self._x(10.0 ** power, bar)
            painter.drawLine(QPointF(x, bar.top() + 1), QPointF(x, bar.bottom() - 1))

    def _paint_swatches(self, painter: QPainter, row: QRectF, fm: QFontMetricsF, pal) -> float:
        """The frozen and not-measured swatches, right-aligned; returns their width."""
        items = (("frozen", True), ("not measured", False))
        widths = [20 + 5 + fm.horizontalAdvance(label) for label, _ in items]
        total = sum(widths) + 16 * (len(items) - 1)
        x = row.right() - total
        for (label, frozen), width in zip(items, widths):
            swatch = QRectF(x, row.top() + 2, 20, row.height() - 4)
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
            x += width + 16
        return total
