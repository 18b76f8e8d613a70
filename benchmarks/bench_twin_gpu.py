"""GPU check of the training engine: CUDA training, AMP, channels-last, recording cost, twins.

Run on a machine with a CUDA GPU (about 2-4 minutes on one H100):

    python benchmarks/bench_twin_gpu.py [--pair plain20,resnet20] [--batch 128] [--steps 60]

It prints one line per check and exits non-zero when a check fails:

1. the engine trains on CUDA with AMP (bfloat16 where supported) and channels-last, and its
   gradient norms are finite and close to a float32 run's at the first step;
2. the cost of GradNormRecorder on the GPU against the same loop without it (target <= 3%);
3. twin throughput: the engine training the pair on the same batches against two bare PyTorch
   loops over the same models with the same precision settings, data on the GPU
   (target: the engine reaches at least 90% of the bare loops' throughput).  The two are timed
   in turn, ``--rounds`` times, and the median ratio is judged: on a GPU shared with others,
   or whose clocks move, one timing of each can be 30% apart.  The training set has CIFAR-10's
   50,000 images by default, so epochs end as rarely as in a real run;
4. out of memory: an impossible batch stops the run with advice and a readable run folder.

``--profile`` adds where a step's time goes: host time per step, kernel launches and the
device's busy time, for the engine and for a bare loop (torch.profiler).

``--device cpu --quick`` runs the same code on the CPU with tiny sizes, to check the script.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gradnorm import measure, report  # noqa: E402

from cnnviz.core.train import ModelConfig, RunConfig, RunFinished, StepRecord, read_run, train  # noqa: E402
from cnnviz.core.train.datasets import load_dataset  # noqa: E402
from cnnviz.core.zoo import resolve  # noqa: E402

FAILURES: list[str] = []


def check(ok: bool, text: str) -> None:
    print(f"[{'ok' if ok else 'FAIL'}] {text}", flush=True)
    if not ok:
        FAILURES.append(text)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def amp_check(pair: list[str], device: str, data) -> None:
    """First-step gradient norms with AMP + channels-last against float32."""
    firsts = {}
    for amp in (False, True):
        config = RunConfig(models=(ModelConfig(pair[0]),), batch_size=64, steps=3, device=device,
                           amp=amp, channels_last=amp, validate=False)
        records = list(train(config, data=data))
        steps = [r for r in records if isinstance(r, StepRecord)]
        started = records[0]
        check(records[-1].reason == "completed" and len(steps) == 3,
              f"{pair[0]} trains on {started.device} with amp={started.amp}, "
              f"channels_last={started.channels_last}")
        firsts[amp] = steps[0].grad_norms
        check(bool(np.isfinite(steps[-1].grad_norms).all()), "gradient norms are finite")
    rel = np.abs(firsts[True] - firsts[False]) / np.maximum(firsts[False], 1e-12)
    check(float(np.median(rel)) < 0.05,
          f"AMP first-step gradient norms within 5% of float32 (median difference "
          f"{np.median(rel) * 100:.2f}%)")


def bare_loops(pair: list[str], data, batch: int, steps: int, device: torch.device,
               amp: bool, channels_last: bool) -> float:
    """Seconds for ``steps`` steps of each model, one plain loop per model, data on device."""
    images = data.train_x.to(device)
    labels = data.train_y.to(device)
    mean = torch.tensor(data.mean, device=device).view(1, -1, 1, 1)
    std = torch.tensor(data.std, device=device).view(1, -1, 1, 1)
    generator = torch.Generator().manual_seed(0)
    total = 0.0
    for arch in pair:
        torch.manual_seed(0)
        model = resolve(arch).build(num_classes=len(data.classes)).to(device)
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
        autocast = (torch.autocast("cuda", dtype=torch.bfloat16) if amp
                    else contextlib.nullcontext())

        def one_step():
            index = torch.randint(0, len(labels), (batch,), generator=generator).to(device)
            x = (images[index].float() / 255 - mean) / std
            if channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            opt.zero_grad(set_to_none=True)
            with autocast:
                out = model(x)
            F.cross_entropy(out.float(), labels[index]).backward()
            opt.step()

        for _ in range(5):
            one_step()
        _sync(device)
        start = time.perf_counter()
        for _ in range(steps):
            one_step()
        _sync(device)
        total += time.perf_counter() - start
    return total


def engine_seconds(pair: list[str], data, batch: int, steps: int, device: str,
                   log_every: int) -> tuple[float, str]:
    """Seconds the engine takes for ``steps`` twin steps, after ``log_every`` warm-up steps.

    The clock starts at the first logged step (the engine has synchronised there) and stops
    at the last, so ``steps`` should be a multiple of ``log_every``.
    """
    config = RunConfig(models=tuple(ModelConfig(a) for a in pair), batch_size=batch,
                       steps=log_every + steps, device=device, lr=0.05, log_every=log_every,
                       validate=False)
    started_at = None
    for record in train(config, data=data):
        if isinstance(record, StepRecord) and started_at is None:
            _sync(torch.device(device))
            started_at = time.perf_counter()
        if isinstance(record, RunFinished):
            _sync(torch.device(device))
            return time.perf_counter() - started_at, record.reason
    raise RuntimeError("the run did not finish")


def twin_check(pair: list[str], data, batch: int, steps: int, device: str,
               rounds: int) -> None:
    dev = torch.device(device)
    cuda = dev.type == "cuda"
    ratios: dict[int, list[float]] = {10: [], 1: []}
    for number in range(1, rounds + 1):
        bare = bare_loops(pair, data, batch, steps, dev, amp=cuda, channels_last=cuda)
        bare_rate = steps * batch / bare
        line = [f"  round {number}: two bare loops {bare / steps * 1e3:.1f} ms per step of both"]
        for log_every in ratios:
            seconds, reason = engine_seconds(pair, data, batch, steps, device, log_every)
            # the warm-up step of log_every=1 is step 1, so both runs time ``steps`` steps
            check(reason == "completed", f"engine run ({log_every=}) completed")
            ratios[log_every].append(steps * batch / seconds / bare_rate)
            line.append(f"engine (log every {log_every}) {seconds / steps * 1e3:.1f} ms")
        print("; ".join(line), flush=True)
    for log_every, values in ratios.items():
        median = float(np.median(values))
        check(median >= 0.9,
              f"twin engine, logging every {log_every} step(s): median ratio {median:.3f} of "
              f"two bare loops over {rounds} rounds (range {min(values):.3f}-"
              f"{max(values):.3f}; target >= 0.90)")


def profile_check(pair: list[str], data, batch: int, device: str) -> None:
    """Host time, aten calls, kernel launches and device busy time per step: the engine against
    two bare loops.  Each is profiled over ``short`` and ``long`` steps and the difference is
    divided by the extra steps, so building the models and warming up drop out."""
    from torch.profiler import ProfilerActivity, profile

    dev = torch.device(device)
    cuda = dev.type == "cuda"
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    short, long = 10, 30

    def totals(run) -> np.ndarray:
        with profile(activities=activities) as prof:
            seconds = run()
        events = prof.key_averages()
        return np.array([
            seconds,
            sum(e.count for e in events if e.key.startswith("aten::")),
            sum(e.count for e in events if "LaunchKernel" in e.key),
            sum(getattr(e, "self_device_time_total", 0) for e in events) / 1e6,
        ], dtype=float)

    def line(name: str, run) -> None:
        seconds, ops, launches, busy = (totals(lambda: run(long)) -
                                        totals(lambda: run(short))) / (long - short)
        text = f"  {name}: {seconds * 1e3:.1f} ms per step, {ops:.0f} aten calls"
        if cuda:
            text += f", {launches:.0f} kernel launches, device busy {busy * 1e3:.1f} ms"
        print(text, flush=True)

    line("two bare loops", lambda steps: bare_loops(pair, data, batch, steps, dev, amp=cuda,
                                                   channels_last=cuda))
    for log_every in (10, 1):
        line(f"engine, log every {log_every}",
             lambda steps: engine_seconds(pair, data, batch, steps, device, log_every)[0])


def oom_check(device: str, quick: bool) -> None:
    if torch.device(device).type != "cuda":
        print("[skip] out-of-memory check needs a GPU")
        return
    size = 65_536
    data = load_dataset("shapes", image_size=32, train_size=size, val_size=64)
    with tempfile.TemporaryDirectory() as tmp:
        config = RunConfig(models=(ModelConfig("plain110"), ModelConfig("resnet110")),
                           batch_size=size, steps=2, device=device, validate=False)
        records = list(train(config, data=data, run_dir=Path(tmp) / "oom"))
        finished = records[-1]
        check(finished.reason == "out_of_memory" and "batch size of" in finished.message,
              f"out of memory ends the run with advice: {finished.message}")
        run = read_run(Path(tmp) / "oom")
        check(run.status == "failed", "the run folder is readable and marked failed")
    torch.cuda.empty_cache()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", default="plain20,resnet20")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=60, help="timed steps (a multiple of 10)")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timings of each")
    parser.add_argument("--train-size", type=int, default=50_000,
                        help="training images (CIFAR-10 has 50,000)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile host time and kernel launches per step")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (script check)")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print("No CUDA GPU here; run with --device cpu --quick to check the script.")
        return 2
    pair = args.pair.split(",")
    batch, steps = (8, 10) if args.quick else (args.batch, args.steps)
    if args.device.startswith("cuda"):
        print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    size = max(2048 if args.quick else args.train_size, batch * 4)
    data = load_dataset("shapes", image_size=32, train_size=size, val_size=256)
    print(f"{pair[0]} and {pair[1]}, batch {batch}: {size // batch} steps per epoch")

    print("1. AMP and channels-last")
    amp_check(pair, args.device, data)
    print("2. gradient-norm recording cost")
    result = measure(pair[0], batch, steps=5 if args.quick else 20,
                     rounds=1 if args.quick else 5, device=args.device,
                     amp=args.device.startswith("cuda"),
                     channels_last=args.device.startswith("cuda"))
    report(result)
    check(args.quick or result["late"] / result["bare"] <= 1.03,
          f"recording, read as the engine does, costs "
          f"{(result['late'] / result['bare'] - 1) * 100:+.2f}% of a step")
    print("3. twin throughput against two bare loops")
    twin_check(pair, data, batch, steps, args.device, 1 if args.quick else args.rounds)
    if args.profile:
        print("3b. where a step's time goes")
        profile_check(pair, data, batch, args.device)
    print("4. out of memory")
    oom_check(args.device, args.quick)
    if FAILURES and not args.quick:
        print(f"{len(FAILURES)} check(s) failed.")
        return 1
    print("done." if not FAILURES else f"done (script check; {len(FAILURES)} speed checks "
          "missed on this CPU, as expected).")
    return 0 if not FAILURES or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
