"""Pipelines: reproducible sampling, JSON round trip and validation, torch and torchvision."""

import json

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from cnnviz.core.augment import Pipeline, Step, get_op, sample_rng
from cnnviz.core.errors import PipelineError


def picture(h=36, w=48, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def classic():
    return Pipeline([
        Step("random_resized_crop", {"scale": [0.5, 1.0]}),
        Step("hflip", probability=0.5),
        Step("colour_jitter", {"hue": [-10, 10]}, probability=0.8),
        Step("pca_colour", {"alpha_std": 0.5}),
        Step("cutout", {"fill": "grey"}, probability=0.5),
    ])


def test_same_seed_same_samples_different_seed_different():
    img = picture()
    a = classic().samples(img, 4, seed=7)
    b = classic().samples(img, 4, seed=7)
    c = classic().samples(img, 4, seed=8)
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a, b))
    assert not all(np.array_equal(x.image, y.image) for x, y in zip(a, c))
    assert not np.array_equal(a[0].image, a[1].image)


def test_each_step_is_recorded_with_what_it_drew():
    sample = classic().sample(picture(), sample_rng(3, 0))
    assert [s.op for s in sample.steps] == [s.op for s in classic().steps]
    applied = [s for s in sample.steps if s.applied]
    assert applied and all(s.info.op == s.op for s in applied)
    pca = next(s.info.pca for s in sample.steps if s.op == "pca_colour")
    assert pca.alphas.shape == (3,) and pca.eigenvectors.shape == (3, 3)


def test_probability_zero_skips_and_disabled_steps_are_skipped():
    img = picture()
    never = Pipeline([Step("vflip", probability=0.0), Step("greyscale", enabled=False)])
    sample = never.sample(img, sample_rng(0, 0))
    assert np.array_equal(sample.image, img) and sample.image is not img
    assert not any(s.applied for s in sample.steps)
    always = Pipeline([Step("vflip")]).sample(img, sample_rng(0, 0))
    assert np.array_equal(always.image, img[::-1])


def test_editing_one_step_leaves_the_other_steps_draws_alone():
    """A preview changes only where the user touched it."""
    base = Pipeline([Step("rotate"), Step("colour_shift"), Step("cutout")])
    edited = Pipeline([Step("rotate", {"angle": [-40, 40]}), Step("colour_shift"),
                       Step("cutout", probability=0.3)])
    for i in range(5):
        one = base.sample(picture(), sample_rng(1, i))
        two = edited.sample(picture(), sample_rng(1, i))
        assert one.steps[1].info.params == two.steps[1].info.params
        if two.steps[2].applied:
            assert one.steps[2].info.box == two.steps[2].info.box


