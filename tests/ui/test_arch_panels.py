"""The Architectures workspace's panels in a 1280 x 800 window: the header after a failed
pick, the catalog column, the details' formulas, the layer table, Compare, option tooltips,
names and search."""

from __future__ import annotations

import textwrap

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox

from cnnviz.ui import settings
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.formula_layout import split_top
from cnnviz.ui.arch.layer_table import KEY_ROLE
from cnnviz.ui.arch.model_bar import ModelBar
from cnnviz.ui.arch.table_panel import COMPACT_ROWS

WAIT_MS = 60_000

# Builds, but its classifier expects 99,999 features: the trace fails with a clear sentence.
BAD_NET = textwrap.dedent("""
    from torch import nn

    class MyNet(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.fc = nn.Linear(99999, num_classes)

        def forward(self, x):
            return self.fc(self.conv(x).view(-1, 99999))
""")


@pytest.fixture
def first_arch():
    return "lenet5"


def _leaf_refs(catalog) -> list[str]:
    proxy, refs = catalog.proxy, []
    for row in range(proxy.rowCount()):
        group = proxy.index(row, 0)
        refs += [proxy.index(r, 0, group).data(Qt.ItemDataRole.UserRole + 1)
                 for r in range(proxy.rowCount(group))]
    return refs


def test_a_model_that_fails_to_build_leaves_every_view_on_the_network_shown(qtbot, arch, tmp_path):
    shown = arch.report
    path = tmp_path / "bad_model.py"
    path.write_text(BAD_NET)
    arch.open_model_file(path)
    qtbot.waitUntil(lambda: arch.banner.isVisible() and not arch.runner.busy, timeout=WAIT_MS)
    assert "MyNet" in arch.banner.message  # the sentence names what failed
    assert arch.report is shown and arch.inspection.ref == "lenet5"
    # Header, catalog, card, details and graph all speak of LeNet-5 again.
    assert arch.bar.title.text() == "LeNet-5" and arch.bar.subtitle.text().startswith("LeNet")
    assert arch.current_ref == "lenet5" and arch.catalog.current_ref() == "lenet5"
    assert arch.catalog.card.title.text() == "LeNet-5"
    assert arch.catalog.card.metrics["params"].text() == fmt.count(shown.totals.params)
    assert arch.details.toPlainText().startswith("LeNet-5")
    assert arch.bar.input_shape() == tuple(shown.input_shape)
    assert set(arch.bar.option_widgets) == {"activation", "init"}
    assert f"{path}:MyNet" in arch.catalog.refs("file")  # still listed, to try again
    assert settings.read_str("arch/last", "") == "lenet5"
    # The export names the network on screen.
    out = arch.export("csv", tmp_path / "shown.csv")
    assert out is not None and "features.0" in out.read_text()


def test_the_catalog_column_keeps_its_width_whatever_is_picked(qtbot, arch, show, tmp_path):
    arch.bar.catalog_button.click()  # hidden at first on a 1280-pixel screen
    qtbot.waitUntil(arch.catalog.isVisible, timeout=2_000)
    for _ in range(3):
        qtbot.wait(50)
    width, centre = arch.catalog.width(), arch.tabs.mapTo(arch, arch.tabs.rect().topLeft()).x()
    show("resnet20")  # a twin with a long name
    card = arch.catalog.card
    assert card.twin_button.full_text() == "Compare with Plain-20"
    path = tmp_path / "a_file_with_a_rather_long_name_for_a_network.py"
    path.write_text(BAD_NET.replace("MyNet", "AnotherNetworkWithAVeryLongName")
                    .replace("99999", "8 * 30 * 30")
                    .replace("(nn.Module):", "(nn.Module):\n    input_shape = (3, 32, 32)\n"))
    before = arch.report
    arch.open_model_file(path)
    qtbot.waitUntil(lambda: arch.report is not before and not arch.runner.busy, timeout=WAIT_MS)
    for _ in range(3):  # let every deferred layout request run before measuring
        qtbot.wait(50)
    assert arch.catalog.width() == width
    assert arch.tabs.mapTo(arch, arch.tabs.rect().topLeft()).x() == centre
    # At the narrowest column the twin button shortens its text instead of widening it.
    show("vgg19")  # the longest twin name: "Compare with VGG-19 (BN)"
    arch.main_split.setSizes([1, 2000])
    qtbot.waitUntil(lambda: arch.catalog.width() <= 260, timeout=5000)
    button = card.twin_button
    button.setStyleSheet("font-size: 15pt")  # as on a projector: the name no longer fits
    qtbot.waitUntil(lambda: button.text().endswith("…"), timeout=5000)
    assert button.width() <= card.contentsRect().width()
    assert button.toolTip().startswith(button.full_text())


