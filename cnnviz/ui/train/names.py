"""What the Train workspace calls things in front of a student: networks by their display
names ("ResNet-20", not "resnet20"), switches and devices as the explorer spells them.

The zoo calls its 32x32 networks "ResNet-20 (CIFAR)" to tell them from the explorer's
ImageNet ones; Train offers no other ResNet-20, and a run on Shapes titled "(CIFAR)" misleads,
so Train drops that suffix (:func:`train_name`).

The zoo knows each network's display name, but importing it imports torch, which the window
never does on its own thread; the networks the setup form offers are listed here with the
names the zoo gives them (a test checks the two agree).  Anything else (a torchvision name
typed in, ``path/to/file.py:ClassName``) is shown as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cnnviz.core.train.records import ModelConfig

#: The zoo's display name of every network the setup form lists, in the form's order.
ZOO_DISPLAY: dict[str, str] = {
    **{f"{kind}{depth}": f"{title}-{depth} (CIFAR)" for depth in (20, 32, 44, 56, 110)
       for kind, title in (("plain", "Plain"), ("resnet", "ResNet"))},
    "lenet5": "LeNet-5", "alexnet": "AlexNet",
    "vgg11": "VGG-11", "vgg11_bn": "VGG-11 (BN)", "vgg16": "VGG-16", "vgg16_bn": "VGG-16 (BN)",
    "resnet18": "ResNet-18", "plain18": "Plain-18", "resnet34": "ResNet-34",
    "plain34": "Plain-34", "resnet50": "ResNet-50", "googlenet": "GoogLeNet",
    "mobilenet_v1": "MobileNet v1", "mobilenet_v2": "MobileNetV2",
    "efficientnet_b0": "EfficientNet-B0",
}

#: Activation switch values and how they are written.
ACTIVATION_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}
#: Initialisation switch values and how they are written (as in the explorer's bar).
INIT_NAMES = {"default": "Default init", "xavier": "Xavier init", "he": "He init"}
#: Device names as a record gives them ("cpu", "cuda", "cuda:1", "mps").
DEVICE_NAMES = {"cpu": "CPU", "cuda": "CUDA", "mps": "Apple MPS"}


#: The suffix of the zoo's 32x32 networks that Train leaves out.
_CIFAR_SUFFIX = " (CIFAR)"


def train_name(display_name: str) -> str:
    """``display_name`` as Train shows it: "Plain-20" for the zoo's "Plain-20 (CIFAR)"."""
    return display_name.removesuffix(_CIFAR_SUFFIX)


def arch_name(arch: str) -> str:
    """The name Train shows for zoo reference ``arch``: "Plain-20" for "plain20", the class
    name for "path/to/file.py:ClassName", anything else as it is."""
    arch = arch.strip()
    if arch in ZOO_DISPLAY:
        return train_name(ZOO_DISPLAY[arch])
    if ":" in arch and Path(arch.rsplit(":", 1)[0]).suffix == ".py":
        return arch.rsplit(":", 1)[1]
    return arch


def arch_of(text: str) -> str:
    """The zoo reference a name stands for, Train's or the zoo's ("Plain-20" or "Plain-20
    (CIFAR)"); the text itself when it is none."""
    text = text.strip()
    # Any case: the combo box's inline completion keeps the case the user typed.
    folded = text.casefold()
    return next((arch for arch, name in ZOO_DISPLAY.items()
                 if folded in (name.casefold(), train_name(name).casefold())), text)


def models_title(models: Iterable[ModelConfig]) -> str:
    """"Plain-20 vs ResNet-20": a run's models by display name (by their run names where
    two share one)."""
    models = list(models)
    names = [arch_name(m.arch) for m in models]
    if len(set(names)) < len(names):
        names = [m.label for m in models]
    return " vs ".join(names)


def device_name(device: str) -> str:
    """"CPU", "CUDA", "CUDA 1", "Apple MPS" for a torch device string ("cuda:1")."""
    kind, _, index = device.partition(":")
    name = DEVICE_NAMES.get(kind, device)
    return f"{name} {index}" if index and kind in DEVICE_NAMES else name
