"""Reading the classic data sets from their original file formats, and fetching them.

MNIST and Fashion-MNIST come as IDX files (optionally gzipped), CIFAR-10 as pickled python
batches.  The readers look for the files in the folder a user points at, or in the sub-folders
torchvision's downloaders create there (``MNIST/raw``, ``FashionMNIST/raw``,
``cifar-10-batches-py``), so a folder filled by torchvision elsewhere works as is.  When the
files are missing, :func:`fetch` downloads them with torchvision into a cache folder and turns
a machine that is offline into one sentence.
"""

from __future__ import annotations

import gzip
import os
import pickle
import socket
import ssl
import urllib.error
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.core.errors import TrainingError

MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")

_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IDX_SUBFOLDERS = {"mnist": ("MNIST/raw", "mnist"), "fashion_mnist": ("FashionMNIST/raw",
                                                                     "fashion_mnist")}
_TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
               0x0E: ">f8"}


@dataclass(frozen=True)
class ArraySplit:
    """Images (uint8, (N, C, H, W)) and labels (int64) of a data set's train and test parts."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple[str, ...]


def default_cache_dir() -> Path:
    """Where downloads go: ``$CNNVIZ_DATA_DIR``, else ``$XDG_CACHE_HOME/cnnviz/datasets``."""
    if os.environ.get("CNNVIZ_DATA_DIR"):
        return Path(os.environ["CNNVIZ_DATA_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnnviz" / "datasets"


def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file (the MNIST format), plain or gzipped, as a numpy array."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise TrainingError(f"{path.name} is not an IDX file (the MNIST format).")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    body = np.frombuffer(data, dtype=dtype, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise TrainingError(f"{path.name} is cut short; delete it and download it again.")
    return body.reshape(dims)


def _find(root: Path, subfolders: tuple[str, ...], name: str) -> Path | None:
    for folder in ("", *subfolders):
        for candidate in (root / folder / name, root / folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def read_idx_dataset(root: str | Path, dataset: str) -> ArraySplit | None:
    """MNIST or Fashion-MNIST from the IDX files under ``root``; ``None`` if any is missing."""
    root = Path(root)
    subfolders = _IDX_SUBFOLDERS[dataset]
    found = {part: [_find(root, subfolders, n) for n in names] for part, names in
             _IDX_FILES.items()}
    if any(p is None for paths in found.values() for p in paths):
        return None
    arrays = {}
    for part, (images_path, labels_path) in found.items():
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise TrainingError(f"The {_TITLES[dataset]} files in {root} do not match each other.")
        arrays[part] = (images[:, None].astype(np.uint8), labels.astype(np.int64))
    classes = MNIST_CLASSES if dataset == "mnist" else FASHION_CLASSES
    return ArraySplit(*arrays["train"], *arrays["test"], classes=classes)


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with open(path, "rb") as handle:
        try:
            batch = pickle.load(handle, encoding="bytes")
        except (pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise TrainingError(f"{path.name} is not a CIFAR-10 batch file ({exc}).") from exc
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if data is None or labels is None:
        raise TrainingError(f"{path.name} is not a CIFAR-10 batch file.")
    images = np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32)
    return images, np.asarray(labels, dtype=np.int64)


def read_cifar10(root: str | Path) -> ArraySplit | None:
    """CIFAR-10 from the python batches under ``root``; ``None`` if any file is missing."""
    root = Path(root)
    for folder in (root / "cifar-10-batches-py", root):
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        if all((folder / n).is_file() for n in names):
            train = [_read_cifar_batch(folder / n) for n in names[:5]]
            test_x, test_y = _read_cifar_batch(folder / "test_batch")
            return ArraySplit(
                np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]),
                test_x, test_y, CIFAR10_CLASSES,
            )
    return None


def read_dataset(root: str | Path, dataset: str) -> ArraySplit | None:
    """The named data set ("mnist", "fashion_mnist", "cifar10") from files under ``root``."""
    if dataset == "cifar10":
        return read_cifar10(root)
    return read_idx_dataset(root, dataset)


# Errors a download raises when the machine is offline, a proxy blocks it or DNS fails.
# torchvision wraps some of them in RuntimeError ("Error downloading ...").  Other OSErrors
# (a full disk, a folder we may not write) are reported as such, not as "offline".
_OFFLINE_ERRORS = (urllib.error.URLError, socket.gaierror, socket.timeout, ssl.SSLError,
                   TimeoutError, ConnectionError, RuntimeError)


def _download(dataset: str, root: Path) -> None:
    """Let torchvision fetch the files into ``root`` (its own layout)."""
    from torchvision import datasets

    cls = {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST,
           "cifar10": datasets.CIFAR10}[dataset]
    for train in (True, False):
        cls(str(root), train=train, download=True)


def fetch(dataset: str, data_dir: str | Path | None = None, download: bool = True) -> ArraySplit:
    """The named data set from ``data_dir`` (or the cache), downloading it when allowed."""
    title = _TITLES[dataset]
    root = Path(data_dir) if data_dir else default_cache_dir()
    split = read_dataset(root, dataset)
    if split is not None:
        return split
    if data_dir and not download:
        raise TrainingError(f"The folder {root} does not hold the {title} files.")
    if not download:
        raise TrainingError(
            f"{title} is not in the cache folder {root}; allow the download or point the "
            "data folder at a copy of its files."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrainingError(f"Cannot create the data folder {root} ({exc.strerror or exc}).") \
            from exc
    try:
        _download(dataset, root)
    except _OFFLINE_ERRORS as exc:
        raise TrainingError(
            f"Could not download {title}: this computer seems to be offline; connect to the "
            f"internet, or copy the {title} files into {root} (or point the data folder at "
            "them), or use the built-in 'shapes' data set."
        ) from exc
    except OSError as exc:
        raise TrainingError(f"Could not save {title} into {root} ({exc.strerror or exc}).") \
            from exc
    split = read_dataset(root, dataset)
    if split is None:
        raise TrainingError(f"The {title} download into {root} is incomplete; try again.")
    return split
