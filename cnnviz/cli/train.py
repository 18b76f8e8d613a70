"""``cnnviz train``: train models side by side headless; ``cnnviz runs``: summarise run folders.

Kept cheap to import: torch and the engine load inside the handlers.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from cnnviz.core.errors import TrainingError

DATASET_CHOICES = ("shapes", "mnist", "fashion_mnist", "cifar10", "folder")


def register(subparsers: Any) -> None:
    train = subparsers.add_parser(
        "train", help="train models side by side and log per-layer gradient norms",
        description="Train one or more models on exactly the same batches and write a run "
                    "folder (run.json, scalars.csv, grad_norms.csv per model) as it goes.",
    )
    what = train.add_argument_group("models")
    what.add_argument("--arch", help="the first model: a zoo name (plain20, resnet20, ...), a "
                                     "torchvision model, or path/to/file.py:ClassName")
    what.add_argument("--compare", action="append", default=[], metavar="ARCH",
                      help="another model trained on the same batches (repeatable)")
    what.add_argument("--preset", help="a lesson preset instead of --arch/--compare "
                                       "(see --list-presets)")
    what.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    what.add_argument("--no-batch-norm", dest="batch_norm", action="store_false", default=None,
                      help="build the twins without batch norm")
    what.add_argument("--activation", choices=("relu", "tanh", "sigmoid"))
    what.add_argument("--init", choices=("default", "xavier", "he"))
    what.add_argument("--freeze-until", metavar="BLOCK",
                      help="freeze every layer up to and including this block (e.g. layer2)")
    what.add_argument("--weights", metavar="FILE|pretrained",
                      help="starting weights: a saved state_dict, or 'pretrained'")
    data = train.add_argument_group("data")
    data.add_argument("--dataset", choices=DATASET_CHOICES, default="shapes")
    data.add_argument("--data-dir", help="folder holding the data set (or the image folder)")
    data.add_argument("--no-download", dest="download", action="store_false",
                      help="never download; read only --data-dir or the cache")
    data.add_argument("--classes", type=int, help="number of shape classes (2-10)")
    data.add_argument("--image-size", type=int, help="image side in pixels (default: the "
                                                     "model's input)")
    data.add_argument("--train-size", type=int, help="number of training images to use")
    data.add_argument("--val-size", type=int, help="number of validation images to use")
    data.add_argument("--pipeline", metavar="FILE", help="augmentation pipeline (.json) from "
                                                         "the augmentation studio")
    opt = train.add_argument_group("training")
    opt.add_argument("--steps", type=int, help="optimiser steps (default: one epoch)")
    opt.add_argument("--epochs", type=int)
    opt.add_argument("--batch-size", type=int, default=64)
    opt.add_argument("--optimizer", choices=("sgd", "adam"),
                     help="sgd (the default) or adam; a preset may choose one")
    opt.add_argument("--lr", type=float, help="learning rate (default 0.1 SGD, 0.001 Adam)")
    opt.add_argument("--momentum", type=float, default=0.9)
    opt.add_argument("--weight-decay", type=float, default=5e-4)
    opt.add_argument("--schedule", choices=("constant", "step", "cosine"), default="constant")
    opt.add_argument("--seed", type=int, default=0)
    opt.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, mps")
    opt.add_argument("--amp", action=argparse.BooleanOptionalAction, default=None,
                     help="mixed precision (default: on with CUDA)")
    opt.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=None)
    opt.add_argument("--log-every", type=int, default=1, metavar="STEPS")
    opt.add_argument("--no-validate", dest="validate", action="store_false")
    train.add_argument("--out", metavar="DIR", help="run folder to write (default: "
                                                    "runs/DATE-TIME-MODELS)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(func=run_train)

    runs = subparsers.add_parser("runs", help="summarise a run folder (or a folder of runs)",
                                 description="Summarise what a run folder holds, per model.")
    runs.add_argument("path", metavar="DIR")
    runs.set_defaults(func=run_runs)


# -- cnnviz train ------------------------------------------------------------------------------

def _config(args: argparse.Namespace):
    from cnnviz.core.train.presets import get_preset
    from cnnviz.core.train.records import ModelConfig, RunConfig

    options = {k: v for k, v in (("batch_norm", args.batch_norm),
                                 ("activation", args.activation), ("init", args.init))
               if v is not None}
    settings: dict[str, Any] = {}
    if args.preset:
        if args.arch or args.compare:
            raise TrainingError("Give either --preset or --arch/--compare, not both.")
        preset = get_preset(args.preset)
        models = tuple(ModelConfig(m.arch, m.name, {**m.options, **options}, args.freeze_until,
                                   args.weights) for m in preset.models)
        settings = dict(preset.settings)
    else:
        if not args.arch:
            raise TrainingError("Choose a model with --arch (and others with --compare), or a "
                                "--preset.")
        refs = [args.arch, *args.compare]
        names = _unique_names(refs)
        models = tuple(ModelConfig(ref, name, dict(options), args.freeze_until, args.weights)
                       for ref, name in zip(refs, names))
    chosen = dict(
        dataset=args.dataset, data_dir=args.data_dir, download=args.download,
        num_classes=args.classes, image_size=args.image_size, train_size=args.train_size,
        val_size=args.val_size, pipeline=args.pipeline, batch_size=args.batch_size,
        steps=args.steps, epochs=args.epochs,
        optimizer=args.optimizer or settings.get("optimizer", "sgd"),
        momentum=args.momentum, weight_decay=args.weight_decay, schedule=args.schedule,
        seed=args.seed, device=args.device, amp=args.amp, channels_last=args.channels_last,
        log_every=args.log_every, validate=args.validate,
    )
    # A preset's learning rate goes with its optimiser: another optimiser takes its own default.
    own_lr = settings.get("optimizer", "sgd") == chosen["optimizer"]
    if args.lr is not None or "lr" not in settings or not own_lr:
        chosen["lr"] = args.lr
    return RunConfig(models=models, **{**settings, **chosen})


def _unique_names(refs: list[str]) -> list[str]:
    names, seen = [], {}
    for ref in refs:
        base = Path(ref.split(":")[-1]).stem if ":" in ref else ref
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def _transform(path: str | None):
    """The studio's pipeline file as a per-image transform (seeded by the engine per step)."""
    if not path:
        return None
    from cnnviz.core.augment.pipeline import Pipeline

    return Pipeline.load(path).to_torch_transform()


