"""A first layer whose gradient underflows to exactly 0 (Adam without batch norm does this to
a deep plain network) is said in words everywhere a student reads the ratio: the panel's
header, its tooltip, the sentence's tooltip and the exported pictures and tables."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from cnnviz.ui.train.series import RunSeries

WAIT_MS = 10_000


def _underflowed_run() -> RunSeries:
    """Plain-20 whose first layer's norm is 0 at every step, beside a healthy ResNet-20."""
    run = RunSeries()
    run.total_steps = 12
    run.title = "Plain-20 vs ResNet-20, without batch norm · 12 steps"
    plain = run.add_model("plain20", "Plain-20", [f"l{i}" for i in range(6)])
    resnet = run.add_model("resnet20", "ResNet-20", [f"l{i}" for i in range(6)])
    for step in range(1, 13):
        plain.add_step(step, 2.3, 0.1, [0.0, 1e-30, 1e-12, 1e-6, 0.01, 0.2])
        resnet.add_step(step, 2.0, 0.2, np.linspace(0.1, 0.4, 6))
    return run


def _shown(qtbot, view, run) -> None:
    view.set_run(run)
    view.mark_dirty()
    qtbot.waitUntil(lambda: not view._pending, timeout=WAIT_MS)
    view.refresh()


def _headers(view) -> dict[str, str]:
    return {panel.series.name: panel.ratio.text() for panel in view.panels}


def test_the_header_says_no_gradient_in_words_as_the_sentence_does(qtbot, train_ws):
    view = train_ws.view
    _shown(qtbot, view, _underflowed_run())
    assert _headers(view) == {"plain20": "First layer: no gradient",
                              "resnet20": "First/last 1/4"}
    plain = view.panels[0]
    assert "no measurable gradient" in view.sentence.text()
    assert plain.ratio.toolTip().startswith("No measurable gradient reaches the first layer")
    assert "Plain-20: first/last" not in view.sentence.toolTip()
    assert "no measurable gradient reaches the first layer" in view.sentence.toolTip()
    train_ws.layout().activate()
    assert not plain.ratio.is_elided()


@pytest.mark.parametrize(("size", "said"), [
    ((960, 640), {"plain20": "No gradient", "resnet20": "1/4"}),
    ((1280, 800), {"plain20": "First layer: no gradient", "resnet20": "First/last 1/4"}),
])
def test_the_header_fits_a_small_window_in_a_shorter_form(qtbot, make_window, size, said):
    window = make_window()
    window.resize(*size)
    ws = window.show_workspace("train")
    _shown(qtbot, ws.view, _underflowed_run())
    qtbot.waitUntil(lambda: ws.view.panels[0].ratio.width() > 0, timeout=WAIT_MS)
    window.layout().activate()
    ws.layout().activate()
    assert _headers(ws.view) == said
    for panel in ws.view.panels:
        assert not panel.ratio.is_elided(), (size, panel.ratio.text(), panel.ratio.width())
        # The step is never the part cut away: the loss goes first.
        assert panel.metrics.text().startswith("Step 12") and not panel.metrics.is_elided()


def test_exports_of_an_underflowed_run_print_no_bare_zero_or_inf_ratio(
        qtbot, train_ws, tmp_path):
    ws = train_ws
    _shown(qtbot, ws.view, _underflowed_run())
    pictures = ws.export("png", tmp_path / "png")
    assert (tmp_path / "png" / "overview.png") in pictures
    # The overview is a picture of the page as shown: its header is the one in words.
    assert _headers(ws.view)["plain20"] == "First layer: no gradient"
    tables = ws.export("csv", tmp_path / "csv")
    for path in tables:
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        for row in rows[1:]:
            for cell in row:
                assert cell == "" or math.isfinite(float(cell)), (path.name, cell)
            assert not any("inf" in cell.lower() for cell in row)
    # The first layer's norm is written as measured (0), the columns are norms, not ratios.
    with (tmp_path / "csv" / "plain20-grad_norms.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["step", *[f"l{i}" for i in range(6)]]
    assert float(rows[1][1]) == 0.0
