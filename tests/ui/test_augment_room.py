"""The studio on laptop screens: the empty studio's hint shows whole, and on a short window
the samples get the room (no strip for one picture, a compact strip for several, the
original no larger than a sample, a narrower details column)."""

from __future__ import annotations

import pytest

from studio_pictures import picture

WAIT_MS = 30_000


def studio_in(qtbot, window, width: int, height: int):
    window.resize(width, height)
    studio = window.show_workspace("augment")
    qtbot.waitUntil(lambda: studio.width() > 0 and studio.isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)  # let the layouts settle at the new size
    return studio


def load(qtbot, studio, paths):
    with qtbot.waitSignal(studio.images_loaded, timeout=WAIT_MS):
        studio.open_paths(paths)
    qtbot.waitUntil(lambda: studio.frame is not None and studio.preview_settled(),
                    timeout=WAIT_MS)
    qtbot.wait(50)


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720), (960, 640), (1920, 1080)])
def test_the_empty_studios_hint_shows_every_line(qtbot, window, size):
    studio = studio_in(qtbot, window, *size)
    hint = studio.drop_zone.hint
    assert hint.isVisible()
    assert hint.height() >= hint.heightForWidth(hint.width())
    assert hint.width() <= 460
    # Two lines at the least: the hint wraps rather than running off the zone.
    assert hint.height() >= 2 * hint.fontMetrics().lineSpacing()


def test_one_picture_on_a_short_window_gives_the_samples_the_room(qtbot, window, tmp_path):
    studio = studio_in(qtbot, window, 1280, 720)
    load(qtbot, studio, [picture(tmp_path / "photo.png", 640, 480)])
    grid = studio.grid
    assert not studio.strip.isVisible()  # the header names the one picture
    assert "photo.png" in studio.info.text()
    # The original is one cell of the grid, the size of a sample, not a column of its own.
    for a, b in ((grid.original.width(), grid.tiles[0].width()),
                 (grid.original.height(), grid.tiles[0].height())):
        assert abs(a - b) <= 1  # the grid splits odd pixels between its columns
    assert grid.original.geometry().top() == grid.tiles[0].geometry().top()
    assert studio.details.width() <= 290
    sample = grid.tiles[0].image_rect()
    assert sample.width() >= 135 and sample.height() >= 100  # it was 114 x 86


def test_several_pictures_on_a_short_window_share_a_compact_strip(qtbot, window, tmp_path):
    studio = studio_in(qtbot, window, 1280, 720)
    paths = [picture(tmp_path / f"photo{i}.png", 640, 480) for i in range(3)]
    load(qtbot, studio, paths)
    strip = studio.strip
    assert strip.isVisible() and strip.compact
    assert strip.height() < 80
    assert [strip.item(i).text() for i in range(3)] == ["", "", ""]
    assert all(f"photo{i}.png" in strip.item(i).toolTip() for i in range(3))

    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: not strip.compact, timeout=WAIT_MS)
    assert [strip.item(i).text() for i in range(3)] == ["photo0.png", "photo1.png", "photo2.png"]
    assert strip.height() > 100
