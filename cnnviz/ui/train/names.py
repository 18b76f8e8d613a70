"""What the Train workspace calls things in front of a student: networks by their display
names ("ResNet-20", not "resnet20"), switches and devices as the explorer spells them.

Runs written by earlier versions name the 32 × 32 networks "ResNet-20 (CIFAR)" (the zoo's
family says CIFAR now, the name does not); Train drops that suffix (:func:`train_name`), so
old and new runs read alike.

The zoo knows each network's display name, but importing it imports torch, which the window
never does on its own thread; the networks the setup form offers are listed here with the
names the zoo gives them (a test checks the two agree).  Anything else (a torchvision name
typed in, ``path/to/file.py:ClassName``) is shown as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from cnnviz.core.train.records import ModelConfig
from cnnviz.core.train.sizes import size_words

#: The zoo's display name of every network the setup form lists, in the form's order.
ZOO_DISPLAY: dict[str, str] = {
    **{f"{kind}{depth}": f"{title}-{depth}" for depth in (20, 32, 44, 56, 110)
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


#: The suffix earlier versions gave the 32 × 32 networks, which Train leaves out.
_CIFAR_SUFFIX = " (CIFAR)"


def train_name(display_name: str) -> str:
    """``display_name`` as Train shows it: "Plain-20" for an older run's "Plain-20 (CIFAR)"."""
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
    """The zoo reference a name stands for ("Plain-20", or an older run's "Plain-20
    (CIFAR)"); the text itself when it is none."""
    text = text.strip()
    # Any case: the combo box's inline completion keeps the case the user typed.
    folded = text.casefold()
    return next((arch for arch, name in ZOO_DISPLAY.items()
                 if folded in (name.casefold(), train_name(name).casefold())), text)


def models_title(models: Iterable[ModelConfig], *, switches: bool = False) -> str:
    """"Plain-20 vs ResNet-20": a run's models by display name (by their run names where
    two share one); with ``switches``, followed by the switches they were built with
    ("Plain-20 vs ResNet-20, without batch norm", see :func:`run_title`)."""
    models = list(models)
    names = [arch_name(m.arch) for m in models]
    if len(set(names)) < len(names):
        names = [m.label for m in models]
    if switches:
        return run_title(names, [m.options for m in models])
    return " vs ".join(names)


def device_name(device: str) -> str:
    """"CPU", "CUDA", "CUDA 1", "Apple MPS" for a torch device string ("cuda:1")."""
    kind, _, index = device.partition(":")
    name = DEVICE_NAMES.get(kind, device)
    return f"{name} {index}" if index and kind in DEVICE_NAMES else name


def switches_phrase(options: dict) -> str:
    """The builder switches that differ from the defaults, in words: "without batch norm",
    "with Sigmoid and Xavier init, without batch norm"; "" for the defaults."""
    with_parts = []
    activation = options.get("activation", "relu")
    if activation != "relu":
        with_parts.append(ACTIVATION_NAMES.get(activation, str(activation)))
    init = options.get("init", "default")
    if init != "default":
        with_parts.append(INIT_NAMES.get(init, str(init)))
    parts = [f"with {' and '.join(with_parts)}"] if with_parts else []
    if options.get("batch_norm", True) is False:
        parts.append("without batch norm")
    return ", ".join(parts)


def model_title(name: str, options: dict) -> str:
    """"ResNet-20 without batch norm": a model's shown name and its switches."""
    phrase = switches_phrase(options)
    return f"{name} {phrase}" if phrase else name


def length_phrase(steps: int | None, epochs: int | None = None) -> str:
    """"200 steps", "1 step", "3 epochs" ("" when neither is known)."""
    if steps:
        return f"{steps:,} step{'s' if steps != 1 else ''}"
    if epochs:
        return f"{epochs:,} epoch{'s' if epochs != 1 else ''}"
    return ""


def run_title(names: list[str], options: list[dict], length: str = "",
              dataset: str = "") -> str:
    """A run's title: "Plain-20 vs ResNet-20, without batch norm · 200 steps · Shapes (…)".

    ``names`` are the models' shown names and ``options`` their switches; switches all the
    models share are said once after the names, others after each model's name.  The parts
    after the models are joined by " · " (the header shows the first part as the title).
    """
    phrases = [switches_phrase(o) for o in options]
    if len(set(phrases)) <= 1:
        models = " vs ".join(names)
        if phrases and phrases[0]:
            models = f"{models}, {phrases[0]}"
    else:
        models = " vs ".join(f"{n} ({p})" if p else n for n, p in zip(names, phrases))
    return " · ".join(part for part in (models, length, dataset) if part)


def when_phrase(stamp: datetime) -> str:
    """"28 Nov 14:13": when a run started, for a sentence ("the run of 28 Nov 14:13")."""
    return f"{stamp.day} {stamp:%b %H:%M}"


def meta_title(meta: dict) -> str:
    """The title of the run whose run.json is ``meta`` (see :func:`run_title`): models by
    display name (by run name where two share one), their switches, length and data set."""
    entries = meta.get("models", [])
    names = [train_name(e.get("display_name") or e.get("name", "?")) for e in entries]
    if len(set(names)) < len(names):
        names = [e.get("name", "?") for e in entries]
    config = meta.get("config") if isinstance(meta.get("config"), dict) else {}
    configured = {m.get("name"): m for m in config.get("models", []) if isinstance(m, dict)}
    options = []
    for entry in entries:
        found = configured.get(entry.get("name"), {}).get("options")
        options.append(found if isinstance(found, dict) else {})
    steps, epochs = config.get("steps"), config.get("epochs")
    length = length_phrase(steps if isinstance(steps, int) else None,
                           epochs if isinstance(epochs, int) else None)
    if not length and isinstance(meta.get("total_steps"), int):
        length = length_phrase(meta["total_steps"])
    return run_title(names, options, length, size_words(str(meta.get("dataset_name") or "")))


def created_when(meta: dict) -> str:
    """When the run of run.json ``meta`` started, in this computer's time ("28 Nov 14:13");
    "" when run.json does not say."""
    try:
        return when_phrase(datetime.fromisoformat(str(meta.get("created", ""))).astimezone())
    except ValueError:
        return ""
