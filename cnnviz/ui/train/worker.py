"""Runs the training engine on a thread of its own and hands its records to the GUI thread.

The engine's generator runs entirely on the training thread (importing torch, loading the data
and building the models included, so the window never waits for them); each record crosses to
the GUI thread through a :class:`~cnnviz.ui.widgets.mailbox.Mailbox` and is emitted there as
:attr:`TrainingWorker.record`.  Pause, resume and
stop go through a :class:`~cnnviz.core.train.control.RunControl`, which is thread-safe;
:meth:`shutdown` asks for a stop and joins the thread, and the engine then writes its last
records, so the run folder is complete when it returns.

The worker builds the run's models itself and keeps them (:attr:`TrainingWorker.modules`), so
the workspace can hand a trained model to other views.  A model is only safe to read while the
engine is not training it: after the run, or while the engine is parked at a pause
(:attr:`TrainingWorker.parked` says when, and :meth:`TrainingWorker.hold` keeps it parked
while a copy is taken).
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from cnnviz.core.errors import CnnvizError, brief
from cnnviz.core.train.control import RunControl
from cnnviz.core.train.records import RunStarted
from cnnviz.ui.widgets.mailbox import Mailbox

# What the training thread posts: (kind, value).
_RECORD, _PARKED, _FAILED, _ENDED = "record", "parked", "failed", "ended"


def leave_a_core_for_the_window() -> None:
    """Keep torch's CPU thread pool off one core.

    With as many intra-op threads as cores, torch's threads (which spin between operations)
    take every core and the GUI thread waits its turn for hundreds of milliseconds: the
    window stutters exactly while the student is watching it.
    """
    import torch

    cores = os.cpu_count() or 1
    if cores > 1 and torch.get_num_threads() >= cores:
        torch.set_num_threads(cores - 1)


def _yield_to_the_window() -> None:
    """Give the training thread (and the torch threads it starts) a lower scheduling
    priority than the GUI thread: on a machine with few cores a timer on the GUI thread
    otherwise waits behind them, and the plots stutter.  Linux sets priorities per thread;
    elsewhere, or where it is not allowed, nothing changes."""
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except OSError:
            pass


class ParkingControl(RunControl):
    """A :class:`RunControl` that reports when the engine is parked at a pause, and can keep
    it parked.

    ``on_park(generation)`` is called on the engine's thread just before it waits at a pause;
    ``generation`` counts :meth:`pause` calls, so a late report of an earlier pause can be told
    from the current one.  While :meth:`hold` is in force the engine does not leave the
    checkpoint even if resumed or stopped: nothing touches the models until :meth:`release`.
    """

    def __init__(self, on_park) -> None:
        super().__init__()
        self._on_park = on_park
        self._hold = threading.Lock()
        self.generation = 0

    def pause(self) -> None:
        self.generation += 1
        super().pause()

    def checkpoint(self) -> bool:
        if self.paused:
            self._on_park(self.generation)
        stop = super().checkpoint()
        with self._hold:  # a copy of the models is being taken: wait for it
            pass
        return stop

    def hold(self) -> bool:
        """Keep the engine at its checkpoint; False if it cannot be held right now."""
        return self._hold.acquire(blocking=False)

    def release(self) -> None:
        self._hold.release()


class ModelsOnRequest(Mapping):
    """The run's models, each built from the zoo when the engine first asks for it.

    The engine seeds torch's generator right before it looks a model up and, without
    ``modules``, builds it at that very point; building here at the same moment draws the
    same random numbers, so the models start from the same weights and the random stream
    afterwards (dropout) is the same too: a run gives the same numbers either way.
    ``built`` holds the models made so far, by name.
    """

    def __init__(self, models, num_classes: int) -> None:
        self._configs = {m.label: m for m in models}
        self._num_classes = num_classes
        self.built: dict[str, object] = {}

    def __getitem__(self, name: str):
        if name not in self.built:
            from cnnviz.core.train.models import build_module

            self.built[name], _title = build_module(self._configs[name], self._num_classes)
        return self.built[name]

    def __contains__(self, name) -> bool:
        return name in self._configs  # without building it

    def __iter__(self) -> Iterator[str]:
        return iter(self._configs)

    def __len__(self) -> int:
        return len(self._configs)


def inputs_for(config, data=None):
    """``config`` with its image size and channels filled in, and the loaded data set: the
    choices the engine makes itself when it builds the models, made here because the
    workspace builds them (to keep them) and the engine cannot tell from ready modules."""
    from cnnviz.core.train.models import run_inputs

    channels, size, data = run_inputs(config, data)
    return config.replace(image_size=size, channels=channels), data


class TrainingWorker(QObject):
    """One training run on its own thread.  Create, connect, :meth:`start`; not reusable.

    ``modules`` and ``data`` are passed to the engine as they are (ready ``nn.Module`` objects
    by name and a loaded data split; tests and scripts use them to train tiny models).
    Without ``modules`` the worker builds the zoo models itself (see
    :class:`ModelsOnRequest`) and :attr:`modules` holds them once :attr:`record` has sent
    the run's first record.

    The training thread never calls Qt: it posts into a :class:`Mailbox`, and the signals
    below are emitted on the GUI thread, in the order the engine produced them.
    """

    record = Signal(object)   # each engine record, in order
    failed = Signal(str)      # a sentence: the run could not start, or broke unexpectedly
    parked = Signal(int)      # the engine waits at a pause (the pause's generation)
    finished = Signal()       # the thread has ended and everything it posted was delivered

    def __init__(self, config, run_dir: str | Path | None, *, modules=None, data=None,
                 parent=None) -> None:
        super().__init__(parent)
        self.config = config
        self.run_dir = run_dir
        self._mail = Mailbox(self._deliver, self)
        self.control = ParkingControl(lambda generation: self._mail.post((_PARKED, generation)))
        self.modules: Mapping = modules if modules is not None else {}
        self._given = modules
        self._data = data
        self._thread = threading.Thread(target=self._run, name="cnnviz-training", daemon=True)

    def start(self) -> None:
        self._mail.open()
        self._thread.start()

    def is_running(self) -> bool:
        """True while the training thread lives (its last posts may still be on the way)."""
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            from cnnviz.core.lazy_torch import import_torch

            import_torch()  # a first run may be torch's first use: keep the window moving
            from cnnviz.core.train.engine import train

            leave_a_core_for_the_window()
            _yield_to_the_window()
            transform = self._transform()
            config, data, modules = self.config, self._data, self._given
            if modules is None:
                config, data = inputs_for(config, data)
                modules = ModelsOnRequest(config.models, len(data.classes))
            self.modules = modules
            for item in train(config, control=self.control, transform=transform,
                              run_dir=self.run_dir, modules=modules, data=data):
                if isinstance(item, RunStarted):
                    # Everything made so far (torch, the models) lives as long as the run:
                    # exempt it from the collector, whose full passes hold the GIL for
                    # hundreds of milliseconds and freeze the window.
                    gc.freeze()
                self._mail.post((_RECORD, item))
        except CnnvizError as exc:
            self._mail.post((_FAILED, str(exc)))
        except Exception as exc:  # noqa: BLE001 - shown to the user instead of killing the thread
            self._mail.post((_FAILED, f"Training failed unexpectedly: {brief(exc)}."))
        finally:
            self._mail.post((_ENDED, None))

    def _deliver(self, item) -> None:
        kind, value = item
        if kind == _RECORD:
            self.record.emit(value)
        elif kind == _PARKED:
            self.parked.emit(value)
        elif kind == _FAILED:
            self.failed.emit(value)
        else:
            self._thread.join()  # it has posted its last item: only its return is left
            self._mail.close()
            self.finished.emit()

    def _transform(self):
        if not self.config.pipeline:
            return None
        from cnnviz.core.augment.pipeline import Pipeline

        return Pipeline.load(self.config.pipeline).to_torch_transform()

    # -- control, from the GUI thread ----------------------------------------------------------

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def stop(self) -> None:
        self.control.stop()

    @property
    def paused(self) -> bool:
        return self.control.paused

    def hold(self) -> bool:
        """Keep the engine parked (see :class:`ParkingControl`); pair with :meth:`release`."""
        return self.control.hold()

    def release(self) -> None:
        self.control.release()

    def shutdown(self, timeout_ms: int = 120_000) -> bool:
        """Stop at the next step and wait for the thread; True when it has ended.

        The wait is bounded by one training step (the engine checks for a stop between steps)
        plus the last records' writing; ``timeout_ms`` only guards against a step that never
        returns.  What the thread posted and was not yet delivered is dropped.
        """
        self.control.stop()
        if self._thread.is_alive():
            self._thread.join(timeout_ms / 1000)
        if self._thread.is_alive():
            return False
        self._mail.close()
        self._mail.discard()
        return True
