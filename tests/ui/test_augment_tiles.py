"""Preview tiles drawn from prepared pictures: what the render worker makes ready to draw
(:mod:`cnnviz.ui.augment.tile_picture`), the cached arrow layers and card, and tiles that
paint the same pixels whether the picture came from the worker or was made by the tile."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from cnnviz.core.augment import Pipeline, Step
from cnnviz.core.augment.pipeline import sample_rng
from cnnviz.ui.augment.overlays import overlay_geometry, paint_overlay
from cnnviz.ui.augment.render import PreviewJob, TileBox, render_preview
from cnnviz.ui.augment.tile_picture import (
    OVERLAY_COLOUR,
    ArrowLayers,
    compose,
    compose_sample,
    fitted_size,
    render_for_tiles,
)

WARP = Pipeline([Step("rotate", {"angle": (-10.0, 10.0)}),
                 Step("elastic", {"magnitude": (5.0, 5.0)})])


def picture(width: int = 80, height: int = 60) -> np.ndarray:
    """Dark and bluish, so the yellow overlay strokes are easy to find."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x % 90, y % 90, 100 + (x * y) % 150], axis=-1).astype(np.uint8)


def pixels(image: QImage) -> np.ndarray:
    """An image's pixels as (h, w, 4) BGRA bytes (RGB32 and ARGB32 layouts)."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    raw = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    return raw.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()].copy()


def yellow(rgba: np.ndarray) -> np.ndarray:
    return (rgba[..., 2] > 200) & (rgba[..., 1] > 170) & (rgba[..., 0] < 120)


# ------------------------------------------------------------- prepared pictures
def test_compose_fits_the_picture_into_the_box_in_device_pixels(qapp):
    box = TileBox(200, 200, 2.0)
    picture_ = compose(picture(80, 60), box)
    assert fitted_size(box, (60, 80, 3)) == (200, 150)
    assert (picture_.image.width(), picture_.image.height()) == (200, 150)
    assert picture_.image.devicePixelRatio() == 2.0
    assert picture_.logical_size == (100.0, 75.0)
    assert picture_.image.format() == QImage.Format.Format_RGB32  # drawn without conversion
    assert picture_.overlaid is None  # no geometry, nothing to draw over it


def test_compose_at_the_array_size_keeps_the_pixels_and_owns_them(qapp):
    array = picture(80, 60)
    picture_ = compose(array, TileBox(80, 60))
    array[:] = 0  # the picture must not borrow the array's memory
    got = pixels(picture_.image)
    np.testing.assert_array_equal(got[..., 2::-1][..., :3], picture(80, 60))


def test_compose_sample_draws_the_overlay_only_on_the_overlaid_copy(qapp):
    sample = WARP.sample(picture(), sample_rng(5, 0))
    made = compose_sample(sample, (60, 80, 3), TileBox(240, 180))
    plain, over = pixels(made.shown(False)), pixels(made.shown(True))
    assert made.overlaid is not None and made.shown(False) is made.image
    assert yellow(over).sum() > 50 and yellow(plain).sum() < yellow(over).sum() / 10
    # Only the strokes differ: most of the picture is untouched.
    assert (np.abs(over.astype(int) - plain).max(axis=-1) == 0).mean() > 0.5


def test_render_for_tiles_prepares_one_picture_per_sample_in_the_box(qapp):
    box = TileBox(160, 120)
    job = PreviewJob(3, "key", picture(), WARP, 4, 11, 80, True, box)
    frame = render_for_tiles(job)
    assert len(frame.pictures) == len(frame.samples) == 4
    for sample, made in zip(frame.samples, frame.pictures):
        assert made.box == box and made.overlaid is not None
        alone = compose_sample(sample, frame.base.shape, box)
        np.testing.assert_array_equal(pixels(made.overlaid), pixels(alone.overlaid))
    assert render_for_tiles(PreviewJob(3, "key", picture(), WARP, 2, 11, 80)).pictures == ()


def test_render_preview_draws_the_pipelines_samples_one_by_one(qapp):
    image = picture()
    frame = render_preview(PreviewJob(1, None, image, WARP, 6, 21, 80, fused=False))
    want = WARP.samples(image, 6, 21)
    for got, expected in zip(frame.samples, want):
        np.testing.assert_array_equal(got.image, expected.image)


# ----------------------------------------------------------------- arrow layers
def test_arrow_layer_is_reused_for_the_same_field_and_redone_for_another(qapp):
    layers = ArrowLayers()
    arrows = np.array([[10.0, 10.0, 30.0, 20.0], [40.0, 30.0, 42.0, 50.0]])
    first = layers.get(arrows, (160, 120), 1.0, (60, 80, 3))
    again = layers.get(arrows.copy(), (160, 120), 1.0, (60, 80, 3))
    assert again is first and layers.misses == 1
    moved = arrows + [0.0, 0.0, 5.0, 0.0]
    other = layers.get(moved, (160, 120), 1.0, (60, 80, 3))
    bigger = layers.get(arrows, (320, 240), 1.0, (60, 80, 3))
    assert layers.misses == 3 and other is not first and bigger is not first
    assert not np.array_equal(pixels(other), pixels(first))


def test_arrow_layers_stay_within_their_memory_budget(qapp):
    layers = ArrowLayers(max_bytes=3 * 100 * 100 * 4)
    for shift in range(6):
        layers.get(np.array([[5.0 + shift, 5.0, 50.0, 50.0]]), (100, 100), 1.0, (60, 80, 3))
    assert len(layers._layers) == 3 and layers.misses == 6


def test_cached_arrows_look_like_arrows_drawn_directly(qapp):
    sample = WARP.sample(picture(), sample_rng(8, 1))
    geometry = overlay_geometry(sample, (60, 80, 3))
    made = compose(sample.image, TileBox(160, 120), geometry)
    direct = made.image.copy()
    painter = QPainter(direct)
    paint_overlay(painter, geometry, QRectF(0, 0, 160, 120), sample.image.shape, OVERLAY_COLOUR)
    painter.end()
    difference = np.abs(pixels(made.overlaid).astype(int) - pixels(direct).astype(int))
    assert difference.max() <= 3  # blending a layer rounds a little differently


# ------------------------------------------------------------------------ tiles
@pytest.fixture
def tile(qtbot):
    from cnnviz.ui.augment.image_tile import ImageTile

    widget = ImageTile(0, "#1")
    qtbot.addWidget(widget)
    widget.resize(220, 190)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_tile_paints_the_same_pixels_from_a_prepared_picture_as_without(qtbot, tile):
    sample = WARP.sample(picture(), sample_rng(2, 0))
    tile.set_image(sample.image, sample, (60, 80, 3))
    own = tile.grab().toImage()
    assert tile.composed == 1
    prepared = compose_sample(sample, (60, 80, 3), tile.box())
    tile.set_image(sample.image, sample, (60, 80, 3), prepared)
    from_worker = tile.grab().toImage()
    assert tile.picture() is prepared and tile.composed == 1  # nothing made on the GUI thread
    np.testing.assert_array_equal(pixels(from_worker), pixels(own))
    assert yellow(pixels(own)).sum() > 50  # the overlay is drawn


def test_overlays_toggle_and_a_new_sample_replaces_the_picture(qtbot, tile):
    first = WARP.sample(picture(), sample_rng(2, 0))
    tile.set_image(first.image, first, (60, 80, 3))
    with_overlay = pixels(tile.grab().toImage())
    tile.show_overlay = False
    without = pixels(tile.grab().toImage())
    assert yellow(without).sum() < yellow(with_overlay).sum() / 10
    second = WARP.sample(picture(), sample_rng(2, 1))
    tile.set_image(second.image, second, (60, 80, 3))
    assert not np.array_equal(pixels(tile.grab().toImage()), without)
    assert tile.composed == 2


def test_a_prepared_picture_for_another_size_is_not_stretched(qtbot, tile):
    sample = WARP.sample(picture(), sample_rng(4, 0))
    small = compose_sample(sample, (60, 80, 3), TileBox(60, 45, tile.devicePixelRatioF()))
    tile.set_image(sample.image, sample, (60, 80, 3), small)
    made = tile.picture()
    assert made is not small and tile.composed == 1
    assert (made.image.width(), made.image.height()) == fitted_size(tile.box(), (60, 80, 3))
    tile.resize(300, 260)
    assert tile.picture().box == tile.box() and tile.composed == 2


def test_the_card_is_kept_between_paints_and_redone_when_selected(qtbot, tile):
    tile.set_image(picture())
    tile.grab()
    card = tile._card
    tile.grab()
    assert tile._card is card
    before = pixels(tile.grab().toImage())
    tile.selected = True
    after = pixels(tile.grab().toImage())
    assert tile._card is not card and not np.array_equal(before, after)
    # The picture sits inside the card, centred, on whole pixels.
    rect = tile.image_rect()
    assert rect.x() == int(rect.x()) and QRectF(tile.rect()).contains(rect)


def test_the_tile_is_opaque_and_clicks_report_its_index(qtbot, tile):
    sample = WARP.sample(picture(), sample_rng(2, 0))
    tile.set_image(sample.image, sample, (60, 80, 3))
    assert tile.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    corner = pixels(tile.grab().toImage())[0, 0]
    from cnnviz.ui.theme import theme_manager

    window = QColor(theme_manager().palette.window)
    assert tuple(corner[:3]) == (window.blue(), window.green(), window.red())
    with qtbot.waitSignal(tile.clicked) as blocker:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=tile.rect().center())
    assert blocker.args == [0]


def test_a_drag_redraws_the_same_elastic_field_without_recomputing_it(qapp):
    from cnnviz.core.augment.warp import elastic_field

    first = elastic_field((60, 80, 3), 5.0, 8.0, 1234)
    again = elastic_field((60, 80, 3), 5.0, 8.0, 1234)
    other = elastic_field((60, 80, 3), 5.0, 8.0, 1235)
    assert again is first and not first.flags.writeable  # shared, so nobody may change it
    assert other is not first and not np.array_equal(other, first)
    with pytest.raises(ValueError):
        first[0, 0, 0] = 1.0
