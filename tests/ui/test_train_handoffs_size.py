"""A model trained in the lab at a size of its own reaches Look inside with that size: through
the Train header's menu, the hand-off signal and the main window."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.core.train import ModelConfig, RunConfig

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def photo(h=70, w=110) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // w, y * 255 // h, ((x // 7 + y // 7) % 2) * 230],
                    axis=2).astype(np.uint8)


def explorer_settled(qtbot, window) -> None:
    """Let the explorer finish inspecting its first network (it would then show that one)."""
    arch = window.pages.get("arch")
    if arch is not None:
        qtbot.waitUntil(lambda: arch.report is not None and not arch.runner.busy,
                        timeout=WAIT_MS)


def test_a_resnet20_trained_at_40_pixels_is_looked_inside_at_40(qtbot, window, tmp_path):
    explorer_settled(qtbot, window)
    ws = window.show_workspace("train")
    config = RunConfig(models=(ModelConfig("resnet20"),), dataset="shapes", num_classes=3,
                       image_size=40, train_size=16, val_size=8, batch_size=4, steps=1,
                       device="cpu", validate=False)
    assert ws.start(config=config, run_dir=tmp_path / "lab40")
    qtbot.waitUntil(lambda: not ws.running, timeout=WAIT_MS)
    assert ws.banner.isHidden(), ws.banner.text.text()
    assert ws.handoffs.data["image_size"] == 40 and ws.handoffs.data["channels"] == 3

    sent = []
    ws.look_inside_model_requested.connect(lambda *args: sent.append(args))
    (action,) = _filled(ws.bar.look_button.menu())
    action.trigger()
    qtbot.waitUntil(lambda: window.current_key() == "arch", timeout=WAIT_MS)
    assert sent and sent[0][4]["image_size"] == 40 and sent[0][4]["channels"] == 3

    panel = window.pages["arch"].look_inside()
    panel.set_image(photo(), "grid.png")
    qtbot.waitUntil(lambda: panel.network is not None and panel.network.weights == "lab"
                    and panel.probe is not None and panel.probe.network is panel.network
                    and not panel.worker.busy, timeout=WAIT_MS)
    assert not panel.banner.message, panel.banner.message
    assert panel.network.input_shape == (3, 40, 40)
    assert panel.probe.seen.shape == (40, 40, 3)
    assert panel.probe.acts.get("conv1").shape == (16, 40, 40)
    assert panel.probe.acts.get("layer3.0.conv1").shape == (64, 10, 10)
    classes = list(ws.handoffs.data["classes"])
    assert {p.name for p in panel.predictions.predictions} == set(classes)
    assert panel.network.prep.mean == pytest.approx(ws.handoffs.data["mean"])
    assert panel.header.subtitle.text().startswith("3×40×40 input · ")
    assert panel.header.lab_strip.size_tag.text() == "input 40×40"


def test_the_hand_off_signals_input_reaches_the_panel_through_the_main_window(qtbot, window):
    import torch
    from cnnviz.core.zoo import resolve

    explorer_settled(qtbot, window)
    ws = window.show_workspace("train")
    torch.manual_seed(0)
    module = resolve("plain20").build(num_classes=4).eval()
    data = {"classes": ["a", "b", "c", "d"], "mean": [0.4, 0.4, 0.5], "std": [0.2, 0.3, 0.2],
            "image_size": 56, "channels": 3}
    ws.look_inside_model_requested.emit(module, "plain20", {}, "plain20, step 7", data)
    assert window.current_key() == "arch"
    panel = window.pages["arch"].look_inside()
    assert panel._lab.image_size == 56 and panel._lab.channels == 3
    panel.set_image(photo(), "grid.png")
    qtbot.waitUntil(lambda: panel.network is not None and panel.network.weights == "lab"
                    and panel.probe is not None and panel.probe.network is panel.network
                    and not panel.worker.busy, timeout=WAIT_MS)
    assert not panel.banner.message, panel.banner.message
    assert panel.probe.acts.get("layer3.2.conv2").shape == (64, 14, 14)
    assert len(panel.predictions.predictions) == 4


def _filled(menu):
    menu.aboutToShow.emit()  # what opening the menu does: fill it for the run shown now
    return menu.actions()


def test_a_lab_model_sent_before_the_explorer_settles_stays_until_another_network_is_picked(
        qtbot, window):
    import torch
    from cnnviz.core.zoo import resolve

    ws = window.show_workspace("train")
    torch.manual_seed(0)
    module = resolve("resnet20").build(num_classes=3).eval()
    data = {"classes": ["a", "b", "c"], "mean": [0.5] * 3, "std": [0.25] * 3,
            "image_size": 48, "channels": 3}
    # Sent at once: the explorer is still loading its catalog and first network.
    ws.look_inside_model_requested.emit(module, "resnet20", {}, "resnet20, step 3", data)
    arch = window.pages["arch"]
    panel = arch.look_inside()
    explorer_settled(qtbot, window)
    qtbot.waitUntil(lambda: panel.network is not None and not panel.worker.busy,
                    timeout=WAIT_MS)
    assert panel.network.weights == "lab" and panel.network.input_shape == (3, 48, 48)
    assert arch.current_ref == "resnet20" and arch.inspection.ref == "resnet20"

    other = next(ref for ref in arch.catalog.entries if ref != arch.current_ref
                 and "lenet" in ref.lower())
    arch.select_arch(other)
    qtbot.waitUntil(lambda: arch.report is not None and arch.inspection.ref == other
                    and not arch.runner.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.network is not None and panel.network.weights != "lab"
                    and not panel.worker.busy, timeout=WAIT_MS)
