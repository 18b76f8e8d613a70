"""The Train workspace lays out whole on the smallest window (960x640) and at 1280x720: no
plot title, axis title or heading is cut, with the setup beside the plots or folded away;
the setup folds by itself while a run goes on a narrow window, and one click brings it back
(a choice the workspace remembers)."""

from __future__ import annotations

import pytest
from plot_texts import fading_run, glyph_box
from PySide6.QtCore import QRectF, Qt
from tiny_models import Tiny

from cnnviz.core.train import ModelConfig, RunConfig
from cnnviz.ui.train.shortened import ShortenedLabel

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _plots(ws) -> list:
    view = ws.view
    return [*(plot for panel in view.panels for plot in (panel.depth_plot, panel.heat_map)),
            view.history.layers, view.history.loss, view.history.accuracy]


def _cut_words(ws) -> list[str]:
    """Every plot title, axis title and heading of the plots that is not drawn whole."""
    cut = []
    for plot in _plots(ws):
        item = plot.getPlotItem()
        # A plot laid out wider than its widget loses its right part (ticks, titles).
        if item.width() > plot.viewport().width() + 1:
            cut.append(f"{type(plot).__name__} is {item.width():.0f} px wide in "
                       f"{plot.viewport().width()} px")
        texts = [(a.labelText, a.label) for a in (item.getAxis("left"), item.getAxis("bottom"))
                 if a.labelText and a.label.isVisible()]
        if hasattr(plot, "bar"):
            texts.append((plot.bar.axis.labelText, plot.bar.axis.label))
        if item.titleLabel.isVisible():
            texts.append((item.titleLabel.text, item.titleLabel.item))
        for text, text_item in texts:
            if not QRectF(plot.rect()).contains(glyph_box(plot, text_item)):
                cut.append(f"{text!r} of {type(plot).__name__}")
    for label in ws.view.findChildren(ShortenedLabel):
        if label.isVisible() and (label.is_elided() or label.fontMetrics().horizontalAdvance(
                label.text()) > label.width()):
            cut.append(f"{label.text()!r} in {label.width()} px")
    return cut


@pytest.fixture
def narrow(qtbot, make_window):
    """The Train workspace in the real window at its smallest size, a run's plots shown."""
    window = make_window()
    window.resize(960, 640)
    ws = window.show_workspace("train")
    ws.view.set_run(fading_run())
    ws.view.refresh()
    qtbot.waitUntil(lambda: len(ws.view.panels) == 2 and ws.view.panels[0].isVisible(),
                    timeout=WAIT_MS)
    qtbot.wait(50)
    return ws


def test_at_the_smallest_window_no_plot_word_is_cut_with_the_setup_or_without(qtbot, narrow):
    ws = narrow
    assert ws.width() < ws.fold.NARROW_PX
    assert ws.tabs.isVisible()
    assert _cut_words(ws) == []
    # Beside the setup the panels are narrow: their plots say what they show in short.
    depth = ws.view.panels[0].depth_plot.getPlotItem()
    assert depth.getAxis("bottom").labelText == "layer"

    qtbot.mouseClick(ws.fold.hide_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ws.tabs.isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)
    assert _cut_words(ws) == []
    # With the whole width the plots have their full titles again.
    assert depth.titleLabel.isVisible() and depth.titleLabel.text == "Gradient norm across depth"
    assert depth.getAxis("bottom").labelText == "layer (input → output)"
    headings = [label.text() for label in ws.view.history.findChildren(ShortenedLabel)]
    assert "ACCURACY ON TRAINING BATCHES" in headings

    # One click brings the setup back.
    assert ws.bar.setup_button.isVisible()
    qtbot.mouseClick(ws.bar.setup_button, Qt.MouseButton.LeftButton)
    assert ws.tabs.isVisible() and ws.form.isVisible()
    qtbot.waitUntil(lambda: ws.tabs.width() >= ws.tabs.minimumSizeHint().width(),
                    timeout=WAIT_MS)
    qtbot.wait(50)
    assert _cut_words(ws) == []


