"""The bar above the graph: which network, its input size, class count, switches and shading."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.ui.theme import palette, theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.elided import ElidedLabel

CHOICES = {
    "activation": (("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid")),
    "init": (("default", "Default init"), ("xavier", "Xavier init"), ("he", "He init")),
}
# The zoo's switches: (label of a check box, or None for a list; what the switch changes).
OPTIONS = {
    "batch_norm": ("Batch norm", "Put a batch-normalisation layer after every convolution; "
                   "switched off, each convolution gets a bias instead."),
    "activation": (None, "The non-linearity after every convolution and hidden fully "
                   "connected layer: ReLU, Tanh or Sigmoid."),
    "init": (None, "How the weights start before training: PyTorch's default, Xavier "
             "(Glorot) or He (Kaiming) initialisation."),
    "aux_logits": ("Auxiliary classifiers", "Add the side classifiers on intermediate layers "
                   "that help the early layers learn; they are used only in training."),
    "five_by_five": ("5×5 convolutions", "Use the paper's 5×5 convolutions in the Inception "
                     "branches instead of torchvision's cheaper 3×3 ones."),
}
COMPARE_TITLE = "Compare"
COMPARE_SUBTITLE = "Two networks side by side; their graphs zoom and scroll together"
SHADE_LABELS = (("params", "Shade by parameters"), ("macs", "Shade by multiply-adds"),
                ("grad", "Shade by gradient norm"), ("none", "Colour by layer type only"))
GRADIENT_UNAVAILABLE = "Train this network in the Train workspace to see its gradients"


def _spin(low: int, high: int, tip: str, width: int = 64) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setToolTip(tip)
    # Arrow buttons are hidden by the theme (wheel and arrow keys still step); Qt's
    # NoButtons mode mis-sizes the text field once a style sheet draws the border.
    box.setAlignment(Qt.AlignmentFlag.AlignCenter)
    box.setFixedWidth(width)
    box.setKeyboardTracking(False)
    return box


class ModelBar(QFrame):
    """``request_changed()`` fires (debounced) when the input size, classes or a switch change."""

    request_changed = Signal()
    shade_changed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Toolbar")
        # Elided: a long name (a model file's class and file) never widens the window's centre.
        self.title = ElidedLabel("cnnviz")
        self.title.setProperty("role", "title")
        self.subtitle = ElidedLabel("")
        self.subtitle.setProperty("role", "muted")
        self.channels = _spin(1, 64, "Input channels", 40)
        self.height_box = _spin(1, 4096, "Input height in pixels")
        self.width_box = _spin(1, 4096, "Input width in pixels")
        self.classes = _spin(1, 100000, "Number of classes the classifier predicts", 70)
        self.shade = QComboBox()
        # Qt's default combo delegate draws every entry in the style sheet's colour; this one
        # honours the grey of the disabled gradient entry.
        self.shade.setItemDelegate(QStyledItemDelegate(self.shade))
        for key, label in SHADE_LABELS:
            self.shade.addItem(label, key)
        self.plain_shade = "params"  # the last shading not by gradients: where "grad" falls back
        self.shade.currentIndexChanged.connect(self._shade_picked)
        self.set_gradient_available(False)
        self.option_widgets: dict[str, QWidget] = {}
        self.compare_mode = False
        self._names = ("cnnviz", "")  # the shown network's title and subtitle
        # The switches sit in the bar; where it is too narrow for them (the catalog shown
        # in a 960 px window at 150 %) they move into a popup under "Switches" (see
        # _fit_width), so no check box or list is cut to a letter.
        self.options_box = QWidget()
        self._options_row = QHBoxLayout(self.options_box)
        self._options_row.setContentsMargins(0, 0, 0, 0)
        self._options_row.setSpacing(6)
        self.switches_button = QToolButton(text="Switches",
                                           toolTip="Batch norm, activation and initialisation")
        self.switches_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.switches_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.switches_button.clicked.connect(self._show_switches)
        self.switches_button.hide()
        self.switches_popup = QFrame(self, Qt.WindowType.Popup)
        self.switches_popup.setObjectName("SwitchesPopup")
        popup = QHBoxLayout(self.switches_popup)
        popup.setContentsMargins(10, 8, 10, 8)
        self.compact = False
        self.collapse_button = QToolButton(toolTip="Collapse the network into its blocks")
        self.expand_button = QToolButton(toolTip="Expand every block")
        self.fit_button = QToolButton(toolTip="Fit the graph to the window (Ctrl+0)")
        # Checked while the catalog column is on screen (see ArchitecturesWorkspace).
        self.catalog_button = QToolButton(text="Catalog", checkable=True, checked=True,
                                          toolTip="Hide the catalog and give its width to "
                                                  "the graph")
        self.catalog_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.catalog_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.catalog_button.toggled.connect(self._catalog_tip)
        self._catalog_count = 0
        self._catalog_measured = None  # ((text, font), widths), see _catalog_widths
        self.export_button = QToolButton(toolTip="Export the graph or the table")
        self.export_button.setText("Export")
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._debounce = QTimer(self, singleShot=True, interval=350)
        self._debounce.timeout.connect(self.request_changed)
        for box in (self.channels, self.height_box, self.width_box, self.classes):
            box.valueChanged.connect(self._changed)

        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        inputs = QHBoxLayout()
        inputs.setSpacing(4)
        label = QLabel("Input")
        label.setProperty("role", "muted")
        inputs.addWidget(label)
        self._input_widgets: list[QWidget] = [label]
        for i, box in enumerate((self.channels, self.height_box, self.width_box)):
            if i:
                times = QLabel("×")
                inputs.addWidget(times)
                self._input_widgets.append(times)
            inputs.addWidget(box)
        inputs.addSpacing(12)
        label = QLabel("Classes")
        label.setProperty("role", "muted")
        inputs.addWidget(label)
        inputs.addWidget(self.classes)
        self._input_widgets += [self.channels, self.height_box, self.width_box, label, self.classes]
        # The words before the boxes: the first to go where the title would be cut (the
        # boxes' tooltips still say what they hold).
        self._input_words = [self._input_widgets[0], label]
        self._inputs = inputs
        top = self._top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.catalog_button, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addLayout(names, 1)
        top.addLayout(inputs)
        bottom = QHBoxLayout()
        bottom.setSpacing(6)
        self._bottom = bottom
        bottom.addWidget(self.options_box)
        bottom.addWidget(self.switches_button)
        bottom.addStretch(1)
        bottom.addWidget(self.shade)
        bottom.addSpacing(6)
        for b in (self.collapse_button, self.expand_button, self.fit_button, self.export_button):
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            bottom.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 8, 14, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self.set_enabled(False)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)

    def _retheme(self, pal) -> None:
        self.switches_popup.setStyleSheet(
            f"#SwitchesPopup {{ background: {pal.surface}; border: 1px solid {pal.border}; }}")
        self.catalog_button.setIcon(icons.icon("architectures", pal.text))
        self.collapse_button.setIcon(icons.icon("collapse", pal.text))
        self.expand_button.setIcon(icons.icon("expand", pal.text))
        self.fit_button.setIcon(icons.icon("fit", pal.text))
        self.switches_button.setIcon(icons.icon("sliders", pal.text))
        self.export_button.setIcon(icons.icon("export", pal.text))
        if self.shade.count():
            available = self.gradient_available()
            self.set_gradient_available(available, self.shade.itemData(
                self.shade.findData("grad"), Qt.ItemDataRole.ToolTipRole) if available else "")

    def full_width(self) -> int:
        """The width the bar needs to show every control with its whole text."""
        margins = self.layout().contentsMargins()
        spacing = self._bottom.spacing()
        row = [self.options_box, self.shade, self.collapse_button, self.expand_button,
               self.fit_button, self.export_button]
        shown = [w for w in row if not w.isHidden() or w is self.options_box]
        width = sum(w.sizeHint().width() for w in shown) + spacing * (len(shown) + 1) + 40
        if self.compare_mode or not self.option_widgets:
            width -= self.options_box.sizeHint().width()
        return width + margins.left() + margins.right()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_width()

    def _fit_width(self) -> None:
        """Move the switches into the "Switches" popup, and show the catalog and export
        buttons as icons, when the bar is narrower than :meth:`full_width`; back when not.
        Then make room for the whole title (see :meth:`_fit_title`)."""
        compact = self.width() < self.full_width()
        if compact == self.compact:
            self.switches_button.setVisible(compact and bool(self.option_widgets)
                                             and not self.compare_mode)
            self._fit_title()
            return
        self.compact = compact
        if compact:
            self._bottom.removeWidget(self.options_box)
            self.switches_popup.layout().addWidget(self.options_box)
        else:
            self.switches_popup.hide()
            self.switches_popup.layout().removeWidget(self.options_box)
            self.options_box.setParent(self)
            self._bottom.insertWidget(0, self.options_box)
        self.options_box.show()
        style = (Qt.ToolButtonStyle.ToolButtonIconOnly if compact
                 else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in (self.catalog_button, self.export_button):
            button.setToolButtonStyle(style)
        self.switches_button.setVisible(compact and bool(self.option_widgets)
                                        and not self.compare_mode)
        self._fit_title()

    def set_catalog_size(self, count: int) -> None:
        """Say on the catalog button how many networks it holds ("Catalog · 27 networks"):
        where the column starts folded (a laptop screen) a first-time student sees at once
        that there is more to pick, and where."""
        self._catalog_count = count
        self.catalog_button.setText(f"Catalog · {count} networks" if count else "Catalog")
        self._catalog_tip()
        self._fit_width()

    def _catalog_tip(self, *_args) -> None:
        if self.catalog_button.isChecked():
            tip = "Hide the catalog and give its width to the graph"
        elif self._catalog_count:
            tip = (f"Show the catalog: {self._catalog_count} networks to pick from, each with "
                   "what it introduced")
        else:
            tip = "Show the catalog of architectures"
        self.catalog_button.setToolTip(tip)

    def _fit_title(self) -> None:
        """Make room for the network's whole title where the top row is short of it (the
        catalog shown in a 960 px window): first the words "Input" and "Classes" go (the
        boxes' tooltips still say what they hold), then the catalog button's text (its icon
        stays); the title elides only where even that is not enough."""
        if self.compare_mode:
            return
        spacing = self._inputs.spacing()
        words = sum(w.sizeHint().width() + spacing for w in self._input_words)
        boxes = sum(w.sizeHint().width() + spacing for w in self._input_widgets
                    if w not in self._input_words) + 12
        margins = self.layout().contentsMargins()
        room = (self.width() - margins.left() - margins.right() - 2 * self._top.spacing()
                - self.title.sizeHint().width() - boxes)
        text, icon = self._catalog_widths()
        with_text = not self.compact and room >= text + words
        self.catalog_button.setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon if with_text
            else Qt.ToolButtonStyle.ToolButtonIconOnly)
        for word in self._input_words:
            word.setVisible(room >= (text if with_text else icon) + words)

    def _catalog_widths(self) -> tuple[int, int]:
        """The catalog button's width with its text and with its icon only (measured again
        only when its text or font changes)."""
        button = self.catalog_button
        key = (button.text(), button.font().key())
        if self._catalog_measured is None or self._catalog_measured[0] != key:
            style = button.toolButtonStyle()
            widths = []
            for each in (Qt.ToolButtonStyle.ToolButtonTextBesideIcon,
                         Qt.ToolButtonStyle.ToolButtonIconOnly):
                button.setToolButtonStyle(each)
                widths.append(button.sizeHint().width())
            button.setToolButtonStyle(style)
            self._catalog_measured = (key, tuple(widths))
        return self._catalog_measured[1]

    def _show_switches(self) -> None:
        self.switches_popup.adjustSize()
        below = self.switches_button.mapToGlobal(self.switches_button.rect().bottomLeft())
        self.switches_popup.move(below)
        self.switches_popup.show()

    def set_enabled(self, on: bool) -> None:
        for w in (self.channels, self.height_box, self.width_box, self.classes, self.collapse_button,
                  self.expand_button, self.fit_button, self.export_button, self.shade,
                  *self.option_widgets.values()):
            w.setEnabled(on)

    def _changed(self, *_args) -> None:
        self._debounce.start()

    def set_compare_mode(self, on: bool) -> None:
        """While Compare is open the bar says so and hides the shown network's inputs,
        switches, shading and export (Compare has pickers of its own); collapsing,
        expanding and fitting stay (they act on both graphs), and the bar keeps its height
        so the tabs do not jump."""
        self.compare_mode = on
        for w in (*self._input_widgets, *self.option_widgets.values(), self.shade,
                  self.export_button):
            w.setVisible(not on)
        self.fit_button.setToolTip("Fit both graphs to their panes (Ctrl+0)" if on else
                                   "Fit the graph to the window (Ctrl+0)")
        self.collapse_button.setToolTip("Collapse both networks into their blocks" if on else
                                        "Collapse the network into its blocks")
        self.expand_button.setToolTip("Expand every block of both networks" if on else
                                      "Expand every block")
        self._show_names()
        self._fit_width()

    def _show_names(self) -> None:
        title, subtitle = (COMPARE_TITLE, COMPARE_SUBTITLE) if self.compare_mode else self._names
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self._fit_title()

    def network_title(self) -> str:
        """The shown network's name (also while the bar says "Compare")."""
        return self._names[0]

    def show_entry(self, title: str, subtitle: str, input_shape, num_classes, options: dict) -> None:
        """Fill the controls for a newly picked network (without emitting request_changed)."""
        self._names = (title, subtitle)
        self._show_names()
        boxes = (self.channels, self.height_box, self.width_box)
        for box in (*boxes, self.classes):
            box.blockSignals(True)
        if input_shape and len(input_shape) == 3:
            for box, value in zip(boxes, input_shape):
                box.setValue(int(value))
        self.classes.setValue(int(num_classes or 1000))
        for box in (*boxes, self.classes):
            box.blockSignals(False)
        self._build_options(options or {})
        self.set_enabled(True)

    def _build_options(self, options: dict) -> None:
        shown = {k: v for k, v in options.items() if isinstance(v, bool) or k in CHOICES}
        if list(shown) == list(self.option_widgets) and all(
                isinstance(shown[k], bool) == isinstance(w, QCheckBox)
                for k, w in self.option_widgets.items()):
            self._set_options(shown)  # the same switches: keep the widgets (and the focus)
            return
        while self._options_row.count():
            item = self._options_row.takeAt(0)
            if item.widget():
                item.widget().hide()  # deleted later; hidden now so it never shows stale
                item.widget().deleteLater()
        self.option_widgets = {}
        for key, default in options.items():
            label, tip = OPTIONS.get(key, (None, ""))
            if isinstance(default, bool):
                label = label or key.replace("_", " ").capitalize()
                box = QCheckBox(label)
                box.setChecked(default)
                box.toggled.connect(self._changed)
                widget = box
            elif key in CHOICES:
                combo = QComboBox()
                for value, label in CHOICES[key]:
                    combo.addItem(label, value)
                combo.setCurrentIndex(max(0, combo.findData(default)))
                combo.currentIndexChanged.connect(self._changed)
                widget = combo
            else:
                continue
            widget.setToolTip(tip or "Rebuild the network with this switch changed.")
            self.option_widgets[key] = widget
            self._options_row.addWidget(widget)
            widget.setVisible(not self.compare_mode)
        self._fit_width()

    def _set_options(self, options: dict) -> None:
        for key, value in options.items():
            widget = self.option_widgets[key]
            widget.blockSignals(True)
            if isinstance(widget, QCheckBox):
                widget.setChecked(value)
            else:
                widget.setCurrentIndex(max(0, widget.findData(value)))
            widget.blockSignals(False)

    def input_shape(self) -> tuple[int, int, int]:
        return (self.channels.value(), self.height_box.value(), self.width_box.value())

    def num_classes(self) -> int:
        return self.classes.value()

    def options(self) -> dict:
        out = {}
        for key, widget in self.option_widgets.items():
            out[key] = widget.isChecked() if isinstance(widget, QCheckBox) else widget.currentData()
        return out

    def _shade_picked(self, _index: int) -> None:
        mode = self.shade.currentData()
        if mode != "grad":
            self.plain_shade = mode
        self.shade_changed.emit(mode)

    def shade_mode(self) -> str:
        return self.shade.currentData()

    def set_shade_mode(self, mode: str) -> None:
        """Pick a shading; a disabled entry (gradients of a network not trained) is refused."""
        index = self.shade.findData(mode)
        if index >= 0 and self.shade.model().item(index).isEnabled():
            self.shade.setCurrentIndex(index)

    def gradient_available(self) -> bool:
        return self.shade.model().item(self.shade.findData("grad")).isEnabled()

    def set_gradient_available(self, on: bool, tip: str = "") -> None:
        """Enable "Shade by gradient norm" (``tip`` says which run it shows) or disable it
        with the reason; a disabled entry that was picked falls back to the last other
        shading (:attr:`plain_shade`)."""
        item = self.shade.model().item(self.shade.findData("grad"))
        item.setEnabled(on)
        item.setToolTip(tip if on else GRADIENT_UNAVAILABLE)
        # The style sheet gives every entry the same text colour; grey the disabled one.
        item.setForeground(QColor(palette().text if on else palette().muted))
        if not on and self.shade_mode() == "grad":
            self.set_shade_mode(self.plain_shade)
