"""A row of header buttons that never clips: what does not fit moves into a "More" menu.

Each button is added with the menu action that stands for it and, when it may leave the
row, its rank: when the row is narrower than all its buttons, buttons leave in rank order
(lowest first) and their actions appear, in row order, in the menu of a "More" button.
A ``compact`` button, as a last resort, shows only its icon and says its text in its
tooltip.  The row's minimum width is that of its most folded state, so a layout never
squeezes it below what it can show whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout, QLayout, QMenu, QPushButton, QSizePolicy, QToolButton, QWidget,
)

MORE_TIP = "More commands for the pipeline"


@dataclass
class _Entry:
    button: QPushButton
    action: QAction | None
    rank: int | None  # None: always on the row
    compact: bool
    text: str
    tip: str


class FittingButtonRow(QWidget):
    """Call :meth:`add` for each button (in row order) and :meth:`add_more` where the
    "More" button goes.  :attr:`folded` lists the buttons now in the menu."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self.entries: list[_Entry] = []
        self.folded: list[QPushButton] = []
        self.compacted = False
        self.menu = QMenu(self)
        self.more = QToolButton(text="More")
        self.more.setObjectName("MoreButton")
        self.more.setToolTip(MORE_TIP)
        self.more.setMenu(self.menu)
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more.hide()
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(spacing)
        self._row.addStretch(1)  # the buttons keep their own widths, flush right
        # The row's own minimumSizeHint (its most folded state) bounds it, not the sum of
        # every button the layout holds.
        self._row.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._fitting = False
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def add(self, button: QPushButton, action: QAction | None = None, rank: int | None = None,
            compact: bool = False, gap: int = 0) -> None:
        """Put ``button`` next on the row, ``gap`` pixels after the one before.  ``rank``
        (with ``action``, its entry in the menu) lets it fold into "More"."""
        if gap:
            self._row.addSpacing(gap)
        self._row.addWidget(button)
        self.entries.append(_Entry(button, action, rank, compact, button.text(),
                                   button.toolTip()))

    def add_more(self, gap: int = 0) -> None:
        if gap:
            self._row.addSpacing(gap)
        self._row.addWidget(self.more)

    # ------------------------------------------------------------------ fitting
    def _states(self) -> list[tuple[list[_Entry], bool]]:
        """From roomiest to tightest: (entries folded into the menu, compact icons)."""
        ranked = sorted((e for e in self.entries if e.rank is not None), key=lambda e: e.rank)
        states = [(ranked[:n], False) for n in range(len(ranked) + 1)]
        if any(e.compact for e in self.entries):
            states.append((ranked, True))
        return states

    def _button_width(self, entry: _Entry, compact: bool) -> int:
        button = entry.button
        if not (compact and entry.compact):
            return self._text_width(button, entry.text)
        return self._text_width(button, "")

    @staticmethod
    def _text_width(button: QPushButton, text: str) -> int:
        shown = button.text()
        if shown == text:
            return button.sizeHint().width()
        # A button's size hint follows the style sheet's padding, so it is asked, not
        # computed; the text goes back at once and nothing is painted in between.
        button.setText(text)
        width = button.sizeHint().width()
        button.setText(shown)
        return width

    def _width(self, folded: list[_Entry], compact: bool) -> int:
        shown = [e for e in self.entries if e not in folded]
        widths = [self._button_width(e, compact) for e in shown]
        if folded:
            widths.append(self.more.sizeHint().width())
        gaps = sum(self._row.itemAt(i).sizeHint().width() for i in range(self._row.count())
                   if self._row.itemAt(i).spacerItem() is not None)
        return sum(widths) + self._row.spacing() * max(0, len(widths) - 1) + gaps

    def sizeHint(self) -> QSize:
        folded, compact = self._states()[0]
        return QSize(self._width(folded, compact), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        folded, compact = self._states()[-1]
        return QSize(self._width(folded, compact), super().minimumSizeHint().height())

    def refit(self) -> None:
        """Fold and unfold for the row's width now (after a button's text or the style
        changed; a resize does it by itself)."""
        if self._fitting or not self.entries:
            return
        self._fitting = True
        try:
            states = self._states()
            folded, compact = states[-1]
            for candidate, small in states:
                if self._width(candidate, small) <= self.width():
                    folded, compact = candidate, small
                    break
            self._apply(folded, compact)
        finally:
            self._fitting = False

    def _apply(self, folded: list[_Entry], compact: bool) -> None:
        now = [e.button for e in self.entries if e in folded]
        if now == self.folded and compact == self.compacted:
            return
        self.folded, self.compacted = now, compact
        for entry in self.entries:
            entry.button.setVisible(entry not in folded)
            if entry.compact:  # an icon alone says its text in the tooltip
                small = compact
                entry.button.setText("" if small else entry.text)
                entry.button.setToolTip(entry.tip or entry.text.rstrip("…"))
        self.menu.clear()
        for entry in self.entries:  # in row order, not the order they left in
            if entry in folded and entry.action is not None:
                self.menu.addAction(entry.action)
        self.more.setVisible(bool(folded))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refit()
