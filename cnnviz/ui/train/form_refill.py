"""Filling the setup form from a past run's :class:`~cnnviz.core.train.records.RunConfig`,
so that Start trains the same run again.

A run whose models are a preset's (same architectures, names and switches) selects that
preset; any other set of models becomes a custom set, model by model.  Every number goes in
exactly, widening a field's range where the run went beyond it; what the form cannot show
is named in a sentence rather than changed silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnviz.core.train.presets import PRESETS, Preset
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui.train.form_fields import select_data, show_value
from cnnviz.ui.train.form_presets import REFILLED_LESSON

if TYPE_CHECKING:
    from cnnviz.ui.train.setup_form import SetupForm


def same_models(a: tuple[ModelConfig, ...], b: tuple[ModelConfig, ...]) -> bool:
    """Same architectures, names and switches (starting weights and freezing aside)."""
    def key(m: ModelConfig) -> tuple:
        return m.arch, m.label, sorted(m.options.items())

    return len(a) == len(b) and all(key(x) == key(y) for x, y in zip(a, b))


def preset_of(models: tuple[ModelConfig, ...]) -> Preset | None:
    """The preset whose models ``models`` are, or None."""
    return next((p for p in PRESETS if same_models(p.models, models)), None)


def refill(form: SetupForm, config: RunConfig) -> list[str]:
    """Fill ``form`` with ``config``; see :meth:`SetupForm.apply_config`."""
    preset = preset_of(config.models)
    if preset is not None:
        form.choose_preset(preset.key)
    unshown = []
    with form.filling():
        if preset is None:
            form.show_custom(REFILLED_LESSON)
            form.replace_rows([m.arch for m in config.models])
            form.set_switches(config.models[0].options if config.models else {})
        for row, model in zip(form.rows, config.models):
            row.set_weights(model.weights)
            row.set_freeze(model.freeze_until)
        unshown += _fill_data(form, config)
        unshown += _fill_training(form, config)
    form.settings_filled()
    if not unshown:
        return []
    return [f"The form cannot show the run's {', '.join(unshown)}: check those fields "
            "before you press Start."]


def _fill_data(form: SetupForm, config: RunConfig) -> list[str]:
    unshown = []
    if not select_data(form.dataset, config.dataset):
        unshown.append(f"data set {config.dataset}")
    form.data_dir.setText(config.data_dir or "")
    if not show_value(form.train_size, config.train_size or 0):
        unshown.append(f"{config.train_size} images")
    form.pipeline.setText(config.pipeline or "")
    return unshown


def _fill_training(form: SetupForm, config: RunConfig) -> list[str]:
    unshown = []
    if not select_data(form.optimizer, config.optimizer):
        unshown.append(f"optimiser {config.optimizer}")
    if not show_value(form.lr, config.learning_rate):
        unshown.append(f"learning rate {config.learning_rate:g}")
    if not show_value(form.batch_size, config.batch_size):
        unshown.append(f"batch size {config.batch_size}")
    by_steps = config.steps is not None or config.epochs is None
    select_data(form.length_unit, "steps" if by_steps else "epochs")
    length = config.steps if config.steps is not None else config.epochs or 1
    if not show_value(form.length, length):
        unshown.append(f"{length} {'steps' if by_steps else 'epochs'}")
    if not select_data(form.schedule, config.schedule):
        unshown.append(f"schedule {config.schedule}")
    if not select_data(form.device, (config.device or "auto").split(":")[0]):
        unshown.append(f"device {config.device}")
    if not show_value(form.seed, config.seed):
        unshown.append(f"seed {config.seed}")
    return unshown
