"""The "Look inside" tab of the Architectures workspace follows the catalog."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

WAIT_MS = 60_000


def test_look_inside_tab_follows_the_catalog(qtbot, arch, show):
    assert arch.inside_panel is None  # nothing heavy is built before the tab is opened
    arch.tabs.setCurrentWidget(arch.inside_page)
    panel = arch.inside_panel
    qtbot.waitUntil(lambda: panel.network is not None and not panel.worker.busy, timeout=WAIT_MS)
    assert panel.network.ref == "lenet5"
    image = np.zeros((40, 50, 3), np.uint8)
    image[:, 25:] = 255
    panel.set_image(image)
    qtbot.waitUntil(lambda: panel.probe is not None and not panel.worker.busy, timeout=WAIT_MS)
    assert panel.layer_list.topLevelItemCount() >= 4
    show("resnet20")
    qtbot.waitUntil(lambda: panel.network is not None and panel.network.ref == "resnet20"
                    and not panel.worker.busy, timeout=WAIT_MS)
    arch.tabs.setCurrentIndex(0)
    show("lenet5")
    assert panel.network.ref == "resnet20"  # hidden, it does not rebuild on every pick


def test_the_studio_sends_its_picture_and_pipeline_to_look_inside(qtbot, window, tmp_path):
    from PIL import Image

    from cnnviz.core.augment import Pipeline, Step

    path = tmp_path / "stripes.png"
    stripes = np.zeros((48, 64, 3), np.uint8)
    stripes[:, ::8] = 255
    Image.fromarray(stripes).save(path)
    studio = window.show_workspace("augment")
    studio.open_paths([path])
    qtbot.waitUntil(lambda: studio.current is not None, timeout=WAIT_MS)
    studio.editor.set_pipeline(Pipeline([Step("hflip", probability=1.0)]))
    qtbot.mouseClick(studio.look_button, Qt.MouseButton.LeftButton)
    arch = window.pages["arch"]
    assert window.current_page() is arch and arch.tabs.currentWidget() is arch.inside_page
    panel = arch.inside_panel
    qtbot.waitUntil(lambda: panel.probe is not None and not panel.worker.busy, timeout=WAIT_MS)
    assert panel.image_name == "stripes.png"
    assert np.array_equal(panel.probe.image, stripes)
    assert [s.op for s in panel.pipeline.steps] == ["hflip"]
