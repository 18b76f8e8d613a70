"""A lab model's pictures are prepared the way its training run prepared them: size, channels
and normalisation of the run, not the catalog's recipe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from cnnviz.core.errors import WeightsError
from cnnviz.core.probe import check_channels, lab_preprocess, preprocess_for
from cnnviz.core.probe.predict import ten_crops
from cnnviz.core.probe.preprocess import CHANNEL_MEAN, LUMA
from cnnviz.core.zoo import resolve


def photo(h=60, w=100, seed=1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_the_centre_square_is_resized_to_the_runs_size_like_an_image_folder():
    prep = lab_preprocess(40, 3, (0.5, 0.4, 0.3), (0.2, 0.25, 0.3))
    seen = prep.crop_image(photo())
    assert seen.shape == (40, 40, 3)
    # The lab reads an image folder with ImageOps.fit: the same centre square, same size.
    fitted = np.asarray(ImageOps.fit(Image.fromarray(photo()), (40, 40),
                                     Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(seen, fitted)
    x = prep.to_tensor(seen)
    expected = (torch.from_numpy(seen).permute(2, 0, 1).float() / 255
                - torch.tensor([0.5, 0.4, 0.3]).view(3, 1, 1)) / torch.tensor(
        [0.2, 0.25, 0.3]).view(3, 1, 1)
    assert x.shape == (1, 3, 40, 40) and torch.allclose(x[0], expected, atol=1e-6)


def test_one_channel_models_read_the_channel_average_in_the_lab_and_luma_in_the_catalog():
    lab = lab_preprocess(32, 1, (0.13,), (0.31,))
    catalog = preprocess_for((1, 32, 32))
    assert lab.weights_of_grey == CHANNEL_MEAN and catalog.weights_of_grey == LUMA
    seen = lab.crop_image(photo())
    x = lab.to_tensor(seen)
    by_hand = (seen.astype(np.float32).mean(axis=2) / 255 - 0.13) / 0.31
    assert x.shape == (1, 1, 32, 32)
    np.testing.assert_allclose(x[0, 0].numpy(), by_hand, atol=1e-5)


def test_a_colour_model_with_equal_channel_statistics_learnt_from_grey_pictures():
    grey = lab_preprocess(28, 3, (0.13,) * 3, (0.31,) * 3)
    colour = lab_preprocess(28, 3, (0.49, 0.48, 0.45), (0.25, 0.24, 0.26))
    assert grey.weights_of_grey == CHANNEL_MEAN and colour.weights_of_grey is None
    x = grey(photo())
    assert x.shape == (1, 3, 28, 28)
    assert torch.equal(x[0, 0], x[0, 1]) and torch.equal(x[0, 1], x[0, 2])
    assert not torch.equal(colour(photo())[0, 0], colour(photo())[0, 1])


def test_missing_or_mismatched_statistics_fall_back_to_the_catalogs_and_bad_input_is_refused():
    assert lab_preprocess(48, 3).mean == preprocess_for((3, 48, 48)).mean
    assert lab_preprocess(96, 3, (0.5,), (0.2,)).std == preprocess_for((3, 96, 96)).std
    with pytest.raises(ValueError, match="1 or 3 channels"):
        lab_preprocess(32, 2)
    with pytest.raises(ValueError, match="at least 1 pixel"):
        lab_preprocess(0, 3)


def test_ten_crops_of_a_lab_input_come_from_a_margin_around_the_square():
    prep = lab_preprocess(48, 3, (0.5,) * 2 + (0.4,), (0.2, 0.2, 0.3))
    crops = ten_crops(photo(), prep)
    assert len(crops) == 10 and all(c.shape == (48, 48, 3) for c in crops)
    assert not np.array_equal(crops[0], crops[3])  # corners of a 55-pixel square differ
    np.testing.assert_array_equal(crops[5], crops[0][:, ::-1])
    # ImageNet's recipe keeps its own margin: crops of 224 from a 256 short side.
    imagenet = ten_crops(photo(300, 400), preprocess_for((3, 224, 224)))
    assert imagenet[0].shape == (224, 224, 3)


def test_a_model_that_reads_other_channels_than_it_was_sent_with_is_refused():
    lenet, resnet = resolve("lenet5").build(), resolve("resnet20").build()
    check_channels(lenet, 1)
    check_channels(resnet, 3)
    with pytest.raises(WeightsError) as info:
        check_channels(lenet, 3)
    assert str(info.value) == ("The trained model reads grey (1-channel) pictures, but it was "
                               "sent as trained on colour (3-channel) ones; send it with the "
                               "run's own input settings.")


def _digits(count=6, size=28, seed=3) -> "DataSplit":
    from cnnviz.core.train.datasets import DataSplit

    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.integers(0, 256, (count, 1, size, size), dtype=np.uint8))
    y = torch.zeros(count, dtype=torch.int64)
    return DataSplit("digits", ("a",), x, y, x[:2], y[:2], mean=(0.2,), std=(0.3,))


def test_a_data_set_the_lab_padded_is_framed_the_same_way_in_look_inside():
    from cnnviz.core.train import ModelConfig, RunConfig, train
    from cnnviz.core.train.batches import Preparer
    from cnnviz.core.train.records import RunStarted

    data = _digits()
    config = RunConfig(models=(ModelConfig("lenet5"),), steps=1, batch_size=2, device="cpu")
    started = next(r for r in train(config, data=data) if isinstance(r, RunStarted))
    assert (started.image_size, started.data_size) == (32, 28)  # MNIST-sized for LeNet-5
    lab = Preparer(data, device=torch.device("cpu"), channels=1, image_size=32)
    digit = data.train_x[:1]
    expected = lab(digit)[0]
    # The same digit as a photo: grey in R, G and B, already the data set's size.
    picture = np.repeat(digit[0].permute(1, 2, 0).numpy(), 3, axis=2)
    prep = lab_preprocess(started.image_size, started.channels, started.mean, started.std,
                          data_size=started.data_size)
    seen = prep.crop_image(picture)
    assert seen.shape == (32, 32, 3) and not seen[:2].any() and not seen[:, -2:].any()
    np.testing.assert_array_equal(seen[2:30, 2:30], picture)
    assert torch.allclose(prep.to_tensor(seen)[0], expected, atol=1e-5)
    # A data set the lab scaled (or made at the model's size) gets no frame.
    assert lab_preprocess(32, 1, data_size=32).pad == 0
    assert lab_preprocess(32, 1, data_size=16).pad == 0
