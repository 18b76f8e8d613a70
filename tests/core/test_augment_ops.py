"""Each augmentation operation does what its name says (checked on both backends)."""

import numpy as np
import pytest

from cnnviz.core.augment import kernels
from cnnviz.core.augment.colour import IMAGENET_BASIS, pca_basis
from cnnviz.core.augment.ops import get_op, list_ops
from cnnviz.core.errors import PipelineError


@pytest.fixture(params=kernels.BACKENDS)
def backend(request):
    with kernels.use_backend(request.param):
        yield request.param


def noise_image(h=48, w=64, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def ramp_image(size=160):
    """Red rises with x and green with y, one level per 255/(size-1) pixels."""
    y, x = np.mgrid[0:size, 0:size]
    scale = 255.0 / (size - 1)
    return np.stack([x * scale, y * scale, np.full_like(x, 128.0)], -1).round().astype(np.uint8)


def dot_image(x, y, h=120, w=160):
    """A soft bright dot whose intensity-weighted centre is (x, y)."""
    yy, xx = np.mgrid[0:h, 0:w]
    blob = 255 * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 3.0**2))
    return np.repeat(blob[..., None], 3, axis=2).round().astype(np.uint8)


def centroid(image):
    weight = image[..., 0].astype(np.float64)
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    return np.array([(weight * xx).sum(), (weight * yy).sum()]) / weight.sum()


def apply(name, image, **params):
    spec = get_op(name)
    drawn = spec.sample(spec.validate({}), np.random.default_rng(0), image.shape)
    drawn.update(params)
    return spec.apply(image, drawn)


def test_registry_lists_every_op_with_a_described_param_set():
    names = [s.name for s in list_ops()]
    assert names[:2] == ["hflip", "vflip"]
    assert len(names) == len(set(names)) == 16
    for spec in list_ops():
        assert spec.description.endswith(".") and len(spec.description) < 100
        for p in spec.params:
            assert p.validate(p.default, spec.name) is not None
    with pytest.raises(PipelineError, match="no augmentation called 'zoom'"):
        get_op("zoom")


def test_flips_mirror(backend):
    img = noise_image()
    assert np.array_equal(apply("hflip", img).image, img[:, ::-1])
    assert np.array_equal(apply("vflip", img).image, img[::-1])
    m = apply("hflip", img).info.matrix
    assert np.allclose(m @ [0, 5, 1], [img.shape[1] - 1, 5, 1])


def test_quarter_turn_matches_rot90_and_transpose(backend):
    img = noise_image(40, 40)
    assert np.array_equal(apply("rotate", img, angle=90.0).image, np.rot90(img))
    assert np.array_equal(apply("rotate", img, angle=-90.0).image, np.rot90(img, -1))
    # A counter-clockwise quarter turn is a transpose followed by a vertical flip.
    assert np.array_equal(apply("rotate", img, angle=90.0).image, img.transpose(1, 0, 2)[::-1])


@pytest.mark.parametrize(
    "name, params",
    [
        ("rotate", {"angle": 30.0}),
        ("shear", {"x": 20.0, "y": -10.0}),
        ("perspective", {"strength": 0.4, "corners": [0.9, 0.1, 0.5, 0.8, 0.2, 0.6, 1.0, 0.3]}),
        ("random_resized_crop", {"scale": 0.4, "ratio": 1.2, "pos_x": 0.3, "pos_y": 0.6}),
    ],
)
def test_reported_matrix_says_where_pixels_went(backend, name, params):
    start = np.array([60.0, 50.0])
    result = apply(name, dot_image(*start), **params)
    moved = result.info.matrix @ [*start, 1.0]
    assert result.image.shape == (120, 160, 3)
    assert np.allclose(centroid(result.image), moved[:2] / moved[2], atol=0.6)


def test_random_crop_cuts_the_box_it_reports():
    img = noise_image(80, 100)
    result = apply("random_crop", img, size=0.5, pos_x=1.0, pos_y=0.0)
    assert result.image.shape == (40, 50, 3)
    assert result.info.box == (50, 0, 100, 40)
    assert np.array_equal(result.image, img[0:40, 50:100])


