"""Which network Look inside shows, with which weights: built from the catalog, received
from the training lab, or given published or saved weights; each is prepared on the panel's
model thread and arrives here on the GUI thread.

:class:`NetworkFlow` is a part of :class:`~cnnviz.ui.probe.panel.LookInsidePanel` (a mixin
listed before ``QWidget``); it relies on the panel's ``worker`` (a ProbeWorker), ``header``,
``weights_bar``, ``banner``, ``filters_view``, ``maps``, and on ``_run_image``,
``_show_probe``, ``_unit_clicked``, ``_failed`` and ``_say``.
"""

from __future__ import annotations

from pathlib import Path


from cnnviz.core.errors import CnnvizError
from cnnviz.ui.probe import jobs, units
from cnnviz.ui.probe.accepts import WEIGHTS_SUFFIXES
from cnnviz.ui.widgets.file_dialogs import ask_open_file

WEIGHTS_FILTER = f"PyTorch weights ({' '.join('*' + s for s in WEIGHTS_SUFFIXES)})"


class NetworkFlow:
    """The network and its weights: what a host sets, the weights menu, and the results."""

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
            path = ask_open_file(self, "Load Weights", "weights", WEIGHTS_FILTER)
            if path is not None:
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

    # --- the network's results arriving on the GUI thread ----------------------------

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
    """The catalog's name for architecture ``ref`` ("Plain-20" for "plain20"); an
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
