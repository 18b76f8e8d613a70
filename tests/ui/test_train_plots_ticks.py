"""Log axes label only what fits: at 1280x800 no two tick labels of any log axis of the Train
workspace overlap, whatever range the data spans."""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter

from cnnviz.ui.train import plot_style as style
from cnnviz.ui.train.log_axis import LogAxis, log_label
from cnnviz.ui.train.series import RunSeries

WAIT_MS = 10_000


def labels(axis: pg.AxisItem) -> list[tuple[str, QRectF]]:
    """The tick labels ``axis`` draws, each with the full rectangle of its text.

    pyqtgraph's own text rectangles are trimmed to 80% of the text's height; these are the
    font's whole line, centred where pyqtgraph centres the label.
    """
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    metrics = QFontMetricsF(axis.style["tickFont"] or QFont())
    out = []
    for rect, _flags, text in specs[2]:
        box = QRectF(metrics.boundingRect(text))
        box.moveCenter(rect.center())
        out.append((text, box))
    return out


def overlaps(found: list[tuple[str, QRectF]]) -> list[tuple[str, str]]:
    return [(a, b) for (a, ra), (b, rb) in itertools.combinations(found, 2)
            if ra.intersects(rb)]


def _run(low: float, high: float, loss: tuple[float, float], steps: int = 60) -> RunSeries:
    """Two models whose norms span 10**low..10**high and whose loss spans ``loss``."""
    run = RunSeries()
    run.total_steps = steps
    for name in ("plain", "residual"):
        model = run.add_model(name, name.title(), [f"layer{i}" for i in range(20)])
        for step in range(1, steps + 1):
            norms = 10 ** np.linspace(low, high, 20)
            value = loss[0] + (loss[1] - loss[0]) * (steps - step) / (steps - 1)
            model.add_step(step, value, step / steps, norms)
    return run


def _log_axes(view) -> dict[str, pg.AxisItem]:
    axes = {f"{p.series.name} depth": p.depth_plot.getPlotItem().getAxis("left")
            for p in view.panels}
    axes["layers"] = view.history.layers.getPlotItem().getAxis("left")
    axes["loss"] = view.history.loss.getPlotItem().getAxis("left")
    return axes


@pytest.mark.parametrize("low, high, loss", [
    (-1.2, -0.3, (0.9, 1.1)),     # under a decade: multiples get labels
    (-3.0, 0.0, (0.4, 2.3)),      # the classic loss curve, three decades of norms
    (-9.0, 1.0, (0.05, 2.3)),     # a vanishing gradient: ten decades
])
def test_no_two_labels_of_a_log_axis_overlap_at_1280x800(qtbot, train_ws, low, high, loss):
    view = train_ws.view
    view.set_run(_run(low, high, loss))
    view.refresh()
    qtbot.wait(50)
    for name, axis in _log_axes(view).items():
        assert isinstance(axis, LogAxis) and axis.logMode, name
        found = labels(axis)
        assert len(found) >= 2, (name, found)
        assert overlaps(found) == [], (name, [text for text, _ in found])


def test_a_decade_that_has_room_labels_its_multiples(qtbot, train_ws):
    view = train_ws.view
    view.set_run(_run(-1.2, -0.3, (0.9, 1.1)))
    view.refresh()
    qtbot.wait(50)
    texts = [text for text, _ in labels(_log_axes(view)["plain depth"])]
    assert "0.1" in texts and len(texts) >= 4  # the decade, and multiples around it


def test_pyqtgraphs_own_log_axis_crowds_where_ours_does_not(qtbot):
    """The check above can fail: the axis pyqtgraph gives a log plot, in the same place and
    range, piles its labels on one another."""
    from cnnviz.ui.theme import theme_manager

    pal = theme_manager().palette
    ours = style.new_plot_widget(pal, log_y=True)
    theirs = style.new_plot_widget(pal)
    theirs.getPlotItem().setLogMode(y=True)
    for widget in (ours, theirs):
        style.style_plot(widget.getPlotItem(), pal)
        qtbot.addWidget(widget)
        widget.resize(300, 170)  # the loss plot's size at 1280x800
        widget.show()
        widget.getPlotItem().setYRange(-1.5, 0.5, padding=0)
    qtbot.waitUntil(lambda: ours.isVisible() and theirs.isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)
    assert overlaps(labels(theirs.getPlotItem().getAxis("left")))
    assert not overlaps(labels(ours.getPlotItem().getAxis("left")))


