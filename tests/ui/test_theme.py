"""The theme's drawn glyphs (combo-box arrows, menu arrows, check marks) and bare check boxes."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QPushButton

from cnnviz.ui.theme import DARK, LIGHT, theme_manager


def _glyphs(sheet: str) -> list[Path]:
    return [Path(p) for p in re.findall(r'image: url\("([^"]+)"\)', sheet)]


def test_each_theme_draws_its_glyphs_in_its_own_colours(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    files = {}
    for mode, pal in (("light", LIGHT), ("dark", DARK)):
        theme_manager().set_mode(mode)
        sheet = QApplication.instance().styleSheet()
        found = _glyphs(sheet)
        assert "QComboBox::down-arrow" in sheet and "QToolButton::menu-indicator" in sheet
        assert len(found) >= 4 and all(p.is_file() for p in found)
        texts = "".join(p.read_text() for p in found)
        assert pal.muted in texts and pal.accent_text in texts  # arrows muted, ticks on accent
        assert not QImage(str(found[0])).isNull()  # Qt reads what the sheet points at
        assert not list(found[0].parent.glob("*.part"))  # nothing half written is left
        files[mode] = set(found)
    assert files["light"] != files["dark"]
    theme_manager().set_mode("light")
    assert set(_glyphs(QApplication.instance().styleSheet())) == files["light"]  # reused


def test_a_check_box_without_text_is_as_wide_as_its_box(qtbot):
    theme_manager().set_mode("light")
    bare, labelled = QCheckBox(), QCheckBox("Overlays")
    bare.setProperty("bare", True)
    for box in (bare, labelled):
        qtbot.addWidget(box)
        box.ensurePolished()
    assert bare.sizeHint().width() <= 16
    assert labelled.sizeHint().width() > bare.sizeHint().width() + 40


def _colours(widget) -> set[tuple[int, int, int]]:
    image = widget.grab().toImage()
    return {image.pixelColor(x, y).getRgb()[:3]
            for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}


def test_a_disabled_plain_button_looks_disabled_in_both_themes(qtbot):
    for pal in (LIGHT, DARK):
        theme_manager().set_mode("light" if pal is LIGHT else "dark")
        enabled, disabled = QPushButton("Look inside"), QPushButton("Look inside")
        disabled.setEnabled(False)
        for button in (enabled, disabled):
            qtbot.addWidget(button)
            button.resize(140, 32)
        fill = QColor(pal.surface_alt).getRgb()[:3]
        assert fill in _colours(disabled) and fill not in _colours(enabled)
