"""How fast are cnnviz's augmentations next to albumentations and torchvision.transforms.v2?

Run:  python benchmarks/bench_augment.py [--size 1024] [--repeat 15]

Part 1 times every operation on a 1024x1024 RGB picture in this one process: cnnviz (with
the backend it picks, OpenCV when installed), cnnviz's portable Pillow/numpy backend, the
albumentations equivalent on the same numpy array and the torchvision.transforms.v2
equivalent on a uint8 tensor.  Each figure is the median of ``--repeat`` calls after a
warm-up; ratios below 1 mean cnnviz is faster.  Settings are matched as closely as the
libraries allow (see the table below); "-" means the library has no equivalent.

Part 2 times the Augment workspace's preview path: a 12-megapixel JPEG is loaded once at
screen size (1024 pixels on the long side, decoded at reduced scale) and a four-operation
pipeline is re-rendered as if a slider moved, op by op and with consecutive geometric steps
merged into one resampling (what the preview does); the goal is 30 frames per second or
more.  Export stays op by op at full resolution; the merged time is shown beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

warnings.filterwarnings("ignore", module="albumentations")

import albumentations as A  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision.transforms import v2  # noqa: E402

from cnnviz.core.augment import Pipeline, Step, kernels, load_image, sample_rng  # noqa: E402
from cnnviz.core.augment.ops import get_op  # noqa: E402


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    return paired_ms([fn], repeat)[0]


def paired_ms(
    fns: list[Callable[[], object] | None], repeat: int, budget_s: float = 6.0
) -> list[float | None]:
    """Median milliseconds of each function, timed in interleaved rounds so that a machine
    busy with something else slows every contender alike and the ratios stay fair."""
    fns = list(fns)
    times: list[list[float]] = [[] for _ in fns]
    for index, fn in enumerate(fns):
        if fn is not None:
            start = time.perf_counter()
            fn()  # warm-up; a contender that takes seconds is timed by this call alone
            if time.perf_counter() - start > budget_s / 3:
                times[index].append(time.perf_counter() - start)
                fns[index] = None
    began = time.perf_counter()
    for round_ in range(repeat):
        if round_ >= 3 and time.perf_counter() - began > budget_s:
            break  # slow contenders (full-size elastic blurs) need no more rounds
        order = list(zip(fns, times))
        if round_ % 2:
            order.reverse()  # no contender always runs in another's wake
        for fn, bucket in order:
            if fn is not None:
                start = time.perf_counter()
                fn()
                bucket.append(time.perf_counter() - start)
    return [statistics.median(b) * 1000 if b else None for b in times]


def cases(size: int):
    """(cnnviz op, cnnviz settings, albumentations transform, torchvision transform)."""
    crop = round(0.875 * size)
    sigma = 0.08 * size  # cnnviz elastic smoothness 8 % of the side, in pixels
    return [
        ("hflip", {}, A.HorizontalFlip(p=1), v2.RandomHorizontalFlip(p=1)),
        ("vflip", {}, A.VerticalFlip(p=1), v2.RandomVerticalFlip(p=1)),
        ("random_crop", {"size": (0.875, 0.875)}, A.RandomCrop(crop, crop), v2.RandomCrop(crop)),
        ("random_resized_crop", {}, A.RandomResizedCrop((size, size)),
         v2.RandomResizedCrop(size, antialias=True)),
        ("rotate", {"angle": (-15, 15)}, A.Rotate(limit=15, p=1, border_mode=0),
         v2.RandomRotation(15, interpolation=v2.InterpolationMode.BILINEAR)),
        ("shear", {"x": (-10, 10), "y": (-10, 10)}, A.Affine(shear=(-10, 10), p=1),
         v2.RandomAffine(0, shear=(-10, 10, -10, 10), interpolation=v2.InterpolationMode.BILINEAR)),
        ("perspective", {"strength": (0.0, 0.3)}, A.Perspective(scale=(0.0, 0.15), p=1),
         v2.RandomPerspective(0.3, p=1)),
        ("colour_shift", {}, A.RGBShift(20, 20, 20, p=1), None),
        ("colour_jitter", {}, A.ColorJitter(hue=(-0.05, 0.05), p=1),
         v2.ColorJitter(0.2, 0.2, 0.2, 0.05)),
        ("pca_colour", {}, A.FancyPCA(alpha=0.1, p=1), None),
        ("greyscale", {}, A.ToGray(p=1), v2.Grayscale(3)),
        # Same smoothness (sigma) and about the same 2 % root-mean-square displacement
        # (smoothed uniform noise has RMS 0.163 / sigma).
        ("elastic", {"magnitude": (2.0, 2.0)},
         # torchvision's ElasticTransform blurs at full size with a plain convolution: one
         # call took over a minute here even at sigma 20, so it is left out.
         A.ElasticTransform(alpha=0.02 * size * sigma / 0.163, sigma=sigma, p=1), None),
        ("grid_distortion", {}, A.GridDistortion(p=1), None),
        ("gaussian_blur", {}, A.GaussianBlur(sigma_limit=(0.1, 2.0), p=1),
         v2.GaussianBlur(13, sigma=(0.1, 2.0))),
        ("gaussian_noise", {}, A.GaussNoise(std_range=(5 / 255, 20 / 255), p=1),
         v2.GaussianNoise(sigma=20 / 255)),
        ("cutout", {}, A.Erasing(scale=(0.02, 0.2), p=1), v2.RandomErasing(p=1, scale=(0.02, 0.2))),
    ]


def photo(size: int) -> np.ndarray:
    """A picture with smooth colour regions and fine texture, not flat noise."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    texture = np.random.default_rng(0).normal(0, 12, (size, size, 3))
    base = np.stack([200 * x + 30, 180 * y + 40, 120 + 80 * np.sin(6 * x + 4 * y)], -1)
    return np.clip(base + texture, 0, 255).astype(np.uint8)


