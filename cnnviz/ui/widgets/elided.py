"""Labels that fit the width they are given: the text is shortened with "…" (after wrapping
onto a second line, for :class:`WrappingElidedLabel`) and shown whole in the tooltip, so a
narrow window clips nothing silently and never pushes its neighbours out."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line label that never widens its layout: text that does not fit ends in "…" and
    the whole text joins the tooltip.  :meth:`text` returns the whole text, whatever is on
    screen; :attr:`elided` (and :meth:`is_elided`) say whether it is shortened now.  Style
    roles (``setProperty("role", ...)``) work as on QLabel."""

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

    def is_elided(self) -> bool:
        return self.elided

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


class WrappingElidedLabel(QWidget):
    """Shows :meth:`text` in the width it is given: on one line when it fits, else broken
    at a space onto ``max_lines`` lines, the last one cut with "…" if still too long.  It
    never asks for more width than the text needs and never pushes its neighbours out.
    :meth:`shown_text` is what is on screen (lines joined by newlines); when that is cut,
    the tooltip starts with the whole text."""

    def __init__(self, text: str = "", bold: bool = False, max_lines: int = 2,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self._tip = ""
        self._max_lines = max_lines
        font = self.font()
        font.setBold(bold)
        self.setFont(font)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumWidth(QFontMetrics(font).horizontalAdvance("Wor…"))

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        self._text = text
        self.updateGeometry()
        self.update()

    def setToolTip(self, tip: str) -> None:
        """The tooltip when the whole text shows; when it is cut, the text comes first."""
        self._tip = tip
        self._update_tip()

    # ----------------------------------------------------------------- layout
    def lines_for(self, width: int) -> list[str]:
        """The lines shown at ``width`` pixels."""
        metrics = self.fontMetrics()
        words, lines = self._text.split(), []
        while words and len(lines) < self._max_lines - 1:
            taken = 0
            while taken < len(words) and metrics.horizontalAdvance(" ".join(words[: taken + 1])) <= width:
                taken += 1
            if taken == 0 or taken == len(words):
                break  # a first word too long to fit anywhere, or the rest fits: last line
            lines.append(" ".join(words[:taken]))
            words = words[taken:]
        rest = " ".join(words)
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
        return [line for line in lines if line] or [""]

    def shown_text(self) -> str:
        return "\n".join(self.lines_for(self.width()))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return len(self.lines_for(width)) * self.fontMetrics().lineSpacing()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text) + 2, metrics.lineSpacing())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), self.fontMetrics().lineSpacing())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_tip()
        # A new width may need another line: let the layout ask again.
        if self.height() < self.heightForWidth(self.width()):
            self.updateGeometry()

    def _update_tip(self) -> None:
        cut = self.shown_text().replace("\n", " ") != self._text
        if cut:
            super().setToolTip(f"{self._text}\n{self._tip}" if self._tip else self._text)
        else:
            super().setToolTip(self._tip)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        group = QPalette.ColorGroup.Active if self.isEnabled() else QPalette.ColorGroup.Disabled
        painter.setPen(self.palette().color(group, self.foregroundRole()))
        lines = self.lines_for(self.width())
        spacing = self.fontMetrics().lineSpacing()
        top = (self.height() - spacing * len(lines)) // 2
        for number, line in enumerate(lines):
            painter.drawText(0, top + number * spacing, self.width(), spacing,
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
