"""The Look-inside panel's views on their own: mosaic colours, statistics strip, weights menu,
zooming, themes, and a download stopped by closing."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPointF, Qt

from cnnviz.core.probe import LayerStats, WeightsChoice, activation_stats, feature_grid
from cnnviz.core.probe.capture import ActivationSet

WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def app():
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager

    application = make_application()
    theme_manager().apply()
    return application


def test_mosaic_gaps_take_the_background_and_cells_keep_their_colours():
    from cnnviz.ui.probe.grid_view import _lut, paint_gaps

    act = torch.rand(7, 5, 4)
    grid = feature_grid(act, pad=2)
    lut = _lut()
    rgb = paint_gaps(np.take(lut, grid.image, axis=0), grid, (1, 2, 3))
    h, w = grid.cell
    assert grid.cols == 3 and rgb.shape == (3 * 5 + 2 * 2, 3 * 4 + 2 * 2, 3)
    assert (rgb[5:7] == (1, 2, 3)).all() and (rgb[:, 4:6] == (1, 2, 3)).all()
    assert (rgb[14:, 6:] == (1, 2, 3)).all()  # the two empty cells after channel 6
    cell = grid.image[7:12, 12:16]  # channel 5: row 1, column 2
    assert np.array_equal(rgb[7:12, 12:16], lut[cell])


def test_grid_view_hover_zoom_and_fit(qtbot):
    from cnnviz.ui.probe.grid_view import FeatureGridView

    view = FeatureGridView()
    view.resize(500, 400)
    qtbot.addWidget(view)
    view.show()
    act = torch.zeros(4, 6, 6)
    act[1, 2, 3] = 5.0
    view.show_layer("conv", act)
    fitted = view.scale_factor
    view.zoom_in()
    assert view.scale_factor > fitted
    view.zoom_out()
    view.zoom_out()
    assert view.scale_factor < fitted
    view.fit()
    assert view.scale_factor == pytest.approx(fitted)
    x, y = view.pixel_of(1, 2, 3)
    pos = view.mapFromScene(view.item.mapToScene(QPointF(x, y)))
    qtbot.mouseMove(view.viewport(), pos)
    qtbot.waitUntil(lambda: view.hover_text != "", timeout=5000)
    assert view.hover_text.startswith("channel 1 · unit (2, 3) · 5")
    x, y = view.pixel_of(0, 0, 0)
    view.hovered.emit(x, y)
    assert "dead: zero everywhere" in view.hover_text


def stats_row(name, **kw):
    values = dict(mean=0.1, std=0.2, zero_fraction=0.0, dead_channels=0, channels=8,
                  saturated_fraction=0.0)
    values.update(kw)
    return LayerStats(name=name, **values)


def test_stats_strip_shows_each_layers_numbers_and_selects_by_click(qtbot):
    from cnnviz.ui.probe.stats_strip import LayerStatsStrip, mean_ticks
    from cnnviz.ui.theme import theme_manager

    strip = LayerStatsStrip(theme_manager().palette)
    strip.resize(700, 220)
    qtbot.addWidget(strip)
    strip.show()
    rows = [stats_row("conv1", mean=0.5), stats_row("relu1", zero_fraction=0.6, dead_channels=2),
            stats_row("tanh2", mean=-0.2, saturated_fraction=0.4)]
    strip.set_stats(rows)
    assert list(strip.bars["zero"].opts["height"]) == [0.0, 0.6, 0.0]
    assert list(strip.bars["dead"].opts["height"]) == [0.0, 0.25, 0.0]
    assert list(strip.bars["saturated"].opts["height"]) == [0.0, 0.0, 0.4]
    assert list(strip.mean_bars.opts["height"]) == [0.5, 0.1, -0.2]
    assert strip.hint.text() == "3 layers · 1 with dead channels"
    assert [text for _v, text in mean_ticks(strip.values["mean"])] == ["-0.2", "0", "0.5"]
    # -0.019 would print on top of the 0: only zero and the top are labelled.
    assert [text for _v, text in mean_ticks(np.array([0.31, -0.0187]))] == ["0", "0.31"]
    strip.select("relu1")
    assert strip.highlights[0].getRegion() == (0.5, 1.5) and strip.highlights[0].isVisible()
    picked = []
    strip.layer_clicked.connect(picked.append)
    plot = strip.share_plot
    vb = plot.getPlotItem().vb
    pos = plot.mapFromScene(vb.mapViewToScene(QPointF(2.0, 0.2)))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert picked == ["tanh2"]
    assert "saturated 40%" in strip.describe(2)


def test_relu_zeros_are_not_counted_as_saturation():
    relu = torch.relu(torch.linspace(-1, 0.9, 200)).reshape(2, 10, 10)  # within [0, 1]
    squashed = torch.sigmoid(torch.linspace(-9, 9, 200)).reshape(2, 10, 10)
    acts = ActivationSet({"relu": [relu], "sigmoid": [squashed]}, ["relu", "sigmoid"])
    stats = {s.name: s for s in activation_stats(acts)}
    assert stats["relu"].zero_fraction > 0.5 and stats["relu"].saturated_fraction == 0.0
    assert stats["sigmoid"].saturated_fraction > 0.3


def test_weights_menu_offers_what_exists_and_reverts(qtbot):
    from cnnviz.ui.probe.weights_bar import WeightsBar

    bar = WeightsBar()
    qtbot.addWidget(bar)
    published = WeightsChoice("resnet18", "IMAGENET1K_V1", "https://x/resnet18-f37072fd.pth",
                              ("tench",), 69.758, 44.661)
    bar.set_offers(published, lab=None, current="random", current_label="Random weights")
    entries = [bar.combo.itemData(i) for i in range(bar.combo.count())]
    assert entries == ["random", "imagenet", "file"]
    assert "69.8% top-1" in bar.combo.itemText(1) and "45 MB" in bar.combo.itemText(1)
    chosen = []
    bar.chosen.connect(chosen.append)
    bar.choose("imagenet")
    assert chosen == ["imagenet"]
    bar.revert()
    assert bar.combo.currentData() == "random"
    bar.set_offers(None, lab="Trained in the lab: plain20, step 400", current="file",
                   current_label="Weights from my.pth")
    assert [bar.combo.itemData(i) for i in range(bar.combo.count())] == [
        "random", "lab", "current", "file"]
    assert bar.combo.itemText(1) == "Trained in the lab: plain20, step 400"
    assert bar.combo.currentText() == "Weights from my.pth"
    assert "Weights from my.pth" in bar.combo.toolTip()
    bar.show_progress((5_000_000, 20_000_000), "resnet18.pth")
    assert bar.progress.value() == 250 and "5.0 MB of 20.0 MB" in bar.progress_label.text()


class _EndlessDownload:
    """A response that never ends, one small chunk at a time."""

    headers = {"Content-Length": str(1 << 30)}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self, _n):
        time.sleep(0.01)
        return b"\0" * 1024


def test_closing_stops_a_download_and_leaves_nothing(qtbot, tmp_path, monkeypatch):
    from cnnviz.ui.probe.worker import ProbeWorker

    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: _EndlessDownload())
    worker = ProbeWorker()
    progress, outcome = [], []
    worker.download_progress.connect(lambda d, t: progress.append(d))
    cache = tmp_path / "cache"
    worker.download("https://example.invalid/big-0000.pth", cache, on_done=outcome.append,
                    on_error=lambda exc, tb: outcome.append(exc))
    qtbot.waitUntil(lambda: len(progress) >= 1, timeout=WAIT_MS)
    worker.shutdown()
    assert not worker.busy
    assert list(cache.iterdir()) == []
    assert outcome == []  # a closed panel gets no callbacks


def test_theme_switch_recolours_the_plots(qtbot):
    from cnnviz.ui.probe import LookInsidePanel
    from cnnviz.ui.theme import DARK, LIGHT, theme_manager

    panel = LookInsidePanel()
    qtbot.addWidget(panel)
    try:
        theme_manager().set_mode("dark")
        brush = panel.stats_strip.share_plot.backgroundBrush().color().name()
        assert brush == DARK.surface
        assert panel.grid_view.backgroundBrush().color().name() == DARK.canvas
        theme_manager().set_mode("light")
        assert panel.stats_strip.share_plot.backgroundBrush().color().name() == LIGHT.surface
    finally:
        panel.shutdown()


def test_unreadable_bytes_are_not_taken_for_an_image(qtbot, tmp_path):
    from cnnviz.ui.probe import LookInsidePanel

    panel = LookInsidePanel()
    qtbot.addWidget(panel)
    try:
        notes = tmp_path / "notes.txt"
        notes.write_text("hello")
        panel.open_paths([notes])
        assert "notes.txt is not a picture" in panel.banner.message
        bad = tmp_path / "steps.json"
        bad.write_text("{ not json")
        panel.open_paths([bad])
        assert "steps.json" in panel.banner.message
        assert panel.pipeline_source == "default"
    finally:
        panel.shutdown()
