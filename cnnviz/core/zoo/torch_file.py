"""A network saved by PyTorch itself: ``model.pt``, ``model.pth`` or ``model.ts``.

A saved file is one of four things, told apart without running any code from it:

- a TorchScript archive (``torch.jit.save``): loaded with :func:`torch.jit.load`, which runs no
  Python from the file, but cnnviz cannot take a scripted network apart into layers (neither
  torch.fx nor module hooks work on it), so it ends in an :class:`ArchError` saying so;
- a whole pickled network (``torch.save(model)``): unpickling it imports and runs Python code
  named by the file, so it is loaded only when the caller passes ``trusted=True``; otherwise
  :class:`TrustRequiredError` says why;
- weights only (a ``state_dict`` or a training checkpoint): there is no network in it, and the
  error says which file to open instead;
- anything else: an :class:`ArchError` saying it is not a PyTorch file.

A network that was loaded is kept per file version (path, modification time and size), so
trusting a file once lets every later look-up of the same version (the explorer, Look inside)
reuse it without asking again.  Each build returns a copy, with the saved weights.
"""

from __future__ import annotations

import copy
import pickle
import pickletools
import sys
import warnings
import zipfile
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from cnnviz.core.errors import ArchError, TrustRequiredError
from cnnviz.core.zoo.file_cache import FileKeyedCache
from cnnviz.core.zoo.registry import ArchSpec

TORCH_SUFFIXES = (".pt", ".pth", ".ts")

# Input sizes tried, in order, when a saved network does not say which it takes.
_GUESSED_SIDES = (224, 32, 28, 64, 96, 227, 299)
# One load per file version, whichever worker asks first.
_loaded: FileKeyedCache[nn.Module] = FileKeyedCache(8)


def is_torch_file_name(path: str | Path) -> bool:
    """True when the name ends in .pt, .pth or .ts (a cheap, textual check)."""
    return str(path).strip().lower().endswith(TORCH_SUFFIXES)


