"""How fast the Architectures workspace shows and zooms a big network.

1. Selection to painted graph: pick ResNet-152 in the catalog and wait for the graph view's
   first paint of it (engine on the worker, layout, scene build, paint), median of 3 runs.
2. Zoom sweep: frame times (synchronous repaints) over a 60-step zoom from "fit" to 2x, for
   ResNet-152 collapsed and fully expanded (517 layers) and GoogLeNet fully expanded.

Peer: torchview's ``draw_graph`` on the same ResNet-152 (what a student would otherwise run to
see the graph; it only builds the graphviz source, since rendering needs the ``dot`` binary,
so the peer's real time to a picture is longer than measured here).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_graph_view.py
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

from PySide6.QtCore import QEvent, QObject  # noqa: E402

from explorer_window import open_explorer  # noqa: E402 - beside this script


class PaintWatch(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted = 0

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted += 1
        return False


def main() -> int:
    app, window, arch, wait = open_explorer()
    watch = PaintWatch()
    arch.graph.viewport().installEventFilter(watch)

    def select_and_paint(ref: str) -> float:
        shown = []
        arch.report_shown.connect(shown.append)
        start = time.perf_counter()
        arch.catalog.select_ref(ref)
        wait(lambda: bool(shown))
        painted = watch.painted
        wait(lambda: watch.painted > painted)
        elapsed = time.perf_counter() - start
        arch.report_shown.disconnect(shown.append)
        return elapsed

    select_and_paint("lenet5")
    runs = []
    for _ in range(3):
        runs.append(select_and_paint("resnet152"))
        select_and_paint("lenet5")
    ours = statistics.median(runs)
    print(f"ResNet-152 selection -> painted graph: {ours * 1000:.0f} ms (median of 3)")

    def sweep(label: str) -> None:
        view = arch.graph
        view.fit_view()
        wait(lambda: view._anim.state() != view._anim.State.Running)
        start_zoom = view.zoom()
        times = []
        for i in range(60):
            view.zoom_to(start_zoom * (2.0 / start_zoom) ** (i / 59), animated=False)
            t = time.perf_counter()
            view.viewport().repaint()
            times.append(time.perf_counter() - t)
        times.sort()
        print(f"zoom sweep, {label}: {len(view.graph_scene.nodes)} nodes, frame median "
              f"{statistics.median(times) * 1000:.1f} ms, p95 {times[int(0.95 * len(times))] * 1000:.1f} ms")

    select_and_paint("resnet152")
    sweep("ResNet-152 collapsed")
    t = time.perf_counter()
    arch.expand_all()
    app.processEvents()
    print(f"ResNet-152 expand all (layout + scene): {(time.perf_counter() - t) * 1000:.0f} ms")
    sweep("ResNet-152 expanded")
    select_and_paint("googlenet")
    arch.expand_all()
    sweep("GoogLeNet expanded")
    arch.shutdown()

    import torch
    import torchvision
    from torchview import draw_graph

    peer_runs = []
    for _ in range(2):
        t = time.perf_counter()
        with torch.device("meta"):
            model = torchvision.models.resnet152()
        draw_graph(model, input_size=(1, 3, 224, 224), device="meta", expand_nested=True)
        peer_runs.append(time.perf_counter() - t)
    peer = min(peer_runs)
    print(f"torchview draw_graph(ResNet-152), graphviz source only: {peer * 1000:.0f} ms (best of 2)")
    print(f"ratio cnnviz selection->painted / torchview graph build: {ours / peer:.2f}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
