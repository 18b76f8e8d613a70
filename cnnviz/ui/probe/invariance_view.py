"""The invariance check: the studio's pipeline applied N times, the network's answer beside
each sample, so a student sees which augmentations the network shrugs off and which fool it.

The view owns its controls (samples, seed, the pipeline file button) and asks for a run
with ``run_requested(count, seed)``; the panel runs it off the GUI thread and calls
:meth:`set_result`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSpinBox, QVBoxLayout,
    QWidget,
)

from cnnviz.core.augment import get_op
from cnnviz.core.errors import CnnvizError
from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.probe.flow import FlowLayout
from cnnviz.ui.probe.image_canvas import rgb_pixmap
from cnnviz.ui.theme import theme_manager

_THUMB = 112
_CARD_WIDTH = _THUMB + 60


def describe_pipeline(pipeline) -> str:
    """The switched-on steps by the names the studio shows, each with its chance if below
    100 %: "Horizontal flip (50%) → Rotation"."""
    steps = [s for s in pipeline.steps if s.enabled]
    if not steps:
        return "an empty pipeline (every sample is the original)"
    return " → ".join(_title(s.op) + (f" ({s.probability:.0%})" if s.probability < 1 else "")
                      for s in steps)


def _title(op: str) -> str:
    try:
        return get_op(op).title
    except CnnvizError:
        return op.replace("_", " ")


class SampleCard(QFrame):
    """One augmented sample with the network's top guesses for it."""

    def __init__(self, image, predictions: list, same: bool, parent=None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.same = same
        pal = theme_manager().palette
        picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        small = max(image.shape[:2]) <= 64
        picture.setPixmap(rgb_pixmap(image).scaled(
            _THUMB, _THUMB, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.FastTransformation if small
            else Qt.TransformationMode.SmoothTransformation))
        picture.setFixedHeight(_THUMB + 4)
        top = predictions[0] if predictions else None
        colour = pal.accent if same else pal.danger
        verdict = "same answer" if same else "answer changed"
        self.answer = QLabel(f"<b>{top.name}</b> {top.probability:.0%}" if top else "—")
        self.answer.setWordWrap(True)
        tag = QLabel(f'<span style="color:{colour}">● {verdict}</span>')
        others = QLabel(" · ".join(f"{p.name} {p.probability:.0%}" for p in predictions[1:]))
        others.setProperty("role", "muted")
        others.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(3)
        for w in (picture, self.answer, tag, others):
            layout.addWidget(w)
        self.setFixedWidth(_CARD_WIDTH)


class InvarianceView(QWidget):
    run_requested = Signal(int, int)  # count, seed
    load_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.cards: list[SampleCard] = []
        self.rows: list = []
        self.pipeline_label = ElidedLabel()
        self.count = QSpinBox(minimum=1, maximum=32, value=8, suffix=" samples")
        self.seed = QSpinBox(minimum=0, maximum=999_999, value=0, prefix="seed ")
        self.load_button = QPushButton("Load pipeline JSON…")
        self.run_button = QPushButton("Run check")
        self.run_button.setProperty("primary", True)
        self.load_button.clicked.connect(self.load_requested)
        self.run_button.clicked.connect(
            lambda: self.run_requested.emit(self.count.value(), self.seed.value()))
        self.summary = QLabel(wordWrap=True)
        self.summary.setProperty("role", "muted")
        group = QWidget()
        buttons = QHBoxLayout(group)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(8)
        for w in (self.load_button, self.count, self.seed, self.run_button):
            buttons.addWidget(w)
        # The pipeline's steps on the left, the controls on the right; when the panel is
        # narrow the controls move to a row of their own.
        self.toolbar = QWidget()
        controls = FlowLayout(self.toolbar, spacing=12, last_right=True)
        controls.addWidget(self.pipeline_label)
        controls.addWidget(group)
        self.cards_host = QWidget()
        self.cards_grid = QGridLayout(self.cards_host)
        self.cards_grid.setSpacing(10)
        self.cards_grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget "
                                  "{ background: transparent; }")
        self.scroll.setWidget(self.cards_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(10)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll, 1)

    def _room(self) -> int:
        """The width the cards share; the scroll bar's width is kept free whether or not it
        shows, so cards never jump when it appears."""
        margins = self.cards_grid.contentsMargins()
        bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        return self.scroll.width() - bar - margins.left() - margins.right()

    def columns(self) -> int:
        spacing = self.cards_grid.horizontalSpacing()
        return max(1, (self._room() + spacing) // (_CARD_WIDTH + spacing))

    def _place_cards(self) -> None:
        columns = self.columns()
        spacing = self.cards_grid.horizontalSpacing()
        # The columns share the row, up to a third wider than a card needs, so a narrow
        # panel has no ragged gap on the right.
        width = (self._room() - spacing * (columns - 1)) // columns
        width = max(_CARD_WIDTH, min(width, _CARD_WIDTH * 4 // 3))
        for i, card in enumerate(self.cards):
            card.setFixedWidth(width)
            self.cards_grid.addWidget(card, i // columns, i % columns)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_cards()

    def set_pipeline(self, pipeline, source: str) -> None:
        self.pipeline_label.setText(f"Pipeline ({source}): {describe_pipeline(pipeline)}")

    def clear(self, message: str = "") -> None:
        for card in self.cards:
            card.deleteLater()
        self.cards, self.rows = [], []
        self.summary.setText(message)

    def set_result(self, base: list, rows: list, trained: bool = True) -> None:
        """``base``: top guesses for the untouched image; ``rows``: (sample, guesses);
        ``trained`` false adds a warning that random weights answer at random."""
        self.clear()
        self.rows = list(rows)
        reference = base[0].index if base else None
        for image, predictions in rows:
            same = bool(predictions) and predictions[0].index == reference
            self.cards.append(SampleCard(image, predictions, same))
        self._place_cards()
        kept = sum(card.same for card in self.cards)
        if base:
            self.summary.setText(
                f"Untouched, the network answers <b>{base[0].name}</b> ({base[0].probability:.0%}). "
                f"That answer held in {kept} of {len(rows)} augmented samples."
                + ("" if trained else " With random weights the answers are noise; load "
                   "trained weights for answers that mean something."))
