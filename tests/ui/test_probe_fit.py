"""Look inside on a teacher's 150 % screen: the caption never lies over the picture, the
feature maps fill the canvas they are given, and the status line names networks as people
write them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnviz.core.zoo import resolve
from cnnviz.ui.probe.grid_view import best_columns
from probe_panels import panel  # noqa: F401 - the fixture, used by name

WAIT_MS = 60_000
LONG_NAME = "my_holiday_photo_at_the_beach_2026.jpg"


def photo() -> np.ndarray:
    y, x = np.mgrid[0:90, 0:120]
    return np.stack([x * 2, y * 2, (x + y) % 256], axis=2).astype(np.uint8)


def show_lab_model(qtbot, panel, size, said=None):
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    torch.manual_seed(0)
    panel.set_model(resolve("plain20").build(), "plain20",
                    label="Plain-20 (CIFAR), step 12 of run 2026-11-28_0612",
                    class_names=[f"shape {i}" for i in range(10)], image_size=32, channels=3)
    panel.set_image(photo(), LONG_NAME)
    qtbot.waitUntil(lambda: panel.probe is not None and not panel.worker.busy, timeout=WAIT_MS)
    qtbot.wait(30)


def test_best_columns_follow_the_shape_of_the_canvas():
    assert best_columns(16, (32, 32), 2, (700, 250)) == 8  # wide: two rows of eight
    assert best_columns(16, (32, 32), 2, (250, 700)) == 2  # tall: eight rows of two
    assert best_columns(16, (32, 32), 2, (400, 400)) == 4
    assert best_columns(1, (32, 32), 2, (700, 250)) == 1
    # Never a column more that only leaves the last row emptier (7 maps: 4 + 3, not 5 + 2).
    assert best_columns(7, (10, 10), 1, (1000, 250)) in (4, 7)


@pytest.mark.parametrize("size", [(1280, 540), (900, 650)])  # 1920x1080 at 150 %; 1280x800
def test_the_caption_keeps_below_the_picture_when_the_panel_is_short(qtbot, panel, size):
    show_lab_model(qtbot, panel, size)
    view, caption = panel.input_view, panel.seen.caption
    assert LONG_NAME in caption.text()
    # The caption is as tall as its wrapped lines need, and starts under the picture.
    assert caption.height() >= caption.heightForWidth(caption.width())
    assert caption.geometry().top() > view.geometry().bottom()
    assert view.picture_rect().bottom() <= view.height()


def test_the_maps_fill_a_wide_canvas_when_they_first_appear(qtbot, panel):
    show_lab_model(qtbot, panel, (1280, 640))
    grid = panel.grid_view
    assert grid.layer == "conv1" and grid.act.shape[0] == 16
    room = grid.viewport().size()
    assert grid.grid.cols == best_columns(16, (32, 32), grid.grid.pad,
                                          (room.width(), room.height()))
    assert grid.grid.cols > 4  # the canvas is wide: more than the square 4 x 4
    shown = grid.mapFromScene(grid.item.sceneBoundingRect()).boundingRect()
    # Fitted: the mosaic spans the canvas's full height or its full width.
    assert shown.height() >= 0.9 * room.height() or shown.width() >= 0.9 * room.width()
    # A click still finds the unit under it in the new layout.
    grid.click_pixel(*grid.pixel_of(9, 3, 4))
    assert grid.unit == (9, 3, 4)
    # Made taller, the mosaic is laid out again with the clicked unit kept.
    panel.resize(1280, 1000)
    qtbot.waitUntil(lambda: grid.grid.cols == best_columns(
        16, (32, 32), grid.grid.pad, (grid.viewport().width(), grid.viewport().height())))
    assert grid.unit == (9, 3, 4)


def test_the_status_line_names_the_network_and_the_run_as_written(qtbot, panel):
    said = []
    panel.status_message.connect(said.append)
    show_lab_model(qtbot, panel, (900, 650))
    ready = [s for s in said if "ready with" in s]
    assert ready, said
    assert ready[-1] == (f"{resolve('plain20').display_name} ready with weights trained in the lab: "
                         "Plain-20 (CIFAR), step 12 of run 2026-11-28_0612.")
    assert "plain-20" not in " ".join(said) and "plain20" not in " ".join(said)


def test_resnet_layer_names_lose_the_word_layer_first_in_a_narrow_list(qtbot, panel):
    from tests.ui.test_probe_layer_names import shown_names

    show_lab_model(qtbot, panel, (900, 650))
    names = panel.layer_list
    fm = names.fontMetrics()
    # Widened step by step from its narrowest: on the way, a width too narrow for
    # "layer3.2.conv2" (as at 150 % beside the explorer) shows it as "…3.2.conv2".
    need = fm.horizontalAdvance("layer3.2.conv2")
    seen = set()
    for side in range(150, 400, 3):
        panel.maps.setSizes([side, 900 - side])
        qtbot.wait(5)
        full = [names.topLevelItem(i).text(0) for i in range(names.topLevelItemCount())]
        shown = dict(zip(full, shown_names(names)))
        seen.add(shown["layer3.2.conv2"])
        if shown["layer3.2.conv2"] == "…3.2.conv2":
            break
    assert shown["layer3.2.conv2"] == "…3.2.conv2", seen
    width = names.header().sectionSize(0)
    assert width < need + 8
    for name, text in shown.items():
        assert fm.horizontalAdvance(text) <= width, text
        if name.startswith("layer"):  # every row alike: the stage number stays, "layer" goes
            assert text.startswith("…" + name[5]), (name, text)
        else:
            assert text == name
    assert len(set(shown.values())) == len(shown)


def drawn_cell_height(grid) -> float:
    """How tall one feature map is drawn on screen, in pixels."""
    return grid.grid.cell[0] * grid.scale_factor


@pytest.mark.parametrize("size, least_share, least_px", [
    ((1280, 720), 0.6, 80),  # the panel alone at 1280x720
    ((1280, 480), 0.4, 48),  # beside the explorer's header in a 1280x720 window (150 %)
])
def test_the_feature_maps_get_most_of_the_page_and_fit_it(qtbot, panel, size, least_share,
                                                          least_px):
    show_lab_model(qtbot, panel, size)
    grid, page = panel.grid_view, panel.maps.split
    assert grid.layer == "conv1" and grid.act.shape[0] == 16
    # The maps are the centrepiece: their viewport takes the stated share of the height the
    # page gives maps and statistics together, and more than the statistics strip.
    room = grid.viewport().height()
    assert room >= least_share * panel.maps.height()
    assert room > panel.stats_strip.height()
    # Fitted when they first appear, each map tall enough for a class to see from the back.
    assert drawn_cell_height(grid) >= least_px
    shown = grid.mapFromScene(grid.item.sceneBoundingRect()).boundingRect()
    # (the scene's 2 % margin and the fit's own border take a few pixels of a short view)
    assert shown.height() >= 0.8 * room or shown.width() >= 0.8 * grid.viewport().width()
    assert page.sizes()[0] > page.sizes()[1]
    legend_stays_whole(panel.stats_strip)


def legend_stays_whole(strip) -> None:
    """The statistics keep their legend whole and above their plots, which stay readable."""
    legend = strip.legend
    assert legend.height() >= legend.heightForWidth(legend.width())
    assert legend.geometry().bottom() < strip.mean_plot.geometry().top()
    assert strip.share_plot.height() >= 40 and strip.mean_plot.height() >= 40


def test_in_the_smallest_window_the_wrapped_legend_stays_above_the_plots(qtbot, panel):
    show_lab_model(qtbot, panel, (856, 460))  # Look inside in a 960x640 window
    strip = panel.stats_strip
    assert strip.legend.heightForWidth(strip.legend.width()) > 2 * strip.hint.height()  # wrapped
    legend_stays_whole(strip)
    assert panel.grid_view.viewport().height() >= 60


def test_a_dragged_split_between_maps_and_statistics_is_kept(qtbot, panel):
    from PySide6.QtCore import QPoint, Qt

    show_lab_model(qtbot, panel, (1280, 720))
    split = panel.maps.split
    before = split.sizes()
    handle = split.handle(1)
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(0, -80))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(0, -80))
    dragged = split.sizes()
    assert split.user_sized and dragged[1] > before[1] + 40
    # The window grows: the statistics keep what the user gave them, the maps take the rest.
    panel.resize(1280, 820)
    qtbot.waitUntil(lambda: sum(split.sizes()) > sum(dragged) + 50)
    assert split.sizes()[1] == dragged[1]


def test_a_picture_of_one_pixel_says_why_its_maps_are_flat(qtbot, panel):
    show_lab_model(qtbot, panel, (1280, 720))
    caption = panel.seen.caption
    assert "pixels" not in caption.text()  # a 120x90 photo needs no word
    panel.set_image(np.full((1, 1, 3), 250, np.uint8), "one_pixel.png")
    qtbot.waitUntil(lambda: panel.probe is not None and panel.probe.image.shape[:2] == (1, 1)
                    and not panel.worker.busy, timeout=WAIT_MS)
    assert caption.text().startswith("one_pixel.png: ")
    assert caption.text().endswith(" This picture is 1 × 1 pixels: too small for the maps to "
                                   "show any shape.")
    # The whole sentence stays on screen, under the picture.
    assert caption.height() >= caption.heightForWidth(caption.width())
