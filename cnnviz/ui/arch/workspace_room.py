"""How the Architectures workspace shares the window: catalog, graph, layer table, details.

:class:`RoomSharing` is mixed into :class:`~cnnviz.ui.arch.workspace.ArchitecturesWorkspace`;
it uses the workspace's ``catalog``, ``bar``, ``table`` and its three splitters.  On a laptop
screen the graph gets the most: the catalog column steps aside (the header's "Catalog" button
brings it back) and the table shows fewer rows.  Each share follows the window until the user
drags it or picks otherwise, and only such choices are remembered.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent

from cnnviz.ui import settings
from cnnviz.ui.arch.catalog import WIDTH as CATALOG_WIDTH

# The details column: at least wide enough for a formula of a 224-pixel network in one or two
# lines, then a share of the wider windows (where formulas fit on one line), up to a limit.
DETAILS_MIN, DETAILS_MAX, DETAILS_SHARE = 290, 440, 0.24
# The layer table's share of the graph/table split, above its minimum height; under
# COMPACT_HEIGHT (a laptop screen) the table shows fewer rows so that the graph, which needs
# the height to show a stretch of the network, gets what it gives up.
TABLE_SHARE, COMPACT_HEIGHT = 0.33, 900
COMPACT_TABLE_SHARE = 0.2  # under COMPACT_HEIGHT: the table's fewer rows are its minimum
# Narrower than this (a laptop screen), the catalog column is hidden to give its width to the
# graph, until the user shows or hides it with the header's "Catalog" button.
CATALOG_AUTO_WIDTH = 1300
CATALOG_KEY = "arch/catalog"  # "shown" or "hidden" once the user chose; absent: by width
SPLIT_KEYS = ("arch/main_split", "arch/graph_split", "arch/details_split")


class RoomSharing:
    """``show_catalog``, ``catalog_shown``; the splits' automatic shares and their memory."""

    def _share_room(self) -> None:
        """Call once the splitters exist, before :meth:`restore_room`."""
        self._catalog_auto = True
        self._catalog_width = CATALOG_WIDTH  # the column's width when it is shown again
        self._details_auto = True
        self._split_auto = True
        self.details_split.splitterMoved.connect(self._details_dragged)
        self.graph_split.splitterMoved.connect(self._split_dragged)
        self.graph_split.installEventFilter(self)
        self.bar.catalog_button.clicked.connect(self._catalog_pressed)

    def restore_room(self) -> None:
        """Bring back what the user chose last time: the catalog shown or hidden, and the
        splits they dragged."""
        shown = settings.read_str(CATALOG_KEY, "auto", ("auto", "shown", "hidden"))
        self._catalog_auto = shown == "auto"
        if not self._catalog_auto:
            self.show_catalog(shown == "shown")
        main, graph, details = (self.main_split, self.graph_split, self.details_split)
        for key, splitter in zip(SPLIT_KEYS, (main, graph, details)):
            state = settings.app_settings().value(key)
            if state is not None:
                splitter.restoreState(state)
                if splitter is details:
                    self._details_auto = False
                if splitter is graph:
                    self._split_auto = False

    def remember_room(self) -> None:
        """Write the user's splits; the ones that still follow the window are forgotten, so
        the next window, perhaps on another screen, shares itself out anew."""
        main_key, graph_key, details_key = SPLIT_KEYS
        if self.catalog_shown():  # a hidden column's zero width is no width to restore
            settings.write(main_key, self.main_split.saveState())
        for key, splitter, auto in ((graph_key, self.graph_split, self._split_auto),
                                    (details_key, self.details_split, self._details_auto)):
            if auto:
                settings.app_settings().remove(key)
            else:
                settings.write(key, splitter.saveState())

    # ---------------------------------------------------------------- catalog
    def catalog_shown(self) -> bool:
        """Whether the catalog column is shown (it may be off screen with the workspace)."""
        return not self.catalog.isHidden()

    def show_catalog(self, on: bool) -> None:
        """Show or hide the catalog column (the graph takes its width)."""
        self.bar.catalog_button.setChecked(on)
        self.table.catalog_open = on
        self.point_at_catalog()
        if on == self.catalog_shown():
            return
        if not on:
            self._catalog_width = self.catalog.width() or CATALOG_WIDTH
            self.catalog.hide()
            return
        total = sum(self.main_split.sizes())
        self.catalog.show()
        self.main_split.setSizes([self._catalog_width, max(0, total - self._catalog_width)])

    def point_at_catalog(self) -> None:
        """While the catalog is folded by the window's width and the user never opened it,
        the whole network's details end with one quiet line that says where it is."""
        count = len(self.catalog.entries)
        hidden = not self.bar.catalog_button.isChecked()
        self.details.set_catalog_hint(
            f"To see another of the {count} networks, open the Catalog at the top left."
            if hidden and self._catalog_auto and count else "")

    def _catalog_pressed(self, on: bool) -> None:
        self._catalog_auto = False
        settings.write(CATALOG_KEY, "shown" if on else "hidden")
        self.show_catalog(on)
        if on:
            self.catalog.search.setFocus()

    # ----------------------------------------------------------------- splits
    def _details_dragged(self, *_args) -> None:
        self._details_auto = False

    def _split_dragged(self, *_args) -> None:
        self._split_auto = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._catalog_auto:
            self.show_catalog(self.width() >= CATALOG_AUTO_WIDTH)
        if self._details_auto:
            total = sum(self.details_split.sizes())
            details = max(DETAILS_MIN, min(DETAILS_MAX, round(total * DETAILS_SHARE)))
            self.details_split.setSizes([total - details, details])

    def eventFilter(self, watched, event) -> bool:
        # The graph/table split is shared when its own size is known, after the window's.
        if event.type() == QEvent.Type.Resize and watched is self.graph_split:
            self._share_split()
        return super().eventFilter(watched, event)

    def _share_split(self) -> None:
        """Give the table :data:`TABLE_SHARE` of the split (:data:`COMPACT_TABLE_SHARE` on
        a short screen; its minimum at least), the graph the rest; a lesson (see
        show_lesson), a folded table or a dragged bar stay as they are."""
        compact = self.height() < COMPACT_HEIGHT
        self.table.set_compact(compact)
        if not self._split_auto or self._split_before_lesson is not None:
            return
        if self.graph_split.sizes()[1] == 0:
            return
        total = self.graph_split.height() - self.graph_split.handleWidth()
        share = COMPACT_TABLE_SHARE if compact else TABLE_SHARE
        table = max(self.table.minimumHeight(), round(total * share))
        self.graph_split.setSizes([total - table, table])