def test_random_resized_crop_keeps_size_and_takes_the_asked_area():
    img = noise_image(80, 100)
    result = apply("random_resized_crop", img, scale=0.25, ratio=1.0, pos_x=0.5, pos_y=0.5)
    x0, y0, x1, y1 = result.info.box
    assert result.image.shape == img.shape
    assert (x1 - x0) * (y1 - y0) == pytest.approx(0.25 * 80 * 100, rel=0.05)
    full = apply("random_resized_crop", img, scale=1.0, ratio=1.0, pos_x=0.5, pos_y=0.5)
    assert np.array_equal(full.image, img)


def test_colour_shift_adds_per_channel_offsets(backend):
    img = noise_image()
    out = apply("colour_shift", img, red=30, green=-40, blue=0).image.astype(int)
    ref = np.clip(img.astype(int) + [30, -40, 0], 0, 255)
    assert np.array_equal(out, ref)


def test_colour_jitter_factors(backend):
    img = noise_image()
    neutral = {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0}
    assert np.array_equal(apply("colour_jitter", img, **neutral).image, img)
    bright = apply("colour_jitter", img, **{**neutral, "brightness": 1.5}).image
    assert np.array_equal(bright, np.clip(np.rint(img * 1.5), 0, 255).astype(np.uint8))
    grey = apply("colour_jitter", img, **{**neutral, "saturation": 0.0}).image
    assert np.abs(grey.astype(int) - grey[..., :1]).max() <= 1
    flat = apply("colour_jitter", img, **{**neutral, "contrast": 0.0}).image
    assert flat.std() < 1.0
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    cyan = apply("colour_jitter", red, **{**neutral, "hue": 180.0}).image
    assert np.abs(cyan.astype(int) - [0, 255, 255]).max() <= 6


def test_pca_basis_finds_the_colour_axis():
    rng = np.random.default_rng(1)
    axis = np.array([2.0, 1.0, -1.0]) / np.sqrt(6)
    t = rng.normal(0, 30, (64, 64, 1))
    img = np.clip(128 + t * axis + rng.normal(0, 2, (64, 64, 3)), 0, 255).astype(np.uint8)
    basis = pca_basis(img)
    assert abs(basis.eigenvectors[:, 0] @ axis) > 0.99
    assert basis.eigenvalues[0] > 20 * basis.eigenvalues[1] >= 0
    assert np.allclose(basis.eigenvectors.T @ basis.eigenvectors, np.eye(3), atol=1e-9)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_pca_shift_lies_along_each_eigenvector_with_the_right_scale(backend, k):
    rng = np.random.default_rng(2)
    img = np.clip(rng.normal(128, 20, (50, 60, 3)), 40, 215).astype(np.uint8)
    alphas = [0.0, 0.0, 0.0]
    alphas[k] = 3.0
    result = apply("pca_colour", img, alphas=alphas)
    pca = result.info.pca
    expected = alphas[k] * pca.eigenvalues[k] * pca.eigenvectors[:, k] * 255
    assert np.allclose(pca.shift, expected)
    measured = (result.image.astype(float) - img).reshape(-1, 3).mean(axis=0)
    assert np.allclose(measured, expected, atol=0.5)
    assert np.allclose(pca.eigenvalues, pca_basis(img).eigenvalues)


def test_pca_alphas_are_drawn_with_the_set_spread():
    spec = get_op("pca_colour")
    rng = np.random.default_rng(3)
    alphas = [spec.sample(spec.validate({}), rng, (8, 8, 3))["alphas"] for _ in range(2000)]
    assert np.std(alphas) == pytest.approx(0.1, rel=0.1)
    shifted = apply("pca_colour", noise_image(), source="imagenet", alphas=[0.1, 0.0, 0.0])
    assert shifted.info.pca.source == "imagenet"
    assert np.allclose(shifted.info.pca.eigenvalues, IMAGENET_BASIS.eigenvalues)


def test_greyscale_has_equal_channels_equal_to_luma(backend):
    img = noise_image()
    out = apply("greyscale", img).image
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    luma = img @ np.array([0.299, 0.587, 0.114])
    assert np.abs(out[..., 0] - luma).max() <= 1.0


