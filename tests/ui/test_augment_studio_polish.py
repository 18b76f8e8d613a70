"""The studio as a student meets it: a new flip at 50 %, new steps in view, units that read
as units, a header that fits at 1280x800, overlays that do not bury a long pipeline, and an
export dialog that keeps its rows when the progress bar appears."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from cnnviz.core.augment import Pipeline, Step, list_ops
from cnnviz.core.augment.pipeline import sample_rng
from studio_pictures import picture

WAIT_MS = 30_000


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.augment.workspace import AugmentWorkspace

    return make_shown(AugmentWorkspace, (1176, 740))  # what the window gives it at 1280x800


def load(qtbot, ws, path: Path) -> None:
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths([path])
    settle(qtbot, ws)


def settle(qtbot, ws) -> None:
    qtbot.waitUntil(lambda: ws.frame is not None and ws.preview_settled(), timeout=WAIT_MS)


def pick(qtbot, editor, op: str) -> None:
    """Add ``op`` the way a user does: open "Add operation" and click its row."""
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    picker = editor.picker
    row = next(i for i in range(picker.list.count())
               if picker.list.item(i).data(Qt.ItemDataRole.UserRole) == op)
    with qtbot.waitSignal(editor.pipeline_changed):
        picker.list.itemClicked.emit(picker.list.item(row))


def in_view(editor, card) -> bool:
    viewport = editor.scroll.viewport()
    rect = QRect(card.mapTo(viewport, QPoint(0, 0)), card.size())
    return viewport.rect().intersected(rect).height() >= min(rect.height(), viewport.height())


# ------------------------------------------------------------------- new steps
def test_a_new_flip_starts_at_fifty_percent_and_exports_so(qtbot, ws, tmp_path):
    from cnnviz.cli import main as cli_main

    photo = picture(tmp_path / "photo.png")
    load(qtbot, ws, photo)
    ws.editor.set_pipeline(Pipeline())
    pick(qtbot, ws.editor, "hflip")
    pick(qtbot, ws.editor, "rotate")
    flip, rotate = ws.editor.cards
    assert flip.chance.value() == 50 and ws.pipeline.steps[0].probability == 0.5
    assert rotate.chance.value() == 100  # it draws a new angle each time already
    code = ws.torchvision_code()
    assert "v2.RandomHorizontalFlip(p=0.5)" in code and "RandomApply" not in code

    # The studio's preview, its export and `cnnviz augment` agree: about half mirrored.
    ws.editor.set_pipeline(Pipeline())
    pick(qtbot, ws.editor, "hflip")
    ws.grid.fixed_seed.setChecked(True)
    ws.grid.set_seed(3)
    ws.grid.set_count(8)
    settle(qtbot, ws)
    shown = [s.steps[0].applied for s in ws.frame.samples]
    assert 0 < sum(shown) < len(shown)
    saved = tmp_path / "flip.json"
    ws.save_pipeline(saved)
    assert Pipeline.load(saved).steps[0].probability == 0.5
    out = tmp_path / "cli"
    assert cli_main(["augment", str(photo), "-p", str(saved), "-n", "8", "-s", "3",
                     "-o", str(out)]) == 0
    original = np.asarray(Image.open(photo).convert("RGB"))
    mirrored = [np.array_equal(np.asarray(Image.open(out / f"photo_{i:03d}.png")), original[:, ::-1])
                for i in range(8)]
    assert mirrored == shown
    expected = Pipeline.load(saved).sample(original, sample_rng(3, 0, "photo.png")).image
    np.testing.assert_array_equal(np.asarray(Image.open(out / "photo_000.png")), expected)


def test_a_newly_added_step_is_scrolled_into_view(qtbot, ws, tmp_path):
    load(qtbot, ws, picture(tmp_path / "photo.png"))
    editor = ws.editor
    # A long pipeline; the step added last is the one the student wants to set up next.
    editor.set_pipeline(Pipeline([Step(spec.name) for spec in list_ops()[:-1]]))
    settle(qtbot, ws)
    pick(qtbot, editor, list_ops()[-1].name)
    settle(qtbot, ws)
    qtbot.wait(200)  # the new card's text wraps and the list grows over a few passes
    assert in_view(editor, editor.cards[-1])
    assert editor.scroll.verticalScrollBar().value() > 0  # it did have to scroll
    # A step moved to the end with its arrow button stays in view too.
    editor.scroll.verticalScrollBar().setValue(0)
    qtbot.mouseClick(editor.cards[-2].down, Qt.MouseButton.LeftButton)
    qtbot.wait(200)
    assert editor.pipeline.steps[-1].op == list_ops()[-2].name
    assert in_view(editor, editor.cards[-1])
    # Scrolling by hand is left alone.
    bar = editor.scroll.verticalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderToMinimum)
    editor.cards[0].set_folded(True)  # the range changes: nothing pulls the list back down
    qtbot.wait(50)
    assert bar.value() == 0


def test_a_factor_unit_reads_as_a_unit_not_a_remove_button(qtbot, ws):
    ws.editor.set_pipeline(Pipeline([Step("colour_jitter")]))
    card = ws.editor.cards[0]
    for name in ("brightness", "contrast", "saturation"):
        texts = [label.text() for label in card.controls[name].findChildren(QLabel)]
        assert "factor (×)" in texts, texts
        assert "×" not in texts and "✕" not in texts
    # The card's one remove button stays the only "✕" on it.
    buttons = [b for b in card.findChildren(QAbstractButton) if b.text() in ("×", "✕")]
    assert buttons == [card.remove]


# --------------------------------------------------------------------- header
def test_the_header_shows_the_picture_whole_beside_every_button_at_1280(qtbot, ws, tmp_path):
    assert ws.info.text() == "No picture yet"
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths([picture(tmp_path / "photo.jpg", 1200, 800), picture(tmp_path / "b.png")])
    assert ws.info.text() == "photo.jpg"
    assert ws.info_size.text() == "  ·  1200 × 800  ·  2 pictures"
    assert ws.width() <= 1280 - 100  # beside the window's sidebar
    assert not ws.info.elided
    for button in (ws.open_button, ws.paste_button, ws.load_button, ws.save_button,
                   ws.code_button, ws.look_button, ws.export_button):
        assert button.isVisible() and button.width() >= button.sizeHint().width(), button.text()


def test_toolbar_and_dialog_words_follow_the_style(qtbot, ws, tmp_path):
    buttons = [ws.open_button, ws.paste_button, ws.load_button, ws.save_button,
               ws.code_button, ws.look_button, ws.export_button]
    texts = [b.text() for b in buttons]
    assert texts == ["Open…", "Paste", "Load pipeline…", "Save pipeline…", "torchvision code…",
                     "Look inside", "Export samples…"]
    # Menu entries stay in Title Case; nothing a user reads carries "..." or backticks.
    menu = [a.text().replace("&", "") for a in ws.menu_actions()]
    assert "Export Samples…" in menu and "Load Pipeline…" in menu
    load(qtbot, ws, picture(tmp_path / "photo.png"))
    export = ws.export_samples_dialog()
    qtbot.addWidget(export)
    code = ws.show_code()
    qtbot.addWidget(code)
    shown = []
    for root in (ws, export, code):
        for widget in root.findChildren(QWidget):
            words = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
            if isinstance(widget, QLineEdit):
                words = widget.placeholderText()
            shown += [t for t in (words, widget.toolTip(), widget.windowTitle()) if t]
    assert shown and not [t for t in shown if "`" in t or "..." in t]
    assert code.copy_button.text() == "Copy to clipboard"
    assert "cnnviz augment command" in " ".join(shown)
    export.reject()
    code.reject()


# ------------------------------------------------------------------- overlays
def test_a_long_pipeline_draws_overlays_on_the_chosen_sample_only(qtbot, ws, tmp_path):
    from cnnviz.ui.augment.preview_grid import CROWDED_STEPS

    load(qtbot, ws, picture(tmp_path / "photo.png", 120, 90))
    grid = ws.grid
    few = [Step("elastic"), Step("cutout"), Step("rotate")]
    ws.editor.set_pipeline(Pipeline(few))
    settle(qtbot, ws)
    assert grid.overlays.text() == "Overlays" and all(t.show_overlay for t in grid.tiles)
    # One step at a time through the editor, as a student builds a pipeline.
    for op in ("shear", "gaussian_blur", "grid_distortion")[:CROWDED_STEPS - len(few)]:
        pick(qtbot, ws.editor, op)
    settle(qtbot, ws)
    assert grid.overlays.text() == "Overlays (chosen sample)"
    assert "chosen sample only" in grid.overlays.toolTip()

    def drawn():
        return [t.index for t in grid.tiles
                if t.picture() is not None and t.picture().shown(t.show_overlay) is
                t.picture().overlaid and t.picture().overlaid is not None]

    assert drawn() == [ws.details.index]
    qtbot.mouseClick(grid.tiles[2], Qt.MouseButton.LeftButton, pos=grid.tiles[2].rect().center())
    assert ws.details.index == 2 and drawn() == [2]
    grid.overlays.setChecked(False)
    assert drawn() == []
    grid.overlays.setChecked(True)
    # Switching a step off brings the overlays back on every sample.
    ws.editor.cards[-1].enable.click()
    assert grid.overlays.text() == "Overlays" and all(t.show_overlay for t in grid.tiles)


def test_warp_arrows_thin_out_on_small_tiles():
    from cnnviz.ui.augment.overlays import ARROWS_ALONG_LONG_SIDE, arrows_along, overlay_geometry
    from cnnviz.ui.augment.render import TileBox
    from cnnviz.ui.augment.tile_picture import compose_sample

    image = np.zeros((60, 90, 3), np.uint8)
    sample = Pipeline([Step("elastic")]).sample(image, sample_rng(1, 0))
    assert arrows_along(130) < ARROWS_ALONG_LONG_SIDE == arrows_along(400)
    columns = {}
    for side in (130, 400):
        geometry = overlay_geometry(sample, image.shape, arrows_along(side))
        columns[side] = len(np.unique(geometry.arrows[:, 2]))
        picture = compose_sample(sample, image.shape, TileBox(side, side, 1.0))
        assert picture.overlaid is not None
    assert columns[130] == arrows_along(130) and columns[400] == ARROWS_ALONG_LONG_SIDE
    # On screen, arrows on a small tile stay at least about a finger's width apart.
    assert 130 / columns[130] >= 24


# --------------------------------------------------------------------- export
def test_export_dialog_keeps_its_rows_when_writing_starts(qtbot, ws, tmp_path):
    load(qtbot, ws, picture(tmp_path / "photo.png"))
    dialog = ws.export_samples_dialog()
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    assert re.search(r"photo_000\.png, photo_001\.png", dialog.status.text())
    rows = (dialog.folder, dialog.only_current, dialog.all_images, dialog.count, dialog.format)
    before = [w.geometry() for w in rows]
    dialog.folder.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS):
        dialog.start()
    qtbot.waitUntil(lambda: not dialog.running)
    assert dialog.progress.isVisible() and dialog.progress.value() == dialog.progress.maximum()
    assert [w.geometry() for w in rows] == before  # nothing squeezed, nothing moved
    assert dialog.progress.height() >= dialog.progress.sizeHint().height()
    assert dialog.status.height() >= dialog.status.heightForWidth(dialog.status.width())
    # A long message (files that failed) makes the dialog taller rather than cut it.
    height = dialog.height()
    dialog.status.setText(" ".join(["Cannot write photo_000.png: the disk is full."] * 6))
    dialog.fit_height()
    assert dialog.height() > height
    assert dialog.status.height() >= dialog.status.heightForWidth(dialog.status.width())
    dialog.reject()
