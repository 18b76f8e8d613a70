"""A rough first estimate of a run's length, before any run of its models was measured.

A run's work is about its models' multiply-adds per image (as the explorer counts them,
:func:`model_macs`) times the images it trains on, three times over
(a forward and a backward pass).  Divided by what this computer does per second, measured
once by timing a small fixed convolution for about a tenth of a second, it gives the
"Roughly 5 min" a class wants to see before pressing Start.  Both the speed and each model's
multiply-adds are worked out off the GUI thread (:class:`FirstGuessWorker`) and kept in the
settings (the speed is measured again in each session).  A measured run
(:mod:`~cnnviz.ui.train.estimate`) replaces the guess.
"""

from __future__ import annotations

import json
import math
import time

from PySide6.QtCore import QObject, Signal

from cnnviz.core.forward_lock import FORWARD_LOCK
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui import settings
from cnnviz.ui.widgets.tasks import TaskRunner

#: A training step costs about three forward passes: the forward, and a backward of two.
PASSES = 3
#: The input a data set's images have when the run does not say (Shapes, CIFAR: 32x32 RGB).
DEFAULT_SIDE, DEFAULT_CHANNELS = 32, 3

MacsKey = tuple


def macs_key(model: ModelConfig, config: RunConfig) -> MacsKey:
    """What a model's multiply-adds depend on: its architecture and switches, the image size
    and channels, the number of classes."""
    return (model.arch, tuple(sorted(model.options.items())), config.image_size or DEFAULT_SIDE,
            config.channels or DEFAULT_CHANNELS, config.num_classes)


def model_macs(key: MacsKey) -> int:
    """Multiply-adds for one image through the model ``key`` names (slow: builds it and runs
    it; run it off the GUI thread).

    The model is built as the explorer builds it (:func:`cnnviz.core.inspect.build.build_on`,
    on the "meta" device: no weights) and its convolutions and matrix products are counted
    by torch's own flop counter, a mode of this thread alone.  The explorer's tracer would
    count the same, but it swaps every module's ``__call__`` for the whole process while it
    runs: a forward pass elsewhere at that moment fails."""
    from cnnviz.core.inspect.build import build_on, resolve_spec
    from cnnviz.core.lazy_torch import import_torch

    torch = import_torch()
    from torch.utils.flop_counter import FlopCounterMode

    arch, options, side, channels, classes = key
    spec = resolve_spec(arch)
    known = {k: v for k, v in options if k in spec.options}
    model = build_on(spec, "meta", classes, known)
    example = torch.empty((1, channels, side, side), device="meta")
    with FORWARD_LOCK, torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(example)
    return int(counter.get_total_flops() // 2)  # a multiply-add is two flops


def measure_throughput(seconds: float = 0.1) -> float:
    """Multiply-adds per second this computer does on a small fixed convolution (a 3x3,
    32-channel layer on four 32x32 maps): the fastest of its runs in about ``seconds``."""
    from cnnviz.core.lazy_torch import import_torch

    torch = import_torch()
    functional = torch.nn.functional
    x = torch.randn(4, 32, 32, 32)
    weight = torch.randn(32, 32, 3, 3)
    macs = 4 * 32 * 32 * 32 * 32 * 9
    # A plain function, not a module: a torch.fx trace on another thread swaps every
    # module's __call__, never torch's functions; and holding the forward lock for the
    # tenth of a second would hold up a run's step.
    with torch.no_grad():
        functional.conv2d(x, weight, padding=1)  # the first call pays for setting up
        fastest, began = math.inf, time.perf_counter()
        while time.perf_counter() - began < seconds or fastest == math.inf:
            start = time.perf_counter()
            functional.conv2d(x, weight, padding=1)
            # The fastest call: a busy moment of the computer's other work says little
            # about the hours of a run, and the guess should not change from one to the next.
            fastest = min(fastest, time.perf_counter() - start)
    return macs / max(fastest, 1e-9)


KEY = "train/first_guess"
#: How many models' multiply-adds are remembered (the most recent ones).
KEEP = 40


def _stored() -> dict:
    try:
        stored = json.loads(settings.read_str(KEY, "{}"))
    except ValueError:
        return {}
    return stored if isinstance(stored, dict) else {}


def _number(value) -> float | None:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and value > 0
    return float(value) if ok else None


def throughput() -> float | None:
    """This computer's multiply-adds a second, as last measured (None before)."""
    return _number(_stored().get("throughput"))


def known_macs(key: MacsKey) -> int | None:
    """The multiply-adds per image of the model ``key`` names, once worked out."""
    macs = _stored().get("macs", {})
    value = _number(macs.get(json.dumps(key))) if isinstance(macs, dict) else None
    return None if value is None else int(value)


def _store(what: str, value) -> None:
    stored = _stored()
    if what == "throughput":
        stored["throughput"] = value
    else:
        macs = stored.get("macs") if isinstance(stored.get("macs"), dict) else {}
        macs.pop(what, None)
        macs[what] = value
        stored["macs"] = dict(list(macs.items())[-KEEP:])
    settings.write(KEY, json.dumps(stored))


def remember_throughput(value: float) -> None:
    _store("throughput", float(value))


def remember_macs(key: MacsKey, macs: int) -> None:
    _store(json.dumps(key), int(macs))


def missing(config: RunConfig) -> list[MacsKey]:
    """The keys of ``config``'s models whose multiply-adds are not known yet."""
    return [k for k in dict.fromkeys(macs_key(m, config) for m in config.models)
            if known_macs(k) is None]


def guess_seconds(config: RunConfig, images: int | None) -> float | None:
    """The first guess for a run of ``config`` over ``images`` images, or None while a part
    of it (the computer's speed, a model's multiply-adds) is not known."""
    speed = throughput()
    if speed is None or images is None:
        return None
    macs = [known_macs(macs_key(m, config)) for m in config.models]
    if any(m is None for m in macs):
        return None
    return PASSES * sum(macs) * images / speed


class FirstGuessWorker(QObject):
    """Works out what the first guess needs on a worker thread and keeps it in the settings;
    ``changed`` when it learnt something."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(self)
        self._asked: set = set()

    def measure(self) -> None:
        """Time this computer, once in the worker's life (a session's)."""
        if "speed" not in self._asked and not self.runner.closed:
            self._asked.add("speed")
            self.runner.submit(measure_throughput, key="speed", on_done=self._speed,
                               on_error=lambda _exc, _tb: None)

    def request(self, config: RunConfig) -> None:
        """Work out the multiply-adds of ``config``'s models not known yet."""
        for key in missing(config):
            if key not in self._asked and not self.runner.closed:
                self._asked.add(key)
                self.runner.submit(model_macs, key, key=f"macs-{key!r}",
                                   on_done=lambda macs, k=key: self._macs(k, macs),
                                   on_error=lambda _exc, _tb: None)

    def _speed(self, value: float) -> None:
        remember_throughput(value)
        self.changed.emit()

    def _macs(self, key: MacsKey, macs: int) -> None:
        remember_macs(key, macs)
        self.changed.emit()

    def shutdown(self) -> None:
        self.runner.shutdown()
