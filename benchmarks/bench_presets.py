"""Does each lesson preset tell its lesson?  Trains every preset's pair on the built-in shapes
for the Train workspace's default length and batch size and prints, per model, the mean
training loss and accuracy of the last 50 steps and the first-to-last gradient ratio.

Not a test: it takes minutes per preset on a laptop's CPU.  What to look for:

    plain20-vs-resnet20          both learn (loss well below 2.30, the chance level of 10
                                 classes)
    plain56-vs-resnet56          ResNet-56 learns at least as well as Plain-56
    plain20-vs-resnet20-no-bn    ResNet-20 learns; Plain-20 stays near 2.30
    plain56-vs-resnet56-no-bn    ResNet-56 learns; Plain-56 stays near 2.30
    plain20-vs-resnet20-sigmoid  the plain network's first layers get far less gradient

Both models of a preset see the same batches (the engine's guarantee), so the printed
difference between them is the lesson: the residual twin is the peer of the plain one.

    python benchmarks/bench_presets.py [--steps 300] [--batch-size 64] [--threads 0]
                                       [--preset KEY ...]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

CHANCE = math.log(10)
LAST = 50


def run_preset(key: str, steps: int, batch_size: int) -> None:
    from cnnviz.core.train import get_preset, train
    from cnnviz.core.train.records import ModelStopped, RunStarted, StepRecord

    preset = get_preset(key)
    # The settings the Train form takes from a preset (its optimiser and learning rate),
    # with the form's defaults for the rest.
    config = preset.config(steps=steps, batch_size=batch_size, device="cpu", validate=False)
    losses: dict[str, list[float]] = {}
    accuracies: dict[str, list[float]] = {}
    ratio: dict[str, float] = {}
    stopped: dict[str, str] = {}
    started = time.perf_counter()
    for record in train(config):
        if isinstance(record, RunStarted):
            names = {m.name: m.display_name for m in record.models}
        elif isinstance(record, StepRecord):
            losses.setdefault(record.model, []).append(record.loss)
            accuracies.setdefault(record.model, []).append(record.accuracy)
            finite = record.grad_norms[np.isfinite(record.grad_norms)]
            if finite.size >= 2 and finite[-1] > 0:
                ratio[record.model] = float(finite[0] / finite[-1])
        elif isinstance(record, ModelStopped):
            stopped[record.model] = record.reason
    elapsed = time.perf_counter() - started
    print(f"{preset.title}  ({config.optimizer}, lr {config.learning_rate:g}, "
          f"{steps} steps of {batch_size}, {elapsed:.0f} s)")
    for name, loss in losses.items():
        tail = slice(-LAST, None)
        mean_loss = float(np.mean(loss[tail]))
        mean_acc = float(np.mean(accuracies[name][tail]))
        note = f"  stopped: {stopped[name]}" if name in stopped else ""
        print(f"  {names.get(name, name):22s} loss {mean_loss:6.3f} "
              f"({mean_loss / CHANCE:4.0%} of chance)  accuracy {mean_acc:6.1%}  "
              f"first/last gradient {ratio.get(name, math.nan):.2g}{note}")


def main() -> None:
    from cnnviz.core.train import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--preset", action="append", default=[],
                        choices=[p.key for p in PRESETS], help="one preset (repeatable)")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    for key in args.preset or [p.key for p in PRESETS]:
        run_preset(key, args.steps, args.batch_size)


if __name__ == "__main__":
    main()
