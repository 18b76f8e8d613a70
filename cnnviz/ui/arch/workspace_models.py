"""Which network the Architectures workspace shows: the zoo catalog, model files, and the
inspection that turns a pick into a report on screen.

:class:`ModelLoading` is mixed into :class:`~cnnviz.ui.arch.workspace.ArchitecturesWorkspace`;
it uses the workspace's runner, catalog, model bar, graph, table, charts, details panel and
banner.  Inspections run on the workspace's one-thread runner, so a newer pick replaces a
queued one and never races a running one.
"""

from __future__ import annotations

import sys
from pathlib import Path


from cnnviz.core.errors import CnnvizError
from cnnviz.core.inspect.depth import weighted_layers
from cnnviz.ui import settings
from cnnviz.ui.arch import engine
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.model_file import ClassChooserDialog
from cnnviz.ui.widgets.dialogs import error_box
from cnnviz.ui.widgets.file_dialogs import ask_open_file
from cnnviz.ui.file_kinds import MODEL_FILE_FILTER

DEFAULT_ARCH = "resnet18"


class ModelLoading:
    """Load the zoo, pick a network (``select_arch``), open model files, show reports."""

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
        self.bar.set_catalog_size(len(entries))
        self.point_at_catalog()
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
        if self.current_ref is not None and ref != self.current_ref:
            self._keep_inside = False  # another network picked: the panel follows it again
            self._inside_target = None
        self.current_ref = ref
        merged = {**entry.options, **options} if options else None
        self._show_header(entry, entry.input_shape, entry.num_classes, merged or entry.options)
        self._inspect(ref, entry.input_shape, entry.num_classes, merged)

    def _show_header(self, entry, input_shape, num_classes, options: dict) -> None:
        """Name ``entry`` in the model bar with these inputs and switches."""
        subtitle = "  ·  ".join(str(x) for x in (entry.family, entry.year) if x)
        self.bar.show_entry(entry.display_name, subtitle, input_shape, num_classes, options)

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
        self.expanded_by_user = False
        self.layout_data = result.layout
        entry = self.catalog.entries.get(result.ref)
        if entry is not None:
            self._show_header(entry, report.input_shape, report.num_classes,
                              {**entry.options, **result.options})
            if entry.source != "file":  # a file may be gone next time; the zoo is always there
                settings.write("arch/last", result.ref)
        self.graph.show_graph(report, result.layout, self._frames(), self.bar.shade_mode())
        self._sync_gradients()
        self.table.set_report(report)
        self.table.view.scrollToTop()
        self.charts.set_report(report, result.default_collapsed)
        self.details.show_model(report, entry)
        self.catalog.card.show_numbers(report)
        for act in self.export_actions.values():
            act.setEnabled(True)
        self.graph_summary = (
            f"{report.display_name}: {weighted_layers(report)} layers "
            f"({len(report.layers)} modules), "
            f"{fmt.count(report.totals.params)} parameters, "
            f"{fmt.count(report.totals.macs)} multiply-adds at {fmt.shape(report.input_shape)}")
        self.announce_summary()
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
        elif self.inspection.ref != self.current_ref:
            self._back_to_shown()

    def _back_to_shown(self) -> None:
        """After a pick that could not be shown, name the network still on screen again in
        the catalog, its card and the model bar, so every view speaks of the same one."""
        shown = self.inspection
        entry = self.catalog.entries.get(shown.ref)
        self.current_ref = shown.ref
        self.catalog.select_ref(shown.ref, emit=False)
        self.catalog.card.show_numbers(self.report)
        if entry is not None:
            self._show_header(entry, self.report.input_shape, self.report.num_classes,
                              {**entry.options, **shown.options})

    # ----------------------------------------------------------- model files
    def _open_file_dialog(self) -> None:
        file = ask_open_file(self, "Open Model File", "models", MODEL_FILE_FILTER)
        if file is not None:
            self.open_model_file(file)

    def open_model_file(self, path: Path) -> None:
        """List the networks ``path`` holds (a .py file, or a network PyTorch saved); open the
        only one or ask which (non-blocking).  The busy pill over the graph offers Cancel,
        after which the file's result is ignored."""
        path = Path(path)
        busy = (f"Running {path.name} to find its networks…" if path.suffix.lower() == ".py"
                else f"Loading {path.name}…")
        self.graph.set_busy(busy, cancellable=True)
        self.file_opener.open(path)

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