@pytest.mark.parametrize("name", ["elastic", "grid_distortion"])
def test_warps_keep_size_and_move_pixels_by_their_field(backend, name):
    img = ramp_image(160)
    params = {"magnitude": 2.0, "smoothness": 15.0} if name == "elastic" else {"amount": 0.5}
    result = apply(name, img, **params)
    field = result.info.displacement
    assert result.image.shape == img.shape and field.shape == (160, 160, 2)
    assert np.abs(field).max() > 2.0  # it really moved something
    inner = (slice(20, 140), slice(20, 140))
    yy, xx = np.mgrid[0:160, 0:160]
    step = 255.0 / 159
    src_x = result.image[..., 0] / step
    src_y = result.image[..., 1] / step
    assert np.abs(src_x - (xx + field[..., 0]))[inner].max() < 1.0
    assert np.abs(src_y - (yy + field[..., 1]))[inner].max() < 1.0


def test_elastic_magnitude_is_the_rms_displacement_and_scales_with_the_picture():
    small = apply("elastic", noise_image(60, 80), magnitude=5.0, smoothness=10.0, field_seed=4)
    large = apply("elastic", noise_image(120, 160), magnitude=5.0, smoothness=10.0, field_seed=4)
    rms = np.sqrt((small.info.displacement**2).mean())
    assert rms == pytest.approx(0.05 * 60, rel=0.15)
    # Same seed, twice the resolution: the same field, twice as many pixels long.
    coarse = large.info.displacement[::2, ::2] / 2
    assert np.corrcoef(coarse.ravel(), small.info.displacement.ravel())[0, 1] > 0.98


def test_blur_smooths_and_zero_sigma_is_identity(backend):
    img = noise_image()
    assert np.array_equal(apply("gaussian_blur", img, sigma=0.0).image, img)
    blurred = apply("gaussian_blur", img, sigma=2.0).image
    assert blurred.std() < img.std() / 3
    assert abs(blurred.mean() - img.mean()) < 3


def test_noise_has_the_asked_strength():
    img = np.full((100, 100, 3), 128, np.uint8)
    out = apply("gaussian_noise", img, std=10.0, per_channel=True, noise_seed=5).image
    diff = out.astype(float) - 128
    assert diff.std() == pytest.approx(10.0, rel=0.05) and abs(diff.mean()) < 0.3
    wide = apply("gaussian_noise", img, std=40.0, per_channel=True, noise_seed=6).image
    within_one_sigma = np.mean(np.abs(wide.astype(float) - 128) < 40)
    assert within_one_sigma == pytest.approx(0.683, abs=0.01)  # a normal, not a uniform
    mono = apply("gaussian_noise", img, std=10.0, per_channel=False, noise_seed=5).image
    assert np.array_equal(mono[..., 0], mono[..., 2]) and mono.std() > 5


@pytest.mark.parametrize("fill, value", [("black", 0), ("grey", 128)])
def test_cutout_paints_only_its_box(fill, value):
    img = np.full((80, 100, 3), 200, np.uint8)
    result = apply("cutout", img, area=0.1, ratio=2.0, fill=fill, pos_x=0.2, pos_y=0.7)
    x0, y0, x1, y1 = result.info.box
    assert (x1 - x0) * (y1 - y0) == pytest.approx(800, rel=0.05)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(2.0, rel=0.1)
    assert (result.image[y0:y1, x0:x1] == value).all()
    outside = result.image.copy()
    outside[y0:y1, x0:x1] = 200
    assert (outside == 200).all()


def test_perspective_of_zero_strength_changes_nothing(backend):
    img = noise_image()
    result = apply("perspective", img, strength=0.0)
    assert np.allclose(result.info.matrix, np.eye(3))
    assert np.abs(result.image.astype(int) - img).max() <= 1


def test_cutout_on_a_tiny_picture_leaves_it_whole():
    # The smallest hole is one pixel; on a 1x1 or 2x2 picture even that is more than a
    # 20 % cutout may take, so nothing is erased (not the whole picture).
    for side in (1, 2):
        img = np.full((side, side, 3), 200, np.uint8)
        result = apply("cutout", img, area=0.2, ratio=1.0, fill="black", pos_x=0.5, pos_y=0.5)
        x0, y0, x1, y1 = result.info.box
        assert (x1 - x0) * (y1 - y0) <= 0.2 * side * side
        assert (result.image == 200).all()
    # On 3x3 a fifth of the picture is 1.8 pixels: one pixel goes, not four.
    img = np.full((3, 3, 3), 200, np.uint8)
    result = apply("cutout", img, area=0.2, ratio=1.0, fill="black", pos_x=0.5, pos_y=0.5)
    assert int((result.image[..., 0] == 0).sum()) == 1
