"""Turn a user's photo into the tensor a given network expects.

ImageNet-sized networks get torchvision's evaluation recipe (resize the short side to
``size * 256/224``, centre-crop ``size``, normalise with the ImageNet mean and deviation).
Small networks (LeNet-5 on 1x32x32, the CIFAR ResNets on 3x32x32) are resized straight to
their input; one-channel networks see the image's luminance.

A model trained in the lab is fed the way the lab fed it instead (:func:`lab_preprocess`): at
the run's image size and channel count, with the run's own normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageOps

from cnnviz.core.train.batches import padding

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)

# Weights of R, G and B in a grey level: ITU-R 601 luma (what Pillow's "L" conversion uses),
# and the plain average the lab's batches take when a one-channel model reads colour data.
LUMA = (0.299, 0.587, 0.114)
CHANNEL_MEAN = (1 / 3, 1 / 3, 1 / 3)

# Below this input side a network is a "small-image" one: no resize-then-crop recipe.
_SMALL_INPUT = 64


@dataclass(frozen=True)
class Preprocess:
    """How an image becomes a network input: ``resize`` (short side, 0 for a direct resize to
    ``crop``), centre ``crop`` (height, width), ``channels`` (1 or 3) and normalisation.

    ``grey`` holds the weights of R, G and B when the network reads grey levels (``None``:
    colour).  A one-channel network always reads grey (luma unless told otherwise); a
    three-channel one with ``grey`` set gets the same grey level in all three channels, as a
    model trained on a grey data set saw its pictures.
    """

    crop: tuple[int, int]
    resize: int
    channels: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    grey: tuple[float, float, float] | None = None
    # Pixels of black border around the picture inside ``crop`` (half before, the rest after),
    # as the lab pads a data set's slightly smaller images to the network's input.
    pad: int = 0

    @property
    def weights_of_grey(self) -> tuple[float, float, float] | None:
        """The R, G, B weights of the grey level the network reads, ``None`` for colour."""
        return self.grey or (LUMA if self.channels == 1 else None)

    def crop_image(self, image: np.ndarray) -> np.ndarray:
        """The RGB uint8 picture the network actually sees (resized and cropped).

        A ``resize`` equal to the crop's short side takes the largest centred region of the
        crop's shape and resizes it (Pillow's ``ImageOps.fit``, as the lab reads a folder).
        """
        pil = Image.fromarray(np.ascontiguousarray(image))
        h, w = self.crop
        if self.pad:
            inner = ImageOps.fit(pil.convert("RGB"), (w - self.pad, h - self.pad),
                                 Image.Resampling.BILINEAR)
            framed = Image.new("RGB", (w, h))
            framed.paste(inner, (self.pad // 2, self.pad // 2))
            return np.array(framed)
        if self.resize and self.resize == min(h, w):
            pil = ImageOps.fit(pil, (w, h), Image.Resampling.BILINEAR)
        elif self.resize:
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
        weights = self.weights_of_grey
        if weights is not None:
            x = (x * torch.tensor(weights).view(3, 1, 1)).sum(0, keepdim=True)
            x = x.expand(self.channels, -1, -1)
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


def lab_preprocess(image_size: int, channels: int, mean=(), std=(),
                   data_size: int = 0) -> Preprocess:
    """How the training lab fed a model, applied to a photo: the centre square of the picture
    resized to ``image_size`` (as the lab reads an image folder), ``channels`` (1 or 3) and
    the run's ``mean`` and ``std`` (one value per channel; the catalog's for that size when
    missing or of another length).  When the run's data set had slightly smaller pictures
    (``data_size``, e.g. MNIST's 28 for LeNet-5's 32), the photo is resized to that size and
    framed in the same black border the lab added.

    A one-channel model reads the average of R, G and B, as the lab's batches make colour
    pictures grey.  A three-channel model whose mean and std are the same in every channel
    learnt from grey pictures (the lab repeats a grey data set's statistics in each channel;
    a colour data set never has exactly equal ones), so it is given grey levels too.
    Raises ``ValueError`` for other channel counts or a size below 1.
    """
    size = int(image_size)
    if size < 1:
        raise ValueError(f"an image size must be at least 1 pixel, not {size}")
    catalog = preprocess_for((channels, size, size))
    mean, std = tuple(float(v) for v in mean), tuple(float(v) for v in std)
    if len(mean) != catalog.channels or len(std) != catalog.channels:
        mean, std = catalog.mean, catalog.std
    grey_data = catalog.channels == 3 and len(set(mean)) == 1 and len(set(std)) == 1
    grey = CHANNEL_MEAN if catalog.channels == 1 or grey_data else None
    pad = padding(int(data_size), size) if data_size else None
    return Preprocess((size, size), size, catalog.channels, mean, std, grey, pad or 0)
