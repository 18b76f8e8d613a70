"""The preview's parts: rendering at tile size, the latest-only worker, overlays, details."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from cnnviz.core.augment import Pipeline, Step, get_op
from cnnviz.core.augment.pipeline import sample_rng
from cnnviz.ui.augment.overlays import displacement_arrows, overlay_geometry, paint_overlay
from cnnviz.ui.augment.render import PreviewJob, fit_side, render_preview
from cnnviz.ui.augment.sample_details import drawn_params, format_value, sample_html, sample_summary


def picture(width: int = 64, height: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 4 % 256, y * 5 % 256, (x + y) % 256], axis=-1).astype(np.uint8)


def one_sample(steps: list[Step], image: np.ndarray | None = None, seed: int = 3):
    image = picture() if image is None else image
    return Pipeline(steps).sample(image, sample_rng(seed, 0)), image


# ----------------------------------------------------------------------- render
def test_fit_side_shrinks_the_longest_side_only_when_needed():
    image = picture(400, 200)
    small = fit_side(image, 100)
    assert small.shape == (50, 100, 3)
    assert fit_side(image, 400) is image


@pytest.mark.parametrize("fused", [True, False])
def test_render_preview_draws_the_core_samples_at_tile_size(fused):
    image = picture(400, 300)
    pipeline = Pipeline([Step("random_resized_crop"), Step("rotate"), Step("gaussian_noise"),
                         Step("shear"), Step("elastic")])
    frame = render_preview(PreviewJob(5, "key", image, pipeline, 3, 9, 200, fused))
    assert (frame.generation, frame.image_key, frame.seed, frame.error) == (5, "key", 9, "")
    assert frame.base.shape == (150, 200, 3)
    expected = pipeline.samples(frame.base, 3, 9, fused=fused)
    for got, want in zip(frame.samples, expected):
        np.testing.assert_array_equal(got.image, want.image)


def test_render_preview_turns_a_bad_setting_into_a_sentence():
    bad = Pipeline([Step("rotate", {"angle": (400.0, 500.0)})])
    frame = render_preview(PreviewJob(1, None, picture(), bad, 2, 0, 64))
    assert frame.samples == () and "must lie between" in frame.error


# ----------------------------------------------------------------------- worker
def test_latest_only_worker_skips_replaced_jobs(qtbot):
    from cnnviz.ui.augment.worker import LatestOnlyWorker

    gate = threading.Event()
    seen: list[int] = []

    def work(job: int) -> int:
        if job == 1:
            gate.wait(10)
        seen.append(job)
        return job * 10

    worker = LatestOnlyWorker(work)
    results: list[int] = []
    worker.done.connect(results.append)
    for job in (1, 2, 3, 4):
        worker.submit(job)
    assert worker.busy
    gate.set()
    qtbot.waitUntil(lambda: results == [10, 40] and not worker.busy, timeout=10_000)
    assert seen == [1, 4] and worker.started == 2
    assert worker.shutdown()


def test_latest_only_worker_reports_failures_and_stops_after_shutdown(qtbot):
    from cnnviz.ui.augment.worker import LatestOnlyWorker

    def work(job):
        raise ValueError(f"bad {job}")

    worker = LatestOnlyWorker(work)
    with qtbot.waitSignal(worker.failed, timeout=10_000) as blocker:
        worker.submit(1)
    assert str(blocker.args[0]) == "bad 1"
    worker.shutdown()
    worker.submit(2)
    assert not worker.busy and worker.started == 1


# --------------------------------------------------------------------- overlays
def test_flip_outline_is_the_frame_mirrored():
    sample, image = one_sample([Step("hflip")])
    geometry = overlay_geometry(sample, image.shape)
    h, w = image.shape[:2]
    corners = {tuple(np.round(c, 6)) for c in geometry.outline}
    assert corners == {(-0.5, -0.5), (w - 0.5, -0.5), (w - 0.5, h - 0.5), (-0.5, h - 0.5)}
    assert tuple(geometry.outline[0]) == pytest.approx((w - 0.5, -0.5))  # top-left went right
    assert geometry.arrows is None and geometry.boxes == []


def test_no_geometric_step_means_no_outline():
    sample, image = one_sample([Step("colour_jitter"), Step("greyscale")])
    assert overlay_geometry(sample, image.shape).empty


def test_rotation_outline_is_the_frame_turned_about_the_centre():
    sample, image = one_sample([Step("rotate", {"angle": (90.0, 90.0)})], picture(40, 40))
    outline = overlay_geometry(sample, image.shape).outline
    # A quarter turn counter-clockwise on screen takes the top-left corner to the bottom-left.
    assert tuple(outline[0]) == pytest.approx((-0.5, 39.5))


def test_cutout_box_follows_later_geometry():
    sample, image = one_sample([Step("cutout", {"area": (0.1, 0.1)}), Step("hflip")])
    box = sample.steps[0].info.box
    geometry = overlay_geometry(sample, image.shape)
    (drawn,) = geometry.boxes
    w = image.shape[1]
    xs = sorted(drawn[:, 0])
    assert xs[0] == pytest.approx(w - 1 - (box[2] - 0.5)) and xs[-1] == pytest.approx(w - 1 - (box[0] - 0.5))


def test_warp_arrows_follow_the_displacement_field():
    sample, image = one_sample([Step("elastic", {"magnitude": (5.0, 5.0)})], picture(90, 60))
    field = sample.steps[0].info.displacement
    geometry = overlay_geometry(sample, image.shape)
    assert geometry.outline is None
    arrows = geometry.arrows
    assert len(arrows) > 20
    for x0, y0, x1, y1 in arrows:
        dx, dy = field[int(round(y1)), int(round(x1))]
        assert (x0 - x1, y0 - y1) == pytest.approx((dx, dy), abs=1e-4)


def test_geometry_after_a_warp_hides_the_arrows_and_a_warp_hides_the_outline():
    sample, image = one_sample([Step("elastic"), Step("rotate", {"angle": (10.0, 10.0)})])
    assert overlay_geometry(sample, image.shape).arrows is None
    sample, image = one_sample([Step("rotate", {"angle": (10.0, 10.0)}), Step("elastic")])
    geometry = overlay_geometry(sample, image.shape)
    assert geometry.outline is None and geometry.arrows is not None


def test_displacement_arrows_of_a_constant_field():
    field = np.zeros((30, 60, 2), np.float32)
    field[..., 0], field[..., 1] = 3.0, -2.0
    arrows = displacement_arrows(field, along=6)
    assert arrows.shape == (18, 4)
    np.testing.assert_allclose(arrows[:, 0] - arrows[:, 2], 3.0)
    np.testing.assert_allclose(arrows[:, 1] - arrows[:, 3], -2.0)


def test_arrow_segments_are_a_shaft_and_two_barbs_or_a_dot(qapp):
    from cnnviz.ui.augment.overlays import arrow_segments

    arrows = np.array([[0.0, 0.0, 20.0, 0.0], [5.0, 5.0, 5.5, 5.0]])
    # Target twice the sample's size: arrows scale with it, from pixel centres.
    segments, dots = arrow_segments(arrows, QRectF(10, 20, 200, 100), (100, 50))
    assert segments.shape == (3, 4) and dots.shape == (1, 2)
    shaft, barb_a, barb_b = (tuple(row) for row in segments)
    np.testing.assert_allclose(shaft, (11, 21, 51, 21))
    for barb in (barb_a, barb_b):
        assert barb[:2] == (51.0, 21.0)  # from the tip
        dx, dy = barb[2] - barb[0], barb[3] - barb[1]
        np.testing.assert_allclose(np.hypot(dx, dy), 5.0)  # heads are 5 px long
        np.testing.assert_allclose(np.degrees(np.arctan2(abs(dy), -dx)), 30.0)  # 30 deg back
    assert {round(barb_a[3] - 21, 6), round(barb_b[3] - 21, 6)} == {2.5, -2.5}  # one each side
    assert tuple(dots[0]) == (22.0, 31.0)  # the short one: a dot at its tip


def test_polygon_from_holds_the_points_in_order(qapp):
    from cnnviz.ui.augment.overlays import polygon_from

    points = np.array([[1.5, 2.0], [-3.0, 4.25], [7.0, 8.0]])
    polygon = polygon_from(points)
    assert [(p.x(), p.y()) for p in polygon] == [(1.5, 2.0), (-3.0, 4.25), (7.0, 8.0)]
    assert polygon_from(np.zeros((0, 2))).isEmpty()


def test_paint_overlay_draws_onto_the_picture(qapp):
    sample, image = one_sample([Step("elastic", {"magnitude": (6.0, 6.0)}), Step("cutout")])
    canvas = QImage(200, 150, QImage.Format.Format_RGB32)
    canvas.fill(0)
    painter = QPainter(canvas)
    paint_overlay(painter, overlay_geometry(sample, image.shape), QRectF(0, 0, 200, 150),
                  sample.image.shape, "#ffd43b")
    painter.end()
    pixels = np.frombuffer(canvas.constBits(), np.uint8).reshape(150, 200, 4)
    yellow = (pixels[..., 2] > 200) & (pixels[..., 1] > 180) & (pixels[..., 0] < 120)
    assert yellow.sum() > 100


# ---------------------------------------------------------------------- details
def test_format_value_is_short():
    assert format_value(0.123456) == "0.123"
    assert format_value([0.1] * 8) == "8 values"
    assert format_value((1.0, 2.5)) == "(1, 2.5)"
    assert format_value(True) == "yes"


def test_drawn_params_hide_seeds_and_add_units():
    sample, _ = one_sample([Step("rotate", {"angle": (12.0, 12.0)}), Step("gaussian_noise")])
    rows = dict(drawn_params(sample.steps[0].info))
    assert rows["Angle"] == "12 °"
    noise = dict(drawn_params(sample.steps[1].info))
    assert "Noise seed" not in noise and "noise_seed" not in noise
    assert noise["Coloured grain"] == "yes"


def test_summary_and_html_name_skipped_steps_and_pca_numbers():
    sample, _ = one_sample([Step("vflip", {}, 0.0), Step("pca_colour", {"alpha_std": 0.5})])
    summary = sample_summary(0, sample)
    assert "Vertical flip: skipped" in summary and "PCA colour" in summary
    pca = sample.steps[1].info.pca
    text = sample_html(0, sample, "#888888")
    assert "<i>skipped</i>" in text
    for value in pca.eigenvalues:
        assert f"{value:.4f}" in text
    for alpha in pca.alphas:
        assert f"{alpha:+.3f}" in text
    assert ", ".join(f"{v:+.1f}" for v in pca.shift) in text


def test_every_operation_has_details_that_render():
    image = picture()
    for spec in (get_op(n) for n in ("hflip", "random_crop", "perspective", "grid_distortion",
                                     "colour_shift", "gaussian_blur", "cutout", "greyscale")):
        sample, _ = one_sample([Step(spec.name)], image)
        html = sample_html(0, sample, "#777777")
        assert spec.title.split()[0] in html
