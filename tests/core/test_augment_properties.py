"""Properties over the whole parameter space: any setting a user can choose works, and the
same seed always gives the same picture."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.core.augment import kernels
from cnnviz.core.augment.ops import list_ops
from cnnviz.core.augment.spec import ParamSpec

OP_NAMES = [spec.name for spec in list_ops()]


def setting_strategy(p: ParamSpec):
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if p.kind == "int":
        value = st.integers(int(p.minimum), int(p.maximum))
    else:
        value = st.floats(p.minimum, p.maximum, allow_nan=False)
    if not p.ranged:
        return value
    return st.tuples(value, value).map(lambda pair: tuple(sorted(pair)))


@st.composite
def op_case(draw):
    spec = draw(st.sampled_from(list_ops()))
    user = {p.name: draw(setting_strategy(p)) for p in spec.params}
    h, w = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    return spec, user, (h, w), seed


@settings(max_examples=150, deadline=None)
@given(op_case(), st.sampled_from(kernels.BACKENDS))
def test_every_setting_gives_an_rgb_image(case, backend):
    spec, user, (h, w), seed = case
    image = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    with kernels.use_backend(backend):
        result = spec.run(image, user, np.random.default_rng(seed))
        again = spec.run(image, user, np.random.default_rng(seed))
    assert result.image.dtype == np.uint8 and result.image.ndim == 3
    assert result.image.shape[2] == 3
    if spec.keeps_size:
        assert result.image.shape == image.shape
    else:
        assert 1 <= result.image.shape[0] <= h and 1 <= result.image.shape[1] <= w
    assert np.array_equal(result.image, again.image)
    assert result.info.op == spec.name
    if "displacement" in spec.shows:
        assert result.info.displacement.shape == (h, w, 2)
    if "matrix" in spec.shows:
        assert result.info.matrix.shape == (3, 3) and np.isfinite(result.info.matrix).all()


@settings(max_examples=60, deadline=None)
@given(op_case())
def test_drawn_values_stay_inside_the_user_range(case):
    spec, user, shape, seed = case
    drawn = spec.sample(spec.validate(user), np.random.default_rng(seed), shape + (3,))
    for p in spec.params:
        if p.ranged:
            low, high = user[p.name]
            assert low <= drawn[p.name] <= high
        else:
            assert drawn[p.name] == user[p.name]


@pytest.mark.parametrize("name", OP_NAMES)
def test_backends_agree(name):
    """The OpenCV accelerator and the portable Pillow/numpy path draw the same picture."""
    if len(kernels.BACKENDS) < 2:
        pytest.skip("OpenCV is not installed, so there is only one backend")
    spec = next(s for s in list_ops() if s.name == name)
    y, x = np.mgrid[0:64, 0:80]
    image = np.stack([x * 3, y * 4, (x + y) * 2], -1).astype(np.uint8)
    outs = []
    for backend in kernels.BACKENDS:
        with kernels.use_backend(backend):
            outs.append(spec.run(image, {}, np.random.default_rng(11)).image.astype(int))
    diff = np.abs(outs[0] - outs[1])
    # OpenCV fades the picture's very edge into the fill over one pixel, Pillow cuts it
    # sharply; away from that one-pixel seam the two agree to interpolation rounding.
    assert np.percentile(diff, 90) <= 2, f"{name}: backends differ inside the picture"
    assert diff.mean() < 3.0, f"{name}: backends differ by {diff.mean():.2f} levels on average"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.floats(0.001, 1.0), st.floats(0.1, 10.0),
       st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_cutout_never_erases_more_than_its_area(h, w, area, ratio, pos_x, pos_y):
    from cnnviz.core.augment.filters import cutout_box

    x0, y0, x1, y1 = cutout_box((h, w, 3), area, ratio, pos_x, pos_y)
    assert 0 <= x0 <= x1 <= w and 0 <= y0 <= y1 <= h
    assert (x1 - x0) * (y1 - y0) <= area * h * w
