"""The inspection engine: counts, shapes, receptive fields, formulas, both recorders."""

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models import get_model_weights
from torchvision.models.resnet import BasicBlock

from cnnviz.core.errors import InputShapeError, InputTooSmallError
from cnnviz.core.inspect import engine, inspect_model


def _layers(report, kind=None):
    return [l for l in report.layers if kind is None or l.kind == kind]


def test_lenet5_params_and_macs_match_a_hand_count():
    report = inspect_model("lenet5")
    # conv1 6@5x5 on 1x32x32 -> 6x28x28: 28*28*6 outputs, each 5*5*1 multiply-adds.
    conv1 = 28 * 28 * 6 * (5 * 5 * 1)            # 117,600
    conv2 = 10 * 10 * 16 * (5 * 5 * 6)           # 240,000
    fcs = 400 * 120 + 120 * 84 + 84 * 10         # 58,920
    # The 2x2 averages add (4,704 and 1,600 additions) but multiply nothing: not counted.
    assert report.totals.macs == conv1 + conv2 + fcs == 416_520
    assert report.totals.params == 61_706
    assert [l.macs for l in _layers(report, "conv")] == [conv1, conv2]
    assert [l.output_shape for l in _layers(report, "conv")] == [(6, 28, 28), (16, 10, 10)]
    pools = _layers(report, "pool")
    assert [l.macs for l in pools] == [0, 0]
    assert ("adds = n_out*n_out*n_c*f*f = 14*14*6*2*2 = 4,704 "
            "(an average, not counted as multiply-adds)") in pools[0].formulas


def test_basic_block_macs_match_a_layer_by_layer_reference():
    block = BasicBlock(64, 64).eval()
    report = inspect_model(block, input_shape=(64, 56, 56))
    convs = _layers(report, "conv")
    # Reference: PyTorch's own flop counter on a real forward pass, one conv at a time.
    x = torch.randn(1, 64, 56, 56)
    reference = []
    for conv in (block.conv1, block.conv2):
        with FlopCounterMode(display=False) as counter:
            conv(x)
        reference.append(counter.get_total_flops() // 2)  # a multiply-add is two flops
    assert [c.macs for c in convs] == reference == [56 * 56 * 64 * 3 * 3 * 64] * 2
    assert report.totals.macs == sum(reference)  # BN, ReLU and the add count zero
    assert any(l.kind == "add" for l in report.layers)


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "resnet152", "vgg16", "googlenet",
                                  "mobilenet_v2", "alexnet"])
def test_torchvision_totals_match_its_published_numbers(name):
    meta = get_model_weights(name).DEFAULT.meta
    report = inspect_model(f"torchvision:{name}")
    assert report.totals.params == meta["num_params"]
    assert report.totals.macs / 1e9 == pytest.approx(meta["_ops"], rel=0.02)


def test_models_are_built_without_weight_memory(monkeypatch):
    devices = []
    real = engine.trace_fx

    def spy(model, example):
        devices.append({p.device.type for p in model.parameters()})
        return real(model, example)

    monkeypatch.setattr(engine, "trace_fx", spy)
    report = inspect_model("vgg16")
    assert devices == [{"meta"}]
    assert report.totals.size_bytes > 500 * 2**20  # the weights it did not allocate


def test_receptive_field_of_a_known_stack():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3), nn.MaxPool2d(2),
                        nn.Conv2d(4, 4, 3, dilation=2), nn.Flatten())
    report = inspect_model(net, input_shape=(1, 32, 32))
    got = [(l.rf, l.rf_jump) for l in report.layers if l.op == "module"]
    # rf = rf_prev + (k-1)*d*jump_prev, jump = jump_prev*s
    assert got == [(3, 1), (5, 1), (6, 2), (6 + 2 * 2 * 2, 2), (None, None)]
    assert report.layers[4].formulas[-1] == (
        "rf = rf_prev + (f-1)*d*jump_prev = 6 + (3-1)*2*2 = 14; jump = jump_prev*s = 2*1 = 2")


class Branchy(nn.Module):
    """Two branches joined by a concatenation, a skip add, pooling and a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.left = nn.Conv2d(8, 4, 1)
        self.right = nn.Sequential(nn.Conv2d(8, 4, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.head = nn.Linear(8 * 5 * 5, 10)

    def forward(self, x):
        x = self.stem(x)
        y = torch.cat([self.left(x), self.right(x)], 1)
        y = self.pool(y + x)
        return self.head(torch.flatten(y, 1))


def _cpu_shapes(model, shape):
    seen = {}

    def remember(name):
        def hook(module, inputs, output):
            seen[name] = tuple(output.shape[1:])
        return hook

    hooks = [m.register_forward_hook(remember(n))
             for n, m in model.named_modules() if n and not list(m.children())]
    model(torch.randn(2, *shape))
    for h in hooks:
        h.remove()
    return seen


def test_shapes_match_a_real_forward_pass():
    model = Branchy().eval()
    report = inspect_model(model, input_shape=(3, 10, 10))
    assert report.traced_with == "fx"
    traced = {l.name: l.output_shape for l in report.layers if l.op == "module"}
    assert traced == _cpu_shapes(model, (3, 10, 10))
    cat = next(l for l in report.layers if l.kind == "concat")
    assert cat.input_shapes == [(4, 10, 10), (4, 10, 10)] and cat.output_shape == (8, 10, 10)
    add = next(l for l in report.layers if l.kind == "add")
    assert set(report.graph.predecessors(add.id)) == {cat.id, "stem_2"}  # the skip is an edge


class ShapeDependent(nn.Module):
    """Python control flow on the input's size: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.small = nn.Conv2d(3, 4, 3)
        self.big = nn.Conv2d(3, 4, 5, stride=2)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        x = self.big(x) if x.shape[-1] > 16 else self.small(x)
        return self.fc(x.mean((2, 3)))


