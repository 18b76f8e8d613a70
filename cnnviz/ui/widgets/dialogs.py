"""The About and Keyboard Shortcuts dialogs (non-blocking: opened with ``open()``)."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QMessageBox,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

import cnnviz
from cnnviz.core.errors import CnnvizError
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.widgets import icons


class AboutDialog(QDialog):
    """Name, version and licence, read from :mod:`cnnviz`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {cnnviz.APP_DISPLAY_NAME}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 18)
        layout.setSpacing(8)
        logo = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        logo.setPixmap(icons.pixmap("architectures", theme_manager().palette.accent, 48))
        title = QLabel(cnnviz.APP_DISPLAY_NAME, alignment=Qt.AlignmentFlag.AlignCenter)
        title.setProperty("role", "title")
        version = QLabel(f"Version {cnnviz.__version__}", alignment=Qt.AlignmentFlag.AlignCenter)
        version.setProperty("role", "muted")
        blurb = QLabel(
            "See inside the classic convolutional networks: their layers, shapes, parameters "
            "and multiply-adds; augment your own images; watch gradients flow while training.",
            wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter,
        )
        licence = QLabel(f"Released under the {cnnviz.LICENSE} licence.",
                         alignment=Qt.AlignmentFlag.AlignCenter)
        runtime = QLabel(
            f"Python {platform.python_version()} · Qt for Python {pyside_version}",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        runtime.setProperty("role", "muted")
        self.text = "\n".join(w.text() for w in (title, version, blurb, licence))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for w in (logo, title, version, blurb, licence, runtime):
            layout.addWidget(w)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.setFixedWidth(420)


class ShortcutsDialog(QDialog):
    """A two-column list of what each key does."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = rows
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        heading = QLabel("Keyboard shortcuts")
        heading.setProperty("role", "title")
        layout.addWidget(heading)
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(6)
        for i, (what, keys) in enumerate(rows):
            key_label = QLabel(f"<b>{keys}</b>")
            grid.addWidget(QLabel(what), i, 0)
            grid.addWidget(key_label, i, 1, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(grid)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)


def error_box(parent: QWidget, title: str, exc: BaseException, tb: str = "") -> QMessageBox:
    """Open (without blocking) a warning that says what went wrong in the user's terms.

    A :class:`CnnvizError` shows its sentence; anything else is a bug, so its traceback goes
    under "Show Details" for a bug report rather than in the student's face.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(f"<b>{title}</b>")
    if isinstance(exc, CnnvizError):
        box.setInformativeText(str(exc))
    else:
        box.setInformativeText(f"Something unexpected went wrong: {exc}")
        if tb:
            box.setDetailedText(tb)
    box.open()
    return box
