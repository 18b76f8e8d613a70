"""The pictures the workspace holds, how they are loaded, and numpy <-> Qt image conversion.

Loading runs on a worker: :func:`load_batch` expands files and folders, decodes each picture
at preview size (JPEGs decode at a reduced scale directly, so a folder of phone photos loads
quickly) and collects, rather than raises, what could not be read.  The full-resolution
picture is read again only on export.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
from PySide6.QtGui import QImage, QPixmap

from cnnviz.core.augment import iter_image_files, load_image
from cnnviz.core.augment.image_io import probe_image
from cnnviz.core.errors import CnnvizError

# Longest side of the copy kept for the preview: more than any tile on a 4K screen needs.
PREVIEW_SIDE = 1600

_keys = itertools.count(1)


@dataclass
class LoadedImage:
    """One picture in the strip.  ``path`` is None for a pasted picture, which then keeps
    its full-resolution pixels in ``full``; ``key`` is unique for the session."""

    name: str
    preview: np.ndarray
    path: Path | None = None
    full: np.ndarray | None = None
    full_size: tuple[int, int] = (0, 0)  # (width, height) at full resolution
    key: int = field(default_factory=lambda: next(_keys))

    @property
    def stem(self) -> str:
        return self.path.stem if self.path is not None else self.name.replace(" ", "_").lower()

    def full_resolution(self) -> np.ndarray:
        """The picture at full resolution (read from disk again for files)."""
        if self.full is not None:
            return self.full
        assert self.path is not None
        return load_image(self.path)


@dataclass
class LoadBatch:
    """What one drop or Open produced: ``images`` loaded, ``skipped`` files that are not
    pictures by name, ``errors`` one sentence per picture that could not be read."""

    images: list[LoadedImage] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


    def problems(self) -> str:
        """The skipped files and unreadable pictures in a few sentences ("" if none)."""
        parts = []
        if self.skipped:
            n = len(self.skipped)
            names = ", ".join(p.name for p in self.skipped[:3])
            more = f" and {n - 3} more" if n > 3 else ""
            verb = "is" if n == 1 else "are"
            parts.append(f"Skipped {n} file{'' if n == 1 else 's'} that {verb} not a picture: "
                         f"{names}{more}.")
        parts.extend(self.errors[:3])
        if len(self.errors) > 3:
            parts.append(f"{len(self.errors) - 3} more pictures could not be read.")
        return " ".join(parts)


def load_batch(paths: Iterable[Path]) -> LoadBatch:
    """Expand ``paths`` (files and folders) and load every picture at preview size.

    Never raises for a bad file: it lands in ``errors`` (a readable sentence from the core
    loader) or, when its name is not a picture's, in ``skipped``.
    """
    found = iter_image_files(paths)
    batch = LoadBatch(skipped=list(found.skipped))
    for path in found.images:
        try:
            header = probe_image(path)
            preview = load_image(path, max_side=PREVIEW_SIDE)
        except CnnvizError as exc:
            batch.errors.append(str(exc))
            continue
        except OSError as exc:
            batch.errors.append(f"Cannot open {path.name}: {exc.strerror or exc}.")
            continue
        batch.images.append(LoadedImage(path.name, preview, path, full_size=(header.width, header.height)))
    return batch


def from_qimage(image: QImage, name: str) -> LoadedImage:
    """A pasted picture: its full pixels are kept, a preview-size copy is made."""
    from cnnviz.ui.augment.render import fit_side

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = rgb.width(), rgb.height()
    stride = rgb.bytesPerLine()
    raw = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)
    full = np.ascontiguousarray(raw[:, : w * 3].reshape(h, w, 3))
    return LoadedImage(name, np.ascontiguousarray(fit_side(full, PREVIEW_SIDE)), None, full, (w, h))


def to_pixmap(array: np.ndarray) -> QPixmap:
    """An RGB uint8 array as a QPixmap (one copy: the pixmap's own)."""
    array = np.ascontiguousarray(array)
    h, w = array.shape[:2]
    view = QImage(array.data, w, h, array.strides[0], QImage.Format.Format_RGB888)
    return QPixmap.fromImage(view)  # copies while ``array`` is still alive