@pytest.mark.parametrize("pixels", [60, 120, 250, 600])
@pytest.mark.parametrize("span", [(-0.6, 0.3), (-2.25, 0.5), (-6.0, 1.0), (-30.0, 2.0)])
def test_log_ticks_keep_labels_a_line_apart_at_any_size(span, pixels):
    axis = LogAxis("left")
    axis.setLogMode(y=True)
    room = axis.label_room()
    levels = axis.tickValues(span[0], span[1], pixels)
    labelled = sorted(levels[0][1] + levels[1][1])
    per_decade = pixels / (span[1] - span[0])
    gaps = np.diff(labelled) * per_decade
    assert np.all(gaps >= room - 1e-9), (labelled, gaps, room)
    assert all(span[0] <= v <= span[1] for level in levels for v in level[1])
    # Every decade in range is labelled when a decade has room for a label.
    decades = [d for d in range(int(np.ceil(span[0])), int(np.floor(span[1])) + 1)]
    if per_decade >= room:
        assert set(decades) <= set(labelled)


@pytest.mark.parametrize("value, text", [
    (30.0, "30"), (10 ** (np.log10(3) + 1), "30"), (0.002, "0.002"), (1.0, "1"),
    (1e-4, "0.0001"), (2e-5, "2·10⁻⁵"), (1e-12, "10⁻¹²"), (3e4, "3·10⁴"), (5000.0, "5000"),
])
def test_log_labels_are_short_numbers_or_powers_of_ten(value, text):
    assert log_label(np.log10(value)) == text


def test_a_gradient_below_what_a_float_holds_still_gets_its_labels():
    assert log_label(-400.0) == "10⁻⁴⁰⁰"
    axis = LogAxis("left")
    axis.setLogMode(y=True)
    levels = axis.tickValues(-1000.0, 0.0, 150)
    assert 2 <= len(levels[0][1]) <= 150 / axis.label_room() + 1
    assert axis.tickStrings(levels[0][1], 1.0, 100)[0] == "10⁻¹⁰⁰⁰"
    levels = axis.tickValues(-1e7, 0.0, 150)
    assert 2 <= len(levels[0][1]) <= 150 / axis.label_room() + 1


@pytest.mark.parametrize("low, high", [(-9.0, -2.0), (-6.5, 0.5), (-2.0, 1.0)])
def test_one_log_axis_speaks_one_number_style(qtbot, train_ws, low, high):
    # Either every label a plain number or every label a power of ten: never "0.001" above
    # "10⁻⁶" on the same axis.
    view = train_ws.view
    view.set_run(_run(low, high, (0.5, 2.0)))
    view.refresh()
    qtbot.wait(50)
    for name, axis in _log_axes(view).items():
        texts = [text for text, _ in labels(axis)]
        powers = ["10" in t and any(c in t for c in "⁰¹²³⁴⁵⁶⁷⁸⁹") for t in texts]
        assert all(powers) or not any(powers), (name, texts)
    texts = [text for text, _ in labels(_log_axes(view)["plain depth"])]
    assert low > -4.5 or all("10" in t for t in texts), texts


@pytest.mark.parametrize("span", [(-0.25, 0.25), (-0.2, 0.1), (-1.4, -1.0), (-0.4, 0.4),
                                  (-0.53, 0.5)])
def test_a_short_range_on_a_short_axis_gets_more_than_a_lone_label(qtbot, span):
    # A ResNet-56 depth profile (norms 0.56..1.8) on a 60-pixel axis at 150 %: not one "1".
    axis = LogAxis("left")
    axis.setLogMode(y=True)
    levels = axis.tickValues(span[0], span[1], 60)
    labelled = sorted(levels[0][1] + levels[1][1])
    # At least two labels, each far enough from the ends to be drawn whole.
    half = axis.label_room() / 2 * (span[1] - span[0]) / 60
    assert len([v for v in labelled if span[0] + half <= v <= span[1] - half]) >= 2, labelled
    gaps = np.diff(labelled) * 60 / (span[1] - span[0])
    assert np.all(gaps >= axis.label_room() - 1e-9)
    # Each label says the number at its place ("1.5" at log10(1.5)).
    for value, text in zip(labelled, axis.tickStrings(labelled, 1.0, 1.0)):
        assert float(text) == pytest.approx(10 ** value, rel=1e-3), (text, value)
