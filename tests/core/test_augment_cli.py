"""``cnnviz augment`` end to end: samples on disk, byte-identical for a seed, clear errors."""

import json

import numpy as np
import pytest
from PIL import Image

from cnnviz.cli import main
from cnnviz.core.augment import Pipeline, Step, load_image, sample_rng


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    y, x = np.mgrid[0:48, 0:64]
    Image.fromarray(np.stack([x * 4, y * 5, (x + y) * 2], -1).astype(np.uint8)).save(folder / "cat.png")
    Image.fromarray(np.full((30, 30, 3), 90, np.uint8)).save(folder / "dog.jpg")
    (folder / "notes.txt").write_text("not a picture")
    pipeline = Pipeline([Step("hflip", probability=0.5), Step("rotate"), Step("elastic"),
                         Step("gaussian_noise"), Step("cutout", probability=0.5)])
    pipeline.save(tmp_path / "p.json")
    return folder, tmp_path / "p.json"


def run(capsys, *argv):
    code = main(["augment", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_writes_samples_byte_identical_for_the_same_seed(tmp_path, inputs, capsys):
    folder, pipeline = inputs
    code, out, err = run(capsys, folder, "--pipeline", pipeline, "--count", 3, "--seed", 5,
                         "--out", tmp_path / "a")
    assert code == 0 and "Wrote 6 sample(s) of 2 picture(s)" in out
    assert "skipped 1 file(s) that are not pictures: notes.txt" in err
    run(capsys, folder, "-p", pipeline, "-n", 3, "-s", 5, "-o", tmp_path / "b")
    run(capsys, folder, "-p", pipeline, "-n", 3, "-s", 6, "-o", tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [f"{s}_{i:03d}.png" for s in ("cat", "dog") for i in range(3)]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert any((tmp_path / "a" / n).read_bytes() != (tmp_path / "c" / n).read_bytes() for n in names)
    # Sample i is the preview's sample i for the same seed and picture.
    expected = Pipeline.load(pipeline).sample(load_image(folder / "cat.png"),
                                              sample_rng(5, 2, "cat.png")).image
    assert np.array_equal(load_image(tmp_path / "a" / "cat_002.png"), expected)


def test_image_format_and_max_side(tmp_path, inputs, capsys):
    folder, pipeline = inputs
    code, _, _ = run(capsys, folder / "cat.png", "-p", pipeline, "-n", 1, "-o", tmp_path / "o",
                     "--image-format", "jpg", "--max-side", 32)
    assert code == 0
    assert load_image(tmp_path / "o" / "cat_000.jpg").shape == (24, 32, 3)


def test_list_ops_as_json_and_table(capsys):
    code, out, _ = run(capsys, "--list-ops", "--format", "json")
    ops = json.loads(out)
    assert code == 0 and {op["name"] for op in ops} >= {"pca_colour", "elastic", "cutout"}
    rotate = next(op for op in ops if op["name"] == "rotate")
    assert rotate["params"][0] == {
        "name": "angle", "title": "Angle", "kind": "float", "default": [-15.0, 15.0],
        "min": -180.0, "max": 180.0, "step": 0.5, "unit": "°", "ranged": True, "choices": [],
        "help": "Counter-clockwise turn in degrees.",
    }
    code, out, _ = run(capsys, "--list-ops")
    assert code == 0 and out.splitlines()[0].startswith("NAME") and "angle=-15..15" in out
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert " p=0.5 " in rows["hflip"] and "p=" not in rows["rotate"]  # chance when added


def test_output_cut_short_by_its_reader_ends_quietly(tmp_path):
    import subprocess
    import sys

    # The reading end is closed before the command writes: every write fails with EPIPE.
    proc = subprocess.Popen([sys.executable, "-m", "cnnviz", "augment", "--list-ops"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "Broken pipe" not in err, err


def test_errors_are_one_sentence_and_exit_two(tmp_path, inputs, capsys):
    folder, pipeline = inputs
    code, _, err = run(capsys, folder, "--out", tmp_path / "o")
    assert code == 2 and "--pipeline" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": [{"op": "twirl"}]}')
    code, _, err = run(capsys, folder, "-p", bad, "-o", tmp_path / "o")
    assert code == 2 and "no augmentation called 'twirl'" in err
    code, _, err = run(capsys, folder / "notes.txt", "-p", pipeline, "-o", tmp_path / "o")
    assert code == 2 and "None of the files named is a picture" in err


def test_an_unreadable_picture_is_reported_and_the_rest_written(tmp_path, inputs, capsys):
    folder, pipeline = inputs
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    code, out, err = run(capsys, folder, "-p", pipeline, "-n", 1, "-o", tmp_path / "o")
    assert code == 1
    assert "broken.jpg" in err and "Wrote 2 sample(s) of 2 picture(s)" in out
