"""The Train workspace's plot buffers and sentences (no widgets needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnviz.ui.train.depth_plot import positive, trail_rows
from cnnviz.ui.train.heat_columns import HeatColumns, log_norms
from cnnviz.ui.train.ratio_words import (
    comparison, exact_ratio, header_text, ratio_phrase, ratio_said,
)
from cnnviz.ui.train.series import Growing, RunSeries, ratio_details, ratio_sentence


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
    assert ratio_phrase(1 / 4.74e12) == "1/4.7 trillion"
    assert ratio_phrase(1 / 41_000) == "1/41,000"
    assert ratio_phrase(float("nan")) == "—"
    assert ratio_sentence(run) == ("Plain-56: the first layer's gradient is about 340 times "
                                   "smaller than the last layer's; ResNet-56: about 2 times "
                                   "smaller.")
    # The numbers behind the words, for the sentence's tooltip.
    assert ratio_details(run).splitlines()[:2] == ["Plain-56: first/last = 0.00294",
                                                   "ResNet-56: first/last = 0.476"]


@pytest.mark.parametrize(("ratio", "words"), [
    (2.2, "about 2 times larger than the last layer's"),
    (1 / 4.1e7, "about 41 million times smaller than the last layer's"),
    (4.1e7, "about 41 million times larger than the last layer's"),
    (0.5, "about 2 times smaller than the last layer's"),
    (1 / 1.3, "about 1.3 times smaller than the last layer's"),
    (1 / 4100, "about 4.1 thousand times smaller than the last layer's"),
    (1 / 2.5e9, "about 2.5 billion times smaller than the last layer's"),
    (1 / 3e16, "about 10¹⁶ times smaller than the last layer's"),
    (1.05, "about as large as the last layer's"),
])
def test_the_ratio_is_said_in_words_a_student_reads_aloud(ratio, words):
    assert comparison(ratio) == words


def test_the_exact_ratio_keeps_three_figures_and_powers_of_ten():
    assert exact_ratio(1 / 4.1e7) == "2.44×10⁻⁸"
    assert exact_ratio(0.5) == "0.5"
    assert exact_ratio(2.2) == "2.2"
    assert exact_ratio(4.1e7) == "4.1×10⁷"


def test_a_gradient_that_vanished_completely_is_said_in_words():
    run = RunSeries()
    plain = run.add_model("plain56", "Plain-56", ["a", "b", "c"])
    resnet = run.add_model("resnet56", "ResNet-56", ["a", "b", "c"])
    plain.add_step(1, 2.3, 0.1, [0.0, 1e-30, 0.2])  # float32 underflow in the first layer
    resnet.add_step(1, 2.3, 0.1, [0.25, 0.5, 1.1])
    assert plain.ratio() == 0
    assert header_text(plain.ratio()) == "First layer: no gradient"
    assert header_text(resnet.ratio()) == "First/last 1/4.4"
    assert ratio_phrase(plain.ratio()) == "—"  # never a bare "0" that reads as measured
    assert ratio_sentence(run) == ("Plain-56: no measurable gradient reaches the first layer; "
                                   "ResNet-56: the first layer's gradient is about 4 times "
                                   "smaller than the last layer's.")
    # The sentence's tooltip says so too, and gives the other model's figure.
    assert ratio_details(run).splitlines()[:2] == [
        "Plain-56: no measurable gradient reaches the first layer (its gradient norm is 0)",
        "ResNet-56: first/last = 0.227"]


@pytest.mark.parametrize("ratio", [0.0, math.inf, -math.inf, math.nan, -1.0])
def test_no_ratio_that_is_not_a_measurement_is_printed_as_a_number(ratio):
    for text in (ratio_phrase(ratio), exact_ratio(ratio), header_text(ratio), ratio_said(ratio)):
        assert "inf" not in text and "nan" not in text.lower()
        assert not any(part in ("0", "-1") for part in text.replace("/", " ").split())


def test_frozen_layers_are_skipped_and_models_with_one_name_are_told_apart():
    run = RunSeries()
    a = run.add_model("a", "Tiny", ["x", "y", "z"], [True, False, False])
    run.add_model("b", "Tiny", ["x", "y", "z"])
    a.add_step(1, 1.0, 0.0, [np.nan, 0.5, 1.0])
    assert a.ratio() == 0.5
    assert run.label(a) == "a"
    assert ratio_sentence(run) == ("a: the first layer's gradient is about 2 times smaller "
                                   "than the last layer's.")
    assert RunSeries().norm_range() is None
    assert run.norm_range() == (math.log10(0.5), 0.0)


def test_log_axes_get_gaps_instead_of_zeros_and_the_trail_spreads_over_the_run():
    assert np.isnan(positive(np.array([0.0, -1.0, np.inf, 2.0]))[:3]).all()
    assert trail_rows(1) == []
    assert trail_rows(3) == [0, 1]
    rows = trail_rows(100)
    assert len(rows) == 6 and rows[0] < rows[-1] < 99 and rows[0] <= 10


def _model(depth=2):
    return RunSeries().add_model("m", "M", [f"l{i}" for i in range(depth)])


def test_the_heat_image_is_layers_by_steps_and_thins_long_runs():
    model = _model()
    for step in range(1, 5001):
        model.add_step(step, 1.0, 0.5, [0.01, 1.0 if step % 2 else 0.0])
    heat = HeatColumns(2, max_columns=1000)
    assert heat.update(model, total_steps=5000)
    assert heat.image.shape == (2, 1000) and heat.width == 5
    # Each column shows the latest step it covers: steps 5, 10, ... 5000.
    assert heat.column_steps[0] == 5 and heat.column_steps[-1] == 5000
    assert np.allclose(heat.image[0], -2.0)
    # The second layer's gradient is zero at even steps: a gap, not -inf.
    expected = np.where(heat.column_steps % 2 == 1, 0.0, np.nan)
    np.testing.assert_array_equal(heat.image[1], expected)
    assert np.isnan(heat.image[1]).sum() == 500
    assert heat.rect == (0.5, 0.0, 5000.0, 2.0)
    assert heat.column_of(1.0) == 0 and heat.column_of(4999.0) == 999
    assert heat.column_of(0.0) is None and heat.column_of(5001.0) is None


def _fill(model, steps, rng):
    for step in steps:
        model.add_step(int(step), 1.0, 0.5, 10 ** rng.normal(-2, 1, model.depth))


@pytest.mark.parametrize("total, max_columns, log_every", [
    (300, 1500, 1),    # one column per step, laid out for the whole run at once
    (300, 64, 1),      # thinned: several steps share a column
    (300, 1500, 5),    # logged every 5th step: a column per logged step, no empty stripes
    (0, 1500, 1),      # length unknown (a user's script): the layout doubles as it grows
    (120, 50, 3),      # the run outlives its announced length (a followed folder)
    (9000, 1500, 10),  # every 10th step and every epoch end (16 steps): uneven gaps
])
def test_writing_columns_step_by_step_equals_a_rebuild(total, max_columns, log_every):
    rng = np.random.default_rng(7)
    model = _model(depth=4)
    live = HeatColumns(4, max_columns=max_columns)
    relaid = 0
    logged = [s for s in range(1, 900 * log_every + 1) if s % log_every == 0 or s % 16 == 0] \
        if log_every == 10 else list(range(log_every, 900 * log_every + 1, log_every))
    for start in range(0, 900, 45):  # rows arrive a few at a time, as on the plot timer
        _fill(model, logged[start:start + 45], rng)
        relaid += live.update(model, total_steps=total)
        rebuilt = HeatColumns(4, max_columns=max_columns)
        rebuilt.update(model, total_steps=total)
        assert live.rect == rebuilt.rect
        np.testing.assert_array_equal(live.image, rebuilt.image)
        np.testing.assert_array_equal(live.column_steps, rebuilt.column_steps)
        # Every logged step sits in a column, and every column up to the latest has a step.
        filled = np.isfinite(live.column_steps)
        assert filled[: np.flatnonzero(filled)[-1] + 1].all()
        assert live.column_steps[np.flatnonzero(filled)[-1]] == model.grad_steps.view[-1]
    assert live.columns <= max_columns
    # Laid out a few times at most: the first rows and each doubling, not on every update.
    assert relaid <= 1 + int(np.ceil(np.log2(900 * log_every / 256))) + 1


def test_a_shorter_series_starts_the_image_over():
    rng = np.random.default_rng(1)
    model = _model()
    _fill(model, range(1, 11), rng)
    heat = HeatColumns(2)
    heat.update(model, total_steps=10)
    other = _model()
    _fill(other, range(1, 4), rng)
    assert heat.update(other, total_steps=10)
    assert np.isfinite(heat.column_steps).sum() == 3
    np.testing.assert_array_equal(heat.image[:, :3], log_norms(other.grads.view).T)


def test_the_colour_range_is_kept_as_rows_arrive():
    run = RunSeries()
    a = run.add_model("a", "A", ["x", "y"])
    b = run.add_model("b", "B", ["x", "y"])
    a.add_step(1, 1.0, 0.5, [1e-3, np.inf])
    b.add_grads([1, 2], np.array([[0.0, 10.0], [np.nan, 0.5]]))
    assert run.norm_range() == (-3.0, 1.0)
    a.add_step(2, 1.0, 0.5, [1e-5, 100.0])
    assert run.norm_range() == (-5.0, 2.0)
