"""One control per operation parameter, built from its :class:`ParamSpec`.

Ranged numbers get a two-handle slider (superqt's labelled range sliders: each handle has an
editable number beside the track), single numbers a labelled slider, switches a check box,
choices a combo box.  Every control reports values already in the type the pipeline expects
(``int`` or ``float``, a tuple for ranges) through :attr:`ParamControl.changed`, and emits
while a handle is dragged, not only on release, so the preview can follow the hand.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from superqt import QLabeledDoubleRangeSlider, QLabeledDoubleSlider, QLabeledRangeSlider, QLabeledSlider

from cnnviz.core.augment import ParamSpec


# Units that alone at the end of a row would read as something else: a lone "×" looks like
# a button that removes the row.
UNIT_WORDS = {"×": "factor (×)"}


def decimals_for(step: float | None) -> int:
    """Digits after the point that show a value on a slider of ``step`` exactly."""
    if not step or step >= 1:
        return 0
    return min(4, max(0, math.ceil(-math.log10(step) - 1e-9)))


class ParamControl(QWidget):
    """A titled control for one parameter; :meth:`value` gives what the pipeline stores."""

    changed = Signal(str, object)  # parameter name, new value

    def __init__(self, spec: ParamSpec, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._editor = self._make_editor(spec)
        self.setToolTip(spec.help)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 2, 0, 2)
        col.setSpacing(2)
        if spec.kind == "bool":
            self._editor.setText(spec.title)
            col.addWidget(self._editor)
        else:
            head = QHBoxLayout()
            head.setSpacing(6)
            title = QLabel(spec.title)
            head.addWidget(title)
            head.addStretch(1)
            if spec.unit:
                unit = QLabel(UNIT_WORDS.get(spec.unit, spec.unit))
                unit.setProperty("role", "muted")
                head.addWidget(unit)
            col.addLayout(head)
            col.addWidget(self._editor)
        self.set_value(value)
        self._connect()

    # ---------------------------------------------------------------- editors
    @staticmethod
    def _make_editor(spec: ParamSpec) -> QWidget:
        horizontal = Qt.Orientation.Horizontal
        if spec.kind == "bool":
            box = QCheckBox()
            box.setProperty("bare", True)  # no text beside it: no room kept for one
            return box
        if spec.kind == "choice":
            box = QComboBox()
            for choice in spec.choices:
                box.addItem(choice.replace("_", " ").capitalize(), choice)
            return box
        if spec.kind == "int":
            slider = QLabeledRangeSlider(horizontal) if spec.ranged else QLabeledSlider(horizontal)
            slider.setRange(int(spec.minimum), int(spec.maximum))
            slider.setSingleStep(max(1, int(spec.step or 1)))
        else:
            cls = QLabeledDoubleRangeSlider if spec.ranged else QLabeledDoubleSlider
            slider = cls(horizontal)
            slider.setRange(float(spec.minimum), float(spec.maximum))
            slider.setSingleStep(float(spec.step or (spec.maximum - spec.minimum) / 100))
            slider.setDecimals(decimals_for(spec.step))
        if spec.ranged:
            # Low and high as editable numbers at the two ends of the track: one compact row,
            # and a value can be typed exactly instead of dragged.
            slider.setEdgeLabelMode(slider.EdgeLabelMode.LabelIsValue)
            slider.setHandleLabelPosition(slider.LabelPosition.NoLabel)
        return slider

    def _connect(self) -> None:
        editor = self._editor
        if isinstance(editor, QCheckBox):
            editor.toggled.connect(self._emit)
        elif isinstance(editor, QComboBox):
            editor.currentIndexChanged.connect(self._emit)
        else:
            editor.valueChanged.connect(self._emit)

    def _emit(self, *_args) -> None:
        self.changed.emit(self.spec.name, self.value())

    # ----------------------------------------------------------------- values
    @property
    def editor(self) -> QWidget:
        """The slider, check box or combo box itself (for tests and focus)."""
        return self._editor

    def value(self) -> Any:
        editor, spec = self._editor, self.spec
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        raw = editor.value()
        cast = int if spec.kind == "int" else self._round
        if spec.ranged:
            low, high = raw
            return (cast(low), cast(high))
        return cast(raw)

    def _round(self, value: float) -> float:
        # Sliders work in binary floats; a step of 0.01 should store 0.35, not 0.35000000002.
        return round(float(value), decimals_for(self.spec.step) + 2)

    def set_value(self, value: Any) -> None:
        """Show ``value`` without emitting :attr:`changed`."""
        editor = self._editor
        editor.blockSignals(True)
        try:
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif self.spec.ranged:
                editor.setValue(tuple(value))
            else:
                editor.setValue(value)
        finally:
            editor.blockSignals(False)
