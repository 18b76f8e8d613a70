"""What the Train workspace hands to the other workspaces: a trained model to look inside, and
each model's latest gradient norms for the explorer's graph.

:class:`Handoffs` keeps the run's models and their settings, fills the header's "Look inside"
and "Show in graph" menus (one entry per model) and sends :class:`GradientSnapshot` objects
at most :data:`SNAPSHOT_HZ` times a second while a run goes.  A model is only copied while
nothing trains it: after the run, or while the engine is parked at a pause and held there
until the copy is taken (off the GUI thread).  A past run's models are rebuilt from its
folder's configuration and saved weights, also off the GUI thread.  With the model go the
run's class names, normalisation and input (``image_size``, ``channels``), so Look inside
feeds it pictures the way the run fed its training images.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMenu

from cnnviz.core.errors import CnnvizError
from cnnviz.core.train.records import GradientSnapshot, ModelConfig
from cnnviz.core.train.run_weights import SavedWeights, weights_sentence
from cnnviz.ui.train.control_bar import ControlBar
from cnnviz.ui.train.names import model_title
from cnnviz.ui.train.series import RunSeries
from cnnviz.ui.widgets.tasks import TaskRunner

SNAPSHOT_HZ = 4

NO_MODELS = ("This run kept no weights (it was saved by an older cnnviz or by your own "
             "script), so its models cannot be looked inside.")
NOT_YET = "Train a model first; then look inside it here."
TRAINING = "Pause the run (or let it finish) to look inside a model: it is being trained now."
COPYING = "Taking a copy of the model…"
LOADING = "Loading the trained model from the run folder…"


def _load_trained(folder: Path, meta: dict, name: str, shown: str):
    """Model ``name`` of a past run, rebuilt with its saved weights (on a worker)."""
    from cnnviz.core.train import run_weights

    return run_weights.load_trained(folder, meta, name, shown)


def _cpu_copy(module, release: Callable[[], None] | None):
    """A CPU copy of ``module`` in evaluation mode; then ``release`` lets training go on."""
    from cnnviz.core.probe import cpu_copy

    try:
        return cpu_copy(module)
    finally:
        if release is not None:
            release()


class Handoffs(QObject):
    """The run's models for the other workspaces; see the module's docstring.

    Call :meth:`begin` when a run starts or a folder opens, :meth:`set_training` with the
    worker while it trains, :meth:`set_parked` as the engine parks at a pause or leaves it,
    :meth:`finish` when the run's thread has ended, :meth:`shutdown` before going away.
    """

    # module, arch, options, label, and the data it learnt from:
    # {"classes", "mean", "std", "image_size", "channels", "data_size"}
    look_inside = Signal(object, str, dict, str, dict)
    failed = Signal(str)                          # a sentence: a model could not be sent
    gradients_changed = Signal(object)            # GradientSnapshot
    show_gradients = Signal(object)               # GradientSnapshot

    def __init__(self, bar: ControlBar, parent=None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.run = RunSeries()
        self.configs: dict[str, ModelConfig] = {}
        self.modules: Mapping = {}
        self.run_label = ""
        self.when = ""
        self.folder: Path | None = None
        self.meta: dict = {}
        self.saved: dict[str, SavedWeights | None] = {}
        self.data: dict = {}
        self.worker = None
        self.parked = False
        self.copying = False
        self._sent: dict[str, int] = {}
        self.copier = TaskRunner(self)
        self.timer = QTimer(self, interval=int(1000 / SNAPSHOT_HZ))
        self.timer.timeout.connect(self.send_snapshots)
        self.look_menu = QMenu(bar)
        self.graph_menu = QMenu(bar)
        self.look_menu.aboutToShow.connect(self._fill_look_menu)
        self.graph_menu.aboutToShow.connect(self._fill_graph_menu)
        bar.look_button.setMenu(self.look_menu)
        bar.graph_button.setMenu(self.graph_menu)
        self.update_buttons()

    # -- what the workspace tells ---------------------------------------------------------------

    def begin(self, run: RunSeries, configs: dict[str, ModelConfig], run_label: str,
              modules: Mapping | None = None, *, live: bool = False,
              data: dict | None = None, when: str = "", folder: Path | None = None,
              meta: dict | None = None) -> None:
        """A new run (or folder) is shown; ``live`` while it grows (snapshots go out).
        ``run_label`` names the run for the explorer (its folder's name); ``when`` is when it
        started, in words ("28 Nov 14:13"), for Look inside's label.
        ``data`` describes what the models learnt from, for Look inside: the data set's
        ``classes``, the ``mean`` and ``std`` its images were normalised with and, when known,
        the ``image_size`` and ``channels`` they were fed at.  A past run's ``folder`` and
        its run.json ``meta`` let the models it kept weights for be looked inside."""
        self.run, self.configs, self.run_label = run, dict(configs), run_label
        self.when = when
        self.data = dict(data or {})
        self.modules = modules if modules is not None else {}
        self.set_saved(folder, meta)
        self.parked = False
        self._sent = {}
        if live:
            self.timer.start()
        else:
            self.timer.stop()
            self.send_snapshots()
        self.update_buttons()

    def set_saved(self, folder: Path | None, meta: dict | None) -> None:
        """The past run's ``folder`` and its run.json ``meta``, as read last (a followed
        run records its saved weights when it ends)."""
        self.folder, self.meta = (Path(folder), dict(meta)) if folder and meta else (None, {})
        self.saved = {e["name"]: SavedWeights.from_entry(e)
                      for e in self.meta.get("models", [])}
        self.update_buttons()

    def set_training(self, worker) -> None:
        """``worker`` (a TrainingWorker) trains a new run."""
        self.worker = worker
        self.parked = False
        self.update_buttons()

    def set_parked(self, parked: bool) -> None:
        self.parked = parked
        self.update_buttons()

    def finish(self) -> None:
        """The run's thread has ended: its models are free; send the last numbers."""
        self.worker = None
        self.parked = False
        self.timer.stop()
        self.send_snapshots()
        self.update_buttons()

    def shutdown(self) -> None:
        self.timer.stop()
        self.copier.shutdown()

    # -- gradient snapshots ---------------------------------------------------------------------

    def snapshot(self, name: str) -> GradientSnapshot | None:
        """Model ``name``'s latest logged gradient norms, or ``None`` before its first step."""
        series = self.run.models.get(name)
        if series is None or not len(series):
            return None
        config = self.configs.get(name)
        fed = self.data
        shape = (int(fed["channels"]), int(fed["image_size"]), int(fed["image_size"])) \
            if fed.get("channels") and fed.get("image_size") else None
        return GradientSnapshot(
            model=name, arch=config.arch if config else "",
            options=dict(config.options) if config else {},
            layer_names=series.layer_names, norms=series.grads.view[-1].copy(),
            step=int(series.grad_steps.view[-1]), run=self.run_label, input_shape=shape)

    def send_snapshots(self) -> None:
        """Send each model's snapshot if it moved since the last one sent."""
        for name in self.run.models:
            snapshot = self.snapshot(name)
            if snapshot is not None and self._sent.get(name) != snapshot.step:
                self._sent[name] = snapshot.step
                self.gradients_changed.emit(snapshot)
        self.update_buttons()

    def _fill_graph_menu(self) -> None:
        self.graph_menu.clear()
        for name, series in self.run.models.items():
            snapshot = self.snapshot(name)
            action = self.graph_menu.addAction(self._entry(name, series))
            action.setEnabled(snapshot is not None)
            action.triggered.connect(partial(self.show_in_graph, name))

    def show_in_graph(self, name: str) -> bool:
        snapshot = self.snapshot(name)
        if snapshot is None:
            return False
        self.show_gradients.emit(snapshot)
        return True

    # -- look inside ----------------------------------------------------------------------------

    def look_inside_state(self) -> str:
        """"" when a model can be sent now, else the sentence saying why not."""
        if self.copying:
            return LOADING if self.folder is not None and not self.modules else COPYING
        if not self.modules and not self._loadable():
            if not len(self.run.models):
                return NOT_YET
            sentences = {self._why_not(name) for name in self.run.models}
            return sentences.pop() if len(sentences) == 1 else NO_MODELS
        if self.worker is not None and not self.parked:
            return TRAINING
        return ""

    def _loadable(self) -> list[str]:
        """The past run's models that have saved weights to load."""
        return [name for name, saved in self.saved.items() if saved and saved.file]

    def _why_not(self, name: str) -> str:
        """Why model ``name`` of a past run cannot be looked inside ("" when it can)."""
        series = self.run.models.get(name)
        shown = self.run.label(series) if series is not None else name
        if self.folder is None:
            return NO_MODELS
        return weights_sentence(shown, self.saved.get(name))

    def _fill_look_menu(self) -> None:
        self.look_menu.clear()
        ready = not self.look_inside_state()
        for name, series in self.run.models.items():
            action = self.look_menu.addAction(self._entry(name, series))
            can = name in self.modules or name in self._loadable()
            action.setEnabled(ready and can)
            if not can and self.folder is not None:
                action.setToolTip(self._why_not(name))
            action.triggered.connect(partial(self.send_model, name))
        self.look_menu.setToolTipsVisible(True)

    def send_model(self, name: str) -> bool:
        """Copy model ``name`` (off the GUI thread), or load a past run's saved model (off
        the GUI thread too), and send it to Look inside; False when it cannot be sent now
        (see :meth:`look_inside_state`)."""
        if self.look_inside_state():
            return False
        if name not in self.modules:
            return self._load_model(name)
        release = None
        if self.worker is not None:
            if not self.worker.hold():
                return False
            release = self.worker.release
        module = self.modules[name]
        config = self.configs.get(name) or ModelConfig(type(module).__name__, name=name)
        series = self.run.models.get(name)
        step = int(series.grad_steps.view[-1]) if series is not None and len(series) else 0
        label = self._label(name, config, step)
        self.copying = True
        self.update_buttons()
        self.copier.submit(_cpu_copy, module, release, key="copy",
                           on_done=partial(self._copied, config, label),
                           on_error=self._copy_failed)
        return True

    def _load_model(self, name: str) -> bool:
        saved = self.saved.get(name)
        if self.folder is None or saved is None or not saved.file:
            return False
        config = self.configs.get(name) or ModelConfig("", name=name)
        label = self._label(name, config, saved.step)
        self.copying = True
        self.update_buttons()
        series = self.run.models.get(name)
        shown = self.run.label(series) if series is not None else name
        self.copier.submit(_load_trained, self.folder, self.meta, name, shown, key="copy",
                           on_done=partial(self._copied, config, label),
                           on_error=self._copy_failed)
        return True

    def _label(self, name: str, config: ModelConfig, step: int) -> str:
        """"ResNet-20 without batch norm, step 40 of the run of 28 Nov 14:13"."""
        series = self.run.models.get(name)
        shown = model_title(self.run.label(series) if series is not None else name,
                            config.options)
        return f"{shown}, step {step:,} of the run of {self.when}" if self.when else \
            f"{shown}, step {step:,}"

    def _copied(self, config: ModelConfig, label: str, module) -> None:
        self.copying = False
        self.update_buttons()
        self.look_inside.emit(module, config.arch, dict(config.options), label,
                              dict(self.data))

    def _copy_failed(self, exc: BaseException, _tb: str) -> None:
        self.copying = False
        self.update_buttons()
        if isinstance(exc, CnnvizError):  # already a sentence (a past run's weights)
            self.failed.emit(str(exc))
            return
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        self.failed.emit(f"The model could not be copied for Look inside: {first}")

    # -- the header's buttons -------------------------------------------------------------------

    def _entry(self, name: str, series) -> str:
        # The display name; the run's own name only where two models share one.
        return self.run.label(series)

    def update_buttons(self) -> None:
        why = self.look_inside_state()
        look = self.bar.look_button
        look.setEnabled(not why)
        past = self.folder is not None and not self.modules
        look.setToolTip(why or (
            "Look inside a model of this run: its activations on your own pictures, with the "
            "weights the run saved" if past else
            "Look inside a trained model: its activations on your own pictures (a copy is "
            "sent; training is not disturbed)"))
        has_numbers = any(len(m) for m in self.run.models.values())
        graph = self.bar.graph_button
        graph.setEnabled(has_numbers)
        graph.setToolTip("Colour the layers of the Architectures graph by a model's latest "
                         "gradient norms" if has_numbers else
                         "The gradient norms appear after the first logged step.")
