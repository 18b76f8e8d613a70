"""The Train workspace's plot buffers and sentences (no widgets needed)."""

from __future__ import annotations

import math

import numpy as np

from cnnviz.ui.train.depth_plot import positive, trail_rows
from cnnviz.ui.train.heatmap import heat_image
from cnnviz.ui.train.series import Growing, RunSeries, ratio_phrase, ratio_sentence


def test_growing_buffers_double_and_keep_every_row():
    buffer = Growing(3)
    for i in range(1000):
        buffer.append([i, i + 1, i + 2])
    buffer.extend(np.ones((700, 3)))
    assert buffer.size == 1700
    assert buffer.view.shape == (1700, 3)
    assert list(buffer.view[999]) == [999, 1000, 1001]
    assert np.all(buffer.view[1000:] == 1)
    assert len(buffer._data) == 2048  # doubled from 256, never grown one row at a time


def test_the_ratio_is_the_median_of_recent_steps_and_reads_as_a_fraction():
    run = RunSeries()
    plain = run.add_model("plain56", "Plain-56", ["a", "b", "c"])
    resnet = run.add_model("resnet56", "ResNet-56", ["a", "b", "c"])
    for step in range(1, 21):
        spike = 100.0 if step == 20 else 1.0  # one odd batch must not swing the sentence
        plain.add_step(step, 2.0, 0.1, [0.001 * spike, 0.1, 0.34])
        resnet.add_step(step, 1.0, 0.5, [0.5, 0.8, 1.05])
    assert math.isclose(plain.ratio(), 0.001 / 0.34)
    assert ratio_phrase(plain.ratio()) == "1/340"
    assert ratio_phrase(resnet.ratio()) == "1/2.1"
    assert ratio_phrase(2.5) == "2.5×"
    assert ratio_phrase(1 / 4.74e12) == "1/4.7×10¹²"
    assert ratio_phrase(float("nan")) == "—"
    assert ratio_sentence(run) == ("Plain-56: the first layer's gradient is 1/340 of the "
                                   "last's; ResNet-56: 1/2.1.")


def test_frozen_layers_are_skipped_and_models_with_one_name_are_told_apart():
    run = RunSeries()
    a = run.add_model("a", "Tiny", ["x", "y", "z"], [True, False, False])
    run.add_model("b", "Tiny", ["x", "y", "z"])
    a.add_step(1, 1.0, 0.0, [np.nan, 0.5, 1.0])
    assert a.ratio() == 0.5
    assert run.label(a) == "a"
    assert ratio_sentence(run) == "a: the first layer's gradient is 1/2 of the last's."
    assert RunSeries().norm_range() is None
    assert run.norm_range() == (math.log10(0.5), 0.0)


def test_log_axes_get_gaps_instead_of_zeros_and_the_trail_spreads_over_the_run():
    assert np.isnan(positive(np.array([0.0, -1.0, np.inf, 2.0]))[:3]).all()
    assert trail_rows(1) == []
    assert trail_rows(3) == [0, 1]
    rows = trail_rows(100)
    assert len(rows) == 6 and rows[0] < rows[-1] < 99 and rows[0] <= 10


def test_the_heat_image_is_layers_by_steps_and_thins_long_runs():
    run = RunSeries()
    model = run.add_model("m", "M", ["a", "b"])
    for step in range(1, 5001):
        model.add_step(step, 1.0, 0.5, [0.01, 1.0 if step % 2 else 0.0])
    image, steps = heat_image(model, max_columns=1000)
    assert image.shape == (2, 1000)
    assert steps[0] == 1 and steps[-1] == 5000
    assert np.allclose(image[0], -2.0)
    assert np.isnan(image[1]).any()  # a zero gradient is a gap, not -inf
