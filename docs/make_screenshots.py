"""Write 1280x800 screenshots of every workspace, light and dark, to docs/screenshots/.

Run it again whenever the views change:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py

It drives the real window (offscreen) and never touches your saved settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CNNVIZ_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="cnnviz-shots-")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OUT = Path(__file__).resolve().parent / "screenshots"
SIZE = (1280, 800)


def _scene(width: int, height: int, seed: int):
    """A small landscape picture: sky gradient, sun, hills and a house (no files shipped)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    img = np.zeros((height, width, 3), np.float32)
    img[...] = np.stack([90 + 80 * y / height, 150 + 60 * y / height, 235 - 20 * y / height], 2)
    hill = height * (0.62 + 0.06 * np.sin(x / width * 6 + seed))
    img[y > hill] = (70, 150, 70)
    cx, cy = width * rng.uniform(0.6, 0.85), height * 0.2
    img[(x - cx) ** 2 + (y - cy) ** 2 < (height * 0.07) ** 2] = (250, 210, 60)
    hx, hy, hw = int(width * 0.25), int(height * 0.45), int(width * 0.18)
    img[hy:hy + hw, hx:hx + hw] = (200, 70, 60)
    img[hy + hw // 2:hy + hw, hx + hw // 3:hx + 2 * hw // 3] = (90, 50, 40)
    img += rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _inputs(folder: Path) -> tuple[list[Path], Path]:
    """Pictures for the studio and a short plain-vs-residual run for the lab."""
    from PIL import Image

    from cnnviz.cli import main as cli

    pictures = []
    for i, (w, h) in enumerate([(900, 600), (640, 800), (800, 800)]):
        pictures.append(folder / f"scene-{i + 1}.png")
        Image.fromarray(_scene(w, h, i)).save(pictures[-1])
    run = folder / "plain20-vs-resnet20-no-bn"
    cli(["train", "--preset", "plain20-vs-resnet20-no-bn", "--steps", "120", "--batch-size", "32",
         "--log-every", "2", "--quiet", "--out", str(run)])
    return pictures, run


def main() -> int:
    from PySide6.QtCore import Qt

    from cnnviz.ui.app import make_application

    app = make_application()
    from cnnviz.ui.main_window import MainWindow
    from cnnviz.ui.theme import theme_manager

    OUT.mkdir(parents=True, exist_ok=True)
    pictures, run = _inputs(Path(tempfile.mkdtemp(prefix="cnnviz-shots-data-")))

    def settle(condition=lambda: True, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            if condition():
                break
            time.sleep(0.01)
        for _ in range(30):  # let deferred deletes and repaints land
            app.processEvents()
            time.sleep(0.005)

    for theme in ("light", "dark"):
        theme_manager().set_mode(theme)
        window = MainWindow()
        window.setWindowState(Qt.WindowState.WindowNoState)  # the 800 px offscreen screen maximises it
        window.setFixedSize(*SIZE)
        window.show()
        ws = window.show_workspace("arch")
        settle(lambda: bool(ws.catalog.entries))

        def show(ref: str) -> None:
            ws.select_arch(ref)
            settle(lambda: ws.report is not None and ws.current_ref == ref and not ws.runner.busy)

        def save(name: str) -> None:
            settle()
            window.grab().save(str(OUT / f"{name}-{theme}.png"))
            print("wrote", OUT / f"{name}-{theme}.png")

        ws.tabs.setCurrentIndex(0)
        ws.show_catalog(True)  # hidden at first on a 1280-pixel window; shown for the tour
        show("resnet34")
        ws.expand_all()
        first_add = [l.id for l in ws.report.layers if l.kind == "add"][3]
        ws.graph.zoom_to(0.62, animated=False)
        ws.select_layer(first_add)
        ws.graph.centerOn(ws.graph.graph_scene.nodes[first_add])
        save("graph")

        show("resnet152")
        save("collapsed-blocks")

        show("vgg16")
        ws.graph_split.setSizes([260, 520])
        settle()
        fc = next(l.id for l in ws.report.layers if l.kind == "linear")
        ws.select_layer(fc)
        ws.graph.centerOn(ws.graph.graph_scene.nodes[fc])
        save("table-details")
        ws.graph_split.setSizes([480, 260])

        ws.tabs.setCurrentWidget(ws.charts)
        save("charts")

        ws.tabs.setCurrentWidget(ws.compare)
        ws.compare.compare("plain34", "resnet34")
        settle(lambda: all(ws.compare.reports) and not ws.runner.busy)
        save("compare")
        show("resnet18")
        ws.tabs.setCurrentWidget(ws.inside_page)
        panel = ws.look_inside()
        settle(lambda: panel.network is not None and not panel.worker.busy)
        panel.set_image(pictures[0])
        settle(lambda: panel.probe is not None and not panel.worker.busy)
        save("look-inside")
        ws.tabs.setCurrentIndex(0)

        from cnnviz.core.augment import Pipeline, Step

        studio = window.show_workspace("augment")
        studio.open_paths(pictures)
        settle(lambda: len(studio.images) == len(pictures))
        studio.editor.set_pipeline(Pipeline([
            Step("random_resized_crop"), Step("hflip"), Step("rotate"), Step("pca_colour")]))
        studio.schedule_preview()
        settle(studio.preview_settled)
        save("augment")

        lab = window.show_workspace("train")
        lab.open_run(run)
        settle(lambda: lab.source is not None and lab.source.loaded)
        save("train")
        plain = next(iter(lab.handoffs.run.models))
        lab.handoffs.show_in_graph(plain)  # the explorer, coloured by its gradient norms
        settle(lambda: ws.report is not None and ws.current_ref == "plain20"
               and not ws.runner.busy)
        settle()  # it folds to one box per block and fits: the fade reads at a glance
        save("gradients")
        window.show_workspace("arch")

        window.show_about()
        settle()
        dialog = window._dialogs[-1]
        dialog.grab().save(str(OUT / f"about-{theme}.png"))
        dialog.close()
        window.close()
        settle()
    return 0


if __name__ == "__main__":
    sys.exit(main())
