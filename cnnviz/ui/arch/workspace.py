"""The Architectures workspace: pick a network, see its graph, table, details, charts; compare.

The engine runs on a worker (:class:`~cnnviz.ui.widgets.tasks.TaskRunner`): picking a network
shows a busy pill over the current graph, and the new report replaces it when ready.  This
module does not import torch; the first inspection does, on the worker thread.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.errors import CnnvizError
from cnnviz.ui import settings
from cnnviz.ui.arch import engine
from cnnviz.ui.arch import export as exporting
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.catalog import CatalogPanel
from cnnviz.ui.arch.charts import ChartsPanel
from cnnviz.ui.arch.compare import ComparePanel
from cnnviz.ui.arch.details import DetailsPanel
from cnnviz.ui.arch.gradient_shade import GradientShading
from cnnviz.ui.arch.graph_scene import SHADES, inside
from cnnviz.ui.arch.graph_view import GraphView
from cnnviz.ui.arch.model_bar import ModelBar
from cnnviz.ui.arch.model_file import ClassChooserDialog, ModelFileOpener
from cnnviz.ui.arch.table_panel import TablePanel
from cnnviz.ui.arch.workspace_gradients import GradientViewing
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.widgets.dialogs import error_box
from cnnviz.ui.widgets.tasks import TaskRunner

DEFAULT_ARCH = "resnet18"
TABS = ("graph", "charts", "compare", "inside")


class ArchitecturesWorkspace(GradientViewing, QWidget):
    """See the workspace contract in the main window: TITLE, can_open, open_paths, shutdown.

    ``show_gradients(snapshot)`` / ``update_gradients(snapshot)`` colour the graph by a
    training run's gradient norms (see :mod:`cnnviz.ui.arch.workspace_gradients`)."""

    TITLE = "Architectures"
    status_message = Signal(str)
    report_shown = Signal(object)  # the ModelReport now on screen

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
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
        self.error_dialog: QMessageBox | None = None
        self.file_opener = ModelFileOpener(self.runner, self)
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
        self._early_gradients: list = []  # (snapshot, show) sent before the zoo was loaded
        self.details.set_gradient_source(
            lambda key: self.gradients.note_for(self.report, key) if self.report else None)
        self._build()
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
        self.details_split.setSizes([800, 290])
        self.tabs.addTab(self.details_split, "Graph && layers")
        self.tabs.addTab(self.charts, "Charts")
        self.tabs.addTab(self.compare, "Compare")
        # The "look inside" panel builds real networks (with weights) on the CPU, so it is made
        # on first use and follows the catalog only while it is on screen.
        self.inside_page = QWidget()
        QVBoxLayout(self.inside_page).setContentsMargins(0, 0, 0, 0)
        self.inside_panel = None
        self._inside_target = None  # (ref, options) the panel shows
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
        self.main_split.setSizes([270, 1000])
        self.main_split.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.main_split)

    def _build_actions(self) -> None:
        self.export_actions: dict[str, QAction] = {}
        for key, (label, _filter) in exporting.FORMATS.items():
            act = QAction(f"Export {label}…", self)
            act.triggered.connect(lambda _=False, k=key: self.export(k))
            act.setEnabled(False)
            self.export_actions[key] = act
        menu = QMenu(self)
        for act in self.export_actions.values():
            menu.addAction(act)
        self.bar.export_button.setMenu(menu)

    def _connect(self) -> None:
        self.catalog.entry_selected.connect(self.select_arch)
        self.file_opener.chosen.connect(self.open_ref)
        self.file_opener.chosen.connect(lambda _ref: self.graph.set_busy(None))
        self.file_opener.cancelled.connect(lambda: self.graph.set_busy(None))
        self.file_opener.failed.connect(self._file_failed)
        self.catalog.open_file_requested.connect(self._open_file_dialog)
        self.catalog.twin_requested.connect(self._compare_twin)
        self.bar.request_changed.connect(self._reinspect)
        self.bar.shade_changed.connect(self._shade_changed)
        self.bar.collapse_button.clicked.connect(self.collapse_all)
        self.bar.expand_button.clicked.connect(self.expand_all)
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

    def _restore(self) -> None:
        self.bar.set_shade_mode(settings.read_str("arch/shade", "params", SHADES))
        tab = settings.read_str("arch/tab", "graph", TABS)
        self.tabs.setCurrentIndex(TABS.index(tab))
        for key, splitter in (("arch/main_split", self.main_split), ("arch/graph_split", self.graph_split),
                              ("arch/details_split", self.details_split)):
            state = settings.app_settings().value(key)
            if state is not None:
                splitter.restoreState(state)

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
        path = Path(path)
        return path.suffix.lower() == ".py" and path.is_file()

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
        settings.write("arch/main_split", self.main_split.saveState())
        settings.write("arch/graph_split", self.graph_split.saveState())
        settings.write("arch/details_split", self.details_split.saveState())

    # --------------------------------------------------------------- catalog
    def _load_catalog(self) -> None:
        if self.runner.closed:  # the window closed before the event loop got here
            return
        self.graph.set_busy("Loading the architecture zoo…")
        self.runner.submit(engine.load_catalog, key="catalog", on_done=self._catalog_loaded,
                           on_error=self._catalog_failed)

    def _catalog_loaded(self, entries) -> None:
        self.entries = {e.ref: e for e in entries}
        self.catalog.set_entries(entries)
        self.compare.set_catalog(entries)
        self.graph.set_busy(None)
        wanted = self._pending_select or settings.read_str("arch/last", DEFAULT_ARCH)
        options, self._pending_select, self._pending_options = self._pending_options, None, None
        if wanted in self.catalog.entries and options:
            self.select_arch(wanted, options)
        elif wanted in self.catalog.entries:
            self.catalog.select_ref(wanted)
        elif DEFAULT_ARCH in self.catalog.entries:
            self.catalog.select_ref(DEFAULT_ARCH)
        early, self._early_gradients = self._early_gradients, []
        for snapshot, show in early:
            (self.show_gradients if show else self.update_gradients)(snapshot)

    def _catalog_failed(self, exc: BaseException, tb: str) -> None:
        self.graph.set_busy(None)
        self.graph.clear_graph("The architecture zoo could not be loaded.")
        self._show_error("The architecture zoo could not be loaded", exc, tb)

    def select_arch(self, ref: str, options: dict | None = None) -> None:
        """Show ``ref`` (a catalog entry) at its default input size and class count, built
        with ``options`` (the zoo builder's switches; None: the entry's defaults)."""
        entry = self.catalog.entries.get(ref)
        if entry is None:
            if not self.catalog.entries:  # the zoo is still loading; pick it when it arrives
                self._pending_select, self._pending_options = ref, options
                return
            raise KeyError(ref)
        if self.catalog.current_ref() != ref:
            self.catalog.select_ref(ref, emit=False)
        self.current_ref = ref
        if entry.source != "file":
            settings.write("arch/last", ref)
        subtitle = "  ·  ".join(str(x) for x in (entry.family, entry.year) if x)
        merged = {**entry.options, **options} if options else None
        self.bar.show_entry(entry.display_name, subtitle, entry.input_shape, entry.num_classes,
                            merged or entry.options)
        self._inspect(ref, entry.input_shape, entry.num_classes, merged)

    def _reinspect(self) -> None:
        if self.current_ref:
            self._inspect(self.current_ref, self.bar.input_shape(), self.bar.num_classes(),
                          self.bar.options())

    def _inspect(self, ref, input_shape, num_classes, options) -> None:
        name = self.entries.get(ref).display_name if ref in self.entries else ref
        self.graph.set_busy(f"Inspecting {name}…")
        self.runner.submit(engine.inspect, ref, input_shape, num_classes, options, key="main",
                           on_done=self._inspected, on_error=self._inspect_failed)

    def _inspected(self, result) -> None:
        self.graph.set_busy(None)
        self.banner.hide()
        self.inspection = result
        self.report = report = result.report
        self.collapsed = result.default_collapsed
        self.expandable = set(result.default_collapsed)
        self.layout_data = result.layout
        self.bar.show_entry(self.bar.title.text(), self.bar.subtitle.text(), report.input_shape,
                            report.num_classes, self.bar.options() or
                            (self.entries[result.ref].options if result.ref in self.entries else {}))
        self.graph.show_graph(report, result.layout, self._frames(), self.bar.shade_mode())
        self._sync_gradients()
        self.table.set_report(report)
        self.table.view.scrollToTop()
        self.charts.set_report(report, result.default_collapsed)
        entry = self.catalog.entries.get(result.ref)
        self.details.show_model(report, entry)
        self.catalog.card.show_numbers(report)
        for act in self.export_actions.values():
            act.setEnabled(True)
        self.status_message.emit(
            f"{report.display_name}: {len(report.layers)} layers, "
            f"{fmt.count(report.totals.params)} parameters, "
            f"{fmt.count(report.totals.macs)} multiply-adds at {fmt.shape(report.input_shape)}")
        self.report_shown.emit(report)
        self._sync_inside()

    def _inspect_failed(self, exc: BaseException, tb: str) -> None:
        self.graph.set_busy(None)
        if isinstance(exc, CnnvizError):
            self.banner.show_message(str(exc))
            self.status_message.emit(str(exc))
        else:
            self.banner.show_message(f"cnnviz could not inspect this network: {exc}")
            print(tb, file=sys.stderr)
        if self.report is None:
            self.graph.clear_graph("Nothing to show yet.")

    # ----------------------------------------------------------- model files
    def _open_file_dialog(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self, "Open Model File", settings.read_str("paths/models", str(Path.home())),
            "Python files (*.py)")
        if file:
            settings.write("paths/models", str(Path(file).parent))
            self.open_model_file(Path(file))

    def open_model_file(self, path: Path) -> None:
        """List the networks ``path`` defines; open the only one or ask which (non-blocking)."""
        self.graph.set_busy(f"Reading {path.name}…")
        self.file_opener.open(Path(path))

    @property
    def chooser(self) -> ClassChooserDialog | None:
        return self.file_opener.chooser

    def _file_failed(self, title: str, exc: BaseException, tb: str) -> None:
        self.graph.set_busy(None)
        self._show_error(title, exc, tb)

    def open_ref(self, ref: str) -> None:
        """Add a ``file.py:Class`` reference to the catalog and show it."""
        file, _, cls = ref.rpartition(":")
        self.catalog.add_file_entry(engine.CatalogEntry(
            ref=ref, display_name=f"{cls}  ({Path(file).name})", family="Your model file",
            note=f"{cls} from {file}", source="file"))
        self.catalog.select_ref(ref)

    def _show_error(self, title: str, exc: BaseException, tb: str = "") -> None:
        self.error_dialog = error_box(self, title, exc, tb)
        self.status_message.emit(f"{title}.")

    # --------------------------------------------------------------- blocks
    def _frames(self) -> set[str]:
        return {p for p in self.expandable if p not in self.collapsed}

    def _relayout(self, anchor_key: str | None, new_key: str | None, fresh: bool = False) -> None:
        from cnnviz.core.inspect import compute_layout

        point = self.graph.view_point_of(anchor_key) if anchor_key else None
        self.layout_data = compute_layout(self.report, collapsed=self.collapsed)
        self.graph.show_graph(self.report, self.layout_data, self._frames(), self.bar.shade_mode(),
                              fresh=fresh)
        self._paint_gradients()
        if point is not None and new_key:
            self.graph.align(new_key, point)

    def expand_block(self, path: str) -> None:
        """Show the layers of collapsed block ``path`` (its inner blocks stay collapsed)."""
        if self.report is None or path not in self.collapsed:
            return
        self.collapsed = self.collapsed - {path}
        self.expandable.add(path)
        self._relayout(path, path)
        self.status_message.emit(f"Expanded {path}; click its frame's header to collapse it again.")

    def collapse_block(self, path: str) -> None:
        if self.report is None or path in self.collapsed:
            return
        self.collapsed = self.collapsed | {path}
        self.expandable.add(path)
        self._relayout(path, path)
        self.graph.select_key(path, center=False)
        self._graph_selected(path)

    def collapse_all(self) -> None:
        if self.report is not None:
            self.collapsed = self.inspection.default_collapsed
            self._relayout(None, None, fresh=True)

    def expand_all(self) -> None:
        if self.report is not None:
            self.expandable |= set(self.collapsed)
            self.collapsed = frozenset()
            self._relayout(None, None, fresh=True)

    def _shade_changed(self, mode: str) -> None:
        if mode in SHADES:  # gradients last only as long as the run that sent them
            settings.write("arch/shade", mode)
        if self.report is not None:
            self.graph.set_shade(self.report, mode)
            self._paint_gradients()

    # ------------------------------------------------------------ selection
    def _is_layer(self, key: str) -> bool:
        return self.report is not None and key in self.report.graph.nodes

    def _graph_key_for_layer(self, layer_id: str) -> str | None:
        """The node that shows ``layer_id``: itself, or the collapsed block that hides it."""
        if layer_id in self.graph.graph_scene.nodes:
            return layer_id
        block = self.report.layer(layer_id).block
        hiding = [c for c in self.collapsed if c and inside(block, c)]
        return min(hiding, key=len) if hiding else None

    def _graph_selected(self, key: str | None) -> None:
        if self.report is None:
            return
        if key is None:
            self.table.select_key(None)
            self.details.show_model(self.report, self.catalog.entries.get(self.current_ref))
            return
        if self._is_layer(key):
            self.details.show_layer(self.report, self.report.layer(key))
            self.table.select_key(key if self.table.btn_layers.isChecked() else self.report.layer(key).block)
        else:
            self._show_block_details(key)
            if self.table.btn_layers.isChecked():
                first = next((l.id for l in self.report.layers if inside(l.block, key)), None)
                self.table.select_key(first)
            else:
                self.table.select_key(key)

    def _show_block_details(self, path: str) -> None:
        block = self.report.block(path)
        n = sum(1 for l in self.report.layers if inside(l.block, path))
        self.details.show_block(self.report, block, n, path in self.collapsed)

    def _table_selected(self, key: str | None) -> None:
        if self.report is None or key is None:
            return
        if self._is_layer(key):
            self.details.show_layer(self.report, self.report.layer(key))
            self.graph.select_key(self._graph_key_for_layer(key))
        else:
            self._show_block_details(key)
            target = key if key in self.graph.graph_scene.nodes else None
            if target is None:
                hiding = [c for c in self.collapsed if inside(key, c)]
                target = min(hiding, key=len) if hiding else next(
                    (l.id for l in self.report.layers if inside(l.block, key)
                     and l.id in self.graph.graph_scene.nodes), None)
            self.graph.select_key(target)

    def _chart_clicked(self, key: str) -> None:
        self.tabs.setCurrentIndex(0)
        if self._is_layer(key):
            self.graph.select_key(self._graph_key_for_layer(key))
            self._graph_selected(self._graph_key_for_layer(key))
        else:
            self.graph.select_key(key)
            self._graph_selected(key)

    def select_layer(self, key: str) -> None:
        """Select a layer (or block) as if clicked in the graph."""
        self.graph.select_key(key)
        self._graph_selected(key)

    # ---------------------------------------------------------- context menus
    def _graph_menu(self, menu: QMenu, key) -> None:
        if self.report is not None and key:
            if key in self.collapsed:
                menu.addAction(f"Expand {key}", lambda: self.expand_block(key))
            else:
                block = key if not self._is_layer(key) else self.report.layer(key).block
                parts = block.split(".") if block else []
                for i in range(len(parts), 0, -1):
                    path = ".".join(parts[:i])
                    menu.addAction(f"Collapse {path}", lambda p=path: self.collapse_block(p))
                    if len(parts) - i >= 2:
                        break
            menu.addSeparator()
        for act in self.export_actions.values():
            menu.addAction(act)

    def _table_menu(self, menu: QMenu) -> None:
        menu.addAction(self.export_actions["csv"])
        menu.addAction(self.export_actions["md"])

    # ---------------------------------------------------------------- export
    def export(self, kind: str, path: Path | None = None) -> Path | None:
        """Write the graph ("png", "svg") or the layer table ("csv", "md"); asks where when
        ``path`` is None.  Returns the path written, or None when cancelled or failed."""
        if self.report is None:
            return None
        stem = (self.current_ref or "model").rpartition(":")[2].replace("/", "_")
        path = path or exporting.ask_path(self, kind, stem)
        if path is None:
            return None
        try:
            exporting.export(kind, Path(path), self.graph.graph_scene, self.report)
        except CnnvizError as exc:
            self._show_error("Export failed", exc)
            return None
        self.status_message.emit(f"Saved {path}")
        return Path(path)

    # ------------------------------------------------------------ view menu
    def zoom_in(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self.graph).zoom_in()

    def zoom_out(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self.graph).zoom_out()

    def fit_view(self) -> None:
        (self.compare if self.tabs.currentWidget() is self.compare else self.graph).fit_view()

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

    def _sync_inside(self) -> None:
        """Show the catalog's network in the panel when the panel is the current tab."""
        if self.tabs.currentWidget() is not self.inside_page or self.inspection is None:
            return
        options = self.bar.options() or None
        target = (self.inspection.ref, options)
        if self._inside_target != target:
            self._inside_target = target
            self.look_inside().set_architecture(*target)

