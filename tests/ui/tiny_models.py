"""The smallest trainable models, for tests of the Train workspace."""

import torch
from torch import nn


class Tiny(nn.Module):
    """conv -> relu -> linear: two measured layers, fast on a CPU."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))
