"""ImageNet ResNets (He et al. 2015) and their plain twins.

The layout follows torchvision's ``resnet.py`` (``BasicBlock``, ``Bottleneck`` with
``expansion``, ``_make_layer``, one config row per depth), so parameter names and counts match
torchvision's models.  A plain twin is the same stack with the shortcuts removed: the
projection convolutions (``downsample``) disappear and nothing is added back.
"""

from __future__ import annotations

from functools import partial

from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register
from cnnviz.core.zoo.switches import (
    TWIN_CHOICES,
    TWIN_OPTIONS,
    apply_init,
    make_activation,
    norm_or_none,
)

PAPER = "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016"


def _conv(in_ch: int, out_ch: int, kernel: int, stride: int, batch_norm: bool) -> nn.Conv2d:
    # Without batch norm the convolution needs its own bias; with it the bias is redundant.
    return nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2,
                     bias=not batch_norm)


def _maybe(norm: nn.Module | None, x: Tensor) -> Tensor:
    return x if norm is None else norm(x)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions; with ``shortcut`` the input is added back before the last activation."""

    expansion = 1

    def __init__(self, in_ch: int, planes: int, stride: int, downsample: nn.Module | None,
                 batch_norm: bool, activation: str, shortcut: bool) -> None:
        super().__init__()
        self.shortcut = shortcut
        self.conv1 = _conv(in_ch, planes, 3, stride, batch_norm)
        self.bn1 = norm_or_none(planes, batch_norm)
        self.act1 = make_activation(activation)
        self.conv2 = _conv(planes, planes, 3, 1, batch_norm)
        self.bn2 = norm_or_none(planes, batch_norm)
        self.downsample = downsample
        self.act2 = make_activation(activation)

    def forward(self, x: Tensor) -> Tensor:
        out = self.act1(_maybe(self.bn1, self.conv1(x)))
        out = _maybe(self.bn2, self.conv2(out))
        if self.shortcut:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.act2(out)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (carrying the stride, as torchvision's "v1.5"), 1x1 expand by 4."""

    expansion = 4

    def __init__(self, in_ch: int, planes: int, stride: int, downsample: nn.Module | None,
                 batch_norm: bool, activation: str, shortcut: bool) -> None:
        super().__init__()
        out_ch = planes * self.expansion
        self.shortcut = shortcut
        self.conv1 = _conv(in_ch, planes, 1, 1, batch_norm)
        self.bn1 = norm_or_none(planes, batch_norm)
        self.act1 = make_activation(activation)
        self.conv2 = _conv(planes, planes, 3, stride, batch_norm)
        self.bn2 = norm_or_none(planes, batch_norm)
        self.act2 = make_activation(activation)
        self.conv3 = _conv(planes, out_ch, 1, 1, batch_norm)
        self.bn3 = norm_or_none(out_ch, batch_norm)
        self.downsample = downsample
        self.act3 = make_activation(activation)

    def forward(self, x: Tensor) -> Tensor:
        out = self.act1(_maybe(self.bn1, self.conv1(x)))
        out = self.act2(_maybe(self.bn2, self.conv2(out)))
        out = _maybe(self.bn3, self.conv3(out))
        if self.shortcut:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.act3(out)


