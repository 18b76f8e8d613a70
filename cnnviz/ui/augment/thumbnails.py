"""The strip of loaded pictures along the top of the workspace."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu

from cnnviz.ui.augment.images import LoadedImage, to_pixmap
from cnnviz.ui.augment.render import fit_side

THUMB = QSize(96, 72)
# On a short screen: smaller pictures and no names under them (each name is in its
# tooltip, and the header names the picture shown), so the samples get the height.
COMPACT_THUMB = QSize(56, 42)
_KEY = Qt.ItemDataRole.UserRole
_NAME = Qt.ItemDataRole.UserRole + 1


class ThumbnailStrip(QListWidget):
    """One tile per picture; selecting one makes it the picture being augmented.

    Delete (or the context menu) asks to remove the selected picture: :attr:`remove_requested`
    carries its key and the workspace decides.  :meth:`set_compact` trades the names for
    height on short screens.
    """

    current_changed = Signal(object)  # key of the picture now selected, or None
    remove_requested = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ThumbnailStrip")
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.setUniformItemSizes(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.compact = False
        self._size_for(THUMB, captions=True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.currentItemChanged.connect(
            lambda item, _prev: self.current_changed.emit(item.data(_KEY) if item else None)
        )

    def add_image(self, image: LoadedImage) -> QListWidgetItem:
        w, h = image.full_size
        pixmap = _thumbnail(image)
        icon = QIcon(pixmap)
        icon.addPixmap(pixmap, QIcon.Mode.Selected)  # no selection tint over the picture
        item = QListWidgetItem(icon, "" if self.compact else image.name)
        item.setData(_KEY, image.key)
        item.setData(_NAME, image.name)
        where = str(image.path) if image.path else "pasted from the clipboard"
        item.setToolTip(f"{image.name}\n{w} × {h} pixels\n{where}")
        item.setSizeHint(self.gridSize())
        self.addItem(item)
        return item

    def set_compact(self, compact: bool) -> None:
        """Small pictures without names (True) or the full strip (False)."""
        if compact == self.compact:
            return
        self.compact = compact
        self._size_for(COMPACT_THUMB if compact else THUMB, captions=not compact)
        for i in range(self.count()):
            item = self.item(i)
            item.setText("" if compact else item.data(_NAME))
            item.setSizeHint(self.gridSize())

    def _size_for(self, thumb: QSize, captions: bool) -> None:
        self.setIconSize(thumb)
        self.setGridSize(QSize(thumb.width() + 16, thumb.height() + (30 if captions else 12)))
        self.setFixedHeight(thumb.height() + (48 if captions else 26))

    def keys(self) -> list[object]:
        return [self.item(i).data(_KEY) for i in range(self.count())]

    def select(self, key: object) -> None:
        for i in range(self.count()):
            if self.item(i).data(_KEY) == key:
                self.setCurrentRow(i)
                return

    def remove(self, key: object) -> None:
        for i in range(self.count()):
            if self.item(i).data(_KEY) == key:
                self.takeItem(i)
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if item is not None and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_requested.emit(item.data(_KEY))
            return
        super().keyPressEvent(event)

    def _menu(self, pos) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction("Remove from the strip", lambda: self.remove_requested.emit(item.data(_KEY)))
        menu.popup(self.viewport().mapToGlobal(pos))


def _thumbnail(image: LoadedImage) -> QPixmap:
    side = 2 * max(THUMB.width(), THUMB.height())  # sharp on high-DPI screens
    return to_pixmap(fit_side(image.preview, side))
