"""A ranked list of class guesses, each with a probability bar.

Without predictions worth showing (random weights) it shows a sentence saying why instead.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnviz.ui.theme import theme_manager

_ROW = 30


class PredictionList(QWidget):
    """:meth:`set_predictions` with :class:`~cnnviz.core.probe.Prediction` objects;
    :attr:`predictions` holds what is shown."""

    def __init__(self, rows: int = 5, parent=None) -> None:
        super().__init__(parent)
        self.rows = rows
        self.predictions: list = []
        self.message = ""
        self.marked: int | None = None  # class index drawn in the accent colour
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(rows * _ROW + 4)

    def sizeHint(self) -> QSize:
        return QSize(260, self.rows * _ROW + 4)

    def set_predictions(self, predictions: list, marked: int | None = None) -> None:
        self.predictions = list(predictions)[: self.rows]
        self.marked = marked
        self.message = ""
        self.update()

    def set_message(self, text: str) -> None:
        self.predictions = []
        self.message = text
        self.update()

    def lines(self) -> list[str]:
        """The rows as text ("62.1%  tabby cat"), what a screen reader would say."""
        return [f"{p.probability:.1%}  {p.name}" for p in self.predictions]

    def paintEvent(self, _event) -> None:
        pal = theme_manager().palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.predictions:
            painter.setPen(QColor(pal.muted))
            painter.drawText(QRectF(self.rect()).adjusted(4, 4, -4, -4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.message)
            return
        fm = QFontMetrics(self.font())
        pct_w = fm.horizontalAdvance("100.0%") + 8
        width = self.width() - 2
        for i, p in enumerate(self.predictions):
            top = i * _ROW + 2
            accent = QColor(pal.accent) if (self.marked is None or p.index == self.marked) \
                else QColor(pal.muted)
            track = QRectF(0, top + _ROW - 9, width - pct_w, 5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(pal.grid))
            painter.drawRoundedRect(track, 2.5, 2.5)
            fill = QRectF(track)
            fill.setWidth(max(3.0, track.width() * p.probability))
            painter.setBrush(accent if i == 0 else QColor(accent.red(), accent.green(),
                                                           accent.blue(), 150))
            painter.drawRoundedRect(fill, 2.5, 2.5)
            font = painter.font()
            font.setBold(i == 0)
            painter.setFont(font)
            painter.setPen(QColor(pal.text))
            name = QFontMetrics(font).elidedText(p.name, Qt.TextElideMode.ElideRight,
                                                 int(track.width()))
            painter.drawText(QRectF(0, top, track.width(), _ROW - 10),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
            painter.setPen(QColor(pal.muted))
            painter.drawText(QRectF(width - pct_w, top, pct_w, _ROW - 2),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{p.probability:.1%}")
