"""Getting the models of a run ready: device, building, starting weights and freezing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from cnnviz.core.errors import CnnvizError, TrainingError, brief
from cnnviz.core.train.gradnorm import GradNormRecorder
from cnnviz.core.train.records import ModelConfig


def choose_device(name: str = "auto") -> torch.device:
    """``"auto"``: CUDA, then Apple MPS, then CPU.  Anything else must be usable here."""
    name = (name or "auto").strip().lower()
    cuda_ok = torch.cuda.is_available()
    mps_ok = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda_ok else "mps" if mps_ok else "cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise TrainingError(
            f"'{name}' is not a device; choose auto, cpu, cuda (or cuda:1...) or mps."
        ) from None
    if device.type == "cuda" and not cuda_ok:
        raise TrainingError("This computer has no CUDA GPU that PyTorch can use; choose the "
                            "device auto or cpu.")
    if device.type == "cuda" and device.index is not None and \
            device.index >= torch.cuda.device_count():
        raise TrainingError(f"There is no GPU number {device.index} here; this computer has "
                            f"{torch.cuda.device_count()}.")
    if device.type == "mps" and not mps_ok:
        raise TrainingError("Apple's MPS backend is not available here; choose auto or cpu.")
    if device.type not in ("cpu", "cuda", "mps"):
        raise TrainingError(f"Training on '{device.type}' is not supported; choose auto, cpu, "
                            "cuda or mps.")
    return device


@dataclass
class PreparedModel:
    """A model of the run, on its device, with what the engine needs to train and watch it."""

    config: ModelConfig
    name: str
    display_name: str
    module: nn.Module
    recorder: GradNormRecorder
    frozen_norm_layers: list[nn.Module]

    @property
    def num_params(self) -> int:
        return sum(p.numel() for p in self.module.parameters())

    @property
    def trainable_params(self) -> int:
        return sum(p.numel() for p in self.module.parameters() if p.requires_grad)


def zoo_title(arch: str) -> str | None:
    """The zoo's display name of ``arch`` ("Plain-20"), or None if it is no zoo name."""
    from cnnviz.core.zoo import resolve

    try:
        return resolve(arch).display_name if arch else None
    except CnnvizError:
        return None


def input_shape_of(arch: str) -> tuple[int, int, int]:
    """The (C, H, W) input a zoo architecture expects."""
    from cnnviz.core.zoo import resolve

    return tuple(resolve(arch).input_shape)  # type: ignore[return-value]


def run_inputs(config, data=None, *, from_zoo: bool = True):
    """``(channels, image_size, data)`` of a run: what its models are fed, and its data set
    (``data`` when given, else loaded for ``config``).

    ``config.image_size`` and ``config.channels`` win; otherwise, with ``from_zoo``, the
    first model's expected input decides (and the built-in shapes or a folder are made at
    that size); without it (ready modules of unknown kind) the data set's own size does.
    """
    from cnnviz.core.train.datasets import load_dataset

    shape = input_shape_of(config.models[0].arch) if from_zoo else None
    size = config.image_size or (shape[1] if shape else None)
    data = data or load_dataset(
        config.dataset, data_dir=config.data_dir, download=config.download,
        num_classes=config.num_classes,
        image_size=size if config.dataset in ("shapes", "folder") else None,
        train_size=config.train_size, val_size=config.val_size, seed=config.seed,
    )
    channels = config.channels or (shape[0] if shape else data.channels)
    return channels, size or data.image_size, data


def build_module(config: ModelConfig, num_classes: int) -> tuple[nn.Module, str]:
    """A fresh module for ``config`` from the zoo, with its starting weights, and its title."""
    from cnnviz.core.zoo import resolve

    spec = resolve(config.arch)
    module = spec.build(num_classes=num_classes, **config.options)
    if config.weights:
        load_weights(module, config.weights, spec)
    return module, spec.display_name


def _matching(module: nn.Module, state: dict[str, Any]) -> dict[str, torch.Tensor]:
    own = module.state_dict()
    return {k: v for k, v in state.items()
            if k in own and isinstance(v, torch.Tensor) and v.shape == own[k].shape}


def load_weights(module: nn.Module, weights: str, spec: Any = None) -> int:
    """Load starting weights into ``module``; returns how many tensors were taken.

    ``"pretrained"`` takes torchvision's default weights for the architecture (downloaded
    once into torch's cache); any other value is the path of a saved ``state_dict``.  Tensors
    whose shape differs (typically the classifier, when the number of classes changed) keep
    their fresh initialisation, which is what fine-tuning wants.
    """
    if weights == "pretrained":
        state = _torchvision_weights(spec)
    else:
        path = Path(weights)
        if not path.is_file():
            raise TrainingError(f"There is no weights file at {path}.")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # pickle errors, zip errors, wrong content
            raise TrainingError(f"{path.name} is not a PyTorch weights file "
                                f"({brief(exc)}).") from None
        if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
            state = state["state_dict"]
        if not isinstance(state, dict):
            raise TrainingError(f"{path.name} does not hold a state_dict.")
    matched = _matching(module, state)
    if not matched:
        raise TrainingError("None of the saved weights fit this model; check that they were "
                            "saved from the same architecture.")
    module.load_state_dict(matched, strict=False)
    return len(matched)


