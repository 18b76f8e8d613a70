"""What the Train workspace plots, held in growing numpy buffers (no Qt here).

Training records and rows read from a run folder both land in a :class:`RunSeries`: one
:class:`ModelSeries` per model, each a set of preallocated arrays that double when full, so
appending a step is O(1) and the plot timer can hand views (``x[:n]``) to pyqtgraph without
copying the history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cnnviz.core.train.runreader import first_to_last_ratio
from cnnviz.ui.train.names import train_name
from cnnviz.ui.train.ratio_words import NO_GRADIENT, comparison, ratio_said

_START = 256


class Growing:
    """A 1-D or 2-D float64 buffer that appends rows and doubles its capacity when full."""

    def __init__(self, width: int | None = None) -> None:
        self.width = width
        shape = (_START,) if width is None else (_START, width)
        self._data = np.full(shape, np.nan)
        self.size = 0

    def _reserve(self, needed: int) -> None:
        capacity = len(self._data)
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        bigger = np.full((capacity, *self._data.shape[1:]), np.nan)
        bigger[: self.size] = self._data[: self.size]
        self._data = bigger

    def append(self, value) -> None:
        self._reserve(self.size + 1)
        self._data[self.size] = value
        self.size += 1

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        self._reserve(self.size + len(values))
        self._data[self.size: self.size + len(values)] = values
        self.size += len(values)

    @property
    def view(self) -> np.ndarray:
        """The filled part (a view: do not keep it past the next append)."""
        return self._data[: self.size]


@dataclass
class ModelSeries:
    """One model's history: scalars per logged step and a (steps, layers) gradient table.

    ``frozen`` marks layers whose norms are NaN by design; ``stopped`` is the sentence of a
    model that stopped early (NaN loss, out of memory), ``None`` while it goes on.
    """

    name: str
    display_name: str
    layer_names: tuple[str, ...]
    frozen: tuple[bool, ...] = ()
    stopped: str | None = None
    steps: Growing = field(default_factory=Growing)
    loss: Growing = field(default_factory=Growing)
    accuracy: Growing = field(default_factory=Growing)
    grad_steps: Growing = field(default_factory=Growing)
    grads: Growing = field(init=False)
    epoch_steps: Growing = field(default_factory=Growing)
    val_loss: Growing = field(default_factory=Growing)
    val_accuracy: Growing = field(default_factory=Growing)

    def __post_init__(self) -> None:
        self.grads = Growing(len(self.layer_names))
        # Smallest and largest positive finite norm so far, kept as rows arrive so the
        # shared colour levels never rescan the whole history.
        self.norm_low = math.inf
        self.norm_high = -math.inf
        if not self.frozen:
            self.frozen = (False,) * len(self.layer_names)

    def __len__(self) -> int:
        return self.grad_steps.size

    @property
    def depth(self) -> int:
        return len(self.layer_names)

    def add_step(self, step: int, loss: float, accuracy: float, grads: np.ndarray) -> None:
        """One logged step of a live run."""
        self.add_scalars([step], [loss], [accuracy])
        self.add_grads([step], np.asarray(grads, dtype=np.float64)[None, :])

    def add_scalars(self, steps, loss, accuracy) -> None:
        """Scalar rows (a run folder's ``scalars.csv`` may run ahead of its gradients)."""
        self.steps.extend(steps)
        self.loss.extend(loss)
        self.accuracy.extend(accuracy)

    def add_grads(self, steps, grads: np.ndarray) -> None:
        """Rows of per-layer gradient norms, (rows, layers)."""
        grads = np.asarray(grads, dtype=np.float64)
        if grads.ndim != 2 or grads.shape[1] != self.depth:
            return  # a folder whose columns do not match its run.json; nothing sane to show
        self.grad_steps.extend(steps)
        self.grads.extend(grads)
        positive = grads[np.isfinite(grads) & (grads > 0)]
        if positive.size:
            self.norm_low = min(self.norm_low, float(positive.min()))
            self.norm_high = max(self.norm_high, float(positive.max()))

    def add_epoch(self, step: int, val_loss: float, val_accuracy: float) -> None:
        self.epoch_steps.append(step)
        self.val_loss.append(val_loss)
        self.val_accuracy.append(val_accuracy)

    def ratio(self, window: int = 10) -> float:
        """First-to-last-layer gradient ratio: the median over the last ``window`` steps.

        A single step's ratio jumps with its batch; the median of the last few tells the
        lesson without the noise.  NaN until a step with two finite layers arrives.
        """
        rows = self.grads.view[-window:]
        ratios = [first_to_last_ratio(row) for row in rows]
        ratios = [r for r in ratios if math.isfinite(r)]
        return float(np.median(ratios)) if ratios else math.nan


class RunSeries:
    """Every model of one run, in run order, plus where the run stands."""

    def __init__(self) -> None:
        self.models: dict[str, ModelSeries] = {}
        self.total_steps = 0
        self.title = ""
        self.status = "empty"
        self.message = ""

    def add_model(self, name: str, display_name: str, layer_names, frozen=()) -> ModelSeries:
        """A model of the run; ``display_name`` as the zoo or the run folder gives it (shown
        as Train names it, see :func:`~cnnviz.ui.train.names.train_name`)."""
        series = ModelSeries(name, train_name(display_name), tuple(layer_names),
                             tuple(frozen))
        self.models[name] = series
        return series

    def __iter__(self):
        return iter(self.models.values())

    def label(self, model: ModelSeries) -> str:
        """The model's display name, or its run name when two models share a display name
        (two copies of one architecture with different switches)."""
        shared = sum(m.display_name == model.display_name for m in self) > 1
        return model.name if shared or not model.display_name else model.display_name

    @property
    def last_step(self) -> int:
        return max((int(m.grad_steps.view[-1]) for m in self if len(m)), default=0)

    def norm_range(self) -> tuple[float, float] | None:
        """log10 of the smallest and largest positive gradient norm of all models (shared
        colour levels for the heat maps, so one colour means one value in every panel)."""
        lows = [m.norm_low for m in self if m.norm_low <= m.norm_high]
        highs = [m.norm_high for m in self if m.norm_low <= m.norm_high]
        if not lows:
            return None
        low, high = math.log10(min(lows)), math.log10(max(highs))
        if high - low < 1e-6:
            low, high = low - 0.5, high + 0.5
        return low, high


def ratio_sentence(series: RunSeries) -> str:
    """One sentence comparing each model's first-to-last-layer gradient ratio, in words a
    student reads aloud ("Plain-20: the first layer's gradient is about 41 million times
    smaller than the last layer's; ResNet-20: about 3 times smaller.");
    :func:`ratio_details` has the numbers."""
    parts, explained = [], False
    for model in series:
        ratio = model.ratio()
        if not math.isfinite(ratio):
            continue
        name = series.label(model)
        if ratio == 0:  # below what float32 can hold: the gradient has vanished
            parts.append(f"{name}: {NO_GRADIENT}")
        elif explained:
            parts.append(f"{name}: {comparison(ratio, full=False)}")
        else:
            parts.append(f"{name}: the first layer's gradient is {comparison(ratio)}")
            explained = True
    if not parts:
        return "The gradient ratio of each model appears after the first steps."
    return "; ".join(parts) + "."


def ratio_details(series: RunSeries) -> str:
    """The measured ratios behind :func:`ratio_sentence`, for its tooltip ("" before any)."""
    ratios = [(series.label(m), m.ratio()) for m in series]
    lines = [f"{name}: {ratio_said(r)}" for name, r in ratios if ratio_said(r)]
    if not lines:
        return ""
    return "\n".join([*lines, "The first layer's gradient norm divided by the last layer's, "
                       "median of the last 10 logged steps."])
