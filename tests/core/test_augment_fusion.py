"""Merged resampling (``fused=True``) draws what op by op draws, up to interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.core.augment import Pipeline, Step, fusion, get_op, kernels, sample_rng

needs_opencv = pytest.mark.skipif("opencv" not in kernels.BACKENDS, reason="merging needs OpenCV")


def smooth(h: int = 240, w: int = 320) -> np.ndarray:
    """Smooth colour waves: resampling twice or once differs by rounding, not by texture."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = [128 + 100 * np.sin(x / 31) * np.cos(y / 27), 120 + 90 * np.cos((x + y) / 42),
           140 + 80 * np.sin(np.hypot(x - w / 2, y - h / 2) / 20)]
    return np.clip(np.stack(rgb, -1), 0, 255).astype(np.uint8)


def fill_edges(image: np.ndarray, fills: set) -> np.ndarray:
    """The band, two pixels either side, along the edges of areas painted with one of the
    ``fills`` grey levels."""
    from scipy.ndimage import binary_dilation

    painted = np.zeros(image.shape[:2], dtype=bool)
    for level in fills:
        painted |= (image == level).all(axis=-1)
    return binary_dilation(painted, iterations=2) & binary_dilation(~painted, iterations=2)


PIPELINES = {
    "crop, rotation, shear, perspective": [
        Step("random_resized_crop"), Step("rotate", {"angle": (-30, 30)}),
        Step("shear", {"x": (-10, 10), "y": (-10, 10)}), Step("perspective")],
    "flip, crop, rotation, warps, rotation": [
        Step("hflip", probability=0.5), Step("random_resized_crop"), Step("rotate", {"angle": (-20, 20)}),
        Step("elastic"), Step("grid_distortion"), Step("rotate")],
    "colour between geometry": [
        Step("rotate", {"angle": (-20, 20)}), Step("colour_jitter"), Step("vflip"),
        Step("perspective", {"strength": (0.2, 0.6)}), Step("cutout"), Step("elastic")],
    "size-changing crop, strong perspective, quarter turns": [
        Step("random_crop", {"size": (0.6, 0.9)}), Step("vflip"),
        Step("perspective", {"strength": (0.5, 0.9)}), Step("rotate", {"angle": (-90, 90)}),
        Step("grid_distortion")],
    "different fill levels": [
        Step("rotate", {"angle": (20, 30), "fill": 0}), Step("shear", {"x": (10, 20), "fill": 128}),
        Step("rotate", {"angle": (-30, -20), "fill": 128})],
}


