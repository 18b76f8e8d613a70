"""The main window: a sidebar of workspaces, the menus, the status bar, and file routing.

Workspaces are imported lazily (the Architectures one at start-up, the others when first
shown or when a file for them arrives), so the window is on screen before torch is imported.
A workspace module that is missing from this build gets an honest page saying so.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cnnviz import APP_DISPLAY_NAME
from cnnviz.core.augment.image_io import IMAGE_SUFFIXES  # the suffixes the loader reads
from cnnviz.ui import settings
from cnnviz.ui.app import INTERFACE_SIZES, MIN_WINDOW, size_fits
from cnnviz.ui.handoffs import WorkspaceHandoffs
from cnnviz.ui.theme import MODES, theme_manager
from cnnviz.ui.widgets import icons
from cnnviz.ui.widgets.dialogs import AboutDialog, ShortcutsDialog
from cnnviz.ui.widgets.unavailable import UnavailablePage
from cnnviz.ui.file_kinds import MODEL_FILE_FILTER
from cnnviz.ui.workspaces import WORKSPACES, WorkspaceRegistry, natural_owner
from cnnviz.ui.widgets.file_dialogs import ask_open_file, ask_open_files



def _why_not(path: Path) -> str:
    """Why a path that no workspace takes was not opened, said by what it is."""
    if path.is_dir():
        return f"The folder “{path.name}” holds no pictures and no training run"
    return (f"“{path.name}” is not a picture, a network file (.py, .pt), an augmentation "
            "pipeline (.json) or a run folder, which are what cnnviz opens")


def _sentence_case(title: str) -> str:
    """"Open Model File" -> "Open model file" (acronyms such as PNG stay as they are): menu
    entries are in title case, the rows of the shortcuts list read as sentences."""
    first, *rest = title.split(" ")
    return " ".join([first, *(w if w.isupper() else w.lower() for w in rest)])


class MainWindow(WorkspaceHandoffs, QMainWindow):
    """cnnviz's single window.  ``pages`` holds the workspaces built so far, by key."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.setAcceptDrops(True)
        self.setMinimumSize(*MIN_WINDOW)
        self.pages: dict[str, QWidget] = {}
        self.registry = WorkspaceRegistry()
        self._dialogs: list[QWidget] = []
        self._gradients: dict[tuple[str, str], object] = {}  # (run, model) -> GradientSnapshot

        self.sidebar = QListWidget()
        self.stack = QStackedWidget()
        self._placeholders: dict[str, QWidget] = {}
        self._build_body()
        self._build_menus()
        self.statusBar().showMessage("Ready", 3000)
        self._restore_geometry()
        theme_manager().changed.connect(self._retheme)
        self._retheme(theme_manager().palette)
        last = settings.read_str("window/workspace", "arch", tuple(w.key for w in WORKSPACES))
        self.show_workspace(last)

    # ----------------------------------------------------------------- layout
    def _build_body(self) -> None:
        side = QFrame(objectName="Sidebar")
        side.setFixedWidth(104)
        col = QVBoxLayout(side)
        col.setContentsMargins(0, 0, 0, 8)
        col.setSpacing(4)
        brand = QLabel("cnnviz", objectName="SidebarBrand", alignment=Qt.AlignmentFlag.AlignCenter)
        col.addWidget(brand)
        self.sidebar.setViewMode(QListWidget.ViewMode.IconMode)
        self.sidebar.setFlow(QListWidget.Flow.TopToBottom)
        self.sidebar.setMovement(QListWidget.Movement.Static)
        self.sidebar.setWrapping(False)
        self.sidebar.setIconSize(QSize(26, 26))
        self.sidebar.setGridSize(QSize(102, 74))
        self.sidebar.setUniformItemSizes(True)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for i, entry in enumerate(WORKSPACES):
            item = QListWidgetItem(entry.title)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setToolTip(f"{entry.title}  (Ctrl+{i + 1})")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
            item.setSizeHint(QSize(98, 68))
            self.sidebar.addItem(item)
            placeholder = QWidget()
            self._placeholders[entry.key] = placeholder
            self.stack.addWidget(placeholder)
        self.sidebar.currentRowChanged.connect(lambda row: self.show_workspace(WORKSPACES[row].key))
        col.addWidget(self.sidebar, 1)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(side)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(body)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.act_open_image = QAction("Open &Image…", self, shortcut=QKeySequence.StandardKey.Open)
        self.act_open_image.triggered.connect(self.open_image_dialog)
        self.act_open_model = QAction("Open &Model File…", self, shortcut="Ctrl+Shift+O")
        self.act_open_model.triggered.connect(self.open_model_dialog)
        self.act_quit = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_quit.triggered.connect(self.close)
        self.file_menu.aboutToShow.connect(self._fill_file_menu)
        self._fill_file_menu()

        view = bar.addMenu("&View")
        self.act_zoom_in = QAction("Zoom &In", self, shortcut=QKeySequence.StandardKey.ZoomIn)
        self.act_zoom_in.triggered.connect(lambda: self._call_page("zoom_in"))
        self.act_zoom_out = QAction("Zoom &Out", self, shortcut=QKeySequence.StandardKey.ZoomOut)
        self.act_zoom_out.triggered.connect(lambda: self._call_page("zoom_out"))
        self.act_fit = QAction("&Fit to Window", self, shortcut="Ctrl+0")
        self.act_fit.triggered.connect(lambda: self._call_page("fit_view"))
        for act in (self.act_zoom_in, self.act_zoom_out, self.act_fit):
            view.addAction(act)
        view.addSeparator()
        theme_menu = view.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        labels = {"system": "Follow &System", "light": "&Light", "dark": "&Dark"}
        for mode in MODES:
            act = QAction(labels[mode], self, checkable=True)
            act.setChecked(theme_manager().mode == mode)
            act.triggered.connect(lambda _=False, m=mode: theme_manager().set_mode(m))
            group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[mode] = act
        size_menu = view.addMenu("Interface &Size")
        self.size_actions: dict[str, QAction] = {}
        sizes = QActionGroup(self)
        chosen = settings.read_str("view/interface_size", "100", INTERFACE_SIZES)
        for size in INTERFACE_SIZES:
            act = QAction(f"{size} %", self, checkable=True)
            act.setChecked(size == chosen)
            act.triggered.connect(lambda _=False, s=size: self.set_interface_size(s))
            sizes.addAction(act)
            size_menu.addAction(act)
            self.size_actions[size] = act
        # Checked each time the menu opens: the window may have moved to a projector.
        size_menu.aboutToShow.connect(lambda: self.offer_sizes(self._screen_pixels()))
        self.offer_sizes(self._screen_pixels())
        view.addSeparator()
        self.workspace_actions: list[QAction] = []
        for i, entry in enumerate(WORKSPACES):
            act = QAction(entry.title, self, shortcut=f"Ctrl+{i + 1}")
            act.triggered.connect(lambda _=False, k=entry.key: self.show_workspace(k))
            view.addAction(act)
            self.workspace_actions.append(act)
        view.aboutToShow.connect(self._update_view_actions)

        help_menu = bar.addMenu("&Help")
        self.act_shortcuts = QAction("&Keyboard Shortcuts", self, shortcut="Ctrl+/")
        self.act_shortcuts.triggered.connect(self.show_shortcuts)
        self.act_about = QAction(f"&About {APP_DISPLAY_NAME}", self)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.act_about.triggered.connect(self.show_about)
        help_menu.addAction(self.act_shortcuts)
        help_menu.addAction(self.act_about)

    def _fill_file_menu(self) -> None:
        menu = self.file_menu
        menu.clear()
        menu.addAction(self.act_open_image)
        menu.addAction(self.act_open_model)
        extra = self._page_menu_actions()
        if extra:
            menu.addSeparator()
            for act in extra:
                menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.act_quit)

    def _page_menu_actions(self) -> list[QAction]:
        page = self.current_page()
        getter = getattr(page, "menu_actions", None)
        return list(getter()) if callable(getter) else []

    def _update_view_actions(self) -> None:
        page = self.current_page()
        for act, name in ((self.act_zoom_in, "zoom_in"), (self.act_zoom_out, "zoom_out"),
                          (self.act_fit, "fit_view")):
            act.setEnabled(callable(getattr(page, name, None)))

    def _retheme(self, pal) -> None:
        for i, entry in enumerate(WORKSPACES):
            self.sidebar.item(i).setIcon(icons.icon(entry.icon, pal.muted, pal.accent))
        self.theme_actions[theme_manager().mode].setChecked(True)

    # ------------------------------------------------------------- workspaces
    def current_key(self) -> str:
        row = self.sidebar.currentRow()
        return WORKSPACES[row].key if row >= 0 else WORKSPACES[0].key

    def current_page(self) -> QWidget | None:
        return self.pages.get(self.current_key())

    def workspace_class(self, key: str) -> type | None:
        """The workspace class for ``key``, imported on first use; None when unavailable."""
        return self.registry.workspace_class(key)

    def page(self, key: str) -> QWidget:
        """The page for ``key``, building the workspace (or its unavailable page) if needed."""
        if key in self.pages:
            return self.pages[key]
        entry = next(w for w in WORKSPACES if w.key == key)
        cls = self.workspace_class(key)
        widget: QWidget
        if cls is None:
            widget = UnavailablePage(entry.title, entry.icon, self.registry.error(key))
        else:
            try:
                widget = cls()
            except Exception as exc:
                widget = UnavailablePage(entry.title, entry.icon,
                                         self.registry.failed_to_start(key, exc))
        signal = getattr(widget, "status_message", None)
        if signal is not None and hasattr(signal, "connect"):
            signal.connect(partial(self._page_status, widget))
        signal = getattr(widget, "subject_changed", None)
        if signal is not None and hasattr(signal, "connect"):
            signal.connect(lambda _text, page=widget: self._update_title(page))
        self._connect_handoffs(key, widget)
        index = WORKSPACES.index(entry)
        placeholder = self._placeholders.pop(key)
        self.stack.insertWidget(index, widget)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.pages[key] = widget
        return widget

    def _page_status(self, page: QWidget, text: str) -> None:
        """A workspace's passing message, shown while that workspace is the one in view."""
        if self.stack.currentWidget() is page:
            self.statusBar().showMessage(text, 6000)

    def _screen_pixels(self) -> tuple[int, int]:
        """The screen's free area in pixels as the interface at 100 % counts them (this start
        may already run at a larger interface size, which makes every pixel bigger)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return (1 << 16, 1 << 16)
        room = screen.availableGeometry().size()
        try:
            factor = float(os.environ.get("QT_SCALE_FACTOR") or 1)
        except ValueError:
            factor = 1.0
        return (round(room.width() * factor), round(room.height() * factor))

    def offer_sizes(self, pixels: tuple[int, int]) -> None:
        """Grey the interface sizes whose smallest window would not fit on a screen of
        ``pixels`` (the size in use stays choosable)."""
        for size, act in self.size_actions.items():
            fits = size_fits(size, pixels)
            note = " (projector)" if size == "150" else ""
            act.setText(f"{size} %" + (note if fits else " (needs a larger screen)"))
            act.setEnabled(fits or act.isChecked())

    def set_interface_size(self, size: str) -> None:
        """Remember the interface size (one of :data:`INTERFACE_SIZES`, in percent) for the
        next start."""
        settings.write("view/interface_size", size)
        self.size_actions[size].setChecked(True)
        self.statusBar().showMessage(
            f"The interface will be drawn at {size} % the next time cnnviz starts.", 10000)

    def _update_title(self, page: QWidget | None = None) -> None:
        """"ResNet-18 — Architectures — cnnviz": what the workspace in view shows (its
        ``subject``, when it has one), the workspace, the program; a task bar or a
        projector's window list then tells the windows apart."""
        current = self.stack.currentWidget()
        if page is not None and page is not current:
            return
        entry = next((w for w in WORKSPACES if self.pages.get(w.key) is current), None)
        subject = getattr(current, "subject", "")
        subject = subject() if callable(subject) else subject
        parts = [str(subject)] if subject else []
        if entry is not None:
            parts.append(entry.title)
        self.setWindowTitle(" — ".join([*parts, APP_DISPLAY_NAME]))

    def show_workspace(self, key: str) -> QWidget:
        index = next(i for i, w in enumerate(WORKSPACES) if w.key == key)
        widget = self.page(key)
        if self.stack.currentWidget() is not widget:
            self.statusBar().clearMessage()  # the last workspace's news is not this one's
        self.stack.setCurrentWidget(widget)
        self._update_title()
        if self.sidebar.currentRow() != index:
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(index)
            self.sidebar.blockSignals(False)
        settings.write("window/workspace", key)
        self._update_view_actions()
        return widget

    def _call_page(self, method: str) -> None:
        fn = getattr(self.current_page(), method, None)
        if callable(fn):
            fn()

    # ------------------------------------------------------------------ files
    def open_paths(self, paths: list[Path]) -> dict[str, list[Path]]:
        """Send each path to the first workspace that can open it; returns the routing."""
        routed: dict[str, list[Path]] = {}
        refused: list[str] = []
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                refused.append(f"“{path.name}” does not exist")
                continue
            owner = next((w.key for w in WORKSPACES if self.registry.accepts(w.key, path)), None)
            if owner is None:
                natural = natural_owner(path)
                if natural is not None and self.workspace_class(natural) is None:
                    owner = natural  # its page explains that the workspace is missing
            if owner is None:
                refused.append(_why_not(path))
                continue
            routed.setdefault(owner, []).append(path)
        for key, group in routed.items():
            page = self.show_workspace(key)
            opener = getattr(page, "open_paths", None)
            if callable(opener):
                opener(group)
            else:
                title = next(w.title for w in WORKSPACES if w.key == key)
                refused.append(f"{title} is not available in this build")
        if refused:
            self.statusBar().showMessage(" ".join(f"{r}." for r in refused), 10000)
        return routed

    def open_image_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
        files = ask_open_files(self, "Open Image", "images", f"Images ({patterns});;All files (*)")
        if files:
            self.open_paths(files)

    def open_model_dialog(self) -> None:
        file = ask_open_file(self, "Open Model File", "models", MODEL_FILE_FILTER)
        if file is not None:
            self.open_paths([file])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._local_files(event.mimeData())
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        # Open after the drop returns so the drag source is not kept waiting on slow work.
        QTimer.singleShot(0, lambda: self.open_paths(files))

    @staticmethod
    def _local_files(mime) -> list[Path]:
        if mime is None or not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    # ---------------------------------------------------------------- dialogs
    def show_about(self) -> AboutDialog:
        return self._open_dialog(AboutDialog(self))

    def show_shortcuts(self) -> ShortcutsDialog:
        return self._open_dialog(ShortcutsDialog(self._shortcut_rows(), self))

    def _open_dialog(self, dialog):
        self._dialogs = [d for d in self._dialogs if d.isVisible()]
        self._dialogs.append(dialog)
        dialog.open()
        return dialog

    def _shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        actions = [self.act_open_image, self.act_open_model, self.act_zoom_in, self.act_zoom_out,
                   self.act_fit, *self.workspace_actions, self.act_shortcuts, self.act_quit]
        for act in actions:
            keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                rows.append((_sentence_case(act.text().replace("&", "").rstrip("…")), keys))
        page = self.current_page()
        extra = getattr(page, "shortcut_rows", None)
        if callable(extra):
            rows.extend(extra())
        return rows

    # --------------------------------------------------------------- lifetime
    def _restore_geometry(self) -> None:
        """Reopen where the window was; a window larger than the screen's free area (the
        interface size went up since, or the screen is smaller) opens maximised rather than
        squeezed to whatever Qt can fit, which can be the minimum size."""
        store = settings.app_settings()
        geometry = store.value("window/geometry")
        wanted = store.value("window/size")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            if not isinstance(wanted, QSize) or wanted.isEmpty():
                wanted = self.size()
        else:
            wanted = QSize(1280, 800)
            self.resize(wanted)
        screen = self.screen() or QApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else wanted
        if wanted.width() > room.width() or wanted.height() > room.height():
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        elif self.size() != wanted and not self.isMaximized():
            self.resize(wanted)  # what restoreGeometry clamped to another screen's size

    def closeEvent(self, event: QCloseEvent) -> None:
        settings.write("window/geometry", self.saveGeometry())
        normal = self.normalGeometry() if self.isMaximized() else self.geometry()
        settings.write("window/size", normal.size())  # in this start's interface size
        settings.write("window/workspace", self.current_key())
        for page in self.pages.values():
            stop = getattr(page, "shutdown", None)
            if callable(stop):
                stop()
        super().closeEvent(event)
