"""The run's settings: which models (a lesson preset or any zoo models), data, optimiser.

:meth:`SetupForm.config` turns the form into a :class:`~cnnviz.core.train.records.RunConfig`.
Choosing a preset fills the models and their switches (batch norm, activation, init) and the
preset's learning rate; changing a model or a switch afterwards makes it a custom pair.  Each
model also says where its weights start and how far it is frozen (transfer learning).
:meth:`SetupForm.apply_config` fills the form from a run's configuration.  The form never
imports torch on the GUI thread: what an architecture offers (freezable blocks, ImageNet
weights) is worked out on a worker thread, and the engine checks everything when the run
starts.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.presets import PRESETS, Preset
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui import settings
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.train.form_fields import PathField, heading, select_data, show_value
from cnnviz.ui.train.model_row import FactsCache, ModelRow

DATASETS = (("shapes", "Shapes (built in)"), ("mnist", "MNIST"),
            ("fashion_mnist", "Fashion-MNIST"), ("cifar10", "CIFAR-10"),
            ("folder", "My image folder"))
DEVICES = (("auto", "Automatic"), ("cpu", "CPU"), ("cuda", "CUDA GPU"),
           ("mps", "Apple GPU (MPS)"))
DEFAULT_PRESET = PRESETS[0].key


def default_runs_folder() -> Path:
    return Path.home() / "cnnviz-runs"


class SetupForm(QScrollArea):
    """The settings column.  ``config()`` reads it; ``changed`` fires on any edit.

    Call :meth:`shutdown` before the form goes away: it waits for the architecture checks
    running on its worker thread.
    """

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._filling = False
        self.preset: Preset | None = None
        self.facts = FactsCache(self)
        self._facts_timer = QTimer(self, singleShot=True, interval=250)
        self._facts_timer.timeout.connect(self._refresh_facts)
        body = QWidget()
        self.setWidget(body)
        col = QVBoxLayout(body)
        col.setContentsMargins(14, 12, 14, 12)
        col.setSpacing(8)

        self.note = QLabel(wordWrap=True)
        self.note.setProperty("role", "muted")
        self.note.hide()
        col.addWidget(self.note)
        col.addWidget(heading("Lesson"))
        self.preset_combo = QComboBox()
        for p in PRESETS:
            self.preset_combo.addItem(p.title, p.key)
        self.preset_combo.addItem("Custom models", "")
        self.lesson = QLabel(wordWrap=True)
        self.lesson.setProperty("role", "muted")
        col.addWidget(self.preset_combo)
        col.addWidget(self.lesson)

        col.addSpacing(6)
        col.addWidget(heading("Models, trained on the same batches"))
        self.transfer_hint = QLabel("Under each model: where its weights start, and how far "
                                    "it is frozen (transfer learning).", wordWrap=True)
        self.transfer_hint.setProperty("role", "muted")
        col.addWidget(self.transfer_hint)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(4)
        col.addLayout(self.rows_box)
        self.rows: list[ModelRow] = []
        self.add_button = QPushButton("Add a model")
        self.add_button.clicked.connect(lambda: self.add_model("resnet20"))
        col.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        switches = QFormLayout()
        switches.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.batch_norm = QCheckBox("Batch normalisation")
        self.batch_norm.setChecked(True)
        self.activation = QComboBox()
        self.activation.addItems(["relu", "tanh", "sigmoid"])
        self.init = QComboBox()
        self.init.addItems(["default", "xavier", "he"])
        switches.addRow(self.batch_norm)
        switches.addRow("Activation", self.activation)
        switches.addRow("Initialisation", self.init)
        col.addLayout(switches)

        col.addSpacing(6)
        col.addWidget(heading("Data"))
        data = QFormLayout()
        self.dataset = QComboBox()
        self.dataset.setToolTip("Shapes needs no download; MNIST, Fashion-MNIST and CIFAR-10 "
                                "download once; an image folder has one sub-folder per class")
        for key, title in DATASETS:
            self.dataset.addItem(title, key)
        self.data_dir = PathField("Cache folder (downloads when online)", folder=True)
        self.pipeline = PathField("None", folder=False,
                                  file_filter="Augmentation pipelines (*.json)")
        self.pipeline.setToolTip("An augmentation pipeline saved by the Augment workspace")
        self.train_size = QSpinBox(minimum=0, maximum=1_000_000, singleStep=1000,
                                   specialValueText="All")
        self.train_size.setToolTip("How many training images to use (All: the whole set)")
        data.addRow("Data set", self.dataset)
        data.addRow("Folder", self.data_dir)
        data.addRow("Images", self.train_size)
        data.addRow("Augmentation", self.pipeline)
        col.addLayout(data)

        col.addSpacing(6)
        col.addWidget(heading("Training"))
        form = QFormLayout()
        self.optimizer = QComboBox()
        self.optimizer.addItem("SGD with momentum", "sgd")
        self.optimizer.addItem("Adam", "adam")
        self.lr = QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=10.0, singleStep=0.01)
        self.lr.setValue(0.1)
        self.batch_size = QSpinBox(minimum=1, maximum=4096, value=64)
        self.length = QSpinBox(minimum=1, maximum=1_000_000, value=300)
        self.length_unit = QComboBox()
        self.length_unit.addItem("steps", "steps")
        self.length_unit.addItem("epochs", "epochs")
        length_row = QHBoxLayout()
        length_row.setSpacing(4)
        length_row.addWidget(self.length, 1)
        length_row.addWidget(self.length_unit)
        self.schedule = QComboBox()
        self.schedule.addItem("Constant", "constant")
        self.schedule.addItem("Step decay", "step")
        self.schedule.addItem("Cosine", "cosine")
        self.device = QComboBox()
        self.device.setToolTip("Automatic picks a CUDA GPU, then an Apple GPU, then the CPU")
        for key, title in DEVICES:
            self.device.addItem(title, key)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        form.addRow("Optimiser", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Length", length_row)
        form.addRow("Schedule", self.schedule)
        form.addRow("Device", self.device)
        form.addRow("Seed", self.seed)
        col.addLayout(form)

        col.addSpacing(6)
        col.addWidget(heading("Save runs in"))
        self.runs_dir = PathField(str(default_runs_folder()), folder=True)
        self.runs_dir.setText(settings.read_str("train/runs_dir", str(default_runs_folder())))
        col.addWidget(self.runs_dir)
        col.addStretch(1)
        for combo in body.findChildren(QComboBox):
            # Long entries must not widen the column; the popup still shows them in full.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)

        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        for signal in (self.batch_norm.toggled, self.activation.currentTextChanged,
                       self.init.currentTextChanged):
            signal.connect(self._switch_changed)
            signal.connect(self._options_changed)
            signal.connect(self._facts_timer.start)
        self.dataset.currentIndexChanged.connect(self._dataset_changed)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        for widget_signal in (self.lr.valueChanged, self.batch_size.valueChanged,
                              self.length.valueChanged, self.length_unit.currentIndexChanged,
                              self.schedule.currentIndexChanged, self.device.currentIndexChanged,
                              self.seed.valueChanged, self.train_size.valueChanged,
                              self.data_dir.changed, self.pipeline.changed,
                              self.runs_dir.changed):
            widget_signal.connect(self._edited)
        self.changed.connect(self.note.hide)  # the note describes the form as it was filled
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        self.choose_preset(settings.read_str("train/preset", DEFAULT_PRESET,
                                             tuple(p.key for p in PRESETS) + ("",)))
        self._dataset_changed()

    def _retheme(self, pal) -> None:
        # The application style sheet colours fields' text even when disabled; while a run
        # trains, the form must look as locked as it is.
        self.widget().setStyleSheet(
            f"QComboBox:disabled, QLineEdit:disabled, QSpinBox:disabled, "
            f"QDoubleSpinBox:disabled {{ color: {pal.muted}; background: {pal.surface_alt}; }}")

    # -- models -------------------------------------------------------------------------------

    def add_model(self, arch: str) -> ModelRow:
        row = ModelRow(arch)
        row.set_options(self._options())
        row.changed.connect(self._switch_changed)
        row.changed.connect(self._facts_timer.start)
        row.transfer_changed.connect(self._edited)
        row.freeze_dropped.connect(self.add_note)
        row.remove_requested.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self._update_remove_buttons()
        self._switch_changed()
        self._facts_timer.start()
        return row

    def _remove_row(self, row: ModelRow) -> None:
        if len(self.rows) <= 1:
            return
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._update_remove_buttons()
        self._switch_changed()

    def _update_remove_buttons(self) -> None:
        for row in self.rows:
            row.remove.setEnabled(len(self.rows) > 1)

    def choose_preset(self, key: str) -> None:
        """Select a preset by key ("" for custom models) and fill the form from it."""
        index = self.preset_combo.findData(key)
        if index < 0:
            index = 0
        if self.preset_combo.currentIndex() == index:
            self._preset_chosen(index)
        else:
            self.preset_combo.setCurrentIndex(index)

    def _preset_chosen(self, index: int) -> None:
        key = self.preset_combo.itemData(index)
        settings.write("train/preset", key)
        if not key:
            self.preset = None
            if not self.rows:
                self._filling = True
                for arch in ("plain20", "resnet20"):
                    self.add_model(arch)
                self._filling = False
            self.lesson.setText("Train any models side by side on the same batches; the "
                                "switches below apply to every model that has them.")
            self.changed.emit()
            return
        preset = next(p for p in PRESETS if p.key == key)
        self._filling = True
        try:
            for row in list(self.rows):
                self.rows_box.removeWidget(row)
                row.hide()  # out of the layout at once, not only when deleted
                row.deleteLater()
            self.rows = []
            for model in preset.models:
                self.add_model(model.arch)
            options = preset.models[0].options
            self.batch_norm.setChecked(bool(options.get("batch_norm", True)))
            self.activation.setCurrentText(options.get("activation", "relu"))
            self.init.setCurrentText(options.get("init", "default"))
            self.optimizer.setCurrentIndex(self.optimizer.findData(
                preset.settings.get("optimizer", "sgd")))
            self.lr.setValue(RunConfig(models=preset.models, **preset.settings).learning_rate)
        finally:
            self._filling = False
        self.preset = preset
        self.lesson.setText(preset.lesson)
        self.changed.emit()

    def _switch_changed(self, *_args) -> None:
        if self._filling:
            return
        if self.preset is not None:
            self.preset = None
            self.preset_combo.blockSignals(True)
            self.preset_combo.setCurrentIndex(self.preset_combo.findData(""))
            self.preset_combo.blockSignals(False)
            settings.write("train/preset", "")
            self.lesson.setText("A custom set of models: the switches below apply to every "
                                "model that has them.")
        self.changed.emit()

    def _options_changed(self, *_args) -> None:
        # At once, not when the check is asked for: an answer about the old switches that
        # arrives in between must not be offered.
        options = self._options()
        for row in self.rows:
            row.set_options(options)

    def _edited(self, *_args) -> None:
        if not self._filling:
            self.changed.emit()

    def _dataset_changed(self, *_args) -> None:
        key = self.dataset.currentData()
        self.data_dir.edit.setPlaceholderText(
            "Choose the image folder" if key == "folder" else
            "Not needed" if key == "shapes" else "Cache folder (downloads when online)")
        self.data_dir.setEnabled(key != "shapes")
        self.changed.emit()

    def _optimizer_changed(self, *_args) -> None:
        if not self._filling:
            self.lr.setValue(0.001 if self.optimizer.currentData() == "adam" else 0.1)
        self.changed.emit()

    # -- reading ------------------------------------------------------------------------------

    def _options(self) -> dict:
        """The switches that differ from the builders' defaults."""
        options = {}
        if not self.batch_norm.isChecked():
            options["batch_norm"] = False
        if self.activation.currentText() != "relu":
            options["activation"] = self.activation.currentText()
        if self.init.currentText() != "default":
            options["init"] = self.init.currentText()
        return options

    def models(self) -> tuple[ModelConfig, ...]:
        archs = [row.arch for row in self.rows]
        if any(not a for a in archs):
            raise TrainingError("Every model row needs a model name; remove the empty one.")
        if self.preset is not None and archs == [m.arch for m in self.preset.models]:
            models = self.preset.models
        else:
            options = self._options()
            names, seen = [], {}
            for arch in archs:
                base = Path(arch.split(":")[-1]).stem if ":" in arch else arch
                seen[base] = seen.get(base, 0) + 1
                names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
            models = tuple(ModelConfig(a, name=n, options=dict(options))
                           for a, n in zip(archs, names))
        return tuple(dataclasses.replace(m, weights=row.weights, freeze_until=row.freeze_until)
                     for m, row in zip(models, self.rows))

    def config(self) -> RunConfig:
        """The run the form describes; a sentence (TrainingError) when it cannot run."""
        dataset = self.dataset.currentData()
        data_dir = self.data_dir.text() or None
        if dataset == "folder" and not data_dir:
            raise TrainingError("Choose the image folder to train on (one sub-folder per "
                                "class).")
        pipeline = self.pipeline.text() or None
        if pipeline and not Path(pipeline).is_file():
            raise TrainingError(f"There is no augmentation pipeline file at {pipeline}.")
        length = self.length.value()
        by_steps = self.length_unit.currentData() == "steps"
        return RunConfig(
            models=self.models(), dataset=dataset,
            data_dir=data_dir if dataset != "shapes" else None,
            train_size=self.train_size.value() or None, pipeline=pipeline,
            batch_size=self.batch_size.value(),
            steps=length if by_steps else None, epochs=None if by_steps else length,
            optimizer=self.optimizer.currentData(), lr=self.lr.value(),
            schedule=self.schedule.currentData(), seed=self.seed.value(),
            device=self.device.currentData(),
        )

    def runs_folder(self) -> Path:
        text = self.runs_dir.text()
        folder = Path(text).expanduser() if text else default_runs_folder()
        settings.write("train/runs_dir", str(folder))
        return folder

    def _refresh_facts(self) -> None:
        self.facts.refresh(self.rows, self._options())

    def shutdown(self) -> None:
        """Wait for the architecture checks still running."""
        self._facts_timer.stop()
        self.facts.shutdown()

    # -- filling from a run -----------------------------------------------------------------------

    def show_note(self, text: str) -> None:
        """One line above the form (``""`` hides it); it goes away at the next edit."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def add_note(self, sentence: str) -> None:
        """Add ``sentence`` to the line above the form (shown if it was hidden)."""
        text = self.note.text() if not self.note.isHidden() else ""
        if sentence not in text:
            self.show_note(f"{text} {sentence}".strip())

    def apply_config(self, config: RunConfig) -> list[str]:
        """Fill the form with ``config`` (a past run's settings), so Start trains it again.

        Returns a sentence for each setting the form could not take as it was (an empty list
        when it took them all).  A block to freeze up to that the model turns out not to
        have is only known when its blocks arrive from the background check; the line
        above the form then says so (:meth:`add_note`)."""
        unshown = []
        preset = next((p for p in PRESETS if _same_models(p.models, config.models)), None)
        if preset is not None:
            self.choose_preset(preset.key)
        self._filling = True
        try:
            if preset is None:
                self._fill_custom(config.models)
            for row, model in zip(self.rows, config.models):
                row.set_weights(model.weights)
                row.set_freeze(model.freeze_until)
            if not select_data(self.dataset, config.dataset):
                unshown.append(f"data set {config.dataset}")
            self.data_dir.setText(config.data_dir or "")
            if not show_value(self.train_size, config.train_size or 0):
                unshown.append(f"{config.train_size} images")
            self.pipeline.setText(config.pipeline or "")
            if not select_data(self.optimizer, config.optimizer):
                unshown.append(f"optimiser {config.optimizer}")
            if not show_value(self.lr, config.learning_rate):
                unshown.append(f"learning rate {config.learning_rate:g}")
            if not show_value(self.batch_size, config.batch_size):
                unshown.append(f"batch size {config.batch_size}")
            by_steps = config.steps is not None or config.epochs is None
            select_data(self.length_unit, "steps" if by_steps else "epochs")
            length = config.steps if config.steps is not None else config.epochs or 1
            if not show_value(self.length, length):
                unshown.append(f"{length} {'steps' if by_steps else 'epochs'}")
            if not select_data(self.schedule, config.schedule):
                unshown.append(f"schedule {config.schedule}")
            if not select_data(self.device, (config.device or "auto").split(":")[0]):
                unshown.append(f"device {config.device}")
            if not show_value(self.seed, config.seed):
                unshown.append(f"seed {config.seed}")
        finally:
            self._filling = False
        self._dataset_changed()
        self._facts_timer.start()
        if not unshown:
            return []
        return [f"The form cannot show the run's {', '.join(unshown)}: check those fields "
                "before you press Start."]

    def _fill_custom(self, models: tuple[ModelConfig, ...]) -> None:
        self.preset = None
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(""))
        self.preset_combo.blockSignals(False)
        settings.write("train/preset", "")
        self.lesson.setText("The models of a past run: the switches below apply to every "
                            "model that has them.")
        for row in list(self.rows):
            self.rows_box.removeWidget(row)
            row.hide()  # out of the layout at once, not only when deleted
            row.deleteLater()
        self.rows = []
        for model in models:
            self.add_model(model.arch)
        options = models[0].options if models else {}
        self.batch_norm.setChecked(bool(options.get("batch_norm", True)))
        self.activation.setCurrentText(str(options.get("activation", "relu")))
        self.init.setCurrentText(str(options.get("init", "default")))


def _same_models(a: tuple[ModelConfig, ...], b: tuple[ModelConfig, ...]) -> bool:
    """Same architectures, names and switches (starting weights and freezing aside)."""
    def key(m: ModelConfig) -> tuple:
        return m.arch, m.label, sorted(m.options.items())

    return len(a) == len(b) and all(key(x) == key(y) for x, y in zip(a, b))

