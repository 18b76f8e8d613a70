"""A rough first estimate of a run's length, before any run of its models was measured.

A run's work is its models' multiply-adds per image (as the explorer counts them,
:func:`model_macs`, at the size the run feeds them) times the images it trains on, three
times over (a forward pass and a backward pass of two), plus the held-out images it
validates at each epoch's end, once over (:mod:`~cnnviz.ui.train.work_plan`).  Divided by
what this computer does per second, it gives the "Roughly 5 min" a class wants to see before
pressing Start.

The speed is measured the way a run spends it: :func:`measure_throughput` times training
steps (forward, backward, batch norm and ReLU) of a small stack of convolutions shaped like a
CIFAR network's, with the training thread's number of threads, and takes their median.
Timing the fastest forward pass of one convolution instead missed by a factor of two to four,
long or short with the computer's load: one convolution's speed says little about the
backward passes, batch norms and small layers of these networks, and validation was left
out.  ``benchmarks/bench_first_guess.py`` compares the guess with a real short run.

The speed, each model's multiply-adds and an image folder's size are worked out off the GUI
thread (:class:`FirstGuessWorker`) and kept (the speed is measured again in each session).  A
measured run (:mod:`~cnnviz.ui.train.estimate`) replaces the guess.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from cnnviz.core.forward_lock import FORWARD_LOCK
from cnnviz.core.train.records import ModelConfig, RunConfig
from cnnviz.ui import settings
from cnnviz.ui.train.work_plan import count_folder, work_plan
from cnnviz.ui.widgets.tasks import TaskRunner

#: A training step costs about three forward passes: the forward, and a backward of two.
PASSES = 3

MacsKey = tuple


def macs_key(model: ModelConfig, config: RunConfig) -> MacsKey:
    """What a model's multiply-adds depend on: its architecture and switches, the input size
    and channels (None where the run feeds every model the first model's input, as it does
    unless told), the number of classes, and the first model's architecture."""
    return (model.arch, tuple(sorted(model.options.items())), config.image_size,
            config.channels, config.num_classes, config.models[0].arch)


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

    arch, options, side, channels, classes, first = key
    if side is None or channels is None:  # the run feeds the first model's input
        fed = resolve_spec(first).input_shape
        channels, side = channels or fed[0], side or fed[1]
    spec = resolve_spec(arch)
    known = {k: v for k, v in options if k in spec.options}
    model = build_on(spec, "meta", classes, known)
    example = torch.empty((1, channels, side, side), device="meta")
    with FORWARD_LOCK, torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(example)
    return int(counter.get_total_flops() // 2)  # a multiply-add is two flops


def measure_throughput(seconds: float = 0.3) -> float:
    """Training multiply-adds per second this computer does (forward and backward counted
    as :data:`PASSES` forward passes): the median of training steps of three 3x3,
    16-channel convolutions with batch norm and ReLU on sixteen 32 × 32 maps, timed for
    about ``seconds``."""
    from cnnviz.core.lazy_torch import import_torch
    from cnnviz.ui.train.worker import leave_a_core_for_the_window

    torch = import_torch()
    # Timed with the threads a run gets: the training thread leaves a core to the window.
    leave_a_core_for_the_window()
    functional = torch.nn.functional
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(16, 16, 32, 32, generator=generator)
    weights = [torch.randn(16, 16, 3, 3, generator=generator).requires_grad_()
               for _ in range(3)]
    macs = PASSES * len(weights) * 16 * 16 * 16 * 9 * 32 * 32

    def step() -> None:
        # Plain functions, not modules: a torch.fx trace on another thread swaps every
        # module's __call__, never torch's functions; and holding the forward lock this long
        # would hold up a run's step.
        h = x
        for weight in weights:
            h = functional.relu(functional.batch_norm(
                functional.conv2d(h, weight, padding=1), None, None, training=True))
        h.square().mean().backward()
        for weight in weights:
            weight.grad = None

    step()  # the first step pays for setting up
    times: list[float] = []
    began = time.perf_counter()
    while time.perf_counter() - began < seconds or len(times) < 3:
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    # The median: a run's minutes meet the computer's other work as a typical step does.
    return macs / max(statistics.median(times), 1e-9)


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


def _store(what: str, value, table: str = "macs") -> None:
    stored = _stored()
    if what == "throughput":
        stored["throughput"] = value
    else:
        rows = stored.get(table) if isinstance(stored.get(table), dict) else {}
        rows.pop(what, None)
        rows[what] = value
        stored[table] = dict(list(rows.items())[-KEEP:])
    settings.write(KEY, json.dumps(stored))


def remember_throughput(value: float) -> None:
    _store("throughput", float(value))


def remember_macs(key: MacsKey, macs: int) -> None:
    _store(json.dumps(key), int(macs))


def remember_folder_images(folder: str, count: int) -> None:
    _store(folder, int(count), table="folders")


def missing(config: RunConfig) -> list[MacsKey]:
    """The keys of ``config``'s models whose multiply-adds are not known yet."""
    return [k for k in dict.fromkeys(macs_key(m, config) for m in config.models)
            if known_macs(k) is None]


def folder_key(config: RunConfig) -> str | None:
    """The image folder ``config`` trains on, as its count is kept (None for other data)."""
    if config.dataset != "folder" or not config.data_dir:
        return None
    return str(Path(config.data_dir).expanduser())


def known_folder_images(config: RunConfig) -> int | None:
    """The images in ``config``'s image folder, once counted this session."""
    key = folder_key(config)
    folders = _stored().get("folders", {})
    value = _number(folders.get(key)) if key and isinstance(folders, dict) else None
    return None if value is None else int(value)


def guess_seconds(config: RunConfig) -> float | None:
    """The first guess for a run of ``config``, or None while a part of it (the computer's
    speed, a model's multiply-adds, the size of an image folder) is not known."""
    speed = throughput()
    plan = work_plan(config, known_folder_images(config))
    if speed is None or plan is None:
        return None
    macs = [known_macs(macs_key(m, config)) for m in config.models]
    if any(m is None for m in macs):
        return None
    return sum(macs) * (PASSES * plan.trained + plan.validated) / speed


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
        """Work out the multiply-adds of ``config``'s models not known yet, and count its
        image folder (once a session: a folder's pictures come and go)."""
        folder = folder_key(config)
        if folder is not None and ("folder", folder) not in self._asked \
                and not self.runner.closed:
            self._asked.add(("folder", folder))
            self.runner.submit(count_folder, folder, key=f"folder-{folder}",
                               on_done=lambda count, f=folder: self._folder(f, count),
                               on_error=lambda _exc, _tb: None)
        for key in missing(config):
            if key not in self._asked and not self.runner.closed:
                self._asked.add(key)
                self.runner.submit(model_macs, key, key=f"macs-{key!r}",
                                   on_done=lambda macs, k=key: self._macs(k, macs),
                                   on_error=lambda _exc, _tb: None)

    def _speed(self, value: float) -> None:
        remember_throughput(value)
        self.changed.emit()

    def _folder(self, folder: str, count: int) -> None:
        if count > 0:
            remember_folder_images(folder, count)
            self.changed.emit()

    def _macs(self, key: MacsKey, macs: int) -> None:
        remember_macs(key, macs)
        self.changed.emit()

    def shutdown(self) -> None:
        self.runner.shutdown()
