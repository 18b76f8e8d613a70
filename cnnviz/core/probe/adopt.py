"""Taking in a model trained elsewhere (the training lab) without touching the original.

:func:`cpu_copy` copies a module that may live on a GPU, in channels-last layout (nothing may
train it meanwhile: the lab copies while its run is held at a pause, off the GUI thread): the
copy is made on the CPU in one pass, so no second copy of the weights is ever allocated on
the GPU.  :func:`check_architecture` makes sure the module
really is the zoo architecture it is said to be, so the layer report (receptive fields)
built from that architecture describes the same layers.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from cnnviz.core.errors import WeightsError


def _cpu_tensor(t: torch.Tensor) -> torch.Tensor:
    # .contiguous() undoes channels-last; float() undoes half precision, since the probe feeds
    # float32 pictures.
    out = t.detach().to("cpu", copy=True).contiguous()
    return out.float() if out.is_floating_point() else out


def cpu_copy(module: nn.Module) -> nn.Module:
    """A deep copy of ``module`` on the CPU, float32, in the normal memory layout, in eval
    mode; gradients are not copied and ``module`` is left exactly as it was."""
    memo: dict[int, Any] = {}
    for p in module.parameters():
        memo[id(p)] = nn.Parameter(_cpu_tensor(p), requires_grad=p.requires_grad)
    for b in module.buffers():
        memo[id(b)] = _cpu_tensor(b)
    # deepcopy takes the CPU tensors from the memo instead of copying the device ones.
    clone = copy.deepcopy(module, memo)
    for p in clone.parameters():
        p.grad = None
    return clone.eval()


def describe_options(options: dict[str, Any]) -> str:
    """``{"batch_norm": False}`` -> ``"batch_norm=False"`` (empty for the defaults)."""
    return ", ".join(f"{k}={v!r}" for k, v in sorted(options.items()))


def check_architecture(module: nn.Module, spec: Any, options: dict[str, Any]) -> None:
    """Raise :class:`WeightsError` when ``module``'s weights are not laid out like ``spec``
    built with ``options`` (different layer names, e.g. batch norm on one side only).

    Only names are compared: the classifier's size follows the data set a model was trained
    on, so shapes may differ there.
    """
    with torch.device("meta"):
        reference = spec.build(**options)
    mine, theirs = set(module.state_dict()), set(reference.state_dict())
    if mine == theirs:
        return
    switches = describe_options(options)
    built = f"{spec.display_name}" + (f" with {switches}" if switches else "")
    extra, missing = sorted(mine - theirs), sorted(theirs - mine)
    example = (f"it has no {missing[0]}, which that network has" if missing
               else f"it has {extra[0]}, which that network lacks")
    raise WeightsError(f"The trained model does not match {built}: {example}; send it with "
                       "the options it was built with.")


def check_channels(module: nn.Module, channels: int) -> None:
    """Raise :class:`WeightsError` when ``module``'s first convolution does not read pictures
    of ``channels`` channels (the input it was said to be trained on)."""
    conv = next((m for m in module.modules() if isinstance(m, nn.Conv2d)), None)
    if conv is None or conv.in_channels == channels:
        return
    kind = {1: "grey (1-channel)", 3: "colour (3-channel)"}
    raise WeightsError(f"The trained model reads {kind.get(conv.in_channels, conv.in_channels)} "
                       f"pictures, but it was sent as trained on "
                       f"{kind.get(channels, f'{channels}-channel')} ones; send it with the "
                       "run's own input settings.")
