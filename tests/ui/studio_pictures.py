"""Pictures for tests of the augmentation studio, written where a test asks."""

from pathlib import Path

import numpy as np
from PIL import Image


def picture(path: Path, width: int = 90, height: int = 60) -> Path:
    """A smooth colour ramp of ``width`` x ``height`` pixels saved at ``path``."""
    y, x = np.mgrid[0:height, 0:width]
    Image.fromarray(np.stack([x * 2, y * 4, (x + y) % 256], -1).astype(np.uint8)).save(path)
    return path
