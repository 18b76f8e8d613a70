"""The zoo's entries: metadata, parameter counts, twins, switches and resolve()."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision import models as tvm

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo import ArchSpec, get_spec, list_specs, resolve


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def build_meta(spec: ArchSpec, **options) -> nn.Module:
    with torch.device("meta"):
        return spec.build(**options)


def tv_meta(name: str, **kwargs) -> nn.Module:
    with torch.device("meta"):
        return tvm.get_model(name, weights=None, **kwargs)


ALL = [s.name for s in list_specs()]


# --- the catalog ---------------------------------------------------------------------------

def test_catalog_holds_the_classic_networks():
    expected = {
        "lenet5", "alexnet", "googlenet", "mobilenet_v1", "mobilenet_v2",
        *(f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")),
        *(f"resnet{d}" for d in (18, 34, 50, 101, 152)), "plain18", "plain34",
        *(f"{k}{d}" for k in ("resnet", "plain") for d in (20, 32, 44, 56, 110)),
    }
    assert expected <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_entry_metadata_is_complete(name):
    spec = get_spec(name)
    assert spec.display_name and spec.family and spec.paper
    assert 1989 <= spec.year <= 2025
    assert len(spec.input_shape) == 3 and all(d > 0 for d in spec.input_shape)
    assert spec.num_classes > 0
    lines = spec.note.split("\n")
    assert len(lines) == 2 and all(20 < len(line) < 110 for line in lines), spec.note
    assert spec.source == "zoo"
    if spec.twin is not None:
        assert get_spec(spec.twin).twin == spec.name
    for option, choices in spec.option_choices.items():
        assert spec.options[option] in choices


@pytest.mark.parametrize("name", ALL)
def test_every_entry_builds_on_meta_without_weight_memory(name):
    spec = get_spec(name)
    model = build_meta(spec)
    params = list(model.parameters())
    assert params and all(p.device.type == "meta" for p in params)
    model.eval()
    with torch.device("meta"):
        out = model(torch.empty(1, *spec.input_shape))
    assert tuple(out.shape) == (1, spec.num_classes)


def test_catalog_order_is_chronological_and_keeps_variants_in_order():
    names = ALL
    years = [get_spec(n).year for n in names]
    assert years == sorted(years)
    assert names.index("resnet18") < names.index("resnet34") < names.index("resnet152")
    assert names.index("resnet152") < names.index("plain18")


# --- parameter counts ------------------------------------------------------------------------

def test_lenet5_has_61706_parameters_and_the_classic_layers():
    model = resolve("lenet5").build()
    assert count(model) == 61_706
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size) for c in convs] == [(6, (5, 5)), (16, (5, 5))]
    assert sum(isinstance(m, nn.AvgPool2d) for m in model.modules()) == 2
    assert [m.out_features for m in model.modules() if isinstance(m, nn.Linear)] == [120, 84, 10]
    assert model(torch.randn(2, 1, 32, 32)).shape == (2, 10)


TORCHVISION_TWINS = [
    "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
    "vgg19_bn", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "mobilenet_v2",
]


@pytest.mark.parametrize("name", TORCHVISION_TWINS)
def test_counts_and_parameter_shapes_equal_torchvision(name):
    ours = build_meta(resolve(name))
    theirs = tv_meta(name)
    assert count(ours) == count(theirs)
    # Same parameter names and shapes: a torchvision checkpoint would load into ours.
    assert {k: v.shape for k, v in ours.state_dict().items()} == \
        {k: v.shape for k, v in theirs.state_dict().items()}


@pytest.mark.parametrize("name,expected", [
    ("vgg16", 138_357_544), ("resnet50", 25_557_032), ("mobilenet_v2", 3_504_872),
    ("resnet18", 11_689_512), ("alexnet", 61_100_840),
])
def test_well_known_counts(name, expected):
    assert count(build_meta(resolve(name))) == expected


@pytest.mark.parametrize("aux,expected", [(False, 6_624_904), (True, 13_004_888)])
def test_googlenet_counts_match_torchvision_with_and_without_aux(aux, expected):
    ours = build_meta(resolve("googlenet"), aux_logits=aux)
    theirs = tv_meta("googlenet", aux_logits=aux, init_weights=True)
    assert count(ours) == count(theirs) == expected
    assert sum(isinstance(m, nn.Linear) for m in ours.modules()) == (5 if aux else 1)


def test_googlenet_paper_kernels_make_the_third_branch_5x5():
    model = build_meta(resolve("googlenet"), five_by_five=True)
    kernels = {m.kernel_size for m in model.inception3a.branch3.modules()
               if isinstance(m, nn.Conv2d)}
    assert kernels == {(1, 1), (5, 5)}
    assert count(model) > 6_624_904


def test_googlenet_returns_aux_outputs_only_while_training():
    model = build_meta(resolve("googlenet"), aux_logits=True, num_classes=7)
    with torch.device("meta"):
        x = torch.empty(2, 3, 224, 224)
        train_out = model.train()(x)
        eval_out = model.eval()(x)
    assert [tuple(t.shape) for t in train_out] == [(2, 7)] * 3
    assert tuple(eval_out.shape) == (2, 7)


@pytest.mark.parametrize("width", [0.5, 1.4])
def test_mobilenet_v2_width_multiplier_matches_torchvision(width):
    assert count(build_meta(resolve("mobilenet_v2"), width_mult=width)) == \
        count(tv_meta("mobilenet_v2", width_mult=width))


def test_mobilenet_v1_is_depthwise_separable_with_4_2m_parameters():
    model = build_meta(resolve("mobilenet_v1"))
    assert count(model) == 4_231_976
    depthwise = [m for m in model.modules()
                 if isinstance(m, nn.Conv2d) and m.groups == m.in_channels > 1]
    assert len(depthwise) == 13
    assert all(m.kernel_size == (3, 3) for m in depthwise)
    assert count(build_meta(resolve("mobilenet_v1"), width_mult=0.5)) < 4_231_976 / 3


def cifar_resnet_count(n: int, projections: bool) -> int:
    """Hand count for the 6n+2 CIFAR network with batch norm and 10 classes."""
    def conv_bn(cin, cout, k=3):
        return cin * cout * k * k + 2 * cout

    total = conv_bn(3, 16) + 64 * 10 + 10
    for cin, cout in ((16, 16), (16, 32), (32, 64)):
        total += conv_bn(cin, cout) + conv_bn(cout, cout) + (2 * n - 2) * conv_bn(cout, cout)
        if projections and cin != cout:
            total += conv_bn(cin, cout, k=1)
    return total


# Option A shortcuts (the paper's CIFAR choice) add no parameters.
CIFAR_OPTION_A = {20: 269_722, 32: 464_154, 44: 658_586, 56: 853_018, 110: 1_727_962}
# With 1x1 projections where the size changes (option B) each net gains 2,752.
CIFAR_OPTION_B = {20: 272_474, 32: 466_906, 44: 661_338, 56: 855_770, 110: 1_730_714}
PAPER_TABLE_6 = {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7}


@pytest.mark.parametrize("depth", [20, 32, 44, 56, 110])
def test_cifar_resnet_counts_match_the_paper_and_a_hand_count(depth):
    n = (depth - 2) // 6
    a = count(build_meta(resolve(f"resnet{depth}")))
    b = count(build_meta(resolve(f"resnet{depth}"), shortcut="B"))
    assert a == CIFAR_OPTION_A[depth] == cifar_resnet_count(n, projections=False)
    assert b == CIFAR_OPTION_B[depth] == cifar_resnet_count(n, projections=True)
    # Table 6 rounds option A's counts; option B's already round differently for 32 and 56.
    assert round(a / 1e6, 1 if depth == 110 else 2) == PAPER_TABLE_6[depth]


def test_cifar_resnet_layout_follows_section_4_2():
    model = resolve("resnet20").build().eval()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 19  # 6n + 1 convolutions plus the linear layer = 20 weighted layers
    assert {c.kernel_size for c in convs} == {(3, 3)}
    assert sorted({c.out_channels for c in convs}) == [16, 32, 64]
    shapes = []
    model.layer1.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
    model.layer2.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
    model.layer3.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    assert shapes == [(16, 32, 32), (32, 16, 16), (64, 8, 8)]


def test_option_a_shortcut_subsamples_and_pads_with_zero_channels():
    block = resolve("resnet20").build().layer2[0]
    x = torch.randn(1, 16, 8, 8)
    out = block.downsample(x)
    assert out.shape == (1, 32, 4, 4)
    assert torch.equal(out[:, :16], x[:, :, ::2, ::2])
    assert not out[:, 16:].any()


@pytest.mark.parametrize("name", ["resnet20", "plain20", "resnet32"])
def test_cifar_forward_gives_class_scores(name):
    model = resolve(name).build(num_classes=5).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 32, 32)).shape == (1, 5)


# --- plain twins -------------------------------------------------------------------------

def _module_types(model: nn.Module, skip: str) -> list[tuple[str, str]]:
    return [(name, type(m).__name__) for name, m in model.named_modules()
            if skip not in name.split(".")]


@pytest.mark.parametrize("depth,options", [
    (18, {}), (34, {}), (20, {}), (56, {}), (20, {"shortcut": "B"}),
    (18, {"batch_norm": False}),
])
def test_plain_twin_differs_only_by_the_shortcut_projections(depth, options):
    resnet = build_meta(resolve(f"resnet{depth}"), **options)
    plain = build_meta(resolve(f"plain{depth}"),
                       **{k: v for k, v in options.items() if k != "shortcut"})
    assert _module_types(resnet, "downsample") == _module_types(plain, "downsample")
    plain_params = {k: v.shape for k, v in plain.named_parameters()}
    resnet_params = {k: v.shape for k, v in resnet.named_parameters()}
    projections = {k: v for k, v in resnet_params.items() if ".downsample." in k}
    assert {k: v for k, v in resnet_params.items() if k not in projections} == plain_params
    difference = count(resnet) - count(plain)
    assert difference == sum(torch.Size(s).numel() for s in projections.values())
    assert not any(".downsample" in k for k, _ in plain.named_modules())


def test_imagenet_projection_shortcuts_are_what_plain18_lacks():
    # Three stages change shape: 64->128, 128->256, 256->512 (1x1 conv + BN each).
    expected = sum(cin * cout + 2 * cout for cin, cout in ((64, 128), (128, 256), (256, 512)))
    assert count(build_meta(resolve("resnet18"))) - count(build_meta(resolve("plain18"))) \
        == expected


def test_cifar_option_a_twins_have_identical_counts():
    for depth in (20, 32, 44, 56, 110):
        assert count(build_meta(resolve(f"resnet{depth}"))) == \
            count(build_meta(resolve(f"plain{depth}")))


def test_plain_net_really_has_no_shortcut():
    torch.manual_seed(0)
    block = resolve("plain20").build().eval().layer1[0]
    # Zero every weight: a residual block would pass x through (relu(0 + x)), a plain one can't.
    for p in block.parameters():
        nn.init.zeros_(p)
    x = torch.rand(1, 16, 4, 4) + 0.1
    assert not block(x).any()
    res_block = resolve("resnet20").build().eval().layer1[0]
    for p in res_block.parameters():
        nn.init.zeros_(p)
    assert torch.allclose(res_block(x), x)


# --- switches -------------------------------------------------------------------------------

TWIN_NAMES = ["resnet18", "plain34", "resnet50", "resnet20", "plain56"]


@pytest.mark.parametrize("name", TWIN_NAMES)
def test_batch_norm_off_removes_it_and_gives_convs_a_bias(name):
    on = build_meta(resolve(name))
    off = build_meta(resolve(name), batch_norm=False)
    assert any(isinstance(m, nn.BatchNorm2d) for m in on.modules())
    assert not any(isinstance(m, nn.BatchNorm2d) for m in off.modules())
    assert all(m.bias is None for m in on.modules() if isinstance(m, nn.Conv2d))
    assert all(m.bias is not None for m in off.modules() if isinstance(m, nn.Conv2d))


@pytest.mark.parametrize("name", TWIN_NAMES + ["lenet5"])
@pytest.mark.parametrize("activation,cls", [("tanh", nn.Tanh), ("sigmoid", nn.Sigmoid)])
def test_activation_switch_replaces_every_relu(name, activation, cls):
    model = build_meta(resolve(name), activation=activation)
    assert any(isinstance(m, cls) for m in model.modules())
    assert not any(isinstance(m, nn.ReLU) for m in model.modules())


def test_lenet_defaults_to_tanh_and_can_use_relu():
    assert any(isinstance(m, nn.Tanh) for m in resolve("lenet5").build().modules())
    relu = resolve("lenet5").build(activation="relu")
    assert any(isinstance(m, nn.ReLU) for m in relu.modules())


def _first_conv_std(model: nn.Module) -> float:
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d) and m.in_channels == 16)
    return conv.weight.std().item()


@pytest.mark.parametrize("name", ["resnet20", "plain20"])
def test_init_switch_changes_weight_statistics(name):
    torch.manual_seed(0)
    fan_in = 16 * 9
    default = _first_conv_std(resolve(name).build())
    xavier = _first_conv_std(resolve(name).build(init="xavier"))
    he = _first_conv_std(resolve(name).build(init="he"))
    # PyTorch's default: uniform(+-1/sqrt(fan_in)) -> std 1/sqrt(3 fan_in).
    assert default == pytest.approx((1 / (3 * fan_in)) ** 0.5, rel=0.1)
    # Xavier (ReLU gain): std sqrt(2) * sqrt(2 / (fan_in + fan_out)), fan_out = 16*9 here.
    assert xavier == pytest.approx(2 ** 0.5 * (2 / (2 * fan_in)) ** 0.5, rel=0.1)
    # He, fan-out mode: std sqrt(2 / fan_out).
    assert he == pytest.approx((2 / fan_in) ** 0.5, rel=0.1)
    assert len({round(default, 3), round(xavier, 3), round(he, 3)}) == 3


def test_xavier_gain_follows_the_activation():
    torch.manual_seed(0)
    tanh = _first_conv_std(resolve("resnet20").build(init="xavier", activation="tanh"))
    sigmoid = _first_conv_std(resolve("resnet20").build(init="xavier", activation="sigmoid"))
    assert tanh == pytest.approx(5 / 3 * (1 / (16 * 9)) ** 0.5, rel=0.1)
    assert sigmoid == pytest.approx((1 / (16 * 9)) ** 0.5, rel=0.1)


def test_init_zeroes_biases_when_batch_norm_is_off():
    model = resolve("plain20").build(batch_norm=False, init="he")
    assert all(not m.bias.any() for m in model.modules() if isinstance(m, nn.Conv2d))


@pytest.mark.parametrize("options,fragment", [
    ({"activation": "gelu"}, "choose one of 'relu', 'tanh', 'sigmoid'"),
    ({"init": "orthogonal"}, "init='orthogonal'"),
    ({"batch_norm": "yes"}, "batch_norm='yes'"),
    ({"dropout": 0.5}, "has no option dropout"),
])
def test_bad_options_are_explained(options, fragment):
    with pytest.raises(ArchError, match="ResNet-20") as err:
        resolve("resnet20").build(**options)
    assert fragment in str(err.value)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_class_count_is_explained(bad):
    with pytest.raises(ArchError, match="number of classes"):
        resolve("lenet5").build(num_classes=bad)


def test_num_classes_reaches_the_last_layer():
    model = build_meta(resolve("vgg16_bn"), num_classes=37)
    assert model.classifier[-1].out_features == 37


# --- resolve --------------------------------------------------------------------------------

@pytest.mark.parametrize("ref,name", [
    ("resnet18", "resnet18"), ("ResNet18", "resnet18"), ("  RESNET-18 ", "resnet18"),
    ("VGG16-BN", "vgg16_bn"), ("mobilenetv2", "mobilenet_v2"), ("LeNet-5", "lenet5"),
    ("Plain-56", "plain56"),
])
def test_resolve_finds_zoo_entries_in_any_spelling(ref, name):
    spec = resolve(ref)
    assert spec.name == name and spec.source == "zoo"


def test_resolve_passes_a_spec_through():
    spec = get_spec("alexnet")
    assert resolve(spec) is spec


@pytest.mark.parametrize("ref,suggestion", [
    ("resnt18", "resnet18"), ("efficentnet_b0", "efficientnet_b0"), ("googlenet2", "googlenet"),
])
def test_unknown_names_suggest_close_matches(ref, suggestion):
    with pytest.raises(ArchError) as err:
        resolve(ref)
    message = str(err.value)
    assert f"'{ref}'" in message and suggestion in message
    assert message.count(".") <= 2 and "\n" not in message


def test_hopeless_names_point_to_the_list():
    with pytest.raises(ArchError, match="cnnviz list"):
        resolve("zzzzqqq")


@pytest.mark.parametrize("ref", ["", "   "])
def test_empty_ref_is_explained(ref):
    with pytest.raises(ArchError, match="architecture name"):
        resolve(ref)


def test_string_choices_match_in_any_case():
    model = build_meta(resolve("resnet20"), activation="Tanh", init="XAVIER", shortcut="b")
    assert any(isinstance(m, nn.Tanh) for m in model.modules())
    assert count(model) == CIFAR_OPTION_B[20]
