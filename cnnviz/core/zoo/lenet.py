"""LeNet-5 (LeCun et al. 1998) on 1x32x32 images."""

from __future__ import annotations

from torch import Tensor, nn

from cnnviz.core.zoo.registry import ArchSpec, register
from cnnviz.core.zoo.switches import ACTIVATIONS, INITS, apply_init, make_activation


class LeNet5(nn.Module):
    """conv 6@5x5, avg-pool, conv 16@5x5, avg-pool, fc 120, fc 84, fc ``num_classes``.

    Every C3 map sees all six S2 maps here (the paper connected each to a subset), which is
    how the course and most reimplementations draw it: 61,706 parameters for 10 classes.
    """

    def __init__(self, num_classes: int = 10, activation: str = "tanh",
                 init: str = "default") -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5), make_activation(activation),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), make_activation(activation),
            nn.AvgPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), make_activation(activation),
            nn.Linear(120, 84), make_activation(activation),
            nn.Linear(84, num_classes),
        )
        apply_init(self, init, activation)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x).flatten(1))


def lenet5(num_classes: int = 10, **options) -> LeNet5:
    return LeNet5(num_classes=num_classes, **options)


register(ArchSpec(
    name="lenet5", display_name="LeNet-5", family="LeNet", year=1998,
    paper="LeCun, Bottou, Bengio & Haffner, Gradient-Based Learning Applied to Document "
          "Recognition, Proc. IEEE 1998",
    input_shape=(1, 32, 32), num_classes=10,
    note="The first convolutional network trained end to end with backpropagation: "
         "shared 5x5 filters\nand pooling shrink the image while the channel count grows, "
         "then fully connected layers classify.",
    builder=lenet5, options={"activation": "tanh", "init": "default"},
    option_choices={"activation": ACTIVATIONS, "init": INITS},
))
