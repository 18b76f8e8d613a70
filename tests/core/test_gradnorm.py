"""GradNormRecorder: norms checked by hand, forward order, frozen layers, its run folder."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.core.train import GradNormRecorder, read_run


class Branchy(nn.Module):
    """Registration order differs from forward order: ``head`` is registered first."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(8, 3)
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x))).flatten(1)
        return self.head(x)


def _backward(model, seed=0):
    torch.manual_seed(seed)
    x, y = torch.randn(5, 3, 6, 6), torch.randint(0, 3, (5,))
    model.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()


def _by_hand(module):
    return math.sqrt(sum(float(p.grad.norm()) ** 2 for p in module.parameters(recurse=False)))


def test_norms_match_p_grad_norm_by_hand_in_forward_order():
    torch.manual_seed(1)
    model = Branchy()
    recorder = GradNormRecorder(model)
    assert recorder.layer_names == ("head", "conv1", "conv2")  # registration order first
    _backward(model)
    assert recorder.layer_names == ("conv1", "conv2", "head")  # fixed by the forward pass
    norms = recorder.record(1)
    expected = [_by_hand(model.conv1), _by_hand(model.conv2), _by_hand(model.head)]
    np.testing.assert_allclose(norms, expected, rtol=1e-5)
    assert norms.dtype == np.float64


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_a_non_finite_gradient_stays_in_its_own_layer(bad):
    """With fp16 mixed precision an infinite gradient is routine at a logging step: only its
    layer may read it; the others keep their true norms (NaN would read as "frozen")."""
    torch.manual_seed(1)
    model = Branchy()
    recorder = GradNormRecorder(model)
    _backward(model)
    expected = [_by_hand(model.conv1), _by_hand(model.head)]
    model.conv2.weight.grad[0, 0, 0, 0] = bad
    norms = recorder.record(1)
    np.testing.assert_allclose(norms[[0, 2]], expected, rtol=1e-5)
    assert (np.isinf(norms[1]) if bad == math.inf else np.isnan(norms[1]))


def test_all_layers_includes_norm_layers():
    model = Branchy()
    recorder = GradNormRecorder(model, layers="all")
    _backward(model)
    assert recorder.layer_names == ("conv1", "bn1", "conv2", "head")
    np.testing.assert_allclose(recorder.record(1)[1], _by_hand(model.bn1), rtol=1e-5)


def test_frozen_layers_read_nan_not_zero_and_unused_layers_zero():
    model = Branchy()
    for p in model.conv1.parameters():
        p.requires_grad_(False)
    recorder = GradNormRecorder(model)
    _backward(model)
    norms = recorder.record(1)
    assert recorder.frozen == (True, False, False)
    assert math.isnan(norms[0]) and np.isfinite(norms[1:]).all() and (norms[1:] > 0).all()
    model.head.weight.grad = None
    model.head.bias.grad = None
    assert recorder.record(2)[2] == 0.0


def test_weight_stats_measure_the_update():
    torch.manual_seed(0)
    model = Branchy()
    recorder = GradNormRecorder(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    _backward(model)
    before = [p.detach().clone() for p in model.conv2.parameters()]
    recorder.snapshot_weights()
    opt.step()
    weights, ratios = recorder.weight_stats_tensor().numpy()
    after = [p.detach() for p in model.conv2.parameters()]
    w_before = math.sqrt(sum(float(b.norm()) ** 2 for b in before))
    change = math.sqrt(sum(float((a - b).norm()) ** 2 for a, b in zip(after, before)))
    np.testing.assert_allclose(ratios[1], change / w_before, rtol=1e-4)
    np.testing.assert_allclose(weights[1], _by_hand_weights(model.conv2), rtol=1e-5)
    # a second update reuses the kept copies and still measures only its own change
    _backward(model)
    before = [p.detach().clone() for p in model.conv2.parameters()]
    recorder.snapshot_weights()
    opt.step()
    ratios = recorder.weight_stats_tensor().numpy()[1]
    after = [p.detach() for p in model.conv2.parameters()]
    change = math.sqrt(sum(float((a - b).norm()) ** 2 for a, b in zip(after, before)))
    w_before = math.sqrt(sum(float(b.norm()) ** 2 for b in before))
    np.testing.assert_allclose(ratios[1], change / w_before, rtol=1e-4)


def _by_hand_weights(module):
    return math.sqrt(sum(float(p.detach().norm()) ** 2 for p in module.parameters(recurse=False)))


def test_recorder_in_a_users_loop_writes_a_run_folder(tmp_path):
    model = Branchy()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with GradNormRecorder(model, run_dir=tmp_path / "mine", name="branchy") as recorder:
        for step in range(1, 4):
            _backward(model, seed=step)
            recorder.record(step, loss=0.5 * step, lr=0.1)
            opt.step()
    run = read_run(tmp_path / "mine")
    assert run.status == "finished"
    log = run.model("branchy")
    assert log.layer_names == ("conv1", "conv2", "head")
    assert list(log.grad_norms.steps) == [1, 2, 3]
    assert list(log.scalars.column("loss")) == [0.5, 1.0, 1.5]
    assert math.isnan(log.scalars.column("accuracy")[0])
    # a second run into the same folder does not overwrite the first
    with GradNormRecorder(model, run_dir=tmp_path / "mine") as again:
        _backward(model)
        again.record(1)
    assert (tmp_path / "mine-2" / "run.json").exists()


def test_model_without_weights_is_refused():
    from cnnviz.core.errors import TrainingError

    with pytest.raises(TrainingError):
        GradNormRecorder(nn.ReLU())
