"""Networks saved by PyTorch (.pt, .pth, .ts): each kind of file opens, or says in one
sentence why not, and a pickled network runs nothing from the file until it is trusted."""

from __future__ import annotations

from pathlib import Path

import importlib
import sys
import textwrap
import uuid

import pytest
import torch
from torch import nn
from saved_networks import TINY_PARAMS, write_saved_networks

from cnnviz.core.errors import ArchError, TraceError, TrustRequiredError
from cnnviz.core.inspect import inspect_model
from cnnviz.core.zoo import list_file_models, resolve
from cnnviz.core.zoo.user_file import MODEL_FILE_SUFFIXES
from cnnviz.ui.file_kinds import MODEL_SUFFIXES, is_model_file


@pytest.fixture()
def saved(tmp_path: Path) -> dict:
    return write_saved_networks(tmp_path)


def test_a_pickled_network_needs_trust_and_runs_nothing_before(saved):
    with pytest.raises(TrustRequiredError) as err:
        list_file_models(saved["full"])
    module = saved["mark"].stem
    assert (err.value.class_name, err.value.module) == ("TinyNet", module)
    assert str(err.value) == (
        f"tiny_full.pt is a whole pickled network (TinyNet from {module}.py), and opening it "
        "runs Python code from the file; open it only if you trust where it came from.")
    with pytest.raises(TrustRequiredError):
        resolve(f"{saved['full']}:TinyNet")
    assert not saved["mark"].exists()


def test_the_trust_question_names_the_network_not_one_of_its_blocks(tmp_path, monkeypatch):
    name = f"blocks_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent("""
        from torch import nn

        class Block(nn.Sequential):
            pass

        class Outer(nn.Module):
            def __init__(self):
                super().__init__()
                self.a, self.b = Block(nn.Conv2d(3, 4, 3)), Block(nn.ReLU())
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    torch.save(importlib.import_module(name).Outer(), tmp_path / "outer.pt")
    with pytest.raises(TrustRequiredError) as err:
        list_file_models(tmp_path / "outer.pt")
    assert (err.value.module, err.value.class_name) == (name, "Outer")


def test_a_network_saved_from_a_scripts_main_says_to_open_the_script(tmp_path, monkeypatch):
    class ScriptNet(nn.Sequential):
        pass

    ScriptNet.__module__, ScriptNet.__qualname__ = "__main__", "ScriptNet"
    monkeypatch.setattr(sys.modules["__main__"], "ScriptNet", ScriptNet, raising=False)
    path = tmp_path / "from_script.pt"
    torch.save(ScriptNet(nn.Conv2d(3, 4, 3)), path)
    with pytest.raises(ArchError) as err:
        list_file_models(path, trusted=True)
    assert str(err.value) == ("from_script.pt holds a ScriptNet defined in the script that "
                              "saved it, which no other program can load; open that .py file "
                              "instead.")


def test_a_trusted_pickled_network_opens_with_its_weights(saved):
    assert list_file_models(saved["full"], trusted=True) == ["TinyNet"]
    assert saved["mark"].exists()  # its class's module was imported from beside the file
    # Trust is kept for this version of the file: the explorer's look-up by reference works.
    spec = resolve(f"{saved['full']}:TinyNet")
    assert (spec.display_name, spec.num_classes, spec.source) == ("TinyNet", 10, "file")
    assert spec.input_shape == (3, 32, 32)  # 224 does not fit its classifier; 32 does
    report = inspect_model(spec)
    assert report.totals.params == TINY_PARAMS
    assert [layer.type for layer in report.layers if layer.params] == ["Conv2d", "Linear"]
    built = spec.build()
    assert torch.equal(built.fc.weight, saved["weights"])
    assert built is not spec.build()  # every build is a copy
    with pytest.raises(ArchError, match="saved with 10 classes"):
        spec.build(num_classes=3)


def test_a_changed_file_needs_trust_again(saved, tmp_path):
    list_file_models(saved["full"], trusted=True)
    copy = tmp_path / "copy.pt"
    copy.write_bytes(saved["full"].read_bytes())
    with pytest.raises(TrustRequiredError):
        list_file_models(copy)


def test_a_state_dict_says_to_open_the_python_file(saved):
    with pytest.raises(ArchError) as err:
        list_file_models(saved["state"])
    assert str(err.value) == (
        "tiny_state.pth holds only weights (a state_dict), not a network: open the .py file "
        "that defines the network, then load these weights in Look inside.")


def test_torchscript_says_it_cannot_be_taken_apart_because_it_cannot(saved):
    with pytest.raises(ArchError) as err:
        list_file_models(saved["script"])
    assert str(err.value) == (
        "tiny_script.ts is a TorchScript file (TinyNet), which cnnviz cannot take apart into "
        "layers; open the .py file that defines TinyNet instead.")
    # The sentence is true: the engine neither traces a scripted module nor hooks it.
    with pytest.warns(FutureWarning):
        scripted = torch.jit.load(str(saved["script"]))
    with pytest.raises(TraceError, match="not supported on ScriptModules"):
        inspect_model(scripted, input_shape=(3, 32, 32))


def test_a_file_that_is_not_pytorch(saved):
    with pytest.raises(ArchError) as err:
        resolve(str(saved["text"]))
    assert str(err.value) == ("not_a_model.pt is not a PyTorch file: it is neither a saved "
                              "network nor TorchScript.")


def test_a_pickled_network_whose_code_is_gone(saved):
    saved["mark"].with_suffix(".py").unlink()
    with pytest.raises(ArchError, match="whose code is not here.*next to tiny_full.pt"):
        list_file_models(saved["full"], trusted=True)


def test_the_window_routes_every_model_suffix_the_core_opens(saved, tmp_path):
    assert set(MODEL_SUFFIXES) == set(MODEL_FILE_SUFFIXES)
    for key in ("full", "state", "script", "text"):
        assert is_model_file(saved[key])
    upper = tmp_path / "MODEL.PTH"
    upper.write_bytes(b"")
    assert is_model_file(upper)
    assert not is_model_file(tmp_path / "missing.pt")
    assert not is_model_file(tmp_path / "notes.txt")
