"""The bar above the plots: what is shown, Start / Pause / Stop, hand-offs to the other
workspaces (Look inside, Show in graph), export, and the progress of a run."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
)

from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.elided import ElidedLabel

STATES = ("idle", "starting", "running", "paused", "stopping", "following")


def clock(seconds: float) -> str:
    """"1:05" or "1:02:03"; "--:--" when unknown."""
    if not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class DetailLabel(ElidedLabel):
    """The data set beside a run's title: "·  Shapes (10 classes, 32 × 32)" where it fits,
    else "·  Shapes" (the whole in the tooltip), and only then cut with "…".

    :attr:`whole` is the text as given; :meth:`text` is what is shown now, whole or short.
    """

    def __init__(self) -> None:
        super().__init__()
        self.whole = ""

    def set_detail(self, text: str) -> None:
        self.whole = text
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's
        self._fit()
        super().resizeEvent(event)

    def _fit(self) -> None:
        short = re.sub(r"\s*\(.*\)\s*$", "", self.whole)
        fits = self.fontMetrics().horizontalAdvance(self.whole) <= self.width() - 2
        shown = self.whole if fits or not short else short
        if shown != self.text():
            super().setText(shown)
        self.setToolTip("" if shown == self.whole else self.whole)


class ControlBar(QFrame):
    """Buttons and progress; the workspace wires the buttons and calls :meth:`set_state`."""

    title_shown = Signal(str)  # the models' part of a title given to show_title

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Toolbar")
        self.state = "idle"
        # Brings the setup side back once it is hidden (see setup_fold): shown only then.
        self.setup_button = QPushButton("Setup")
        self.title = ElidedLabel("No run yet")
        self.title.setProperty("role", "title")
        # What the models learn from, beside the title in a quieter voice: at 1280 pixels a
        # long pair of names and a data set do not fit one title line, and the names come
        # first.  It takes only the room the title leaves.
        self.detail = DetailLabel()
        self.detail.setProperty("role", "muted")
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.status = ElidedLabel()
        self.status.setProperty("role", "muted")
        self.start_button = QPushButton("Start")
        self.start_button.setProperty("primary", True)
        self.start_button.setToolTip("Train the chosen models side by side (Ctrl+Return)")
        self.start_button.setShortcut("Ctrl+Return")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause the run after the current step; press again to "
                                     "resume")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("End the run at the next step; everything so far is saved")
        self.look_button = self._menu_button("Look inside", "Look inside a trained model: "
                                             "its activations on your own pictures")
        self.graph_button = self._menu_button("Show in graph", "Colour the layers of the "
                                              "Architectures graph by a model's latest "
                                              "gradient norms")
        self.export_button = self._menu_button("Export", "")
        self.progress = QProgressBar(textVisible=False)
        self.progress.setFixedHeight(6)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.rate = QLabel()
        self.rate.setProperty("role", "muted")
        self.rate.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.rate.setMinimumWidth(330)  # steady width: no re-layout as the numbers change

        # Two rows: the title shares its row with Start / Pause / Stop only, so a long pair
        # ("plain56 (no BN) vs resnet56 (no BN)") fits at 1280x800; the status line shares
        # its row with the hand-offs to the other workspaces.
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.setup_button)
        top.addWidget(self.title)
        top.addWidget(self.detail, 1, Qt.AlignmentFlag.AlignVCenter)
        for button in (self.start_button, self.pause_button, self.stop_button):
            button.setMinimumWidth(84)
            top.addWidget(button)
        middle = QHBoxLayout()
        middle.setSpacing(6)
        middle.addWidget(self.status, 1)
        for button in (self.look_button, self.graph_button, self.export_button):
            middle.addWidget(button)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.rate)
        col = QVBoxLayout(self)
        col.setContentsMargins(16, 8, 16, 8)
        col.setSpacing(5)
        col.addLayout(top)
        col.addLayout(middle)
        col.addLayout(bottom)
        theme_manager().changed.connect(self.retheme)
        self.retheme(theme_manager().palette)
        self.set_state("idle")

    @staticmethod
    def _menu_button(text: str, tip: str) -> QToolButton:
        button = QToolButton(text=text)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setToolTip(tip)
        return button

    def retheme(self, pal) -> None:
        self.export_button.setIcon(icons.icon("export", pal.muted, pal.accent, 16))
        self.setup_button.setIcon(icons.icon("sliders", pal.muted, pal.accent, 16))
        self.look_button.setIcon(icons.icon("eye", pal.muted, pal.accent, 16))
        self.graph_button.setIcon(icons.icon("architectures", pal.muted, pal.accent, 16))
        self.progress.setStyleSheet(
            f"QProgressBar {{ border: none; border-radius: 3px; background: {pal.grid}; }}"
            f"QProgressBar::chunk {{ border-radius: 3px; background: {pal.accent}; }}")
        # The application's style sheet has no disabled look for buttons; a greyed-out Start
        # while training runs is what tells the user it cannot be pressed twice.
        self.setStyleSheet(
            f"QPushButton:disabled, QToolButton:disabled {{ color: {pal.muted}; "
            f"background: {pal.surface_alt}; border-color: {pal.border}; }}"
            f"QPushButton[primary=\"true\"]:disabled {{ background: {pal.accent_soft}; "
            f"color: {pal.muted}; border-color: {pal.accent_soft}; }}")

    def show_title(self, title: str) -> None:
        """Show a run's title: "models · data set" puts the data set beside the models."""
        models, _, detail = title.partition(" · ")
        self.title.setText(models)
        self.detail.set_detail(f"·  {detail}" if detail else "")
        self.title_shown.emit(models)

    def shown_title(self) -> str:
        """The title as :meth:`show_title` was given it."""
        detail = self.detail.whole.removeprefix("·  ")
        return f"{self.title.text()} · {detail}" if detail else self.title.text()

    def clear_progress(self) -> None:
        """No run's progress: an empty bar (hidden while idle) and no numbers."""
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.rate.setText("")

    def set_state(self, state: str) -> None:
        """Enable the buttons that make sense in ``state`` (one of :data:`STATES`)."""
        self.state = state
        busy = state in ("starting", "running", "paused", "stopping")
        self.start_button.setEnabled(not busy)
        self.pause_button.setEnabled(state in ("running", "paused"))
        self.stop_button.setEnabled(state in ("starting", "running", "paused"))
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(state == "paused")
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        self.pause_button.blockSignals(False)
        self.progress.setVisible(state != "idle" or self.progress.maximum() > 1)

    def show_progress(self, step: int, total: int, rate: float, seconds_left: float) -> None:
        total = max(1, total)
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        if self.progress.value() != step:
            self.progress.setValue(min(step, total))
        parts = [f"Step {step:,} of {total:,}"]
        if math.isfinite(rate) and rate > 0:
            parts.append(f"{rate:,.0f} images/s")
        if self.state in ("running", "paused", "stopping"):
            parts.append(f"{clock(seconds_left)} left")
        self.rate.setText("   ·   ".join(parts))