def bench_ops(size: int, repeat: int, only: list[str] | None = None) -> None:
    image = photo(size)
    tensor = torch.from_numpy(image).permute(2, 0, 1).contiguous()
    float_tensor = tensor.float() / 255
    rng = np.random.default_rng(0)
    print(f"Per operation at {size}x{size}, median of {repeat} ms "
          f"(cnnviz backend: {kernels.backend()}; ratio < 1: cnnviz faster)\n")
    header = (f"{'operation':<20}{'cnnviz':>9}{'albument.':>10}{'ratio':>7}"
              f"{'torchvis.':>10}{'ratio':>7}{'pillow bk':>10}{'ratio':>7}")
    print(header, flush=True)
    print("-" * len(header))
    worst = []
    for name, settings, albu, tv in cases(size):
        if only and name not in only:
            continue
        spec = get_op(name)
        tv_input = float_tensor if name == "gaussian_noise" else tensor

        def portable_run():
            with kernels.use_backend("pillow"):
                spec.run(image, settings, rng)

        ours, portable, theirs = paired_ms([
            lambda: spec.run(image, settings, rng), portable_run, lambda: albu(image=image),
        ], repeat)
        # torch's worker threads keep spinning after a call and would slow whatever runs
        # next on a small machine, so torchvision is timed in its own block.
        tv_ms = median_ms(lambda: tv(tv_input), repeat) if tv is not None else None
        tv_text = f"{tv_ms:10.2f}{ours / tv_ms:7.2f}" if tv_ms else f"{'-':>10}{'-':>7}"
        print(f"{name:<20}{ours:9.2f}{theirs:10.2f}{ours / theirs:7.2f}{tv_text}"
              f"{portable:10.2f}{portable / theirs:7.2f}", flush=True)
        worst.append((ours / theirs, name))
    ratio, name = max(worst)
    print(f"\nSlowest relative to albumentations: {name} at {ratio:.2f}x "
          f"({sum(r <= 1.0 for r, _ in worst)} of {len(worst)} operations at or below 1.0x).")


