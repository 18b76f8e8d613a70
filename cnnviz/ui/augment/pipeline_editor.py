"""The pipeline editor: one card per step, with its switch, chance, order and parameters.

The editor owns a :class:`~cnnviz.core.augment.Pipeline` and is the only thing that changes
it; every change, from adding a step to a slider handle moving one notch, ends in
:attr:`PipelineEditor.pipeline_changed`.  Structural changes (add, remove, move, load)
rebuild the cards; a parameter change only updates the step, so a slider being dragged is
never replaced under the mouse.

Steps are reordered by dragging a card by its grip or header (:mod:`.step_drag` draws where
it will land), with Alt+Up / Alt+Down (or Ctrl+Up / Ctrl+Down) on a focused card, or with
the arrow buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QDrag, QKeySequence, QMouseEvent, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnviz.core.augment import Pipeline, Step, get_op
from cnnviz.ui.widgets.elided import WrappingElidedLabel
from cnnviz.ui.augment.op_picker import CATEGORY_TITLES, OpPicker
from cnnviz.ui.augment.param_widgets import ParamControl
from cnnviz.ui.augment.step_drag import GripHandle, StepList, step_mime

MOVE_UP_KEYS = ("Alt+Up", "Ctrl+Up")
MOVE_DOWN_KEYS = ("Alt+Down", "Ctrl+Down")
REVEAL_MS = 1500  # how long a card just added or moved is kept in view while the list settles


def copy_pipeline(pipeline: Pipeline) -> Pipeline:
    """A snapshot that later edits do not reach (settings hold only tuples and scalars)."""
    return Pipeline(Step(s.op, dict(s.params), s.probability, s.enabled) for s in pipeline.steps)


class StepCard(QFrame):
    """The card of step ``index``; it reports edits and leaves the pipeline to the editor."""

    enabled_changed = Signal(int, bool)
    probability_changed = Signal(int, float)
    param_changed = Signal(int, str, object)
    move_requested = Signal(int, int)  # index, -1 up / +1 down
    remove_requested = Signal(int)
    drag_requested = Signal(int)  # the mouse pulled the card far enough to start a drag
    folded_changed = Signal(int, bool)

    def __init__(self, index: int, step: Step, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self._press: QPoint | None = None
        spec = get_op(step.op)
        self.setObjectName("StepCard")
        self.setProperty("card", True)
        self.setToolTip("")
        # Focusable, so that the move shortcuts work when the card itself has focus.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.grip = GripHandle()
        self.enable = QCheckBox()
        self.enable.setProperty("bare", True)  # no text beside it: no room kept for one
        self.enable.setChecked(step.enabled)
        self.enable.setToolTip("Switch this step on or off without losing its settings")
        number = QLabel(f"{index + 1}")
        number.setObjectName("StepNumber")
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.setFixedSize(22, 22)
        # A long title gives way to the buttons, ending in "…", rather than widening the panel.
        self.title = WrappingElidedLabel(spec.title, bold=True)
        self.title.setToolTip(f"{CATEGORY_TITLES.get(spec.category, spec.category)}: "
                              f"{spec.description}")
        self.chance = QSpinBox(suffix=" %", minimum=0, maximum=100, singleStep=5)
        self.chance.setValue(round(step.probability * 100))
        self.chance.setToolTip("Chance: how often this step is applied to a sample")
        self.chance.setFixedWidth(66)
        self.up = self._tool("▲", "Move up", index > 0)
        self.down = self._tool("▼", "Move down", index < count - 1)
        self.remove = self._tool("✕", "Remove this step", True)
        self.fold = self._tool("▾", "Hide the parameters", True)

        head = QHBoxLayout()
        head.setSpacing(4)
        head.addWidget(self.grip)
        head.addWidget(self.enable)
        head.addWidget(number)
        head.addWidget(self.title, 1)
        head.addWidget(self.chance)
        for button in (self.up, self.down, self.remove, self.fold):
            head.addWidget(button)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(28, 0, 2, 0)
        body.setSpacing(4)
        about = QLabel(spec.description, wordWrap=True)
        about.setProperty("role", "muted")
        body.addWidget(about)
        self.controls: dict[str, ParamControl] = {}
        for param in spec.params:
            control = ParamControl(param, step.params.get(param.name, param.default))
            control.changed.connect(lambda name, value: self.param_changed.emit(self.index, name, value))
            body.addWidget(control)
            self.controls[param.name] = control

        col = QVBoxLayout(self)
        col.setContentsMargins(10, 8, 10, 10)
        col.setSpacing(6)
        col.addLayout(head)
        col.addWidget(self.body)

        self.enable.toggled.connect(self._toggled)
        self.chance.valueChanged.connect(lambda v: self.probability_changed.emit(self.index, v / 100))
        self.up.clicked.connect(lambda: self.move_requested.emit(self.index, -1))
        self.down.clicked.connect(lambda: self.move_requested.emit(self.index, 1))
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self.index))
        self.fold.clicked.connect(self.toggle_folded)
        for keys, delta in ((MOVE_UP_KEYS, -1), (MOVE_DOWN_KEYS, 1)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda d=delta: self.move_requested.emit(self.index, d))
        self._toggled(step.enabled, emit=False)

    # A press on the grip, the title or the card's background (anything that is not a
    # control) can start a drag once the mouse has moved far enough.
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if (self._press is not None and event.buttons() & Qt.MouseButton.LeftButton
                and (event.position().toPoint() - self._press).manhattanLength()
                >= QApplication.startDragDistance()):
            self._press = None
            self.drag_requested.emit(self.index)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def _tool(self, text: str, tip: str, enabled: bool) -> QToolButton:
        button = QToolButton(text=text, autoRaise=True, toolTip=tip, enabled=enabled)
        button.setFixedSize(22, 22)
        button.setStyleSheet("QToolButton { border: none; padding: 0; background: transparent; }")
        return button

    def _toggled(self, on: bool, emit: bool = True) -> None:
        self.body.setEnabled(on)
        self.chance.setEnabled(on)
        self.title.setEnabled(on)
        if emit:
            self.enabled_changed.emit(self.index, on)

    def toggle_folded(self) -> None:
        self.set_folded(not self.body.isHidden())

    def set_folded(self, folded: bool) -> None:
        self.body.setHidden(folded)
        self.fold.setText("▸" if folded else "▾")
        self.fold.setToolTip("Show the parameters" if folded else "Hide the parameters")
        self.folded_changed.emit(self.index, folded)


class PipelineEditor(QWidget):
    """Edits :attr:`pipeline` in place and says so through :attr:`pipeline_changed`."""

    pipeline_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline = Pipeline()
        self.cards: list[StepCard] = []
        # Steps whose cards are folded, by identity: a step keeps its fold when moved.
        self._folded: set[int] = set()
        self._picker: OpPicker | None = None

        heading = QLabel("PIPELINE")
        heading.setProperty("role", "heading")
        self.summary = QLabel()
        self.summary.setProperty("role", "muted")
        self.add_button = QPushButton("+  Add operation")
        self.add_button.setProperty("primary", True)
        self.add_button.setToolTip("Choose an augmentation to append to the pipeline")
        self.add_button.clicked.connect(self.show_picker)

        self.list_widget = StepList()
        self.list_widget.step_dropped.connect(self.move_step_to)
        self.list_widget.hovering.connect(lambda y: self.scroll.ensureVisible(0, y, 0, 48))
        self.column = QVBoxLayout(self.list_widget)
        self.column.setContentsMargins(0, 0, 6, 0)
        self.column.setSpacing(8)
        self.empty = QLabel(
            "The pipeline is empty.\nAdd an operation to see what it does to your pictures.",
            alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True,
        )
        self.empty.setProperty("role", "muted")
        self.column.addWidget(self.empty)
        self.column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.list_widget)
        self.scroll = scroll
        self._revealing: StepCard | None = None
        self._reveal_timer = QTimer(self, singleShot=True, interval=REVEAL_MS)
        self._reveal_timer.timeout.connect(self._stop_revealing)
        scroll.verticalScrollBar().rangeChanged.connect(self._keep_revealed)
        # Scrolling by hand (wheel, keys, the bar) ends the following at once.
        scroll.verticalScrollBar().actionTriggered.connect(self._stop_revealing)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.summary)
        col = QVBoxLayout(self)
        col.setContentsMargins(14, 12, 8, 12)
        col.setSpacing(8)
        col.addLayout(top)
        col.addWidget(self.add_button)
        col.addWidget(scroll, 1)
        self._rebuild()

    # ----------------------------------------------------------------- editing
    def set_pipeline(self, pipeline: Pipeline) -> None:
        """Show and edit ``pipeline`` (validated, so every setting is present)."""
        self.pipeline = pipeline.validated()
        self._rebuild()
        self.pipeline_changed.emit()

    def add_step(self, op: str) -> None:
        """Append ``op`` with its default settings and chance (see :meth:`Step.new`) and
        scroll its card into view."""
        self.pipeline.steps.append(Step.new(op))
        self._rebuild()
        self.pipeline_changed.emit()
        self.reveal(self.cards[-1])

    def reveal(self, card: StepCard) -> None:
        """Scroll so that ``card`` is in view (its top, if it is taller than the view), now
        and while the cards settle."""
        # Cards just built keep growing for a few passes of the event loop (wrapped text
        # finds its height once the width is known), pushing the last one out of view
        # again; so the card is followed whenever the scroll range changes, for a moment.
        self._revealing = card
        self._reveal_timer.start()
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._keep_revealed()

    def _keep_revealed(self, *_range) -> None:
        card = self._revealing
        if card is None or card not in self.cards:
            return
        margin = max(0, min(16, self.scroll.viewport().height() - card.height()))
        self.scroll.ensureWidgetVisible(card, 0, margin)

    def _stop_revealing(self, *_action) -> None:
        self._revealing = None

    def remove_step(self, index: int) -> None:
        del self.pipeline.steps[index]
        self._rebuild()
        self.pipeline_changed.emit()

    def move_step(self, index: int, delta: int) -> None:
        """Move step ``index`` up (``delta`` -1) or down (+1); focus follows it, on the
        same button or card that asked."""
        focus = QApplication.focusWidget()
        on_button = focus is not None and focus in (self.cards[index].up, self.cards[index].down)
        if not self.move_step_to(index, index + delta):
            return
        card = self.cards[index + delta]
        if on_button:
            (card.up if delta < 0 else card.down).setFocus()
        else:
            card.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.reveal(card)

    def move_step_to(self, index: int, target: int) -> bool:
        """Take step ``index`` out and put it back at ``target`` (its place in the new
        order); False, and no signal, when either is out of range or they are equal."""
        steps = self.pipeline.steps
        if index == target or not (0 <= index < len(steps) and 0 <= target < len(steps)):
            return False
        steps.insert(target, steps.pop(index))
        self._rebuild()
        self.pipeline_changed.emit()
        return True

    def start_drag(self, index: int) -> None:
        """Carry card ``index`` with the mouse (a picture of it, the original dimmed) until
        it is dropped; the :class:`StepList` makes the move."""
        card = self.cards[index]
        drag = QDrag(self)
        drag.setMimeData(step_mime(self.list_widget, index))
        drag.setPixmap(self._drag_picture(card))
        drag.setHotSpot(QPoint(24, 18))
        card.setProperty("dragging", True)
        card.setEnabled(False)
        try:
            drag.exec(Qt.DropAction.MoveAction)
        finally:
            if card in self.cards:  # a drop rebuilds the cards; a cancelled drag does not
                card.setProperty("dragging", False)
                card.setEnabled(True)

    @staticmethod
    def _drag_picture(card: StepCard) -> QPixmap:
        shot = card.grab()
        picture = QPixmap(shot.size())
        picture.setDevicePixelRatio(shot.devicePixelRatio())
        picture.fill(Qt.GlobalColor.transparent)
        painter = QPainter(picture)
        painter.setOpacity(0.85)
        painter.drawPixmap(0, 0, shot)
        painter.end()
        return picture

    def set_enabled(self, index: int, on: bool) -> None:
        self.pipeline.steps[index].enabled = on
        self._update_summary()
        self.pipeline_changed.emit()

    def set_probability(self, index: int, probability: float) -> None:
        self.pipeline.steps[index].probability = float(probability)
        self.pipeline_changed.emit()

    def set_param(self, index: int, name: str, value) -> None:
        self.pipeline.steps[index].params[name] = value
        self.pipeline_changed.emit()

    @property
    def picker(self) -> OpPicker:
        """The "Add operation" popup (built on first use: it holds a widget per operation)."""
        if self._picker is None:
            self._picker = OpPicker(self)
            self._picker.chosen.connect(self.add_step)
        return self._picker

    def show_picker(self) -> None:
        below = self.add_button.mapToGlobal(self.add_button.rect().bottomLeft())
        self.picker.popup_at(below)

    # ------------------------------------------------------------------ cards
    def _rebuild(self) -> None:
        for card in self.cards:
            self.column.removeWidget(card)
            card.hide()  # at once: deletion waits for the event loop
            card.deleteLater()
        self.cards = []
        steps = self.pipeline.steps
        self._folded &= {id(step) for step in steps}
        for index, step in enumerate(steps):
            card = StepCard(index, step, len(steps))
            if id(step) in self._folded:
                card.set_folded(True)
            card.folded_changed.connect(self._fold_changed)
            card.enabled_changed.connect(self.set_enabled)
            card.probability_changed.connect(self.set_probability)
            card.param_changed.connect(self.set_param)
            card.move_requested.connect(self.move_step)
            card.remove_requested.connect(self.remove_step)
            card.drag_requested.connect(self.start_drag)
            self.column.insertWidget(index, card)
            card.show()  # now, not when the layout gets to it: focus can move onto it at once
            self.cards.append(card)
        self.list_widget.cards = self.cards
        self.empty.setVisible(not steps)
        self._update_summary()

    def _fold_changed(self, index: int, folded: bool) -> None:
        key = id(self.pipeline.steps[index])
        if folded:
            self._folded.add(key)
        else:
            self._folded.discard(key)

    def _update_summary(self) -> None:
        steps = self.pipeline.steps
        on = sum(s.enabled for s in steps)
        text = f"{len(steps)} step{'s' if len(steps) != 1 else ''}"
        if on != len(steps):
            text += f", {len(steps) - on} off"
        self.summary.setText(text if steps else "")
