"""Trained weights: torchvision's published ImageNet weights, or a file the user picks.

Downloads go into torch's own hub cache (``torch.hub.get_dir()/checkpoints``), so weights that
torchvision fetched before are found again, and are written to a temporary file first and
renamed when complete: an interrupted download leaves nothing half-written behind.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import torch
from torch import nn

from cnnviz.core.errors import WeightsError, brief

Progress = Callable[[int, int], None]  # (bytes so far, total bytes or 0 when unknown)

_CHUNK = 1 << 16
_AUXILIARY_PREFIXES = ("aux1.", "aux2.", "AuxLogits.")


@dataclass(frozen=True)
class WeightsChoice:
    """One published weight set of a torchvision model."""

    model: str  # torchvision model name
    name: str  # e.g. "IMAGENET1K_V1"
    url: str
    categories: tuple[str, ...]
    accuracy_top1: float | None
    file_size_mb: float | None

    @property
    def file_name(self) -> str:
        return os.path.basename(urlparse(self.url).path)


def available_weights(model_name: str) -> list[WeightsChoice]:
    """The weight sets torchvision publishes for ``model_name`` (empty if none or unknown)."""
    import torchvision

    try:
        enum = torchvision.models.get_model_weights(model_name)
    except (ValueError, KeyError):
        return []
    choices = []
    for w in enum:
        metrics = next(iter(w.meta.get("_metrics", {}).values()), {})
        choices.append(WeightsChoice(
            model=model_name, name=w.name, url=w.url,
            categories=tuple(w.meta.get("categories") or ()),
            accuracy_top1=metrics.get("acc@1"), file_size_mb=w.meta.get("_file_size"),
        ))
    return choices


def pretrained_weights(model_name: str) -> WeightsChoice | None:
    """torchvision's default (best) weights for ``model_name``, if it has any."""
    import torchvision

    choices = available_weights(model_name)
    if not choices:
        return None
    default = torchvision.models.get_model_weights(model_name).DEFAULT.name
    return next(c for c in choices if c.name == default)


def cache_dir() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints"


def fetch_weights(url: str, directory: Path | None = None, progress: Progress | None = None,
                  timeout: float = 30.0) -> Path:
    """The local copy of ``url``, downloaded into ``directory`` (the cache) when missing.

    Raises :class:`WeightsError` with a sentence when the machine is offline or the
    transfer breaks off; nothing partial is left in the cache.
    """
    directory = Path(directory) if directory is not None else cache_dir()
    target = directory / os.path.basename(urlparse(url).path)
    if target.is_file() and target.stat().st_size > 0:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            total = int(resp.headers.get("Content-Length") or 0)
            done = 0
            while chunk := resp.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total and done != total:
            raise WeightsError(f"The download of {target.name} stopped after {done:,} of "
                               f"{total:,} bytes; try again.")
        os.replace(tmp, target)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WeightsError(
            f"Could not download {target.name}: this computer seems to be offline ({reason}). "
            "Connect to the internet, or choose a weights file you already have."
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _state_dict(obj) -> dict[str, torch.Tensor]:
    if isinstance(obj, nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            inner = obj.get(key)
            if isinstance(inner, (dict, nn.Module)):
                return _state_dict(inner)
        if all(isinstance(v, torch.Tensor) for v in obj.values()):
            return {k.removeprefix("module."): v for k, v in obj.items()}
    raise WeightsError("This file holds no weights that cnnviz recognises "
                       "(expected a PyTorch state dict).")


def load_weights_file(model: nn.Module, path: str | os.PathLike) -> nn.Module:
    """Load a saved state dict (``torch.save(model.state_dict(), path)``, or a checkpoint
    holding one under ``state_dict``/``model``) into ``model`` and return it.

    Only tensors are unpickled (``weights_only=True``): a weights file cannot run code.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"There is no weights file at {path}.")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a file that is not its own
        raise WeightsError(f"{path.name} is not a PyTorch weights file "
                           f"({brief(exc)}).") from None
    state = _state_dict(obj)
    own = model.state_dict()
    # Published GoogLeNet/Inception weights carry the auxiliary classifiers, which a network
    # built for inference leaves out; they play no part in the answer.
    state = {k: v for k, v in state.items()
             if k in own or not k.startswith(_AUXILIARY_PREFIXES)}
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [k for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or wrong:
        detail = (f"'{wrong[0]}' is {tuple(state[wrong[0]].shape)} in the file but "
                  f"{tuple(own[wrong[0]].shape)} in the network" if wrong else
                  f"'{(missing or unexpected)[0]}' is {'missing' if missing else 'unexpected'}")
        raise WeightsError(
            f"The weights in {path.name} do not fit this network: {len(missing)} missing, "
            f"{len(unexpected)} unexpected and {len(wrong)} of the wrong shape ({detail})."
        )
    model.load_state_dict(state)
    return model
