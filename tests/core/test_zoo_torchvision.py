"""Any torchvision classification model through the zoo."""

from __future__ import annotations

import pytest
import torch
from torchvision import models as tvm

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo import resolve, torchvision_names, torchvision_spec
from cnnviz.core.zoo.torchvision_models import torchvision_display_name


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def test_every_torchvision_classifier_has_a_spec_with_metadata():
    names = torchvision_names()
    assert {"efficientnet_b0", "convnext_tiny", "vit_b_16", "densenet121"} <= set(names)
    for name in names:
        spec = torchvision_spec(name)
        assert spec.source == "torchvision" and spec.name == name
        assert spec.display_name and spec.family and spec.paper, name
        assert 2012 <= spec.year <= 2025, name
        assert spec.input_shape[0] == 3 and spec.input_shape[1] >= 224
        assert len(spec.note.split("\n")) == 2


@pytest.mark.parametrize("name,family,year,shape", [
    ("efficientnet_b0", "EfficientNet", 2019, (3, 224, 224)),
    ("efficientnet_b3", "EfficientNet", 2019, (3, 300, 300)),
    ("inception_v3", "Inception", 2015, (3, 299, 299)),
    ("vit_b_16", "Vision Transformer", 2020, (3, 224, 224)),
    ("convnext_tiny", "ConvNeXt", 2022, (3, 224, 224)),
])
def test_known_families(name, family, year, shape):
    spec = resolve(name)
    assert (spec.family, spec.year, spec.input_shape) == (family, year, shape)


@pytest.mark.parametrize("name", ["efficientnet_b0", "squeezenet1_1", "convnext_tiny"])
def test_torchvision_models_build_on_meta_with_torchvision_counts(name):
    with torch.device("meta"):
        ours = resolve(name).build(num_classes=10)
        theirs = tvm.get_model(name, weights=None, num_classes=10)
    assert count(ours) == count(theirs)
    assert all(p.device.type == "meta" for p in ours.parameters())


def test_googlenet_from_torchvision_takes_aux_switch_without_warning(recwarn):
    spec = resolve("torchvision:googlenet")
    with torch.device("meta"):
        plain = spec.build()
        aux = spec.build(aux_logits=True)
    assert count(plain) == 6_624_904 and count(aux) == 13_004_888
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]


def test_torchvision_prefix_picks_torchvision_over_the_zoo():
    assert resolve("resnet18").source == "zoo"
    assert resolve("torchvision:resnet18").source == "torchvision"
    assert resolve("Torchvision:ResNet18").name == "resnet18"


def test_unknown_torchvision_name():
    with pytest.raises(ArchError, match="torchvision has no classification model called"):
        resolve("torchvision:resnet19")


def test_fallback_metadata_comes_from_the_builder_docstring():
    from cnnviz.core.zoo import torchvision_models as tvmod

    display, title, year = tvmod._doc_facts(tvm.get_model_builder("squeezenet1_0"))
    assert title.startswith("SqueezeNet: AlexNet-level accuracy with 50x fewer parameters")
    assert year == 2016 and display == "SqueezeNet"


def test_a_family_without_written_metadata_falls_back_to_torchvision(monkeypatch):
    from cnnviz.core.zoo import torchvision_models as tvmod

    monkeypatch.delitem(tvmod.FAMILIES, "squeezenet")
    tvmod.torchvision_spec.cache_clear()
    try:
        spec = tvmod.torchvision_spec("squeezenet1_0")
        assert spec.family == "Squeezenet" and spec.year == 2016
        assert spec.paper.startswith("SqueezeNet: AlexNet-level accuracy")
        assert "SqueezeNet: AlexNet-level accuracy" in spec.note.split("\n")[0]
        with torch.device("meta"):
            assert count(spec.build()) == count(tvm.squeezenet1_0())
    finally:
        tvmod.torchvision_spec.cache_clear()


@pytest.mark.parametrize("name,display", [
    ("efficientnet_b0", "EfficientNet-B0"), ("efficientnet_v2_s", "EfficientNetV2-S"),
    ("densenet121", "DenseNet-121"), ("regnet_x_1_6gf", "RegNetX-1.6GF"),
    ("resnext50_32x4d", "ResNeXt-50 (32×4d)"), ("vgg19_bn", "VGG-19 (BN)"),
    ("swin_t", "Swin-T"), ("swin_v2_b", "SwinV2-B"), ("vit_b_16", "ViT-B/16"),
    ("shufflenet_v2_x0_5", "ShuffleNet V2 0.5×"), ("squeezenet1_0", "SqueezeNet 1.0"),
    ("mobilenet_v3_large", "MobileNetV3 Large"), ("wide_resnet50_2", "Wide ResNet-50-2"),
])
def test_torchvision_models_are_named_as_their_papers_write_them(name, display):
    assert torchvision_display_name(name) == display
    assert torchvision_spec(name).display_name == display


def test_every_torchvision_display_name_is_tidy():
    names = [torchvision_display_name(n) for n in torchvision_names()]
    assert len(set(names)) == len(names)  # no two models share a name
    for name in names:
        assert "_" not in name and name[0].isupper() and name == name.strip(), name
