"""Writes a tiny network the ways a student saves one: its .py module beside a whole pickle
(torch.save(model)), a state_dict, TorchScript, and a .pt that is only text."""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
import warnings
from pathlib import Path

import torch

NET_SOURCE = textwrap.dedent("""
    import pathlib
    from torch import nn

    # Leaves a mark whenever this module is imported (unpickling the network imports it).
    pathlib.Path(__file__).with_suffix(".imported").touch()


    class TinyNet(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                                          nn.MaxPool2d(2))
            self.fc = nn.Linear(8 * 16 * 16, num_classes)

        def forward(self, x):
            return self.fc(self.features(x).flatten(1))
""")

TINY_PARAMS = (3 * 9 * 8 + 8) + (8 * 16 * 16 * 10 + 10)


def write_saved_networks(folder: Path) -> dict:
    """Paths under ``folder`` ("full", "state", "script", "text"; "mark" is the file that
    appears once the network's module is imported) and the saved "weights" of its fc layer.
    The module is forgotten afterwards, so loading must find it beside the files."""
    name = f"tinynet_{uuid.uuid4().hex[:8]}"
    (folder / f"{name}.py").write_text(NET_SOURCE)
    sys.path.insert(0, str(folder))
    try:
        model = importlib.import_module(name).TinyNet().eval()
    finally:
        sys.path.remove(str(folder))
    files = {"full": folder / "tiny_full.pt", "state": folder / "tiny_state.pth",
             "script": folder / "tiny_script.ts", "text": folder / "not_a_model.pt"}
    torch.save(model, files["full"])
    torch.save(model.state_dict(), files["state"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit.script's deprecation notice
        torch.jit.script(model).save(str(files["script"]))
    files["text"].write_text("hello, this is not a model")
    sys.modules.pop(name)
    files["mark"] = folder / f"{name}.imported"
    files["mark"].unlink()
    files["weights"] = model.fc.weight.detach().clone()
    return files
