"""The switches a student flips on the twins: batch norm, activation and initialisation.

Family modules use these helpers so every network spells the options the same way and the
registry can list their allowed values.
"""

from __future__ import annotations

from torch import nn

from cnnviz.core.errors import ArchError

ACTIVATIONS = ("relu", "tanh", "sigmoid")
# "default" leaves PyTorch's own per-layer initialisation (Kaiming-uniform with a=sqrt(5));
# "xavier" is Glorot & Bengio 2010 (uniform, gain matched to the activation); "he" is
# He et al. 2015 (normal, fan-out), the scheme the ResNet paper used.
INITS = ("default", "xavier", "he")

TWIN_OPTIONS = {"batch_norm": True, "activation": "relu", "init": "default"}
TWIN_CHOICES = {"batch_norm": (True, False), "activation": ACTIVATIONS, "init": INITS}


def make_activation(name: str) -> nn.Module:
    """A fresh activation module (ReLU runs in place, as in torchvision)."""
    if name == "relu":
        return nn.ReLU(inplace=True)
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    raise ArchError(f"Unknown activation '{name}'; choose one of {', '.join(ACTIVATIONS)}.")


def norm_or_none(channels: int, batch_norm: bool) -> nn.BatchNorm2d | None:
    """A BatchNorm2d, or None when batch norm is switched off (the conv then has a bias)."""
    return nn.BatchNorm2d(channels) if batch_norm else None


def apply_init(model: nn.Module, scheme: str, activation: str = "relu") -> nn.Module:
    """Re-initialise conv and linear weights of ``model`` in place and return it.

    Biases become zero and batch-norm layers start as the identity (scale 1, shift 0) for the
    "xavier" and "he" schemes; "default" changes nothing.  Works on the meta device.
    """
    if scheme not in INITS:
        raise ArchError(f"Unknown initialisation '{scheme}'; choose one of {', '.join(INITS)}.")
    if scheme == "default":
        return model
    gain = nn.init.calculate_gain("relu" if activation == "relu" else activation)
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            if scheme == "xavier":
                nn.init.xavier_uniform_(module.weight, gain=gain)
            else:
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
    return model