def _is_torchscript(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return any(n.endswith("/constants.pkl") or "/code/" in n for n in names)


def _unsafe_globals(path: Path) -> list[str] | None:
    """The classes and functions unpickling would import, or ``None`` if ``path`` is not a
    ``torch.save`` file at all.  Reads the pickle's opcodes only; runs nothing."""
    try:
        return list(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except (ValueError, RuntimeError, pickle.UnpicklingError, EOFError, zipfile.BadZipFile):
        return None


def _root_class(path: Path) -> tuple[str, str] | None:
    """``(module, class)`` of the object the pickle builds first (its root), read from the
    opcodes of a zip-format ``torch.save`` file without running them."""
    try:
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
            for op, arg, _ in pickletools.genops(archive.read(name)):
                if op.name == "GLOBAL":
                    module, _, cls = str(arg).partition(" ")
                    return module, cls
                if op.name == "STACK_GLOBAL":
                    return None  # names pushed earlier: fall back to the list of globals
    except (zipfile.BadZipFile, OSError, StopIteration, ValueError):
        return None
    return None


def _network_class(path: Path, names: list[str]) -> tuple[str, str]:
    """``(module, class)`` to name for a pickled network: the root object's class, else the
    first global not from torch, else a torchvision model's class (the others are layers)."""
    root = _root_class(path)
    if root is not None and f"{root[0]}.{root[1]}" in names:
        return root
    own = [n for n in names if not n.startswith(("torch.", "torchvision.", "collections."))]
    zoo = [n for n in names if n.startswith("torchvision.models.")
           and not n.startswith("torchvision.models._")]
    module, _, name = (own or zoo or names or ["network"])[0].rpartition(".")
    return module, name


def load_torch_model(path: str | Path, trusted: bool = False) -> nn.Module:
    """The network saved in ``path``, on the CPU, in eval mode.

    Raises :class:`TrustRequiredError` for a pickled network unless ``trusted`` (loading it
    runs code from the file, and imports the module that defines its class from the file's
    folder), and :class:`ArchError` for a TorchScript file, a file of weights only, or a file
    that is not PyTorch's.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise ArchError(f"The model file '{path}' does not exist.")
    return _loaded.get(path, partial(_load, path, trusted))


def _load(path: Path, trusted: bool) -> nn.Module:
    if _is_torchscript(path):
        _refuse_torchscript(path)
    names = _unsafe_globals(path)
    if names is None:
        raise ArchError(f"{path.name} is not a PyTorch file: it is neither a saved network "
                        "nor TorchScript.")
    if not names:
        _refuse_weights(path)
    module, class_name = _network_class(path, names)
    if module == "__main__":
        raise ArchError(f"{path.name} holds a {class_name} defined in the script that saved "
                        "it, which no other program can load; open that .py file instead.")
    if not trusted:
        raise TrustRequiredError(path, class_name, module)
    return _unpickle(path)


def _refuse_torchscript(path: Path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit.load's deprecation notice
            scripted = torch.jit.load(str(path), map_location="cpu")
    except Exception:
        raise ArchError(f"{path.name} looks like TorchScript but cannot be loaded; save it "
                        "again with torch.jit.save.") from None
    name = getattr(scripted, "original_name", "") or "network"
    raise ArchError(f"{path.name} is a TorchScript file ({name}), which cnnviz cannot take "
                    f"apart into layers; open the .py file that defines {name} instead.")


def _refuse_weights(path: Path) -> None:
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:
        content = None
    if isinstance(content, torch.Tensor):
        raise ArchError(f"{path.name} holds a single tensor, not a network.")
    raise ArchError(f"{path.name} holds only weights (a state_dict), not a network: open the "
                    ".py file that defines the network, then load these weights in Look "
                    "inside.")


def _unpickle(path: Path) -> nn.Module:
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)  # the class is usually defined in a neighbouring .py file
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            content = torch.load(path, map_location="cpu", weights_only=False)
    except (ModuleNotFoundError, AttributeError) as exc:
        raise ArchError(f"{path.name} was saved from a network whose code is not here "
                        f"({exc}); put the .py file that defines it next to {path.name}, or "
                        "open that .py file instead.") from None
    except Exception as exc:
        raise ArchError(f"{path.name} could not be loaded: {type(exc).__name__}: "
                        f"{exc}.") from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    if isinstance(content, dict):  # a checkpoint that stores the whole model under a key
        modules = [v for v in content.values() if isinstance(v, nn.Module)]
        content = modules[0] if len(modules) == 1 else content
    if not isinstance(content, nn.Module):
        raise ArchError(f"{path.name} holds a {type(content).__name__}, not a network.")
    return content.eval()


def torch_file_models(path: str | Path, trusted: bool = False) -> list[str]:
    """``[class name]`` of the network saved in ``path`` (see :func:`load_torch_model`)."""
    return [type(load_torch_model(path, trusted)).__name__]


def _guess_input(model: nn.Module) -> tuple[int, ...]:
    """The first of the usual input sizes the network accepts, tried on a weightless copy."""
    declared = getattr(model, "input_shape", None)
    if isinstance(declared, tuple) and declared and all(isinstance(s, int) for s in declared):
        return declared
    convs = [m for m in model.modules() if isinstance(m, nn.modules.conv._ConvNd)]
    if not convs:
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        return (linears[0].in_features,) if linears else (3, 224, 224)
    channels = convs[0].in_channels
    ghost = copy.deepcopy(model).to("meta")
    for side in _GUESSED_SIDES:
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ghost(torch.empty((1, channels, side, side), device="meta"))
            return (channels, side, side)
        except Exception:  # this size does not fit (or meta cannot run it): try the next
            continue
    return (channels, 224, 224)


def _copy_of(model: nn.Module, label: str, saved_classes: int, num_classes: int = 0,
             **_: Any) -> nn.Module:
    if num_classes and num_classes != saved_classes:
        raise ArchError(f"{label} was saved with {saved_classes} classes, and a saved network's "
                        "class count cannot change.")
    return copy.deepcopy(model)


def torch_file_spec(path: Path, class_name: str | None, trusted: bool = False) -> ArchSpec:
    """The spec of the network saved in ``path``; ``class_name``, when given, must match."""
    model = load_torch_model(path, trusted)
    name = type(model).__name__
    if class_name is not None and class_name != name:
        raise ArchError(f"{path.name} holds a {name}, not a {class_name}.")
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    num_classes = getattr(model, "num_classes", None)
    if not isinstance(num_classes, int) or isinstance(num_classes, bool):
        num_classes = linears[-1].out_features if linears else 1000
    label = f"{name} from '{path.name}'"
    return ArchSpec(
        name=f"{path}:{name}", display_name=name, family="Your models", year=0, paper="",
        input_shape=_guess_input(model), num_classes=num_classes,
        note=f"Your own trained network, saved in {path.name}.",
        builder=partial(_copy_of, model, label, num_classes), source="file",
    )
