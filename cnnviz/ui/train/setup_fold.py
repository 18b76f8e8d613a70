"""Folding the Train workspace's setup side away, and bringing it back with one click.

The setup side (the form and Past runs) takes about 370 pixels beside the plots; on a small
window that leaves each model's plots too little room.  Its tab bar has a Hide button; once
it is hidden, a Setup button in the control bar brings it back (Ctrl+B does both), and the
choice is remembered.  While a run goes on a narrow workspace the side folds by itself (the
plots are what there is to watch) and comes back when the run ends, unless the student chose
otherwise during the run.  It folds only once the run has started: a start that fails leaves
the form in sight, and brings it back if it was hidden, since the form is where the student
acts on the error.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QTabWidget, QToolButton, QWidget

from cnnviz.ui import settings
from cnnviz.ui.theme import theme_manager

KEY = "train/setup_shown"
SHORTCUT = "Ctrl+B"


class SetupFold(QObject):
    """Shows or hides the ``side`` tab widget; ``show_button`` (shown only while the side is
    hidden) brings it back, and a Hide button made here, in the side's tab bar, hides it.
    ``workspace`` is watched for its width."""

    #: A workspace narrower than this folds the setup away while a run goes: below it the
    #: two models' panels beside the setup are too narrow for their plots' full titles.
    NARROW_PX = 1100

    def __init__(self, side: QTabWidget, show_button: QAbstractButton,
                 workspace: QWidget) -> None:
        super().__init__(workspace)
        self.side = side
        self.show_button = show_button
        self.workspace = workspace
        self.hide_button = QToolButton(text="Hide")
        self.hide_button.setObjectName("SetupHide")
        self.hide_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hide_button.setToolTip(f"Hide the setup: the plots get the whole width "
                                    f"({SHORTCUT})")
        # Laid over the right end of the tab bar (see _place), which the two tabs leave
        # empty: a corner widget would get a frame of its own and sit lower than the tabs.
        self.hide_button.setParent(side)
        side.installEventFilter(self)
        show_button.setToolTip(f"Show the lesson, the models and the training settings "
                               f"again ({SHORTCUT})")
        #: The student's choice: whether the side shows when no run folds it away.
        self.wanted = settings.read_bool(KEY, True)
        self._running = False
        self._chosen_during_run = False
        self.hide_button.clicked.connect(lambda: self.set_shown(False))
        show_button.clicked.connect(lambda: self.set_shown(True))
        self.shortcut = QShortcut(QKeySequence(SHORTCUT), workspace)
        self.shortcut.activated.connect(lambda: self.set_shown(not self.shown))
        workspace.installEventFilter(self)
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        self._apply()

    @property
    def shown(self) -> bool:
        """Whether the setup side is to be seen now."""
        return self.wanted and not self.folded_for_run

    @property
    def folded_for_run(self) -> bool:
        """Whether a run on a narrow workspace folds the side away now."""
        return self._running and not self._chosen_during_run and \
            self.workspace.width() < self.NARROW_PX

    def set_shown(self, shown: bool) -> None:
        """Show or hide the side as the student's choice (remembered)."""
        if self._running:
            self._chosen_during_run = True
        self.wanted = shown
        settings.write(KEY, shown)
        self._apply()

    def run_started(self) -> None:
        """A run has begun: on a narrow workspace the side folds away while it goes."""
        self._running = True
        self._chosen_during_run = False
        self._apply()

    def run_ended(self) -> None:
        """The run ended (or never began): the side is as the student wants it again."""
        self._running = False
        self._apply()

    def reveal(self) -> None:
        """Bring the side into sight (a start failed: the form is where to act on it)."""
        if not self.shown:
            self.set_shown(True)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            if watched is self.workspace and self._running:
                self._apply()
            elif watched is self.side:
                self._place()
        return False

    def _place(self) -> None:
        bar = self.side.tabBar()
        hint = self.hide_button.sizeHint()
        self.hide_button.setGeometry(self.side.width() - hint.width() - 4, bar.y(),
                                     hint.width(), bar.height())
        self.hide_button.raise_()

    def _retheme(self, pal) -> None:
        # A quiet text button, as the tabs beside it are: not one more framed button.
        self.hide_button.setStyleSheet(
            f"QToolButton#SetupHide {{ border: none; background: transparent; "
            f"color: {pal.muted}; padding: 6px 12px; }}"
            f"QToolButton#SetupHide:hover {{ color: {pal.accent}; }}")

    def _apply(self) -> None:
        shown = self.shown
        if self.side.isHidden() == shown:
            self.side.setVisible(shown)
        if self.show_button.isHidden() != shown:
            self.show_button.setVisible(not shown)
