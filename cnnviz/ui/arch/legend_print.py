"""The gradient legend printed at the top of an exported graph picture (PNG, SVG, PDF).

On screen the legend is a strip under the view (:class:`GradientLegend`); a picture pasted into
a slide has no such strip, so it carries its own: the title (model and step), the run and how
to read the colours, the input-size warning when there is one, then the viridis bar with its
ends and a labelled tick at each power of ten, and the frozen / not-measured keys.  It is laid
out in scene units, so it scales with the graph it heads.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from cnnviz.core.inspect.gradients import decade_ticks
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.gradient_legend import (
    LegendContent, paint_bar, paint_mark, paint_swatches, swatches_width,
)

MIN_WIDTH = 560.0  # narrow graphs (LeNet-5) still get a readable bar
_WRAP = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


def decade_label(power: int) -> str:
    """``10`` with ``power`` as a superscript: "10⁻³"."""
    return fmt.power_of_ten(power)


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    return font


class PrintedLegend:
    """``content`` laid out ``width`` scene units wide; :attr:`height` is what it takes."""

    PAD_X, PAD_Y, GAP = 22.0, 16.0, 6.0
    BAR_H, BAR_MAX = 12.0, 460.0

    def __init__(self, content: LegendContent, width: float) -> None:
        self.content = content
        self.width = max(width, MIN_WIDTH)
        self.title_font, self.text_font = _font(12.0, bold=True), _font(8.6)
        self.tick_font = _font(7.8)
        self._title_fm = QFontMetricsF(self.title_font)
        self._text_fm = QFontMetricsF(self.text_font)
        self._tick_fm = QFontMetricsF(self.tick_font)
        inner = self.width - 2 * self.PAD_X
        self._title_h = self._wrapped(self._title_fm, self.content.title, inner)
        self._sub_h = self._wrapped(self._text_fm, self.subtitle(), inner)
        self._warning_h = (self._wrapped(self._text_fm, content.warning, inner - self._mark_d())
                           if content.warning else 0.0)
        self._bar_row_h = max(self._text_fm.height(), self.BAR_H) + 3 + self._tick_fm.height()
        self.height = (2 * self.PAD_Y + self._title_h + 2 + self._sub_h
                       + (self.GAP + self._warning_h if content.warning else 0.0)
                       + 2 * self.GAP + self._bar_row_h)

    @staticmethod
    def _wrapped(fm: QFontMetricsF, text: str, width: float) -> float:
        if not text:
            return 0.0
        return fm.boundingRect(QRectF(0, 0, width, 1e6), _WRAP, text).height()

    def _mark_d(self) -> float:
        return self._text_fm.height() * 0.9 + 6

    def subtitle(self) -> str:
        """The network, the run and how to read the colours, on one (wrapped) line."""
        c = self.content
        parts = [c.network] if c.network else []
        if c.run:
            parts.append(c.run)
        if c.note:
            parts.append(c.note)
        return " · ".join(parts)

    def paint(self, painter: QPainter, pal) -> None:
        """Draw at the painter's origin: ``width`` x ``height``, in ``pal``'s colours."""
        painter.save()
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(QRectF(0, 0, self.width, self.height), QColor(pal.surface))
        painter.setPen(QPen(QColor(pal.border), 1.0))
        painter.drawLine(0, round(self.height) - 1, round(self.width), round(self.height) - 1)
        left, y, inner = self.PAD_X, self.PAD_Y, self.width - 2 * self.PAD_X
        painter.setFont(self.title_font)
        painter.setPen(QColor(pal.text))
        painter.drawText(QRectF(left, y, inner, self._title_h), _WRAP, self.content.title)
        y += self._title_h + 2
        painter.setFont(self.text_font)
        painter.setPen(QColor(pal.muted))
        painter.drawText(QRectF(left, y, inner, self._sub_h), _WRAP, self.subtitle())
        y += self._sub_h
        if self.content.warning:
            y += self.GAP
            self._paint_warning(painter, QRectF(left, y, inner, self._warning_h), pal)
            y += self._warning_h
        y += 2 * self.GAP
        self._paint_scale(painter, QRectF(left, y, inner, self._bar_row_h), pal)
        painter.restore()

    def _paint_warning(self, painter: QPainter, rect: QRectF, pal) -> None:
        d = self._text_fm.height() * 0.9
        paint_mark(painter, QRectF(rect.left(), rect.top() + (self._text_fm.height() - d) / 2,
                                   d, d), pal)
        painter.setPen(QColor(pal.text))
        painter.drawText(rect.adjusted(self._mark_d(), 0, 0, 0), _WRAP, self.content.warning)

    def _paint_scale(self, painter: QPainter, rect: QRectF, pal) -> None:
        """low [bar, labelled decades under it] high, and the two keys on the right."""
        fm = self._text_fm
        line = QRectF(rect.left(), rect.top(), rect.width(), max(fm.height(), self.BAR_H))
        painter.setFont(self.text_font)
        keys_w = swatches_width(fm, 22.0, 18.0)
        paint_swatches(painter, line, fm, pal, 22.0, 18.0)
        c = self.content
        room = QRectF(line.left(), line.top(), min(self.BAR_MAX, line.width() - keys_w - 28),
                      line.height())
        painter.setPen(QColor(pal.text))
        if not c.has_scale:
            painter.setPen(QColor(pal.muted))
            painter.drawText(room, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "No gradient measured yet")
            return
        low_text, high_text = fmt.norm(c.low), fmt.norm(c.high)
        low_w, high_w = fm.horizontalAdvance(low_text), fm.horizontalAdvance(high_text)
        middle = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(room, Qt.AlignmentFlag.AlignLeft | middle, low_text)
        painter.drawText(room, Qt.AlignmentFlag.AlignRight | middle, high_text)
        bar = QRectF(room.left() + low_w + 8, room.center().y() - self.BAR_H / 2,
                     max(10.0, room.width() - low_w - high_w - 16), self.BAR_H)
        xs = paint_bar(painter, bar, c.low, c.high, pal)
        self._paint_tick_labels(painter, bar, xs, decade_ticks(c.low, c.high), pal)

    def _paint_tick_labels(self, painter: QPainter, bar: QRectF, xs: list[float],
                           powers: list[int], pal) -> None:
        """A label under each tick, every other one (or fewer) when they would touch."""
        if not powers:
            return
        fm = self._tick_fm
        labels = [decade_label(p) for p in powers]
        widest = max(fm.horizontalAdvance(t) for t in labels) + 6
        spacing = (xs[-1] - xs[0]) / (len(xs) - 1) if len(xs) > 1 else widest
        every = max(1, math.ceil(widest / max(spacing, 1.0)))
        painter.setFont(self.tick_font)
        painter.setPen(QColor(pal.muted))
        top = bar.bottom() + 3
        for i, (x, text) in enumerate(zip(xs, labels)):
            if i % every:
                continue
            w = fm.horizontalAdvance(text) + 2
            painter.drawText(QRectF(x - w / 2, top, w, fm.height()),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
