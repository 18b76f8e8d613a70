"""AlexNet as torchvision builds it (Krizhevsky 2014, the single-GPU "one weird trick" form)."""

from __future__ import annotations

from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register


class AlexNet(nn.Module):
    """Five convolutions (11x11 stride 4 first), three max-pools, three dropout-guarded FC layers.

    Filter counts 64-192-384-256-256 are torchvision's; the 2012 paper used 96-256-384-384-256
    split over two GPUs, with local response normalisation that later work dropped.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def alexnet(num_classes: int = 1000) -> AlexNet:
    return AlexNet(num_classes=num_classes)


register(ArchSpec(
    name="alexnet", display_name="AlexNet", family="AlexNet", year=2012,
    paper="Krizhevsky, Sutskever & Hinton, ImageNet Classification with Deep Convolutional "
          "Neural Networks, NeurIPS 2012",
    input_shape=(3, 224, 224), num_classes=1000,
    note="The 2012 ImageNet winner that started the deep-learning era: ReLU instead of tanh,\n"
         "dropout in the big FC layers, overlapping max-pooling and training on GPUs.",
    builder=alexnet,
))
