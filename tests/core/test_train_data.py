"""Data sets: the procedural shapes, MNIST/CIFAR readers on real-format files, folders, offline."""

import gzip
import pickle
import struct
import urllib.error
import urllib.request

import numpy as np
import pytest
import torch
from PIL import Image

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.batches import BatchStream, Preparer
from cnnviz.core.train.datasets import load_dataset
from cnnviz.core.train.readers import read_cifar10, read_idx
from cnnviz.core.train.shapes import make_shapes


def test_shapes_are_determined_by_the_seed():
    a_x, a_y = make_shapes(30, num_classes=5, size=16, seed=7)
    b_x, b_y = make_shapes(30, num_classes=5, size=16, seed=7)
    c_x, _ = make_shapes(30, num_classes=5, size=16, seed=8)
    assert a_x.shape == (30, 3, 16, 16) and a_x.dtype == np.uint8
    assert np.array_equal(a_x, b_x) and np.array_equal(a_y, b_y)
    assert not np.array_equal(a_x, c_x)
    assert sorted(np.bincount(a_y)) == [6] * 5


def test_shapes_classes_differ_in_pixels():
    x, y = make_shapes(200, num_classes=10, size=32, noise=0.0, seed=1)
    # the fraction of shape pixels (bright) per class: rings and crosses cover less than discs
    coverage = {c: float((x[y == c].max(axis=1) > 110).mean()) for c in range(10)}
    assert coverage[0] > coverage[1]          # circle vs ring
    assert coverage[2] > coverage[3]          # square vs frame


def _write_idx(path, array, gz=False):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    opener = gzip.open if gz else open
    with opener(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def _fake_mnist(root, n_train=20, n_test=10, gz=False):
    rng = np.random.default_rng(0)
    sub = root / "MNIST" / "raw"
    sub.mkdir(parents=True)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        suffix = ".gz" if gz else ""
        _write_idx(sub / f"{prefix}-images-idx3-ubyte{suffix}", images, gz)
        _write_idx(sub / f"{prefix}-labels-idx1-ubyte{suffix}", labels, gz)
        arrays[prefix] = (images, labels)
    return arrays


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx_files_are_read(tmp_path, gz):
    arrays = _fake_mnist(tmp_path, gz=gz)
    data = load_dataset("mnist", data_dir=tmp_path, download=False)
    assert data.train_x.shape == (20, 1, 28, 28) and data.val_x.shape == (10, 1, 28, 28)
    assert np.array_equal(data.train_x[:, 0].numpy(), arrays["train"][0])
    assert np.array_equal(data.val_y.numpy(), arrays["t10k"][1].astype(np.int64))
    assert data.val_is_test and data.classes[3] == "3"


def test_a_cut_short_idx_file_is_a_sentence(tmp_path):
    path = tmp_path / "broken-idx3-ubyte"
    _write_idx(path, np.zeros((4, 28, 28)))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(TrainingError, match="cut short"):
        read_idx(path)


def test_cifar10_python_batches_are_read(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(1)
    written = []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(4, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=4)]
        with open(folder / name, "wb") as handle:
            pickle.dump({b"data": data, b"labels": labels, b"batch_label": name.encode()},
                        handle)
        written.append((data, labels))
    split = read_cifar10(tmp_path)
    assert split.train_x.shape == (20, 3, 32, 32) and split.test_x.shape == (4, 3, 32, 32)
    # row layout: 1024 red values, then green, then blue, each row-major
    assert np.array_equal(split.train_x[0, 1, 0, :5], written[0][0][0, 1024:1029])
    assert list(split.test_y) == written[5][1] and split.classes[0] == "airplane"
    loaded = load_dataset("cifar10", data_dir=tmp_path, download=False, train_size=8)
    assert len(loaded.train_y) == 8


def test_offline_download_is_one_sentence(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(TrainingError) as caught:
        load_dataset("fashion_mnist", data_dir=tmp_path / "cache")
    message = str(caught.value)
    assert "Could not download Fashion-MNIST" in message and "offline" in message
    assert "shapes" in message and "\n" not in message


def test_missing_files_without_download_are_a_sentence(tmp_path):
    with pytest.raises(TrainingError, match="does not hold the CIFAR-10 files"):
        load_dataset("cifar10", data_dir=tmp_path, download=False)


def test_image_folder_with_a_broken_file(tmp_path):
    colours = {"red": (220, 30, 30), "blue": (30, 30, 220)}
    for name, colour in colours.items():
        (tmp_path / name).mkdir()
        for i in range(5):
            Image.new("RGB", (40 + i, 30), colour).save(tmp_path / name / f"{i}.png")
    (tmp_path / "red" / "broken.jpg").write_bytes(b"not an image")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("no images here")
    data = load_dataset("folder", data_dir=tmp_path, image_size=24, val_fraction=0.2)
    assert data.classes == ("blue", "red") and data.skipped == 1
    assert data.train_x.shape[1:] == (3, 24, 24)
    assert len(data.train_y) + len(data.val_y) == 10 and len(data.val_y) == 2
    red = data.train_x[data.train_y == 1]
    assert int(red[:, 0].float().mean()) == 220


def test_a_folder_without_classes_is_a_sentence(tmp_path):
    (tmp_path / "only").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "only" / "a.png")
    with pytest.raises(TrainingError, match="at least two sub-folders"):
        load_dataset("folder", data_dir=tmp_path)


def test_grey_28px_digits_become_padded_3_channel_32px_input(tmp_path):
    _fake_mnist(tmp_path, n_train=16, n_test=4)
    data = load_dataset("mnist", data_dir=tmp_path, download=False)
    prepare = Preparer(data, device=torch.device("cpu"), channels=3, image_size=32)
    batch = next(iter(BatchStream(data, prepare, batch_size=4, seed=0)))
    assert batch.x.shape == (4, 3, 32, 32) and batch.x.dtype == torch.float32
    assert torch.equal(batch.x[:, 0], batch.x[:, 2])            # grey copied to all channels
    border = (0 - data.mean[0]) / data.std[0]
    assert torch.allclose(batch.x[:, 0, 0, :], torch.full((4, 32), border))  # zero padding
    whole = prepare(data.train_x)[:, :, 2:30, 2:30]  # the digits, normalised, padding aside
    assert abs(float(whole.mean())) < 0.1 and abs(float(whole.std()) - 1) < 0.1
