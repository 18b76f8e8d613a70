"""Any torchvision classification model as an :class:`ArchSpec`.

Metadata for the well-known families is written out below; for anything else the spec is
derived from torchvision itself: the paper title and arXiv year from the builder's docstring,
the input size from its pretrained weights' preprocessing.  Nothing here downloads weights.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Any

from torch import nn

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo.registry import ArchSpec

# prefix -> (family, year, short citation, two-line note); the longest matching prefix wins.
FAMILIES: dict[str, tuple[str, int, str, str]] = {
    "alexnet": ("AlexNet", 2014, "Krizhevsky, One weird trick for parallelizing CNNs, 2014",
                "torchvision's single-GPU AlexNet (64-192-384-256-256 filters): the 2012 "
                "ImageNet winner\nwith ReLU, dropout and overlapping max-pooling."),
    "vgg": ("VGG", 2014, "Simonyan & Zisserman, Very Deep Convolutional Networks, ICLR 2015",
            "Only 3x3 convolutions, stacked: two of them see as far as a 5x5 with fewer "
            "weights.\nDepth, not kernel size, buys accuracy."),
    "resnet": ("ResNet", 2015, "He et al., Deep Residual Learning for Image Recognition, "
               "CVPR 2016", "Shortcut connections let a block learn a residual F(x) and add "
               "x back,\nso networks of 100+ layers still train."),
    "resnext": ("ResNeXt", 2016, "Xie et al., Aggregated Residual Transformations, CVPR 2017",
                "Bottleneck blocks split into many parallel paths (grouped convolution):\n"
                "cardinality as a new dimension next to depth and width."),
    "wide_resnet": ("Wide ResNet", 2016, "Zagoruyko & Komodakis, Wide Residual Networks, "
                    "BMVC 2016", "Fewer, wider residual blocks: doubling the bottleneck "
                    "width can beat\nadding depth, and trains faster on GPUs."),
    "googlenet": ("GoogLeNet", 2014, "Szegedy et al., Going Deeper with Convolutions, CVPR "
                  "2015", "Inception modules run 1x1, 3x3 and 5x5 convolutions side by side;"
                  "\n1x1 bottlenecks keep the cost down."),
    "inception": ("Inception", 2015, "Szegedy et al., Rethinking the Inception Architecture, "
                  "CVPR 2016", "Factorised convolutions (5x5 as two 3x3, nxn as 1xn then "
                  "nx1)\nand label smoothing on a 299x299 input."),
    "densenet": ("DenseNet", 2016, "Huang et al., Densely Connected Convolutional Networks, "
                 "CVPR 2017", "Every layer receives the feature maps of all earlier layers "
                 "in its block\n(concatenated), so features are reused instead of relearned."),
    "squeezenet": ("SqueezeNet", 2016, "Iandola et al., SqueezeNet, arXiv 2016",
                   "Fire modules (1x1 squeeze, then 1x1 and 3x3 expand): AlexNet accuracy\n"
                   "with 50 times fewer parameters."),
    "mobilenet_v2": ("MobileNet", 2018, "Sandler et al., MobileNetV2: Inverted Residuals and "
                     "Linear Bottlenecks, CVPR 2018", "Inverted residual blocks: 1x1 "
                     "expansion, 3x3 depthwise, linear 1x1 projection,\nwith the shortcut "
                     "between the thin ends."),
    "mobilenet_v3": ("MobileNet", 2019, "Howard et al., Searching for MobileNetV3, ICCV 2019",
                     "MobileNetV2 blocks found by architecture search, with squeeze-and-"
                     "excitation\nand the cheap hard-swish activation."),
    "mnasnet": ("MnasNet", 2018, "Tan et al., MnasNet: Platform-Aware Neural Architecture "
                "Search for Mobile, CVPR 2019", "An architecture searched for accuracy and "
                "measured phone latency together,\nbuilt from MobileNetV2 blocks."),
    "shufflenet_v2": ("ShuffleNet", 2018, "Ma et al., ShuffleNet V2, ECCV 2018",
                      "Channel split and channel shuffle let grouped convolutions exchange\n"
                      "information; designed by measured speed, not FLOPs."),
    "efficientnet": ("EfficientNet", 2019, "Tan & Le, EfficientNet: Rethinking Model Scaling "
                     "for CNNs, ICML 2019", "Compound scaling: depth, width and input "
                     "resolution grown together by one\ncoefficient from a searched B0."),
    "efficientnet_v2": ("EfficientNet", 2021, "Tan & Le, EfficientNetV2: Smaller Models and "
                        "Faster Training, ICML 2021", "Fused-MBConv blocks in the early "
                        "stages and progressive resizing\nduring training."),
    "regnet": ("RegNet", 2020, "Radosavovic et al., Designing Network Design Spaces, CVPR "
               "2020", "Stage widths that follow a simple linear rule, found by studying "
               "whole\npopulations of networks rather than single ones."),
    "vit": ("Vision Transformer", 2020, "Dosovitskiy et al., An Image is Worth 16x16 Words, "
            "ICLR 2021", "No convolutions after the patch embedding: the image is cut into "
            "patches\nand a transformer attends between them."),
    "swin": ("Swin Transformer", 2021, "Liu et al., Swin Transformer, ICCV 2021",
             "Attention inside shifted local windows and patch merging between stages:\n"
             "a transformer with a CNN's feature pyramid."),
    "swin_v2": ("Swin Transformer", 2021, "Liu et al., Swin Transformer V2, CVPR 2022",
                "Swin with scaled cosine attention and log-spaced position bias, so it\n"
                "scales to larger models and resolutions."),
    "maxvit": ("MaxViT", 2022, "Tu et al., MaxViT: Multi-Axis Vision Transformer, ECCV 2022",
               "Blocked local attention plus dilated global (grid) attention, mixed with\n"
               "MBConv convolutions."),
    "convnext": ("ConvNeXt", 2022, "Liu et al., A ConvNet for the 2020s, CVPR 2022",
                 "A ResNet modernised step by step with transformer ideas (7x7 depthwise,\n"
                 "LayerNorm, GELU, fewer activations) that matches Swin."),
}

# Short display prefixes where the docstring's own name is not usable.
_DISPLAY_PREFIX = {
    "mobilenet_v3": "MobileNetV3", "shufflenet_v2": "ShuffleNet V2", "swin_v2": "Swin V2",
    "swin": "Swin", "vit": "ViT", "maxvit": "MaxViT", "mnasnet": "MnasNet",
}
_SANE_DISPLAY = re.compile(r"^[A-Z][\w.\- ()]{0,27}$")

# Models whose constructor warns unless told how to initialise, and that have aux heads.
_AUX_MODELS = ("googlenet", "inception_v3")


def torchvision_names() -> list[str]:
    """Names of all torchvision classification models, sorted."""
    from torchvision import models

    return sorted(models.list_models(module=models))


def _family(name: str) -> tuple[str, int, str, str] | None:
    matches = [p for p in FAMILIES if name == p or name.startswith(p)]
    return FAMILIES[max(matches, key=len)] if matches else None


def _display_name(name: str, doc_display: str) -> str:
    if _SANE_DISPLAY.match(doc_display):
        return _tidy(name, doc_display)
    prefixes = [p for p in (*_DISPLAY_PREFIX, *FAMILIES) if name.startswith(p)]
    if not prefixes:
        return name
    prefix = max(prefixes, key=len)
    label = _DISPLAY_PREFIX.get(prefix) or FAMILIES[prefix][0]
    rest = re.sub(r"(?<=\d)_(?=\d)", ".", name[len(prefix):]).strip("_")
    if prefix == "vit":  # vit_b_16 -> ViT-B/16, as the paper writes it
        size, _, patch = rest.partition("_")
        return f"ViT-{size.upper()}/{patch}"
    return _tidy(name, f"{label} {rest.replace('_', ' ').capitalize()}".strip())


# How the papers write the names torchvision's docstrings spell loosely, in the zoo's style
# ("ResNet-18", "VGG-16 (BN)"): (pattern, replacement), applied in order.
_TIDY = (
    (r"^EfficientNet B(\d)$", r"EfficientNet-B\1"),
    (r"^Densenet-", "DenseNet-"),
    (r"^(RegNet[XY])_", r"\1-"),
    (r"^VGG-(\d+)[-_]BN$", r"VGG-\1 (BN)"),
    (r"^(ResNeXt-\d+) (\d+)x(\d+d)$", r"\1 (\2×\3)"),
    (r"^Swin V2 ([A-Z])$", r"SwinV2-\1"),
    (r"^(Swin|MaxViT) ([A-Z])$", r"\1-\2"),
    (r"^ShuffleNet V2 X(\d+(?:\.\d+)?)$", r"ShuffleNet V2 \1×"),
)


def _tidy(name: str, display: str) -> str:
    for pattern, replacement in _TIDY:
        display = re.sub(pattern, replacement, display)
    if name == "squeezenet1_0":  # its docstring says only "SqueezeNet"; 1.1 is the other one
        display = "SqueezeNet 1.0"
    return display


@lru_cache(maxsize=None)
def torchvision_display_name(name: str) -> str:
    """How people write torchvision model ``name``: "efficientnet_b0" -> "EfficientNet-B0",
    "resnext50_32x4d" -> "ResNeXt-50 (32×4d)".  Cheap (reads the builder's docstring only),
    so a catalog can name every model without building a spec."""
    from torchvision import models

    return _display_name(name, _doc_facts(models.get_model_builder(name))[0])


def _doc_facts(builder: Any) -> tuple[str, str, int]:
    """(display name, paper title, arXiv year) parsed from a torchvision builder docstring."""
    first = " ".join((builder.__doc__ or "").strip().split("\n\n")[0].split())
    title = re.search(r"`(.+?)\s*<https?:", first)
    arxiv = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{2})(\d{2})\.", first)
    display = re.split(r"\s+(?:model\s+)?(?:architecture\s+)?from\b", first)[0]
    display = re.sub(r"^Constructs an? ", "", display).strip() or builder.__name__
    year = 2000 + int(arxiv.group(1)) if arxiv else 0
    return display, title.group(1).strip() if title else "", year


def _input_shape(name: str) -> tuple[int, int, int]:
    from torchvision import models

    if name.startswith("vit_"):
        return (3, 224, 224)  # built without weights, every ViT uses image_size=224
    try:
        weights = list(models.get_model_weights(name))
    except ValueError:
        return (3, 224, 224)
    first = weights[0] if weights else None
    crop = first.transforms.keywords.get("crop_size") if first is not None else None
    if isinstance(crop, (list, tuple)):
        crop = crop[0]
    return (3, int(crop), int(crop)) if crop else (3, 224, 224)


def _build(name: str, num_classes: int = 1000, **options: Any) -> nn.Module:
    from torchvision import models

    if name in _AUX_MODELS:
        options["init_weights"] = True
    return models.get_model(name, weights=None, num_classes=num_classes, **options)


@lru_cache(maxsize=None)
def torchvision_spec(name: str) -> ArchSpec:
    """The spec of torchvision model ``name`` (exact, lower case); ArchError if there is none."""
    from torchvision import models

    if name not in torchvision_names():
        raise ArchError(f"torchvision has no classification model called '{name}'.")
    _doc_display, title, doc_year = _doc_facts(models.get_model_builder(name))
    display = torchvision_display_name(name)
    known = _family(name)
    if known is not None:
        family, year, paper, note = known
    else:
        family = name.split("_")[0].rstrip("0123456789").capitalize()
        year, paper = doc_year, title
        note = (f"A torchvision classification model from \"{title}\".\n" if title else
                "A torchvision classification model.\n") + "See its paper for what it introduced."
    options = {"aux_logits": False} if name in _AUX_MODELS else {}
    choices = {"aux_logits": (True, False)} if options else {}
    return ArchSpec(
        name=name, display_name=display, family=family, year=year, paper=paper,
        input_shape=_input_shape(name), num_classes=1000, note=note,
        builder=partial(_build, name), options=options, source="torchvision",
        option_choices=choices,
    )
