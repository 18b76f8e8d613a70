"""The Architectures workspace: pick a network, see its graph, table, details, charts; compare.

The engine runs on a worker (:class:`~cnnviz.ui.widgets.tasks.TaskRunner`): picking a network
shows a busy pill over the current graph, and the new report replaces it when ready.  This
module does not import torch; the first inspection does, on the worker thread.

The class is assembled from mixins, one concern each: :class:`ModelLoading` (catalog, model
files, inspection), :class:`GraphNavigation` (blocks, selection, menus),
:class:`GradientViewing` (colouring by a run's gradient norms), :class:`ExportActions` and
:class:`RoomSharing` (how catalog, graph, table and details share the window).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.ui import settings
from cnnviz.ui.arch.catalog import WIDTH as CATALOG_WIDTH
from cnnviz.ui.arch.catalog import CatalogPanel
from cnnviz.ui.arch.charts import ChartsPanel
from cnnviz.ui.arch.compare import ComparePanel
from cnnviz.ui.arch.details import DetailsPanel
from cnnviz.ui.arch.gradient_shade import GradientShading
from cnnviz.ui.arch.graph_view import GraphView
from cnnviz.ui.arch.model_bar import ModelBar
from cnnviz.ui.arch.model_file import ModelFileOpener
from cnnviz.ui.arch.table_panel import TablePanel
from cnnviz.ui.arch.workspace_export import ExportActions
from cnnviz.ui.arch.workspace_gradients import GradientViewing
from cnnviz.ui.arch.workspace_models import DEFAULT_ARCH, ModelLoading
from cnnviz.ui.arch.workspace_navigation import GraphNavigation
from cnnviz.ui.arch.workspace_room import DETAILS_MIN, RoomSharing
from cnnviz.ui.file_kinds import is_model_file
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.widgets.tasks import TaskRunner

__all__ = ["DEFAULT_ARCH", "TABS", "ArchitecturesWorkspace"]

TABS = ("graph", "charts", "compare", "inside")


class ArchitecturesWorkspace(ModelLoading, GraphNavigation, GradientViewing, ExportActions,
                             RoomSharing, QWidget):
    """See the workspace contract in the main window: TITLE, can_open, open_paths, shutdown.

    ``show_gradients(snapshot)`` / ``update_gradients(snapshot)`` colour the graph by a
    training run's gradient norms (see :mod:`cnnviz.ui.arch.workspace_gradients`)."""

    TITLE = "Architectures"
    status_message = Signal(str)
    report_shown = Signal(object)  # the ModelReport now on screen
    subject_changed = Signal(str)  # the network now on screen (for the window title)

    @property
    def subject(self) -> str:
        """The network on screen ("" before the first one): the window's title names it."""
        report = getattr(self, "report", None)
        return report.display_name if report is not None else ""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report_shown.connect(lambda report: self.subject_changed.emit(self.subject))
        # One worker: the engine traces with process-wide torch state, so two inspections at
        # once would trip over each other; requests queue and stale ones are dropped.
        self.runner = TaskRunner(self, max_threads=1)
        self.entries: dict = {}
        self.current_ref: str | None = None
        self.inspection = None
        self.report = None
        self.layout_data = None
        self.collapsed: frozenset[str] = frozenset()
        self.expandable: set[str] = set()
        self.expanded_by_user = False  # see GraphNavigation
        self.error_dialog: QMessageBox | None = None
        self.file_opener = ModelFileOpener(self.runner, self)
        self.graph_summary = ""  # the status line for the catalog's network (see _inspected)
        self._pending_select: str | None = None
        self._pending_options: dict | None = None

        self.catalog = CatalogPanel()
        self.bar = ModelBar()
        self.banner = Banner()
        self.progress = QProgressBar(textVisible=False, maximumHeight=3)
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.graph = GraphView()
        self.table = TablePanel()
        self.details = DetailsPanel()
        self.charts = ChartsPanel()
        self.compare = ComparePanel(self.runner)
        self.tabs = QTabWidget(documentMode=True)
        self.gradients = GradientShading(self.graph)
        self._gradients_wanted = None  # the network show_gradients asked for, until shown
        self._split_before_lesson = None  # graph/table sizes before show_lesson took them
        self.prefer_gradients = False  # shade by gradients whenever offered (remembered)
        self._early_gradients: list = []  # (snapshot, show) sent before the zoo was loaded
        self.details.set_gradient_source(
            lambda key: self.gradients.note_for(self.report, key) if self.report else None)
        self._build()
        self._share_room()
        self._build_actions()
        self._connect()
        self._restore()
        self.runner.busy_changed.connect(self.progress.setVisible)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        # Load the zoo once the window is on screen: it imports torch, which takes seconds.
        QTimer.singleShot(0, self._load_catalog)

    # ----------------------------------------------------------------- build
    def _build(self) -> None:
        self.graph_split = QSplitter(Qt.Orientation.Vertical)
        self.graph_split.addWidget(self.graph)
        self.graph_split.addWidget(self.table)
        self.graph_split.setStretchFactor(0, 3)
        self.graph_split.setStretchFactor(1, 2)
        self.graph_split.setSizes([480, 260])
        self.details_split = QSplitter(Qt.Orientation.Horizontal)
        self.details_split.addWidget(self.graph_split)
        details_box = QWidget()
        col = QVBoxLayout(details_box)
        col.setContentsMargins(14, 12, 10, 8)
        heading = QLabel("DETAILS")
        heading.setProperty("role", "heading")
        col.addWidget(heading)
        col.addWidget(self.details, 1)
        self.details_split.addWidget(details_box)
        self.details_split.setStretchFactor(0, 1)
        self.details_split.setCollapsible(1, False)
        self.details_split.setSizes([800, DETAILS_MIN])
        self.tabs.addTab(self.details_split, "Graph && layers")
        self.tabs.addTab(self.charts, "Charts")
        self.tabs.addTab(self.compare, "Compare")
        # The "look inside" panel builds real networks (with weights) on the CPU, so it is made
        # on first use and follows the catalog only while it is on screen.
        self.inside_page = QWidget()
        QVBoxLayout(self.inside_page).setContentsMargins(0, 0, 0, 0)
        self.inside_panel = None
        self._inside_target = None  # (ref, options) the panel shows
        self._keep_inside = False  # the panel shows a lab model until another pick here
        self.tabs.addTab(self.inside_page, "Look inside")

        center = QWidget()
        c = QVBoxLayout(center)
        c.setContentsMargins(0, 0, 0, 0)
        c.setSpacing(0)
        c.addWidget(self.bar)
        c.addWidget(self.progress)
        banner_row = QVBoxLayout()
        banner_row.setContentsMargins(14, 8, 14, 0)
        banner_row.addWidget(self.banner)
        c.addLayout(banner_row)
        c.addWidget(self.tabs, 1)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(self.catalog)
        self.main_split.addWidget(center)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([CATALOG_WIDTH, 1000])
        self.main_split.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.main_split)


    def _connect(self) -> None:
        self.catalog.entry_selected.connect(self.end_lesson)
        self.catalog.entry_selected.connect(self.select_arch)
        self.file_opener.chosen.connect(self.open_ref)
        self.file_opener.chosen.connect(lambda _ref: self.graph.set_busy(None))
        self.file_opener.cancelled.connect(lambda: self.graph.set_busy(None))
        self.file_opener.failed.connect(self._file_failed)
        self.graph.busy_cancelled.connect(self.file_opener.cancel)
        self.catalog.open_file_requested.connect(self._open_file_dialog)
        self.catalog.twin_requested.connect(self._compare_twin)
        self.bar.request_changed.connect(self._reinspect)
        self.bar.shade_changed.connect(self._shade_changed)
        self.bar.collapse_button.clicked.connect(self._collapse_pressed)
        self.bar.expand_button.clicked.connect(self._expand_pressed)
        self.bar.fit_button.clicked.connect(self.fit_view)
        self.graph.selection_changed.connect(self._graph_selected)
        self.graph.graph_scene.expand_requested.connect(self.expand_block)
        self.graph.graph_scene.collapse_requested.connect(self.collapse_block)
        self.graph.context_menu_requested.connect(self._graph_menu)
        self.table.selection_changed.connect(self._table_selected)
        self.table.context_menu_requested.connect(self._table_menu)
        self.charts.unit_clicked.connect(self._chart_clicked)
        self.compare.status_message.connect(self.status_message)
        self.tabs.currentChanged.connect(lambda i: settings.write("arch/tab", TABS[i]))
        self.tabs.currentChanged.connect(lambda _i: self._sync_inside())
        self.tabs.currentChanged.connect(self._tab_changed)

    def _restore(self) -> None:
        self.restore_shading()
        tab = settings.read_str("arch/tab", "graph", TABS)
        self.tabs.setCurrentIndex(TABS.index(tab))
        self._tab_changed()
        self.restore_room()

    def _tab_changed(self, index: int = -1) -> None:
        self.bar.set_compare_mode(self.tabs.currentWidget() is self.compare)
        if index >= 0:  # a tab the user turned to, not the one restored at start
            self.announce_summary()

    def announce_summary(self) -> None:
        """Say in the status line what the tab in view shows: the pair on the Compare tab
        (nothing until both are inspected: the other tabs' network is not on screen there),
        the catalog's network on the others."""
        on_compare = self.tabs.currentWidget() is self.compare
        self.status_message.emit(self.compare.summary() if on_compare else self.graph_summary)

    def _retheme(self, pal) -> None:
        self.tabs.setTabIcon(0, icons.icon("architectures", pal.muted, pal.accent, 18))
        self.tabs.setTabIcon(1, icons.icon("chart", pal.muted, pal.accent, 18))
        self.tabs.setTabIcon(2, icons.icon("compare", pal.muted, pal.accent, 18))
        self.tabs.setTabIcon(3, icons.icon("eye", pal.muted, pal.accent, 18))
        self.progress.setStyleSheet(
            f"QProgressBar {{ border: none; background: transparent; }}"
            f"QProgressBar::chunk {{ background: {pal.accent}; }}")

    # -------------------------------------------------------------- contract
    @classmethod
    def can_open(cls, path: Path) -> bool:
        """A Python model file (the same answer the window routes drops by)."""
        return is_model_file(path)

    def open_paths(self, paths: list[Path]) -> None:
        """Open model files (.py); each is listed under "Your model files"."""
        for path in paths:
            if self.can_open(path):
                self.open_model_file(Path(path))

    def menu_actions(self) -> list[QAction]:
        return list(self.export_actions.values())

    def shortcut_rows(self) -> list[tuple[str, str]]:
        return [("Zoom the graph", "Mouse wheel / pinch"), ("Pan the graph", "Drag / trackpad"),
                ("Expand a collapsed block", "Click its + or double-click it"),
                ("Collapse an expanded block", "Click its frame's header")]

    def shutdown(self) -> None:
        """Stop the workers (waiting for a running inspection) and remember the layout."""
        self.runner.shutdown()
        if self.inside_panel is not None:
            self.inside_panel.shutdown()
        self.remember_room()


    # ------------------------------------------------------------ view menu
    def zoom_in(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self.graph).zoom_in()

    def zoom_out(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self.graph).zoom_out()

    def fit_view(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self.graph).fit_view()

    def _collapse_pressed(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self).collapse_all()

    def _expand_pressed(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self).expand_all()

    def _compare_twin(self, twin: str) -> None:
        if self.current_ref and twin:
            self.tabs.setCurrentWidget(self.compare)
            self.compare.compare(twin, self.current_ref)

    # ---------------------------------------------------------- look inside
    def look_inside(self):
        """The "look inside" panel, made on first use."""
        if self.inside_panel is None:
            from cnnviz.ui.probe import LookInsidePanel

            self.inside_panel = LookInsidePanel(self.inside_page)
            self.inside_panel.status_message.connect(self.status_message)
            self.inside_page.layout().addWidget(self.inside_panel)
        return self.inside_panel

    def keep_inside(self) -> None:
        """Keep what the panel is about to show (a network trained in the lab) until another
        network is picked here: neither the tab's opening nor an inspection that finishes
        later replaces it with the catalog's."""
        self._keep_inside = True

    def _sync_inside(self) -> None:
        """Show the catalog's network in the panel when the panel is the current tab."""
        if self.tabs.currentWidget() is not self.inside_page or self.inspection is None:
            return
        if self._keep_inside:
            return
        options = self.bar.options() or None
        target = (self.inspection.ref, options)
        if self._inside_target != target:
            self._inside_target = target
            self.look_inside().set_architecture(*target)
