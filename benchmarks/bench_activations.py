"""Switching layers in the Look-inside panel: ResNet-50 at 224x224 on the CPU.

cnnviz runs the picture once, keeps every layer's output, and on a layer switch only draws
the new mosaic.  Timed here: from ``LookInsidePanel.select_layer(name)`` until the new grid
has been painted (a synchronous repaint of the view, offscreen).

Peer: the obvious way without kept activations, re-running the network for every switch
with torchvision's ``create_feature_extractor`` (trace the network for that layer, run the
picture through it), then drawing the same mosaic the same way.  Both run in this process on
the same model, picture and layers, alternating layer by layer so background load hits them
alike; medians are compared.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_activations.py [--arch resnet50]
                                                 [--rounds 3] [--threads 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

# Layers from every stage, shallow (64 maps of 112x112) to deep (2048 maps of 7x7).
LAYERS = ("conv1", "layer1.0.conv1", "layer1.2.conv3", "layer2.0.conv2", "layer2.3.bn3",
          "layer3.0.conv1", "layer3.5.conv3", "layer4.0.conv2", "layer4.2.conv3")


def _photo(h: int = 375, w: int = 500) -> np.ndarray:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, ((x // 25 + y // 25) % 2) * 200], axis=2)
    return np.clip(img + rng.integers(-25, 25, img.shape), 0, 255).astype(np.uint8)


def _wait(app, condition, timeout: float = 600.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the panel did not finish in time")
        app.processEvents()
        time.sleep(0.005)


def measure(arch: str = "resnet50", rounds: int = 3) -> dict:
    import torch
    from torchvision.models.feature_extraction import create_feature_extractor

    from cnnviz.ui.app import make_application
    from cnnviz.ui.probe import LookInsidePanel
    from cnnviz.ui.theme import theme_manager

    app = make_application()
    theme_manager().apply()
    panel = LookInsidePanel()
    panel.resize(1400, 900)
    panel.show()
    image = _photo()
    start = time.perf_counter()
    panel.set_architecture(arch)
    panel.set_image(image, "photo")
    _wait(app, lambda: panel.probe is not None)
    first_run = time.perf_counter() - start
    # The panel traces the network for receptive fields after the first run; torch.fx
    # patches nn.Module.__call__ process-wide while tracing, so the peer waits for it.
    _wait(app, lambda: panel.report is not None and not panel.worker.busy)
    probe = panel.probe
    layers = [name for name in LAYERS if name in probe.layers]
    model, prep = probe.network.model, probe.network.prep
    x = prep(image)
    view = panel.grid_view

    def ours(name: str) -> float:
        t = time.perf_counter()
        panel.select_layer(name)
        view.viewport().repaint()
        return time.perf_counter() - t

    def peer(name: str) -> float:
        t = time.perf_counter()
        extractor = create_feature_extractor(model, return_nodes=[name])
        with torch.no_grad():
            act = extractor(x)[name][0]
        view.show_layer(name, act, "index")
        view.viewport().repaint()
        return time.perf_counter() - t

    ours(layers[-1])  # warm both paths once
    peer(layers[0])
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    for _ in range(rounds):
        for name in layers:
            times["ours"].append(ours(name))
            times["peer"].append(peer(name))
    panel.shutdown()
    return {"first_run": first_run, "layers": len(layers), "kept_mb": probe.acts.nbytes / 1e6,
            **{k: statistics.median(v) for k, v in times.items()},
            "ours_max": max(times["ours"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="resnet50")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    r = measure(args.arch, args.rounds)
    print(f"{args.arch}, 224x224 on the CPU ({torch.get_num_threads()} threads), "
          f"{r['layers']} layers x {args.rounds} rounds")
    print(f"  first run (build, run once, keep {r['kept_mb']:.0f} MB): {r['first_run']:.2f} s")
    print(f"  cnnviz layer switch (draw kept maps):   median {r['ours'] * 1e3:8.1f} ms, "
          f"worst {r['ours_max'] * 1e3:.1f} ms")
    print(f"  peer: create_feature_extractor per switch: median {r['peer'] * 1e3:8.1f} ms")
    print(f"  ratio peer / cnnviz: {r['peer'] / r['ours']:.1f} (cnnviz is that many times faster)")


if __name__ == "__main__":
    main()
