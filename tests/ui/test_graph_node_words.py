"""Graph nodes say what is inside them: a folded Inception branch names its kernels, and the
join of the branches reads as a concatenation of channels, not as torch's "cat"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter


@pytest.mark.parametrize("first_arch", ["googlenet"])
def test_inception_branches_read_apart_without_opening_them(qtbot, arch, show, first_arch):
    scene = arch.graph.graph_scene
    if "inception3a" in arch.collapsed:
        arch.expand_block("inception3a")
    branches = {key: scene.nodes[key] for key in scene.nodes
                if key.startswith("inception3a.branch")}
    assert len(branches) == 4 and all(item.is_block for item in branches.values())
    subtitles = {key: item.subtitle for key, item in branches.items()}
    assert subtitles["inception3a.branch2"].startswith("1×1 → 3×3")
    assert subtitles["inception3a.branch4"].startswith("3×3 max-pool → 1×1")
    assert subtitles["inception3a.branch1"].split("  ·  ")[0] == "1×1"
    # torchvision's GoogLeNet uses a 3×3 where the paper has a 5×5, and the node says so.
    assert subtitles["inception3a.branch3"].startswith("1×1 → 3×3")
    joins = [item for key, item in scene.nodes.items()
             if not item.is_block and key.startswith("inception3a")
             and arch.report.layer(key).type in ("cat", "concat", "concatenate")]
    assert joins and all(item.full_title.startswith("Concatenate (channels)") for item in joins)


@pytest.mark.parametrize("first_arch", ["googlenet"])
def test_exported_pictures_leave_out_the_expand_buttons(qtbot, arch, show, first_arch,
                                                        tmp_path, monkeypatch):
    from cnnviz.ui.arch import export
    from cnnviz.ui.arch.graph_items import NodeItem

    scene = arch.graph.graph_scene
    assert any(item.is_block for item in scene.nodes.values())
    drawn = []
    original = NodeItem.expand_button_rect
    monkeypatch.setattr(NodeItem, "expand_button_rect",
                        lambda self: drawn.append(self.key) or original(self))
    path = export.export_png(scene, tmp_path / "googlenet.png", scale=1.0)
    assert path.stat().st_size > 0
    assert drawn == []  # no block drew its "+" into the picture
    assert scene.printing is False
    # Drawn as the screen draws it (one block at full size), the button is there.
    block = next(n for n in scene.nodes.values() if n.is_block).sceneBoundingRect()
    picture = QImage(int(block.width()), int(block.height()), QImage.Format.Format_ARGB32)
    painter = QPainter(picture)
    scene.render(painter, QRectF(0, 0, block.width(), block.height()), block)
    painter.end()
    assert drawn
