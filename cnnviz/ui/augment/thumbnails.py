"""The strip of loaded pictures along the top of the workspace."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu

from cnnviz.ui.augment.images import LoadedImage, to_pixmap
from cnnviz.ui.augment.render import fit_side

THUMB = QSize(96, 72)
_KEY = Qt.ItemDataRole.UserRole


class ThumbnailStrip(QListWidget):
    """One tile per picture; selecting one makes it the picture being augmented.

    Delete (or the context menu) asks to remove the selected picture: :attr:`remove_requested`
    carries its key and the workspace decides.
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
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 16, THUMB.height() + 30))
        self.setUniformItemSizes(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(THUMB.height() + 48)
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
        item = QListWidgetItem(icon, image.name)
        item.setData(_KEY, image.key)
        where = str(image.path) if image.path else "pasted from the clipboard"
        item.setToolTip(f"{image.name}\n{w} × {h} pixels\n{where}")
        item.setSizeHint(self.gridSize())
        self.addItem(item)
        return item

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
