"""Does the window stay responsive while the Train workspace trains?

A 10 ms QTimer runs on the GUI thread; each tick notes how late it fired.  The script measures
that lateness first with the workspace idle, then during a short twin run of real zoo models
with live plots (``--repeat`` runs, each reported), and prints the worst and the
99th-percentile stall against the 50 ms goal as ratios (below 1.0 meets the goal).  The start
of each run (the worker building the models, the window laying out the plots) is reported on
its own line and is not part of the goal's ratio.

The idle phase includes the session's first import of torch and torchvision: the Setup form's
architecture check does it on a worker thread through :mod:`cnnviz.core.lazy_torch`.  The
script holds that import back until the window has painted and the timer runs, and the phase
lasts until the form has its answers, then ``--idle-seconds`` more.  Its peer is the same phase
with a plain ``import torch, torchvision`` on the worker (``--plain-import``);
``--compare-import`` runs both in fresh processes (``--repeat`` times each) and prints their
worst stalls and ratios.  ``--idle-only`` skips the training runs.

For the longest stalls it also prints how much of the stall the GUI thread spent computing
(its own CPU time): a stall the GUI thread spent mostly waiting was the worker holding the GIL
or the operating system giving the core to another process, not the window's own work.
``--explain`` says where each of those stalls went: a thread samples every thread's Python
stack every 2 ms, and the script prints the frames most often seen during the stall (on the
GUI thread, or on the others when the GUI thread was waiting for the GIL).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_latency.py [--steps 40] [--arch plain20
        --compare resnet20] [--batch-size 16] [--image-size 32] [--device cpu] [--repeat 3]
        [--explain] [--idle-only] [--plain-import | --compare-import]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
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
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        own = threading.get_ident()
        while self._running:
            frames = sys._current_frames()  # noqa: SLF001 - the documented way to sample
            gui = _where(frames.get(self.gui))
            others = [_where(f) for ident, f in frames.items() if ident not in (own, self.gui)]
            # Dropped at once: a frame held here past the end of main() would make this
            # thread the one that deletes the window, and Qt waits for the GUI thread then.
            del frames
            self.samples.append((time.perf_counter(), gui, [o for o in others if o]))
            time.sleep(0.002)

    def stop(self) -> None:
        """Stop sampling and wait for the sampling thread to end."""
        self._running = False
        self._thread.join()

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
    parser.add_argument("--idle-only", action="store_true", help="no training runs")
    parser.add_argument("--plain-import", action="store_true",
                        help="the peer: a plain import of torch on the worker, no preloading")
    parser.add_argument("--compare-import", action="store_true",
                        help="the idle phase with and without cnnviz's loader, in fresh "
                             "processes, --repeat times each")
    args = parser.parse_args(argv)
    if args.compare_import:
        return _compare_imports(args)
    sampler = StackSampler() if args.explain else None

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CNNVIZ_TESTING", "1")
    from PySide6.QtWidgets import QApplication

    from cnnviz.core.train.records import ModelConfig, RunConfig
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager
    from cnnviz.ui.train.workspace import TrainWorkspace

    from cnnviz.core import lazy_torch

    fresh = "torch" not in sys.modules
    if args.plain_import:
        _use_plain_import(lazy_torch)
    app = make_application()
    theme_manager().apply()
    probe = LatencyProbe()
    # The window's first paint is not part of the idle phase, but the first torch import is:
    # the form's check waits on the loader's lock until the timer runs.
    lazy_torch._lock.acquire()  # noqa: SLF001 - the benchmark's hold on the first import
    workspace = TrainWorkspace()
    workspace.resize(1400, 900)
    workspace.show()
    until = time.perf_counter() + 1.0
    while time.perf_counter() < until:
        app.processEvents()
        time.sleep(0.001)

    probe.start()
    lazy_torch._lock.release()  # noqa: SLF001
    imported = time.perf_counter()
    deadline = imported + 300.0
    while not _facts_known(workspace) and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    imported = time.perf_counter() - imported
    until = time.perf_counter() + args.idle_seconds
    while time.perf_counter() < until:
        app.processEvents()
        time.sleep(0.001)
    idle = probe.stop()
    idle_stalls = probe.worst_stalls(3 if args.explain else 1)
    idle_name = "idle workspace" + (
        f" (first import{', plain' if args.plain_import else ''}: {imported:.1f} s)"
        if fresh else "")
    if args.idle_only:
        workspace.shutdown()
        _report_idle(idle_name, idle, idle_stalls, sampler)
        if sampler is not None:
            sampler.stop()
        return 0

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

    _report_idle(idle_name, idle, idle_stalls, sampler)
    print(f"load average before the runs: {load:.2f} on {os.cpu_count()} cores")
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
    if sampler is not None:
        sampler.stop()
    p99s = [_percentile(late, 99) for _, late, *_ in runs]
    print(f"ratio worst/goal = {worst_all / GOAL_MS:.2f}  "
          f"({'meets' if worst_all <= GOAL_MS else 'misses'} the goal); "
          f"p99/goal = {max(p99s) / GOAL_MS:.2f} (worst run)")
    return 0


def _report_idle(name: str, late: list[float], stalls, sampler) -> None:
    print(f"GUI thread lateness of a {TICK_MS} ms timer; goal: no stall over {GOAL_MS:.0f} ms")
    worst, _ = _report(name, late)
    print(f"idle ratio worst/goal = {worst / GOAL_MS:.2f}  "
          f"({'meets' if worst <= GOAL_MS else 'misses'} the goal); load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if sampler is not None:
        _explain(sampler, stalls)


def _facts_known(workspace) -> bool:
    """Whether every model row of the Setup form has its architecture's answer."""
    rows = workspace.form.rows
    return bool(rows) and all(row.facts is not None for row in rows)


