"""The panel's header: which network and weights, a busy mark, the weights menu, Open image."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from cnnviz.ui.probe.weights_bar import WeightsBar


class PanelHeader(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel("Look inside")
        self.title.setProperty("role", "title")
        self.subtitle = QLabel("Choose a network in the catalog")
        self.subtitle.setProperty("role", "muted")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedSize(90, 6)
        self.busy.setTextVisible(False)
        self.busy.setToolTip("The network is working")
        self.busy.hide()
        self.open_button = QPushButton("Open image…")
        self.open_button.setProperty("primary", True)
        self.open_button.setToolTip("Run a photo through the network (or drop one on the panel)")
        self.weights_bar = WeightsBar()
        self.weights_bar.setEnabled(False)
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        row.addLayout(heading)
        row.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        row.addWidget(self.weights_bar)
        row.addWidget(self.open_button)

    def show_network(self, name: str, input_shape=None, weights_label: str = "") -> None:
        self.title.setText(f"Look inside {name}")
        if input_shape is None:
            self.subtitle.setText(weights_label)
        else:
            c, h, w = input_shape
            self.subtitle.setText(f"{c}×{h}×{w} input · {weights_label}")
