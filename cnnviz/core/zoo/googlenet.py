"""GoogLeNet / Inception v1 (Szegedy et al. 2014) in torchvision's configuration.

torchvision adds batch norm to every convolution and, in the "5x5" branch of each Inception
module, uses a 3x3 kernel (a long-standing quirk kept for its pretrained weights).  The default
here matches torchvision exactly (6,624,904 parameters; 13,004,888 with the auxiliary
classifiers); ``five_by_five=True`` restores the paper's 5x5 kernels.
"""

from __future__ import annotations

from collections import namedtuple

import torch
from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


class BasicConv2d(nn.Sequential):
    """Convolution without bias, batch norm, ReLU."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1,
                 padding: int = 0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=padding,
                              bias=False)
        self.bn = nn.BatchNorm2d(out_ch, eps=0.001)
        self.relu = nn.ReLU(inplace=True)


class Inception(nn.Module):
    """Four parallel branches concatenated along channels: 1x1 | 1x1->3x3 | 1x1->5x5 | pool->1x1.

    The 1x1 convolutions before the 3x3 and 5x5 ones are the bottlenecks that keep the module
    cheap.
    """

    def __init__(self, in_ch: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int,
                 ch5x5: int, pool_proj: int, five_by_five: bool = False) -> None:
        super().__init__()
        k = 5 if five_by_five else 3
        self.branch1 = BasicConv2d(in_ch, ch1x1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(in_ch, ch3x3red, 1),
                                     BasicConv2d(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_ch, ch5x5red, 1),
                                     BasicConv2d(ch5x5red, ch5x5, k, padding=k // 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_ch, pool_proj, 1))

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)],
                         1)


class InceptionAux(nn.Module):
    """Auxiliary classifier on an intermediate map; only used (and only output) in training."""

    def __init__(self, in_ch: int, num_classes: int, dropout: float = 0.7) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d((4, 4))
        self.conv = BasicConv2d(in_ch, 128, 1)
        self.fc1 = nn.Linear(2048, 1024)
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(p=dropout)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(self.pool(x)).flatten(1)
        return self.fc2(self.dropout(self.relu(self.fc1(x))))


# in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj (the paper's Table 1)
INCEPTION_TABLE: dict[str, tuple[int, ...]] = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNet(nn.Module):
    """22 weighted layers; in training mode with ``aux_logits`` the forward pass returns
    ``GoogLeNetOutputs(logits, aux_logits2, aux_logits1)``, otherwise just the logits."""

    def __init__(self, num_classes: int = 1000, aux_logits: bool = False,
                 five_by_five: bool = False, dropout: float = 0.2) -> None:
        super().__init__()
        self.aux_logits = aux_logits

        def inception(name: str) -> Inception:
            return Inception(*INCEPTION_TABLE[name], five_by_five=five_by_five)

        self.conv1 = BasicConv2d(3, 64, 7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, 1)
        self.conv3 = BasicConv2d(64, 192, 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = inception("inception3a")
        self.inception3b = inception("inception3b")
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inception("inception4a")
        self.inception4b = inception("inception4b")
        self.inception4c = inception("inception4c")
        self.inception4d = inception("inception4d")
        self.inception4e = inception("inception4e")
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inception("inception5a")
        self.inception5b = inception("inception5b")
        self.aux1 = InceptionAux(512, num_classes) if aux_logits else None
        self.aux2 = InceptionAux(528, num_classes) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x: Tensor) -> Tensor | GoogLeNetOutputs:
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = self.fc(self.dropout(self.avgpool(x).flatten(1)))
        if aux1 is not None and aux2 is not None:
            return GoogLeNetOutputs(x, aux2, aux1)
        return x


def googlenet(num_classes: int = 1000, aux_logits: bool = False,
              five_by_five: bool = False) -> GoogLeNet:
    return GoogLeNet(num_classes=num_classes, aux_logits=aux_logits, five_by_five=five_by_five)


register(ArchSpec(
    name="googlenet", display_name="GoogLeNet", family="GoogLeNet", year=2014,
    paper="Szegedy et al., Going Deeper with Convolutions, CVPR 2015",
    input_shape=(3, 224, 224), num_classes=1000,
    note="Inception modules run 1x1, 3x3 and 5x5 convolutions and a pool side by side; 1x1\n"
         "bottlenecks cut the channels first, so 22 layers cost 12x fewer weights than AlexNet.",
    builder=googlenet, options={"aux_logits": False, "five_by_five": False},
    option_choices={"aux_logits": (True, False), "five_by_five": (True, False)},
))
