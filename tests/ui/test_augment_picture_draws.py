"""Every picture gets its own random draws: sample i of cat.jpg is not sample i of dog.jpg,
and the preview, Export Samples and ``cnnviz augment`` agree on each picture's draws."""

from __future__ import annotations

import numpy as np
from PIL import Image

from cnnviz.cli import main as cli_main
from cnnviz.core.augment import Pipeline, Step
from cnnviz.core.augment.pipeline import sample_rng
from studio_fixtures import themed, ws  # noqa: F401 - the fixtures, used by name
from studio_pictures import picture

WAIT_MS = 30_000
# Steps whose drawn values are easy to compare: a crop box and an angle.
PIPELINE = Pipeline([Step("random_resized_crop", {"scale": (0.3, 1.0)}),
                     Step("rotate", {"angle": (-40.0, 40.0)})])


def drawn(sample) -> list:
    """The values drawn for each step of ``sample`` (what differs between two draws)."""
    return [None if step.info is None else sorted((k, repr(v)) for k, v in step.info.params.items())
            for step in sample.steps]


def settled(qtbot, ws):
    qtbot.waitUntil(lambda: ws.frame is not None and ws.preview_settled()
                    and ws.frame.image_key == ws.current.key, timeout=WAIT_MS)
    return ws.frame


def test_the_picture_takes_part_in_the_draw():
    one = np.random.default_rng(0)
    assert sample_rng(7, 3, "cat.jpg").random() == sample_rng(7, 3, "cat.jpg").random()
    assert sample_rng(7, 3, "cat.jpg").random() != sample_rng(7, 3, "dog.jpg").random()
    assert sample_rng(7, 3, "cat.jpg").random() != sample_rng(7, 3).random()
    assert sample_rng(7, 3).random() == np.random.default_rng([7, 3]).random() != one.random()


def test_all_pictures_export_with_their_own_draws_matching_preview_and_cli(qtbot, ws, tmp_path):
    cat = picture(tmp_path / "cat.png", 120, 80)
    dog = picture(tmp_path / "dog.png", 120, 80)
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths([cat, dog])
    ws.editor.set_pipeline(PIPELINE)
    ws.grid.fixed_seed.setChecked(True)
    ws.grid.set_seed(5)
    ws.grid.set_count(2)
    shown = {}
    for image in ws.images:
        ws._select_key(image.key)
        frame = settled(qtbot, ws)
        shown[image.name] = [drawn(s) for s in frame.samples]
    # The same sample number of two pictures is drawn differently...
    assert shown["cat.png"][0] != shown["dog.png"][0]
    assert shown["cat.png"][1] != shown["dog.png"][1]

    dialog = ws.export_samples_dialog()
    qtbot.addWidget(dialog)
    dialog.all_images.setChecked(True)
    out = tmp_path / "samples"
    dialog.folder.setText(str(out))
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as blocker:
        dialog.start()
    assert blocker.args[0].errors == []
    dialog.reject()
    exported = {name: np.asarray(Image.open(out / name)) for name in
                ("cat_000.png", "cat_001.png", "dog_000.png", "dog_001.png")}
    assert not np.array_equal(exported["cat_000.png"], exported["dog_000.png"])
    # ... and each exported file is the sample the preview drew for that picture.
    for name, path in (("cat.png", cat), ("dog.png", dog)):
        full = np.asarray(Image.open(path).convert("RGB"))
        for i in range(2):
            again = PIPELINE.sample(full, sample_rng(5, i, name))
            assert drawn(again) == shown[name][i]
            np.testing.assert_array_equal(exported[f"{path.stem}_{i:03d}.png"], again.image)

    pipe = tmp_path / "pipe.json"
    ws.save_pipeline(pipe)
    cli_out = tmp_path / "cli"
    assert cli_main(["augment", str(cat), str(dog), "-p", str(pipe), "-n", "2", "-s", "5",
                     "-o", str(cli_out)]) == 0
    for name, pixels in exported.items():
        np.testing.assert_array_equal(np.asarray(Image.open(cli_out / name)), pixels)


def test_a_picture_keeps_its_draws_whatever_else_is_loaded(qtbot, ws, tmp_path):
    cat = picture(tmp_path / "cat.png", 120, 80)
    other = tmp_path / "other"
    other.mkdir()
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths([picture(other / "ant.png", 120, 80), cat])
    ws.editor.set_pipeline(PIPELINE)
    ws.grid.fixed_seed.setChecked(True)
    ws.grid.set_seed(5)
    ws._select_key(next(i.key for i in ws.images if i.name == "cat.png"))
    frame = settled(qtbot, ws)
    alone = PIPELINE.samples(frame.base, ws.grid.count, 5, fused=True, picture="cat.png")
    assert [drawn(s) for s in frame.samples] == [drawn(s) for s in alone]
