"""Turn a user's photo into the tensor a given network expects.

ImageNet-sized networks get torchvision's evaluation recipe (resize the short side to
``size * 256/224``, centre-crop ``size``, normalise with the ImageNet mean and deviation).
Small networks (LeNet-5 on 1x32x32, the CIFAR ResNets on 3x32x32) are resized straight to
their input; one-channel networks see the image's luminance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)

# Below this input side a network is a "small-image" one: no resize-then-crop recipe.
_SMALL_INPUT = 64


@dataclass(frozen=True)
class Preprocess:
    """How an image becomes a network input: ``resize`` (short side, 0 for a direct resize to
    ``crop``), centre ``crop`` (height, width), ``channels`` (1 or 3) and normalisation."""

    crop: tuple[int, int]
    resize: int
    channels: int
    mean: tuple[float, ...]
    std: tuple[float, ...]

    def crop_image(self, image: np.ndarray) -> np.ndarray:
        """The RGB uint8 picture the network actually sees (resized and cropped)."""
        pil = Image.fromarray(np.ascontiguousarray(image))
        h, w = self.crop
        if self.resize:
            scale = self.resize / min(pil.width, pil.height)
            size = (max(w, round(pil.width * scale)), max(h, round(pil.height * scale)))
            pil = pil.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
            left, top = (pil.width - w) // 2, (pil.height - h) // 2
            pil = pil.crop((left, top, left + w, top + h))
        else:
            pil = pil.resize((w, h), Image.Resampling.BILINEAR, reducing_gap=3.0)
        return np.array(pil.convert("RGB"))

    def to_tensor(self, seen: np.ndarray) -> torch.Tensor:
        """A ``(1, C, H, W)`` float tensor from an already cropped RGB uint8 picture."""
        x = torch.from_numpy(np.array(seen, dtype=np.uint8)).permute(2, 0, 1).float().div_(255.0)
        if self.channels == 1:
            # ITU-R 601 luma, the weights Pillow's "L" conversion uses.
            x = (x * torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)).sum(0, keepdim=True)
        mean = torch.tensor(self.mean).view(-1, 1, 1)
        std = torch.tensor(self.std).view(-1, 1, 1)
        return ((x - mean) / std).unsqueeze(0)

    def __call__(self, image: np.ndarray) -> torch.Tensor:
        return self.to_tensor(self.crop_image(image))


def preprocess_for(input_shape: tuple[int, int, int]) -> Preprocess:
    """The evaluation recipe for a network whose input is ``(C, H, W)``."""
    channels, h, w = (int(v) for v in input_shape)
    if channels not in (1, 3):
        raise ValueError(f"images have 1 or 3 channels, not {channels}")
    if min(h, w) < _SMALL_INPUT:
        mean, std = (CIFAR_MEAN, CIFAR_STD) if channels == 3 else ((0.5,), (0.5,))
        return Preprocess((h, w), 0, channels, mean, std)
    mean, std = (IMAGENET_MEAN, IMAGENET_STD) if channels == 3 else ((0.5,), (0.5,))
    return Preprocess((h, w), round(min(h, w) * 256 / 224), channels, mean, std)
