"""The studio in the window's smallest size (960x640, what a teacher at 150 % may get): the
three columns sit side by side without overlapping, the header's buttons that do not fit
move into a "More" menu instead of being clipped, and the preview's controls wrap.  A picture
a few pixels wide says why its samples look broken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QWidget

from studio_pictures import picture

WAIT_MS = 30_000


def settle(qtbot, ws) -> None:
    qtbot.waitUntil(lambda: ws.frame is not None and ws.preview_settled(), timeout=WAIT_MS)


def load(qtbot, ws, path: Path) -> None:
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths([path])
    settle(qtbot, ws)


@pytest.fixture
def studio(qtbot, window):
    """The studio in a 960x640 main window (the window's minimum size)."""
    window.resize(960, 640)
    ws = window.show_workspace("augment")
    qtbot.waitUntil(lambda: window.width() == 960 and ws.isVisible())
    return ws


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def text_fits(button: QAbstractButton) -> bool:
    """The button's text is drawn whole: its advance fits the width inside the theme's
    padding (12 px and a 1 px border each side) beside its icon, and the button is as wide
    as it asks to be.  A button without text must show an icon and say in its tooltip what
    it does."""
    text = button.text().replace("&", "")
    if not text:
        return not button.icon().isNull() and bool(button.toolTip())
    room = button.contentsRect().width() - 2 * 13
    if not button.icon().isNull():
        room -= button.iconSize().width()
    return (button.fontMetrics().horizontalAdvance(text) <= room
            and button.width() >= button.sizeHint().width())


def test_the_header_folds_into_more_instead_of_clipping_at_960x640(qtbot, studio, tmp_path):
    load(qtbot, studio, picture(tmp_path / "my_cat_on_the_sofa_in_the_living_room_2026.png"))
    row = studio.buttons
    assert studio.width() < 900  # the sidebar takes its part of the 960 pixels
    shown = [b for b in row.findChildren(QAbstractButton) if b.isVisible()]
    assert studio.export_button in shown and studio.look_button in shown
    assert row.more in shown and row.folded  # something had to move into the menu
    for button in shown:
        assert text_fits(button), button.text()
        assert rect_in(button, studio).right() <= studio.width()
    for a in shown:
        for b in shown:
            if a is not b:
                assert not rect_in(a, studio).intersects(rect_in(b, studio)), (a.text(), b.text())
    # Every folded button is in the menu, in row order, as the action that does the same.
    actions = row.menu.actions()
    assert len(actions) == len(row.folded)
    for button in row.folded:
        assert not button.isVisible()
    assert studio.code_button in row.folded and studio.act_code in actions
    assert actions[-1] is studio.act_code  # the last on the row is the last in the menu
    # ... and works from there: the code dialog opens.
    dialogs = len(studio._dialogs)
    studio.act_code.trigger()
    assert len(studio._dialogs) == dialogs + 1 and studio._dialogs[-1].isVisible()
    # The title and the picture's size keep their place at the left.
    assert rect_in(studio.title, studio).right() < rect_in(shown[0], studio).left()


def test_a_wide_window_shows_every_header_button_and_no_more(qtbot, studio, tmp_path):
    window = studio.window()
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: studio.width() > 1400)
    row = studio.buttons
    qtbot.waitUntil(lambda: not row.folded)
    assert not row.more.isVisible()
    every = (studio.open_button, studio.paste_button, studio.load_button, studio.save_button,
             studio.code_button, studio.look_button, studio.export_button)
    qtbot.waitUntil(lambda: all(b.isVisible() and b.text() and text_fits(b) for b in every))
    # Narrowed step by step, the buttons fold in their order: the code first, Paste last.
    order = [studio.code_button, studio.save_button, studio.load_button, studio.paste_button]
    seen = []
    for width in range(1500, 700, -40):
        window.resize(width, 900)
        qtbot.waitUntil(lambda: window.width() == max(width, window.minimumWidth()))
        folded = set(row.folded)
        seen.append(folded)
        assert folded == set(order[:len(folded)]), [b.text() for b in row.folded]
    assert len(seen[-1]) >= 2 and not seen[0]


