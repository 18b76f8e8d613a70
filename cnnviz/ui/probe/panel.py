"""Look inside a network: what each layer makes of the user's own picture.

:class:`LookInsidePanel` is self-contained; a host gives it an architecture
(:meth:`~LookInsidePanel.set_architecture`), a trained model
(:meth:`~LookInsidePanel.set_model`), a picture (:meth:`~LookInsidePanel.set_image`, a drop,
or Open image…) and an augmentation pipeline (:meth:`~LookInsidePanel.set_pipeline`), and
listens to ``status_message``.  The image runs through the network once, on a worker thread;
every layer's output is kept, so switching layers only draws.  Call
:meth:`~LookInsidePanel.shutdown` before the window closes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QTabWidget, QVBoxLayout, QWidget

from cnnviz.core.augment.image_io import IMAGE_SUFFIXES
from cnnviz.core.errors import CnnvizError
from cnnviz.ui.probe import jobs, units
from cnnviz.ui.probe.accepts import can_open, file_kind
from cnnviz.ui.probe.checks import AnswerChecks
from cnnviz.ui.probe.chrome import SideColumnSplitter
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.probe.filters_view import FiltersView
from cnnviz.ui.probe.header import PanelHeader
from cnnviz.ui.probe.maps_page import MapsPage
from cnnviz.ui.probe.network_flow import NetworkFlow
from cnnviz.ui.probe.seen_column import SeenColumn
from cnnviz.ui.probe.worker import ProbeWorker
from cnnviz.ui.theme import Palette, theme_manager
from cnnviz.ui.widgets.file_dialogs import ask_open_file

# The Open image… dialog offers what a drop takes (accepts.file_kind), every suffix the loader reads.
IMAGE_FILTER = f"Images ({' '.join('*' + s for s in sorted(IMAGE_SUFFIXES))})"


class LookInsidePanel(NetworkFlow, QWidget):
    """Activations, filters, receptive fields and predictions for one network and picture.

    Choosing the network and its weights is :class:`NetworkFlow`'s part (set_architecture,
    set_model, back_to_catalog, download_weights, load_weights_path)."""

    status_message = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.worker = ProbeWorker(self)
        self.network: jobs.Network | None = None
        self.probe: jobs.ImageProbe | None = None
        self.report = None
        self.image: np.ndarray | None = None
        self.image_name = ""
        self._ref: str | None = None
        self._options: dict = {}
        self._lab: jobs.LabModel | None = None  # a model sent from the training lab
        self._catalog: tuple[str, dict] | None = None  # what the explorer last asked for
        self._rf_ids: dict[str, str] = {}
        self._report_problem = ""
        self._download_name = ""
        self._pending_unit: tuple[int, int, int] | None = None
        self._build()
        theme_manager().changed.connect(self._apply_palette)
        self._apply_palette(theme_manager().palette)
        self.worker.busy_changed.connect(self._busy_changed)
        self.worker.download_progress.connect(self._download_progress)

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.header = PanelHeader()
        self.header.open_button.clicked.connect(self._open_image_dialog)
        self.header.back_requested.connect(self.back_to_catalog)
        self.weights_bar = self.header.weights_bar
        self.weights_bar.chosen.connect(self._weights_chosen)
        self.banner = Banner()
        self.seen = SeenColumn()
        self.input_view, self.predictions = self.seen.input_view, self.seen.predictions

        self.maps = MapsPage()
        self.maps.unit_clicked.connect(self._unit_clicked)
        self.maps.drawn.connect(lambda: self.input_view.set_box(None))
        self.layer_list, self.grid_view = self.maps.layer_list, self.maps.grid_view
        self.stats_strip = self.maps.stats_strip

        self.filters_view = FiltersView()
        self.checks = AnswerChecks(self.worker, self)
        self.checks.failed.connect(self._failed)
        self.checks.problem.connect(self.banner.show_message)
        self.tencrop_view = self.checks.tencrop_view
        self.invariance_view = self.checks.invariance_view
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.maps, "Feature maps")
        self.tabs.addTab(self.filters_view, "First-layer filters")
        self.tabs.addTab(self.tencrop_view, "Ten-crop")
        self.tabs.addTab(self.invariance_view, "Invariance check")
        self.tabs.currentChanged.connect(lambda _i: self.checks.shown(self.tabs.currentWidget()))
        right = QFrame()
        right.setProperty("card", True)
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(2, 2, 2, 2)
        right_col.addWidget(self.tabs)

        self.body = body = SideColumnSplitter(0.22, 215, 330)
        body.addWidget(self.seen)
        body.addWidget(right)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(body, 1)

    def _apply_palette(self, pal: Palette) -> None:
        self.maps.apply_palette(pal)
        self.filters_view.set_background(pal.canvas)
        self.update()

    # --- what a host calls (the network's part is NetworkFlow's) ----------------------

    @classmethod
    def can_open(cls, path: Path) -> bool:
        """Whether :meth:`open_paths` takes ``path``; see
        :func:`cnnviz.ui.probe.accepts.can_open`."""
        return can_open(path)

    def set_image(self, image: str | Path | np.ndarray, name: str | None = None) -> None:
        """Run a picture through the network: a file path (read on a worker) or an RGB uint8
        array.  A file that cannot be read shows one sentence in the panel."""
        if isinstance(image, np.ndarray):
            self._image_ready((image, name or "picture"))
            return
        from cnnviz.core.augment import load_image

        path = Path(image)
        self._say(f"Opening {path.name}…")
        self.worker.run_file(lambda: (load_image(path), path.name), key="image",
                             on_done=self._image_ready, on_error=self._failed)

    def set_pipeline(self, pipeline, source: str = "from the augmentation studio") -> None:
        """Use ``pipeline`` (a :class:`cnnviz.core.augment.Pipeline`) for the invariance check;
        ``source`` says where it came from."""
        self.checks.set_pipeline(pipeline, source)

    @property
    def pipeline(self):
        return self.checks.pipeline

    @property
    def pipeline_source(self) -> str:
        return self.checks.pipeline_source

    def open_paths(self, paths: list[Path]) -> None:
        """Take dropped files: a picture, a pipeline JSON file or a weights file
        (:func:`cnnviz.ui.probe.accepts.can_open` says which files these are)."""
        for path in paths:
            kind = file_kind(path)
            if kind == "image":
                self.set_image(path)
            elif kind == "pipeline":
                self.checks.load_pipeline_file(path)
            elif kind == "weights":
                self.load_weights_path(path)
            else:
                self.banner.show_message(f"{path.name} is not a picture, a pipeline or a "
                                         "weights file, so there is nothing to look at.")

    def shutdown(self) -> None:
        """Stop a running download and wait for the worker threads."""
        self.worker.shutdown()

    # --- the picture's results arriving on the GUI thread -----------------------------

    def _image_ready(self, loaded) -> None:
        image, name = loaded
        self.image, self.image_name = np.ascontiguousarray(image), name
        self.banner.dismiss()
        self._run_image()

    def _run_image(self) -> None:
        if self.network is None or self.image is None:
            return
        self._say(f"Running {self.image_name} through {self.network.display_name}…")
        self.worker.run_model(jobs.probe_image, self.network, self.image, key="probe",
                              on_done=self._probe_ready, on_error=self._failed)

    def _probe_ready(self, probe: jobs.ImageProbe) -> None:
        if probe.network is not self.network or probe.image is not self.image:
            return  # computed for a network or picture no longer shown
        self._show_probe(probe)
        self._say(f"{self.image_name}: {len(probe.layers)} layers with feature maps, "
                  f"kept in memory ({probe.acts.nbytes / 1e6:.0f} MB).")

    def _show_probe(self, probe: jobs.ImageProbe | None) -> None:
        self.probe = probe
        self._pending_unit = None
        self.seen.show_probe(probe, self.image_name, waiting=self.image is not None)
        self.maps.set_probe(probe)
        self.checks.set_probe(probe, self.image_name)

    # --- layers and units -------------------------------------------------------------

    @property
    def layer(self) -> str | None:
        """The layer whose maps are shown."""
        return self.maps.layer

    def select_layer(self, name: str) -> None:
        """Show ``name``'s feature maps (a layer with feature maps of the current picture)."""
        self.maps.select_layer(name)

    def _unit_clicked(self, channel: int, row: int, col: int) -> None:
        if self.layer is None or self.probe is None:
            return
        if self.report is None:
            self._pending_unit = (channel, row, col)
            self.maps.unit_info.setText(self._report_problem or "Working out receptive fields…")
            return
        self._pending_unit = None
        box, text = units.unit_region(self.report, self._rf_ids, self.layer,
                                      self.probe.acts.get(self.layer), channel, row, col)
        self.input_view.set_box(box)
        self.maps.unit_info.setText(text)

    # --- files, drops, messages -------------------------------------------------------

    def _open_image_dialog(self) -> None:
        path = ask_open_file(self, "Open Image", "images", IMAGE_FILTER)
        if path is not None:
            self.set_image(path)

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths[:1])

    def _failed(self, exc, tb: str) -> None:
        if isinstance(exc, CnnvizError):
            text = str(exc)
        else:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            text = f"Something went wrong ({detail}); try another picture or network."
        self.banner.show_message(text)
        self._say(text)

    def _say(self, text: str) -> None:
        self.status_message.emit(text)

    def _busy_changed(self, busy: bool) -> None:
        self.header.busy.setVisible(busy)


