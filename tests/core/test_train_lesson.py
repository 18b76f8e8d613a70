"""The lesson presets teach what they say: without batch norm, the plain network's first
layers starve while the residual twin's gradient reaches them, and neither blows up."""

import math

from cnnviz.cli import main
from cnnviz.core.train.runreader import read_run
from cnnviz.core.train.summary import gradient_sentence, summarise


def test_no_batch_norm_preset_shows_the_fading_gradient(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--preset", "plain20-vs-resnet20-no-bn", "--steps", "12",
                 "--batch-size", "16", "--train-size", "192", "--no-validate", "--quiet",
                 "--out", str(out)]) == 0
    rows = {s.name: s for s in summarise(read_run(out))}
    plain, resnet = rows["plain20-nobn"], rows["resnet20-nobn"]
    assert plain.stopped is None and resnet.stopped is None
    assert math.isfinite(resnet.loss) and math.isfinite(plain.loss)
    assert resnet.grad_ratio > 0.05
    assert plain.grad_ratio < resnet.grad_ratio / 100


def test_a_vanished_gradient_reads_as_a_sentence():
    assert "no measurable gradient" in gradient_sentence("plain56", 0.0)
    assert "fades" in gradient_sentence("plain56", 1e-8)
    assert "about intact" in gradient_sentence("resnet56", 0.5)
