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
