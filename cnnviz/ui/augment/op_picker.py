"""The "Add operation" chooser: operations grouped by category, each with its one-line
description, filtered as the user types."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.augment import CATEGORIES, list_ops
from cnnviz.ui.theme import theme_manager

CATEGORY_TITLES = {
    "geometry": "Geometry", "colour": "Colour", "warp": "Local warps",
    "filter": "Filters", "occlusion": "Occlusion",
}
assert set(CATEGORY_TITLES) >= set(CATEGORIES)

_NAME = Qt.ItemDataRole.UserRole
_DESCRIPTION = Qt.ItemDataRole.UserRole + 1
_ROW_WIDTH = 340


class _OpDelegate(QStyledItemDelegate):
    """Paints an operation as its title in bold over its wrapped, muted description."""

    PAD = 7

    def _fonts(self, option) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(True)
        return title, QFont(option.font)

    def _description_rect(self, option, width: int, text: str) -> QRect:
        _, body = self._fonts(option)
        return QFontMetrics(body).boundingRect(
            QRect(0, 0, max(40, width - 2 * self.PAD - 6), 10_000),
            int(Qt.TextFlag.TextWordWrap), text)

    def sizeHint(self, option, index) -> QSize:
        if index.data(_NAME) is None:
            return super().sizeHint(option, index)
        width = self.parent().viewport().width() if self.parent() else _ROW_WIDTH
        title, _ = self._fonts(option)
        text = index.data(_DESCRIPTION) or ""
        height = (2 * self.PAD + QFontMetrics(title).height() + 2
                  + self._description_rect(option, width, text).height())
        return QSize(width, height)

    def paint(self, painter: QPainter, option, index) -> None:
        if index.data(_NAME) is None:
            super().paint(painter, option, index)
            return
        pal = theme_manager().palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(2, 1, -2, -1)
        if option.state & QStyle.StateFlag.State_Selected or option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(pal.accent_soft))
            painter.drawRoundedRect(rect, 6, 6)
        title_font, body_font = self._fonts(option)
        inner = rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        painter.setFont(title_font)
        painter.setPen(QColor(pal.text))
        title_h = QFontMetrics(title_font).height()
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), title_h),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         index.data(Qt.ItemDataRole.DisplayRole))
        painter.setFont(body_font)
        painter.setPen(QColor(pal.muted))
        painter.drawText(QRect(inner.left(), inner.top() + title_h + 2, inner.width(), inner.height()),
                         int(Qt.TextFlag.TextWordWrap), index.data(_DESCRIPTION) or "")
        painter.restore()


class OpPicker(QFrame):
    """A popup listing every operation; :attr:`chosen` carries the picked operation name."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("Card")
        self.setFixedWidth(380)
        self.search = QLineEdit(placeholderText="Search operations…", clearButtonEnabled=True)
        self.list = QListWidget()
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setStyleSheet("QListWidget { border: none; }")
        self.list.setMouseTracking(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setItemDelegate(_OpDelegate(self.list))
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(6)
        col.addWidget(self.search)
        col.addWidget(self.list, 1)
        self.setMinimumHeight(460)
        self._fill()
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._pick_first)
        self.list.itemActivated.connect(self._pick)
        self.list.itemClicked.connect(self._pick)

    def _fill(self) -> None:
        current = None
        for spec in list_ops():
            if spec.category != current:
                current = spec.category
                head = QListWidgetItem(CATEGORY_TITLES.get(current, current).upper())
                head.setFlags(Qt.ItemFlag.NoItemFlags)
                head.setData(_NAME, None)
                font = head.font()
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 0.85)
                head.setFont(font)
                head.setSizeHint(QSize(0, 30))
                self.list.addItem(head)
            item = QListWidgetItem(spec.title)
            item.setData(_NAME, spec.name)
            item.setData(_DESCRIPTION, spec.description)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{spec.title}: {spec.description}")
            self.list.addItem(item)

    def names(self) -> list[str]:
        """The operation names listed, in order (visible or not)."""
        return [self.list.item(i).data(_NAME) for i in range(self.list.count())
                if self.list.item(i).data(_NAME)]

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        header = None
        header_visible = False
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = item.data(_NAME)
            if name is None:
                if header is not None:
                    header.setHidden(not header_visible)
                header, header_visible = item, False
                continue
            haystack = (name + " " + item.data(Qt.ItemDataRole.AccessibleTextRole)).lower()
            show = all(w in haystack for w in words)
            item.setHidden(not show)
            header_visible |= show
        if header is not None:
            header.setHidden(not header_visible)

    def _pick_first(self) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(_NAME) and not item.isHidden():
                self._pick(item)
                return

    def _pick(self, item: QListWidgetItem) -> None:
        name = item.data(_NAME)
        if name:
            self.hide()
            self.chosen.emit(name)

    def popup_at(self, global_pos) -> None:
        self.search.clear()
        self.move(global_pos)
        self.show()
        self.search.setFocus()
