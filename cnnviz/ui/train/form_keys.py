"""Enter and Esc in the setup form's text and number fields.

Enter (Return, or the keypad's Enter) in a field commits what was typed and asks for the run
to start, as Enter does in a dialog.  Esc puts back the value the field had when it got the
focus, so a half-typed number can be abandoned without remembering what was there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _field_of(widget: QWidget | None) -> QWidget | None:
    """The spin box, editable combo box or line edit that ``widget`` is (or is part of)."""
    while widget is not None:
        if isinstance(widget, QAbstractSpinBox):
            return widget
        if isinstance(widget, QComboBox):
            return widget if widget.isEditable() else None
        if isinstance(widget, QLineEdit) and not isinstance(widget.parent(), (
                QAbstractSpinBox, QComboBox)):
            return widget
        widget = widget.parentWidget()
    return None


def _value(field: QWidget):
    if isinstance(field, QAbstractSpinBox):
        return field.value()
    if isinstance(field, QComboBox):
        return field.currentText()
    return field.text()


def _restore(field: QWidget, value) -> None:
    if isinstance(field, QAbstractSpinBox):
        field.setValue(value)
        field.selectAll()
    elif isinstance(field, QComboBox):
        field.setCurrentText(value)
    else:
        field.setText(value)


class FieldKeys(QObject):
    """Watches the key presses that ``form``'s fields leave unhandled.

    ``submitted`` fires when Enter is pressed in a field of ``form`` (a combo box's open
    list takes Enter itself, to choose an entry).
    """

    submitted = Signal()

    def __init__(self, form: QWidget) -> None:
        super().__init__(form)
        self._form = form
        self._field: QWidget | None = None
        self._before = None
        QApplication.instance().focusChanged.connect(self._focus_changed)
        form.installEventFilter(self)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        field = _field_of(new)
        if field is self._field:
            return
        if field is not None and not self._form.isAncestorOf(field):
            field = None
        self._field = field
        self._before = _value(field) if field is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._form and event.type() == QEvent.Type.KeyPress:
            field = _field_of(QApplication.focusWidget())
            if field is None or not self._form.isAncestorOf(field):
                return False
            if event.key() in _ENTER:
                self._field, self._before = field, _value(field)  # committed now
                self.submitted.emit()
                return True
            if event.key() == Qt.Key.Key_Escape and field is self._field and \
                    _value(field) != self._before:
                _restore(field, self._before)
                return True
        return False