PREVIEW_PIPELINES = {
    "classic (random resized crop, flip, colour jitter, PCA colour)": Pipeline([
        Step("random_resized_crop"), Step("hflip", probability=0.5), Step("colour_jitter"),
        Step("pca_colour"),
    ]),
    "warping (rotation, colour jitter, elastic, cutout)": Pipeline([
        Step("rotate", {"angle": (-20, 20)}), Step("colour_jitter"), Step("elastic"),
        Step("cutout"),
    ]),
    "geometric (random resized crop, rotation, perspective, elastic)": Pipeline([
        Step("random_resized_crop", {"scale": (0.35, 1.0)}), Step("rotate"),
        Step("perspective"), Step("elastic"),
    ]),
}


def bench_preview(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo12mp.jpg"
        big = np.asarray(Image.fromarray(photo(1000)).resize((4000, 3000), Image.Resampling.BILINEAR))
        Image.fromarray(big).save(path, quality=90)
        del big
        load_full_ms = median_ms(lambda: load_image(path), 3)
        load_preview_ms = median_ms(lambda: load_image(path, max_side=1024), 3)
        full = load_image(path)
        preview = load_image(path, max_side=1024)
        tiles = load_image(path, max_side=384)
    print(f"\nPreview path: a 12-megapixel JPEG ({full.shape[1]}x{full.shape[0]}) loads at screen "
          f"size {preview.shape[1]}x{preview.shape[0]} in {load_preview_ms:.0f} ms "
          f"(full resolution: {load_full_ms:.0f} ms); this happens once per picture.")
    print("Re-rendering after a slider move (goal: 30 frames per second); wall-clock time, "
          "and in brackets the CPU time\nall threads used, which a busy machine does not inflate:")
    for title, pipeline in PREVIEW_PIPELINES.items():
        frames = iter(range(10**9))
        one, one_cpu = wall_and_cpu_ms(
            lambda: pipeline.sample(preview, sample_rng(1, next(frames))), repeat)
        grid, grid_cpu = wall_and_cpu_ms(lambda: pipeline.samples(tiles, 8, next(frames)), repeat)
        merged, merged_cpu = wall_and_cpu_ms(
            lambda: pipeline.samples(tiles, 8, next(frames), fused=True), repeat)
        export = median_ms(lambda: pipeline.sample(full, sample_rng(1, 0)), 3)
        export_merged = median_ms(lambda: pipeline.sample(full, sample_rng(1, 0), fused=True), 3)
        print(f"  {title}:\n"
              f"    one sample at {preview.shape[1]}x{preview.shape[0]}: {one:6.1f} ms = "
              f"{1000 / one:5.1f} fps  ({one_cpu:5.1f} ms CPU = {1000 / one_cpu:5.1f} fps)\n"
              f"    eight {tiles.shape[1]}x{tiles.shape[0]} tiles:    {grid:6.1f} ms = "
              f"{1000 / grid:5.1f} fps  ({grid_cpu:5.1f} ms CPU = {1000 / grid_cpu:5.1f} fps)\n"
              f"    the same, geometric steps merged: {merged:6.1f} ms = {1000 / merged:5.1f} fps  "
              f"({merged_cpu:5.1f} ms CPU = {1000 / merged_cpu:5.1f} fps)\n"
              f"    full-size export: {export:.0f} ms per sample (merged, as the preview "
              f"draws it: {export_merged:.0f} ms)")
    load = os.getloadavg()[0]
    print(f"\nMachine load while measuring: {load:.1f} on {os.cpu_count()} cores "
          "(a busy machine slows absolute times; the ratios above are paired and stay fair).")


def wall_and_cpu_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU (all threads of this process) milliseconds per call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--ops", nargs="*", help="only these operations")
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    bench_ops(args.size, args.repeat, args.ops)
    bench_preview(args.repeat)


if __name__ == "__main__":
    main()
