"""The explorer's gradient shading beyond one graph: remembered between sessions, printed into
exported pictures with its legend, and honest about a graph drawn at another input size."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from cnnviz.core.train import GradientSnapshot, ModelConfig
from cnnviz.ui import settings
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.gradient_legend import color_at
from cnnviz.ui.arch.legend_print import decade_label
from lab_snapshots import one_step_snapshot

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def snapshot() -> GradientSnapshot:
    """One optimiser step of ResNet-20 frozen up to layer1 on 32x32 shapes."""
    model = ModelConfig("resnet20", name="resnet20-frozen", freeze_until="layer1")
    return one_step_snapshot(model, 16, "lesson 3", input_shape=(3, 32, 32))


def _open_explorer(qtbot, make_shown):
    """A fresh explorer, as at start-up: the zoo loads, the remembered network shows."""
    from cnnviz.ui.arch.workspace import ArchitecturesWorkspace

    ws = make_shown(ArchitecturesWorkspace, (1280, 800))
    qtbot.waitUntil(lambda: ws.report is not None and not ws.runner.busy, timeout=WAIT_MS)
    return ws


def _pick(qtbot, ws, ref: str) -> None:
    before = ws.report
    assert ws.catalog.select_ref(ref)
    qtbot.waitUntil(lambda: ws.report is not before and not ws.runner.busy, timeout=WAIT_MS)


def _pick_shading(ws, mode: str) -> None:
    ws.bar.shade.setCurrentIndex(ws.bar.shade.findData(mode))


def _heat_states(ws) -> set:
    return {item.heat_state for item in ws.graph.graph_scene.nodes.values()}


def test_shading_by_gradient_norm_is_remembered_between_sessions(qtbot, make_shown, snapshot):
    settings.write("arch/last", "resnet20")
    first = _open_explorer(qtbot, make_shown)
    assert first.bar.shade_mode() == "params" and not first.prefer_gradients
    first.update_gradients(snapshot)  # offered, but the user has not asked for it
    assert first.bar.gradient_available() and first.bar.shade_mode() == "params"
    _pick_shading(first, "grad")
    assert first.gradients.snapshot is snapshot and "value" in _heat_states(first)

    # The next session: the network opens shaded as before; no run has sent gradients yet.
    second = _open_explorer(qtbot, make_shown)
    assert second.current_ref == "resnet20" and second.prefer_gradients
    assert second.bar.shade_mode() == "params" and not second.bar.gradient_available()
    second.update_gradients(snapshot)  # the lab reopens the run: shading comes back by itself
    assert second.bar.shade_mode() == "grad" and second.gradients.snapshot is snapshot
    assert second.graph.legend.isVisible() and "value" in _heat_states(second)

    # A network never trained falls back for now, and keeps the choice for later.
    _pick(qtbot, second, "lenet5")
    assert second.bar.shade_mode() == "params" and not second.graph.legend.isVisible()
    assert settings.read_bool("arch/shade_gradients", False)
    _pick(qtbot, second, "resnet20")
    assert second.bar.shade_mode() == "grad" and second.gradients.snapshot is snapshot

    # Turning it off while offered is remembered too, with the shading picked instead.
    _pick_shading(second, "macs")
    assert not settings.read_bool("arch/shade_gradients", True)
    third = _open_explorer(qtbot, make_shown)
    third.update_gradients(snapshot)
    assert third.bar.gradient_available() and third.bar.shade_mode() == "macs"
    assert third.gradients.snapshot is None and not third.graph.legend.isVisible()


def _bar_rows(image: QImage, top: int, bottom: int) -> list[int]:
    """Rows between ``top`` and ``bottom`` holding both ends of the viridis map."""
    ends = [np.array(color_at(p).getRgb()[:3]) for p in (0.0, 1.0)]
    rows = []
    for y in range(top, bottom):
        pixels = np.array([QColor(image.pixel(x, y)).getRgb()[:3]
                           for x in range(0, image.width(), 2)])
        if all((np.abs(pixels - end).sum(axis=1) < 30).any() for end in ends):
            rows.append(y)
    return rows


def _svg_text(path) -> str:
    return " ".join("".join(ET.parse(path).getroot().itertext()).split())


def test_an_exported_shaded_graph_carries_its_legend(qtbot, arch, snapshot, tmp_path):
    arch.show_gradients(snapshot)
    qtbot.waitUntil(lambda: arch.gradients.snapshot is snapshot and not arch.runner.busy,
                    timeout=WAIT_MS)
    arch.collapse_all()  # a short picture: the blocks collapsed
    arch.collapse_block("layer1")
    arch.collapse_block("layer2")
    legend = arch.gradients.legend
    assert legend is not None and not legend.warning
    shaded_png = QImage(str(arch.export("png", tmp_path / "shaded.png")))
    shaded_svg = _svg_text(arch.export("svg", tmp_path / "shaded.svg"))
    shaded_pdf = (arch.export("pdf", tmp_path / "shaded.pdf")).read_bytes()
    _pick_shading(arch, "params")
    assert arch.gradients.legend is None
    plain_png = QImage(str(arch.export("png", tmp_path / "plain.png")))
    plain_svg = _svg_text(arch.export("svg", tmp_path / "plain.svg"))
    plain_pdf = (arch.export("pdf", tmp_path / "plain.pdf")).read_bytes()

    # Unshaded: the graph alone, as before (its bounds plus a margin, two pixels per unit).
    bounds = arch.graph.graph_scene.itemsBoundingRect()
    assert (plain_png.width(), plain_png.height()) == (round((bounds.width() + 48) * 2),
                                                       round((bounds.height() + 48) * 2))
    assert _bar_rows(plain_png, 0, plain_png.height() // 3) == []
    # Shaded: a legend band on top, the viridis bar inside it.
    band = shaded_png.height() - plain_png.height()
    assert band > 150 and shaded_png.width() >= plain_png.width()
    rows = _bar_rows(shaded_png, 0, band)
    assert len(rows) >= 10  # the bar is about 12 units (24 pixels) tall

    assert "Gradient norm" not in plain_svg and "not measured" not in plain_svg
    assert legend.title in shaded_svg and legend.title == (
        f"Gradient norm · ResNet-20, step {snapshot.step:,}")
    for text in ("run lesson 3", "log10 scale", "collapsed blocks: geometric mean", "frozen",
                 "not measured", fmt.norm(legend.low), fmt.norm(legend.high),
                 arch.report.display_name):
        assert text in shaded_svg, text
    for power in arch.graph.legend.decades():
        assert decade_label(power) in shaded_svg

    def page(pdf: bytes) -> tuple[float, float]:
        assert pdf.startswith(b"%PDF")
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        return float(box.group(1)), float(box.group(2))

    plain_w, plain_h = page(plain_pdf)
    shaded_w, shaded_h = page(shaded_pdf)
    assert plain_h == pytest.approx(bounds.height() + 48, abs=1)
    assert shaded_h == pytest.approx(plain_h + band / 2, abs=1) and shaded_w >= plain_w


def test_the_legend_says_when_the_graph_has_another_input_size(qtbot, arch, snapshot, tmp_path):
    arch.show_gradients(snapshot)
    qtbot.waitUntil(lambda: arch.gradients.snapshot is snapshot and not arch.runner.busy,
                    timeout=WAIT_MS)
    legend = arch.graph.legend
    assert legend.warning == "" and arch.report.input_shape == (3, 32, 32)
    height = legend.height()

    report = arch.report
    arch.bar.height_box.setValue(48)
    arch.bar.width_box.setValue(40)
    qtbot.waitUntil(lambda: arch.report is not report and not arch.runner.busy, timeout=WAIT_MS)
    assert arch.bar.shade_mode() == "grad"  # still the same network and options
    assert legend.warning == ("Trained at 3×32×32 but shown at 3×48×40, so shapes and "
                              "multiply-adds differ from the run.")
    assert legend.height() > height
    assert arch.graph.viewport().geometry().bottom() < legend.geometry().top()
    assert legend.warning in _svg_text(arch.export("svg", tmp_path / "resized.svg"))

    # A run that does not say its size (an older lab, a user's script) gets no warning.
    silent = dataclasses.replace(snapshot, input_shape=None)
    arch.update_gradients(silent)
    assert arch.gradients.snapshot is silent and legend.warning == ""
    assert legend.height() == height

    arch.update_gradients(snapshot)
    report = arch.report
    arch.bar.height_box.setValue(32)
    arch.bar.width_box.setValue(32)
    qtbot.waitUntil(lambda: arch.report is not report and not arch.runner.busy, timeout=WAIT_MS)
    assert legend.warning == "" and legend.height() == height
