"""One model of a run in the setup form: its name, where its weights start, what is frozen.

The choices that depend on the architecture (its freezable blocks, whether torchvision
publishes ImageNet weights for it) come from :func:`model_facts`, which imports torch and
builds the network without weights; the form runs it on a worker thread and hands the
result to :meth:`ModelRow.set_facts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.ui.train.names import arch_name, arch_of
from cnnviz.ui.widgets.tasks import TaskRunner
from cnnviz.ui.widgets.file_dialogs import ask_open_file

ZOO_NAMES = (
    "plain20", "resnet20", "plain32", "resnet32", "plain44", "resnet44", "plain56", "resnet56",
    "plain110", "resnet110", "lenet5", "alexnet", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn",
    "resnet18", "plain18", "resnet34", "plain34", "resnet50", "googlenet", "mobilenet_v1",
    "mobilenet_v2", "efficientnet_b0",
)
WEIGHTS_FILTER = "PyTorch weights (*.pt *.pth *.bin *.ckpt);;All files (*)"
_CHOOSE_FILE = "\0file"  # the "Weights file…" entry: opens a file dialog


def options_key(options: dict[str, Any]) -> tuple:
    """The form's builder switches as a comparable, hashable value."""
    return tuple(sorted(options.items()))


@dataclass(frozen=True)
class ModelFacts:
    """What the form needs to know about an architecture built with some switches.

    ``blocks`` are the parts it can be frozen up to, in order; ``imagenet`` is a short note
    on torchvision's published ImageNet weights ("44.7 MB, downloaded once"), or ``None``
    when there are none; ``error`` is a sentence when the name is not a model (or, with
    ``torch_missing``, when torch itself cannot be loaded).  ``options``
    (see :func:`options_key`) are the builder switches the answer holds for: batch norm,
    for one, adds and removes freezable blocks.
    """

    arch: str
    blocks: tuple[str, ...] = ()
    imagenet: str | None = None
    error: str | None = None
    options: tuple = ()
    torch_missing: bool = False


def model_facts(arch: str, options: dict[str, Any]) -> ModelFacts:
    """Blocks and published weights of ``arch`` with the form's switches (slow: run it off
    the GUI thread).  The network is built on torch's "meta" device: no weights are made.
    Where torch itself cannot be loaded, the answer's ``error`` says so."""
    from cnnviz.core.errors import CnnvizError, TorchUnavailableError
    from cnnviz.core.lazy_torch import import_torch

    try:
        # The first check of a session imports torch; import_torch keeps that from freezing
        # the window while it does.
        torch = import_torch()
    except TorchUnavailableError as exc:
        return ModelFacts(arch, error=str(exc), options=options_key(options),
                          torch_missing=True)
    from cnnviz.core.probe.weights import pretrained_weights
    from cnnviz.core.train.models import freezable_blocks
    from cnnviz.core.zoo import resolve

    try:
        spec = resolve(arch)
        known = {k: v for k, v in options.items() if k in spec.options}
        try:
            with torch.device("meta"):
                module = spec.build(**known)
        except CnnvizError:
            raise
        except Exception:  # noqa: BLE001 - a user's model may insist on real tensors
            module = spec.build(**known)
    except CnnvizError as exc:
        return ModelFacts(arch, error=str(exc), options=options_key(options))
    except Exception as exc:  # noqa: BLE001 - any broken model file becomes a sentence
        return ModelFacts(arch, error=f"{arch} cannot be built: {str(exc).splitlines()[0]}",
                          options=options_key(options))
    choice = pretrained_weights(spec.name)
    note = None
    if choice is not None:
        size = f"{choice.file_size_mb:.0f} MB, " if choice.file_size_mb else ""
        note = f"{size}downloaded once"
    # Freezing up to the last block would leave nothing to train: it is not offered.
    return ModelFacts(arch, tuple(freezable_blocks(module))[:-1], note,
                      options=options_key(options))


def _compact(combo: QComboBox) -> None:
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)