@needs_opencv
@pytest.mark.parametrize("name", PIPELINES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fused_samples_match_op_by_op_within_interpolation(name, seed):
    pipeline = Pipeline(PIPELINES[name])
    image = smooth()
    for index in range(2):
        single = pipeline.sample(image, sample_rng(seed, index))
        merged = pipeline.sample(image, sample_rng(seed, index), fused=True)
        assert merged.image.shape == single.image.shape and merged.image.dtype == np.uint8
        diff = np.abs(merged.image.astype(int) - single.image.astype(int)).max(axis=-1)
        # Along the edges of fill op by op blends over a pixel where the merged picture
        # has a hard edge; everywhere else the two agree to rounding.
        fills = {s.params.get("fill", 0) for s in pipeline.validated().steps if "fill" in s.params}
        edge = fill_edges(single.image, fills) | fill_edges(merged.image, fills)
        assert edge.mean() < 0.15, edge.mean()  # a thin band, not the picture
        assert diff[~edge].mean() < 1.0, diff[~edge].mean()
        assert np.percentile(diff[~edge], 99) <= 3
        # The same draws and the same records: overlays and details do not change.
        for a, b in zip(single.steps, merged.steps):
            assert (a.index, a.op, a.applied) == (b.index, b.op, b.applied)
            if a.applied:
                assert a.info.params == b.info.params and a.info.box == b.info.box
                for field in ("matrix", "displacement"):
                    left, right = getattr(a.info, field), getattr(b.info, field)
                    assert (left is None) == (right is None)
                    if left is not None:
                        np.testing.assert_array_equal(left, right)


@needs_opencv
def test_fill_from_an_earlier_frame_shows_as_op_by_op():
    """Zoom into the middle, then turn: op by op the corners are fill, not the picture
    that lay outside the crop; the merged pass must not bring that picture back."""
    image = smooth(120, 120)
    pipeline = Pipeline([
        Step("random_resized_crop", {"scale": (0.25, 0.25), "ratio": (1.0, 1.0)}),
        Step("rotate", {"angle": (45.0, 45.0), "fill": 0}),
    ])
    single = pipeline.sample(image, sample_rng(3, 0))
    merged = pipeline.sample(image, sample_rng(3, 0), fused=True)
    for y, x in ((0, 0), (0, 119), (119, 0), (119, 119), (3, 3)):
        assert merged.image[y, x].tolist() == single.image[y, x].tolist() == [0, 0, 0]
    assert merged.image[60, 60].max() > 0


@needs_opencv
def test_geometric_steps_are_read_once(monkeypatch):
    """A crop, a rotation and a shear cost one resampling: one OpenCV call reads pixels."""
    cv2 = kernels.cv2
    calls = []

    class CountingCv2:
        def __getattr__(self, name):
            value = getattr(cv2, name)
            if name not in ("warpAffine", "warpPerspective", "remap", "resize"):
                return value

            def counted(*args, **kwargs):
                calls.append(name)
                return value(*args, **kwargs)
            return counted

    image = smooth()
    moves, shape = [], image.shape
    for op, params in (("random_resized_crop", {"scale": 0.5, "ratio": 1.0, "pos_x": 0.3, "pos_y": 0.6}),
                       ("rotate", {"angle": 12.0, "fill": 0}), ("shear", {"x": 8.0, "y": 0.0, "fill": 0})):
        moves.append(get_op(op).plan(shape, params))
        shape = (moves[-1].size[1], moves[-1].size[0], 3)
    monkeypatch.setattr(kernels, "cv2", CountingCv2())
    out = fusion.resample(image, moves)
    assert calls == ["warpAffine"] and out.shape == image.shape


def test_moves_with_different_fills_do_not_join_and_warps_end_a_group():
    image = smooth()
    rotate = get_op("rotate")
    zero = rotate.plan(image.shape, {"angle": 10.0, "fill": 0})
    grey = rotate.plan(image.shape, {"angle": 10.0, "fill": 128})
    flip = get_op("hflip").plan(image.shape, {})
    elastic = get_op("elastic").plan(image.shape, {"magnitude": 2.0, "smoothness": 8.0, "field_seed": 1})
    assert fusion.joins([zero, flip], zero) and fusion.joins([zero], flip)
    assert not fusion.joins([zero, flip], grey)
    assert fusion.joins([zero], elastic) and not fusion.joins([zero, elastic], flip)
    with pytest.raises(ValueError):
        fusion.resample(image, [zero, grey])


def test_without_opencv_fused_is_op_by_op_exactly():
    pipeline = Pipeline(PIPELINES["crop, rotation, shear, perspective"])
    image = smooth(60, 80)
    with kernels.use_backend("pillow"):
        assert not fusion.available()
        single = pipeline.sample(image, sample_rng(4, 0))
        merged = pipeline.sample(image, sample_rng(4, 0), fused=True)
    np.testing.assert_array_equal(single.image, merged.image)


def test_op_by_op_is_each_operation_applied_in_turn():
    """The default path (export, ``cnnviz augment``) is exactly the operations one after
    the other, byte for byte."""
    steps = PIPELINES["flip, crop, rotation, warps, rotation"]
    pipeline = Pipeline(steps).validated()
    image = smooth()
    sample = pipeline.sample(image, sample_rng(5, 1))
    out = image
    for record in sample.steps:
        if record.applied:
            out = get_op(record.op).apply(out, record.info.params).image
    np.testing.assert_array_equal(sample.image, out)
