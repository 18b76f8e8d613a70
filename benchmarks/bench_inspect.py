"""Opening a network in cnnviz against torchinfo and torchview, in the same process.

For ResNet-152, VGG-16 and GoogLeNet it times:

* cnnviz: ``inspect_model`` (build on ``meta``, trace, per-layer statistics) plus the layout
  the graph view opens with (``default_collapsed`` + ``compute_layout``), and the layout of
  every layer expanded;
* torchinfo: building the torchvision model and ``summary()`` on a 1x3x224x224 input;
* torchview: building the model and ``draw_graph()`` on the same input.

Each time is the median of ``--repeat`` runs after one warm-up.  Peak memory is measured in a
fresh subprocess per tool and model (the kernel's RSS high-water mark, reset after imports), which
shows VGG-16 inspected without allocating its 528 MiB of weights.

Target: cnnviz at most a tenth of torchinfo's time on ResNet-152.

    .venv/bin/python benchmarks/bench_inspect.py [--repeat N] [--no-memory]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import warnings

MODELS = ("resnet152", "vgg16", "googlenet")
INPUT = (1, 3, 224, 224)


def build_cpu(name: str):
    import torchvision

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torchvision.models.get_model(name, weights=None).eval()


def run_cnnviz(name: str) -> None:
    from cnnviz.core.inspect import compute_layout, default_collapsed, inspect_model

    report = inspect_model(f"torchvision:{name}", input_shape=INPUT[1:])
    compute_layout(report, default_collapsed(report))


def run_cnnviz_expanded(name: str) -> None:
    from cnnviz.core.inspect import compute_layout, inspect_model

    compute_layout(inspect_model(f"torchvision:{name}", input_shape=INPUT[1:]))


def run_torchinfo(name: str) -> None:
    import torchinfo

    torchinfo.summary(build_cpu(name), input_size=INPUT, verbose=0)


def run_torchview(name: str) -> None:
    import torchview

    torchview.draw_graph(build_cpu(name), input_size=INPUT, device="cpu")


TOOLS = {
    "cnnviz": run_cnnviz,
    "cnnviz (all layers)": run_cnnviz_expanded,
    "torchinfo": run_torchinfo,
    "torchview": run_torchview,
}


def median_time(func, name: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()  # so that no tool pays for collecting another tool's garbage
        start = time.perf_counter()
        func(name)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def peak_child(tool: str, name: str) -> None:
    """Subprocess entry: import what ``tool`` needs, run it once, print the peak RSS growth."""
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    if tool.startswith("cnnviz"):
        import cnnviz.core.inspect  # noqa: F401
        import cnnviz.core.zoo  # noqa: F401
    else:
        __import__(tool)
    gc.collect()
    # Reset the kernel's high-water mark (VmHWM) to the current RSS, so the imports' own
    # peak does not count (Linux: writing 5 to clear_refs).
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    before = _status_kib("VmRSS")
    TOOLS[tool](name)
    peak = _status_kib("VmHWM")
    print(json.dumps({"peak_mib": max(0, peak - before) / 1024}))


def peak_mib(tool: str, name: str) -> float:
    result = subprocess.run([sys.executable, __file__, "--peak-child", tool, name],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_mib"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--peak-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_child:
        peak_child(*args.peak_child)
        return 0

    for tool in TOOLS.values():  # warm-up: lazy imports and first-call caches
        tool("resnet18")
    times: dict[tuple[str, str], float] = {}
    print(f"median of {args.repeat} runs, input {'x'.join(map(str, INPUT))}, "
          f"torch threads: {__import__('torch').get_num_threads()}")
    print(f"{'model':<11}" + "".join(f"{t:>21}" for t in TOOLS) + f"{'vs torchinfo':>15}"
          f"{'vs torchview':>15}")
    for name in MODELS:
        for tool, func in TOOLS.items():
            times[tool, name] = median_time(func, name, args.repeat)
        ratio_info = times["cnnviz", name] / times["torchinfo", name]
        ratio_view = times["cnnviz", name] / times["torchview", name]
        print(f"{name:<11}" + "".join(f"{times[t, name]:>20.3f}s" for t in TOOLS)
              + f"{ratio_info:>15.3f}{ratio_view:>15.3f}", flush=True)
    ratio = times["cnnviz", "resnet152"] / times["torchinfo", "resnet152"]
    verdict = "meets" if ratio <= 0.1 else "MISSES"
    print(f"\nResNet-152: cnnviz takes {ratio:.3f} of torchinfo's time "
          f"({1 / ratio:.0f}x faster); {verdict} the target of at most 0.1.")

    if not args.no_memory:
        measured = ("cnnviz", "torchinfo", "torchview")
        print("\npeak RSS growth of one run, fresh process each (MiB)")
        print(f"{'model':<11}" + "".join(f"{t:>21}" for t in measured))
        for name in MODELS:
            peaks = [peak_mib(tool, name) for tool in measured]
            print(f"{name:<11}" + "".join(f"{p:>21.1f}" for p in peaks), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
