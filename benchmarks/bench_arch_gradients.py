"""How cheaply the explorer recolours its graph for a new step's gradient norms.

While a run trains, the Train workspace sends a :class:`GradientSnapshot` several times a
second; ``ArchitecturesWorkspace.update_gradients`` must recolour the graph without a relayout
or a re-inspection.  Measured on ResNet-152 (155 recorded layers), collapsed as it opens and
fully expanded (517 layers): one update plus a synchronous repaint of the graph, median of 30.

Peers, in the same process on the same graph: rebuilding the scene from the existing layout
(``GraphView.show_graph``, what redrawing per step would cost) and re-inspecting the network
(engine trace + layout, what re-selecting it would cost).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_arch_gradients.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CNNVIZ_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="cnnviz-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer_window import open_explorer  # noqa: E402 - beside this script

ARCH = "resnet152"


def recorded_layer_names(arch: str) -> tuple[str, ...]:
    """The names a GradNormRecorder gives ``arch``'s layers, traced on the meta device."""
    import torch

    from cnnviz.core.train import GradNormRecorder
    from cnnviz.core.zoo import resolve

    spec = resolve(arch)
    with torch.device("meta"):
        model = spec.build()
        recorder = GradNormRecorder(model)
        recorder.trace(torch.zeros(1, *spec.input_shape))
    recorder.close()
    return recorder.layer_names


def main() -> int:
    import numpy as np

    from cnnviz.core.train import GradientSnapshot

    app, window, arch, wait = open_explorer()
    from cnnviz.ui.arch import engine
    names = recorded_layer_names(ARCH)
    rng = np.random.default_rng(0)

    def snapshot(step: int) -> GradientSnapshot:
        norms = 10.0 ** rng.uniform(-5, 0, len(names))
        return GradientSnapshot(model=ARCH, arch=ARCH, options={}, layer_names=names,
                                norms=norms, step=step, run="bench")

    arch.show_gradients(snapshot(1))
    wait(lambda: arch.gradients.snapshot is not None and not arch.runner.busy)
    print(f"{ARCH}: {len(names)} recorded layers, {len(arch.report.layers)} graph layers")

    def timed(action, repeats: int) -> float:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            action()
            arch.graph.viewport().repaint()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    steps = iter(range(2, 10_000))
    results = {}
    for label, prepare in (("collapsed", arch.collapse_all), ("expanded", arch.expand_all)):
        prepare()
        app.processEvents()
        nodes = len(arch.graph.graph_scene.nodes)
        ours = timed(lambda: arch.update_gradients(snapshot(next(steps))), 30)
        rebuild = timed(lambda: arch.graph.show_graph(arch.report, arch.layout_data,
                                                      arch._frames(), "grad", fresh=False), 5)
        results[label] = (nodes, ours, rebuild)
        print(f"{label} ({nodes} nodes): recolour + repaint {ours * 1000:.1f} ms, "
              f"scene rebuild + repaint {rebuild * 1000:.1f} ms, "
              f"ratio {ours / rebuild:.3f}")

    inspect_runs = []
    for _ in range(2):
        t = time.perf_counter()
        engine.inspect(ARCH, None, None, None)
        inspect_runs.append(time.perf_counter() - t)
    reinspect = min(inspect_runs)
    ours = results["collapsed"][1]
    print(f"re-inspection (trace + layout): {reinspect * 1000:.0f} ms (best of 2); "
          f"ratio recolour / re-inspection {ours / reinspect:.4f}")
    print(f"updates per second the GUI thread could absorb (expanded): "
          f"{1.0 / results['expanded'][1]:.0f}")
    arch.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
