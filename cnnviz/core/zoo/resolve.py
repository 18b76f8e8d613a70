"""Turn what a user typed into an :class:`ArchSpec`."""

from __future__ import annotations

import difflib
import re

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo.registry import ArchSpec, _REGISTRY
from cnnviz.core.zoo.torchvision_models import torchvision_names, torchvision_spec
from cnnviz.core.zoo.user_file import file_spec, is_file_ref

TORCHVISION_PREFIX = "torchvision:"


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def resolve(ref: str | ArchSpec, trusted: bool = False) -> ArchSpec:
    """The spec named by ``ref``.

    ``ref`` is, in order of precedence: a zoo name in any case (``"ResNet18"``; spelling
    variants such as ``"resnet-18"`` or ``"VGG16-BN"`` work when they are unambiguous), a
    torchvision classification model name (``"efficientnet_b0"``; ``"torchvision:resnet18"``
    picks torchvision's version over the zoo's), ``"path/to/file.py:ClassName"`` (running
    the file's top-level code), or a file PyTorch saved (``"model.pt"``, .pth, .ts).  An
    :class:`ArchSpec` is returned as is.  Anything else raises :class:`ArchError` naming the
    closest matches.  ``trusted=True`` allows loading a pickled network, which runs code from
    the file; without it such a file raises :class:`TrustRequiredError`.
    """
    if isinstance(ref, ArchSpec):
        return ref
    if not isinstance(ref, str) or not ref.strip():
        raise ArchError("Give an architecture name such as resnet18, or a model file as "
                        "path/to/file.py:ClassName or model.pt.")
    text = ref.strip()
    if is_file_ref(text):
        return file_spec(text, trusted)
    lower = text.lower()
    if lower.startswith(TORCHVISION_PREFIX):
        return torchvision_spec(lower[len(TORCHVISION_PREFIX):].strip())
    if lower in _REGISTRY:
        return _REGISTRY[lower]
    tv_names = torchvision_names()
    if lower in tv_names:
        return torchvision_spec(lower)
    squashed = {}
    for name in [*_REGISTRY, *tv_names]:
        squashed.setdefault(_squash(name), set()).add(name)
    candidates = squashed.get(_squash(text), set())
    zoo_candidates = {c for c in candidates if c in _REGISTRY}
    if len(zoo_candidates) == 1:
        return _REGISTRY[zoo_candidates.pop()]
    if len(candidates) == 1:
        return torchvision_spec(candidates.pop())
    raise ArchError(_unknown_message(text, sorted({*_REGISTRY, *tv_names})))


def _unknown_message(text: str, names: list[str]) -> str:
    close = difflib.get_close_matches(text.lower(), names, n=3, cutoff=0.6)
    if not close:
        squashed = {_squash(n): n for n in names}
        close = [squashed[s] for s in difflib.get_close_matches(_squash(text), squashed, n=3)]
    if len(close) > 1:
        hint = f"did you mean {', '.join(close[:-1])} or {close[-1]}?"
    elif close:
        hint = f"did you mean {close[0]}?"
    else:
        hint = "run 'cnnviz list' to see them all."
    return f"There is no architecture called '{text}'; {hint}"
