"""Does the window stay responsive while the Train workspace trains?

A 10 ms QTimer runs on the GUI thread; each tick notes how late it fired.  The script measures
that lateness first with the workspace idle (the floor this machine gives), then during a short
twin run of real zoo models with live plots (``--repeat`` runs, each reported), and prints the
worst and the 99th-percentile stall against the 50 ms goal as ratios (below 1.0 meets the goal).
The start of each run (the worker importing torch and building the models, the window laying
out the plots) is reported on its own line and is not part of the goal's ratio.

For the longest stalls it also prints how much of the stall the GUI thread spent computing
(its own CPU time): a stall the GUI thread spent mostly waiting was the worker holding the GIL
or the operating system giving the core to another process, not the window's own work.
``--explain`` says where each of those stalls went: a thread samples every thread's Python
stack every 2 ms, and the script prints the frames most often seen during the stall (on the
GUI thread, or on the others when the GUI thread was waiting for the GIL).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_latency.py [--steps 40] [--arch plain20
        --compare resnet20] [--batch-size 16] [--image-size 32] [--device cpu] [--repeat 3]
        [--explain]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

GOAL_MS = 50.0
TICK_MS = 10


def _percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


class LatencyProbe:
    """Collects how late a 10 ms timer fires, in milliseconds, while active."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self.busy: list[float] = []  # the GUI thread's CPU milliseconds in each interval
        self.at: list[float] = []  # when each tick fired (perf_counter seconds)
        self._last = 0.0
        self._last_cpu = 0.0

    def start(self) -> None:
        self.late.clear()
        self.busy.clear()
        self.at.clear()
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.late)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.late.append(max(0.0, (now - self._last) * 1000.0 - TICK_MS))
        self.busy.append((cpu - self._last_cpu) * 1000.0)
        self.at.append(now)
        self._last, self._last_cpu = now, cpu

    def worst_stalls(self, count: int = 3) -> list[tuple[float, float, float]]:
        """(lateness, GUI-thread CPU ms during it, when it ended) of the ``count``
        latest-firing ticks."""
        order = sorted(range(len(self.late)), key=lambda i: -self.late[i])[:count]
        return [(self.late[i], self.busy[i], self.at[i]) for i in order]


