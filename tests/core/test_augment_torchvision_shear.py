"""The torchvision code for a shear slants the picture the way the studio's shear does."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.core.augment import Pipeline, Step, sample_rng


def affine_line(code: str) -> str:
    return next(line for line in code.splitlines() if "v2.RandomAffine" in line)


def test_the_shear_comment_states_the_sign():
    line = affine_line(Pipeline([Step("shear", {"x": (-5.0, 12.0), "y": (0.0, 0.0)})])
                       .to_torchvision_code())
    assert "shear=(-12, 5, 0, 0)" in line  # negated ranges, and no "-0"
    assert "may" not in line
    assert "positive shear x moves the bottom right in cnnviz, left in torchvision" in line


@pytest.mark.parametrize("x, y", [(20.0, 0.0), (0.0, 20.0), (-15.0, 10.0)])
def test_torchvision_runs_the_code_and_slants_like_the_studio(x, y):
    import torch
    from torchvision.transforms import v2
    image = np.zeros((101, 101, 3), np.uint8)
    image[:, 50] = 255  # a vertical line
    image[50, :] = 255  # and a horizontal one
    pipeline = Pipeline([Step("shear", {"x": (x, x), "y": (y, y), "fill": 0})])
    studio = pipeline.sample(image, sample_rng(0, 0)).image[..., 0].astype(float)
    call = affine_line(pipeline.to_torchvision_code()).split("  #")[0].strip().rstrip(",")
    transform = eval(call, {"v2": v2})
    theirs = transform(torch.from_numpy(image).permute(2, 0, 1))[0].numpy().astype(float)
    # The same slant: the two pictures overlap almost everywhere (they differ only in how
    # each library interpolates); the opposite slant would cross in one place only.
    overlap = (studio * theirs).sum() / (studio * studio).sum()
    assert overlap > 0.8
