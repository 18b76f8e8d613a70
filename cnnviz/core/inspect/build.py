"""Turning an architecture reference into a module on the ``meta`` device.

A module built on ``meta`` has parameters with shapes but no storage, so VGG-16's 550 MB of
weights are never allocated.  Weight initialisation is skipped while building: on ``meta`` it
computes nothing, yet its random-number kernels are the slowest part of a build.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo.registry import ArchSpec

# In-place tensor methods that matter while building (they change flags, not values).
_KEEP_INPLACE = frozenset({"requires_grad_", "share_memory_", "retain_grad"})


class _SkipInit(TorchFunctionMode):
    """Turns in-place value updates on meta tensors (``normal_``, ``uniform_``, ``zero_``...)
    into no-ops: initialising storage that does not exist only costs time."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if (
            name.endswith("_")
            and not name.startswith("__")
            and name not in _KEEP_INPLACE
            and args
            and isinstance(args[0], torch.Tensor)
            and args[0].is_meta
        ):
            return args[0]
        return func(*args, **(kwargs or {}))


def resolve_spec(arch: str | ArchSpec) -> ArchSpec:
    """The zoo's :func:`~cnnviz.core.zoo.resolve`: a zoo name, a torchvision model name, or
    ``path/to/file.py:ClassName``."""
    from cnnviz.core.zoo import resolve

    return resolve(arch)


def build_on(spec: ArchSpec, device: str, num_classes: int | None,
             options: dict[str, Any] | None) -> nn.Module:
    """Build ``spec`` on ``device`` ("meta" or "cpu") in eval mode; a builder's own failure
    becomes an :class:`ArchError`."""
    try:
        with warnings.catch_warnings():
            # Builders warn about weight initialisation, which does not apply here.
            warnings.simplefilter("ignore")
            with torch.device(device):
                if device == "meta":
                    with _SkipInit():
                        model = spec.build(num_classes, **(options or {}))
                else:
                    model = spec.build(num_classes, **(options or {}))
    except ArchError:
        raise
    except Exception as exc:
        raise ArchError(f"{spec.display_name} could not be built: {exc}.") from exc
    if not isinstance(model, nn.Module):
        raise ArchError(f"{spec.display_name} did not build a torch nn.Module.")
    return model.eval()