class ModelRow(QWidget):
    """One model: an editable zoo name and a remove button, and under them where its weights
    start and how far it is frozen.

    ``changed`` fires when the model's name changes (the form's preset no longer applies);
    ``transfer_changed`` when its starting weights or frozen part change;
    ``freeze_dropped`` with a sentence when the block it was to be frozen up to turns out not
    to be one of the model's, and the row trains every layer instead.
    """

    changed = Signal()
    transfer_changed = Signal()
    freeze_dropped = Signal(str)
    remove_requested = Signal(object)

    def __init__(self, arch: str, parent=None) -> None:
        super().__init__(parent)
        self.facts: ModelFacts | None = None
        self.options: tuple = ()  # the form's switches, as options_key() gives them
        self._freeze_wanted: str | None = None
        # The zoo's networks by display name (the reference is each entry's data); a name
        # typed in (a torchvision model, path/to/file.py:ClassName, or "resnet20") is taken
        # as it is, and a zoo reference typed in shows as its display name once entered.
        self.combo = QComboBox(editable=True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for name in ZOO_NAMES:
            self.combo.addItem(arch_name(name), name)
            self.combo.setItemData(self.combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentText(arch_name(arch))
        self.combo.lineEdit().editingFinished.connect(self._show_display_name)
        _compact(self.combo)
        self.combo.setMinimumContentsLength(8)
        self.combo.setToolTip("A zoo model, any torchvision model name, or "
                              "path/to/file.py:ClassName")
        self.combo.currentTextChanged.connect(self._arch_changed)
        self.remove = QToolButton(text="✕", autoRaise=True)
        self.remove.setToolTip("Remove this model from the run")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

        self.start = QComboBox()
        _compact(self.start)
        self.start.addItem("Fresh weights", None)
        self.start.addItem("ImageNet weights", "pretrained")
        self.start.addItem("Weights file…", _CHOOSE_FILE)
        self.start.setItemData(0, "Start from a random initialisation",
                               Qt.ItemDataRole.ToolTipRole)
        self.start.setItemData(2, "Start from a state_dict saved with torch.save",
                               Qt.ItemDataRole.ToolTipRole)
        self.start.activated.connect(self._start_activated)
        self._start_index = 0
        self.freeze = QComboBox()
        _compact(self.freeze)
        self.freeze.setToolTip("Transfer learning: freeze the network up to a block and train "
                               "only the rest; frozen layers show as frozen in the plots")
        self.freeze.currentIndexChanged.connect(self._freeze_changed)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(self.combo, 1)
        top.addWidget(self.remove)
        bottom = QHBoxLayout()
        # Indented under the name: these two belong to the model above them.
        bottom.setContentsMargins(10, 0, 0, 0)
        bottom.setSpacing(4)
        bottom.addWidget(self.start, 1)
        bottom.addWidget(self.freeze, 1)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 2)
        col.setSpacing(3)
        col.addLayout(top)
        col.addLayout(bottom)
        self._fill_blocks(())
        self._show_imagenet()

    @property
    def arch(self) -> str:
        """The zoo reference (or whatever was typed) of the chosen model."""
        return arch_of(self.combo.currentText())

    @property
    def shown_name(self) -> str:
        return arch_name(self.arch)

    def _show_display_name(self) -> None:
        index = self.combo.findData(self.arch)
        if index >= 0 and self.combo.currentText() != self.combo.itemText(index):
            # The same model, named as the list names it: nothing the form must hear about.
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)

    # -- starting weights ---------------------------------------------------------------------

    @property
    def weights(self) -> str | None:
        """``None`` (fresh), ``"pretrained"`` or the path of a weights file."""
        value = self.start.currentData()
        return None if value == _CHOOSE_FILE else value

    def set_weights(self, weights: str | None) -> None:
        """Select fresh weights (``None``), ``"pretrained"`` or a weights file's path."""
        if weights in (None, "pretrained"):
            index = self.start.findData(weights)
        else:
            index = self._file_index(str(weights))
        self._start_index = index
        self.start.setCurrentIndex(index)
        self._show_imagenet()
        self.transfer_changed.emit()

    def _file_index(self, path: str) -> int:
        """The entry for weights file ``path`` (one entry: a new file replaces the old)."""
        chooser = self.start.findData(_CHOOSE_FILE)
        if chooser == 3:
            self.start.removeItem(2)
        self.start.insertItem(2, f"File {Path(path).name}", path)
        self.start.setItemData(2, path, Qt.ItemDataRole.ToolTipRole)
        self.start.setItemText(3, "Other weights file…")
        return 2

    def _start_activated(self, index: int) -> None:
        if self.start.itemData(index) != _CHOOSE_FILE:
            self._start_index = index
            self._show_imagenet()
            self.transfer_changed.emit()
            return
        path = ask_open_file(self, "Start From a Weights File", "weights", WEIGHTS_FILTER)
        if path is not None:
            self.set_weights(str(path))
        else:
            self.start.setCurrentIndex(self._start_index)

    def _show_imagenet(self) -> None:
        """Offer ImageNet weights only where torchvision publishes them, and say why not."""
        item = self.start.model().item(1)
        facts = self.facts
        if facts is None:
            available, tip = False, "Checking whether torchvision publishes ImageNet weights " \
                                    f"for {self.shown_name}…"
        elif facts.error:
            available, tip = False, facts.error
        elif facts.imagenet is None:
            available, tip = False, f"torchvision publishes no ImageNet weights for " \
                                    f"{self.shown_name}; only its own ImageNet models have them"
        else:
            available, tip = True, f"torchvision's ImageNet weights for {self.shown_name} " \
                                   f"({facts.imagenet}); the classifier starts fresh"
        item.setEnabled(available or self.start.currentIndex() == 1)
        self.start.setItemData(1, tip, Qt.ItemDataRole.ToolTipRole)
        self.start.setToolTip(self.start.itemData(self.start.currentIndex(),
                                                  Qt.ItemDataRole.ToolTipRole) or "")

    # -- freezing -----------------------------------------------------------------------------

    @property
    def freeze_until(self) -> str | None:
        return self.freeze.currentData()

    def set_freeze(self, block: str | None) -> None:
        """Freeze up to ``block`` (``None``: train every layer).  Before the model's blocks
        are known the choice is kept and offered as it is."""
        self._freeze_wanted = block
        blocks = self.facts.blocks if self.facts is not None else ()
        self._fill_blocks(blocks)

    def _fill_blocks(self, blocks: tuple[str, ...]) -> None:
        wanted = self._freeze_wanted
        choices = list(blocks)
        if wanted and wanted not in choices and (self.facts is None or self.facts.error):
            choices.append(wanted)
        self.freeze.blockSignals(True)
        self.freeze.clear()
        self.freeze.addItem("No freezing", None)
        for block in choices:
            self.freeze.addItem(f"Freeze to {block}", block)
            self.freeze.setItemData(self.freeze.count() - 1,
                                    f"Freeze every layer up to and including {block}",
                                    Qt.ItemDataRole.ToolTipRole)
        index = self.freeze.findData(wanted) if wanted in choices else 0
        self.freeze.setCurrentIndex(index)
        self.freeze.blockSignals(False)
        self.freeze.setEnabled(bool(choices))
        if self.facts is not None:
            self._freeze_wanted = self.freeze.currentData()
            if wanted and wanted not in choices:
                self.freeze_dropped.emit(
                    f"{self.shown_name} has no block {wanted} to freeze up to"
                    f"{' with these switches' if self.options else ''}, so all of it trains.")

    def _freeze_changed(self, _index: int) -> None:
        self._freeze_wanted = self.freeze.currentData()
        self.transfer_changed.emit()

    # -- facts --------------------------------------------------------------------------------

    def set_facts(self, facts: ModelFacts | None) -> None:
        """Offer what ``facts`` say this architecture has (``None``: not known yet).  An
        answer about another name or other switches than the row's now is ignored."""
        if facts is not None and (facts.arch != self.arch or facts.options != self.options):
            return  # an answer to a question the user has since changed
        self.facts = facts
        if facts is not None and facts.imagenet is None and self.weights == "pretrained":
            self.set_weights(None)
        self._fill_blocks(facts.blocks if facts is not None else ())
        self._show_imagenet()

    def set_options(self, options: dict[str, Any]) -> None:
        """The form's builder switches changed: what the row offers waits for new facts."""
        key = options_key(options)
        if key != self.options:
            self.options = key
            self._forget_facts()

    def _arch_changed(self, _text: str) -> None:
        self._forget_facts()
        self.changed.emit()

    def _forget_facts(self) -> None:
        self.facts = None
        self._fill_blocks(())
        self._show_imagenet()


