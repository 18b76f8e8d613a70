"""Opening a user's model file: list its networks on a worker, ask which one if several."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout

from cnnviz.core.errors import CnnvizError
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
    """Turns a .py path into a ``"file.py:Class"`` reference.

    ``chosen(ref)`` when the file defines one network or the user picked one; ``cancelled()``
    when the user closed the chooser; ``failed(title, exc, traceback)`` when the file does not
    import or defines no network.  The file is imported on ``runner`` (it runs user code).
    """

    chosen = Signal(str)
    cancelled = Signal()
    failed = Signal(str, object, str)

    def __init__(self, runner, parent_widget) -> None:
        super().__init__(parent_widget)
        self._runner = runner
        self._parent = parent_widget
        self.chooser: ClassChooserDialog | None = None

    def open(self, path: Path) -> None:
        self._runner.submit(engine.file_models, str(path), key="file",
                            on_done=lambda classes: self._listed(path, classes),
                            on_error=lambda exc, tb: self.failed.emit(f"Could not open {path.name}", exc, tb))

    def _listed(self, path: Path, classes: list[str]) -> None:
        if not classes:
            self.failed.emit(f"No network in {path.name}",
                             CnnvizError(f"{path.name} does not define any torch.nn.Module class."), "")
        elif len(classes) == 1:
            self.chosen.emit(f"{path}:{classes[0]}")
        else:
            self.chooser = ClassChooserDialog(path, classes, self._parent)
            self.chooser.chosen.connect(self.chosen)
            self.chooser.rejected.connect(self.cancelled)
            self.chooser.open()
