"""Cost of GradNormRecorder: a training step with per-layer gradient norms against without.

Peer: the same PyTorch training loop (same model, batch, optimiser) without any recording.
"recorder" reads the numbers at once (``record()`` in a user's script); "one step late" is how
the training engine reads them on a GPU: the copy to the host is started without waiting and
read after the next step is queued, so the device never idles for it.  Also timed for
reference: the naive way, one ``p.grad.norm().item()`` per parameter.
Target: recording costs at most 3% of a step.  The modes alternate step by step so that
background load hits them alike, and the medians of the step times are compared; the cost of
the norm computation alone is timed separately, free of the step's noise.

    python benchmarks/bench_gradnorm.py [--arch resnet20] [--batch 32] [--steps 10]
                                        [--rounds 7] [--device cpu] [--amp] [--threads 1]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import torch
import torch.nn.functional as F

from cnnviz.core.train import GradNormRecorder
from cnnviz.core.zoo import resolve

MODES = ("bare", "recorder", "late", "naive")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(arch: str = "resnet20", batch: int = 32, steps: int = 10, rounds: int = 7,
            device: str = "cpu", amp: bool = False, channels_last: bool = False) -> dict:
    """Median seconds per step of each mode, the norm computation alone, and the layer count."""
    dev = torch.device(device)
    torch.manual_seed(0)
    spec = resolve(arch)
    model = spec.build(num_classes=10).to(dev)
    c, h, w = spec.input_shape
    x = torch.randn(batch, c, h, w, device=dev)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (batch,), device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    recorder = GradNormRecorder(model)
    recorder.trace(x[:2])
    params = [p for p in model.parameters() if p.requires_grad]
    in_flight: list[torch.Tensor] = []

    def autocast():
        if amp and dev.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def step(mode: str) -> None:
        opt.zero_grad(set_to_none=True)
        with autocast():
            out = model(x)
        F.cross_entropy(out.float(), y).backward()
        if mode == "recorder":
            recorder.grad_norms_tensor().cpu()  # one host copy per step, waited for
        elif mode == "late":
            in_flight.append(recorder.grad_norms_tensor().to("cpu", non_blocking=True))
        elif mode == "naive":
            [p.grad.norm().item() for p in params]
        opt.step()

    def timed(mode: str) -> float:
        _sync(dev)
        start = time.perf_counter()
        step(mode)
        _sync(dev)
        in_flight.clear()  # read (the step was synchronised)
        return time.perf_counter() - start

    for mode in MODES:  # warm up every path
        for _ in range(2):
            timed(mode)
    # Modes alternate step by step, so that background load and clock changes hit all alike.
    results: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(rounds * steps):
        for mode in MODES:
            results[mode].append(timed(mode))

    # The norm computation alone, without the step around it, for a figure free of noise.
    opt.zero_grad()
    with autocast():
        out = model(x)
    F.cross_entropy(out.float(), y).backward()
    _sync(dev)
    reps = 100
    start = time.perf_counter()
    for _ in range(reps):
        recorder.grad_norms_tensor().cpu()
    _sync(dev)
    alone = (time.perf_counter() - start) / reps
    medians = {mode: statistics.median(times) for mode, times in results.items()}
    return {**medians, "alone": alone, "layers": len(recorder.layer_names), "arch": arch,
            "batch": batch, "device": str(dev), "rounds": rounds, "steps": steps}


def report(r: dict) -> None:
    bare, rec, late, naive = r["bare"], r["recorder"], r["late"], r["naive"]
    print(f"{r['arch']} on {r['device']}, batch {r['batch']}, {r['layers']} layers, "
          f"{r['rounds'] * r['steps']} steps each, alternating (median step times)")
    print(f"  bare loop              {bare * 1e3:8.2f} ms/step")
    print(f"  with GradNormRecorder  {rec * 1e3:8.2f} ms/step   ratio {rec / bare:.4f} "
          f"({(rec / bare - 1) * 100:+.2f}%)")
    print(f"  read one step late     {late * 1e3:8.2f} ms/step   ratio {late / bare:.4f} "
          f"({(late / bare - 1) * 100:+.2f}%; the engine's way; target at most +3%)")
    print(f"  naive .item() per layer{naive * 1e3:8.2f} ms/step   ratio {naive / bare:.4f}")
    print(f"  recording alone        {r['alone'] * 1e3:8.3f} ms = "
          f"{r['alone'] / bare * 100:.2f}% of a bare step")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="resnet20")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", action="store_true", help="bfloat16 autocast (CUDA only)")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for torch (0: torch's default); 1 is steadier on a "
                             "shared machine")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    report(measure(args.arch, args.batch, args.steps, args.rounds, args.device, args.amp,
                   args.channels_last))


if __name__ == "__main__":
    main()
