"""How close is the Train form's first guess of a run's length to the run itself?

Before a first run of a pair of models the form says "Roughly N min", worked out from the
models' multiply-adds and this computer's measured speed (cnnviz/ui/train/first_guess.py).
This script makes that guess exactly as the window does (the speed measured with
``measure_throughput``, each model's multiply-adds with ``model_macs``, the images from the
form's settings with ``work_plan``), then runs the very same configuration for real in the
same process, with the training thread's thread count, data set loading included, and prints
guessed seconds, actual seconds and their ratio.  The goal: a ratio within 0.5-2, ideally
0.7-1.4 (a guess that is off by a factor of two still tells a class "5 min" from "an hour").

    python benchmarks/bench_first_guess.py [--steps 20] [--batch-size 64]
        [--arch plain20 --compare resnet20] [--repeat 1]
"""

from __future__ import annotations

import argparse
import statistics
import time


def guess(config) -> tuple[float, float, float]:
    """The first guess for ``config`` in seconds, the measured speed, and the earlier guess
    (training images only, at :func:`lone_convolution_speed`)."""
    from cnnviz.ui.train import first_guess
    from cnnviz.ui.train.work_plan import work_plan

    speed = first_guess.measure_throughput()
    macs = sum(first_guess.model_macs(first_guess.macs_key(m, config)) for m in config.models)
    plan = work_plan(config)
    seconds = macs * (first_guess.PASSES * plan.trained + plan.validated) / speed
    earlier = macs * first_guess.PASSES * plan.trained / lone_convolution_speed()
    return seconds, speed, earlier


def lone_convolution_speed(seconds: float = 0.1) -> float:
    """The speed the guess used before: the fastest forward pass of one 3x3, 32-channel
    convolution on four 32 × 32 maps (kept here to show how far off it was)."""
    import math

    import torch
    import torch.nn.functional as F

    x, weight = torch.randn(4, 32, 32, 32), torch.randn(32, 32, 3, 3)
    with torch.no_grad():
        F.conv2d(x, weight, padding=1)
        fastest, began = math.inf, time.perf_counter()
        while time.perf_counter() - began < seconds:
            start = time.perf_counter()
            F.conv2d(x, weight, padding=1)
            fastest = min(fastest, time.perf_counter() - start)
    return 4 * 32 * 32 * 32 * 32 * 9 / fastest


def actual(config) -> float:
    """Seconds a real run of ``config`` takes, from loading its data to its last record."""
    from cnnviz.core.train import train

    started = time.perf_counter()
    for _record in train(config):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--arch", default="plain20")
    parser.add_argument("--compare", default="resnet20")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from cnnviz.core.train import ModelConfig, RunConfig
    from cnnviz.ui.train.worker import leave_a_core_for_the_window
    import torch

    leave_a_core_for_the_window()  # as the window's training thread does
    # The form's run: the built-in shapes, validated at the end (20 steps end an epoch).
    config = RunConfig(models=(ModelConfig(args.arch), ModelConfig(args.compare)),
                       batch_size=args.batch_size, steps=args.steps, device="cpu")
    print(f"{args.arch} + {args.compare}, {args.steps} steps of {args.batch_size}, "
          f"{torch.get_num_threads()} torch threads")
    ratios = []
    for _ in range(args.repeat):
        guessed, speed, old = guess(config)
        took = actual(config)
        ratios.append(guessed / took)
        print(f"  speed {speed / 1e9:.2f} G multiply-adds/s   guessed {guessed:6.1f} s   "
              f"actual {took:6.1f} s   guessed/actual {guessed / took:.2f}   "
              f"(earlier guess {old:6.1f} s, {old / took:.2f})")
    print(f"guessed/actual (median of {len(ratios)}): {statistics.median(ratios):.2f}  "
          "(goal 0.5-2, ideally 0.7-1.4)")


if __name__ == "__main__":
    main()
