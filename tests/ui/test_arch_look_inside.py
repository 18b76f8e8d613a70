"""The "Look inside" tab of the Architectures workspace follows the catalog."""

from __future__ import annotations

import numpy as np

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
