"""``cnnviz runs`` lists a run's saved weights; ``cnnviz activations --weights`` takes them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cnnviz.cli import main


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    code = main(["train", "--arch", "lenet5", "--steps", "2", "--batch-size", "4",
                 "--train-size", "8", "--val-size", "4", "--classes", "3", "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(path)
    return path


def test_runs_lists_where_each_models_weights_are(run_folder, capsys):
    capsys.readouterr()
    assert main(["runs", str(run_folder)]) == 0
    out = capsys.readouterr().out
    weights = run_folder / "lenet5" / "weights.pt"
    assert f"lenet5 weights: {weights}, from step 2 at the end of the run" in out
    weights.rename(weights.with_suffix(".bak"))
    try:
        assert main(["runs", str(run_folder)]) == 0
        assert f"lenet5 weights: {weights} (missing)" in capsys.readouterr().out
    finally:
        weights.with_suffix(".bak").rename(weights)


def test_activations_take_a_runs_weights_as_it_trained_them(run_folder, photo, tmp_path,
                                                            capsys):
    capsys.readouterr()
    weights = run_folder / "lenet5" / "weights.pt"
    code = main(["activations", "lenet5", str(photo), "--weights", str(weights),
                 "--layer", "features.0", "--out", str(tmp_path / "maps")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert (tmp_path / "maps" / "features.0" / "grid.png").is_file()
    # the run's own classes are scored (3 shapes), not ImageNet's
    assert "circle" in captured.out and "ring" in captured.out and "square" in captured.out


def test_activations_with_another_networks_run_weights_is_a_sentence(run_folder, photo,
                                                                     capsys):
    capsys.readouterr()
    weights = run_folder / "lenet5" / "weights.pt"
    code = main(["activations", "resnet20", str(photo), "--weights", str(weights),
                 "--list-layers"])
    err = capsys.readouterr().err
    assert code != 0
    assert err.strip() == (f"cnnviz: {weights} holds the weights of LeNet-5, not "
                           "ResNet-20; give lenet5 as the network.")
