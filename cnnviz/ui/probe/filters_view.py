"""The first convolution's filters as small pictures (RGB when it reads colour images)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnviz.ui.probe.grid_view import paint_gaps
from cnnviz.ui.probe.image_canvas import ZoomImageView


class FiltersView(QWidget):
    """:meth:`set_filters` with a :class:`~cnnviz.core.probe.render.Grid` from
    :func:`~cnnviz.core.probe.first_conv_filters` (or ``None`` for a network without one)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.grid = None
        self._label = ""
        self._background = (255, 255, 255)
        self.canvas = ZoomImageView()
        self.caption = QLabel(wordWrap=True)
        self.caption.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas, 1)

    def set_background(self, color: str) -> None:
        c = QColor(color)
        self._background = (c.red(), c.green(), c.blue())
        self.canvas.set_background(color)
        if self.grid is not None:
            self.set_filters(self.grid, self._label)

    def set_filters(self, grid, weights_label: str = "") -> None:
        self.grid, self._label = grid, weights_label
        if grid is None:
            self.canvas.set_array(None)
            self.caption.setText("This network has no 2-D convolution, so there are no "
                                 "filters to show.")
            return
        rgb = grid.image if grid.image.ndim == 3 else np.repeat(grid.image[..., None], 3, 2)
        self.canvas.set_array(paint_gaps(rgb.copy(), grid, self._background))
        colour = "colour" if grid.image.ndim == 3 else "greyscale"
        self.caption.setText(
            f"The {len(grid.order)} filters of the first convolution ({colour}; "
            f"{weights_label.lower() or 'random weights'}). Mid-grey is a zero weight; "
            "trained networks learn edges, stripes and colour blobs here, random ones show noise.")