def _formula_blocks(details):
    """(text, visual line count) of each monospaced formula line in the details document."""
    lines = {line.text.replace(" ", "\u00a0") for line in details._shown_lines if not line.note}
    found, block = [], details.document().begin()
    while block.isValid():
        text = block.text().replace(" ", "\u00a0")
        if text in lines:
            found.append((block.text(), block.layout().lineCount()))
        block = block.next()
    return found


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _drag(widget, dx: int) -> None:
    """Press the left button on ``widget``'s centre, move it ``dx`` pixels, release."""
    start = QPointF(widget.rect().center())
    end = start + QPointF(dx, 0)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, pos, button, buttons in (
            (QEvent.Type.MouseButtonPress, start, left, left),
            (QEvent.Type.MouseMove, end, none, left),
            (QEvent.Type.MouseButtonRelease, end, left, none)):
        QApplication.sendEvent(widget, QMouseEvent(kind, pos, widget.mapToGlobal(pos), button,
                                                   buttons, Qt.KeyboardModifier.NoModifier))


def test_formulas_never_wrap_inside_an_expression(qtbot, arch):
    conv = next(l for l in arch.report.layers if l.kind == "conv")
    arch.select_layer(conv.id)
    details = arch.details
    assert details.subject == conv.id
    blocks = _formula_blocks(details)
    assert blocks and len(blocks) == len([l for l in details._shown_lines if not l.note])
    for text, lines in blocks:
        assert lines == 1, text  # Qt wrapped nothing
        assert _balanced(text.replace("\u00a0", " ")), text  # broken only between terms
    assert details.horizontalScrollBar().maximum() == 0
    # Every formula is there whole, in order, once the breaks are taken out.
    shown = " ".join(details.toPlainText().split())
    for formula in conv.formulas:
        for piece in split_top(formula, "; "):
            assert piece in shown

    # The user drags the column's edge to the left: each formula then fits on one line, and
    # the column keeps its new width when the window grows.
    _drag(arch.details_split.handle(1), -350)
    qtbot.waitUntil(lambda: details.width() > 550, timeout=5000)
    width = details.width()
    arch.window().resize(1400, 800)
    qtbot.waitUntil(lambda: arch.window().width() == 1400, timeout=5000)
    assert details.width() == width
    pieces = [p for f in conv.formulas for p in split_top(f, "; ")]
    assert [t.replace("\u00a0", " ") for t, _n in _formula_blocks(details)] == pieces
    assert details._shown_lines[0].px == 12


def _parameters_fit(table) -> int:
    """Check that every column up to Parameters fits whole in the view; its index."""
    view = table.view
    params = table.layers.COLUMNS.index("Parameters")
    assert view.columnViewportPosition(params) + view.columnWidth(params) <= view.viewport().width()
    metrics = view.fontMetrics()
    for col in range(params + 1):
        longest = table.layers.longest_text(col)
        if col not in table.layers.SHRINKABLE:  # names may lose their middle, numbers never
            assert metrics.horizontalAdvance(longest) < view.columnWidth(col), longest
    return params


@pytest.mark.parametrize("first_arch", ["resnet18"])
def test_the_layer_table_shows_whole_rows_and_numbers_at_1280(qtbot, arch, first_arch, show):
    assert arch.window().width() == 1280 and arch.window().height() == 800
    view = arch.table.view
    rows = view.viewport().height() / view.verticalHeader().defaultSectionSize()
    assert rows >= COMPACT_ROWS  # a laptop screen: the graph above takes the height
    params = _parameters_fit(arch.table)
    metrics = view.fontMetrics()
    # The conv1 row reads 9,408 in full, where "9,4" was cut before.
    row = next(r for r in range(view.model().rowCount())
               if view.model().index(r, 0).data(KEY_ROLE) == "conv1")
    index = view.model().index(row, params)
    assert index.data() == "9,408"
    assert metrics.horizontalAdvance("9,408") < view.visualRect(index).width()
    # Long layer names ("features.1.0.block.0.0") give way to the numbers too.
    show("efficientnet_b0")
    _parameters_fit(arch.table)
    layer = arch.table.layers.COLUMNS.index("Layer")
    assert view.columnWidth(layer) < metrics.horizontalAdvance(arch.table.layers.longest_text(layer))


