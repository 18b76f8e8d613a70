"""One meaning of "Layers" (the papers' depth) across the explorer, the repeat badges
explained, and gradient norms written as the plots write powers of ten."""

from __future__ import annotations

from cnnviz.ui.arch import formatting as fmt


def test_layers_is_the_depth_in_the_name_everywhere(qtbot, arch, show):
    messages = []
    arch.status_message.connect(messages.append)
    report = show("resnet18")
    modules = len(report.layers)
    assert modules > 18
    card = arch.catalog.card.metrics["layers"]
    assert card.text() == "18"
    assert "1×1 convolutions that project a shortcut" in card.toolTip() and f"{modules} modules" in card.toolTip()
    text = arch.details.toPlainText()
    assert "Layers\n18" in text.replace("\t", "\n") or "Layers 18" in text.replace("\t", " ")
    assert f"Modules\n{modules}" in text.replace("\t", "\n") or f"Modules {modules}" in text
    assert f"ResNet-18: 18 layers ({modules} modules)" in messages[-1]
    assert arch.table.btn_layers.text() == "Modules"
    assert arch.table.footer.text().startswith(f"{modules} modules")

    # A block says its own weighted layers; a downsampling block does not count its 1×1
    # projection, and its details agree with its box.
    arch.collapse_all()
    scene = arch.graph.graph_scene
    for path in ("layer1.0", "layer2.0"):  # the subtitle gives the kernels, the tip the count
        assert scene.nodes[path].toolTip().split("<br>")[1].startswith("2 layers (")
    arch.select_layer("layer2.0")
    assert "Layers 2" in arch.details.toPlainText().replace("\t", " ").replace("\n", " ")


def test_repeat_badges_say_what_they_mean(qtbot, arch, show):
    show("resnet34")
    arch.collapse_all()
    scene = arch.graph.graph_scene
    first, second, third = (scene.nodes[f"layer1.{i}"] for i in range(3))
    assert (first.badge, second.badge, third.badge) == ("× 3", "2/3", "3/3")
    assert "× 3</b>: the first of 3 identical blocks in a row, layer1.0 to layer1.2" \
        in first.toolTip()
    assert "2/3</b>: block 2 of 3 identical blocks in a row, the same layers as layer1.0" \
        in second.toolTip()
    assert not scene.nodes["layer2.0"].badge or "identical" in scene.nodes["layer2.0"].toolTip()


def test_gradient_norms_read_like_the_plot_axes():
    assert fmt.norm(1e-5) == "10⁻⁵"
    assert fmt.norm(3.21e-5) == "3.21·10⁻⁵"
    assert fmt.norm(4.5e4) == "4.50·10⁴"
    assert fmt.norm(0.0523) == "0.0523" and fmt.norm(0.566) == "0.566"
    assert fmt.norm(float("nan")) == "–" and fmt.norm(0.0) == "0"
    assert "e" not in fmt.norm(1.23e-7)


def test_details_give_googlenets_depth_beside_its_layers(qtbot, arch, show):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from cnnviz.core.inspect.depth import DEPTH_MEANING

    report = show("googlenet")
    assert report.network_depth == 22
    details = arch.details
    cells = details.toPlainText().replace("\t", "\n").split("\n")
    at = cells.index("Layers")
    assert cells[at:at + 4] == ["Layers", "58", "Depth", "22"]
    assert "as the papers do" not in details.toPlainText()  # not every paper counts layers
    # Resting the pointer on "Depth" says how it is counted.
    cursor = details.document().find("Depth")
    cursor.setPosition(cursor.selectionStart() + 1)
    where = details.cursorRect(cursor).center()
    QApplication.sendEvent(details.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, where, details.viewport().mapToGlobal(where)))
    assert QToolTip.text() == DEPTH_MEANING
    QToolTip.hideText()


def test_the_blocks_table_counts_modules(qtbot, arch, show):
    from PySide6.QtCore import Qt

    report = show("googlenet")
    table = arch.table
    table.btn_blocks.click()
    model = table.view.model()
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "Modules" in header and "Layers" not in header
    column = header.index("Modules")
    assert "modules inside the block" in model.headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    source = model.sourceModel()
    row = source.row_of("inception3a")
    inside = sum(1 for layer in report.layers if layer.block.split(".")[0] == "inception3a")
    assert source.display(row, column) == str(inside)
