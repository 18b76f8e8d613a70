"""Looking inside a network: activations, receptive fields, weights and predictions."""

import urllib.error

import numpy as np
import pytest
import torch
from PIL import Image

from cnnviz.cli import main
from cnnviz.core.augment import Pipeline, Step, sample_rng
from cnnviz.core.errors import WeightsError
from cnnviz.core.inspect import inspect_model
from cnnviz.core.probe import (
    activation_stats, capture_activations, feature_grid, fetch_weights, first_conv_filters,
    invariance_check, load_weights_file, preprocess_for, receptive_box, ten_crop_predict, top_k,
)
from cnnviz.core.probe.predict import ten_crops
from cnnviz.core.zoo import resolve


def photo(h=120, w=160, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (h + w)], axis=2)
    return np.clip(img + rng.integers(-20, 20, img.shape), 0, 255).astype(np.uint8)


def model_and_report(name):
    spec = resolve(name)
    torch.manual_seed(0)
    return spec.build(), inspect_model(name), preprocess_for(spec.input_shape)


@pytest.mark.parametrize("name", ["lenet5", "resnet20", "resnet18", "googlenet"])
def test_activation_shapes_match_the_engine(name):
    model, report, prep = model_and_report(name)
    x = prep(photo())
    assert tuple(x.shape[1:]) == report.input_shape
    acts = capture_activations(model, x)
    checked = 0
    names = [layer.name for layer in report.layers]
    for layer in report.layers:
        if layer.op == "module" and names.count(layer.name) == 1 and layer.name in acts:
            assert tuple(acts.get(layer.name).shape) == tuple(layer.output_shape), layer.name
            checked += 1
    assert checked >= 5
    assert acts.logits.shape == (report.num_classes,)


def test_lenet_receptive_box_by_hand():
    _, report, _ = model_and_report("lenet5")
    pool2 = next(l for l in report.layers if l.name == "features.5")
    conv1 = next(l for l in report.layers if l.name == "features.0")
    # conv1 5x5: rf 5, centre 2.  pool 2x2/2: rf 6, jump 2, centre 2.5.
    # conv2 5x5: rf 6+4*2 = 14, centre 2.5+2*2 = 6.5.  pool 2x2/2: rf 16, jump 4, centre 7.5.
    assert receptive_box(report, conv1.id, 0, 0) == (0, 0, 4, 4)
    assert receptive_box(report, conv1.id, 3, 10) == (3, 10, 7, 14)
    # unit (1, 2) of pool2: centres 7.5+4 = 11.5 and 7.5+8 = 15.5, half-width 7.5
    assert receptive_box(report, pool2.id, 1, 2) == (4, 8, 19, 23)
    assert receptive_box(report, pool2.id, 4, 4) == (16, 16, 31, 31)


def test_receptive_box_agrees_with_gradients():
    """The region an output unit's gradient reaches in the input is exactly its box."""
    model, report, _ = model_and_report("lenet5")
    x = torch.randn(1, 1, 32, 32, requires_grad=True)
    out = model.features[:6](x)
    out[0, 3, 2, 1].backward()
    rows, cols = np.nonzero(x.grad[0, 0].abs().numpy() > 0)
    pool2 = next(l for l in report.layers if l.name == "features.5")
    assert receptive_box(report, pool2.id, 2, 1) == (rows.min(), cols.min(), rows.max(), cols.max())


def test_stats_see_dead_channels():
    model, _, prep = model_and_report("resnet20")
    with torch.no_grad():
        model.conv1.weight[3].zero_()
        model.bn1.bias[3] = -5.0  # channel 3 is negative everywhere before the ReLU
    acts = capture_activations(model, prep(photo()))
    stats = {s.name: s for s in activation_stats(acts)}
    relu = "act"  # the ReLU right after conv1 and bn1
    assert stats[relu].dead_channels >= 1
    assert 0 < stats[relu].zero_fraction < 1


