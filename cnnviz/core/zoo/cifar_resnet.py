"""CIFAR-10 ResNets of He et al. 2015, section 4.2, and their plain twins.

The network is a 3x3 conv with 16 filters, then three stages of ``n`` basic blocks with 16, 32
and 64 filters (feature maps 32, 16 and 8 pixels wide), global average pooling and a linear
layer: 6n+2 weighted layers.  Where a stage halves the map and doubles the channels the paper's
option A shortcut is used: the input is subsampled and padded with zero channels, so shortcuts
add no parameters and the plain twin has exactly as many as the ResNet.  ``shortcut="B"`` swaps
in 1x1 projections there instead (the paper's option B), which is what many reimplementations
do and why their counts are slightly larger (272,474 instead of 269,722 for ResNet-20).
"""

from __future__ import annotations

from functools import partial

import torch.nn.functional as F
from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register
from cnnviz.core.zoo.resnet import PAPER, BasicBlock, _conv, _maybe
from cnnviz.core.zoo.switches import (
    TWIN_CHOICES,
    TWIN_OPTIONS,
    apply_init,
    make_activation,
    norm_or_none,
)


def _conv3x3(in_ch: int, out_ch: int, stride: int, batch_norm: bool) -> nn.Conv2d:
    return _conv(in_ch, out_ch, 3, stride, batch_norm)


class ZeroPadShortcut(nn.Module):
    """Option A: keep every other pixel and append zero channels; no parameters."""

    def __init__(self, stride: int, extra_channels: int) -> None:
        super().__init__()
        self.stride = stride
        self.extra_channels = extra_channels

    def forward(self, x: Tensor) -> Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.extra_channels))

    def extra_repr(self) -> str:
        return f"stride={self.stride}, extra_channels={self.extra_channels}"


def cifar_block(in_ch: int, out_ch: int, stride: int, batch_norm: bool, activation: str,
                shortcut: str | None) -> BasicBlock:
    """The ImageNet ResNets' basic block with the CIFAR shortcut: option A (zero padding) or
    B (a 1x1 projection) where the size changes; ``shortcut=None`` makes the plain block."""
    downsample: nn.Module | None = None
    if shortcut is not None and (stride != 1 or in_ch != out_ch):
        if shortcut == "A":
            downsample = ZeroPadShortcut(stride, out_ch - in_ch)
        else:
            layers: list[nn.Module] = [_conv(in_ch, out_ch, 1, stride, batch_norm)]
            if batch_norm:
                layers.append(nn.BatchNorm2d(out_ch))
            downsample = nn.Sequential(*layers)
    return BasicBlock(in_ch, out_ch, stride, downsample, batch_norm, activation,
                      shortcut is not None)


class CifarResNet(nn.Module):
    """The 6n+2-layer network for 3x32x32 images; ``shortcut=None`` makes the plain twin."""

    def __init__(self, depth: int, num_classes: int = 10, batch_norm: bool = True,
                 activation: str = "relu", init: str = "default",
                 shortcut: str | None = "A") -> None:
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError(f"CIFAR ResNet depth must be 6n+2, not {depth}")
        n = (depth - 2) // 6
        self._block = partial(cifar_block, batch_norm=batch_norm, activation=activation,
                              shortcut=shortcut)
        self.in_ch = 16
        self.conv1 = _conv3x3(3, 16, 1, batch_norm)
        self.bn1 = norm_or_none(16, batch_norm)
        self.act = make_activation(activation)
        self.layer1 = self._make_layer(16, n, stride=1)
        self.layer2 = self._make_layer(32, n, stride=2)
        self.layer3 = self._make_layer(64, n, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)
        apply_init(self, init, activation)

    def _make_layer(self, out_ch: int, blocks: int, stride: int) -> nn.Sequential:
        stage = [self._block(self.in_ch, out_ch, stride)]
        self.in_ch = out_ch
        stage += [self._block(out_ch, out_ch, 1) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def forward(self, x: Tensor) -> Tensor:
        x = self.act(_maybe(self.bn1, self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def cifar_resnet(depth: int, num_classes: int = 10, shortcut: str = "A",
                 **options) -> CifarResNet:
    return CifarResNet(depth, num_classes=num_classes, shortcut=shortcut, **options)


def cifar_plain(depth: int, num_classes: int = 10, **options) -> CifarResNet:
    return CifarResNet(depth, num_classes=num_classes, shortcut=None, **options)


DEPTHS = (20, 32, 44, 56, 110)

_RESNET_NOTES = {
    20: "The small residual network of the paper's CIFAR-10 study: 3x3 convs with 16, 32 and\n"
        "64 filters and parameter-free shortcuts, about 0.27M weights.",
    32: "Five blocks per stage: deeper than ResNet-20 and more accurate, where the plain\n"
        "twin of the same depth already gets worse.",
    44: "Seven blocks per stage. Residual learning keeps lowering the error as depth grows\n"
        "from 20 to 110 layers.",
    56: "Nine blocks per stage: the depth at which the paper's plain net trains worse than\n"
        "plain-20, while ResNet-56 trains better than ResNet-20.",
    110: "Eighteen blocks per stage and 1.7M weights: 110 layers train well with shortcuts\n"
         "(the paper warms up with a small learning rate first).",
}

_PLAIN_NOTES = {
    20: "ResNet-20 with its shortcuts removed: the shallow plain baseline, which trains\n"
        "about as well as ResNet-20.",
    32: "Plain 32-layer stack: already a higher training error than plain-20, the first\n"
        "sign of the degradation problem.",
    44: "Plain 44-layer stack: deeper, yet it fits the training set worse. Not overfitting:\n"
        "optimisation gets harder without shortcuts.",
    56: "The paper's Figure 1: plain-56 has higher training and test error than plain-20.\n"
        "Add the shortcuts back (ResNet-56) and depth helps again.",
    110: "Plain 110-layer stack: gradients struggle to reach the first layers; compare its\n"
         "per-layer gradient norms with ResNet-110's.",
}

_SHORTCUT_CHOICES = {**TWIN_CHOICES, "shortcut": ("A", "B")}

for _depth in DEPTHS:
    register(ArchSpec(
        name=f"resnet{_depth}", display_name=f"ResNet-{_depth}",
        family="ResNet (CIFAR)", year=2015, paper=PAPER + ", section 4.2",
        input_shape=(3, 32, 32), num_classes=10, note=_RESNET_NOTES[_depth],
        builder=partial(cifar_resnet, _depth), twin=f"plain{_depth}",
        options={**TWIN_OPTIONS, "shortcut": "A"}, option_choices=_SHORTCUT_CHOICES,
    ))
    register(ArchSpec(
        name=f"plain{_depth}", display_name=f"Plain-{_depth}",
        family="Plain net (CIFAR)", year=2015, paper=PAPER + ", section 4.2",
        input_shape=(3, 32, 32), num_classes=10, note=_PLAIN_NOTES[_depth],
        builder=partial(cifar_plain, _depth), twin=f"resnet{_depth}",
        options=dict(TWIN_OPTIONS), option_choices=dict(TWIN_CHOICES),
    ))
