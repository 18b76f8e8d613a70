"""A user's own model from a file: ``path/to/file.py:ClassName``, or a network PyTorch saved
(``model.pt``, ``.pth``, ``.ts``; see :mod:`cnnviz.core.zoo.torch_file`).

Opening a .py file runs its top-level code: it is executed as a module (not as ``__main__``,
so its ``if __name__ == "__main__":`` block does not run) with its own folder on ``sys.path``,
so it may import its neighbours.  It runs once per version of the file (path, modification
time and size): listing its classes and then building one reuse the same module.  Every way
this can go wrong becomes an :class:`ArchError` whose message says what to fix.

A class may declare ``input_shape = (C, H, W)`` and ``num_classes = N`` as class attributes to
tell cnnviz its default input size and class count; otherwise the count is read from the
constructor's ``num_classes`` default or the model's last linear layer, and the input is
``(C, 224, 224)`` with ``C`` the first convolution's input channels.  :func:`file_spec` creates
the model once on the meta device to check that it can be created at all.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
from torch import nn

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo.file_cache import FileKeyedCache
from cnnviz.core.zoo.registry import ArchSpec
from cnnviz.core.zoo.torch_file import TORCH_SUFFIXES, torch_file_models, torch_file_spec

MODEL_FILE_SUFFIXES = (".py", *TORCH_SUFFIXES)

# Workers may list a file and build from it at once: the file must still run only once.
_modules: FileKeyedCache[ModuleType] = FileKeyedCache(16)


def is_file_ref(ref: str) -> bool:
    """True for ``net.py``, ``net.py:ClassName``, ``model.pt`` (.pth, .ts) and
    ``model.pt:ClassName`` (a cheap, textual check)."""
    ref = ref.strip().rstrip(":")
    path = ref.rsplit(":", 1)[0] if ref.rsplit(":", 1)[-1].isidentifier() else ref
    return path.strip().lower().endswith(MODEL_FILE_SUFFIXES)


def split_ref(ref: str) -> tuple[Path, str | None]:
    """``"dir/net.py:Net"`` -> ``(Path("dir/net.py"), "Net")``; no class gives ``None``."""
    ref = ref.strip().rstrip(":")
    head, sep, tail = ref.rpartition(":")
    if sep and tail.isidentifier() and head.lower().endswith(MODEL_FILE_SUFFIXES):
        return Path(head).expanduser(), tail
    return Path(ref).expanduser(), None


def _is_torch_file(path: Path) -> bool:
    return path.suffix.lower() in TORCH_SUFFIXES


def _load_module(path: Path) -> ModuleType:
    """The module ``path`` defines, run once per version of the file."""
    if not path.is_file():
        raise ArchError(f"The model file '{path}' does not exist.")
    return _modules.get(path, partial(_run_module, path))


def _run_module(path: Path) -> ModuleType:
    resolved = path.resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:12]
    module_name = f"cnnviz_user_model_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise ArchError(f"'{path}' cannot be loaded as a Python module.")
    module = importlib.util.module_from_spec(spec)
    folder = str(resolved.parent)
    # Dataclasses and pickling look the module up by name while it runs.
    sys.modules[module_name] = module
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(module_name, None)
        raise ArchError(f"'{path.name}' has a syntax error on line {exc.lineno}: "
                        f"{exc.msg}.") from None
    except ImportError as exc:
        sys.modules.pop(module_name, None)
        raise ArchError(f"'{path.name}' could not import what it needs: {exc}.") from None
    except Exception as exc:  # anything the user's top-level code raises
        sys.modules.pop(module_name, None)
        raise ArchError(f"Running '{path.name}' failed with {type(exc).__name__}: "
                        f"{exc}.") from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def _module_classes(module: ModuleType) -> dict[str, type[nn.Module]]:
    return {
        name: obj for name, obj in vars(module).items()
        if inspect.isclass(obj) and issubclass(obj, nn.Module)
        and obj.__module__ == module.__name__
    }


def list_file_models(path: str | Path, trusted: bool = False) -> list[str]:
    """Names of the ``nn.Module`` classes a .py file defines (not those it imports), in
    order; for a file PyTorch saved, the class of the network in it.

    A .py file's top-level code runs (once per version of the file).  A pickled network is
    loaded only with ``trusted=True`` (see :class:`TrustRequiredError`); once loaded, later
    calls for the same version of the file need no trust.
    """
    path = Path(path).expanduser()
    if _is_torch_file(path):
        return torch_file_models(path, trusted)
    return list(_module_classes(_load_module(path)))


def _required_args(cls: type) -> list[str]:
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return []
    return [
        p.name for p in list(sig.parameters.values())[1:]
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _takes_num_classes(cls: type) -> inspect.Parameter | None:
    try:
        return inspect.signature(cls.__init__).parameters.get("num_classes")
    except (TypeError, ValueError):
        return None


def _construct(cls: type[nn.Module], label: str, **kwargs: Any) -> nn.Module:
    try:
        return cls(**kwargs)
    except Exception as exc:
        raise ArchError(f"Creating {label} failed with {type(exc).__name__}: {exc}.") from None


def _build(cls: type[nn.Module], label: str, default_classes: int, num_classes: int = 0,
           **_: Any) -> nn.Module:
    if _takes_num_classes(cls) is not None:
        return _construct(cls, label, num_classes=num_classes)
    if num_classes and num_classes != default_classes:
        raise ArchError(f"{label} has no num_classes argument, so its class count stays "
                        f"{default_classes}.")
    return _construct(cls, label)


def _probe(model: nn.Module) -> tuple[int | None, int | None]:
    """(input channels of the first conv, outputs of the last linear layer), if any."""
    convs = [m for m in model.modules() if isinstance(m, nn.modules.conv._ConvNd)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return (convs[0].in_channels if convs else None,
            linears[-1].out_features if linears else None)


def file_spec(ref: str, trusted: bool = False) -> ArchSpec:
    """The spec for ``path/to/file.py:ClassName`` (the class may be left out when the file
    defines just one) or ``path/to/model.pt``; every failure is an :class:`ArchError`.

    A .py file's top-level code runs; ``trusted`` is as for :func:`list_file_models`.
    """
    path, class_name = split_ref(ref)
    if _is_torch_file(path):
        return torch_file_spec(path, class_name, trusted)
    module = _load_module(path)
    classes = _module_classes(module)
    if not classes:
        raise ArchError(f"{path.name} defines no network (no torch.nn.Module subclass).")
    if class_name is None and len(classes) == 1:
        class_name = next(iter(classes))
    if class_name is None:
        raise ArchError(f"Name the class to load as '{path}:ClassName'; '{path.name}' defines "
                        f"{', '.join(classes)}.")
    obj = getattr(module, class_name, None)
    if obj is None:
        raise ArchError(f"'{path.name}' has no class {class_name}; the nn.Module classes there "
                        f"are {', '.join(classes)}.")
    if not (inspect.isclass(obj) and issubclass(obj, nn.Module)):
        raise ArchError(f"{class_name} in '{path.name}' is not a torch.nn.Module subclass, "
                        f"so it cannot be shown as a network.")
    label = f"{class_name} from '{path.name}'"
    required = [a for a in _required_args(obj) if a != "num_classes"]
    if required:
        raise ArchError(f"{label} needs the constructor argument(s) {', '.join(required)}; "
                        f"give them default values so cnnviz can create it.")
    nc_param = _takes_num_classes(obj)
    # A num_classes argument without a default still needs a value to probe the model with.
    nc_default = (nc_param.default if nc_param is not None and isinstance(nc_param.default, int)
                  else 10)
    with torch.device("meta"):  # no weight memory, however big the model
        probe = _build(obj, label, 0, num_classes=nc_default if nc_param is not None else 0)
    in_ch, out_features = _probe(probe)
    num_classes = getattr(obj, "num_classes", None)
    if not isinstance(num_classes, int) or isinstance(num_classes, bool):
        num_classes = nc_default if nc_param is not None else (out_features or 1000)
    shape = getattr(obj, "input_shape", None)
    if not (isinstance(shape, tuple) and len(shape) == 3 and all(isinstance(s, int)
                                                                  for s in shape)):
        shape = (in_ch or 3, 224, 224)
    doc = inspect.getdoc(obj) or ""
    return ArchSpec(
        name=f"{path}:{class_name}", display_name=class_name, family="Your models", year=0,
        paper="", input_shape=shape, num_classes=num_classes,
        note=doc.split("\n\n")[0].strip() or f"Your own network, defined in {path.name}.",
        builder=partial(_build, obj, label, num_classes), source="file",
    )
