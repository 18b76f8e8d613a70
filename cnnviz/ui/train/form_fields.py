"""Small fields of the Train workspace's setup form: section headings, labelled rows that
line up across sections, path pickers, the sentence under a field that cannot run, and
putting a past run's numbers into spin boxes without changing them."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from cnnviz.ui.widgets import icons


def heading(text: str) -> QLabel:
    """A section heading ("DATA") in the application's heading style."""
    label = QLabel(text.upper())
    label.setProperty("role", "heading")
    return label


def form_rows() -> QFormLayout:
    """A layout of labelled rows: labels on the left, centred on their field."""
    rows = QFormLayout()
    rows.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    rows.setHorizontalSpacing(12)
    rows.setVerticalSpacing(6)
    return rows


def align_labels(*layouts: QFormLayout) -> int:
    """Give every label of ``layouts`` the width of the widest, so the fields of separate
    sections start at the same x, and centre each label on its field; returns that width."""
    pairs = []
    for rows in layouts:
        for i in range(rows.rowCount()):
            label = rows.itemAt(i, QFormLayout.ItemRole.LabelRole)
            field = rows.itemAt(i, QFormLayout.ItemRole.FieldRole)
            if label is not None and isinstance(label.widget(), QLabel) and field is not None:
                pairs.append((label.widget(), field))
    width = max((label.sizeHint().width() for label, _ in pairs), default=0)
    for label, field in pairs:
        label.setMinimumWidth(width)
        if label.text():
            # A form layout puts a label at the top of its row: as tall as the field, the
            # text sits on the field's middle line.
            label.setMinimumHeight(field.sizeHint().height())
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return width


class ProblemLine(QLabel):
    """The sentence under a field whose value cannot run: a row of ``rows`` of its own,
    hidden (taking no space) while there is none."""

    def __init__(self, rows: QFormLayout) -> None:
        super().__init__(wordWrap=True)
        self.setProperty("role", "problem")
        self.rows = rows
        rows.addRow("", self)
        rows.setRowVisible(self, False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # QLabel guesses two lines for a short wrapped text; a form row would keep a gap.
        hint = super().sizeHint()
        if self.width() > 0:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def show_problem(self, sentence: str) -> None:
        self.setText(sentence)
        self.rows.setRowVisible(self, bool(sentence))


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Draw ``widget`` with the form's "cannot run" border, or without it."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    # A dynamic property only restyles once the style is reapplied.
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def show_problems(problems, lines: dict[str, ProblemLine],
                  fields: dict[str, QWidget]) -> None:
    """Show each :class:`~cnnviz.ui.train.form_checks.Problem` (the first for a field) on
    that field's line, outline the field, and clear the fields without one."""
    by_field = {}
    for problem in problems:
        by_field.setdefault(problem.field, problem.sentence)
    for key, line in lines.items():
        line.show_problem(by_field.get(key, ""))
        mark_invalid(fields[key], key in by_field)


def select_data(combo: QComboBox, data) -> bool:
    """Select the entry of ``combo`` whose data is ``data``; False (unchanged) if none is."""
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
    return index >= 0


_INT_LIMIT = 2**31 - 1  # a QSpinBox holds a C int
_MAX_DECIMALS = 8


def show_value(spin: QAbstractSpinBox, value: float) -> bool:
    """Put ``value`` into ``spin`` exactly, widening its range (and, for a double spin box,
    its decimals) when a past run used a value beyond them; False when it cannot hold the
    value, and then it shows the nearest one it can."""
    if isinstance(spin, QDoubleSpinBox):
        value = float(value)
        decimals = spin.decimals()
        while decimals < _MAX_DECIMALS and not math.isclose(round(value, decimals), value,
                                                              rel_tol=1e-9, abs_tol=0.0):
            decimals += 1
        if decimals != spin.decimals():
            spin.setDecimals(decimals)
        if math.isfinite(value):
            spin.setRange(min(spin.minimum(), value), max(spin.maximum(), value))
        spin.setValue(value)
        return math.isclose(spin.value(), value, rel_tol=1e-9, abs_tol=0.0)
    value = int(value)
    if -_INT_LIMIT <= value <= _INT_LIMIT:
        spin.setRange(min(spin.minimum(), value), max(spin.maximum(), value))
    spin.setValue(max(spin.minimum(), min(spin.maximum(), value)))
    return spin.value() == value


class PathField(QWidget):
    """A line edit with a Browse button (:attr:`browse`) for a file or a folder.

    :meth:`setToolTip` explains the edit and the button together."""

    changed = Signal()

    def __init__(self, placeholder: str, *, folder: bool, file_filter: str = "",
                 parent=None) -> None:
        super().__init__(parent)
        self.folder, self.file_filter = folder, file_filter
        self.edit = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        self.edit.textChanged.connect(self.changed)
        # A folder icon rather than "…": three dots in a box read as "more", not "browse".
        self.browse = QToolButton()
        self.browse.setToolTip("Choose a folder…" if folder else "Choose a file…")
        self.browse.setAccessibleName("Choose a folder" if folder else "Choose a file")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setToolTip(text)
        self.edit.setToolTip(text)

    def retheme(self, pal) -> None:
        self.browse.setIcon(icons.icon("open", pal.muted, pal.accent, 16))

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