def _torchvision_weights(spec: Any) -> dict[str, torch.Tensor]:
    import torchvision

    name = getattr(spec, "name", "")
    if getattr(spec, "source", "") != "torchvision" and name not in torchvision.models.list_models():
        raise TrainingError(f"There are no pretrained weights for {name}; only torchvision "
                            "models have them.")
    try:
        weights = torchvision.models.get_model_weights(name).DEFAULT
        return weights.get_state_dict(progress=False)
    except (OSError, RuntimeError) as exc:
        raise TrainingError(f"Could not download the pretrained weights of {name}: this "
                            "computer seems to be offline.") from exc


def freezable_blocks(module: nn.Module) -> list[str]:
    """The top-level parts of ``module`` that hold parameters: the choices for freezing."""
    return [name for name, child in module.named_children()
            if any(True for _ in child.parameters())]


def freeze_until(module: nn.Module, block: str, forward_order: list[str]) -> list[nn.Module]:
    """Freeze every parameterised layer up to and including ``block`` in forward order.

    ``forward_order`` lists the qualified names of all parameterised layers (normalisation
    layers included) in forward order.  Returns the frozen layers that keep running
    statistics (batch norm): the engine holds those in eval mode so the statistics the
    pretrained weights rely on stay put.
    """
    modules = dict(module.named_modules())
    if block not in modules:
        choices = ", ".join(freezable_blocks(module)) or "none"
        raise TrainingError(f"The model has no part called '{block}' to freeze up to; "
                            f"choose one of: {choices}.")
    inside = [i for i, name in enumerate(forward_order)
              if name == block or name.startswith(block + ".")]
    if not inside:
        raise TrainingError(f"'{block}' has no weights to freeze.")
    stats_layers = []
    for name in forward_order[: max(inside) + 1]:
        layer = modules[name] if name != "(model)" else module
        for p in layer.parameters(recurse=False):
            p.requires_grad_(False)
        if getattr(layer, "track_running_stats", False):
            stats_layers.append(layer)
    if not any(p.requires_grad for p in module.parameters()):
        raise TrainingError(f"Freezing up to '{block}' leaves nothing to train; choose an "
                            "earlier part.")
    return stats_layers


def prepare_model(config: ModelConfig, module: nn.Module, display_name: str, *,
                  device: torch.device, example: torch.Tensor, channels_last: bool,
                  num_classes: int) -> PreparedModel:
    """Move ``module`` to ``device``, check it takes ``example``, freeze, attach a recorder."""
    module = module.to(device)
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    name = config.label
    frozen_norms: list[nn.Module] = []
    if config.freeze_until:
        order = GradNormRecorder(module, layers="all")
        _probe(order, module, example, display_name, num_classes)
        order.close()
        frozen_norms = freeze_until(module, config.freeze_until, list(order.layer_names))
    recorder = GradNormRecorder(module)
    _probe(recorder, module, example, display_name, num_classes)
    return PreparedModel(config, name, display_name, module, recorder, frozen_norms)


def model_output(output: Any) -> torch.Tensor:
    """The logits of a forward pass (auxiliary heads of e.g. GoogLeNet are ignored)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    logits = getattr(output, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    raise TrainingError("The model's forward() does not return a tensor of class scores.")


def _probe(recorder: GradNormRecorder, module: nn.Module, example: torch.Tensor,
           display_name: str, num_classes: int) -> None:
    """One forward pass that fixes the layer order and catches a model that cannot fit."""
    size = "x".join(str(d) for d in example.shape[1:])
    outputs: list[Any] = []
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():  # the recorder's hooks note the forward order on the way
            outputs.append(module(example))
    except CnnvizError:
        raise
    except Exception as exc:
        raise TrainingError(
            f"{display_name} cannot take {size} images ({str(exc).splitlines()[0][:160]}); "
            "choose a larger image size or another model."
        ) from exc
    finally:
        module.train(was_training)
    logits = model_output(outputs[0])
    if logits.dim() != 2 or logits.shape[1] != num_classes:
        raise TrainingError(
            f"{display_name} gives {tuple(logits.shape[1:])} outputs per image but the data "
            f"set has {num_classes} classes."
        )
