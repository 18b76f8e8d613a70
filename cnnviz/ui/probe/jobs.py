"""The model work behind the Look-inside panel, as plain functions a worker thread runs.

Nothing here touches Qt: each function takes and returns plain objects, so the panel can run
it on a pool thread and apply the result on the GUI thread.  A :class:`Network` is never
changed after it is made: loading weights returns a new one, so a result computed with the
old weights can be recognised (by identity) and dropped.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnviz.core.augment import Pipeline, Step

# What the invariance check applies until the studio sends a pipeline: the classic
# flip / small rotation / colour jitter a course trains with.
DEFAULT_PIPELINE = Pipeline([
    Step("hflip", probability=0.5),
    Step("rotate", {"angle": [-20.0, 20.0]}, probability=0.8),
    Step("colour_jitter", probability=0.8),
])


@dataclass(frozen=True)
class Network:
    """A CPU model ready to look inside, with what is known about its weights.

    ``weights`` is "random", "imagenet", "file" or "lab"; ``categories`` names the classes
    when the weights come with names (torchvision's published sets).  ``trained_input`` is
    true when pictures are fed as the model's training run fed them (size, channels and
    normalisation of a lab run), not by the catalog's recipe.
    """

    ref: str
    spec: Any  # cnnviz.core.zoo.ArchSpec
    model: Any  # torch.nn.Module in eval mode
    prep: Any  # cnnviz.core.probe.Preprocess
    options: dict = field(default_factory=dict)
    weights: str = "random"
    weights_label: str = "Random weights"
    categories: tuple[str, ...] = ()
    published: Any = None  # cnnviz.core.probe.WeightsChoice torchvision offers, or None
    filters: Any = None  # cnnviz.core.probe.render.Grid of the first convolution, or None
    trained_input: bool = False

    @property
    def display_name(self) -> str:
        return self.spec.display_name

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of the pictures the model is fed: the catalog's, or the size a lab
        model was trained at."""
        return (self.prep.channels, *self.prep.crop)

    @property
    def trained(self) -> bool:
        return self.weights != "random"


@dataclass(frozen=True)
class ImageProbe:
    """One image run through one network: everything the views draw, computed once."""

    network: Network
    image: np.ndarray  # the user's picture, RGB uint8
    seen: np.ndarray  # what the network sees after resize and crop, RGB uint8
    acts: Any  # cnnviz.core.probe.ActivationSet
    stats: dict  # layer name -> LayerStats, for the layers with feature maps
    layers: list[str]  # layers with feature maps, in forward order
    predictions: list  # top-5 cnnviz.core.probe.Prediction


def _filters(model):
    from cnnviz.core.probe import first_conv_filters

    try:
        return first_conv_filters(model, scale=6, pad=3)
    except ValueError:  # a network without any 2-D convolution
        return None


def _network(ref, spec, model, options, **kw) -> Network:
    from cnnviz.core.probe import pretrained_weights, preprocess_for

    model.eval()
    published = pretrained_weights(spec.name) if spec.source != "file" else None
    return Network(ref, spec, model, preprocess_for(spec.input_shape), dict(options or {}),
                   published=published, filters=_filters(model), **kw)


def build_network(ref: str, options: dict | None = None) -> Network:
    """A fresh CPU model of ``ref`` with random weights (the same ones each time: seed 0)."""
    from cnnviz.core.lazy_torch import import_torch

    torch = import_torch()  # often the first use: loaded without freezing the window

    from cnnviz.core.zoo import resolve

    spec = resolve(ref)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = spec.build(**(options or {}))
    return _network(ref, spec, model, options)


LAB_LABEL = "Trained in the training lab"


@dataclass(frozen=True)
class LabModel:
    """A model sent from the training lab: a CPU copy of its weights and what describes it."""

    model: Any  # torch.nn.Module on the CPU, owned by the panel
    ref: str
    options: dict
    label: str
    class_names: tuple[str, ...]
    mean: tuple[float, ...] = ()  # the normalisation it was trained with, when known
    std: tuple[float, ...] = ()
    image_size: int | None = None  # the side of the pictures it was trained on, when known
    channels: int | None = None
    data_size: int | None = None  # its data set's own side, when the lab padded it to size


