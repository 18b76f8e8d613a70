"""Light and dark themes, following the system unless the user picks one.

:func:`theme_manager` is the one place that knows the current colours.  Widgets that paint
themselves (graph nodes, charts) read :attr:`ThemeManager.palette` and listen to
:attr:`ThemeManager.changed`; ordinary widgets get a QPalette and a style sheet.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from cnnviz.ui import settings

MODES = ("system", "light", "dark")


@dataclass(frozen=True)
class Palette:
    """Named colours of one theme (hex strings, usable in style sheets and QColor)."""

    name: str
    window: str
    surface: str
    surface_alt: str
    sidebar: str
    border: str
    text: str
    muted: str
    accent: str
    accent_text: str
    accent_soft: str
    danger: str
    danger_soft: str
    canvas: str
    grid: str
    edge: str
    skip_edge: str
    kinds: dict  # layer kind -> (fill, outline)

    def kind_colors(self, kind: str) -> tuple[QColor, QColor]:
        fill, outline = self.kinds.get(kind, self.kinds["other"])
        return QColor(fill), QColor(outline)


# One hue per layer kind, picked to stay distinguishable for common colour-vision deficiencies
# (blue/orange/purple carry most of the meaning; green and red are never the only difference).
_KIND_HUES = {
    "input": "#64748b", "output": "#64748b", "conv": "#2563eb", "linear": "#7c3aed",
    "norm": "#0d9488", "activation": "#d97706", "pool": "#16a34a", "dropout": "#94a3b8",
    "add": "#e11d48", "concat": "#ea580c", "reshape": "#475569", "other": "#6b7280",
    "block": "#4f46e5",
}


def _kinds(mix_with: str, strength: float) -> dict:
    base = QColor(mix_with)
    out = {}
    for kind, hue in _KIND_HUES.items():
        c = QColor(hue)
        fill = QColor(
            round(base.red() + (c.red() - base.red()) * strength),
            round(base.green() + (c.green() - base.green()) * strength),
            round(base.blue() + (c.blue() - base.blue()) * strength),
        )
        outline = c if mix_with == "#ffffff" else c.lighter(135)
        out[kind] = (fill.name(), outline.name())
    return out


LIGHT = Palette(
    name="light", window="#f4f5f8", surface="#ffffff", surface_alt="#f8f9fb", sidebar="#eceef3",
    border="#dcdfe6", text="#1d2330", muted="#667085", accent="#3563e9", accent_text="#ffffff",
    accent_soft="#e4ebfd", danger="#c0362c", danger_soft="#fdecea", canvas="#fbfbfd",
    grid="#eef0f4", edge="#8a93a6", skip_edge="#e11d48", kinds=_kinds("#ffffff", 0.16),
)
DARK = Palette(
    name="dark", window="#1a1d23", surface="#22262e", surface_alt="#272c35", sidebar="#15171c",
    border="#343a46", text="#e7e9ee", muted="#98a2b3", accent="#6d95ff", accent_text="#0d1220",
    accent_soft="#26324f", danger="#ff6b5e", danger_soft="#3a2224", canvas="#1d2027",
    grid="#262a33", edge="#7c8598", skip_edge="#fb7185", kinds=_kinds("#22262e", 0.38),
)


def _qpalette(p: Palette) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    pairs = {
        role.Window: p.window, role.WindowText: p.text, role.Base: p.surface,
        role.AlternateBase: p.surface_alt, role.Text: p.text, role.Button: p.surface,
        role.ButtonText: p.text, role.ToolTipBase: p.surface, role.ToolTipText: p.text,
        role.Highlight: p.accent, role.HighlightedText: p.accent_text, role.Link: p.accent,
        role.PlaceholderText: p.muted, role.BrightText: p.danger, role.Mid: p.border,
        role.Midlight: p.surface_alt, role.Dark: p.border, role.Shadow: p.border,
        role.Light: p.surface,
    }
    for r, color in pairs.items():
        pal.setColor(r, QColor(color))
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, r, QColor(p.muted))
    return pal


# The drawn parts of fields a style sheet cannot colour by itself: 12x12 SVG, "{c}" the colour.
_GLYPHS = {
    "chevron": '<path d="M3 4.5l3 3 3-3" fill="none" stroke="{c}" stroke-width="1.6" '
               'stroke-linecap="round" stroke-linejoin="round"/>',
    "check": '<path d="M2.6 6.3l2.3 2.3 4.5-4.9" fill="none" stroke="{c}" stroke-width="1.8" '
             'stroke-linecap="round" stroke-linejoin="round"/>',
}


def _glyph_file(name: str, color: str) -> str | None:
    """A file holding glyph ``name`` in ``color`` (style sheets take images by file name),
    written once into the cache folder; None when no folder can be written."""
    text = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 12 12" width="12" '
            f'height="12">{_GLYPHS[name].format(c=color)}</svg>')
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    folder = Path(base or tempfile.gettempdir()) / "theme"
    path = folder / f"{name}-{digest}.svg"
    if path.is_file():
        return path.as_posix()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)  # never a half-written glyph, even with two windows
    except OSError:
        return None
    return path.as_posix()


def _glyph_rules(p: Palette) -> str:
    """Combo-box arrows and check marks in the theme's colours (Qt draws crude ones once a
    style sheet gives those widgets a border).  A check box without text should carry the
    property ``bare`` (True): a style sheet otherwise keeps room for text beside it."""
    chevron, faded, check = (_glyph_file("chevron", p.muted), _glyph_file("chevron", p.border),
                             _glyph_file("check", p.accent_text))
    rules = f"""
    QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
               width: 22px; border: none; }}
    QComboBox QAbstractItemView {{ background: {p.surface}; color: {p.text};
               border: 1px solid {p.border}; selection-background-color: {p.accent_soft};
               selection-color: {p.text}; outline: 0; }}
    QCheckBox::indicator {{ width: 12px; height: 12px; border: 1px solid {p.border};
               border-radius: 4px; background: {p.surface}; }}
    QCheckBox[bare="true"] {{ spacing: 0px; }}
    QCheckBox::indicator:hover {{ border-color: {p.accent}; }}
    QCheckBox::indicator:checked {{ background: {p.accent}; border-color: {p.accent}; }}
    QCheckBox::indicator:disabled {{ background: {p.surface_alt}; border-color: {p.border}; }}
    QCheckBox::indicator:checked:disabled {{ background: {p.muted}; border-color: {p.muted}; }}
    """
    if chevron and faded:
        rules += f"""
    QComboBox::down-arrow {{ image: url("{chevron}"); width: 12px; height: 12px; }}
    QComboBox::down-arrow:disabled {{ image: url("{faded}"); }}
    QToolButton[popupMode="2"] {{ padding-right: 22px; }}
    QToolButton::menu-indicator {{ image: url("{chevron}"); width: 12px; height: 12px;
               subcontrol-origin: padding; subcontrol-position: center right; right: 6px; }}
    QToolButton::menu-indicator:disabled {{ image: url("{faded}"); }}
    """
    if check:
        rules += f"""
    QCheckBox::indicator:checked {{ image: url("{check}"); }}
    """
    return rules


def _stylesheet(p: Palette) -> str:
    return f"""
    QMainWindow, QDialog {{ background: {p.window}; }}
    QToolTip {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border};
               padding: 6px 8px; border-radius: 6px; }}
    #Sidebar {{ background: {p.sidebar}; border: none; border-right: 1px solid {p.border}; }}
    #Sidebar QListWidget {{ background: transparent; border: none; outline: 0; }}
    #Sidebar QListWidget::item {{ color: {p.muted}; border-radius: 8px; padding: 8px 0px;
               margin: 2px 6px; font-size: 11px; font-weight: 600; }}
    #Sidebar QListWidget::item:hover {{ background: {p.surface_alt}; color: {p.text}; }}
    #Sidebar QListWidget::item:selected {{ background: {p.accent_soft}; color: {p.accent}; }}
    #SidebarBrand {{ color: {p.text}; font-weight: 700; font-size: 13px; padding: 14px 0 6px 0; }}
    #Card, QFrame[card="true"] {{ background: {p.surface}; border: 1px solid {p.border};
               border-radius: 10px; }}
    #Toolbar {{ background: {p.surface}; border-bottom: 1px solid {p.border}; }}
    QLabel[role="title"] {{ font-size: 18px; font-weight: 650; color: {p.text}; }}
    QLabel[role="heading"] {{ font-size: 11px; font-weight: 700; color: {p.muted}; }}
    QLabel[role="muted"] {{ color: {p.muted}; }}
    QLabel[role="metric"] {{ font-size: 17px; font-weight: 650; color: {p.text}; }}
    QLabel[role="metricName"] {{ font-size: 11px; color: {p.muted}; }}
    #Banner {{ background: {p.danger_soft}; border: 1px solid {p.danger}; border-radius: 8px; }}
    #Banner QLabel {{ color: {p.danger}; }}
    QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ background: {p.surface};
               border: 1px solid {p.border}; border-radius: 6px; padding: 4px 8px;
               min-height: 20px; color: {p.text}; }}
    QSpinBox, QDoubleSpinBox {{ padding: 3px 4px; }}
    QSpinBox::up-button, QSpinBox::down-button, QDoubleSpinBox::up-button,
    QDoubleSpinBox::down-button {{ width: 0px; border: none; }}
    QLineEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{
               border: 1px solid {p.accent}; }}
    QComboBox:disabled, QLineEdit:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled {{
               color: {p.muted}; background: {p.surface_alt}; }}
    QLineEdit[invalid="true"], QSpinBox[invalid="true"], QDoubleSpinBox[invalid="true"] {{
               border: 1px solid {p.danger}; }}
    QPushButton, QToolButton {{ background: {p.surface}; border: 1px solid {p.border};
               border-radius: 6px; padding: 5px 12px; color: {p.text}; }}
    QPushButton:hover, QToolButton:hover {{ border-color: {p.accent}; }}
    QPushButton:disabled, QToolButton:disabled {{ color: {p.muted}; background: {p.surface_alt};
               border-color: {p.border}; }}
    QPushButton:checked, QToolButton:checked {{ background: {p.accent_soft}; color: {p.accent};
               border-color: {p.accent}; }}
    QPushButton[primary="true"] {{ background: {p.accent}; color: {p.accent_text};
               border-color: {p.accent}; font-weight: 600; }}
    QPushButton[primary="true"]:disabled {{ background: {p.surface_alt}; color: {p.muted};
               border-color: {p.border}; }}
    QTreeView, QTableView, QListView {{ background: {p.surface}; border: 1px solid {p.border};
               border-radius: 8px; alternate-background-color: {p.surface_alt};
               selection-background-color: {p.accent_soft}; selection-color: {p.text}; }}
    QTreeView::item, QListView::item {{ padding: 4px 2px; }}
    QHeaderView::section {{ background: {p.surface_alt}; color: {p.muted}; border: none;
               border-bottom: 1px solid {p.border}; padding: 6px 8px; font-weight: 600; }}
    QTabBar::tab {{ background: transparent; color: {p.muted}; padding: 8px 16px;
               border: none; border-bottom: 2px solid transparent; font-weight: 600; }}
    QTabBar::tab:selected {{ color: {p.accent}; border-bottom: 2px solid {p.accent}; }}
    QTabBar::tab:hover {{ color: {p.text}; }}
    QTabWidget::pane {{ border: none; }}
    QSplitter::handle {{ background: {p.window}; }}
    QStatusBar {{ background: {p.sidebar}; color: {p.muted}; border-top: 1px solid {p.border}; }}
    QMenuBar {{ background: {p.window}; color: {p.text}; }}
    QMenuBar::item:selected {{ background: {p.accent_soft}; border-radius: 4px; }}
    QMenu {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border};
               padding: 4px; }}
    QMenu::item {{ padding: 6px 24px 6px 20px; border-radius: 4px; }}
    QMenu::item:selected {{ background: {p.accent_soft}; color: {p.text}; }}
    QMenu::separator {{ height: 1px; background: {p.border}; margin: 4px 8px; }}
    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
    QScrollBar::handle:vertical {{ background: {p.border}; border-radius: 4px; min-height: 30px; }}
    QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
    QScrollBar::handle:horizontal {{ background: {p.border}; border-radius: 4px; min-width: 30px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
    QTextBrowser {{ background: {p.surface}; border: none; color: {p.text}; }}
    """ + _glyph_rules(p)


class ThemeManager(QObject):
    """Owns the theme choice ("system", "light", "dark") and applies it to the application."""

    changed = Signal(object)  # the new Palette

    def __init__(self) -> None:
        super().__init__()
        self._mode = settings.read_str("view/theme", "system", MODES)
        self._palette = LIGHT
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._system_changed)

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def palette(self) -> Palette:
        return self._palette

    def system_is_dark(self) -> bool:
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def set_mode(self, mode: str) -> None:
        """Switch to ``mode`` and remember it; "system" follows the desktop from now on."""
        if mode not in MODES:
            raise ValueError(f"unknown theme {mode!r}")
        self._mode = mode
        settings.write("view/theme", mode)
        self.apply()

    def apply(self) -> None:
        dark = self._mode == "dark" or (self._mode == "system" and self.system_is_dark())
        self._palette = DARK if dark else LIGHT
        app = QApplication.instance()
        if app is not None:
            app.setStyle("Fusion")
            app.setPalette(_qpalette(self._palette))
            app.setStyleSheet(_stylesheet(self._palette))
        self.changed.emit(self._palette)

    def _system_changed(self, _scheme) -> None:
        if self._mode == "system":
            self.apply()


_manager: ThemeManager | None = None


def theme_manager() -> ThemeManager:
    """The application's ThemeManager (created on first use, after the QApplication)."""
    global _manager
    if _manager is None:
        _manager = ThemeManager()
    return _manager


def palette() -> Palette:
    return theme_manager().palette