@pytest.mark.parametrize("size", [(1176, 679), (1176, 759)])
def test_at_1280_pixels_the_setup_and_the_plots_share_the_width_whole(qtbot, make_shown, size):
    # What a 1280x720 and a 1280x800 window leave the workspace beside the sidebar.
    from cnnviz.ui.train.workspace import TrainWorkspace

    ws = make_shown(TrainWorkspace, size)
    ws.view.set_run(fading_run())
    ws.view.refresh()
    qtbot.waitUntil(lambda: ws.view.panels and ws.view.panels[0].isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)
    assert ws.tabs.isVisible()
    assert _cut_words(ws) == []
    for panel in ws.view.panels:
        item = panel.depth_plot.getPlotItem()
        assert item.titleLabel.text == "Gradient norm across depth"
        assert item.getAxis("bottom").labelText == "layer (input → output)"


def _start_long_run(qtbot, ws, data, tmp_path) -> None:
    """Start a run long enough to be stopped by hand, and wait until it has begun."""
    config = RunConfig(models=(ModelConfig("tiny", name="plain"),
                               ModelConfig("tiny", name="residual")),
                       batch_size=8, steps=100_000, lr=0.05, seed=1, device="cpu",
                       validate=False)
    assert ws.start(config=config, modules={"plain": Tiny(), "residual": Tiny()}, data=data,
                    run_dir=tmp_path / "run")
    qtbot.waitUntil(lambda: ws.bar.state == "running", timeout=WAIT_MS)


def _stop(qtbot, ws) -> None:
    qtbot.mouseClick(ws.bar.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)


@pytest.fixture
def narrow_ws(make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    return make_shown(TrainWorkspace, (856, 599))  # what a 960x640 window leaves it


def test_a_run_on_a_narrow_window_folds_the_setup_and_one_click_brings_it_back(
        qtbot, narrow_ws, data, tmp_path):
    ws = narrow_ws
    button = ws.bar.setup_button
    assert ws.tabs.isVisible() and not button.isVisible()
    _start_long_run(qtbot, ws, data, tmp_path)
    assert not ws.tabs.isVisible()
    assert button.isVisible() and button.text() == "Setup"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert ws.tabs.isVisible() and not button.isVisible()
    _stop(qtbot, ws)
    assert ws.tabs.isVisible()

    # A run left to fold the setup gives it back when it ends.
    _start_long_run(qtbot, ws, data, tmp_path)
    assert not ws.tabs.isVisible()
    _stop(qtbot, ws)
    assert ws.tabs.isVisible() and not button.isVisible()


def test_the_keyboard_hides_and_shows_the_setup(qtbot, narrow_ws):
    ws = narrow_ws
    ws.activateWindow()
    qtbot.keyClick(ws.form, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert not ws.tabs.isVisible()
    qtbot.keyClick(ws.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert ws.tabs.isVisible()
    assert ("Show or hide the setup", "Ctrl+B") in ws.shortcut_rows()


def test_a_run_on_a_wide_window_leaves_the_setup_in_place(qtbot, make_shown, data, tmp_path):
    from cnnviz.ui.train.workspace import TrainWorkspace

    ws = make_shown(TrainWorkspace, (1816, 1020))
    _start_long_run(qtbot, ws, data, tmp_path)
    assert ws.tabs.isVisible()
    _stop(qtbot, ws)


def test_the_folded_setup_is_remembered_and_a_refused_start_brings_it_back(qtbot, make_shown):
    from cnnviz.ui.train.workspace import TrainWorkspace

    ws = make_shown(TrainWorkspace, (1176, 759))
    qtbot.mouseClick(ws.fold.hide_button, Qt.MouseButton.LeftButton)
    assert not ws.tabs.isVisible() and ws.bar.setup_button.isVisible()
    ws.shutdown()

    again = make_shown(TrainWorkspace, (1176, 759))
    assert not again.tabs.isVisible() and again.bar.setup_button.isVisible()
    # Start with a setting that cannot run: the sentence names a field of the hidden form,
    # so the form comes back with it.
    again.form.batch_size.setValue(0)
    qtbot.mouseClick(again.bar.start_button, Qt.MouseButton.LeftButton)
    assert not again.running and "batch" in again.banner.message.lower()
    assert again.tabs.isVisible() and again.form.isVisible()
