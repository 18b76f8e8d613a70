"""Run one image through a network and keep every layer's output.

Forward hooks sit on the leaf modules (the layers of ``torch.nn``); their outputs are stored
as detached CPU float tensors without the batch axis, so a view can draw any layer later
without running the network again.  A module called several times in one forward pass (the
shared ReLU of torchvision's ResNet blocks) keeps every call, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from cnnviz.core.errors import CnnvizError
from cnnviz.core.forward_lock import FORWARD_LOCK


@dataclass
class ActivationSet:
    """Outputs by module name; ``order`` lists the names in the order they first ran."""

    outputs: dict[str, list[torch.Tensor]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    logits: torch.Tensor | None = None

    def __contains__(self, name: str) -> bool:
        return name in self.outputs

    def get(self, name: str, call: int = -1) -> torch.Tensor:
        """The output of ``name`` at its ``call``-th use (the last one by default)."""
        try:
            return self.outputs[name][call]
        except KeyError:
            raise KeyError(f"no activation recorded for layer {name!r}") from None

    def spatial_layers(self) -> list[str]:
        """Layers whose output is a stack of feature maps (C, H, W)."""
        return [n for n in self.order if self.outputs[n][-1].dim() == 3]

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for ts in self.outputs.values() for t in ts)


def _is_leaf(module: nn.Module) -> bool:
    return next(module.children(), None) is None


def capture_activations(model: nn.Module, x: torch.Tensor) -> ActivationSet:
    """Run ``model`` on the batch ``x`` (first sample kept) in eval mode, without gradients.

    The model's training flag is restored afterwards.  Raises :class:`CnnvizError` with the
    network's own complaint when the input does not fit it.
    """
    result = ActivationSet()

    def hook(name: str):
        def store(_module, _inputs, output):
            if isinstance(output, (tuple, list)):
                output = output[0]
            if not isinstance(output, torch.Tensor):
                return
            if name not in result.outputs:
                result.outputs[name] = []
                result.order.append(name)
            # A copy, always: for a float32 CPU tensor .float().cpu() returns the very
            # storage, which an in-place op that follows (ReLU(inplace=True), a residual
            # "out += identity") would overwrite before anyone reads it.
            result.outputs[name].append(output[0].detach().to("cpu", torch.float32, copy=True))
        return store

    handles = [m.register_forward_hook(hook(name)) for name, m in model.named_modules()
               if name and _is_leaf(m)]
    was_training = model.training
    model.eval()
    try:
        with FORWARD_LOCK, torch.no_grad():
            out = model(x)
    except RuntimeError as exc:
        raise CnnvizError(f"The network could not run on this image: {str(exc).splitlines()[0]}") from None
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    if isinstance(out, (tuple, list)):  # e.g. GoogLeNet's auxiliary outputs
        out = out[0]
    if hasattr(out, "logits"):
        out = out.logits
    result.logits = out[0].detach().float().cpu() if isinstance(out, torch.Tensor) else None
    return result
