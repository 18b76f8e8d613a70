"""A one-line label with a long form and shorter ones: the longest that fits is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cnnviz.ui.widgets.elided import ElidedLabel


class ShortenedLabel(ElidedLabel):
    """A label with a long form and shorter ones (:meth:`set_forms`): the longest that fits
    is shown (the long one until the label is on screen), and the shortest is cut with "…"
    only when even it does not fit; :meth:`text` is the form on screen, and the tooltip
    says the rest of a cut one."""

    def __init__(self, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(mode=mode)
        self._forms: tuple[str, ...] = ("",)

    def set_forms(self, long: str, *shorter: str) -> None:
        self._forms = (long, *(form for form in shorter if form))
        self._choose()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._choose()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._choose()  # sized while hidden, it showed the long form

    def _choose(self) -> None:
        text = self._forms[0]
        if self.isVisible():
            room = self.width() - 2
            text = next((form for form in self._forms
                         if self.fontMetrics().horizontalAdvance(form) <= room),
                        self._forms[-1])
        if text != self.text():
            self.setText(text)
