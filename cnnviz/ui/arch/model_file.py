"""Opening a user's model file: list its networks on a worker, ask before unpickling a whole
network, and ask which one if the file defines several."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QMessageBox, QVBoxLayout,
)

from cnnviz.core.errors import CnnvizError, TrustRequiredError
from cnnviz.ui.arch import engine


class ClassChooserDialog(QDialog):
    """Lists the nn.Module classes of a file; ``chosen(ref)`` gives ``"file.py:Class"``.

    Opened with ``open()`` (window-modal, not blocking the event loop).
    """

    chosen = Signal(str)

    def __init__(self, path: Path, classes: list[str], parent=None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle("Choose a Model")
        heading = QLabel(f"<b>{self.path.name}</b> defines {len(classes)} networks. "
                         "Which one should cnnviz show?")
        heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.addItems(classes)
        self.list.setCurrentRow(len(classes) - 1)  # files usually define the full model last
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(380, 320)

    def choose(self, name: str) -> None:
        """Select ``name`` and accept (what a double-click does)."""
        for row in range(self.list.count()):
            if self.list.item(row).text() == name:
                self.list.setCurrentRow(row)
        self.accept()

    def accept(self) -> None:
        item = self.list.currentItem()
        super().accept()
        if item is not None:
            self.chosen.emit(f"{self.path}:{item.text()}")


class ModelFileOpener(QObject):
    """Turns a model file's path into a ``"file:Class"`` reference.

    ``chosen(ref)`` when the file holds one network or the user picked one; ``cancelled()``
    when the user closed the chooser, declined to trust a pickled network or called
    :meth:`cancel`; ``failed(title, exc, traceback)`` when the file does not load or holds no
    network.  The file is read on ``runner`` (a .py file's code runs; so does a pickled
    network's, which is why it is loaded only after the user agrees in :attr:`trust_box`).
    """

    chosen = Signal(str)
    cancelled = Signal()
    failed = Signal(str, object, str)

    def __init__(self, runner, parent_widget) -> None:
        super().__init__(parent_widget)
        self._runner = runner
        self._parent = parent_widget
        self._reading: object | None = None  # the token of the read whose result counts
        self.chooser: ClassChooserDialog | None = None
        self.trust_box: QMessageBox | None = None

    def open(self, path: Path) -> None:
        """List the networks in ``path`` on the runner, then choose or ask."""
        self._read(Path(path), trusted=False)

    def cancel(self) -> None:
        """Forget the file being read: its result, when it comes, is ignored."""
        if self._reading is not None:
            self._reading = None
            self.cancelled.emit()

    def _read(self, path: Path, trusted: bool) -> None:
        token = self._reading = object()

        def done(classes: list[str]) -> None:
            if token is self._reading:
                self._reading = None
                self._listed(path, classes)

        def error(exc: BaseException, tb: str) -> None:
            if token is self._reading:
                self._reading = None
                self._not_listed(path, exc, tb)

        self._runner.submit(engine.file_models, str(path), trusted, key="file",
                            on_done=done, on_error=error)

    def _not_listed(self, path: Path, exc: BaseException, tb: str) -> None:
        if isinstance(exc, TrustRequiredError):
            self._ask_trust(path, exc)
        else:
            self.failed.emit(f"Could not open {path.name}", exc, tb)

    def _ask_trust(self, path: Path, exc: TrustRequiredError) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Open Pickled Network?", str(exc),
                          QMessageBox.StandardButton.Cancel, self._parent)
        open_button = box.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter must not run code

        def answered(_result: int) -> None:
            if box.clickedButton() is open_button:
                self._read(path, trusted=True)
            else:
                self.cancelled.emit()

        box.finished.connect(answered)
        self.trust_box = box
        box.open()

    def _listed(self, path: Path, classes: list[str]) -> None:
        if not classes:
            self.failed.emit(f"No network in {path.name}", CnnvizError(
                f"{path.name} defines no network (no torch.nn.Module subclass)."), "")
        elif len(classes) == 1:
            self.chosen.emit(f"{path}:{classes[0]}")
        else:
            self.chooser = ClassChooserDialog(path, classes, self._parent)
            self.chooser.chosen.connect(self.chosen)
            self.chooser.rejected.connect(self.cancelled)
            self.chooser.open()
