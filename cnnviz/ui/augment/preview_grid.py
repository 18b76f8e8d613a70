"""The preview: the original picture and the augmented samples in one grid, with the
controls that choose how many samples, which seed, and whether to draw the overlays."""

from __future__ import annotations

import math
import random

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.augment import Sample
from cnnviz.ui.augment.image_tile import ImageTile, tiles_box
from cnnviz.ui.augment.render import TileBox
from cnnviz.ui.probe.flow import FlowLayout
from cnnviz.ui.widgets.elided import ElidedLabel

COUNTS = (1, 2, 4, 6, 8, 9, 12, 16)
DEFAULT_COUNT = 6
# From this many steps on, the overlays are drawn on the chosen sample only: what a long
# pipeline did is a pile of frames, boxes and arrows that buries every sample, and the
# sample details explain the chosen one step by step anyway.
CROWDED_STEPS = 5
OVERLAY_TIP = "Draw the moved frame, erased boxes and warp arrows on the samples"
CROWDED_TIP = (f"With {CROWDED_STEPS} or more steps the moved frame, erased boxes and warp "
               "arrows are drawn on the chosen sample only, so the others stay easy to see. "
               "Click a sample to choose it.")
MAX_SEED = 2**31 - 1


class PreviewGrid(QWidget):
    """Original and samples.  :attr:`settings_changed` fires when count or seed change;
    :attr:`sample_clicked` gives the index of a clicked sample."""

    settings_changed = Signal()
    sample_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count_box = QComboBox()
        for n in COUNTS:
            self.count_box.addItem(f"{n} sample{'s' if n > 1 else ''}", n)
        self.count_box.setCurrentIndex(COUNTS.index(DEFAULT_COUNT))
        self.count_box.setToolTip("How many augmented samples to draw")
        self.count_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.seed_box = QSpinBox(minimum=0, maximum=MAX_SEED)
        self.seed_box.setValue(random.randrange(MAX_SEED))
        self.seed_box.setToolTip("Sample i of a picture with a seed is always the same: the "
                                 "preview, the exported files and the cnnviz augment command "
                                 "with this seed agree.  Type a seed to reproduce a grid.")
        self.seed_box.setMinimumWidth(110)
        self.fixed_seed = QCheckBox("Fixed seed")
        self.fixed_seed.setToolTip("Keep this seed, also the next time cnnviz starts, so the "
                                   "same grid comes back (Re-roll is off meanwhile)")
        self.reroll = QPushButton("⟳  Re-roll")
        self.reroll.setToolTip("Draw new random samples (R)")
        self.reroll.setShortcut("R")
        self.overlays = QCheckBox("Overlays")
        self.overlays.setChecked(True)
        self.overlays.setToolTip(OVERLAY_TIP)
        self.crowded = False  # overlays on the chosen sample only (see CROWDED_STEPS)
        self.status = ElidedLabel()
        self.status.setProperty("role", "muted")

        # Beside the pipeline editor and the details the centre can be narrow: the heading
        # row shortens its status, and the controls wrap onto more rows in groups that
        # stay together (the seed beside its label and "Fixed seed").
        bar = QHBoxLayout()
        bar.setSpacing(8)
        heading = QLabel("PREVIEW")
        heading.setProperty("role", "heading")
        bar.addWidget(heading)
        bar.addSpacing(8)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.overlays)
        self.controls = QWidget()
        seeds = FlowLayout(self.controls, spacing=12, last_right=True)
        seeds.addWidget(self.count_box)
        seed_group = QWidget()
        seed_row = QHBoxLayout(seed_group)
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.setSpacing(8)
        seed_label = QLabel("Seed")
        seed_label.setProperty("role", "muted")
        seed_row.addWidget(seed_label)
        seed_row.addWidget(self.seed_box)
        seed_row.addWidget(self.fixed_seed)
        seeds.addWidget(seed_group)
        seeds.addWidget(self.reroll)

        # The original takes the grid's first cell, the size of a sample: a column of its own
        # beside the grid left the samples small on a laptop and was mostly empty card.
        self.original = ImageTile(-1, "Original")
        self.grid_host = QWidget()
        # Two columns of the smallest tiles at the least: the columns follow the host's width
        # (see best_columns), so its minimum must not follow the columns shown now.
        self.grid_host.setMinimumWidth(2 * self.original.minimumWidth() + 8)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        self.tiles: list[ImageTile] = []
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 12, 12, 12)
        col.setSpacing(10)
        col.addLayout(bar)
        col.addWidget(self.controls)
        col.addWidget(self.grid_host, 1)
        self._aspect = 4 / 3  # width over height of the samples, for choosing the columns
        self._columns = 0
        self._make_tiles(DEFAULT_COUNT)

        self.count_box.currentIndexChanged.connect(self._count_changed)
        self.seed_box.valueChanged.connect(lambda _v: self.settings_changed.emit())
        self.fixed_seed.toggled.connect(self._fixed_toggled)
        self.reroll.clicked.connect(self.roll)
        self.overlays.toggled.connect(self._apply_overlays)
        self._fixed_toggled(False)

    # -------------------------------------------------------------- settings
    @property
    def count(self) -> int:
        return int(self.count_box.currentData())

    @property
    def seed(self) -> int:
        return self.seed_box.value()

    def set_count(self, count: int) -> None:
        self.count_box.setCurrentIndex(COUNTS.index(count))

    def set_seed(self, seed: int) -> None:
        self.seed_box.setValue(seed)

    def roll(self) -> None:
        """A new random seed, unless the seed is fixed."""
        if not self.fixed_seed.isChecked():
            self.seed_box.setValue(random.randrange(MAX_SEED))

    def _fixed_toggled(self, fixed: bool) -> None:
        self.reroll.setEnabled(not fixed)

    def _count_changed(self) -> None:
        self._make_tiles(self.count)
        self.settings_changed.emit()

    def set_step_count(self, steps: int) -> None:
        """Tell the grid how many steps the pipeline has switched on: from
        :data:`CROWDED_STEPS` on, overlays are drawn on the chosen sample only."""
        crowded = steps >= CROWDED_STEPS
        if crowded == self.crowded:
            return
        self.crowded = crowded
        self.overlays.setText("Overlays (chosen sample)" if crowded else "Overlays")
        self.overlays.setToolTip(CROWDED_TIP if crowded else OVERLAY_TIP)
        self._apply_overlays()

    def _apply_overlays(self, *_toggled) -> None:
        """Show or hide each tile's overlay: the check box, and with a crowded pipeline
        only on the chosen sample."""
        on = self.overlays.isChecked()
        for tile in self.tiles:
            show = on and (tile.selected or not self.crowded)
            if tile.show_overlay != show:
                tile.show_overlay = show
                tile.update()

    # ----------------------------------------------------------------- tiles
    def _make_tiles(self, count: int) -> None:
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.hide()  # at once: deletion waits for the event loop
            tile.deleteLater()
        self.tiles = []
        for i in range(count):
            tile = ImageTile(i, f"#{i + 1}")
            tile.clicked.connect(self._tile_clicked)
            self.tiles.append(tile)
        self._apply_overlays()
        self._columns = 0
        self._arrange()

    def best_columns(self, width: float, height: float) -> int:
        """The number of columns that shows the samples largest in ``width`` x ``height``
        (the original counts as one more tile)."""
        count, spacing, chrome = len(self.tiles) + 1, self.grid.spacing(), 12
        best, best_side = 1, -1.0
        least = self.original.minimumWidth()
        for columns in range(1, count + 1):
            rows = math.ceil(count / columns)
            if columns > 1 and (width - (columns - 1) * spacing) / columns < least:
                break  # tiles narrower than their minimum would overlap
            cell_w = (width - (columns - 1) * spacing) / columns - chrome
            cell_h = (height - (rows - 1) * spacing) / rows - chrome - 18  # caption
            side = min(cell_w, cell_h * self._aspect)  # width the picture can have
            if side > best_side + 0.5:
                best, best_side = columns, side
        return best

    def _arrange(self) -> None:
        host = self.grid_host
        columns = self.best_columns(max(1, host.width()), max(1, host.height()))
        if columns == self._columns:
            return
        self._columns = columns
        cells = [self.original, *self.tiles]
        for tile in cells:
            self.grid.removeWidget(tile)
        for i, tile in enumerate(cells):
            self.grid.addWidget(tile, i // columns, i % columns)
        rows = math.ceil(len(cells) / columns)
        for r in range(max(rows, self.grid.rowCount())):
            self.grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(max(columns, self.grid.columnCount())):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def tile_side(self) -> int:
        """Longest side, in device pixels, worth computing a sample at for the current tiles."""
        ratio = self.devicePixelRatioF()
        if self.tiles and self.tiles[0].width() > 1:
            side = max(self.tiles[0].width(), self.tiles[0].height()) * ratio
        else:
            side = 320 * ratio
        return int(min(720, max(128, side)))

    def tile_box(self) -> TileBox | None:
        """Where the samples are drawn, in device pixels (the smallest over the tiles), or
        None before the grid is laid out: the box a render job makes its pictures for."""
        return tiles_box(self.tiles)

    def set_original(self, array: np.ndarray | None) -> None:
        self.original.set_image(array)

    def show_frame(self, base: np.ndarray, samples: tuple[Sample, ...],
                   pictures: tuple = ()) -> None:
        """Show ``samples`` of ``base``; ``pictures`` are the same made ready to draw (one
        per sample, or empty: then each tile makes its own)."""
        shape = samples[0].image.shape if samples else base.shape
        aspect = shape[1] / shape[0]
        if abs(aspect - self._aspect) > 0.01:
            self._aspect = aspect
            self._columns = 0
            self._arrange()
        ready = pictures if len(pictures) == len(samples) else (None,) * len(samples)
        for tile, sample, picture in zip(self.tiles, samples, ready):
            tile.set_image(sample.image, sample, base.shape, picture)
        for tile in self.tiles[len(samples):]:
            tile.set_image(None)

    def clear_samples(self) -> None:
        for tile in self.tiles:
            tile.set_image(None)
        self.select(None)

    def select(self, index: int | None) -> None:
        for tile in self.tiles:
            tile.selected = tile.index == index
            tile.update()
        self._apply_overlays()

    def _tile_clicked(self, index: int) -> None:
        self.select(index)
        self.sample_clicked.emit(index)

    def sizeHint(self) -> QSize:
        return QSize(820, 560)
