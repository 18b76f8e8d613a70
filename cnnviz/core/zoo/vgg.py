"""VGG-11/13/16/19 (configurations A, B, D, E of Simonyan & Zisserman), with and without BN."""

from __future__ import annotations

from functools import partial

from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register

# Output channels of each 3x3 conv; "M" is a 2x2 max-pool.
CONFIGS: dict[int, list[int | str]] = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
         512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"],
}


def make_features(config: list[int | str], batch_norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    in_ch = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_ch, int(item), kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(int(item)))
        layers.append(nn.ReLU(inplace=True))
        in_ch = int(item)
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """Conv stages from a config table, 7x7 adaptive pooling, then 4096-4096-classes."""

    def __init__(self, features: nn.Sequential, num_classes: int = 1000,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def vgg(depth: int, batch_norm: bool, num_classes: int = 1000) -> VGG:
    return VGG(make_features(CONFIGS[depth], batch_norm), num_classes=num_classes)


PAPER = ("Simonyan & Zisserman, Very Deep Convolutional Networks for Large-Scale Image "
         "Recognition, ICLR 2015")

_NOTES = {
    11: "Configuration A: eight 3x3 convolutions in five stages, each stage ending in a 2x2\n"
        "max-pool that halves the map while the channels double up to 512.",
    13: "Configuration B: two 3x3 convs per stage; two stacked 3x3 layers see a 5x5 window\n"
        "with fewer weights and an extra non-linearity.",
    16: "The classic 16-layer VGG: a uniform stack of 3x3 convs, 138M parameters, most of\n"
        "them in the first fully connected layer.",
    19: "Configuration E, the deepest VGG: four 3x3 convs in the last three stages; depth\n"
        "stops paying off around here without better training tricks.",
}
_BN_NOTE = ("VGG-{d} with batch normalisation (Ioffe & Szegedy 2015) after every convolution:\n"
            "it trains from scratch, without the paper's staged initialisation.")

for _depth, _note in _NOTES.items():
    register(ArchSpec(
        name=f"vgg{_depth}", display_name=f"VGG-{_depth}", family="VGG", year=2014,
        paper=PAPER, input_shape=(3, 224, 224), num_classes=1000, note=_note,
        builder=partial(vgg, _depth, False), twin=f"vgg{_depth}_bn",
    ))
    register(ArchSpec(
        name=f"vgg{_depth}_bn", display_name=f"VGG-{_depth} (BN)", family="VGG", year=2014,
        paper=PAPER, input_shape=(3, 224, 224), num_classes=1000,
        note=_BN_NOTE.format(d=_depth),
        builder=partial(vgg, _depth, True), twin=f"vgg{_depth}",
    ))
