"""The studio says what it means: a disabled export (or Look inside) looks disabled and says
why, a long picture name gives way before its size, the export dialog offers a choice only
when there is one, and a crop's drawn position reads as a share of the spare room."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton

from cnnviz.core.augment import Step
from cnnviz.ui.augment.sample_details import drawn_params
from studio_pictures import picture

WAIT_MS = 30_000
LONG = "my_holiday_photo_at_the_beach_with_the_whole_family_summer_2026_final_version.jpg"


@pytest.fixture
def ws(make_shown):
    from cnnviz.ui.augment.workspace import AugmentWorkspace

    return make_shown(AugmentWorkspace, (1176, 740))  # what the window gives it at 1280x800


def open_pictures(qtbot, ws, *paths: Path) -> None:
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths(list(paths))
    qtbot.waitUntil(lambda: ws.frame is not None and ws.preview_settled(), timeout=WAIT_MS)


def middle_colour(button: QPushButton):
    image = button.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return image.pixelColor(6, image.height() // 2)  # inside the border, left of the text


def test_a_disabled_export_looks_disabled_and_says_why(qtbot, ws, tmp_path):
    from cnnviz.ui.theme import theme_manager

    pal = theme_manager().palette
    button = ws.export_button
    assert not button.isEnabled()
    assert button.toolTip() == "Open a picture first"
    off = middle_colour(button)
    assert off.name() != pal.accent.lower()  # not the enabled look
    open_pictures(qtbot, ws, picture(tmp_path / "photo.png"))
    assert button.isEnabled() and button.toolTip() != "Open a picture first"
    on = middle_colour(button)
    assert on.name() == pal.accent.lower()
    assert off.name() != on.name()


def test_look_inside_waits_for_a_picture_then_sends_it_with_the_pipeline(qtbot, ws, tmp_path):
    from PySide6.QtCore import Qt

    button = ws.look_button
    assert not button.isEnabled() and button.toolTip() == "Open a picture first"
    off = middle_colour(button)
    with qtbot.assertNotEmitted(ws.look_inside_requested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    open_pictures(qtbot, ws, picture(tmp_path / "photo.png", 50, 40))
    assert button.isEnabled() and "network chosen in Architectures" in button.toolTip()
    assert middle_colour(button).name() != off.name()  # it looked disabled, now it does not
    with qtbot.waitSignal(ws.look_inside_requested) as sent:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    image, name, pipeline = sent.args
    assert name == "photo.png" and image.shape == (40, 50, 3)
    assert [s.op for s in pipeline.steps] == [s.op for s in ws.pipeline.steps]
    assert pipeline is not ws.pipeline  # a snapshot: later edits do not reach Look inside


def test_the_primary_disabled_rule_is_in_the_app_wide_sheet(qtbot):
    from PySide6.QtWidgets import QApplication

    from cnnviz.ui.theme import theme_manager

    theme_manager().set_mode("light")
    sheet = QApplication.instance().styleSheet()
    assert 'QPushButton[primary="true"]:disabled' in sheet


def test_a_long_name_gives_way_and_the_size_stays(qtbot, ws, tmp_path):
    open_pictures(qtbot, ws, picture(tmp_path / LONG, 1200, 900), picture(tmp_path / "b.png"))
    qtbot.wait(20)
    assert ws.info.text() == LONG and ws.info.elided and LONG in ws.info.toolTip()
    size = ws.info_size
    assert size.isVisible() and "1200 × 900" in size.text() and "2 pictures" in size.text()
    assert size.width() >= size.sizeHint().width()  # the size is never cut
    assert size.geometry().right() <= size.parentWidget().width()


def test_the_export_dialog_offers_a_choice_only_with_several_pictures(qtbot, ws, tmp_path):
    open_pictures(qtbot, ws, picture(tmp_path / LONG))
    one = ws.export_samples_dialog()
    qtbot.addWidget(one)
    one.show()
    qtbot.waitExposed(one)
    assert one.one_picture.isVisible() and one.one_picture.text() == LONG
    assert not one.all_images.isVisible() and not one.only_current.isVisible()
    # A long name is shortened in its middle (whole in the tooltip), never cut at the edge.
    label = one.one_picture
    assert label.geometry().right() <= label.parentWidget().width()
    assert not label.elided or LONG in label.toolTip()
    one.close()
    open_pictures(qtbot, ws, picture(tmp_path / "b.png"))
    several = ws.export_samples_dialog()
    qtbot.addWidget(several)
    several.show()
    qtbot.waitExposed(several)
    assert several.all_images.isVisible()
    assert several.all_images.text().startswith("All 2 pictures")
    assert not several.one_picture.isVisible()


def test_a_crops_position_reads_as_a_share_of_the_spare_room():
    from cnnviz.core.augment import Pipeline
    from cnnviz.core.augment.pipeline import sample_rng

    image = np.zeros((40, 60, 3), np.uint8)
    pipeline = Pipeline([Step("random_crop")])
    sample = pipeline.sample(image, sample_rng(3, 0))
    rows = dict(drawn_params(sample.steps[0].info))
    assert "Pos x" not in rows and "Pos y" not in rows
    pos_x = sample.steps[0].info.params["pos_x"]
    assert rows["Place across"] == f"{pos_x:.0%} of the spare width"
    assert rows["Place down"].endswith("% of the spare height")
