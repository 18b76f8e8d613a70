"""The panel's header: which network and weights, a busy mark, the weights menu, Open image.

When the weights come from the training lab a strip under the title says which ones (the
lab's label, e.g. "plain20, step 400 of run 2026-11-28_0612", the input size it was trained
at and its class names) and offers the way back to the catalog's network
(``back_requested``).  Long names are shortened with "…" and shown whole in a tooltip, so
nothing is clipped beside the explorer at 1280x800.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.probe.weights_bar import WeightsBar
from cnnviz.ui.theme import Palette, theme_manager
from cnnviz.ui.widgets import icons


class LabStrip(QFrame):
    """"Trained in the lab: <label>", the input it was trained at, the classes, and a button
    back to the catalog."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("LabStrip")
        self.icon = QLabel()
        self.label = ElidedLabel()
        self.size_tag = QLabel()
        self.size_tag.setObjectName("SizeTag")
        self.classes = ElidedLabel()
        self.classes.setProperty("role", "muted")
        # The run's label keeps its width; the list of classes takes what is left.
        self.classes.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.back_button = QPushButton("Back to catalog weights")
        self.back_button.setToolTip("Show the catalog's network again, with fresh or ImageNet "
                                    "weights; the trained model stays in the Weights menu")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 5, 6, 5)
        row.setSpacing(8)
        row.addWidget(self.icon)
        row.addWidget(self.label)
        row.addWidget(self.size_tag)
        row.addSpacing(6)
        row.addWidget(self.classes, 1)
        row.addWidget(self.back_button)
        self.hide()

    def apply_palette(self, pal: Palette) -> None:
        self.icon.setPixmap(icons.pixmap("train", pal.accent, 16))
        self.setStyleSheet(f"#LabStrip {{ background: {pal.accent_soft}; border: 1px solid "
                           f"{pal.border}; border-radius: 8px; }}"
                           f"#SizeTag {{ color: {pal.accent}; border: 1px solid {pal.accent}; "
                           f"border-radius: 6px; padding: 0px 6px; font-weight: 600; }}")

    def show_lab(self, label: str, class_names: tuple[str, ...],
                 input_shape: tuple[int, int, int] | None = None,
                 catalog_shape: tuple[int, int, int] | None = None) -> None:
        self.label.setText(f"Trained in the lab: {label}")
        self.size_tag.setVisible(input_shape is not None)
        if input_shape is not None:
            c, h, w = input_shape
            text = f"input {h}×{w}" + (", grey" if c == 1 else "")
            tip = (f"Pictures are fed at {h}×{w} pixels with {c} channel{'s' if c > 1 else ''}, "
                   "as in its training run")
            if catalog_shape is not None and tuple(catalog_shape) != tuple(input_shape):
                tip += "; the catalog's network takes {}×{}×{}".format(*catalog_shape)
            self.size_tag.setText(text)
            self.size_tag.setToolTip(tip + ".")
        self.classes.setText(f"{len(class_names)} classes: {', '.join(class_names)}"
                             if class_names else "")
        self.classes.setVisible(bool(class_names))
        self.show()


class PanelHeader(QWidget):
    back_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = ElidedLabel("Look inside")
        self.title.setProperty("role", "title")
        self.subtitle = ElidedLabel("Choose a network in the catalog")
        self.subtitle.setProperty("role", "muted")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedSize(72, 6)
        self.busy.setTextVisible(False)
        self.busy.setToolTip("The network is working")
        self.busy.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.busy_slot = QWidget()  # keeps its width while hidden, so the title never jumps
        self.busy_slot.setFixedWidth(72)
        slot = QHBoxLayout(self.busy_slot)
        slot.setContentsMargins(0, 0, 0, 0)
        slot.addWidget(self.busy)
        self.busy.hide()
        self.open_button = QPushButton("Open image…")
        self.open_button.setProperty("primary", True)
        self.open_button.setToolTip("Run a photo through the network (or drop one on the panel)")
        self.weights_bar = WeightsBar()
        self.weights_bar.setEnabled(False)
        self.lab_strip = LabStrip()
        self.lab_strip.back_button.clicked.connect(self.back_requested)
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addLayout(heading, 1)
        row.addWidget(self.busy_slot, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.weights_bar)
        row.addWidget(self.open_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addLayout(row)
        column.addWidget(self.lab_strip)
        theme_manager().changed.connect(self.lab_strip.apply_palette)
        self.lab_strip.apply_palette(theme_manager().palette)

    def show_network(self, name: str, input_shape=None, weights_label: str = "") -> None:
        """Title and subtitle: the network, the ``(C, H, W)`` input it is fed, its weights."""
        self.title.setText(f"Look inside {name}")
        if input_shape is None:
            self.subtitle.setText(weights_label)
        else:
            c, h, w = input_shape
            self.subtitle.setText(f"{c}×{h}×{w} input · {weights_label}")

    def show_lab(self, label: str | None, class_names: tuple[str, ...] = (),
                 input_shape: tuple[int, int, int] | None = None,
                 catalog_shape: tuple[int, int, int] | None = None) -> None:
        """Show the lab strip for weights ``label`` trained on pictures of ``input_shape``
        (``None``: not known; compared with the catalog's ``catalog_shape``), or hide it
        (``label`` ``None``)."""
        if label is None:
            self.lab_strip.hide()
        else:
            self.lab_strip.show_lab(label, class_names, input_shape, catalog_shape)
