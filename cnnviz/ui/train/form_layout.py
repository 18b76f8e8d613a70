"""The setup form's fields, their wording and tooltips, laid out in sections.

:func:`build_form` makes the widgets of a :class:`~cnnviz.ui.train.setup_form.SetupForm` and
sets them as its attributes; the form wires them.  Each field says in its tooltip what it
does and what a student would usually pick.  The labelled rows of every section share one
label width, so all fields start at the same x.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.train.sizes import size_text
from cnnviz.ui.train.form_fields import (
    PathField,
    ProblemLine,
    align_labels,
    form_rows,
    heading,
)
from cnnviz.ui.train.form_presets import fill_preset_menu
from cnnviz.ui.train.names import ACTIVATION_NAMES, INIT_NAMES

if TYPE_CHECKING:
    from cnnviz.ui.train.setup_form import SetupForm

DATASETS = (
    ("shapes", "Shapes (built in)", "Coloured shapes drawn from the seed: no download, "
                                    "ready at once"),
    ("mnist", "MNIST", f"Handwritten digits, {size_text(28, 28)} grey; downloaded once "
                       "(12 MB)"),
    ("fashion_mnist", "Fashion-MNIST", f"Clothing pictures, {size_text(28, 28)} grey; "
                                       "downloaded once (31 MB)"),
    ("cifar10", "CIFAR-10", f"Small colour photos in 10 classes, {size_text(32, 32)}; "
                            "downloaded once (170 MB)"),
    ("folder", "My image folder", "Your own pictures: one sub-folder per class"),
)
DEVICES = (
    ("auto", "Automatic", "A CUDA GPU if there is one, else an Apple GPU, else the CPU"),
    ("cpu", "CPU", "Works everywhere; slow for deep networks"),
    ("cuda", "CUDA GPU", "An NVIDIA GPU, with mixed precision"),
    ("mps", "Apple GPU (MPS)", "The GPU of an Apple silicon Mac"),
)
ACTIVATIONS = (
    ("relu", ACTIVATION_NAMES["relu"], "The usual choice: passes gradients of 1 for positive "
                                       "inputs"),
    ("tanh", ACTIVATION_NAMES["tanh"], "Saturates at ±1: gradients shrink for large inputs"),
    ("sigmoid", ACTIVATION_NAMES["sigmoid"], "Slope at most 1/4: the classic "
                                             "vanishing-gradient activation"),
)
INITS = (
    ("default", INIT_NAMES["default"], "PyTorch's own initialisation of each layer"),
    ("xavier", INIT_NAMES["xavier"], "Xavier (Glorot): keeps the signal's scale for tanh and "
                                     "sigmoid"),
    ("he", INIT_NAMES["he"], "He (Kaiming): keeps the signal's scale for ReLU"),
)
SCHEDULES = (
    ("constant", "Constant", "The learning rate stays the same for the whole run"),
    ("step", "Step decay", "Divided by 10 at half and again at three quarters of the run"),
    ("cosine", "Cosine", "Falls smoothly to zero along half a cosine"),
)
LOCKED = "Locked while the run trains: press Stop to change the settings."


def _combo(entries, tip: str = "") -> QComboBox:
    """A combo box of ``(data, text, tooltip)`` or ``(text, tooltip)`` entries."""
    combo = QComboBox(toolTip=tip)
    for entry in entries:
        data, text, item_tip = entry if len(entry) == 3 else (entry[0], *entry)
        combo.addItem(text, data)
        combo.setItemData(combo.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
    return combo


def _muted(text: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setProperty("role", "muted")
    return label


def build_form(form: SetupForm, body: QWidget) -> None:
    """Make the form's fields as attributes of ``form`` and lay them out in ``body``.

    Besides the fields, ``form.problem_lines`` maps each field key of
    :data:`~cnnviz.ui.train.form_checks.FIELDS` to the line under it and
    ``form.checked_fields`` to the widget outlined when it has a problem."""
    col = QVBoxLayout(body)
    col.setContentsMargins(14, 12, 14, 12)
    col.setSpacing(8)
    form.lock_note = _muted(LOCKED)
    form.lock_note.setObjectName("LockNote")
    form.lock_note.hide()
    form.note = _muted()
    form.note.setObjectName("RefillNote")
    form.note.hide()
    col.addWidget(form.lock_note)
    col.addWidget(form.note)

    col.addWidget(heading("Lesson"))
    form.preset_combo = QComboBox(toolTip="A ready-made comparison that shows one lesson of "
                                          "the ResNet paper, or your own models")
    fill_preset_menu(form.preset_combo)
    form.headline = QLabel(wordWrap=True)
    form.headline.setObjectName("Headline")
    form.lesson = _muted()
    col.addWidget(form.preset_combo)
    col.addWidget(form.headline)
    col.addWidget(form.lesson)

    col.addSpacing(6)
    col.addWidget(heading("Models, trained on the same batches"))
    form.transfer_hint = _muted("Under each model: where its weights start, and how far it "
                                "is frozen (transfer learning).")
    col.addWidget(form.transfer_hint)
    form.rows_box = QVBoxLayout()
    form.rows_box.setSpacing(6)
    col.addLayout(form.rows_box)
    form.add_button = QPushButton("Add a model", toolTip="Add another model; every model "
                                                         "trains on the same batches")
    col.addWidget(form.add_button, 0, Qt.AlignmentFlag.AlignLeft)
    switches = form_rows()
    form.batch_norm = QCheckBox("Batch normalisation", checked=True, toolTip=(
        "Rescale each layer's output over the batch; without it deep plain networks "
        "barely train"))
    form.activation = _combo(ACTIVATIONS, "The non-linearity after each convolution")
    form.init = _combo(INITS, "How the weights are drawn before training")
    switches.addRow("", form.batch_norm)
    switches.addRow("Activation", form.activation)
    switches.addRow("Initialisation", form.init)
    col.addLayout(switches)

    data = _data_section(form, col)
    training = form.training_rows = _training_section(form, col)
    align_labels(switches, data, training)

    col.addSpacing(6)
    col.addWidget(heading("Save runs in"))
    form.runs_dir = PathField("Folder for run logs", folder=True)
    form.runs_dir.setToolTip("Each run writes a folder here as it trains; Past runs lists them")
    col.addWidget(form.runs_dir)
    col.addStretch(1)
    for combo in body.findChildren(QComboBox):
        # Long entries must not widen the column; the popup still shows them in full.
        combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)


def _problem_row(form: SetupForm, rows: QFormLayout, key: str, field: QWidget) -> None:
    form.problem_lines[key] = ProblemLine(rows)
    form.checked_fields[key] = field


def _data_section(form: SetupForm, col: QVBoxLayout) -> QFormLayout:
    form.problem_lines, form.checked_fields = {}, {}
    col.addSpacing(6)
    col.addWidget(heading("Data"))
    rows = form_rows()
    form.dataset = _combo(DATASETS, "What the models learn to classify")
    form.data_dir = PathField("Cache folder (downloads when online)", folder=True)
    form.train_size = QSpinBox(minimum=0, maximum=1_000_000, singleStep=1000,
                               specialValueText="All images", suffix=" images")
    form.train_size.setToolTip("How many training images to use; fewer make an epoch "
                               "shorter (All images: the whole set)")
    form.pipeline = PathField("None", folder=False,
                              file_filter="Augmentation pipelines (*.json)")
    form.pipeline.setToolTip("An augmentation pipeline saved by the Augment workspace, "
                             "applied to every training image; empty: none")
    rows.addRow("Data set", form.dataset)
    rows.addRow("Folder", form.data_dir)
    _problem_row(form, rows, "data_dir", form.data_dir.edit)
    rows.addRow("Images", form.train_size)
    rows.addRow("Augmentation", form.pipeline)
    _problem_row(form, rows, "pipeline", form.pipeline.edit)
    col.addLayout(rows)
    return rows


def _training_section(form: SetupForm, col: QVBoxLayout) -> QFormLayout:
    col.addSpacing(6)
    col.addWidget(heading("Training"))
    rows = form_rows()
    form.optimizer = _combo((("sgd", "SGD with momentum", "Momentum 0.9, as in the ResNet "
                                                          "paper; learning rate 0.1"),
                             ("adam", "Adam", "Adapts each weight's step; learning rate "
                                              "0.001")),
                            "How the weights are updated; choosing one sets its usual "
                            "learning rate")
    form.lr = QDoubleSpinBox(decimals=4, minimum=0.0, maximum=10.0, singleStep=0.01, value=0.1)
    form.lr.setToolTip("The size of each update: 0.1 is usual for SGD, 0.001 for Adam; too "
                       "large and the loss blows up")
    form.batch_size = QSpinBox(minimum=0, maximum=4096, value=64, suffix=" per step")
    form.batch_size.setToolTip("Images in each training step, the same for every model; "
                               "larger batches need more memory")
    form.length = QSpinBox(minimum=0, maximum=1_000_000, value=300, groupSeparatorShown=True)
    form.length.setToolTip("How long to train, in optimiser steps or in passes over the "
                           "training images (epochs)")
    form.length_unit = QComboBox(toolTip="Count the length in steps or in epochs")
    form.length_unit.addItem("steps", "steps")
    form.length_unit.addItem("epochs", "epochs")
    length_row = QHBoxLayout()
    length_row.setSpacing(4)
    length_row.addWidget(form.length, 1)
    length_row.addWidget(form.length_unit)
    form.schedule = _combo(SCHEDULES, "How the learning rate changes during the run")
    form.device = _combo(DEVICES, "Where the models train; Automatic picks the fastest")
    form.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
    form.seed.setToolTip("Fixes the data, the batches and the starting weights: the same seed "
                         "repeats a run exactly")
    rows.addRow("Optimiser", form.optimizer)
    rows.addRow("Learning rate", form.lr)
    _problem_row(form, rows, "lr", form.lr)
    rows.addRow("Batch size", form.batch_size)
    _problem_row(form, rows, "batch_size", form.batch_size)
    rows.addRow("Train for", length_row)
    _problem_row(form, rows, "length", form.length)
    # How long the run will take here, measured on the last run of the same models; a row
    # that takes no room while there is no such measurement.
    form.estimate = _muted()
    form.estimate.setObjectName("Estimate")
    rows.addRow("", form.estimate)
    rows.setRowVisible(form.estimate, False)
    rows.addRow("Schedule", form.schedule)
    rows.addRow("Device", form.device)
    rows.addRow("Seed", form.seed)
    col.addLayout(rows)
    return rows


def show_folder_use(field: PathField, dataset: str) -> None:
    """Say in ``field`` what its folder is for with ``dataset``; disabled (and why) for the
    built-in shapes, which need none."""
    field.edit.setPlaceholderText(
        "Choose the image folder" if dataset == "folder" else
        "Not needed" if dataset == "shapes" else "Cache folder (downloads when online)")
    field.setToolTip(
        "The image folder: one sub-folder of pictures per class" if dataset == "folder" else
        "Built-in shapes are drawn on the fly: no folder is needed" if dataset == "shapes"
        else "Where the data set is downloaded once and read from afterwards; empty: "
             "cnnviz's cache folder")
    field.setEnabled(dataset != "shapes")


def tab_chain(form: SetupForm) -> list[QWidget]:
    """The form's focusable widgets in the order they appear, model rows included."""
    chain = [form.preset_combo]
    for row in form.rows:
        chain += [row.combo, row.remove, row.start, row.freeze]
    return chain + [
        form.add_button, form.batch_norm, form.activation, form.init, form.dataset,
        form.data_dir.edit, form.data_dir.browse, form.train_size, form.pipeline.edit,
        form.pipeline.browse, form.optimizer, form.lr, form.batch_size, form.length,
        form.length_unit, form.schedule, form.device, form.seed, form.runs_dir.edit,
        form.runs_dir.browse]


def form_style(pal) -> str:
    """The form's additions to the application's style sheet, for palette ``pal``."""
    # Field looks (disabled and invalid ones too) come from the application's style sheet.
    return (
        f"QLabel[role=\"problem\"] {{ color: {pal.danger}; }}"
        f"QLabel#Headline {{ font-weight: 600; color: {pal.text}; }}"
        f"QLabel#LockNote, QLabel#RefillNote {{ background: {pal.accent_soft}; "
        f"color: {pal.text}; border-radius: 6px; padding: 6px 8px; }}"
    )
