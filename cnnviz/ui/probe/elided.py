"""A one-line label that shortens its text with "…" when narrow and shows it whole as a tooltip.

:meth:`ElidedLabel.text` returns the whole text, whatever is on screen; :attr:`elided` says
whether it is shortened now.  Style roles (``setProperty("role", ...)``) work as on QLabel.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._full = ""
        self._mode = mode
        self._tip = ""
        self.elided = False
        self.setText(text)

    def text(self) -> str:  # the whole text, not the shortened one on screen
        return self._full

    def setText(self, text: str) -> None:
        self._full = text or ""
        self.updateGeometry()
        self._refresh()

    def setToolTip(self, tip: str) -> None:
        """A tooltip of its own; while the text is shortened the whole text is added to it."""
        self._tip = tip
        self._refresh()

    def sizeHint(self) -> QSize:
        self.ensurePolished()
        base = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance(self._full) + 4
        return QSize(width, base.height())

    def minimumSizeHint(self) -> QSize:
        self.ensurePolished()
        width = min(self.sizeHint().width(), self.fontMetrics().horizontalAdvance("M…") * 3)
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._refresh()

    def changeEvent(self, event) -> None:  # a style sheet may change the font
        super().changeEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(0, self.width() - 2))
        self.elided = shown != self._full
        if super().text() != shown:
            super().setText(shown)
        tip = "\n".join(t for t in (self._full if self.elided else "", self._tip) if t)
        if super().toolTip() != tip:
            super().setToolTip(tip)
