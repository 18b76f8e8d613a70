"""Reading and writing pictures: every file either loads as RGB or is refused with a sentence.

:func:`load_image` returns an RGB ``uint8`` array of shape ``(H, W, 3)`` for JPEG, PNG, BMP,
GIF, TIFF and WebP files, and raises :class:`~cnnviz.core.errors.ImageLoadError` naming the
file for anything else: a missing, empty, truncated or corrupt file, a non-image, or a
decompression bomb.  Conversions are deliberate:

* the EXIF orientation tag is applied, so a phone photo stands the way it was taken;
* transparency (RGBA, LA, palette with a transparent colour) is composited onto white, as
  the picture would look on a page; the alpha channel is then dropped;
* greyscale and black-and-white images are repeated into three equal channels;
* 16-bit (and 32-bit integer) greyscale is scaled to 8 bits (0..65535 -> 0..255); float
  images are read as 0..1 when their values lie there, else clipped to 0..255;
* CMYK (and YCbCr, LAB) is converted to RGB by Pillow, without colour management;
* animated GIF, WebP and TIFF files give their first frame.

Memory: a file whose header claims more than ``PIL.Image.MAX_IMAGE_PIXELS`` pixels is refused
before decoding (a decompression bomb is a small file that claims an enormous picture).
Pictures above ``max_pixels`` are shrunk while decoding (JPEGs are decoded at 1/2, 1/4 or
1/8 scale directly), so a 100-megapixel photo never needs gigabytes.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from PIL import Image, UnidentifiedImageError

from cnnviz.core.errors import ImageLoadError, ImageSaveError

# The formats we open (Pillow can read more; those are not what students drop in).  The
# JPEG reader also opens MPO, the multi-picture JPEG many cameras write.
FORMATS = ("JPEG", "PNG", "BMP", "GIF", "TIFF", "WEBP")
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".mpo"}
)
SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP",
                ".tif": "TIFF", ".tiff": "TIFF", ".webp": "WEBP"}

# Full-resolution loads are capped here (about 120 MB as RGB); larger pictures are shrunk.
DEFAULT_MAX_PIXELS = 40_000_000

_WHITE = (255, 255, 255)


@dataclass(frozen=True)
class ImageHeader:
    """What a file's header says, after the EXIF orientation is taken into account."""

    path: Path
    format: str
    mode: str
    width: int
    height: int
    frames: int


def _refuse(path: Path, why: str) -> ImageLoadError:
    return ImageLoadError(f"Cannot open {path.name}: {why}.")


