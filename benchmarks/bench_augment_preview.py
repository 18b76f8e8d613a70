"""How fast does the Augment workspace's preview follow a slider on a 12-megapixel photo?

Run:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_augment_preview.py [--seconds 3]

A 4000 x 3000 JPEG is written and dropped into a real :class:`AugmentWorkspace` (offscreen,
window 1800 x 1000, six samples, the default grid).  Two four-operation pipelines are timed:

* classic: horizontal flip, random resized crop, rotation, colour jitter;
* warping: random resized crop, rotation, perspective, elastic deformation.

For each, the rotation slider is moved one notch every 8 ms, as a mouse drag delivers it, for
``--seconds``; the figure is the number of preview frames that reached the screen per second.
Goal: 30 or more.  Each drag runs twice in turn, with consecutive geometric steps merged
into one resampling (what the workspace does) and op by op, so the gain is measured on the
same machine at the same moment.

While the slider moves the workspace renders drafts at half the tile resolution, and the
full-resolution grid once the slider rests; both sizes are reported.  The render worker
also makes each sample ready to draw (scaled to the tile, overlay stroked), so the GUI
thread only copies pixels; the drag figure includes that work, the figures below do not.

The same preview work (six samples of the screen-size copy shrunk to tile size) is then
timed in this one process, in interleaved rounds: cnnviz's render function alone (no Qt),
merged and op by op, and albumentations doing the same four operations on the same picture.
Ratios above 1 mean cnnviz is faster.  The machine's load average is printed: on a shared,
busy machine every figure drops, the paired ratios much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CNNVIZ_TESTING", "1")
warnings.filterwarnings("ignore", module="albumentations")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from cnnviz.core.augment import Pipeline, Step  # noqa: E402

GOAL_FPS = 30.0
COUNT = 6
PIPELINE = Pipeline([
    Step("hflip", {}, 0.5),
    Step("random_resized_crop", {"scale": (0.35, 1.0)}),
    Step("rotate", {"angle": (-15.0, 15.0)}),
    Step("colour_jitter", {}),
])
WARPING = Pipeline([
    Step("random_resized_crop", {"scale": (0.35, 1.0)}),
    Step("rotate", {"angle": (-15.0, 15.0)}),
    Step("perspective", {"strength": (0.0, 0.3)}),
    Step("elastic", {}),
])
PIPELINES = {"classic": PIPELINE, "warping": WARPING}


def photo(width: int = 4000, height: int = 3000) -> np.ndarray:
    """A 12-megapixel picture with smooth shapes and sensor-like grain (compresses like a photo)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 128 + 100 * np.sin(x / 310.0) * np.cos(y / 270.0)
    g = 120 + 90 * np.cos((x + y) / 420.0)
    b = 140 + 80 * np.sin(np.hypot(x - width / 2, y - height / 2) / 200.0)
    grain = np.random.default_rng(0).normal(0, 6, (height, width, 1)).astype(np.float32)
    return np.clip(np.stack([r, g, b], axis=-1) + grain, 0, 255).astype(np.uint8)


def drag_fps(path: Path, seconds: float, pipeline: Pipeline = PIPELINE,
             fused: bool = True) -> tuple[float, int, int, float]:
    """Frames per second reaching the grid while the rotation slider moves; also the sides
    of the draft and full-resolution samples, and the load time."""
    from PySide6.QtWidgets import QApplication

    from cnnviz.ui.app import make_application
    from cnnviz.ui.augment.workspace import AugmentWorkspace
    from cnnviz.ui.theme import theme_manager

    app = make_application()
    theme_manager().apply()
    ws = AugmentWorkspace()
    ws.resize(1800, 1000)
    ws.show()
    loaded: list[int] = []
    ws.images_loaded.connect(loaded.append)
    start = time.perf_counter()
    ws.open_paths([path])
    while not loaded:
        app.processEvents()
        time.sleep(0.002)
    load_s = time.perf_counter() - start
    ws.fuse_geometry = fused
    ws.editor.set_pipeline(pipeline)
    ws.grid.set_count(COUNT)
    wait_idle(app, ws)
    rotation = next(i for i, s in enumerate(pipeline.steps) if s.op == "rotate")
    slider = ws.editor.cards[rotation].controls["angle"].editor
    frames: list[float] = []
    ws.frame_shown.connect(lambda _f: frames.append(time.perf_counter()))
    start = time.perf_counter()
    notch = 0
    next_move = start
    while time.perf_counter() - start < seconds:
        now = time.perf_counter()
        if now >= next_move:
            notch += 1
            angle = float(notch % 60)
            slider.setValue((-angle, angle))
            next_move += 0.008
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - start
    draft_side, full_side = ws.preview.side, ws.grid.tile_side()
    ws.shutdown()
    QApplication.processEvents()
    return len(frames) / elapsed, draft_side, full_side, load_s