def adopt_model(model, ref: str, options: dict | None = None, label: str | None = None,
                class_names=None, mean=(), std=(), image_size: int | None = None,
                channels: int | None = None, data_size: int | None = None) -> Network:
    """A Network around ``model``, a CPU copy (see :func:`cnnviz.core.probe.cpu_copy`) of a
    network trained elsewhere as architecture ``ref`` built with ``options``.

    ``class_names`` name its outputs (the lab's data set); without them the classes are
    numbered, never given ImageNet's names.  ``mean`` and ``std`` (one per input channel)
    replace the catalog's normalisation: a picture must reach the model as its training
    images did.  With ``image_size`` or ``channels`` (the run's input) a picture is fed the
    way the lab fed it (:func:`cnnviz.core.probe.lab_preprocess`, framed in black like the
    lab's padded ``data_size`` pictures); a missing one is the catalog's.  Raises :class:`~cnnviz.core.errors.WeightsError` when ``model`` is not that
    architecture or does not read ``channels`` channels.
    """
    from cnnviz.core.probe import check_architecture, check_channels, lab_preprocess
    from cnnviz.core.zoo import resolve

    spec = resolve(ref)
    options = dict(options or {})
    check_architecture(model, spec, options)
    net = _network(ref, spec, model, options, weights="lab",
                   weights_label=label or LAB_LABEL, categories=tuple(class_names or ()))
    if image_size or channels:
        catalog_channels, catalog_size = spec.input_shape[0], spec.input_shape[-1]
        check_channels(model, channels or catalog_channels)
        prep = lab_preprocess(image_size or catalog_size, channels or catalog_channels,
                              mean, std, data_size=data_size or 0)
        net = dataclasses.replace(net, prep=prep, trained_input=True)
    elif mean and std and len(mean) == len(std) == net.prep.channels:
        net = dataclasses.replace(net, prep=dataclasses.replace(
            net.prep, mean=tuple(mean), std=tuple(std)))
    # ImageNet's weights belong to the catalog's network (1000 classes), not to this model
    # of the lab's classes: the way to them is back to the catalog, not into this copy.
    return dataclasses.replace(net, published=None)


def with_weights_file(network: Network, path, categories: tuple[str, ...] = (),
                      kind: str = "file", label: str | None = None) -> Network:
    """A new Network whose model carries the weights in ``path``; the given one is unchanged.

    Raises :class:`~cnnviz.core.errors.WeightsError` when the file does not fit.
    """
    from pathlib import Path

    from cnnviz.core.probe import load_weights_file

    model = load_weights_file(copy.deepcopy(network.model), path)
    return _network(network.ref, network.spec, model, network.options, weights=kind,
                    weights_label=label or f"Weights from {Path(path).name}",
                    categories=tuple(categories))


def with_random_weights(network: Network) -> Network:
    return build_network(network.ref, network.options)


def _squashing_layers(model) -> set[str]:
    from torch import nn

    kinds = (nn.Tanh, nn.Sigmoid, nn.Hardtanh, nn.Hardsigmoid, nn.Softsign)
    return {name for name, m in model.named_modules() if isinstance(m, kinds)}


def probe_image(network: Network, image: np.ndarray) -> ImageProbe:
    """Run ``image`` through ``network`` once and keep every layer's output."""
    from cnnviz.core.probe import activation_stats, capture_activations, top_k

    prep = network.prep
    seen = prep.crop_image(image)
    acts = capture_activations(network.model, prep.to_tensor(seen))
    layers = acts.spatial_layers()
    squashing = _squashing_layers(network.model)
    stats = {}
    for row in activation_stats(acts):
        if row.name in layers:
            # Saturation means something only after a squashing function; an average pool
            # whose values happen to lie in [0, 1] is not saturated.
            keep = row.name in squashing
            stats[row.name] = row if keep else dataclasses.replace(row, saturated_fraction=0.0)
    predictions = top_k(acts.logits, network.categories, 5) if acts.logits is not None else []
    if prep.weights_of_grey is not None:  # show the grey levels the network reads
        grey = prep.to_tensor(seen)[0, 0].numpy() * prep.std[0] + prep.mean[0]
        seen = np.repeat((np.clip(grey, 0, 1) * 255).round().astype(np.uint8)[..., None], 3, 2)
    return ImageProbe(network, image, seen, acts, stats, layers, predictions)


def inspect_network(network: Network):
    """The engine's report for ``network`` (for receptive fields), built without weights
    from the architecture and options the network was built with, at the size it is fed."""
    from cnnviz.core.inspect import inspect_model

    classes = len(network.categories) if network.weights == "lab" and network.categories \
        else None
    return inspect_model(network.ref, network.input_shape, num_classes=classes,
                         options=network.options or None)


def ten_crop(network: Network, image: np.ndarray):
    """``(single-crop top-5, ten-crop averaged top-5, the ten crops)``."""
    from cnnviz.core.probe import ten_crop_predict

    return ten_crop_predict(network.model, image, network.prep,
                              network.categories, 5)


def invariance(network: Network, image: np.ndarray, pipeline: Pipeline, count: int, seed: int,
               picture: str | None = None):
    """``(top-3 of the untouched image, [(augmented sample, its top-3), ...])``; the samples
    are drawn for ``picture`` (its file name) as the studio draws them."""
    from cnnviz.core.probe import invariance_check, predict

    base = predict(network.model, image, network.prep, network.categories, 3)
    rows = invariance_check(network.model, image, pipeline, count, seed,
                            network.prep, network.categories, 3, picture=picture)
    return base, rows
