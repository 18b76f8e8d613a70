"""Compare, export and the user's own model files, through the Architectures workspace."""

from __future__ import annotations

import csv
import os
import stat
import textwrap
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMenu

from cnnviz.core.inspect import summary_rows
from cnnviz.ui.arch import formatting as fmt

WAIT_MS = 60_000


@pytest.fixture
def first_arch():
    return "lenet5"


def test_compare_two_networks_side_by_side_in_step(qtbot, arch):
    arch.tabs.setCurrentWidget(arch.compare)
    panel = arch.compare
    panel.compare("plain20", "resnet20")
    qtbot.waitUntil(lambda: all(panel.reports) and not arch.runner.busy, timeout=WAIT_MS)
    left, right = (r.report for r in panel.reports)
    assert left.arch == "plain20" and right.arch == "resnet20"
    assert panel.table.item(0, 0).text() == fmt.count(left.totals.params)
    assert panel.table.item(0, 1).text() == fmt.count(right.totals.params)
    # "Layers" counts layers with weights on all paths (the depth beside it, on the longest
    # one), "Modules" every node of the graph.
    assert [panel.table.verticalHeaderItem(r).text() for r in (2, 3)] == ["Layers", "Modules"]
    assert [panel.table.item(2, c).text() for c in (0, 1)] == ["20 · depth 20"] * 2
    assert panel.table.item(3, 1).text() == str(len(right.layers))
    assert "GoogLeNet has 58 layers but a depth of 22" in panel.table.verticalHeaderItem(2).toolTip()
    assert panel.table.item(1, 2).text() == fmt.ratio(left.totals.macs, right.totals.macs)
    for view, report in zip(panel.views, (left, right)):
        assert view.graph_scene.nodes
        # Folded into blocks: ResNet-20's shortcuts are arcs beside its blocks.
        assert bool(view.graph_scene.shortcuts) == (report is right)

    a, b = panel.views
    assert a.zoom() == pytest.approx(b.zoom())
    a.zoom_to(a.zoom() * 1.5, animated=False)
    assert b.zoom() == pytest.approx(a.zoom())
    bar_a, bar_b = a.verticalScrollBar(), b.verticalScrollBar()
    assert bar_a.maximum() > 0 and bar_b.maximum() > 0
    bar_a.setValue(bar_a.maximum() // 2)
    frac_a = bar_a.value() / bar_a.maximum()
    assert bar_b.value() / bar_b.maximum() == pytest.approx(frac_a, abs=0.02)

    panel.swap()
    assert panel.reports[0].report is right and panel.pickers[0].currentData() == "resnet20"


def test_twin_button_opens_the_comparison(qtbot, arch, show):
    show("resnet20")
    arch.bar.catalog_button.click()
    assert arch.catalog.card.twin_button.isVisible()
    arch.catalog.card.twin_button.click()
    assert arch.tabs.currentWidget() is arch.compare
    qtbot.waitUntil(lambda: all(arch.compare.reports) and not arch.runner.busy, timeout=WAIT_MS)
    assert [r.report.arch for r in arch.compare.reports] == ["plain20", "resnet20"]


def test_export_each_format_and_read_it_back(qtbot, arch, tmp_path):
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    report = arch.report
    png = arch.export("png", tmp_path / "lenet.png")
    image = QImage(str(png))
    assert not image.isNull() and image.height() > image.width()

    svg = arch.export("svg", tmp_path / "lenet.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    assert "Conv2d" in text and "Linear" in text

    pdf = arch.export("pdf", tmp_path / "lenet.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/MediaBox" in pdf

    rows = list(csv.reader((arch.export("csv", tmp_path / "lenet.csv")).open()))
    summary = summary_rows(report)
    assert len(rows) == len(summary) + 1
    layer_names = {l.name for l in report.layers if l.kind not in ("input", "output")}
    assert layer_names <= {row[0] for row in rows[1:]}
    params = rows[0].index("params")
    assert sum(int(row[params]) for row in rows[1:]) == report.totals.params

    md = (arch.export("md", tmp_path / "lenet.md")).read_text()
    assert md.count("\n|") >= len(summary)
    assert "features.0" in md

    # Atomic writes leave nothing else behind, and every file gets the usual permissions
    # (the umask's), not the private 0600 of a temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet.csv", "lenet.md", "lenet.pdf",
                                                      "lenet.png", "lenet.svg"]
    mask = os.umask(0)
    os.umask(mask)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path.name


def test_export_into_a_missing_folder_explains_and_keeps_going(qtbot, arch, tmp_path):
    assert arch.export("csv", tmp_path / "nowhere" / "x.csv") is None
    assert arch.error_dialog is not None and arch.error_dialog.isVisible()
    assert "nowhere" in arch.error_dialog.informativeText()
    arch.error_dialog.close()


def test_context_menus_offer_exports_and_block_actions(qtbot, arch, show):
    show("resnet32")
    block = next(k for k, item in arch.graph.graph_scene.nodes.items() if item.is_block)
    menu = QMenu()
    arch.graph.context_menu_requested.emit(menu, block)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[0] == f"Expand {block}"
    assert "Export Graph as SVG Drawing…" in texts
    button = [a.text() or "-" for a in arch.bar.export_button.menu().actions()]
    assert button == ["Export Graph as PNG Image…", "Export Graph as SVG Drawing…",
                      "Export Graph as PDF Document…", "-", "Export Table as CSV…",
                      "Export Table as Markdown…"]
    next(a for a in menu.actions() if a.text() == f"Expand {block}").trigger()
    assert block not in arch.collapsed

    table_menu = QMenu()
    arch.table.context_menu_requested.emit(table_menu)
    assert [a.text() for a in table_menu.actions()] == ["Export Table as CSV…", "Export Table as Markdown…"]


MODELS = textwrap.dedent("""
    from torch import nn

    class Stem(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)

        def forward(self, x):
            return self.conv(x)

    class SmallNet(nn.Module):
        input_shape = (3, 32, 32)

        def __init__(self, num_classes=5):
            super().__init__()
            self.stem = Stem()
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(8, num_classes)

        def forward(self, x):
            return self.fc(self.pool(self.stem(x)).flatten(1))
""")


def test_a_file_with_several_networks_asks_which_one(qtbot, arch, tmp_path):
    path = tmp_path / "my_nets.py"
    path.write_text(MODELS)
    arch.window().open_paths([path])
    qtbot.waitUntil(lambda: arch.chooser is not None and arch.chooser.isVisible(), timeout=WAIT_MS)
    names = [arch.chooser.list.item(i).text() for i in range(arch.chooser.list.count())]
    assert sorted(names) == ["SmallNet", "Stem"]
    before = arch.report
    arch.chooser.choose("SmallNet")
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    assert arch.report.totals.params == (3 * 9 * 8 + 8) + (8 * 5 + 5)
    assert arch.current_ref == f"{path}:SmallNet"
    assert f"{path}:SmallNet" in arch.catalog.refs("file")
    assert arch.table.layers.rowCount() == len(arch.report.layers)


def test_a_broken_model_file_shows_its_error_and_the_app_stays_up(qtbot, arch, tmp_path):
    path = tmp_path / "broken_net.py"
    path.write_text("from torch import nn\n\nclass Net(nn.Module)\n    pass\n")
    shown = arch.report
    arch.open_model_file(path)
    qtbot.waitUntil(lambda: arch.error_dialog is not None and arch.error_dialog.isVisible(),
                    timeout=WAIT_MS)
    assert "broken_net.py" in arch.error_dialog.text() + arch.error_dialog.informativeText()
    assert "Traceback" not in arch.error_dialog.informativeText()
    arch.error_dialog.close()
    assert arch.report is shown and arch.isVisible()
