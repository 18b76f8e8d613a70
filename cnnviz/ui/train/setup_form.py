"""The run's settings: which models (a lesson preset or any zoo models), data, optimiser.

:meth:`SetupForm.config` turns the form into a :class:`~cnnviz.core.train.records.RunConfig`.
Choosing a preset fills the models and their switches (batch norm, activation, init) and the
preset's learning rate; changing a model or a switch afterwards makes it a custom pair.  Each
model also says where its weights start and how far it is frozen (transfer learning).
:meth:`SetupForm.apply_config` fills the form from a run's configuration
(:mod:`~cnnviz.ui.train.form_refill`).  Settings that cannot run are a sentence under their
field as soon as they are typed (:mod:`~cnnviz.ui.train.form_checks`).  The form never
imports torch on the GUI thread: what an architecture offers (freezable blocks, ImageNet
weights) is worked out on a worker thread, and the engine checks everything when the run
starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QScrollArea, QWidget

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.presets import PRESETS, Preset
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui import settings
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.train.form_checks import FormValues, check_values
from cnnviz.ui.train.form_fields import select_data, show_problems
from cnnviz.ui.train.form_keys import FieldKeys
from cnnviz.ui.train.form_layout import (
    build_form,
    form_style,
    show_folder_use,
    tab_chain,
)
from cnnviz.ui.train.form_presets import (
    CUSTOM_KEY,
    CUSTOM_LESSON,
    EDITED_LESSON,
    custom_models,
    find_preset,
    headline,
)
from cnnviz.ui.train.form_refill import refill
from cnnviz.ui.train.model_row import FactsCache, ModelRow

DEFAULT_PRESET = PRESETS[0].key


def default_runs_folder() -> Path:
    return Path.home() / "cnnviz-runs"


class SetupForm(QScrollArea):
    """The settings column.  ``config()`` reads it; ``changed`` fires on any edit;
    ``start_requested`` when Enter is pressed in one of its fields, and ``problem`` with a
    sentence when nothing can be checked or built (torch cannot be loaded).

    Call :meth:`shutdown` before the form goes away: it waits for the architecture checks
    running on its worker thread.
    """

    changed = Signal()
    start_requested = Signal()
    problem = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._filling = False
        self.preset: Preset | None = None
        self.rows: list[ModelRow] = []
        self.facts = FactsCache(self)
        self.facts.torch_missing.connect(self.problem)
        self._facts_timer = QTimer(self, singleShot=True, interval=250)
        self._facts_timer.timeout.connect(self._refresh_facts)
        body = QWidget()
        self.setWidget(body)
        build_form(self, body)
        self.runs_dir.setText(settings.read_str("train/runs_dir", str(default_runs_folder())))
        self.keys = FieldKeys(self)
        self.keys.submitted.connect(self.start_requested)
        self._connect()
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        self.choose_preset(settings.read_str("train/preset", DEFAULT_PRESET,
                                             tuple(p.key for p in PRESETS) + (CUSTOM_KEY,)))
        self._dataset_changed()

    def _connect(self) -> None:
        self.add_button.clicked.connect(lambda: self.add_model("resnet20"))
        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        for signal in (self.batch_norm.toggled, self.activation.currentIndexChanged,
                       self.init.currentIndexChanged):
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
        self.changed.connect(self._check)

    def _retheme(self, pal) -> None:
        self.widget().setStyleSheet(form_style(pal))
        for field in (self.data_dir, self.pipeline, self.runs_dir):
            field.retheme(pal)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.EnabledChange:
            # The workspace locks the form while a run trains: say so, and how to unlock it.
            self.lock_note.setVisible(not self.isEnabled())
        super().changeEvent(event)

    @contextmanager
    def filling(self) -> Iterator[None]:
        """Fill several fields as one change: no ``changed`` and no custom-pair switch
        until the block ends (then call :meth:`settings_filled`)."""
        before, self._filling = self._filling, True
        try:
            yield
        finally:
            self._filling = before

    def settings_filled(self) -> None:
        """After a :meth:`filling` block: check the fields and ask for the models' facts."""
        self._dataset_changed()
        self._facts_timer.start()

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
        self._rows_changed()
        self._switch_changed()
        self._facts_timer.start()
        return row

    def replace_rows(self, archs: list[str]) -> None:
        """One model row per name of ``archs``, instead of the rows there are."""
        for row in self.rows:
            self.rows_box.removeWidget(row)
            row.hide()  # out of the layout at once, not only when deleted
            row.deleteLater()
        self.rows = []
        with self.filling():
            for arch in archs:
                self.add_model(arch)

    def _remove_row(self, row: ModelRow) -> None:
        if len(self.rows) <= 1:
            return
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._rows_changed()
        self._switch_changed()

    def _rows_changed(self) -> None:
        alone = len(self.rows) == 1
        for row in self.rows:
            row.remove.setEnabled(not alone)
            row.remove.setToolTip("A run needs at least one model" if alone else
                                  "Remove this model from the run")
        # Rows are made after the rest of the form; without this, Tab would reach them last.
        for first, second in pairwise(tab_chain(self)):
            QWidget.setTabOrder(first, second)

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
        preset = find_preset(key)
        if preset is None:
            self.preset = None
            if not self.rows:
                self.replace_rows(["plain20", "resnet20"])
            self._show_lesson("", CUSTOM_LESSON)
            self.changed.emit()
            return
        with self.filling():
            self.replace_rows([model.arch for model in preset.models])
            self.set_switches(preset.models[0].options)
            self.optimizer.setCurrentIndex(self.optimizer.findData(
                preset.settings.get("optimizer", "sgd")))
            self.lr.setValue(RunConfig(models=preset.models, **preset.settings).learning_rate)
        self.preset = preset
        self._show_lesson(headline(preset), preset.lesson)
        self.changed.emit()

    def set_switches(self, options: dict) -> None:
        """Set batch norm, activation and initialisation from a model's ``options``."""
        self.batch_norm.setChecked(bool(options.get("batch_norm", True)))
        select_data(self.activation, str(options.get("activation", "relu")))
        select_data(self.init, str(options.get("init", "default")))

    def show_custom(self, lesson: str) -> None:
        """Show "Custom models" with ``lesson`` under it, without changing the models."""
        self.preset = None
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(CUSTOM_KEY))
        self.preset_combo.blockSignals(False)
        settings.write("train/preset", CUSTOM_KEY)
        self._show_lesson("", lesson)

    def _show_lesson(self, line: str, paragraph: str) -> None:
        self.headline.setText(line)
        self.headline.setVisible(bool(line))
        self.lesson.setText(paragraph)

    def _switch_changed(self, *_args) -> None:
        if self._filling:
            return
        if self.preset is not None:
            self.show_custom(EDITED_LESSON)
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
        show_folder_use(self.data_dir, self.dataset.currentData())
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
        if self.activation.currentData() != "relu":
            options["activation"] = self.activation.currentData()
        if self.init.currentData() != "default":
            options["init"] = self.init.currentData()
        return options

    def values(self) -> FormValues:
        """What the data and training fields hold, for :func:`check_values`."""
        return FormValues(
            dataset=self.dataset.currentData(), data_dir=self.data_dir.text(),
            pipeline=self.pipeline.text(), train_size=self.train_size.value(),
            batch_size=self.batch_size.value(), length=self.length.value(),
            by_steps=self.length_unit.currentData() == "steps", lr=self.lr.value())

    def _check(self) -> None:
        show_problems(check_values(self.values()), self.problem_lines, self.checked_fields)

    def models(self) -> tuple[ModelConfig, ...]:
        archs = [row.arch for row in self.rows]
        if any(not a for a in archs):
            raise TrainingError("Every model row needs a model name; remove the empty one.")
        if self.preset is not None and archs == [m.arch for m in self.preset.models]:
            models = self.preset.models
        else:
            models = custom_models(archs, self._options())
        return tuple(dataclasses.replace(m, weights=row.weights, freeze_until=row.freeze_until)
                     for m, row in zip(models, self.rows))

    def config(self) -> RunConfig:
        """The run the form describes; a sentence (TrainingError) when it cannot run."""
        values = self.values()
        problems = check_values(values)
        if problems:
            raise TrainingError(problems[0].sentence)
        dataset = values.dataset
        return RunConfig(
            models=self.models(), dataset=dataset,
            data_dir=_expanded(values.data_dir) if dataset != "shapes" else None,
            train_size=values.train_size or None, pipeline=_expanded(values.pipeline),
            batch_size=values.batch_size,
            steps=values.length if values.by_steps else None,
            epochs=None if values.by_steps else values.length,
            optimizer=self.optimizer.currentData(), lr=values.lr,
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

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # As wide as the fields need once styled (the style sheet's padding counts): the
        # scroll area would otherwise clip their right edge instead of scrolling.
        hint = super().minimumSizeHint()
        inner = self.widget().minimumSizeHint().width() if self.widget() else 0
        width = inner + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())

    def shutdown(self) -> None:
        """Wait for the architecture checks still running."""
        self._facts_timer.stop()
        self.facts.shutdown()

    # -- filling from a run -----------------------------------------------------------------------

    def show_note(self, text: str) -> None:
        """One line above the form (``""`` hides it); it goes away at the next edit."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def show_estimate(self, sentence: str) -> None:
        """The line under "Train for" saying how long the run will take (``""`` hides it)."""
        self.estimate.setText(sentence)
        self.training_rows.setRowVisible(self.estimate, bool(sentence))

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
        return refill(self, config)


def _expanded(path: str) -> str | None:
    """A path as typed ("~/pictures" included, as the checks read it); None when empty."""
    return str(Path(path).expanduser()) if path.strip() else None
