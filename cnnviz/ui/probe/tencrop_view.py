"""Ten-crop testing: the four corners, the centre and their mirror images, averaged.

Krizhevsky et al. (2012) averaged the network's answers over these ten crops; the view shows
the crops and the averaged top-5 beside the single centre crop's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget,
)

from cnnviz.ui.probe.image_canvas import rgb_pixmap
from cnnviz.ui.probe.predictions import PredictionList

CROP_NAMES = ("top left", "top right", "bottom left", "bottom right", "centre")
_THUMB = 96
INTRO = ("Test-time augmentation as in AlexNet: the network answers for ten crops (four "
         "corners, the centre, and their mirror images) and the answers are averaged.")
RANDOM_NOTE = ("With random weights the answers are noise; load trained weights for answers "
               "that mean something.")


def _heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setProperty("role", "heading")
    return label


class TenCropView(QWidget):
    """:meth:`set_result` with what :func:`cnnviz.core.probe.ten_crop_predict` returns."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.crops: list = []
        self.intro = QLabel(wordWrap=True)
        self.intro.setProperty("role", "muted")
        self.intro.setText(INTRO)
        self.thumbs: list[QLabel] = []
        grid = QGridLayout()
        grid.setSpacing(8)
        for i in range(10):
            cell = QVBoxLayout()
            cell.setSpacing(2)
            thumb = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            thumb.setFixedSize(_THUMB, _THUMB)
            thumb.setFrameShape(QFrame.Shape.StyledPanel)
            # Two short lines, not one long one: five captions must fit beside the explorer.
            caption = QLabel(CROP_NAMES[i % 5] + ("\nmirrored" if i >= 5 else ""),
                             alignment=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            caption.setProperty("role", "muted")
            cell.addWidget(thumb, 0, Qt.AlignmentFlag.AlignHCenter)
            cell.addWidget(caption)
            grid.addLayout(cell, i // 5, i % 5)
            self.thumbs.append(thumb)
        self.single = PredictionList(5)
        self.averaged = PredictionList(5)
        answers = QHBoxLayout()
        answers.setSpacing(24)
        for title, view in (("Centre crop only", self.single),
                            ("Average of the ten crops", self.averaged)):
            col = QVBoxLayout()
            col.addWidget(_heading(title))
            col.addWidget(view)
            answers.addLayout(col, 1)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(12)
        layout.addWidget(self.intro)
        layout.addLayout(grid)
        layout.addLayout(answers)
        layout.addStretch(1)
        # A short window scrolls the page rather than squeezing the crops and answers.
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget "
                             "{ background: transparent; }")
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.clear("Drop a photo to compare the centre crop with ten-crop averaging.")

    def clear(self, message: str) -> None:
        self.crops = []
        for thumb in self.thumbs:
            thumb.clear()
        self.single.set_message(message)
        self.averaged.set_message("")

    def set_result(self, single: list, averaged: list, crops: list, trained: bool = True) -> None:
        """Show the crops and both answers; ``trained`` false adds a warning that random
        weights answer at random."""
        self.crops = list(crops)
        self.intro.setText(INTRO if trained else f"{INTRO} {RANDOM_NOTE}")
        for thumb, crop in zip(self.thumbs, crops):
            small = max(crop.shape[:2]) <= 64  # keep a 32x32 crop's pixels visible
            pm = rgb_pixmap(crop).scaled(_THUMB - 4, _THUMB - 4, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.FastTransformation if small
                                         else Qt.TransformationMode.SmoothTransformation)
            thumb.setPixmap(pm)
        self.single.set_predictions(single)
        self.averaged.set_predictions(averaged)
