"""Does the window freeze when the Train workspace's first run starts?

The first run of a session is the one that needs plot panels (a depth plot and a heat map per
model, pyqtgraph widgets that take tens of milliseconds each to build and to paint the first
time); later runs reuse them.  This script measures the GUI thread's longest stall from
pressing Start to the first plotted step, with the 5 ms timer probe of
``bench_gui_latency.py`` (its lateness is the stall), in a fresh process per measurement, so
every measured run really is a first run.

Phases, each ``--repeat`` times (each in its own process):

* ``prebuilt``: the workspace as the program uses it: shown, left idle for ``--idle`` seconds
  (the window builds its panels ahead then, in short slices; the longest of those idle
  slices is reported too), then Start.
* ``on-start``, the peer: the same, with building ahead switched off, so the panels are built
  when the first record arrives, as a window does that builds nothing ahead.

Each process also starts a second run with the same models (the panels reused), the floor
the first run can hope for.  Two numbers per run: the *stall*, the probe's longest lateness
(it includes waiting: for the GIL, held by the worker thread building the models, or for a
CPU on a busy machine), and *busy*, the most CPU time the GUI thread itself spent between two
probe ticks: the window's own work, what building ahead removes.  Printed: both for every
run, the medians, and the ratios prebuilt/on-start and busy/goal (50 ms, the workspace's
responsiveness goal).  ``--explain`` says where each first run's longest stall went.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_train_start.py [--repeat 3]
        [--idle 3] [--arch plain20 --compare resnet20] [--phases prebuilt,on-start]
        [--explain]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MS = 50.0
PROBE_MS = 5


def _spin(app, seconds: float, until=None) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not (until is not None and until()):
        app.processEvents()
        time.sleep(0.001)


def _child(args) -> dict:
    """One fresh process: idle, first run, second run; the measurements as a dict."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CNNVIZ_TESTING", "1")
    os.environ["CNNVIZ_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="cnnviz-bench-settings-")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_gui_latency as latency

    # The probe reads its interval from the module; a 5 ms timer resolves shorter stalls.
    latency.TICK_MS = PROBE_MS
    import torch

    from cnnviz.core.train.records import ModelConfig, RunConfig
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager
    from cnnviz.ui.train.run_view import RunView
    from cnnviz.ui.train.workspace import TrainWorkspace

    torch.set_num_threads(1)
    if args.phase == "on-start":
        RunView.PREBUILD = 0
    app = make_application()
    theme_manager().apply()
    workspace = TrainWorkspace()
    workspace.resize(1280, 800)
    workspace.show()
    # The window's own first paint is not building ahead; let it happen before the probe.
    for _ in range(3):
        app.processEvents()
    probe = latency.LatencyProbe()
    sampler = latency.StackSampler() if args.explain else None
    probe.start()
    _spin(app, args.idle)
    idle = {"stall": max(probe.stop(), default=0.0), "busy": max(probe.busy, default=0.0)}

    config = RunConfig(
        models=(ModelConfig(args.arch), ModelConfig(args.compare)), steps=args.steps,
        batch_size=8, image_size=32, train_size=64, val_size=16, device="cpu",
        validate=False)
    runs = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            probe.start()
            started = time.perf_counter()
            if not workspace.start(config=config, run_dir=Path(tmp) / "run"):
                raise SystemExit(workspace.banner.text.text())
            _spin(app, 120, lambda: workspace._step > 0 and not workspace.view._pending)
            to_plot = time.perf_counter() - started
            late = probe.stop()
            (stall, busy, at), = probe.worst_stalls(1)
            where = sampler.explain(at - (stall + PROBE_MS) / 1000.0, at) if sampler else []
            _spin(app, 120, lambda: not workspace.running)
            runs.append({"stall": stall, "busy": busy, "to_plot": to_plot,
                         "max_busy": max(probe.busy, default=0.0),
                         "p99": latency._percentile(late, 99), "where": where})
    workspace.shutdown()
    return {"idle": idle, "first": runs[0], "second": runs[1]}


def _run_phase(phase: str, args) -> dict:
    command = [sys.executable, __file__, "--child", phase, "--idle", str(args.idle),
               "--arch", args.arch, "--compare", args.compare, "--steps", str(args.steps),
               *(["--explain"] if args.explain else [])]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{phase} failed:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--idle", type=float, default=3.0,
                        help="seconds the shown workspace waits before Start")
    parser.add_argument("--arch", default="plain20")
    parser.add_argument("--compare", default="resnet20")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--phases", default="prebuilt,on-start")
    parser.add_argument("--explain", action="store_true",
                        help="say where the GUI thread was during each first run's longest "
                             "stall (bench_gui_latency's stack sampler)")
    parser.add_argument("--child", dest="phase", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase is not None:
        print(json.dumps(_child(args)), flush=True)
        # Leave without tearing Qt down: the stack sampler's thread may hold the last
        # reference to a frame that holds a widget, and a widget destroyed on that thread at
        # exit deadlocks.  The measurements are out already.
        os._exit(0)

    phases = args.phases.split(",")
    results: dict[str, list[dict]] = {phase: [] for phase in phases}
    # Alternate the phases, so background load drifts over both alike.
    for _ in range(max(1, args.repeat)):
        for phase in phases:
            results[phase].append(_run_phase(phase, args))

    print(f"GUI thread from Start to the first plotted step ({PROBE_MS} ms probe), {args.arch} "
          f"vs {args.compare}, a fresh process each; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    print("  stall: the probe's longest lateness (waiting for the GIL or a CPU included);")
    print("  busy: the most CPU time the GUI thread itself spent between two probe ticks")
    medians = {}
    for phase, rows in results.items():
        for number, row in enumerate(rows, 1):
            first, second, idle = row["first"], row["second"], row["idle"]
            print(f"{phase:9s} #{number}: first run stall {first['stall']:6.1f} ms, busy "
                  f"{first['max_busy']:6.1f} ms ({first['to_plot']:4.1f} s to the first "
                  f"plot); second run stall {second['stall']:6.1f}, busy "
                  f"{second['max_busy']:6.1f}; idle before Start: stall {idle['stall']:6.1f}, "
                  f"busy {idle['busy']:6.1f}")
            for line in first["where"]:
                print(line)
        medians[phase] = {key: statistics.median(r["first"][key] for r in rows)
                          for key in ("stall", "max_busy")}
        print(f"{phase:9s} median first run: stall {medians[phase]['stall']:6.1f} ms, busy "
              f"{medians[phase]['max_busy']:6.1f} ms; busy/goal "
              f"{medians[phase]['max_busy'] / GOAL_MS:5.2f}")
    if "prebuilt" in medians and "on-start" in medians:
        ours, peer = medians["prebuilt"], medians["on-start"]
        print(f"ratio prebuilt/on-start: busy {ours['max_busy'] / peer['max_busy']:.2f}, "
              f"stall {ours['stall'] / peer['stall']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
