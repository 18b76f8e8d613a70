"""Which files Look inside takes is answered without importing the panel, and the panel
opens each kind as the answer says."""

from __future__ import annotations

import numpy as np
import torch

from cnnviz.ui.probe import accepts
from probe_panels import panel  # noqa: F401 - the fixture, used by name
from studio_pictures import picture
from test_augment_accepts import modules_after_import

WAIT_MS = 60_000


def test_the_light_module_imports_neither_qt_widgets_nor_torch():
    assert modules_after_import("cnnviz.ui.probe.accepts") == []
    # The package itself stays light: the panel loads on first use of its name.
    assert modules_after_import("cnnviz.ui.probe") == []
    assert "PySide6.QtWidgets" in modules_after_import("cnnviz.ui.probe.panel")


def test_pictures_pipelines_and_weights_are_taken(tmp_path):
    files = {"image": picture(tmp_path / "dog.png"), "pipeline": tmp_path / "aug.JSON",
             "weights": tmp_path / "resnet20.pth"}
    files["pipeline"].write_text("{}")
    files["weights"].write_bytes(b"")
    for kind, path in files.items():
        assert accepts.file_kind(path) == kind
        assert accepts.can_open(path), path.name
    notes = tmp_path / "notes.txt"
    notes.write_text("")
    assert accepts.file_kind(notes) is None and not accepts.can_open(notes)
    assert not accepts.can_open(tmp_path)  # a folder is never a picture or weights
    assert not accepts.can_open(tmp_path / "missing.pt")


def test_the_panel_opens_what_the_light_module_takes(qtbot, tmp_path, panel):
    from cnnviz.ui.probe import LookInsidePanel

    photo = picture(tmp_path / "ramp.png", 40, 30)
    assert LookInsidePanel.can_open(photo) and not LookInsidePanel.can_open(tmp_path)
    panel.set_architecture("lenet5")
    qtbot.waitUntil(lambda: panel.network is not None and not panel.worker.busy,
                    timeout=WAIT_MS)
    panel.open_paths([photo])
    qtbot.waitUntil(lambda: panel.image is not None, timeout=WAIT_MS)
    assert panel.image_name == "ramp.png" and panel.image.shape == (30, 40, 3)

    state = {k: torch.full_like(v, 0.5) for k, v in panel.network.model.state_dict().items()}
    weights = tmp_path / "halves.pt"
    torch.save(state, weights)
    panel.open_paths([weights])
    qtbot.waitUntil(lambda: panel.network.weights == "file" and not panel.worker.busy,
                    timeout=WAIT_MS)
    first = next(iter(panel.network.model.state_dict().values()))
    assert np.allclose(first.numpy(), 0.5)

    notes = tmp_path / "notes.txt"
    notes.write_text("")
    panel.open_paths([notes])
    assert "notes.txt is not a picture" in panel.banner.message
