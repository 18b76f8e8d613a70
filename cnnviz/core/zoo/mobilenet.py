"""MobileNet v1 (Howard et al. 2017) and MobileNetV2 (Sandler et al. 2018).

v1 replaces each 3x3 convolution by a depthwise-separable pair (3x3 depthwise, 1x1
pointwise).  V2's inverted residual block expands with a 1x1, filters depthwise, and projects
back with a linear 1x1; its layout follows torchvision's ``mobilenetv2.py`` (the ``[t, c, n,
s]`` table), so parameter counts match torchvision's.
"""

from __future__ import annotations

from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a scaled channel count to a multiple of ``divisor``, never losing more than 10%."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class ConvBNAct(nn.Sequential):
    """Convolution without bias, batch norm, then ReLU (v1) or ReLU6 (v2)."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int = 3, stride: int = 1,
                 groups: int = 1, relu6: bool = False) -> None:
        super().__init__(
            nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=kernel_size // 2,
                      groups=groups, bias=False),
            nn.BatchNorm2d(out_ch),
            nn.ReLU6(inplace=True) if relu6 else nn.ReLU(inplace=True),
        )


class DepthwiseSeparable(nn.Sequential):
    """3x3 depthwise conv (one filter per channel) then 1x1 pointwise conv mixing channels."""

    def __init__(self, in_ch: int, out_ch: int, stride: int) -> None:
        super().__init__()
        self.depthwise = ConvBNAct(in_ch, in_ch, 3, stride=stride, groups=in_ch)
        self.pointwise = ConvBNAct(in_ch, out_ch, 1)


# (output channels, stride) of the 13 depthwise-separable layers, the paper's Table 1.
V1_LAYERS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
             (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


class MobileNetV1(nn.Module):
    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0) -> None:
        super().__init__()
        in_ch = int(32 * width_mult)
        layers: list[nn.Module] = [ConvBNAct(3, in_ch, 3, stride=2)]
        for out_ch, stride in V1_LAYERS:
            out_ch = int(out_ch * width_mult)
            layers.append(DepthwiseSeparable(in_ch, out_ch, stride))
            in_ch = out_ch
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(in_ch, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.avgpool(self.features(x)).flatten(1))


class InvertedResidual(nn.Module):
    """Expand (1x1, ReLU6), depthwise 3x3 (ReLU6), project (1x1, linear); the input is added
    back when the block keeps the shape."""

    def __init__(self, in_ch: int, out_ch: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        hidden = int(round(in_ch * expand_ratio))
        self.use_res_connect = stride == 1 and in_ch == out_ch
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(ConvBNAct(in_ch, hidden, 1, relu6=True))
        layers += [
            ConvBNAct(hidden, hidden, 3, stride=stride, groups=hidden, relu6=True),
            nn.Conv2d(hidden, out_ch, 1, bias=False),
            nn.BatchNorm2d(out_ch),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


# t (expansion), c (channels), n (repeats), s (stride of the first repeat): the paper's Table 2.
V2_SETTINGS = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1],
               [6, 160, 3, 2], [6, 320, 1, 1]]


class MobileNetV2(nn.Module):
    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0,
                 dropout: float = 0.2) -> None:
        super().__init__()
        in_ch = make_divisible(32 * width_mult)
        last_ch = make_divisible(1280 * max(1.0, width_mult))
        layers: list[nn.Module] = [ConvBNAct(3, in_ch, 3, stride=2, relu6=True)]
        for t, c, n, s in V2_SETTINGS:
            out_ch = make_divisible(c * width_mult)
            for i in range(n):
                layers.append(InvertedResidual(in_ch, out_ch, s if i == 0 else 1, t))
                in_ch = out_ch
        layers.append(ConvBNAct(in_ch, last_ch, 1, relu6=True))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(last_ch, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def mobilenet_v1(num_classes: int = 1000, width_mult: float = 1.0) -> MobileNetV1:
    return MobileNetV1(num_classes=num_classes, width_mult=width_mult)


def mobilenet_v2(num_classes: int = 1000, width_mult: float = 1.0) -> MobileNetV2:
    return MobileNetV2(num_classes=num_classes, width_mult=width_mult)


WIDTHS = (0.25, 0.5, 0.75, 1.0)

register(ArchSpec(
    name="mobilenet_v1", display_name="MobileNet v1", family="MobileNet", year=2017,
    paper="Howard et al., MobileNets: Efficient Convolutional Neural Networks for Mobile "
          "Vision Applications, arXiv 2017",
    input_shape=(3, 224, 224), num_classes=1000,
    note="Depthwise-separable convolutions: a 3x3 filter per channel, then a 1x1 conv to mix\n"
         "channels, costing about 8-9 times fewer multiply-adds than a full 3x3 convolution.",
    builder=mobilenet_v1, options={"width_mult": 1.0},
    option_choices={"width_mult": WIDTHS},
))

register(ArchSpec(
    name="mobilenet_v2", display_name="MobileNetV2", family="MobileNet", year=2018,
    paper="Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018",
    input_shape=(3, 224, 224), num_classes=1000,
    note="The inverted residual block: 1x1 expansion, 3x3 depthwise filtering, then a linear\n"
         "1x1 projection, with the shortcut joining the thin bottleneck ends.",
    builder=mobilenet_v2, options={"width_mult": 1.0},
    option_choices={"width_mult": (0.35, 0.5, 0.75, 1.0, 1.4)},
))
