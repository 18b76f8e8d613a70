"""How long the graph view takes, on the GUI thread, to place the labels beside far boxes.

When the graph is zoomed out past the boxes' own text (see cnnviz/ui/arch/side_labels.py),
each box is named beside it.  The labels are placed when a zoom settles, on the GUI thread,
which the project keeps under 50 ms a turn.  Measured on ResNet-152 fully expanded (517
boxes), at eight zoom levels below the text zoom, twice: names alone (the explorer) and names
with a value on every weighted layer (the training lab's "Show in graph"); then folded into
its blocks, whose labels go beyond their shortcut arcs.

Peer: the earlier strategy, run here in the same process on the same scene: measure and
place every label afresh at each zoom, with Qt rectangles.  cnnviz is timed three ways at
each zoom: after a new layout (expand or collapse: every label measured, no text width known
yet, then placed), after new colours (``GraphView.side_labels()`` after a new shading or a
training step's norms) and at a new zoom of the same graph (``side_labels()``, placement
only).  Both strategies must place the same labels; the script says so, or fails.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_side_labels.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CNNVIZ_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="cnnviz-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF, QRectF  # noqa: E402
from PySide6.QtGui import QColor, QFontMetricsF  # noqa: E402

from cnnviz.ui.arch import formatting as fmt  # noqa: E402
from cnnviz.ui.arch.graph_items import text_zoom  # noqa: E402
from cnnviz.ui.arch.side_labels import (  # noqa: E402
    PAD_X, PAD_Y, SPACING_PX, LabelGeometry, LabelPlan, SideLabel, _TextWidths, label_fonts,
)
from explorer_window import open_explorer  # noqa: E402 - beside this script

ZOOMS = (0.04, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
RUNS = 3


def full_placement(scene, zoom: float, names: dict[str, str]) -> list[SideLabel]:
    """The peer: every label measured and placed afresh, boxes and labels as QRectF."""
    name_fm, value_fm = (QFontMetricsF(font) for font in label_fonts())
    height = max(name_fm.height(), value_fm.height()) + 2 * PAD_Y
    nodes = scene.nodes
    columns: dict[int, float] = {}
    for key, item in nodes.items():
        box = item.sceneBoundingRect()
        arc = scene.shortcuts.get(key)
        right = max(box.right(), arc.sceneBoundingRect().right()) if arc else box.right()
        column = round(box.center().x() / 10)
        columns[column] = max(columns.get(column, right), right)
    keys = [key for key in nodes if names.get(key)]
    measured = [key for key in keys if nodes[key].value_text]
    others = [key for key in keys if not nodes[key].value_text]
    order = [*_ends_first(measured), *_ends_first(others)]
    taken, boxes = _RectBands(height), _RectBands(height)
    for key, item in nodes.items():
        box = item.sceneBoundingRect()
        boxes.add(QRectF(box.left() * zoom, box.top() * zoom, box.width() * zoom,
                         box.height() * zoom), key)
    placed = []
    for key in order:
        item = nodes[key]
        value = item.value_text
        width = name_fm.horizontalAdvance(names[key]) + 2 * PAD_X
        if value:
            width += value_fm.horizontalAdvance("  " + value)
        box = item.sceneBoundingRect()
        anchor = QPointF(columns[round(box.center().x() / 10)],
                         item.pos().y() + item.box().center().y())
        label = SideLabel(key, names[key], value, anchor, width, height,
                          item.heat_state == "none")
        screen = label.rect_at(QPointF(anchor.x() * zoom, anchor.y() * zoom))
        room = screen.adjusted(-SPACING_PX, -SPACING_PX, SPACING_PX, SPACING_PX)
        if taken.hits(room) or boxes.hits(room, key):
            continue
        placed.append(label)
        taken.add(screen, key)
    return placed


class _RectBands:
    def __init__(self, band: float) -> None:
        self.band = max(band, 1.0)
        self.rows: dict[int, list[tuple[QRectF, str]]] = {}

    def _span(self, rect: QRectF) -> range:
        return range(int(rect.top() // self.band), int(rect.bottom() // self.band) + 1)

    def add(self, rect: QRectF, key: str) -> None:
        for row in self._span(rect):
            self.rows.setdefault(row, []).append((rect, key))

    def hits(self, rect: QRectF, own: str | None = None) -> bool:
        return any(rect.intersects(other) and key != own
                   for row in self._span(rect) for other, key in self.rows.get(row, ()))


def _ends_first(keys: list[str]) -> list[str]:
    return [keys[0], keys[-1], *keys[1:-1]] if len(keys) > 1 else keys


def _best(fn, before=None) -> tuple[float, object]:
    """The best of :data:`RUNS` timings of ``fn()`` in ms (each after an untimed
    ``before()``), and its last answer."""
    times, answer = [], None
    for _ in range(RUNS):
        if before is not None:
            before()
        start = time.perf_counter()
        answer = fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), answer


def measure(app, view, title: str, recolour) -> tuple[float, float]:
    """Time both strategies at each zoom; ``recolour()`` changes the scene's revision the way
    the app does (a new shading, or a training step's colours).  Returns the worst ms of the
    peer and of cnnviz."""
    scene = view.graph_scene
    print(f"\n{title}: {len(scene.nodes)} boxes; cnnviz ms after a new layout (nothing "
          "measured yet) / new colours / new zoom")
    print("  zoom   peer ms   cnnviz ms: layout / colours / zoom   labels")
    worst_old = worst_new = 0.0
    for zoom in ZOOMS:
        view.zoom_to(zoom, animated=False)
        app.processEvents()
        old, _ = _best(lambda: full_placement(scene, zoom, scene.names))
        new_layout, _ = _best(lambda: LabelPlan(LabelGeometry(scene, scene.names),
                                                scene.nodes).at(zoom),
                              before=_TextWidths._advances.clear)  # no text measured yet
        new_colours, _ = _best(view.side_labels, before=recolour)
        nudge = iter(range(1, 100))  # a zoom the plan has not seen: placement runs again

        def new_zoom():
            view.zoom_to(zoom * (1 + 1e-4 * next(nudge)), animated=False)

        new_zoom_ms, _ = _best(view.side_labels, before=new_zoom)
        new_keys = [label.key for label in
                    LabelPlan(LabelGeometry(scene, scene.names), scene.nodes).at(zoom)]
        if new_keys != [label.key for label in full_placement(scene, zoom, scene.names)]:
            raise SystemExit(f"the strategies disagree at zoom {zoom}")
        worst_old = max(worst_old, old)
        worst_new = max(worst_new, new_layout, new_colours, new_zoom_ms)
        print(f"  {zoom:<5}  {old:7.1f}   {new_layout:14.1f} / {new_colours:7.1f} / "
              f"{new_zoom_ms:4.1f}   {len(new_keys)}")
    print(f"  worst: peer {worst_old:.1f} ms, cnnviz {worst_new:.1f} ms, "
          f"ratio cnnviz/peer {worst_new / worst_old:.2f} (same labels at every zoom)")
    return worst_old, worst_new


def main() -> int:
    app, window, arch, wait = open_explorer()
    shown = []
    arch.report_shown.connect(shown.append)
    arch.catalog.select_ref("resnet152")
    wait(lambda: bool(shown) and not arch.runner.busy)
    arch.expand_all()
    app.processEvents()
    view = arch.graph
    scene = view.graph_scene
    assert max(ZOOMS) < text_zoom(), "the zooms must lie below the boxes' own text"

    shades = iter(["macs", "params"] * 100)
    results = [measure(app, view, "ResNet-152 expanded, names",
                       lambda: scene.set_shade(arch.report, next(shades)))]

    layers = [key for key in scene.nodes if arch.report.layer(key).params]
    step = iter(range(10_000))

    def training_step() -> None:
        s = next(step)
        scene.set_heat({key: ("value", QColor("#d9603b"), "", fmt.norm(0.01 * (i + s) / 7))
                        for i, key in enumerate(layers)})

    results.append(measure(app, view, f"ResNet-152 expanded, names and {len(layers)} norms",
                           training_step))
    arch.collapse_all()  # folded blocks, each with its shortcut arc to place labels beyond
    app.processEvents()
    results.append(measure(app, view, "ResNet-152 folded, names beside shortcut arcs",
                           lambda: scene.set_shade(arch.report, next(shades))))
    old = max(r[0] for r in results)
    new = max(r[1] for r in results)
    print(f"\nworst over all: peer {old:.1f} ms, cnnviz {new:.1f} ms, "
          f"ratio cnnviz/peer {new / old:.2f}; GUI-thread budget 50 ms")
    arch.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
