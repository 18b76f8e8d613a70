"""The feature-maps page: the layer list, the selected layer's maps and the statistics strip.

It draws from an :class:`~cnnviz.ui.probe.jobs.ImageProbe` that already holds every layer's
output, so choosing a layer only draws.  ``layer_changed(name)`` follows a new selection and
``unit_clicked(channel, row, col)`` a click on a map; ``drawn`` every redraw.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSplitter, QToolButton,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from cnnviz.ui.widgets.elided import ElidedLabel
from cnnviz.ui.probe.flow import FlowLayout
from cnnviz.ui.probe.layer_names import LayerNameDelegate, shared_prefix
from cnnviz.ui.probe.grid_view import FeatureGridView
from cnnviz.ui.probe.stats_strip import LayerStatsStrip
from cnnviz.ui.theme import Palette, theme_manager
from cnnviz.ui.widgets import icons

UNIT_HINT = "Click a unit in a map to outline the part of the picture it sees."
# The feature maps are the page's subject; the statistics under them get this share of the
# height, at least their minimum (legend and two short plots) and at most STATS_MOST pixels,
# until the user drags the handle.
STATS_SHARE = 0.3
STATS_MOST = 220


class MapsSplitter(QSplitter):
    """The maps above the statistics strip, the maps taking most of the height.  Once the
    user drags the handle, :attr:`user_sized` is set and their split is kept."""

    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.user_sized = False
        self.splitterMoved.connect(self._moved)

    def _moved(self, _pos: int, _index: int) -> None:
        self.user_sized = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self.user_sized and self.count() == 2:
            total = sum(self.sizes())
            stats = max(self.widget(1).minimumHeight(),
                        min(STATS_MOST, round(STATS_SHARE * total)))
            self.setSizes([max(0, total - stats), stats])


class MapsPage(QSplitter):
    layer_changed = Signal(str)
    unit_clicked = Signal(int, int, int)
    drawn = Signal()  # the maps were redrawn (new layer, order or scale): no unit is picked

    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.probe = None
        self.layer: str | None = None
        self.layer_list = QTreeWidget()
        self.layer_list.setHeaderLabels(["Layer", "Maps"])
        self.layer_list.setRootIsDecorated(False)
        self.layer_list.setUniformRowHeights(True)
        # Names give way before shapes, the shape column always fits its text.  A name
        # that does not fit loses the part every layer shares first ("features."), so the
        # block number and the last parts that tell rows apart stay.
        self.layer_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.names = LayerNameDelegate(self.layer_list)
        self.layer_list.setItemDelegateForColumn(0, self.names)
        self.layer_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.layer_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.layer_list.setMinimumWidth(150)
        self.layer_list.currentItemChanged.connect(self._item_changed)
        # The red shapes need saying once, where they are seen.
        self.dead_legend = QLabel(wordWrap=True)
        self.dead_legend.setProperty("role", "muted")
        self.dead_legend.hide()
        layers = QWidget()
        layers_column = QVBoxLayout(layers)
        layers_column.setContentsMargins(0, 0, 0, 0)
        layers_column.setSpacing(4)
        layers_column.addWidget(self.layer_list, 1)
        layers_column.addWidget(self.dead_legend)

        self.grid_view = FeatureGridView()
        self.grid_view.unit_clicked.connect(self.unit_clicked)
        self.order = QComboBox()
        self.order.addItem("Channel order", "index")
        self.order.addItem("Strongest first", "mean")
        self.order.setToolTip("Order the maps by channel number or by mean activation")
        self.order.currentIndexChanged.connect(lambda _i: self.draw())
        self.shared_scale = QCheckBox("One colour scale")
        self.shared_scale.setToolTip("Scale every map alike, so weak and dead channels look dark")
        self.shared_scale.toggled.connect(lambda _on: self.draw())
        self.layer_name = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        font = self.layer_name.font()
        font.setBold(True)
        self.layer_name.setFont(font)
        self.layer_info = ElidedLabel()
        self.layer_info.setProperty("role", "muted")
        about = QWidget()
        about_row = QHBoxLayout(about)
        about_row.setContentsMargins(0, 0, 0, 0)
        about_row.setSpacing(6)
        about_row.addWidget(self.layer_name)
        about_row.addWidget(self.layer_info, 1)
        controls = QWidget()
        control_row = QHBoxLayout(controls)
        control_row.setContentsMargins(0, 0, 0, 0)
        control_row.setSpacing(6)
        control_row.addWidget(self.order)
        control_row.addWidget(self.shared_scale)
        self.zoom_buttons = []
        for name, tip, slot in (("zoom-out", "Zoom out", self.grid_view.zoom_out),
                                ("zoom-in", "Zoom in", self.grid_view.zoom_in),
                                ("fit", "Fit the maps to the view", self.grid_view.fit)):
            button = QToolButton(toolTip=tip, autoRaise=True)
            button.setFixedSize(30, 28)
            button.setStyleSheet("padding: 3px;")
            button.clicked.connect(slot)
            button.setProperty("icon_name", name)
            control_row.addWidget(button)
            self.zoom_buttons.append(button)
        # Beside the explorer at 1280x800 the controls move under the layer's numbers
        # instead of squeezing them.
        self.toolbar = QWidget()
        tools = FlowLayout(self.toolbar, spacing=12, last_right=True)
        tools.addWidget(about)
        tools.addWidget(controls)
        self.unit_info = QLabel(UNIT_HINT, wordWrap=True)
        self.unit_info.setProperty("role", "muted")
        self.stats_strip = LayerStatsStrip(theme_manager().palette)
        self.stats_strip.layer_clicked.connect(self.select_layer)

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(6)
        column.addWidget(self.toolbar)
        self.split = MapsSplitter()
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.grid_view)
        self.split.addWidget(self.stats_strip)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 0)
        column.addWidget(self.split, 1)
        column.addWidget(self.unit_info)
        self.setChildrenCollapsible(False)
        self.addWidget(layers)
        self.addWidget(page)
        self.setStretchFactor(1, 1)
        self.setSizes([225, 685])

    def apply_palette(self, pal: Palette) -> None:
        self.grid_view.set_background(pal.canvas)
        self.grid_view.set_padding_color(pal.canvas)
        self.grid_view.set_marker_color("#ffd43b" if pal.name == "dark" else "#e03131")
        self.stats_strip.apply_palette(pal)
        for button in self.zoom_buttons:
            button.setIcon(icons.icon(button.property("icon_name"), pal.muted))
        self.dead_legend.setText(
            f'<span style="color:{pal.danger}">Red</span>: the layer has dead channels, '
            "zero everywhere for this picture.")

    def set_probe(self, probe) -> None:
        """Show ``probe``'s layers, keeping the selected layer when the new probe has it."""
        self.probe = probe
        self.stats_strip.set_stats([probe.stats[n] for n in probe.layers] if probe else [])
        self.unit_info.setText(UNIT_HINT)
        self.layer_list.blockSignals(True)
        self.layer_list.clear()
        danger = QColor(theme_manager().palette.danger)
        names = probe.layers if probe else []
        self.names.prefix = shared_prefix(names)
        # The rows line up on the width of most names: a rare long one ("layer3.0.downsample")
        # shortens only itself.
        by_width = sorted(names, key=self.layer_list.fontMetrics().horizontalAdvance)
        self.names.longest = by_width[int(0.9 * (len(by_width) - 1))] if by_width else ""
        any_dead = False
        for name in names:
            shape = probe.acts.get(name).shape
            item = QTreeWidgetItem([name, "×".join(str(v) for v in shape)])
            item.setToolTip(0, name)
            stats = probe.stats[name]
            if stats.dead_channels:
                any_dead = True
                item.setForeground(1, danger)
                dead = (f"{stats.dead_channels} of {stats.channels} channels are dead: zero "
                        "everywhere for this picture")
                item.setToolTip(0, f"{name}\n{dead}")
                item.setToolTip(1, dead)
            self.layer_list.addTopLevelItem(item)
        self.layer_list.blockSignals(False)
        self.dead_legend.setVisible(any_dead)
        if not probe or not probe.layers:
            self.layer = None
            self.grid_view.clear()
            self.layer_name.setText("")
            self.layer_info.setText("")
            return
        keep = self.layer if self.layer in probe.layers else probe.layers[0]
        self.layer = None
        self.select_layer(keep)

    def select_layer(self, name: str) -> None:
        """Show ``name``'s maps (ignored for a name that has no feature maps)."""
        if self.probe is None or name not in self.probe.layers:
            return
        item = self.layer_list.topLevelItem(self.probe.layers.index(name))
        if self.layer_list.currentItem() is not item:
            self.layer_list.setCurrentItem(item)  # draws through _item_changed
        elif self.layer != name:
            self._item_changed(item, None)

    def _item_changed(self, current, _previous) -> None:
        if current is None:
            return
        self.layer = current.text(0)
        self.stats_strip.select(self.layer)
        self.unit_info.setText(UNIT_HINT)
        self.draw()
        self.layer_changed.emit(self.layer)

    def draw(self) -> None:
        """Draw the selected layer's maps in the chosen order and scale."""
        if self.probe is None or self.layer is None:
            return
        act = self.probe.acts.get(self.layer)
        self.grid_view.show_layer(self.layer, act, self.order.currentData(),
                                  self.shared_scale.isChecked())
        s = self.probe.stats[self.layer]
        dead = f" · {s.dead_channels} dead" if s.dead_channels else ""
        sat = f" · {s.saturated_fraction:.0%} saturated" if s.saturated_fraction else ""
        self.layer_name.setText(self.layer)
        self.layer_info.setText(
            f"{act.shape[0]} maps of {act.shape[1]}×{act.shape[2]} · "
            f"mean {s.mean:.3g} · {s.zero_fraction:.0%} zeros{dead}{sat}")
        self.drawn.emit()