class FactsCache(QObject):
    """Works out :class:`ModelFacts` on a worker thread and keeps the answers.

    ``torch_missing`` carries the sentence when torch cannot be loaded at all (that answer
    is not kept: the next refresh tries again)."""

    torch_missing = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self)
        self._known: dict[tuple, ModelFacts] = {}

    def refresh(self, rows: list[ModelRow], options: dict[str, Any]) -> None:
        """Give each row the facts of its architecture (with ``options``), at once when they
        are known, else when the worker has them."""
        if self.runner.closed:
            return
        for row in rows:
            row.set_options(options)
            key = (row.arch, options_key(options))
            if key in self._known:
                row.set_facts(self._known[key])
            elif row.arch:
                self.runner.submit(model_facts, row.arch, options, key=f"facts-{id(row)}",
                                   on_done=partial(self._ready, row, key),
                                   on_error=lambda _exc, _tb: None)

    def _ready(self, row: ModelRow, key: tuple, facts: ModelFacts) -> None:
        if facts.torch_missing:
            self.torch_missing.emit(facts.error)
        else:
            self._known[key] = facts
        try:
            row.set_facts(facts)
        except RuntimeError:
            pass  # the row was removed (and deleted) while its facts were worked out

    def shutdown(self) -> None:
        self.runner.shutdown()