def wait_idle(app, ws) -> None:
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        app.processEvents()
        if ws.preview_settled():
            return
        time.sleep(0.005)


def median_s(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peer_fps(preview: np.ndarray, side: int, repeat: int, pipeline: Pipeline) -> tuple[float, float, float]:
    """Frames per second of the same preview work, six samples of the screen copy shrunk to
    ``side``: cnnviz's render function merged and op by op (it shrinks once per picture and
    keeps the copy while a slider moves), and albumentations given the same shrunk copy.
    Timed in interleaved rounds, so a busy machine slows all three alike."""
    import albumentations as A
    import cv2

    from cnnviz.ui.augment.render import PreviewJob, fit_side, render_preview

    seed = iter(range(10**9))
    tile = fit_side(preview, side)
    h, w = tile.shape[:2]
    crop = A.RandomResizedCrop(size=(h, w), scale=(0.35, 1.0), p=1.0)
    rotate = A.Rotate(limit=(-15, 15), border_mode=cv2.BORDER_CONSTANT, fill=0, p=1.0)
    if pipeline is WARPING:
        sigma = 0.08 * min(h, w)  # cnnviz's default smoothness, 8 % of the shorter side
        steps = [crop, rotate, A.Perspective(scale=(0.0, 0.15), p=1.0),
                 A.ElasticTransform(alpha=0.02 * min(h, w) * sigma / 0.163, sigma=sigma, p=1.0)]
    else:
        steps = [A.HorizontalFlip(p=0.5), crop, rotate,
                 A.ColorJitter(brightness=(0.8, 1.2), contrast=(0.8, 1.2), saturation=(0.8, 1.2),
                               hue=(-0.05, 0.05), p=1.0)]
    compose = A.Compose(steps, seed=0)
    small = cv2.resize(preview, (w, h), interpolation=cv2.INTER_AREA)

    def ours(fused: bool):
        return lambda: render_preview(PreviewJob(0, 0, preview, pipeline, COUNT, next(seed), side, fused))

    def albumentations_frame():
        for _ in range(COUNT):
            compose(image=small)

    merged, single, theirs = paired_s([ours(True), ours(False), albumentations_frame], repeat)
    return 1.0 / merged, 1.0 / single, 1.0 / theirs


def paired_s(fns, repeat: int) -> list[float]:
    """Median seconds of each function, in interleaved rounds after one warm-up each."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for round_ in range(repeat):
        order = list(zip(fns, times))
        if round_ % 2:
            order.reverse()
        for fn, bucket in order:
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(b) for b in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from cnnviz.core.augment import load_image
    from cnnviz.ui.augment.images import PREVIEW_SIDE

    drags = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo_12mp.jpg"
        Image.fromarray(photo()).save(path, quality=90)
        # Two short drags each, alternating merged and op by op, so that a change in the
        # machine's load between them touches both alike.
        for round_ in range(2):
            for name, pipeline in PIPELINES.items():
                for fused in ((True, False) if round_ % 2 == 0 else (False, True)):
                    fps, *rest = drag_fps(path, args.seconds / 2, pipeline, fused)
                    drags[name, fused] = (drags.get((name, fused), (0.0,))[0] + fps / 2, *rest)
        preview = load_image(path, max_side=PREVIEW_SIDE)
    _, draft_side, side, load_s = drags["classic", True]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"12-megapixel JPEG loaded into the workspace in {load_s:.2f} s "
          f"(screen copy {preview.shape[1]} x {preview.shape[0]}, made once per picture)")
    print(f"preview: {COUNT} samples, {side} px on the long side at rest, {draft_side} px while "
          "a slider moves")
    for name in PIPELINES:
        merged, single = drags[name, True][0], drags[name, False][0]
        print(f"  {name:8} slider drag in the workspace: {merged:6.1f} frames/s merged "
              f"(goal ratio {merged / GOAL_FPS:4.2f}), {single:6.1f} frames/s op by op")
    print("render function alone, frames/s (six samples):")
    for name, pipeline in PIPELINES.items():
        for label, tile in ((f"{draft_side} px", draft_side), (f"{side} px", side)):
            merged, single, theirs = peer_fps(preview, tile, args.repeat, pipeline)
            print(f"  {name:8} at {label:7}: merged {merged:6.1f}, op by op {single:6.1f} "
                  f"(merged/op by op {merged / single:4.2f}), albumentations {theirs:6.1f} "
                  f"(cnnviz/albumentations {merged / theirs:4.2f})")


if __name__ == "__main__":
    main()
