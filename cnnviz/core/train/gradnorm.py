"""Per-layer gradient norms of any ``nn.Module``, measured cheaply enough to take every step.

Usage in your own training script::

    from cnnviz.core.train import GradNormRecorder

    recorder = GradNormRecorder(model, run_dir="runs/my-run")   # run_dir is optional
    for step, (x, y) in enumerate(loader, start=1):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        norms = recorder.record(step, loss=loss.item())   # numpy, one value per layer
        optimizer.step()
    recorder.close()

``recorder.layer_names`` gives the axis of ``norms``.  With mixed precision and a
``GradScaler``, call ``scaler.unscale_(optimizer)`` before ``record`` so the norms are those
of the true gradients.  With ``run_dir`` the recorder writes a run
folder (``run.json``, ``scalars.csv``, ``grad_norms.csv``) that ``cnnviz runs`` and the Train
workspace open, live while the script is still running.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from cnnviz.core.forward_lock import FORWARD_LOCK

LayerSelection = Literal["weighted", "all"]

# Per-parameter state, used as a cache key for the index plan of one step.
_FROZEN, _NO_GRAD, _HAS_GRAD = 0, 1, 2


def parameterised_layers(
    model: nn.Module, layers: LayerSelection = "weighted"
) -> list[tuple[str, nn.Module, list[nn.Parameter]]]:
    """Modules that own parameters directly, in registration order, with qualified names.

    ``"weighted"`` keeps the layers that hold a matrix or kernel (a parameter with two or more
    dimensions: convolutions, linear layers, embeddings), which is what "depth" counts in
    "plain-20"; ``"all"`` also keeps normalisation layers and other 1-D parameters.  A weight
    shared by two modules is counted once, at the first module that registers it.
    """
    seen: set[int] = set()
    found = []
    for name, module in model.named_modules():
        params = [p for p in module.parameters(recurse=False) if id(p) not in seen]
        if not params:
            continue
        if layers == "weighted" and not any(p.dim() >= 2 for p in params):
            continue
        seen.update(id(p) for p in params)
        found.append((name or "(model)", module, params))
    return found


class GradNormRecorder:
    """Measures the L2 gradient norm of every parameterised layer after each backward.

    Layer order is *forward* order: the recorder hooks each layer once and notes when it first
    runs, then removes the hooks after the model's first forward pass.  Registration order is
    not the order data flows in (torchvision's ResNet registers a block's shortcut after its
    second convolution; GoogLeNet registers its auxiliary heads between inception blocks), and
    the depth axis of a gradient plot must follow the data.  Layers that did not run in the
    first forward come last, in registration order.  Before any forward pass the order is
    registration order; call :meth:`trace` with an example input to fix it up front.

    All norms of one step are computed on the model's device in one batched operation
    (``torch._foreach_norm`` over the gradients, then one indexed sum per layer) and copied to
    the host
    once; nothing synchronises with the device until :meth:`record` (or ``.cpu()`` on the
    tensors of the ``*_tensor`` methods) asks for the numbers.  Frozen layers (no parameter
    requires grad) read NaN, never zero; a trainable layer that received no gradient reads 0.

    With ``run_dir`` the recorder writes a run folder through :class:`~cnnviz.core.train.runlog.RunLog`,
    created at the first :meth:`record` so that the layer order is known by then.
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        layers: LayerSelection = "weighted",
        run_dir: str | Path | None = None,
        name: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        if layers not in ("weighted", "all"):
            raise ValueError(f"layers must be 'weighted' or 'all', not {layers!r}")
        self.model = model
        self._layers = parameterised_layers(model, layers)
        if not self._layers:
            from cnnviz.core.errors import TrainingError

            raise TrainingError(
                f"{type(model).__name__} has no layers with trainable weights to measure."
            )
        self._order_known = False
        self._first_seen: list[int] = []
        self._hooks: list[Any] = []
        self._install_order_hooks()
        self._plans: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor, list[int]]] = {}
        self._before: list[torch.Tensor] | None = None
        self._copies: list[torch.Tensor] | None = None
        self._run_dir = Path(run_dir) if run_dir is not None else None
        self._name = name or type(model).__name__
        self._config = config
        self._log = None

    # -- layer order -------------------------------------------------------------------------

    def _install_order_hooks(self) -> None:
        for index, (_, module, _) in enumerate(self._layers):
            self._hooks.append(module.register_forward_pre_hook(self._seen_hook(index)))
        self._hooks.append(self.model.register_forward_hook(self._model_done_hook))

    def _seen_hook(self, index: int) -> Callable[..., None]:
        def hook(module: nn.Module, args: Any) -> None:
            if index not in self._first_seen:
                self._first_seen.append(index)

        return hook

    def _model_done_hook(self, module: nn.Module, args: Any, output: Any) -> None:
        seen = set(self._first_seen)
        order = self._first_seen + [i for i in range(len(self._layers)) if i not in seen]
        self._layers = [self._layers[i] for i in order]
        self._order_known = True
        self._plans.clear()
        self._remove_hooks()

    def _remove_hooks(self) -> None:
        for handle in self._hooks:
            handle.remove()
        self._hooks.clear()

    def trace(self, *example_inputs: Any) -> None:
        """Fix the layer order now by running one forward pass without gradients.

        The model runs in eval mode (so batch-norm statistics are untouched) and returns to
        its previous mode afterwards.
        """
        if self._order_known:
            return
        was_training = self.model.training
        self.model.eval()
        try:
            with FORWARD_LOCK, torch.no_grad():
                self.model(*example_inputs)
        finally:
            self.model.train(was_training)

    @property
    def order_known(self) -> bool:
        """True once a forward pass has fixed the forward order of the layers."""
        return self._order_known

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Qualified module names of the measured layers, in forward order."""
        return tuple(name for name, _, _ in self._layers)

    @property
    def frozen(self) -> tuple[bool, ...]:
        """For each layer, True when none of its parameters requires grad."""
        return tuple(not any(p.requires_grad for p in params) for _, _, params in self._layers)

    # -- computing ---------------------------------------------------------------------------

    def _params(self) -> list[nn.Parameter]:
        return [p for _, _, params in self._layers for p in params]

    def _plan(self, states: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
        """For one pattern of parameter states: each measured parameter's layer, the
        per-layer starting sums (NaN for frozen layers, else 0) and the measured parameters."""
        plan = self._plans.get(states)
        if plan is None:
            device = self._params()[0].device
            rows, picked = [], []
            flat = 0
            for layer, (_, _, params) in enumerate(self._layers):
                for _ in params:
                    if states[flat] == _HAS_GRAD:
                        rows.append(layer)
                        picked.append(flat)
                    flat += 1
            start = torch.tensor([math.nan if f else 0.0 for f in self.frozen])
            plan = (torch.tensor(rows, dtype=torch.long).to(device), start.to(device), picked)
            self._plans[states] = plan
        return plan

    @staticmethod
    def _layer_norms(tensors: Sequence[torch.Tensor], rows: torch.Tensor,
                     start: torch.Tensor) -> torch.Tensor:
        """Per-layer L2 norms from per-parameter tensors: the square root of each layer's sum
        of squared parameter norms.  A handful of kernel launches whatever the depth (on a GPU
        the launches, not the arithmetic, are what a step pays for); an infinite or NaN norm
        stays in its own layer."""
        sums = start.clone()
        if tensors:
            norms = torch.stack(torch._foreach_norm(list(tensors))).float()
            sums.index_add_(0, rows, norms * norms)
        return sums.sqrt_()

    def grad_norms_tensor(self) -> torch.Tensor:
        """This step's per-layer gradient norms as a float32 tensor on the model's device.

        Call after ``backward()`` and before ``optimizer.zero_grad()``.  Does not synchronise.
        """
        params = self._params()
        states = tuple(
            _FROZEN if not p.requires_grad else (_NO_GRAD if p.grad is None else _HAS_GRAD)
            for p in params
        )
        rows, start, picked = self._plan(states)
        grads = [params[i].grad for i in picked]
        return self._layer_norms(grads, rows, start)

    def snapshot_weights(self) -> None:
        """Keep a copy of the weights so :meth:`weight_stats_tensor` can measure the update.

        Call just before ``optimizer.step()``.
        """
        params = [p.detach() for p in self._params()]
        with torch.no_grad():
            if self._copies is None or any(c.shape != p.shape or c.device != p.device
                                           for c, p in zip(self._copies, params)):
                self._copies = [torch.empty_like(p) for p in params]
            # One batched copy into buffers kept between steps, not a clone per parameter:
            # on a GPU each clone is a kernel launch and an allocation.
            torch._foreach_copy_(self._copies, params)
        self._before = self._copies

    def weight_stats_tensor(self) -> torch.Tensor:
        """Per-layer weight norms and update-to-weight ratios, shape (2, layers), on device.

        Row 0 is each layer's weight norm now; row 1 is ``||W_after - W_before|| /
        ||W_before||`` for the update since :meth:`snapshot_weights` (NaN without a snapshot).
        Frozen layers read NaN in both rows.
        """
        params = [p.detach() for p in self._params()]
        states = tuple(_HAS_GRAD if p.requires_grad else _FROZEN for p in self._params())
        rows, start, picked = self._plan(states)
        chosen = [params[i] for i in picked]
        weights = self._layer_norms(chosen, rows, start)
        if self._before is None:
            ratios = torch.full_like(weights, float("nan"))
        else:
            before = [self._before[i] for i in picked]
            with torch.no_grad():
                change = self._layer_norms(torch._foreach_sub(chosen, before), rows, start)
                ratios = change / self._layer_norms(before, rows, start)
            self._before = None
        return torch.stack([weights, ratios])

    def record(
        self,
        step: int,
        *,
        loss: float | None = None,
        accuracy: float | None = None,
        lr: float | None = None,
        epoch: int | None = None,
    ) -> np.ndarray:
        """Measure this step's gradient norms, copy them to the host, and log them.

        Returns a float64 array indexed like :attr:`layer_names`.  With ``run_dir`` a row is
        appended to ``grad_norms.csv`` and ``scalars.csv`` (and flushed) under ``step``.
        """
        norms = self.grad_norms_tensor().cpu().numpy().astype(np.float64)
        if self._run_dir is not None:
            self._run_log().log_row(
                self._name, step, norms, loss=loss, accuracy=accuracy, lr=lr, epoch=epoch
            )
        return norms

    def _run_log(self):
        if self._log is None:
            from cnnviz.core.train.runlog import RunLog

            self._log = RunLog.for_recorder(
                self._run_dir, self._name, type(self.model).__name__, self.layer_names,
                self.frozen, self.model, config=self._config,
            )
        return self._log

    def close(self) -> None:
        """Remove any hooks left and mark the run folder finished."""
        self._remove_hooks()
        if self._log is not None:
            self._log.close_finished()
            self._log = None

    def __enter__(self) -> GradNormRecorder:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