def test_json_round_trip(tmp_path):
    pipeline = classic()
    path = tmp_path / "classic.json"
    pipeline.save(path)
    loaded = Pipeline.load(path)
    assert loaded == pipeline.validated()
    assert loaded.to_json() == Pipeline.load(path).to_json()
    img = picture()
    assert np.array_equal(loaded.sample(img, sample_rng(5, 2)).image,
                          pipeline.sample(img, sample_rng(5, 2)).image)
    data = json.loads(path.read_text())
    assert data["format"] == "cnnviz-augment-pipeline" and data["steps"][1]["probability"] == 0.5


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a cnnviz pipeline"),
        ('{"steps": [{"op": "zoom"}]}', "no augmentation called 'zoom'"),
        ('{"steps": [{"op": "rotate", "params": {"angle": [30, -30]}}]}', "low end"),
        ('{"steps": [{"op": "rotate", "params": {"angle": [0, 999]}}]}', "between -180 and 180"),
        ('{"steps": [{"op": "rotate", "params": {"spin": 3}}]}', "no parameter named spin"),
        ('{"steps": [{"op": "hflip", "probability": 2}]}', "from 0 to 1"),
        ('{"steps": [{"op": "cutout", "params": {"fill": "pink"}}]}', "one of black, grey, noise"),
        ('{"steps": [{"params": {}}]}', "does not name an \\\"op\\\""),
        ('{"version": 99, "steps": []}', "newer cnnviz"),
    ],
)
def test_bad_pipeline_files_are_refused_with_a_sentence(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(PipelineError, match=message) as err:
        Pipeline.load(path)
    assert str(err.value).endswith(".")


def test_missing_pipeline_file_is_a_pipeline_error(tmp_path):
    with pytest.raises(PipelineError, match="does not exist"):
        Pipeline.load(tmp_path / "nope.json")


class TinyImages(Dataset):
    """A data set of PIL images and uint8 tensors, as torchvision's data sets give."""

    def __init__(self, transform):
        self.transform = transform
        self.images = [picture(20, 24, seed) for seed in range(6)]

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        from PIL import Image

        image = self.images[index]
        raw = Image.fromarray(image) if index % 2 else torch.from_numpy(image).permute(2, 0, 1)
        return self.transform(raw), index


def test_torch_transform_in_a_dataset_and_dataloader():
    transform = classic().to_torch_transform()
    torch.manual_seed(0)
    batch, _ = next(iter(DataLoader(TinyImages(transform), batch_size=6)))
    assert batch.shape == (6, 3, 20, 24) and batch.dtype == torch.float32
    assert 0.0 <= batch.min() and batch.max() <= 1.0
    torch.manual_seed(0)
    again, _ = next(iter(DataLoader(TinyImages(transform), batch_size=6)))
    assert torch.equal(batch, again)


def test_seeded_torch_transform_reproduces_the_preview_sample():
    pipeline = classic()
    img = picture()
    transform = pipeline.to_torch_transform(seed=9)
    tensor = transform(torch.from_numpy(img).permute(2, 0, 1), index=4)
    preview = pipeline.sample(img, sample_rng(9, 4)).image
    assert torch.equal((tensor * 255).round().to(torch.uint8).permute(1, 2, 0),
                       torch.from_numpy(preview))
    float_in = transform(torch.from_numpy(img).permute(2, 0, 1).float() / 255, index=4)
    assert torch.allclose(float_in, tensor)
    transform.epoch = 1
    assert not torch.equal(transform(torch.from_numpy(img).permute(2, 0, 1), index=4), tensor)


def test_torchvision_code_runs_and_comments_what_it_cannot_express():
    pipeline = Pipeline([
        Step("hflip", probability=0.5),
        Step("random_resized_crop"),
        Step("rotate", {"angle": [-20, 20]}, probability=0.7),
        Step("shear"),
        Step("perspective", probability=0.4),
        Step("colour_jitter"),
        Step("colour_shift"),
        Step("pca_colour"),
        Step("greyscale", probability=0.1),
        Step("elastic", probability=0.2),
        Step("grid_distortion"),
        Step("gaussian_blur"),
        Step("gaussian_noise"),
        Step("cutout", {"fill": "noise"}, probability=0.5),
        Step("vflip", enabled=False),
    ])
    code = pipeline.to_torchvision_code(image_size=(32, 40))
    assert "# colour_shift: no torchvision equivalent" in code
    assert "# pca_colour: no torchvision equivalent" in code
    assert "v2.RandomApply([v2.RandomRotation((-20, 20), fill=0)], p=0.7)" in code
    assert "v2.RandomHorizontalFlip(p=0.5)" in code and "# vflip: disabled" in code
    namespace = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    out = namespace["transform"](torch.randint(0, 256, (3, 32, 40), dtype=torch.uint8))
    assert out.shape == (3, 32, 40) and out.dtype == torch.float32
    without_size = Pipeline([Step("random_resized_crop")]).to_torchvision_code()
    assert "SIZE" in without_size


def test_torch_transform_pickles_for_dataloader_workers():
    import pickle

    transform = classic().to_torch_transform(seed=2)
    clone = pickle.loads(pickle.dumps(transform))
    img = torch.from_numpy(picture()).permute(2, 0, 1)
    assert torch.equal(clone(img, index=1), transform(img, index=1))
    assert "random_resized_crop" in repr(transform)


def test_a_new_step_starts_with_its_operation_default_chance():
    from cnnviz.core.augment.ops import describe_ops

    # Nothing to draw: at 100 % every sample would be changed alike, so half of them are.
    for name in ("hflip", "vflip", "greyscale"):
        step = Step.new(name)
        assert step.probability == 0.5 and step.validated() == step
    rotate = Step.new("rotate")
    assert rotate.probability == 1.0 and rotate.params == get_op("rotate").default_settings()
    assert {op["name"]: op["probability"] for op in describe_ops()}["hflip"] == 0.5
    code = Pipeline([Step.new("hflip"), Step.new("vflip"), Step.new("greyscale"),
                     Step.new("rotate")]).to_torchvision_code()
    assert "v2.RandomHorizontalFlip(p=0.5)" in code and "v2.RandomVerticalFlip(p=0.5)" in code
    assert "v2.RandomGrayscale(p=0.5)" in code and "RandomApply" not in code
    # A file without a chance keeps meaning "always", as it always has.
    assert Pipeline.from_json('{"steps": [{"op": "hflip"}]}').steps[0].probability == 1.0