def _where(frame, limit: int = 3) -> str:
    """The innermost frames of a stack that are the program's or pyqtgraph's, innermost
    first: "depth_plot.py:94 refresh < run_view.py:213 _refresh_depth"."""
    found = []
    while frame is not None and len(found) < limit:
        path = frame.f_code.co_filename
        if ("cnnviz" in path or "pyqtgraph" in path or "torch" in path) and \
                "benchmarks" not in path:
            found.append(f"{Path(path).name}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(found)


class StackSampler:
    """Samples every thread's Python stack every 2 ms on a daemon thread, for --explain."""

    def __init__(self) -> None:
        self.gui = threading.get_ident()
        self.samples: collections.deque = collections.deque(maxlen=100_000)
        self._running = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        own = threading.get_ident()
        while self._running:
            frames = sys._current_frames()  # noqa: SLF001 - the documented way to sample
            gui = _where(frames.get(self.gui))
            others = [_where(f) for ident, f in frames.items() if ident not in (own, self.gui)]
            self.samples.append((time.perf_counter(), gui, [o for o in others if o]))
            time.sleep(0.002)

    def stop(self) -> None:
        self._running = False

    def explain(self, start: float, end: float, count: int = 3) -> list[str]:
        """Lines saying where the time between ``start`` and ``end`` went."""
        gui, others, total = collections.Counter(), collections.Counter(), 0
        for at, where, elsewhere in list(self.samples):
            if start <= at <= end:
                total += 1
                gui[where or "(in Qt, or waiting for the GIL)"] += 1
                others.update(elsewhere)
        lines = [f"      GUI thread {n}/{total}: {w}" for w, n in gui.most_common(count)]
        lines += [f"      other threads {n}/{total}: {w}" for w, n in others.most_common(2)]
        return lines


def _report(name: str, late: list[float]) -> tuple[float, float]:
    worst, p99 = max(late, default=float("nan")), _percentile(late, 99)
    print(f"{name:28s} ticks {len(late):5d}   worst {worst:7.1f} ms   p99 {p99:6.1f} ms   "
          f"worst/goal {worst / GOAL_MS:5.2f}   p99/goal {p99 / GOAL_MS:5.2f}")
    return worst, p99


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="plain20")
    parser.add_argument("--compare", default="resnet20")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--idle-seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=1, help="training runs to measure")
    parser.add_argument("--explain", action="store_true",
                        help="say where the GUI thread was during the longest stalls")
    args = parser.parse_args(argv)
    sampler = StackSampler() if args.explain else None

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CNNVIZ_TESTING", "1")
    from PySide6.QtWidgets import QApplication

    from cnnviz.core.train.records import ModelConfig, RunConfig
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager
    from cnnviz.ui.train.workspace import TrainWorkspace

    app = make_application()
    theme_manager().apply()
    workspace = TrainWorkspace()
    workspace.resize(1400, 900)
    workspace.show()
    probe = LatencyProbe()
    # The window's first paint is not part of the idle floor: let it settle first.
    until = time.perf_counter() + 1.0
    while time.perf_counter() < until:
        app.processEvents()
        time.sleep(0.001)

    probe.start()
    until = time.perf_counter() + args.idle_seconds
    while time.perf_counter() < until:
        app.processEvents()
        time.sleep(0.001)
    idle = probe.stop()
    idle_stalls = probe.worst_stalls(1)

    config = RunConfig(
        models=(ModelConfig(args.arch), ModelConfig(args.compare)), steps=args.steps,
        batch_size=args.batch_size, image_size=args.image_size, train_size=1024, val_size=256,
        device=args.device, validate=False)
    load = os.getloadavg()[0]
    runs = []
    for _ in range(max(1, args.repeat)):
        result = _measure_run(app, workspace, probe, config)
        if result is None:
            print(workspace.banner.text.text(), file=sys.stderr)
            return 2
        runs.append(result)
    workspace.shutdown()
    QApplication.processEvents()

    print(f"GUI thread lateness of a {TICK_MS} ms timer; goal: no stall over {GOAL_MS:.0f} ms")
    print(f"load average before the runs: {load:.2f} on {os.cpu_count()} cores")
    _report("idle workspace", idle)
    if sampler is not None:
        _explain(sampler, idle_stalls)
    worst_all = 0.0
    for number, (starting, late, stalls, steps, elapsed) in enumerate(runs, 1):
        print(f"run {number}: {args.arch} vs {args.compare}, {steps} steps of batch "
              f"{args.batch_size} at {args.image_size}px on {args.device}, {elapsed:.1f} s "
              "with live plots")
        _report("  while starting (one-off)", starting)
        worst, _ = _report("  during training", late)
        worst_all = max(worst_all, worst)
        print("  longest stalls (GUI thread computing during them): " + ", ".join(
            f"{stall:.0f} ms ({busy:.0f} ms)" for stall, busy, _ in stalls))
        if sampler is not None:
            _explain(sampler, stalls)
    p99s = [_percentile(late, 99) for _, late, *_ in runs]
    print(f"ratio worst/goal = {worst_all / GOAL_MS:.2f}  "
          f"({'meets' if worst_all <= GOAL_MS else 'misses'} the goal); "
          f"p99/goal = {max(p99s) / GOAL_MS:.2f} (worst run)")
    return 0


def _explain(sampler: StackSampler, stalls) -> None:
    for stall, busy, at in stalls:
        print(f"    {stall:.0f} ms stall ({busy:.0f} ms computing):")
        for line in sampler.explain(at - (stall + TICK_MS) / 1000.0, at):
            print(line)


def _measure_run(app, workspace, probe: LatencyProbe, config):
    """One training run with the probe on: (lateness while starting, lateness while training,
    the worst training stalls, steps, seconds), or None when the run cannot start."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        probe.start()
        if not workspace.start(config=config, run_dir=Path(tmp) / "run"):
            probe.stop()
            return None
        # Until the first step the worker imports torch and builds the models, and the window
        # lays out the plots: one-off stalls, reported on their own line.
        while workspace.running and workspace._step == 0:
            app.processEvents()
            time.sleep(0.001)
        starting = probe.stop()
        probe.start()
        while workspace.running:
            app.processEvents()
            time.sleep(0.001)
        late = probe.stop()
        stalls = probe.worst_stalls()
        return (starting, late, stalls, workspace.run.last_step,
                time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