def _open(path: Path) -> Image.Image:
    """Open the header with the bomb check made strict; refuse what is not a readable image."""
    try:
        if path.is_dir():
            raise _refuse(path, "it is a folder, not an image file")
        if path.stat().st_size == 0:
            raise _refuse(path, "the file is empty")
    except FileNotFoundError:
        raise _refuse(path, "the file does not exist") from None
    except PermissionError:
        raise _refuse(path, "you do not have permission to read it") from None
    except OSError as exc:
        raise _refuse(path, (exc.strerror or str(exc)).lower()) from None
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse the whole range.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(path, formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            limit = Image.MAX_IMAGE_PIXELS / 1e6
            raise _refuse(
                path, f"it claims to be larger than {limit:.3g} megapixels, which is how a "
                "decompression bomb looks, so it was not decoded"
            ) from None
        except UnidentifiedImageError:
            kinds = "JPEG, PNG, BMP, GIF, TIFF or WebP"
            raise _refuse(path, f"it is not a {kinds} image (or it is damaged)") from None
        except PermissionError:
            raise _refuse(path, "you do not have permission to read it") from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise _refuse(path, f"the file is damaged ({exc})") from None


def _oriented(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    # EXIF orientations 5-8 involve a quarter turn, which swaps width and height.
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def probe_image(path: str | os.PathLike) -> ImageHeader:
    """Read only the header: format, mode, size (as displayed) and frame count."""
    path = Path(path)
    with _open(path) as img:
        try:
            orientation = int(img.getexif().get(0x0112, 1))
        except Exception:  # a broken EXIF block does not make the picture unreadable
            orientation = 1
        width, height = _oriented(img.size, orientation)
        try:
            frames = int(getattr(img, "n_frames", 1))
        except Exception:  # counting frames reads the whole file; a damaged tail is no reason
            frames = 1     # to refuse a header
        return ImageHeader(path, img.format or "", img.mode, width, height, frames)


def load_image(
    path: str | os.PathLike,
    *,
    max_side: int | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> np.ndarray:
    """Load ``path`` as an RGB uint8 array (H, W, 3), shrunk to fit ``max_side`` (longest
    side, for previews) and ``max_pixels`` when given; never enlarged.

    Raises :class:`ImageLoadError` (one sentence naming the file) for anything unreadable.
    """
    path = Path(path)
    with _open(path) as img:
        try:
            return _decode(img, max_side, max_pixels)
        except ImageLoadError:
            raise
        except MemoryError:
            raise _refuse(path, "it is too large to fit in memory") from None
        except Exception as exc:  # decoders raise many types; none may crash the program
            why = str(exc) or type(exc).__name__
            if "truncated" in why or isinstance(exc, EOFError):
                raise _refuse(path, "the file is truncated (it ends before the picture does)") from None
            raise _refuse(path, f"the file is damaged ({why})") from None


def _decode(img: Image.Image, max_side: int | None, max_pixels: int | None) -> np.ndarray:
    try:
        orientation = int(img.getexif().get(0x0112, 1))
    except Exception:
        orientation = 1
    img.seek(0)
    width, height = img.size
    scale = 1.0
    if max_side:
        scale = min(scale, max_side / max(width, height))
    if max_pixels:
        scale = min(scale, (max_pixels / (width * height)) ** 0.5)
    box = None
    if scale < 1.0:
        box = (max(1, int(width * scale)), max(1, int(height * scale)))
        # JPEG decoders can decode at 1/2, 1/4 or 1/8 scale directly (still at least `box`):
        # far less memory and time than decoding every pixel of a big photo.
        img.draft(None, box)
    img.load()
    rgb = _to_rgb(img)
    if box is not None and rgb.size != box:
        # Pillow's bilinear filter widens with the scale factor when shrinking (antialiased).
        rgb = rgb.resize(box, Image.Resampling.BILINEAR)
    if orientation in _TRANSPOSE:
        rgb = rgb.transpose(_TRANSPOSE[orientation])
    return np.array(rgb, dtype=np.uint8)


# EXIF orientation tag value -> the transposition that makes the picture stand upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to RGB as documented in the module docstring."""
    mode = img.mode
    if mode == "RGB":
        return img
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        page = Image.new("RGBA", rgba.size, _WHITE + (255,))
        return Image.alpha_composite(page, rgba).convert("RGB")
    if mode.startswith("I") or mode == "F":
        return _deep_to_rgb(img)
    return img.convert("RGB")


def _deep_to_rgb(img: Image.Image) -> Image.Image:
    """Greyscale with more than 8 bits per pixel, scaled to 8 bits."""
    values = np.asarray(img)
    if img.mode == "F":
        top = 1.0 if values.size and float(np.nanmax(values)) <= 1.0 else 255.0
        grey = np.clip(np.nan_to_num(values) * (255.0 / top), 0, 255)
    else:
        # 16-bit data (I;16 or I holding 16-bit values) spans 0..65535; wider data is clipped.
        grey = np.clip(values.astype(np.float64), 0, 65535) / 257.0
    grey = np.rint(grey).astype(np.uint8)
    return Image.fromarray(np.repeat(grey[..., None], 3, axis=2))


@dataclass
class ImageFiles:
    """Files found by :func:`iter_image_files`: ``images`` to load (sorted within each
    folder) and ``skipped``, the files that are not images by their name, or do not exist."""

    images: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.images)

    def __len__(self) -> int:
        return len(self.images)


def is_image_name(path: str | os.PathLike) -> bool:
    """True when the file name has an image suffix (the content is checked on loading)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def iter_image_files(paths: Iterable[str | os.PathLike]) -> ImageFiles:
    """Expand files and folders (recursively) into image files by suffix.

    Hidden files and folders (name starting with ".") inside a folder are ignored silently;
    other non-images are listed once in ``skipped`` for the caller to report.  A file named
    twice is listed once.
    """
    found = ImageFiles()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path in seen:
            return
        seen.add(path)
        (found.images if is_image_name(path) else found.skipped).append(path)

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        add(Path(root) / name)
        elif path.exists() and is_image_name(path):
            add(path)
        else:
            seen.add(path)
            found.skipped.append(path)
    return found


def save_image(image: np.ndarray, path: str | os.PathLike, *, quality: int = 95) -> Path:
    """Write an RGB uint8 array to ``path`` in the format its suffix names (PNG, JPEG, BMP,
    TIFF, WebP), atomically: a temporary file in the same folder replaces the target only
    when complete.  The same array always gives the same bytes.  Returns the path."""
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        kinds = ", ".join(sorted(SAVE_FORMATS))
        raise ImageSaveError(f"Cannot save {path.name}: the name must end in one of {kinds}.")
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {array.dtype} {array.shape}")
    options = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        Image.fromarray(array).save(tmp, format=fmt, **options)
        os.replace(tmp, path)
    except OSError as exc:
        raise ImageSaveError(f"Cannot save {path.name}: {exc.strerror or exc}.") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
