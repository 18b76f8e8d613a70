"""A layout that places widgets left to right and wraps them onto new rows when narrow.

Toolbars built on it never clip: at 1280x800, beside the explorer's catalog, controls that
do not fit move to a second row.  A widget wider than the whole row is given the row's width
(an :class:`~cnnviz.ui.widgets.elided.ElidedLabel` then shortens its text).  With
``last_right`` the last widget sits at the right edge of its row, as a toolbar's trailing
buttons do (put a group of controls in one widget to keep them together).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 8, row_spacing: int = 6,
                 last_right: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = row_spacing
        self._last_right = last_right
        self.setContentsMargins(0, 0, 0, 0)

    # --- the QLayout protocol ---------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """One row of everything: the width at which nothing wraps."""
        items = self._visible()
        margins = self.contentsMargins()
        width = sum(i.sizeHint().width() for i in items) + self._spacing * max(0, len(items) - 1)
        height = max((i.sizeHint().height() for i in items), default=0)
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        margins = self.contentsMargins()
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # --- placing ----------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The visible items, split into the rows they take at ``width`` (contents width)."""
        rows: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            w = min(item.sizeHint().width(), width)
            if rows[-1] and used + self._spacing + w > width:
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + w
            rows[-1].append(item)
        return [r for r in rows if r]

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        y = area.y()
        for row in self.rows(area.width()):
            widths = [min(i.sizeHint().width(), area.width()) for i in row]
            height = max(i.sizeHint().height() for i in row)
            x = area.x()
            for n, (item, w) in enumerate(zip(row, widths)):
                if self._last_right and n == len(row) - 1 and n:
                    x = area.x() + area.width() - w
                if move:
                    h = min(item.sizeHint().height(), height)
                    top = y + (height - h) // 2  # centred in the row
                    item.setGeometry(QRect(QPoint(x, top), QSize(w, h)))
                x += w + self._spacing
            y += height + self._row_spacing
        return max(0, y - self._row_spacing - rect.y()) + margins.bottom()