def test_hooks_record_models_that_fx_cannot_trace():
    report = inspect_model(ShapeDependent(), input_shape=(3, 32, 32))
    assert report.traced_with == "hooks"
    assert [l.name for l in report.layers if l.op == "module"] == ["big", "fc"]
    big = report.layer("big")
    assert big.output_shape == (4, 14, 14) and big.params == 4 * 3 * 25 + 4
    assert list(report.graph.predecessors("fc")) == [next(
        l.id for l in report.layers if l.type == "mean")]


def test_fx_and_hooks_record_the_same_graph():
    from cnnviz.core.inspect.trace import trace_fx, trace_hooks

    model = Branchy().eval()
    x = torch.empty(1, 3, 10, 10)
    with torch.no_grad():
        by_fx, by_hooks = trace_fx(model, x), trace_hooks(model, x)

    def summary(ops):
        ids = {op.id: i for i, op in enumerate(ops)}
        return [(op.id, op.type, op.output_shape, sorted(ids[i] for i in op.inputs)) for op in ops]

    assert summary(by_fx) == summary(by_hooks)


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.other = nn.Conv2d(4, 4, 3, padding=1)
        self.other.weight = self.conv.weight  # a tied weight

    def forward(self, x):
        return self.other(self.conv(self.conv(x)))


def test_shared_weights_count_once():
    report = inspect_model(Tied(), input_shape=(4, 8, 8))
    convs = _layers(report, "conv")
    assert len(convs) == 3
    assert [c.params for c in convs] == [4 * 4 * 9 + 4, 0, 4]  # other: only its own bias
    assert report.totals.params == sum(c.params for c in convs) == 4 * 4 * 9 + 8


def test_frozen_parameters_are_reported():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 5))
    for p in model[0].parameters():
        p.requires_grad_(False)
    report = inspect_model(model, input_shape=(3, 8, 8))
    conv = report.layer("_0") if "_0" in report.graph else _layers(report, "conv")[0]
    assert conv.trainable_params == 0 and conv.frozen_params == 8 * 3 * 9 + 8
    assert report.totals.frozen_params == 8 * 3 * 9 + 8
    assert report.totals.trainable_params == 8 * 36 * 5 + 5


def test_formulas_have_the_numbers_filled_in():
    report = inspect_model("lenet5")
    conv1 = _layers(report, "conv")[0]
    assert "params = (f*f*n_c_prev + 1)*n_c = (5*5*1 + 1)*6 = 156" in conv1.formulas
    assert "output = floor((n + 2p - f)/s) + 1 = floor((32 + 2*0 - 5)/1) + 1 = 28" in conv1.formulas
    fc1 = _layers(report, "linear")[0]
    assert "params = (n_in + 1)*n_out = (400 + 1)*120 = 48,120" in fc1.formulas

    odd = nn.Sequential(nn.Conv2d(32, 32, 3, stride=2, groups=32, bias=False))
    dw = _layers(inspect_model(odd, input_shape=(32, 15, 15)), "conv")[0]
    assert dw.params == 288
    assert dw.formulas[:2] == [
        "params = f*f*(n_c_prev/g)*n_c = 3*3*(32/32)*32 = 288 (no bias)",
        "output = floor((n + 2p - f)/s) + 1 = floor((15 + 2*0 - 3)/2) + 1 = 7",
    ]


def test_repeated_blocks_are_recognised():
    report = inspect_model("torchvision:resnet50")
    layer3 = [report.block(f"layer3.{i}") for i in range(6)]
    assert layer3[0].repeat == 1 and layer3[0].repeat_of is None  # has the downsample
    assert layer3[1].repeat == 5
    assert all(b.repeat_of == "layer3.1" for b in layer3[2:])
    assert report.block("layer1.1").repeat == 2
    r18 = inspect_model("torchvision:resnet18")
    assert r18.block("layer1.0").repeat == 2 and r18.block("layer1.1").repeat_of == "layer1.0"
    assert r18.block("layer1").params == 2 * (2 * 64 * 64 * 9 + 4 * 64)


def test_an_input_too_small_names_the_layer():
    with pytest.raises(InputTooSmallError) as info:
        inspect_model("lenet5", input_shape=(1, 8, 8))
    assert "'features.3' (Conv2d)" in str(info.value)
    with pytest.raises(InputShapeError, match="expects 1 input channels, got 3"):
        inspect_model("lenet5", input_shape=(3, 32, 32))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4, batch_first=True)

    def forward(self, x):
        out, _ = self.attn(x, x, x, need_weights=False)
        return out


def test_attention_macs_are_projections_plus_attention_products():
    model = Attention()
    report = inspect_model(model, input_shape=(10, 16))
    attn = report.layer("attn")
    assert attn.kind == "linear"
    tokens, dim = 10, 16
    projections = 4 * tokens * dim * dim  # queries, keys, values and output
    products = 2 * tokens * tokens * dim  # Q K^T and A V
    assert attn.macs == projections + products == 13_440
    # PyTorch's flop counter sees the projections (its CPU attention kernel goes uncounted).
    with FlopCounterMode(display=False) as counter:
        model.train()(torch.randn(1, tokens, dim))
    assert counter.get_total_flops() // 2 == projections


class FunctionalPool(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)

    def forward(self, x):
        return nn.functional.max_pool2d(self.conv(x), 2)


def test_functional_pooling_grows_the_receptive_field():
    report = inspect_model(FunctionalPool(), input_shape=(1, 12, 12))
    pool = next(l for l in report.layers if l.kind == "pool")
    assert pool.name == "max_pool2d" and pool.output_shape == (2, 5, 5)
    assert (pool.rf, pool.rf_jump) == (4, 2)
