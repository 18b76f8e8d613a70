"""A user's own images: one sub-folder per class, each holding that class's pictures."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnviz.core.errors import TrainingError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}

# Refuse decompression bombs rather than let one file eat the memory of the training process.
_MAX_PIXELS = 64_000_000


def class_folders(root: str | Path) -> list[Path]:
    """Sub-folders of ``root`` that hold at least one image file, sorted by name."""
    root = Path(root)
    if not root.is_dir():
        raise TrainingError(f"{root} is not a folder; choose a folder with one sub-folder per "
                            "class.")
    return sorted(
        d for d in root.iterdir()
        if d.is_dir() and not d.name.startswith(".")
        and any(f.suffix.lower() in IMAGE_SUFFIXES for f in d.iterdir() if f.is_file())
    )


def _load(path: Path, size: int, channels: int) -> np.ndarray | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.width * image.height > _MAX_PIXELS:
                return None
            image = ImageOps.exif_transpose(image)
            image = image.convert("L" if channels == 1 else "RGB")
            image = ImageOps.fit(image, (size, size), Image.Resampling.BILINEAR)
            array = np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def read_image_folder(
    root: str | Path, *, size: int, channels: int = 3, limit: int | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], int]:
    """Every readable image under ``root``'s class folders, centre-cropped to ``size``.

    Returns images (uint8, (N, channels, size, size)), labels (int64), the class names (the
    folder names) and how many files could not be read (they are skipped, not fatal).
    ``limit`` caps the images taken from each class.
    """
    folders = class_folders(root)
    if len(folders) < 2:
        raise TrainingError(
            f"{root} needs at least two sub-folders of images, one per class "
            f"(found {len(folders)})."
        )
    images, labels, skipped = [], [], 0
    for label, folder in enumerate(folders):
        files = sorted(f for f in folder.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        taken = 0
        for file in files:
            if limit is not None and taken >= limit:
                break
            array = _load(file, size, channels)
            if array is None:
                skipped += 1
                continue
            images.append(array)
            labels.append(label)
            taken += 1
    if len(images) < 2:
        raise TrainingError(f"None of the images under {root} could be read.")
    return (np.stack(images), np.asarray(labels, dtype=np.int64),
            tuple(f.name for f in folders), skipped)
