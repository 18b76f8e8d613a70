"""The setup form's choice of models: a lesson preset, told in a one-line headline in the
menu and above the lesson's paragraph (so a student sees what each comparison is for before
choosing), or a custom set of models named after their architectures.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from cnnviz.core.train.presets import PRESETS, Preset
from cnnviz.core.train.records import ModelConfig

#: The lesson each preset tells, in one line; a preset missing here uses its lesson's first
#: sentence.
HEADLINES = {
    "plain20-vs-resnet20": "The baseline: at 20 layers both train, with or without shortcuts.",
    "plain56-vs-resnet56": "Over long training, deeper is worse without shortcuts: the "
                           "degradation problem.",
    "plain20-vs-resnet20-no-bn": "Without batch norm, the plain network's first layers "
                                 "starve of gradient.",
    "plain56-vs-resnet56-no-bn": "Deep and without batch norm: only the residual twin "
                                 "still learns.",
    "plain20-vs-resnet20-sigmoid": "Sigmoids make the gradient vanish; shortcuts halve "
                                   "how many sigmoids it crosses.",
}

CUSTOM_KEY = ""
CUSTOM_TITLE = "Custom models"
CUSTOM_HEADLINE = "Any models you choose, trained side by side on the same batches."
CUSTOM_LESSON = ("Train any models side by side on the same batches; the switches below "
                 "apply to every model that has them.")
EDITED_LESSON = ("A custom set of models: the switches below apply to every model that has "
                 "them.")
REFILLED_LESSON = ("The models of a past run: the switches below apply to every model that "
                   "has them.")


def headline(preset: Preset) -> str:
    """The one-line lesson of ``preset``."""
    if preset.key in HEADLINES:
        return HEADLINES[preset.key]
    first = re.split(r"(?<=[.!?])\s", preset.lesson.strip(), maxsplit=1)[0]
    return first


def fill_preset_menu(combo: QComboBox) -> None:
    """Put every preset, then "Custom models", into ``combo``: data is the preset's key
    (``""`` for custom), the tooltip its headline."""
    for preset in PRESETS:
        combo.addItem(preset.title, preset.key)
        combo.setItemData(combo.count() - 1, headline(preset), Qt.ItemDataRole.ToolTipRole)
    combo.addItem(CUSTOM_TITLE, CUSTOM_KEY)
    combo.setItemData(combo.count() - 1, CUSTOM_HEADLINE, Qt.ItemDataRole.ToolTipRole)


def find_preset(key: str) -> Preset | None:
    return next((p for p in PRESETS if p.key == key), None)


def custom_models(archs: list[str], options: dict) -> tuple[ModelConfig, ...]:
    """Models for ``archs`` with the form's switches ``options``, each named after its
    architecture (the class name for ``path/file.py:Class``); a repeated name gets
    "-2", "-3"… so every model's log has its own name."""
    names, seen = [], {}
    for arch in archs:
        base = Path(arch.split(":")[-1]).stem if ":" in arch else arch
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return tuple(ModelConfig(a, name=n, options=dict(options)) for a, n in zip(archs, names))