def _default_out(config) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{stamp}-{'-vs-'.join(m.label for m in config.models)}"


class ProgressBar:
    """One line on a terminal, redrawn at most ten times a second; plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO, width: int = 24) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.tty = stream.isatty()
        self.latest: dict[str, tuple[float, float]] = {}
        self.started = time.perf_counter()
        self._drawn_at = 0.0
        self._printed_tenths = -1

    def update(self, step: int, model: str, loss: float, accuracy: float, rate: float) -> None:
        self.latest[model] = (loss, accuracy)
        now = time.perf_counter()
        done = step / self.total
        if self.tty:
            if now - self._drawn_at < 0.1 and step < self.total:
                return
            self._drawn_at = now
            self.stream.write("\r" + self._line(step, rate, now) + "\x1b[K")
        elif int(done * 10) > self._printed_tenths:
            self._printed_tenths = int(done * 10)
            self.stream.write(self._line(step, rate, now) + "\n")
        self.stream.flush()

    def _line(self, step: int, rate: float, now: float) -> str:
        filled = int(self.width * step / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = now - self.started
        left = elapsed / step * (self.total - step) if step else math.nan
        models = "  ".join(f"{m} {loss:.3f}/{acc:.0%}" for m, (loss, acc) in self.latest.items())
        return (f"[{bar}] {step}/{self.total}  {models}  {rate:,.0f} img/s  "
                f"{_clock(left)} left")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def run_train(args: argparse.Namespace) -> int:
    if args.list_presets:
        from cnnviz.core.train.presets import PRESETS

        for preset in PRESETS:
            print(f"{preset.key:30s} {preset.title}\n{'':30s} {preset.lesson}")
        return 0
    from cnnviz.core.train.engine import train
    from cnnviz.core.train.records import ModelStopped, RunFinished, RunStarted, StepRecord

    config = _config(args)
    out = Path(args.out) if args.out else _default_out(config)
    bar: ProgressBar | None = None
    finished = None
    for record in train(config, transform=_transform(config.pipeline), run_dir=out):
        if isinstance(record, RunStarted):
            names = " vs ".join(m.display_name for m in record.models)
            print(f"Training {names} on {record.dataset_name} ({record.train_samples} images) "
                  f"for {record.total_steps} steps on {record.device}"
                  f"{' with mixed precision' if record.amp else ''}; writing {record.run_dir}",
                  file=sys.stderr)
            if record.skipped:
                print(f"cnnviz: left out {record.skipped} file(s) of {config.data_dir} that "
                      "could not be read as pictures.", file=sys.stderr)
            if not args.quiet:
                bar = ProgressBar(record.total_steps, sys.stderr)
        elif isinstance(record, StepRecord) and bar is not None:
            bar.update(record.step, record.model, record.loss, record.accuracy,
                       record.samples_per_s)
        elif isinstance(record, ModelStopped):
            if bar is not None:
                bar.close()
            print(f"cnnviz: {record.message}", file=sys.stderr)
        elif isinstance(record, RunFinished):
            finished = record
    if bar is not None:
        bar.close()
    assert finished is not None
    print(finished.message, file=sys.stderr)
    _print_summary(Path(finished.run_dir), sys.stdout)
    if finished.reason in ("error", "out_of_memory"):
        print(f"cnnviz: {finished.message}", file=sys.stderr)
        return 2
    return 0


# -- cnnviz runs -------------------------------------------------------------------------------

def _fmt(value: float, spec: str) -> str:
    return format(value, spec) if math.isfinite(value) else "-"


def _ratio(value: float) -> str:
    """A first/last gradient ratio; 0 means no gradient reached the first layer at all."""
    return f"{'none':>15s}" if value == 0 else _fmt(value, "15.3g")


def _print_summary(path: Path, out: TextIO) -> None:
    from cnnviz.core.train.runreader import read_run
    from cnnviz.core.train.summary import summarise

    run = read_run(path)
    meta = run.meta
    config = meta.get("config") or {}
    print(f"Run {path}  [{run.status}]", file=out)
    details = [meta.get("dataset_name") or config.get("dataset"), meta.get("device"),
               f"batch {config['batch_size']}" if config.get("batch_size") else None,
               meta.get("created")]
    print("  " + ", ".join(str(d) for d in details if d), file=out)
    rows = summarise(run)
    width = max([len(r.name) for r in rows] + [5])
    print(f"  {'model':{width}s}  {'steps':>6s}  {'loss':>8s}  {'acc':>6s}  {'val loss':>8s}  "
          f"{'val acc':>7s}  {'first/last grad':>15s}", file=out)
    for r in rows:
        print(f"  {r.name:{width}s}  {r.last_step:6d}  {_fmt(r.loss, '8.4f')}  "
              f"{_fmt(r.accuracy, '6.1%')}  {_fmt(r.val_loss, '8.4f')}  "
              f"{_fmt(r.val_accuracy, '7.1%')}  {_ratio(r.grad_ratio)}", file=out)
    for r in rows:
        print(f"  {r.gradient_sentence}", file=out)
        if r.stopped:
            print(f"  {r.name} stopped: {r.stopped}", file=out)
    for log in run.models:
        print(f"  {_weights_line(path, log)}", file=out)


def _weights_line(path: Path, log) -> str:
    """Where a model's trained weights are, for ``cnnviz activations --weights``."""
    from cnnviz.core.train.run_weights import ENDINGS, weights_sentence

    saved = log.weights
    if saved is None or saved.file is None:
        return f"{log.name} weights: none. {weights_sentence(log.name, saved)}"
    where = path / saved.file
    missing = "" if where.is_file() else " (missing)"
    return (f"{log.name} weights: {where}{missing}, from step {saved.step:,} "
            f"{ENDINGS.get(saved.after, '')}".rstrip())


def run_runs(args: argparse.Namespace) -> int:
    from cnnviz.core.train.runreader import is_run_folder

    path = Path(args.path)
    if is_run_folder(path):
        _print_summary(path, sys.stdout)
        return 0
    if path.is_file():
        raise TrainingError(f"{path} is a file; give a run folder or a folder of runs.")
    if not path.is_dir():
        raise TrainingError(f"There is no folder {path}.")
    found = sorted(p for p in path.iterdir() if is_run_folder(p))
    if not found:
        raise TrainingError(f"{path} holds no run folders (a run folder has a run.json).")
    failed = 0
    for index, run_path in enumerate(found):
        if index:
            print(file=sys.stdout)
        try:
            _print_summary(run_path, sys.stdout)
        except TrainingError as exc:  # one damaged run does not hide the others
            failed += 1
            print(f"cnnviz: {exc}", file=sys.stderr)
    return 2 if failed == len(found) else 0
