"""The loss plot's scale follows the training curves: a held-out loss far beyond them is pinned
to the edge as a triangle whose value the hover reads; a legend names the models and the dots,
on screen and in the exported pictures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QImage

from cnnviz.ui.train.series import RunSeries

WAIT_MS = 10_000


def _diverged_run() -> RunSeries:
    """Two models over 12 steps, training loss about 2; at the epoch end (step 12) one
    held-out loss is 3e10 (a batch-norm network after a few steps), the other 1.8."""
    run = RunSeries()
    run.total_steps = 12
    run.title = "Plain-56 vs ResNet-56 · Shapes"
    plain = run.add_model("plain56", "Plain-56", [f"l{i}" for i in range(4)])
    resnet = run.add_model("resnet56", "ResNet-56", [f"l{i}" for i in range(4)])
    for step in range(1, 13):
        for model, loss in ((plain, 2.4 - 0.02 * step), (resnet, 2.3 - 0.03 * step)):
            model.add_step(step, loss, 0.1, np.full(4, 0.1))
    plain.add_epoch(6, 2.2, 0.12)
    plain.add_epoch(12, 3e10, 0.1)
    resnet.add_epoch(12, 1.8, 0.3)
    return run


def _drawn(qtbot, plot_view):
    plot_view.mark_dirty()
    qtbot.waitUntil(lambda: not plot_view._pending, timeout=WAIT_MS)


def test_a_diverged_held_out_loss_is_pinned_to_the_edge_and_read_by_hover(qtbot, plot_view):
    run = _diverged_run()
    plot_view.set_run(run)
    _drawn(qtbot, plot_view)
    history = plot_view.history
    low, high = history.loss_range()
    # The axis is the training curves' (about 1.9..2.4), not stretched to 3e10.
    assert 1.0 <= low < 1.9 and 2.4 < high < 10.0
    plain = history.curves["plain56"]
    x, y = plain["val_loss"].getOriginalDataset()
    assert list(x) == [6] and np.allclose(y, [2.2])  # inside the range: a dot where it is
    x, y = plain["val_loss_off"].getOriginalDataset()
    assert list(x) == [12] and low < y[0] <= high  # beyond it: at the top edge
    assert list(plain["val_loss_off"].scatter.data["symbol"]) == ["t1"]  # pointing up
    resnet = history.curves["resnet56"]
    assert list(resnet["val_loss"].getOriginalDataset()[0]) == [12]
    assert _points(resnet["val_loss_off"]) == 0
    # The legend row names the models in their colours, the dots and the triangles.
    legend = history.scalar_legend.text().replace("&nbsp;", " ").replace("\u2011", "-")
    for part in ("Plain-56", "ResNet-56", "held-out images at epoch end", "off the scale",
                 plot_view.colors()["plain56"].name()):
        assert part in legend
    # Hovering the epoch end reads the real value, and says it lies above the scale.
    text = history.hovers[1].hover_at(12, math.log10(high))
    assert "Plain-56 @ 12: loss" in text
    assert "held-out loss 3e+10 (above the scale) at step 12" in text
    assert "held-out loss 1.8 at step 12" in text
    # Away from an epoch end, only the training loss is read.
    assert "held-out" not in history.hovers[1].hover_at(3, math.log10(2.0))


def test_a_held_out_loss_below_the_curves_points_down(qtbot, plot_view):
    run = _diverged_run()
    run.models["resnet56"].add_epoch(13, 1e-6, 0.9)
    plot_view.set_run(run)
    _drawn(qtbot, plot_view)
    curve = plot_view.history.curves["resnet56"]["val_loss_off"]
    x, y = curve.getOriginalDataset()
    low, _ = plot_view.history.loss_range()
    assert list(x) == [13] and y[0] >= low
    assert list(curve.scatter.data["symbol"]) == ["t"]


def test_the_accuracy_plot_says_it_is_measured_on_training_batches(plot_view):
    from PySide6.QtWidgets import QLabel

    headings = [label.text() for label in plot_view.history.findChildren(QLabel)
                if label.property("role") == "heading"]
    assert "ACCURACY ON TRAINING BATCHES" in headings


def test_exported_plots_carry_a_title_and_the_model_legend(qtbot, plot_view, tmp_path):
    import pyqtgraph as pg

    from cnnviz.ui.train.exports import write_pngs

    run = _diverged_run()
    plot_view.set_run(run)
    _drawn(qtbot, plot_view)
    seen = {}
    original = pg.exporters.ImageExporter.export

    def spy(exporter, *args, **kwargs):
        item = exporter.item
        seen[id(item)] = item.titleLabel.text.replace("&nbsp;", " ").replace("\u2011", "-")
        return original(exporter, *args, **kwargs)

    pg.exporters.ImageExporter.export = spy
    try:
        files = write_pngs(plot_view, tmp_path)
    finally:
        pg.exporters.ImageExporter.export = original
    colors = plot_view.colors()
    title = seen[id(plot_view.history.loss.getPlotItem())]
    assert title.startswith("Loss on training batches<br>Plain-56 vs ResNet-56 · Shapes<br>")
    for part in ("Plain-56", "ResNet-56", colors["plain56"].name(), colors["resnet56"].name(),
                 "held-out images at epoch end", "held-out loss beyond the scale (see the CSV)"):
        assert part in title, part
    title = seen[id(plot_view.history.accuracy.getPlotItem())]
    assert title.startswith("Accuracy on training batches") and "Plain-56" in title
    assert "beyond the scale" not in title
    assert "Plain-56" in seen[id(plot_view.history.layers.getPlotItem())]
    # After the export the plots on screen are as they were.
    item = plot_view.history.loss.getPlotItem()
    assert not item.titleLabel.isVisible() and item.titleLabel.text == ""
    assert plot_view.history.layer_button.isVisible()
    assert not QImage(str(tmp_path / "loss.png")).isNull()
    assert tmp_path / "overview.png" in files


def test_the_overview_picture_leaves_out_the_layers_button(qtbot, plot_view, tmp_path,
                                                           monkeypatch):
    from cnnviz.ui.train.exports import write_pngs

    plot_view.set_run(_diverged_run())
    _drawn(qtbot, plot_view)
    button = plot_view.history.layer_button
    shown_while_grabbed = []
    grab = plot_view.plots_page.grab

    def spy(*args):
        shown_while_grabbed.append(button.isVisible())
        return grab(*args)

    monkeypatch.setattr(plot_view.plots_page, "grab", spy)
    before = button.geometry()
    write_pngs(plot_view, tmp_path)
    assert shown_while_grabbed == [False]
    assert button.isVisible() and button.geometry() == before


def _points(curve) -> int:
    x, _ = curve.getOriginalDataset()
    return 0 if x is None else len(x)


def test_after_an_export_narrow_plots_are_back_at_their_size(qtbot, make_shown, tmp_path):
    # The exported title is wider than a narrow plot; on screen the plot must not keep it.
    from cnnviz.ui.train.exports import write_pngs
    from cnnviz.ui.train.run_view import RunView

    view = make_shown(RunView, (790, 660))
    view.set_run(_diverged_run())
    _drawn(qtbot, view)
    history = view.history
    before = [(p.width(), p.getPlotItem().vb.viewRange()[0]) for p in
              (history.layers, history.loss, history.accuracy)]
    write_pngs(view, tmp_path)
    for plot, (width, x_range) in zip((history.layers, history.loss, history.accuracy), before):
        assert plot.getPlotItem().geometry().width() == pytest.approx(width, abs=1)
        assert plot.getPlotItem().vb.viewRange()[0] == pytest.approx(x_range)