def test_feature_grid_layout_and_click_mapping():
    act = torch.arange(6 * 4 * 5, dtype=torch.float32).reshape(6, 4, 5)
    act[2] += 1000  # channel 2 has the largest mean
    grid = feature_grid(act, order="mean", pad=1)
    assert grid.cols == 3 and grid.order[0] == 2
    assert grid.image.shape == (2 * 4 + 1, 3 * 5 + 2)
    assert grid.cell_at(0, 0) == (2, 0, 0)
    assert grid.cell_at(6 + 2, 3) == (grid.order[1], 3, 2)
    assert grid.cell_at(5, 0) is None  # the padding between cells


def test_first_conv_filters_are_rgb_tiles():
    model, _, _ = model_and_report("resnet18")
    grid = first_conv_filters(model, scale=2, pad=1)
    assert grid.image.shape[2] == 3 and len(grid.order) == 64
    assert grid.cell == (14, 14)


def test_weights_round_trip_from_file(tmp_path):
    torch.manual_seed(1)
    trained = resolve("lenet5").build()
    path = tmp_path / "lenet.pth"
    torch.save({"state_dict": trained.state_dict(), "epoch": 3}, path)
    fresh = load_weights_file(resolve("lenet5").build(), path)
    for a, b in zip(trained.parameters(), fresh.parameters()):
        assert torch.equal(a, b)


def test_download_path_with_a_local_file(tmp_path):
    torch.manual_seed(2)
    trained = resolve("lenet5").build()
    source = tmp_path / "published" / "lenet5-abc123.pth"
    source.parent.mkdir()
    torch.save(trained.state_dict(), source)
    seen = []
    cache = tmp_path / "cache"
    local = fetch_weights(source.as_uri(), cache, progress=lambda d, t: seen.append((d, t)))
    assert local == cache / "lenet5-abc123.pth" and local.read_bytes() == source.read_bytes()
    assert seen and seen[-1][0] == source.stat().st_size
    model = load_weights_file(resolve("lenet5").build(), local)
    assert torch.equal(model.classifier[0].weight, trained.classifier[0].weight)
    assert [p.name for p in cache.iterdir()] == ["lenet5-abc123.pth"]


