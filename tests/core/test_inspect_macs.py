"""Multiply-adds counted as the papers and torchvision count them: convolutions, fully
connected layers and attention products; pooling and element-wise products are left out."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models import get_model_weights

from cnnviz.core.inspect import engine, inspect_model


def _flop_counter_macs(name: str) -> int:
    """PyTorch's own count for a torchvision model built on ``meta`` (no weights)."""
    with torch.device("meta"):
        model = torchvision.models.get_model(name).eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.empty(1, 3, 224, 224, device="meta"))
    return counter.get_total_flops() // 2  # a multiply-add is two flops


def test_torchvision_publishes_multiply_adds_under_the_name_gflops():
    # ResNet-50: 4.09 "GFLOPS" in the metadata is the count of multiply-adds.
    assert get_model_weights("resnet50").DEFAULT.meta["_ops"] == pytest.approx(
        _flop_counter_macs("resnet50") / 1e9, rel=0.002)


@pytest.mark.parametrize("name", ["swin_t", "vit_b_16", "convnext_tiny", "resnet18",
                                  "mobilenet_v2", "efficientnet_b0", "regnet_y_400mf"])
def test_classifiers_match_torchvision_metadata(name):
    ops = get_model_weights(name).DEFAULT.meta["_ops"]  # rounded to three decimals
    assert inspect_model(f"torchvision:{name}").totals.macs / 1e9 == pytest.approx(ops, rel=0.02)


def test_swin_window_attention_is_counted():
    report = inspect_model("torchvision:swin_t")
    attention = [l for l in report.layers if l.type == "shifted_window_attention"]
    assert len(attention) == 12 and all(l.macs > 0 for l in attention)
    # Stage 1 at 56x56 tokens of 96 channels, 7x7 windows, 3 heads: the qkv and output
    # projections (4 * 96 * 96 per token) and Q K^T, A V (2 * 49 * 96 per token).
    tokens = 56 * 56
    assert attention[0].macs == tokens * (4 * 96 * 96 + 2 * 49 * 96)


@pytest.mark.parametrize("name", ["efficientnet_b0", "mobilenet_v3_small"])
def test_squeeze_and_excitation_networks_agree_with_the_flop_counter(name):
    report = inspect_model(f"torchvision:{name}")
    assert report.totals.macs == pytest.approx(_flop_counter_macs(name), rel=0.005)
    gates = [l for l in report.layers if l.type == "mul"]
    assert gates and all(l.macs == 0 for l in gates)
    # The products a gate makes are still said, in its arithmetic.
    assert gates[0].formulas[0].startswith("products = one per output element = ")
    pools = [l for l in report.layers if l.type == "AdaptiveAvgPool2d"]
    assert pools and all(l.macs == 0 for l in pools)
    assert any(f.startswith("adds = n*n*n_c = ") for f in pools[0].formulas)


class _Attention(nn.Module):
    """Attention written with torch functions (and an einsum) rather than layers."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(16, 48)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        scores = torch.einsum("bld,bmd->blm", q, k)
        return F.scaled_dot_product_attention(q, k, v) + scores.mean()


@pytest.mark.parametrize("recorder", ["fx", "hooks"])
def test_attention_functions_are_measured_by_both_recorders(recorder, monkeypatch):
    if recorder == "hooks":
        def refuse(model, example):
            raise RuntimeError("not traceable")
        monkeypatch.setattr(engine, "trace_fx", refuse)
    model = _Attention().eval()
    report = inspect_model(model, input_shape=(10, 16))
    assert report.traced_with == recorder
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.to("meta")(torch.empty(1, 10, 16, device="meta"))
    # qkv projection, the einsum Q K^T, and the attention's own Q K^T and A V.
    assert report.totals.macs == 10 * 16 * 48 + 10 * 10 * 16 + 2 * 10 * 10 * 16
    assert report.totals.macs == counter.get_total_flops() // 2
