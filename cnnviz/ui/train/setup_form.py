"""The run's settings: which models (a lesson preset or any zoo models), data, optimiser.

:meth:`SetupForm.config` turns the form into a :class:`~cnnviz.core.train.records.RunConfig`.
Choosing a preset fills the models and their switches (batch norm, activation, init) and the
preset's learning rate; changing a model or a switch afterwards makes it a custom pair.  The
form never imports torch: model names are offered from a fixed list and checked by the
engine when the run starts.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.presets import PRESETS, Preset
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui import settings
from cnnviz.ui.theme import theme_manager

ZOO_NAMES = (
    "plain20", "resnet20", "plain32", "resnet32", "plain44", "resnet44", "plain56", "resnet56",
    "plain110", "resnet110", "lenet5", "alexnet", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn",
    "resnet18", "plain18", "resnet34", "plain34", "resnet50", "googlenet", "mobilenet_v1",
    "mobilenet_v2", "efficientnet_b0",
)
DATASETS = (("shapes", "Shapes (built in)"), ("mnist", "MNIST"),
            ("fashion_mnist", "Fashion-MNIST"), ("cifar10", "CIFAR-10"),
            ("folder", "My image folder"))
DEVICES = (("auto", "Automatic"), ("cpu", "CPU"), ("cuda", "CUDA GPU"),
           ("mps", "Apple GPU (MPS)"))
DEFAULT_PRESET = PRESETS[0].key


def default_runs_folder() -> Path:
    return Path.home() / "cnnviz-runs"


def _heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setProperty("role", "heading")
    return label


class PathField(QWidget):
    """A line edit with a Browse button for a file or a folder."""

    changed = Signal()

    def __init__(self, placeholder: str, *, folder: bool, file_filter: str = "",
                 parent=None) -> None:
        super().__init__(parent)
        self.folder, self.file_filter = folder, file_filter
        self.edit = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        self.edit.textChanged.connect(self.changed)
        browse = QToolButton(text="…")
        browse.setToolTip("Browse")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def _browse(self) -> None:
        start = self.edit.text() or str(Path.home())
        if self.folder:
            path = QFileDialog.getExistingDirectory(self, "Choose a Folder", start)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a File", start, self.file_filter)
        if path:
            self.edit.setText(path)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)


class ModelRow(QWidget):
    """One model of the run: an editable zoo name and a remove button."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, arch: str, parent=None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(editable=True)
        self.combo.addItems(ZOO_NAMES)
        self.combo.setCurrentText(arch)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        self.combo.setToolTip("A zoo model, any torchvision model name, or "
                              "path/to/file.py:ClassName")
        self.combo.currentTextChanged.connect(self.changed)
        self.remove = QToolButton(text="✕", autoRaise=True)
        self.remove.setToolTip("Remove this model from the run")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.combo, 1)
        row.addWidget(self.remove)

    @property
    def arch(self) -> str:
        return self.combo.currentText().strip()


class SetupForm(QScrollArea):
    """The settings column.  ``config()`` reads it; ``changed`` fires on any edit."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._filling = False
        self.preset: Preset | None = None
        body = QWidget()
        self.setWidget(body)
        col = QVBoxLayout(body)
        col.setContentsMargins(14, 12, 14, 12)
        col.setSpacing(8)

        col.addWidget(_heading("Lesson"))
        self.preset_combo = QComboBox()
        for p in PRESETS:
            self.preset_combo.addItem(p.title, p.key)
        self.preset_combo.addItem("Custom models", "")
        self.lesson = QLabel(wordWrap=True)
        self.lesson.setProperty("role", "muted")
        col.addWidget(self.preset_combo)
        col.addWidget(self.lesson)

        col.addSpacing(6)
        col.addWidget(_heading("Models, trained on the same batches"))
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
        col.addWidget(_heading("Data"))
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
        col.addWidget(_heading("Training"))
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
        col.addWidget(_heading("Save runs in"))
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
        self.dataset.currentIndexChanged.connect(self._dataset_changed)
        self.optimizer.currentIndexChanged.connect(self._optimizer_changed)
        for widget_signal in (self.lr.valueChanged, self.batch_size.valueChanged,
                              self.length.valueChanged, self.length_unit.currentIndexChanged,
                              self.schedule.currentIndexChanged, self.device.currentIndexChanged,
                              self.seed.valueChanged, self.train_size.valueChanged,
                              self.data_dir.changed, self.pipeline.changed,
                              self.runs_dir.changed):
            widget_signal.connect(self.changed)
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
        row.changed.connect(self._switch_changed)
        row.remove_requested.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self._update_remove_buttons()
        self._switch_changed()
        return row

    def _remove_row(self, row: ModelRow) -> None:
        if len(self.rows) <= 1:
            return
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
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

    def models(self) -> tuple[ModelConfig, ...]:
        archs = [row.arch for row in self.rows]
        if any(not a for a in archs):
            raise TrainingError("Every model row needs a model name; remove the empty one.")
        if self.preset is not None and archs == [m.arch for m in self.preset.models]:
            return self.preset.models
        options = {}
        if not self.batch_norm.isChecked():
            options["batch_norm"] = False
        if self.activation.currentText() != "relu":
            options["activation"] = self.activation.currentText()
        if self.init.currentText() != "default":
            options["init"] = self.init.currentText()
        names, seen = [], {}
        for arch in archs:
            base = Path(arch.split(":")[-1]).stem if ":" in arch else arch
            seen[base] = seen.get(base, 0) + 1
            names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
        return tuple(ModelConfig(a, name=n, options=dict(options)) for a, n in zip(archs, names))

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