class ResNet(nn.Module):
    """Stem (7x7 conv, max-pool), four stages of blocks, global average pool, one linear layer.

    ``shortcuts=False`` gives the plain network of the paper's Figure 3 (middle).
    """

    def __init__(self, block: type[BasicBlock | Bottleneck], layers: list[int],
                 num_classes: int = 1000, batch_norm: bool = True, activation: str = "relu",
                 init: str = "default", shortcuts: bool = True) -> None:
        super().__init__()
        self._block = partial(block, batch_norm=batch_norm, activation=activation,
                              shortcut=shortcuts)
        self._batch_norm = batch_norm
        self._shortcuts = shortcuts
        self.in_ch = 64
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=not batch_norm)
        self.bn1 = norm_or_none(64, batch_norm)
        self.act = make_activation(activation)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block.expansion, 64, layers[0], stride=1)
        self.layer2 = self._make_layer(block.expansion, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block.expansion, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block.expansion, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        apply_init(self, init, activation)

    def _make_layer(self, expansion: int, planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        out_ch = planes * expansion
        if self._shortcuts and (stride != 1 or self.in_ch != out_ch):
            # Option B of the paper: a 1x1 projection where the shape changes.
            layers: list[nn.Module] = [_conv(self.in_ch, out_ch, 1, stride, self._batch_norm)]
            if self._batch_norm:
                layers.append(nn.BatchNorm2d(out_ch))
            downsample = nn.Sequential(*layers)
        stage = [self._block(self.in_ch, planes, stride, downsample)]
        self.in_ch = out_ch
        stage += [self._block(self.in_ch, planes, 1, None) for _ in range(1, blocks)]
        return nn.Sequential(*stage)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.act(_maybe(self.bn1, self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x).flatten(1)
        return self.fc(x)


CONFIGS: dict[int, tuple[type[BasicBlock | Bottleneck], list[int]]] = {
    18: (BasicBlock, [2, 2, 2, 2]),
    34: (BasicBlock, [3, 4, 6, 3]),
    50: (Bottleneck, [3, 4, 6, 3]),
    101: (Bottleneck, [3, 4, 23, 3]),
    152: (Bottleneck, [3, 8, 36, 3]),
}


def resnet(depth: int, num_classes: int = 1000, **options) -> ResNet:
    block, layers = CONFIGS[depth]
    return ResNet(block, layers, num_classes=num_classes, **options)


def plain(depth: int, num_classes: int = 1000, **options) -> ResNet:
    block, layers = CONFIGS[depth]
    return ResNet(block, layers, num_classes=num_classes, shortcuts=False, **options)


_RESNET_NOTES = {
    18: "Residual learning: each pair of 3x3 convs learns F(x) and a shortcut adds x back,\n"
        "so very deep stacks train as easily as shallow ones.",
    34: "The paper's 34-layer network: deeper than VGG yet cheaper, and, thanks to the\n"
        "shortcuts, more accurate than its plain twin instead of less.",
    50: "Bottleneck blocks: a 1x1 conv shrinks the channels, a 3x3 works on the thin tensor,\n"
        "a 1x1 expands again; depth grows at little cost.",
    101: "ResNet-50 with 23 blocks in its third stage instead of 6: more depth still\n"
         "improves accuracy when shortcuts carry the signal.",
    152: "The 152-layer ILSVRC 2015 winner: eight times deeper than VGG-19, yet with\n"
         "fewer multiply-adds than VGG-16 thanks to its bottleneck blocks.",
}

_PLAIN_NOTES = {
    18: "ResNet-18 with its shortcuts removed: the shallow plain baseline, which trains\n"
        "about as well as its residual twin.",
    34: "ResNet-34 without shortcuts. The degradation problem: this deeper plain net ends\n"
        "with a higher training error than plain-18; shortcuts fix it.",
}

for _depth, _note in _RESNET_NOTES.items():
    register(ArchSpec(
        name=f"resnet{_depth}", display_name=f"ResNet-{_depth}", family="ResNet", year=2015,
        paper=PAPER, input_shape=(3, 224, 224), num_classes=1000, note=_note,
        builder=partial(resnet, _depth), twin=f"plain{_depth}" if _depth in (18, 34) else None,
        options=dict(TWIN_OPTIONS), option_choices=dict(TWIN_CHOICES),
    ))

for _depth in (18, 34):
    register(ArchSpec(
        name=f"plain{_depth}", display_name=f"Plain-{_depth}", family="Plain net", year=2015,
        paper=PAPER, input_shape=(3, 224, 224), num_classes=1000,
        note=_PLAIN_NOTES[_depth], builder=partial(plain, _depth),
        twin=f"resnet{_depth}", options=dict(TWIN_OPTIONS), option_choices=dict(TWIN_CHOICES),
    ))
