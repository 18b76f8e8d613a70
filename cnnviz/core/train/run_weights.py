"""The trained weights a run folder keeps, so a past run's models can be looked inside again.

When a model stops training (the run finished, was stopped or closed, or the model's loss
went NaN) the engine saves its ``state_dict`` as ``<run>/<model folder>/weights.pt`` and
records it in the model's ``run.json`` entry::

    "weights": {"file": "resnet20/weights.pt", "step": 300, "after": "completed"}

``step`` is the optimiser step the weights are from; ``after`` says how the model's training
ended ("completed", "stopped", "closed", "nan", "error", "out_of_memory").  Weights that are
not finite (a loss that blew up took them along) are not kept: ``file`` is then ``null``.
Folders written before weights were kept, or by a user's own script, have no ``weights``.

:func:`load_trained` rebuilds a model from the run's configuration and loads its weights;
it reads files and runs torch, so a window calls it on a worker thread.  Importing this
module does not import torch (run folders are read without it).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnviz.core.errors import CnnvizError, TrainingError, brief

if TYPE_CHECKING:
    from torch import nn

WEIGHTS_FILE = "weights.pt"

#: How a model's training ended, as ``after`` records it, in words for a sentence.
ENDINGS = {
    "completed": "at the end of the run",
    "stopped": "when the run was stopped",
    "closed": "when the run was closed",
    "nan": "when its loss became NaN",
    "error": "when it failed",
    "out_of_memory": "when the device ran out of memory",
}


@dataclass(frozen=True)
class SavedWeights:
    """One model's entry of saved weights: ``file`` relative to the run folder (``None``
    when they were not kept), the ``step`` they are from and how training ended."""

    file: str | None
    step: int
    after: str
    problem: str = ""  # why they could not be written, when that is why ``file`` is None

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> SavedWeights | None:
        """From a (checked) run.json model entry; ``None`` when it records no weights."""
        data = entry.get("weights")
        if not isinstance(data, dict):
            return None
        return cls(data.get("file"), int(data.get("step", 0)), str(data.get("after", "")),
                   str(data.get("problem", "")))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def checked_weights(data: Any) -> dict[str, Any] | None:
    """A run.json ``weights`` entry with the right types, or ``None`` when it is not one (a
    file outside the run folder counts as none)."""
    if not isinstance(data, dict):
        return None
    file, step = data.get("file"), data.get("step", 0)
    if file is not None and (not isinstance(file, str) or not file or Path(file).is_absolute()
                             or ".." in Path(file).parts):
        return None
    if not isinstance(step, int) or isinstance(step, bool):
        return None
    checked = {"file": file, "step": step, "after": str(data.get("after", ""))}
    if data.get("problem"):
        checked["problem"] = str(data["problem"])
    return checked


def is_finite(module: nn.Module) -> bool:
    """Whether every parameter and floating-point buffer of ``module`` is finite."""
    import torch

    tensors = [t for t in (*module.parameters(), *module.buffers()) if t.is_floating_point()]
    if not tensors:
        return True
    # One reduction per tensor on the device, one copy to the host.
    return bool(torch.stack([torch.isfinite(t).all() for t in tensors]).all())


def save_weights(run_dir: str | Path, folder: str, module: nn.Module) -> str:
    """Write ``module``'s state_dict (on the CPU) to ``<run_dir>/<folder>/weights.pt``
    atomically (a temporary file, then a rename: a reader never sees half a file) and
    return its path relative to ``run_dir``."""
    import torch

    target = Path(run_dir) / folder / WEIGHTS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", copy=True).contiguous()
             for k, v in module.state_dict().items()}
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        torch.save(state, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return f"{folder}/{WEIGHTS_FILE}"


def keep_weights(log: Any, name: str, module: nn.Module, step: int, after: str) -> SavedWeights:
    """Save model ``name``'s weights into the run folder of ``log`` (a
    :class:`~cnnviz.core.train.runlog.RunLog`) and record them in its run.json.

    Weights that are not finite are not written; a file that cannot be written is recorded
    with the reason, never raised: the run's log matters more than its weights.
    """
    saved = SavedWeights(None, step, after)
    try:
        if is_finite(module):
            saved = SavedWeights(save_weights(log.run_dir, log.folder_of(name), module), step,
                                 after)
    except (OSError, RuntimeError) as exc:
        saved = SavedWeights(None, step, after, brief(exc, 90))
    log.weights_saved(name, {k: v for k, v in saved.to_dict().items() if v != ""})
    return saved


def weights_sentence(display: str, saved: SavedWeights | None) -> str:
    """Why model ``display`` cannot be looked inside, going by its saved-weights entry; ""
    when it has weights to load."""
    if saved is None:
        return (f"This run kept no weights for {display} (it was saved by an older cnnviz "
                "or by your own script), so it cannot be looked inside.")
    if saved.file is None and saved.problem:
        return f"{display}'s weights could not be saved with the run ({saved.problem})."
    if saved.file is None:
        return (f"{display}'s weights became NaN or infinite by step {saved.step:,}, so none "
                "were kept to look inside.")
    return ""


def _entry(meta: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in meta.get("models", []):
        if entry.get("name") == name:
            return entry
    raise TrainingError(f"The run has no model called {name}.")


def load_trained(run_dir: str | Path, meta: dict[str, Any], name: str,
                 display: str | None = None) -> nn.Module:
    """Model ``name`` of the run folder ``run_dir`` (whose checked run.json is ``meta``),
    rebuilt from the run's configuration with its saved weights, on the CPU in eval mode.
    ``display`` is the model's name in the sentences (the zoo's display name by default).

    Raises :class:`TrainingError` with one sentence when the weights are missing, damaged,
    or the model cannot be rebuilt.
    """
    import torch

    from cnnviz.core.train.models import build_module
    from cnnviz.core.train.records import RunConfig

    run_dir = Path(run_dir)
    entry = _entry(meta, name)
    display = display or entry.get("display_name") or name
    saved = SavedWeights.from_entry(entry)
    why = weights_sentence(display, saved)
    if why:
        raise TrainingError(why)
    path = run_dir / saved.file
    if not run_dir.is_dir():
        raise TrainingError(f"This run was deleted or moved: {run_dir} no longer exists.")
    if not path.is_file():
        raise TrainingError(f"The weights of {display} are missing from the run folder "
                            f"(there is no {saved.file} in {run_dir}).")
    try:
        config = RunConfig.from_dict(meta.get("config") or {})
        model = next(m for m in config.models if m.label == name)
    except (StopIteration, TypeError, ValueError):
        raise TrainingError(f"The run.json in {run_dir} does not say how {display} was "
                            "built, so it cannot be rebuilt to look inside.") from None
    classes = meta.get("classes") or ()
    num_classes = len(classes) or config.num_classes or 10
    try:
        # The run's starting weights ("pretrained", a file) are not wanted: the saved ones
        # replace every tensor.
        module, _title = build_module(dataclasses.replace(model, weights=None), num_classes)
    except CnnvizError as exc:
        raise TrainingError(f"{display} cannot be rebuilt to look inside: {exc}") from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        module.load_state_dict(state)
    except Exception as exc:  # a truncated zip, a pickle error, tensors of the wrong shape
        raise TrainingError(f"The saved weights of {display} ({path}) are damaged and cannot "
                            f"be loaded ({brief(exc, 90)}).") from None
    return module.eval()
