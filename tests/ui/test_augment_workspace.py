"""The Augment workspace through its real paths: drops, paste, preview, seed and exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dnd import drop_files, send_drag
from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication
from studio_fixtures import themed, ws  # noqa: F401 - the fixtures, used by name

from cnnviz.core.augment import Pipeline, Step
from cnnviz.core.augment.pipeline import sample_rng

WAIT_MS = 30_000


def gradient(width: int = 64, height: int = 48, seed: int = 0) -> np.ndarray:
    """A small RGB picture with a different gradient per channel."""
    y, x = np.mgrid[0:height, 0:width]
    r = x * 255 // max(1, width - 1)
    g = y * 255 // max(1, height - 1)
    b = (x + y + seed * 37) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def write_picture(path: Path, width: int = 64, height: int = 48, seed: int = 0) -> Path:
    Image.fromarray(gradient(width, height, seed)).save(path)
    return path


def send_drop(widget, paths: list[Path]) -> tuple[bool, bool, bool]:
    """Drag ``paths`` onto ``widget`` with real Qt drag events; returns whether the enter,
    move and drop events were accepted."""
    return drop_files(widget, paths)


def load(qtbot, ws, paths, how="drop"):
    """Open ``paths`` by a real drop (or ``open_paths``) and wait until the batch is in."""
    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS) as blocker:
        if how == "drop":
            assert send_drop(ws, paths) == (True, True, True)
        else:
            ws.open_paths(paths)
    return blocker.args[0]


def next_frame(qtbot, ws, action=None):
    """Run ``action`` (if any) and wait for the settled, full-resolution preview after it."""
    before = ws.frame.generation if ws.frame is not None else 0
    if action is not None:
        action()
    qtbot.waitUntil(lambda: ws.frame is not None and ws.frame.generation > before
                    and ws.preview_settled(), timeout=WAIT_MS)
    return ws.frame


def tile_arrays(ws) -> list[np.ndarray]:
    return [tile.array for tile in ws.grid.tiles]


# ---------------------------------------------------------------------- loading
def test_dropping_pictures_fills_the_strip_and_shows_samples(qtbot, ws, tmp_path):
    a = write_picture(tmp_path / "a.png")
    b = write_picture(tmp_path / "b.jpg", 40, 30, seed=1)
    assert load(qtbot, ws, [a, b]) == 2
    assert [i.name for i in ws.images] == ["a.png", "b.jpg"]
    assert ws.strip.count() == 2
    assert ws.current.name == "a.png"
    assert ws.centre.currentWidget() is ws.grid
    frame = next_frame(qtbot, ws)
    assert len(frame.samples) == ws.grid.count == len(ws.grid.tiles)
    assert all(t.array is not None and t.array.ndim == 3 for t in ws.grid.tiles)
    np.testing.assert_array_equal(ws.grid.original.array, gradient())
    assert not ws.notice.isVisible()


def test_folder_with_a_text_file_reports_it_once_and_loads_the_pictures(qtbot, ws, tmp_path):
    folder = tmp_path / "holiday"
    folder.mkdir()
    write_picture(folder / "one.png")
    write_picture(folder / "two.png", seed=2)
    (folder / "notes.txt").write_text("not a picture")
    assert load(qtbot, ws, [folder]) == 2
    assert sorted(i.name for i in ws.images) == ["one.png", "two.png"]
    assert ws.notice.isVisible()
    message = ws.notice.text.text()
    assert message.count("notes.txt") == 1
    assert "not a picture" in message
    assert "Traceback" not in message


def test_broken_picture_gets_a_sentence_and_the_rest_load(qtbot, ws, tmp_path):
    good = write_picture(tmp_path / "good.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    truncated = tmp_path / "cut.jpg"
    Image.fromarray(gradient(200, 150)).save(tmp_path / "whole.jpg", quality=90)
    truncated.write_bytes((tmp_path / "whole.jpg").read_bytes()[:600])
    (tmp_path / "whole.jpg").unlink()
    assert load(qtbot, ws, [good, broken, truncated]) == 1
    assert [i.name for i in ws.images] == ["good.png"]
    message = ws.notice.text.text()
    assert "Cannot open broken.png" in message
    assert "Cannot open cut.jpg" in message
    assert "Traceback" not in message and "Error" not in message
    # Only broken pictures: the status bar does not keep saying "Loading …".
    said = []
    ws.status_message.connect(said.append)
    assert load(qtbot, ws, [broken], how="open") == 0
    assert said[0] == "Loading broken.png…" and said[-1] == "No picture was loaded."


def test_only_non_pictures_gives_a_message_and_no_crash(qtbot, ws, tmp_path):
    text = tmp_path / "readme.md"
    text.write_text("# hello")
    assert load(qtbot, ws, [text], how="open") == 0
    assert ws.images == []
    assert "readme.md" in ws.notice.text.text()
    assert ws.centre.currentWidget() is not ws.grid


def test_files_for_other_workspaces_are_left_to_the_window(ws, tmp_path):
    model = tmp_path / "net.py"
    model.write_text("import torch\n")
    picture = write_picture(tmp_path / "p.png")
    assert send_drop(ws, [model]) == (False, False, False)
    assert send_drop(ws, [picture, model]) == (False, False, False)
    assert ws.images == [] and not ws.notice.isVisible()


def test_drag_without_files_is_refused(ws):
    mime = QMimeData()
    mime.setText("just words")
    assert send_drag(ws, mime, QPointF(5, 5)) == (False, False, False)


def test_paste_adds_the_clipboard_picture_at_full_resolution(qtbot, ws):
    array = gradient(50, 40, seed=3)
    image = QImage(array.data, 50, 40, 150, QImage.Format.Format_RGB888).copy()
    QGuiApplication.clipboard().setImage(image)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().mimeData().hasImage(), timeout=5000)
    ws.paste()
    assert [i.name for i in ws.images] == ["Pasted image 1"]
    pasted = ws.images[0]
    assert pasted.path is None and pasted.full_size == (50, 40)
    np.testing.assert_array_equal(pasted.full_resolution(), array)
    next_frame(qtbot, ws)


def test_ctrl_v_pastes(qtbot, ws):
    array = gradient(30, 20, seed=5)
    QGuiApplication.clipboard().setImage(QImage(array.data, 30, 20, 90, QImage.Format.Format_RGB888).copy())
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().mimeData().hasImage(), timeout=5000)
    ws.activateWindow()
    qtbot.waitUntil(ws.isActiveWindow, timeout=5000)
    qtbot.keyClick(ws.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [i.name for i in ws.images] == ["Pasted image 1"]


def test_paste_with_nothing_useful_says_so(ws):
    QGuiApplication.clipboard().setText("words, not a picture")
    ws.paste()
    assert ws.images == []
    assert "no picture" in ws.notice.text.text()


def test_can_open_pictures_and_picture_folders_but_not_runs(tmp_path):
    from cnnviz.ui.augment.workspace import AugmentWorkspace

    picture = write_picture(tmp_path / "p.png")
    assert AugmentWorkspace.can_open(picture)
    assert not AugmentWorkspace.can_open(tmp_path / "model.py")
    pictures = tmp_path / "pics"
    pictures.mkdir()
    write_picture(pictures / "x.jpg")
    assert AugmentWorkspace.can_open(pictures)
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text("{}")
    write_picture(run / "curve.png")
    assert not AugmentWorkspace.can_open(run)


def test_removing_a_picture_selects_another(qtbot, ws, tmp_path):
    load(qtbot, ws, [write_picture(tmp_path / "a.png"), write_picture(tmp_path / "b.png", seed=1)])
    first = ws.current.key
    ws.remove_image(first)
    assert [i.name for i in ws.images] == ["b.png"]
    assert ws.current.name == "b.png"
    ws.remove_image(ws.current.key)
    assert ws.current is None and ws.centre.currentWidget() is not ws.grid


# ---------------------------------------------------------------------- preview
@pytest.fixture
def loaded(qtbot, ws, tmp_path):
    load(qtbot, ws, [write_picture(tmp_path / "pic.png")])
    next_frame(qtbot, ws)
    return ws


def test_moving_a_slider_updates_the_preview(qtbot, loaded):
    ws = loaded
    pipeline = Pipeline([Step("colour_shift", {"red": (0, 0), "green": (0, 0), "blue": (0, 0)})])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(pipeline))
    base = ws.frame.base.astype(int)
    for array in tile_arrays(ws):
        np.testing.assert_array_equal(array, base)
    red = ws.editor.cards[0].controls["red"].editor
    next_frame(qtbot, ws, lambda: red.setValue((-60, -60)))
    assert ws.pipeline.steps[0].params["red"] == (-60, -60)
    for array in tile_arrays(ws):
        expected = np.clip(base[..., 0] - 60, 0, 255)
        np.testing.assert_array_equal(array[..., 0], expected)
        np.testing.assert_array_equal(array[..., 1:], base[..., 1:])


def test_dragging_a_step_reorders_the_pipeline_and_the_preview_follows(qtbot, loaded):
    from cnnviz.ui.augment.step_drag import step_mime

    ws = loaded
    pipeline = Pipeline([Step("hflip"), Step("rotate", {"angle": (20.0, 30.0)}),
                         Step("colour_jitter"), Step("cutout")])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(pipeline))
    step_list = ws.editor.list_widget

    def drop_last_on_top():
        mime = step_mime(step_list, 3)
        assert send_drag(step_list, mime, QPointF(step_list.gap_point(0))) == (True, True, True)

    frame = next_frame(qtbot, ws, drop_last_on_top)
    order = ["cutout", "hflip", "rotate", "colour_jitter"]
    assert [s.op for s in ws.pipeline.steps] == order
    assert all([r.op for r in sample.steps] == order for sample in frame.samples)
    expected = ws.pipeline.samples(frame.base, len(frame.samples), frame.seed, fused=True,
                                   picture=ws.current.name)
    for array, want in zip(tile_arrays(ws), expected):
        np.testing.assert_array_equal(array, want.image)
    assert not step_list.indicator.isVisible()


def test_slider_moves_never_touch_the_full_picture_and_shrink_once(qtbot, ws, tmp_path, monkeypatch):
    """A drag re-renders from the screen-size copy made at load; the shrink to tile size is
    made once per size, and the full-resolution file is not read again."""
    import cnnviz.ui.augment.render as render
    from cnnviz.ui.augment.images import LoadedImage

    load(qtbot, ws, [write_picture(tmp_path / "photo.png", 900, 600)])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(
        Pipeline([Step("rotate", {"angle": (-5.0, 5.0)}), Step("colour_jitter")])))

    def no_full_picture(self):
        raise AssertionError("the preview read the full-resolution picture")

    shrinks = []
    real_fit = render.fit_side
    monkeypatch.setattr(LoadedImage, "full_resolution", no_full_picture)
    monkeypatch.setattr(render, "fit_side", lambda image, side: shrinks.append(side) or real_fit(image, side))
    slider = ws.editor.cards[0].controls["angle"].editor
    for angle in (10.0, 20.0, 30.0):
        next_frame(qtbot, ws, lambda a=angle: slider.setValue((-a, a)))
    assert ws.pipeline.steps[0].params["angle"] == (-30.0, 30.0)
    assert ws.frame.base.shape[1] < 900  # drawn from the shrunk copy, not the picture
    assert len(shrinks) <= 2 and len(set(shrinks)) == len(shrinks)  # draft and full, once each


def test_slider_bursts_are_coalesced_and_the_last_value_wins(qtbot, ws, tmp_path):
    load(qtbot, ws, [write_picture(tmp_path / "wide.png", 600, 400)])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(Pipeline([Step("rotate", {})])))
    started = ws.preview.worker.started
    angle = ws.editor.cards[0].controls["angle"].editor
    drafts = []
    ws.frame_shown.connect(lambda frame: drafts.append(max(frame.base.shape[:2])))

    def drag():
        for a in range(0, 90, 3):  # thirty values within one pass of the event loop
            angle.setValue((float(a), float(a)))

    next_frame(qtbot, ws, drag)
    # One draft render for the burst, then one sharp render once the slider rests.
    assert ws.preview.worker.started - started == 2
    assert len(drafts) == 2 and drafts[0] < drafts[1]  # the draft is coarser
    assert drafts[1] == max(ws.frame.base.shape[:2]) == ws.preview.side
    info = ws.frame.samples[0].steps[0].info
    assert info.params["angle"] == pytest.approx(87.0)


def test_tiles_draw_the_pictures_the_worker_prepared(qtbot, loaded):
    ws = loaded
    pipeline = Pipeline([Step("rotate", {"angle": (-20.0, 20.0)}), Step("elastic", {})])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(pipeline))
    made_here = [tile.composed for tile in ws.grid.tiles]
    frame = next_frame(qtbot, ws, lambda: ws.grid.set_seed(ws.grid.seed + 1))
    assert len(frame.pictures) == len(frame.samples) == len(ws.grid.tiles)
    for tile, picture in zip(ws.grid.tiles, frame.pictures):
        ws.grid.grab()  # paint every tile
        assert tile.picture() is picture and picture.overlaid is not None
    # Painting the new frame made nothing on the GUI thread: no scaling, no stroking.
    assert [tile.composed for tile in ws.grid.tiles] == made_here


def test_fixed_seed_reproduces_the_grid(qtbot, loaded):
    from cnnviz.ui.augment.render import fit_side

    ws = loaded
    pipeline = Pipeline([Step("rotate", {"angle": (-40.0, 40.0)}), Step("gaussian_noise", {})])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(pipeline))
    ws.grid.fixed_seed.setChecked(True)
    assert not ws.grid.reroll.isEnabled()
    next_frame(qtbot, ws, lambda: ws.grid.set_seed(7))
    first = [a.copy() for a in tile_arrays(ws)]
    next_frame(qtbot, ws, lambda: ws.grid.set_seed(8))
    assert any(not np.array_equal(a, b) for a, b in zip(first, tile_arrays(ws)))
    next_frame(qtbot, ws, lambda: ws.grid.set_seed(7))
    for a, b in zip(first, tile_arrays(ws)):
        np.testing.assert_array_equal(a, b)
    # The grid is exactly the core's samples i = 0..N-1 of seed 7 at the preview size.
    base = fit_side(ws.current.preview, ws.preview.side)
    expected = pipeline.samples(base, ws.grid.count, 7, picture=ws.current.name)
    for sample, array in zip(expected, first):
        np.testing.assert_array_equal(sample.image, array)


def test_reroll_changes_the_seed_unless_fixed(qtbot, loaded):
    ws = loaded
    ws.grid.fixed_seed.setChecked(False)
    seed = ws.grid.seed
    next_frame(qtbot, ws, ws.grid.reroll.click)
    assert ws.frame.seed == ws.grid.seed != seed
    ws.grid.fixed_seed.setChecked(True)
    ws.grid.roll()
    assert ws.frame.seed == ws.grid.seed


def test_sample_count_is_selectable(qtbot, loaded):
    ws = loaded
    next_frame(qtbot, ws, lambda: ws.grid.set_count(12))
    assert len(ws.grid.tiles) == 12 and len(ws.frame.samples) == 12
    next_frame(qtbot, ws, lambda: ws.grid.set_count(2))
    assert len(ws.grid.tiles) == 2 and len(ws.frame.samples) == 2


def test_clicking_a_sample_shows_what_was_drawn(qtbot, loaded):
    ws = loaded
    pipeline = Pipeline([Step("rotate", {"angle": (30.0, 30.0)}), Step("pca_colour", {})])
    next_frame(qtbot, ws, lambda: ws.editor.set_pipeline(pipeline))
    tile = ws.grid.tiles[2]
    hover = QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), tile.mapToGlobal(QPoint(5, 5)))
    QApplication.sendEvent(tile, hover)
    assert "angle 30 °" in tile.toolTip()
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert ws.details.index == 2 and tile.selected
    text = ws.details.text.text()
    assert "Sample 3" in text and "Rotation" in text
    assert "0.866" in text  # cos 30° in the matrix
    pca = ws.frame.samples[2].steps[1].info.pca
    assert f"{pca.alphas[0]:+.3f}" in text and f"{pca.eigenvalues[0]:.4f}" in text
    assert "p1" in text and "α·λ" in text


def test_pipeline_error_is_shown_not_raised(qtbot, loaded):
    ws = loaded
    ws.editor.pipeline.steps.append(Step("rotate", {"angle": (500.0, 600.0)}))
    next_frame(qtbot, ws, ws.schedule_preview)
    assert "must lie between" in ws.grid.status.text()


# ----------------------------------------------------------------------- export
def test_pipeline_json_saves_and_loads_back_equal(qtbot, loaded, tmp_path):
    ws = loaded
    pipeline = Pipeline([Step("hflip", {}, 0.5), Step("cutout", {"fill": "noise"}, 0.8, False)])
    ws.editor.set_pipeline(pipeline)
    path = tmp_path / "p.json"
    ws.save_pipeline(path)
    assert Pipeline.load(path) == ws.pipeline.validated()
    ws.editor.set_pipeline(Pipeline())
    assert ws.load_pipeline(path)
    assert ws.pipeline == pipeline.validated()
    assert [c.enable.isChecked() for c in ws.editor.cards] == [True, False]


def test_loading_a_bad_pipeline_file_says_why(loaded, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    before = loaded.pipeline.to_dict()
    assert not loaded.load_pipeline(bad)
    assert "not valid JSON" in loaded.notice.text.text()
    assert loaded.pipeline.to_dict() == before


def test_code_dialog_holds_the_transforms_copies_and_saves(qtbot, loaded, tmp_path):
    ws = loaded
    ws.editor.set_pipeline(Pipeline([Step("hflip", {}, 0.5), Step("rotate", {})]))
    dialog = ws.show_code()
    qtbot.addWidget(dialog)
    text = dialog.editor.toPlainText()
    assert "v2.RandomHorizontalFlip(p=0.5)" in text and "v2.RandomRotation" in text
    dialog.copy()
    assert QGuiApplication.clipboard().text() == text
    out = tmp_path / "augment.py"
    dialog.save_to(out)
    assert out.read_text() == text
    compile(text, str(out), "exec")


def test_exported_samples_open_at_full_size_and_match_the_cli(qtbot, ws, tmp_path):
    from cnnviz.cli import main as cli_main

    big = write_picture(tmp_path / "big.png", 1000, 600)
    load(qtbot, ws, [big])
    next_frame(qtbot, ws)
    pipeline = Pipeline([Step("rotate", {}), Step("colour_jitter", {})])
    ws.editor.set_pipeline(pipeline)
    ws.grid.fixed_seed.setChecked(True)
    ws.grid.set_seed(11)
    ws.grid.set_count(2)
    dialog = ws.export_samples_dialog()
    qtbot.addWidget(dialog)
    out = tmp_path / "samples"
    dialog.folder.setText(str(out))
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as blocker:
        dialog.start()
    result = blocker.args[0]
    assert result.errors == [] and not result.cancelled
    assert sorted(p.name for p in out.iterdir()) == ["big_000.png", "big_001.png"]
    for i, path in enumerate(sorted(out.iterdir())):
        with Image.open(path) as img:
            assert img.size == (1000, 600)
            expected = pipeline.sample(np.asarray(Image.open(big).convert("RGB")), sample_rng(11, i, "big.png"))
            np.testing.assert_array_equal(np.asarray(img), expected.image)
    assert dialog.progress.value() == 2
    pipe = tmp_path / "p.json"
    ws.save_pipeline(pipe)
    cli_out = tmp_path / "cli"
    code = cli_main(["augment", str(big), "--pipeline", str(pipe), "--count", "2", "--seed", "11",
                     "--out", str(cli_out)])
    assert code == 0
    for name in ("big_000.png", "big_001.png"):
        assert (cli_out / name).read_bytes() == (out / name).read_bytes()
    dialog.reject()


def test_export_of_all_pictures_reports_an_unreadable_one(qtbot, ws, tmp_path):
    a = write_picture(tmp_path / "a.png")
    b = write_picture(tmp_path / "b.png", seed=4)
    load(qtbot, ws, [a, b])
    b.write_bytes(b"gone bad")  # changed on disk after loading
    ws.grid.set_count(1)
    dialog = ws.export_samples_dialog()
    qtbot.addWidget(dialog)
    dialog.all_images.setChecked(True)
    dialog.folder.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as blocker:
        dialog.start()
    result = blocker.args[0]
    assert [p.name for p in result.written] == ["a_000.png"]
    assert len(result.errors) == 1 and "b.png" in result.errors[0]
    assert "Wrote 1 sample" in dialog.status.text()
    dialog.reject()


def test_menu_actions_and_shutdown(qtbot, loaded):
    texts = [a.text().replace("&", "") for a in loaded.menu_actions()]
    assert "Export Samples…" in texts and "Load Pipeline…" in texts
    assert any("torchvision" in t for t in texts)
    loaded.schedule_preview()
    loaded.shutdown()
    assert not loaded.preview.worker.busy