def test_compare_rows_are_whole_and_the_bar_drops_the_networks_switches(qtbot, arch):
    bar = arch.bar
    assert bar.option_widgets and all(w.isVisible() for w in bar.option_widgets.values())
    tab_bar = arch.tabs.tabBar()
    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton,
                     pos=tab_bar.tabRect(arch.tabs.indexOf(arch.compare)).center())
    assert arch.tabs.currentWidget() is arch.compare
    assert bar.title.text() == "Compare" and bar.network_title() == "LeNet-5"
    assert not any(w.isVisible() for w in bar.option_widgets.values())
    assert not bar.shade.isVisible() and not bar.classes.isVisible()
    assert not bar.export_button.isVisible() and bar.fit_button.isVisible()

    panel = arch.compare
    panel.compare("plain20", "resnet20")
    qtbot.waitUntil(lambda: all(panel.reports) and not arch.runner.busy, timeout=WAIT_MS)
    table, rows = panel.table, panel.table.verticalHeader()
    for i in range(rows.count()):
        assert rows.sectionSize(i) >= rows.sectionSizeHint(i), table.verticalHeaderItem(i).text()
    assert table.viewport().height() >= rows.length()  # no row cut at the bottom

    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton, pos=tab_bar.tabRect(0).center())
    assert bar.title.text() == "LeNet-5"
    assert all(w.isVisible() for w in bar.option_widgets.values()) and bar.shade.isVisible()


def test_each_option_says_what_it_changes(qtbot, make_shown):
    bar = make_shown(ModelBar, (1200, 120))
    bar.show_entry("GoogLeNet", "", (3, 224, 224), 1000,
                   {"batch_norm": True, "activation": "relu", "init": "default",
                    "aux_logits": False, "five_by_five": False})
    widgets = bar.option_widgets
    assert widgets["aux_logits"].text() == "Auxiliary classifiers"
    assert "training" in widgets["aux_logits"].toolTip()
    assert "5×5" in widgets["five_by_five"].text() + widgets["five_by_five"].toolTip()
    assert "bias" in widgets["batch_norm"].toolTip()
    tips = {w.toolTip() for w in widgets.values()}
    assert len(tips) == len(widgets)  # one sentence each, none shared
    for key, widget in widgets.items():
        tip = widget.toolTip()
        assert tip[0].isupper() and tip.endswith(".") and "_" not in tip, key
        assert "Rebuild the network with" not in tip
    activation = widgets["activation"]
    assert isinstance(activation, QComboBox) and isinstance(widgets["batch_norm"], QCheckBox)
    assert [activation.itemText(i) for i in range(activation.count())] == ["ReLU", "Tanh", "Sigmoid"]
    # A rebuilt network with the same switches keeps the widgets (and the keyboard focus).
    before = dict(widgets)
    bar.show_entry("GoogLeNet", "", (3, 224, 224), 1000,
                   {"batch_norm": False, "activation": "tanh", "init": "he",
                    "aux_logits": True, "five_by_five": False})
    assert bar.option_widgets == before
    assert bar.options() == {"batch_norm": False, "activation": "tanh", "init": "he",
                             "aux_logits": True, "five_by_five": False}


def test_torchvision_models_go_by_their_display_name_everywhere(qtbot, arch, show):
    messages = []
    arch.status_message.connect(messages.append)
    model = arch.catalog.model
    names = {model.item(r).child(c).data(Qt.ItemDataRole.UserRole + 1): model.item(r).child(c).text()
             for r in range(model.rowCount()) for c in range(model.item(r).rowCount())}
    assert names["efficientnet_b0"] == "EfficientNet-B0"
    assert names["densenet121"] == "DenseNet-121"
    report = show("efficientnet_b0")
    assert report.display_name == "EfficientNet-B0"
    assert arch.bar.title.text() == "EfficientNet-B0"
    assert arch.catalog.card.title.text() == "EfficientNet-B0"
    assert arch.details.toPlainText().startswith("EfficientNet-B0")
    assert messages[-1].startswith("EfficientNet-B0: ")
    assert not any("efficientnet_b0" in text for text in
                   (arch.bar.title.text(), arch.bar.subtitle.text(), arch.details.toPlainText(),
                    messages[-1]))


def test_search_says_when_nothing_matches_and_skip_finds_the_residual_networks(qtbot, arch):
    catalog = arch.catalog
    arch.bar.catalog_button.click()
    assert catalog.search.hasFocus()  # shown to pick from: typing searches at once
    qtbot.keyClicks(catalog.search, "zzz")
    assert catalog.no_match.isVisible() and not catalog.tree.isVisible()
    assert "zzz" in catalog.no_match.text()
    catalog.search.clear()
    assert catalog.tree.isVisible() and not catalog.no_match.isVisible()

    qtbot.keyClicks(catalog.search, "skip")
    refs = _leaf_refs(catalog)
    assert {"resnet18", "resnet20", "mobilenet_v2", "efficientnet_b0"} <= set(refs)
    assert not [r for r in refs if r.startswith(("plain", "vgg", "lenet", "alexnet"))]
    assert "mobilenet_v1" not in refs and not catalog.no_match.isVisible()


@pytest.mark.parametrize("value,text", [
    (1_502_000_000, "1.50G"), (6_624_904, "6.62M"), (11_689_512, "11.7M"),
    (138_357_544, "138M"), (61_706, "61.7K"), (999_600, "1.00M"), (999, "999"), (0, "0"),
])
def test_big_numbers_keep_three_significant_digits(value, text):
    assert fmt.count(value) == text