def test_offline_download_says_so_and_leaves_nothing(tmp_path, monkeypatch):
    def offline(*a, **k):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(WeightsError, match="offline"):
        fetch_weights("https://example.invalid/resnet18-f37072fd.pth", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_weights_that_do_not_fit_get_a_sentence(tmp_path):
    path = tmp_path / "resnet20.pth"
    torch.save(resolve("resnet20").build(num_classes=7).state_dict(), path)
    with pytest.raises(WeightsError, match="do not fit.*wrong shape"):
        load_weights_file(resolve("resnet20").build(), path)
    junk = tmp_path / "junk.pth"
    junk.write_text("not a tensor file")
    with pytest.raises(WeightsError, match="not a PyTorch weights file"):
        load_weights_file(resolve("resnet20").build(), junk)


def test_top_k_and_ten_crop():
    logits = torch.tensor([0.0, 3.0, 1.0, 2.0])
    best = top_k(logits, ["a", "b", "c", "d"], k=2)
    assert [p.name for p in best] == ["b", "d"] and best[0].probability > best[1].probability
    model, _, prep = model_and_report("resnet20")
    image = photo(90, 150)
    crops = ten_crops(image, prep)
    assert len(crops) == 10 and all(c.shape == (32, 32, 3) for c in crops)
    assert np.array_equal(crops[5], crops[0][:, ::-1])
    single, averaged, _ = ten_crop_predict(model, image, prep, k=3)
    assert len(single) == len(averaged) == 3
    assert abs(sum(p.probability for p in averaged)) <= 1.0


def test_invariance_check_uses_the_pipeline():
    model, _, prep = model_and_report("resnet20")
    pipeline = Pipeline([Step("hflip", probability=1.0)])
    image = photo()
    rows = invariance_check(model, image, pipeline, count=3, seed=5, prep=prep)
    assert len(rows) == 3
    assert np.array_equal(rows[0][0], image[:, ::-1])
    assert len(rows[0][1]) == 3



def test_invariance_check_draws_the_samples_the_studio_draws_for_that_picture():
    # The studio's export draws sample i of cat.jpg from sample_rng(seed, i, "cat.jpg"); the
    # check, told the picture's name, shows those very samples, and another name others.
    model, _, prep = model_and_report("lenet5")
    pipeline = Pipeline([Step("random_resized_crop", {"scale": (0.3, 1.0)}),
                         Step("rotate", {"angle": (-40.0, 40.0)})])
    image = photo(60, 80)
    rows = invariance_check(model, image, pipeline, count=3, seed=7, prep=prep,
                            picture="cat.jpg")
    studio = [pipeline.sample(image, sample_rng(7, i, "cat.jpg")).image for i in range(3)]
    for (sample, _), drawn in zip(rows, studio):
        np.testing.assert_array_equal(sample, drawn)
    dog = invariance_check(model, image, pipeline, count=3, seed=7, prep=prep, picture="dog.jpg")
    unnamed = invariance_check(model, image, pipeline, count=3, seed=7, prep=prep)
    assert not np.array_equal(dog[0][0], rows[0][0])
    assert not np.array_equal(unnamed[0][0], rows[0][0])

def test_cli_writes_feature_maps(tmp_path, capsys):
    img = tmp_path / "cat.png"
    Image.fromarray(photo()).save(img)
    out = tmp_path / "maps"
    assert main(["activations", "lenet5", str(img), "--layer", "features.0", "--out", str(out)]) == 0
    files = sorted(p.name for p in (out / "features.0").iterdir())
    assert files.count("grid.png") == 1 and sum(f.startswith("channel_") for f in files) == 6
    assert Image.open(out / "features.0" / "channel_0000.png").size == (28, 28)
    assert Image.open(out / "input.png").size == (32, 32)
    assert main(["activations", "lenet5", str(img), "--list-layers"]) == 0
    assert "features.3" in capsys.readouterr().out


def test_cli_errors_are_sentences(tmp_path, capsys):
    img = tmp_path / "cat.png"
    Image.fromarray(photo()).save(img)
    assert main(["activations", "lenet5", str(img), "--layer", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no layer with feature maps called 'nope'" in err and "Traceback" not in err
    weights = tmp_path / "w.pth"
    torch.save(resolve("resnet20").build().state_dict(), weights)
    assert main(["activations", "lenet5", str(img), "--weights", str(weights),
                 "--layer", "features.0", "--out", str(tmp_path / "o")]) == 2
    assert "do not fit" in capsys.readouterr().err


def test_a_layer_followed_by_an_in_place_op_keeps_its_own_output():
    """Batch norm before ReLU(inplace=True), as in every torchvision ResNet: the map stored
    for the batch norm is its output, negatives included, not the ReLU's."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                                torch.nn.ReLU(inplace=True)).eval()
    x = torch.randn(2, 3, 8, 8)
    acts = capture_activations(model, x)
    with torch.no_grad():
        expected = model[1](model[0](x))[0]
    assert torch.equal(acts.outputs["1"][-1], expected)
    assert acts.outputs["1"][-1].min() < 0
    assert acts.outputs["2"][-1].min() >= 0


def test_resnet_batch_norms_are_seen_before_their_relu_and_shortcut():
    model = resolve("resnet18").build(num_classes=10).eval()
    x = torch.randn(1, 3, 64, 64)
    acts = capture_activations(model, x)
    seen = {}

    def note(_module, _inputs, output):
        seen["bn1"] = output[0].clone()

    model.bn1.register_forward_hook(note)
    with torch.no_grad():
        model(x)
    assert torch.allclose(acts.outputs["bn1"][-1], seen["bn1"])
    assert acts.outputs["layer1.0.bn2"][-1].min() < 0  # before "out += identity" and the ReLU
