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
from PySide6.QtWidgets import QFileDialog, QFrame, QTabWidget, QVBoxLayout, QWidget

from cnnviz.core.errors import CnnvizError
from cnnviz.ui.probe import jobs, units
from cnnviz.ui.probe.checks import AnswerChecks
from cnnviz.ui.probe.chrome import SideColumnSplitter
from cnnviz.ui.widgets.banner import Banner
from cnnviz.ui.probe.filters_view import FiltersView
from cnnviz.ui.probe.header import PanelHeader
from cnnviz.ui.probe.maps_page import MapsPage
from cnnviz.ui.probe.seen_column import SeenColumn
from cnnviz.ui.probe.worker import ProbeWorker
from cnnviz.ui.theme import Palette, theme_manager

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)"
WEIGHTS_SUFFIXES = (".pth", ".pt", ".bin", ".ckpt")


class LookInsidePanel(QWidget):
    """Activations, filters, receptive fields and predictions for one network and picture."""

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

    # --- what a host calls ------------------------------------------------------------

    def set_architecture(self, ref: str, options: dict | None = None) -> None:
        """Show ``ref`` (zoo name, torchvision name or file.py:Class) with random weights."""
        self._ref, self._options = ref, dict(options or {})
        self._catalog = (ref, dict(self._options))
        self._reset_network(f"Building {_display_name(ref)}…")
        self.worker.run_model(jobs.build_network, ref, self._options, key="network",
                              on_done=self._network_ready, on_error=self._network_failed)

    def set_model(self, module, ref: str, options: dict | None = None, label: str | None = None,
                  class_names: list[str] | None = None, *, mean=None, std=None,
                  image_size: int | None = None, channels: int | None = None,
                  data_size: int | None = None, owned: bool = False) -> None:
        """Look inside ``module``, a network of architecture ``ref`` built with the zoo
        builder's ``options`` (batch_norm, activation, init) and trained elsewhere.

        Unless ``owned`` (the caller hands over a CPU copy nobody else uses, as the lab
        does), the weights are copied now, to the CPU in the normal layout (``module`` may be
        on a GPU or in channels-last; nothing may train it during the call); ``module`` is not
        changed.  ``label`` (e.g. "plain20, step 400 of run 2026-11-28_0612") is shown in the
        header, ``class_names`` name the outputs (the lab's data set; without them they are
        numbered), and ``mean``/``std`` are the normalisation it was trained with (the
        catalog's for its input size otherwise).  ``image_size`` and ``channels`` are the
        input it was trained on (the lab's run): pictures are then fed at that size, as the
        lab fed them, and the header says so; without them the catalog's input is used.
        ``data_size`` is the side of the run's data set when the lab padded its pictures to
        ``image_size`` (MNIST for LeNet-5): pictures get the same black border.  A
        module that is not ``ref`` with ``options``, or does not read ``channels``, is
        refused with a sentence.
        """
        from cnnviz.core.probe import cpu_copy

        model = module.eval() if owned else cpu_copy(module)
        self._lab = jobs.LabModel(model, ref, dict(options or {}), label or jobs.LAB_LABEL,
                                  tuple(class_names or ()), _floats(mean), _floats(std),
                                  _size(image_size), _size(channels), _size(data_size))
        self._ref, self._options = ref, dict(self._lab.options)
        self._reset_network(f"Receiving the trained {_display_name(ref)}…")
        self._adopt_lab(self._network_failed)

    def back_to_catalog(self) -> None:
        """Leave the lab's model for the catalog's network (the explorer's last choice, or
        the lab model's architecture with fresh weights); the lab model stays in the menu."""
        target = self._catalog or (self._lab and (self._lab.ref, self._lab.options))
        if target:
            self.set_architecture(*target)

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
        """Take dropped files: a picture, a pipeline JSON file or a weights file."""
        from cnnviz.core.augment import IMAGE_SUFFIXES

        for path in paths:
            suffix = path.suffix.lower()
            if suffix in IMAGE_SUFFIXES:
                self.set_image(path)
            elif suffix == ".json":
                self.checks.load_pipeline_file(path)
            elif suffix in WEIGHTS_SUFFIXES:
                self.load_weights_path(path)
            else:
                self.banner.show_message(f"{path.name} is not a picture, a pipeline or a "
                                         "weights file, so there is nothing to look at.")

    def shutdown(self) -> None:
        """Stop a running download and wait for the worker threads."""
        self.worker.shutdown()

    # --- weights ----------------------------------------------------------------------

    def download_weights(self, choice, directory: Path | None = None) -> None:
        """Fetch the published weights ``choice`` (a WeightsChoice) into the cache (or
        ``directory``) with a progress bar, then load them."""
        if self.network is None:
            return
        name = choice.file_name
        self.weights_bar.show_progress((0, 0), name)
        self._say(f"Downloading {name}…")

        def fetched(path: Path) -> None:
            self.weights_bar.show_progress(None)
            self.load_weights_path(path, choice.categories, "imagenet",
                                   f"Published weights {choice.name}")

        def failed(exc, tb) -> None:
            self.weights_bar.show_progress(None)
            self.weights_bar.revert()
            self._failed(exc, tb)

        self._download_name = name
        self.worker.download(choice.url, directory, on_done=fetched, on_error=failed)

    def load_weights_path(self, path: str | Path, categories: tuple[str, ...] = (),
                          kind: str = "file", label: str | None = None) -> None:
        """Load a saved state dict into the current network (a new copy of it)."""
        if self.network is None:
            self.banner.show_message("Choose a network before loading weights into it.")
            return
        self._say(f"Loading {Path(path).name}…")

        def failed(exc, tb) -> None:
            self.weights_bar.revert()
            self._failed(exc, tb)

        self.worker.run_model(jobs.with_weights_file, self.network, Path(path), tuple(categories),
                              kind, label, key="network", on_done=self._network_ready,
                              on_error=failed)

    def _weights_chosen(self, kind: str) -> None:
        net = self.network
        if net is None:
            return
        if kind == "random":
            self.worker.run_model(jobs.with_random_weights, net, key="network",
                                  on_done=self._network_ready, on_error=self._failed)
        elif kind == "imagenet" and net.published is not None:
            self.download_weights(net.published)
        elif kind == "lab" and self._lab is not None:
            self._adopt_lab(self._failed)
        elif kind == "file":
            path, _ = QFileDialog.getOpenFileName(self, "Load Weights", "",
                                                  "PyTorch weights (*.pth *.pt *.bin *.ckpt)")
            if path:
                self.load_weights_path(path)
            else:
                self.weights_bar.revert()

    def _adopt_lab(self, on_error) -> None:
        lab = self._lab
        self.worker.run_model(jobs.adopt_model, lab.model, lab.ref, lab.options, lab.label,
                              lab.class_names, lab.mean, lab.std, lab.image_size, lab.channels,
                              lab.data_size, key="network", on_done=self._network_ready, on_error=on_error)

    def _download_progress(self, done: int, total: int) -> None:
        self.weights_bar.show_progress((done, total), self._download_name)

    # --- results arriving on the GUI thread -------------------------------------------

    def _reset_network(self, message: str) -> None:
        self.network = self.probe = self.report = None
        self._rf_ids = {}
        self._show_probe(None)
        self.banner.dismiss()
        self.weights_bar.setEnabled(False)
        self.header.show_network(self._ref)
        self.header.show_lab(None)
        self._say(message)

    def _network_ready(self, net: jobs.Network) -> None:
        previous = self.network
        self.network = net
        on_lab = net.weights == "lab"
        self.header.show_network(net.display_name, net.input_shape,
                                 "Weights trained in the lab" if on_lab else net.weights_label)
        lab = self._lab if self._lab is not None and self._lab.ref == net.ref else None
        self.weights_bar.set_offers(net.published, lab and f"Trained in the lab: {lab.label}",
                                    net.weights, net.weights_label)
        on_lab = on_lab and lab is not None
        self.header.show_lab(lab.label if on_lab else None, net.categories if on_lab else (),
                             net.input_shape if on_lab and net.trained_input else None,
                             tuple(net.spec.input_shape))
        self.weights_bar.setEnabled(True)
        self.filters_view.set_filters(net.filters, net.weights_label)
        self._say(ready_message(net))
        self._run_image()
        if previous is None or _layout(previous) != _layout(net):
            # After the image, on the model thread: torch.fx tracing patches nn.Module.__call__
            # for the whole process, so it must never overlap a forward pass.
            self.report, self._rf_ids, self._report_problem = None, {}, ""
            self.worker.run_model(jobs.inspect_network, net, key="report",
                                  on_done=lambda r, n=net: self._report_ready(n, r),
                                  on_error=self._report_failed)

    def _network_failed(self, exc, tb) -> None:
        self.header.show_network(self._ref, None, "This network could not be built")
        self._failed(exc, tb)

    def _report_ready(self, net: jobs.Network, report) -> None:
        if self.network is None or _layout(net) != _layout(self.network):
            return
        self.report = report
        self._rf_ids = units.receptive_ids(report)
        if self._pending_unit is not None:
            self._unit_clicked(*self._pending_unit)

    def _report_failed(self, exc, _tb) -> None:
        why = exc if isinstance(exc, CnnvizError) else type(exc).__name__
        self._report_problem = f"Receptive fields are not available for this network ({why})."
        self.maps.unit_info.setText(self._report_problem)

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
        self.checks.set_probe(probe)

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
        path, _ = QFileDialog.getOpenFileName(self, "Open Image", "", IMAGE_FILTER)
        if path:
            self.set_image(Path(path))

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


