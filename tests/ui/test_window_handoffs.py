"""The main window passes a trained model to the explorer with the network it was built as."""

from __future__ import annotations

import pytest

WAIT_MS = 60_000

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def first_arch():
    return "plain20"


def test_a_model_without_batch_norm_redraws_the_same_network_with_its_switches(qtbot, window):
    import torch

    from cnnviz.core.zoo import resolve

    arch = window.pages["arch"]
    qtbot.waitUntil(lambda: arch.report is not None and arch.current_ref == "plain20"
                    and not arch.runner.busy, timeout=WAIT_MS)
    assert arch.bar.options()["batch_norm"] is True
    assert any(layer.kind == "norm" for layer in arch.report.layers)
    torch.manual_seed(0)
    module = resolve("plain20").build(num_classes=10, batch_norm=False).eval()
    window.look_inside_model(module, "plain20", {"batch_norm": False}, "Plain-20, step 3", {})
    qtbot.waitUntil(lambda: arch.report is not None and not arch.runner.busy
                    and arch.bar.options()["batch_norm"] is False, timeout=WAIT_MS)
    assert not any(layer.kind == "norm" for layer in arch.report.layers)
    assert window.current_key() == "arch" and arch.tabs.currentWidget() is arch.inside_page
