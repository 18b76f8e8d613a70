"""The small history plots at the window size most students have (1280x800): exported, their
title and legend lines are drawn whole (none cut at the picture's top edge) above a plot of a
readable shape, and the overview picture's legend asks for no hovering; on screen and off,
the held-out dots of the last epoch end are drawn whole."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from cnnviz.ui.train.series import RunSeries

WAIT_MS = 10_000
HISTORY_PICTURES = ("layers-over-time.png", "loss.png", "accuracy.png")


def _run() -> RunSeries:
    """Two models over 12 steps with held-out dots, one beyond the loss scale: every title
    gets three lines (the plot, the run, the legend), the loss plot's legend a long one."""
    run = RunSeries()
    run.total_steps = 12
    run.title = "Plain-20 vs ResNet-20 · Shapes"
    plain = run.add_model("plain20", "Plain-20", [f"l{i}" for i in range(4)])
    resnet = run.add_model("resnet20", "ResNet-20", [f"l{i}" for i in range(4)])
    for step in range(1, 13):
        for model, loss in ((plain, 2.4 - 0.02 * step), (resnet, 2.3 - 0.03 * step)):
            model.add_step(step, loss, 0.1 + 0.02 * step, np.linspace(0.05, 0.3, 4) * step)
    plain.add_epoch(6, 2.2, 0.2)
    plain.add_epoch(12, 3e10, 0.25)  # diverged: pinned, and the legend gets longer
    resnet.add_epoch(12, 1.9, 0.3)
    return run


def _shown(qtbot, train_ws) -> None:
    train_ws.view.set_run(_run())
    train_ws.view.mark_dirty()
    qtbot.waitUntil(lambda: not train_ws.view._pending, timeout=WAIT_MS)


def _ink_rows(path) -> np.ndarray:
    """For each pixel row of the PNG at ``path``: does it hold anything but background?"""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    assert not image.isNull()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), :3].astype(int)
    background = pixels[-1, -1]  # the bottom-right corner is below the x axis's labels
    return (np.abs(pixels - background).sum(axis=2) > 60).any(axis=1)


def test_exported_history_plots_keep_their_whole_title_at_1280x800(qtbot, train_ws, tmp_path):
    _shown(qtbot, train_ws)
    files = {path.name: path for path in train_ws.export("png", tmp_path)}
    for name in HISTORY_PICTURES:
        ink = _ink_rows(files[name])
        height = len(ink)
        # A blank margin above the title: a title cut at the top edge inks the first rows.
        assert not ink[:3].any(), f"{name}: the title touches the picture's top edge"
        # ... and the title is there, near the top, not pushed away or left out.
        first = int(np.argmax(ink))
        assert ink.any() and first < 0.1 * height, name
        # Wide titles widen the picture; its height follows, so the plot is no thin strip.
        width = QImage(str(files[name])).width()
        assert height >= 0.4 * width, (name, width, height)


def test_the_title_row_is_as_tall_as_its_lines_while_dressed_and_gone_after(qtbot, train_ws):
    _shown(qtbot, train_ws)
    history = train_ws.view.history
    plots = (history.layers, history.loss, history.accuracy)
    with history.dressed_for_export():
        for plot in plots:
            label = plot.getPlotItem().titleLabel
            text = label.itemRect()
            # Three lines of text, more than pyqtgraph's one-line row of 30 px.
            assert text.height() > 30
            assert label.geometry().height() >= text.height() - 1
            assert label.geometry().top() >= 0
    for plot in plots:
        item = plot.getPlotItem()
        assert not item.titleLabel.isVisible()
        assert item.layout.rowMaximumHeight(0) == 0  # no room kept for a hidden title


def test_the_last_epoch_ends_dots_are_drawn_whole(qtbot, train_ws):
    _shown(qtbot, train_ws)
    history = train_ws.view.history
    # The largest mark, the triangle of a held-out loss pinned to the edge.
    half = history.curves["plain20"]["val_loss_off"].opts["symbolSize"] / 2
    for plot, key in ((history.loss, "val_loss"), (history.accuracy, "val_accuracy")):
        curve = history.curves["resnet20"][key]
        steps, _values = curve.getOriginalDataset()
        assert steps[-1] == 12  # the last epoch ends at the run's last step
        box = plot.getPlotItem().vb
        low, high = box.viewRange()[0]
        room = (high - steps[-1]) * box.width() / (high - low)  # pixels right of the dot
        assert room >= half, (plot, room)


def test_the_overview_pictures_legend_asks_for_no_hovering(qtbot, train_ws, tmp_path, monkeypatch):
    _shown(qtbot, train_ws)
    history = train_ws.view.history
    from cnnviz.ui.train import plot_legend

    def said(text):  # the legend keeps each entry on one line with no-break spaces
        return text.replace(" ", "&nbsp;").replace("-", "\u2011")

    on_screen = history.scalar_legend.text()
    assert said(plot_legend.OFF_SCALE) in on_screen  # the pinned triangle, read by hovering
    legends = []
    grab = train_ws.view.plots_page.grab

    def spy(*args):
        legends.append(history.scalar_legend.text())
        return grab(*args)

    monkeypatch.setattr(train_ws.view.plots_page, "grab", spy)
    train_ws.export("png", tmp_path)
    assert len(legends) == 1
    assert said(plot_legend.OFF_SCALE_PICTURE) in legends[0]
    assert said(plot_legend.OFF_SCALE) not in legends[0]
    assert history.scalar_legend.text() == on_screen  # the screen's wording is back