def ready_message(net: jobs.Network) -> str:
    """The status line once ``net`` is ready: its display name and its weights, with names
    in the weights' label ("Plain-20", "ImageNet") kept as they are written."""
    if net.weights == "lab":
        return f"{net.display_name} ready with weights trained in the lab: {net.weights_label}."
    label = net.weights_label
    first = label.split(" ", 1)[0]
    if first[1:] == first[1:].lower() and not any(c.isdigit() for c in first):
        label = label[:1].lower() + label[1:]  # "Random weights" reads "random weights"
    return f"{net.display_name} ready with {label}."


def _display_name(ref: str) -> str:
    """The catalog's name for architecture ``ref`` ("Plain-20 (CIFAR)" for "plain20"); an
    unknown ref is shown as given (building it then reports the problem)."""
    from cnnviz.core.zoo import resolve

    try:
        return resolve(ref).display_name
    except Exception:  # noqa: BLE001 - the build that follows says what is wrong
        return ref


def _floats(values) -> tuple[float, ...]:
    return tuple(float(v) for v in values) if values is not None else ()


def _size(value) -> int | None:
    return int(value) if value else None


def _layout(net: jobs.Network) -> tuple:
    """What the engine's report (receptive fields, output shapes) depends on."""
    return net.ref, net.options, net.input_shape