def _use_plain_import(lazy_torch) -> None:
    """The peer: the first import as it was before cnnviz's loader, a plain import on the
    worker with no libraries mapped ahead and the garbage collector left running."""

    def plain() -> None:
        import torch  # noqa: F401
        import torchvision  # noqa: F401

    lazy_torch.preload_libraries = lambda: []
    lazy_torch._import_without_collections = plain  # noqa: SLF001


def _compare_imports(args) -> int:
    """Run the idle phase in fresh processes, with the loader and with a plain import."""
    worst: dict[str, list[float]] = {"cnnviz loader": [], "plain import": []}
    for _ in range(max(1, args.repeat)):
        for name, extra in (("cnnviz loader", []), ("plain import", ["--plain-import"])):
            if args.explain:
                extra = [*extra, "--explain"]
            out = subprocess.run(
                [sys.executable, __file__, "--idle-only", "--idle-seconds",
                 str(args.idle_seconds), *extra], capture_output=True, text=True,
                timeout=600)
            found = re.search(r"idle ratio worst/goal = ([0-9.]+)", out.stdout)
            if out.returncode != 0 or found is None:
                print(out.stdout + out.stderr[-2000:], file=sys.stderr)
                return 2
            worst[name].append(float(found.group(1)) * GOAL_MS)
            print(f"{name:14s} first torch import, idle workspace: worst stall "
                  f"{worst[name][-1]:6.1f} ms  worst/goal {worst[name][-1] / GOAL_MS:5.2f}")
            for line in out.stdout.splitlines():
                if line.startswith("    "):  # --explain's lines
                    print(line)
    mine, peer = max(worst["cnnviz loader"]), max(worst["plain import"])
    print(f"worst of {len(worst['plain import'])}: cnnviz loader {mine:.1f} ms "
          f"(worst/goal {mine / GOAL_MS:.2f}), plain import {peer:.1f} ms "
          f"(worst/goal {peer / GOAL_MS:.2f}); loader/plain = {mine / peer:.2f}")
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