def test_the_three_columns_never_overlap_at_960x640(qtbot, studio, tmp_path):
    load(qtbot, studio, picture(tmp_path / "photo.png", 300, 200))
    editor, grid, details = studio.editor, studio.grid, studio.details
    columns = [rect_in(w, studio) for w in (editor, grid, details)]
    assert columns[0].right() < columns[1].left() and columns[1].right() < columns[2].left()
    assert columns[2].right() <= studio.width()
    # Each column keeps a width it can show its content in.
    assert editor.width() >= editor.minimumWidth() >= 360
    assert grid.width() >= 260 and details.width() >= 190
    # The pipeline's cards start below the preview's heading row, and none reaches into the
    # preview column.
    heading_bottom = max(rect_in(grid.status, studio).bottom(),
                         rect_in(grid.overlays, studio).bottom())
    cards = rect_in(editor.scroll, studio)
    assert cards.top() > heading_bottom
    assert cards.right() < columns[1].left()
    # The preview's controls wrap rather than run under each other: none overlaps another,
    # "Fixed seed" is whole beside the seed, and every control is inside the column.
    controls = [grid.count_box, grid.seed_box, grid.fixed_seed, grid.reroll]
    boxes = [rect_in(w, grid) for w in controls]
    for i, a in enumerate(boxes):
        assert grid.rect().contains(a), controls[i]
        for b in boxes[i + 1:]:
            assert not a.intersects(b)
    fixed = grid.fixed_seed
    assert fixed.width() >= fixed.sizeHint().width()
    # The samples are drawn, side by side, not on top of each other.
    tiles = [rect_in(t, grid) for t in grid.tiles]
    for i, a in enumerate(tiles):
        for b in tiles[i + 1:]:
            assert not a.intersects(b)


def test_the_empty_studio_fits_too(qtbot, studio):
    zone = studio.drop_zone
    assert zone.isVisible()
    assert studio.info.text() == "No picture yet" and not studio.info.elided
    assert rect_in(zone, studio).right() <= rect_in(studio.details, studio).left()
    for button in (zone.open_button, zone.paste_button):
        assert text_fits(button) and zone.rect().contains(rect_in(button, zone))


def test_a_tiny_picture_says_why_its_samples_look_broken(qtbot, studio, tmp_path):
    tiny = tmp_path / "dot.png"
    Image.fromarray(np.full((1, 1, 3), 200, np.uint8)).save(tiny)
    load(qtbot, studio, tiny)
    notice = studio.notice
    assert notice.isVisible()
    assert notice.message == ("This picture is 1 × 1 pixels: too small for most operations to "
                              "show anything.")
    # A cutout on it leaves the picture as it was, instead of erasing the only pixel.
    from cnnviz.core.augment import Pipeline, Step

    studio.editor.set_pipeline(Pipeline([Step("cutout", {"area": (0.02, 0.2)})]))
    qtbot.waitUntil(lambda: studio.frame is not None and studio.preview_settled()
                    and len(studio.frame.samples) == studio.grid.count, timeout=WAIT_MS)
    for sample in studio.frame.samples:
        assert (sample.image == 200).all()
    # A picture of a normal size takes the notice away; it stays away for the normal one.
    load(qtbot, studio, picture(tmp_path / "photo.png", 90, 60))
    assert studio.current.name == "photo.png"
    assert not notice.isVisible() and notice.message == ""
    # Back on the tiny one, the notice returns.
    studio.strip.current_changed.emit(studio.images[0].key)
    assert notice.isVisible() and "1 × 1 pixels" in notice.message


def test_a_row_too_narrow_for_its_menu_shows_icons_with_tooltips(qtbot):
    from PySide6.QtGui import QAction, QIcon, QPixmap
    from PySide6.QtWidgets import QPushButton

    from cnnviz.ui.augment.header_row import FittingButtonRow

    row = FittingButtonRow()
    qtbot.addWidget(row)
    square = QPixmap(16, 16)
    square.fill(Qt.GlobalColor.darkBlue)
    opener = QPushButton(QIcon(square), "Open pictures…")
    saver, keeper = QPushButton("Save pipeline…"), QPushButton("Export samples…")
    row.add(opener, QAction("Open Pictures…", row), compact=True)
    row.add(saver, QAction("Save Pipeline As…", row), rank=0)
    row.add_more()
    row.add(keeper)
    row.resize(row.sizeHint().width(), 40)
    row.show()
    qtbot.waitUntil(lambda: opener.isVisible() and saver.isVisible())
    assert not row.folded and opener.text() == "Open pictures…"
    # Narrower: Save leaves for the menu first; narrower still, Open keeps only its icon.
    row.resize(row.sizeHint().width() - 20, 40)
    qtbot.waitUntil(lambda: row.folded == [saver])
    assert opener.text() == "Open pictures…" and row.more.isVisible()
    row.resize(row.minimumSizeHint().width(), 40)
    qtbot.waitUntil(lambda: row.compacted)
    assert opener.text() == "" and opener.toolTip() == "Open pictures"
    assert keeper.text() == "Export samples…"
    # Wide again, everything comes back as it was.
    row.resize(row.sizeHint().width() + 50, 40)
    qtbot.waitUntil(lambda: not row.folded and not row.compacted)
    assert opener.text() == "Open pictures…" and saver.isVisible() and not row.more.isVisible()
