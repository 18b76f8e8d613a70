"""``cnnviz activations ARCH IMAGE --layer NAME --out DIR``: feature maps as PNG files."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from cnnviz.cli.arch import ARCH_HELP, add_trust_argument, resolve_arch
from cnnviz.core.errors import CnnvizError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "activations", help="run an image through a network and write its feature maps",
        description="Run IMAGE through ARCH and write the chosen layer's feature maps as PNGs: "
                    "a mosaic of every channel, one file per channel, and the picture the "
                    "network saw.")
    p.add_argument("arch", metavar="ARCH", help=ARCH_HELP)
    p.add_argument("image", metavar="IMAGE",
                   help="a picture (JPEG, PNG, BMP, GIF, TIFF or WebP)")
    p.add_argument("--layer", action="append", default=[], metavar="NAME",
                   help="layer name (repeatable); 'all' for every layer with feature maps; "
                        "omit with --list-layers to see the names")
    p.add_argument("--weights", default=None, metavar="FILE",
                   help="a PyTorch weights file (a run folder's MODEL/weights.pt, as "
                        "'cnnviz runs' lists them, rebuilds that model as it was trained), or "
                        "'imagenet' for torchvision's published weights (downloaded once); "
                        "random weights when omitted")
    p.add_argument("--sort", choices=("index", "mean"), default="index",
                   help="order of the channels in the mosaic")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="folder to write into (created if missing)")
    p.add_argument("--list-layers", action="store_true", help="print the layer names and stop")
    add_trust_argument(p)
    p.set_defaults(func=run)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "layer"


def _progress(done: int, total: int) -> None:
    if total:
        print(f"\rdownloading weights: {done * 100 // total:3d}%", end="", file=sys.stderr)


def _run_model(weights: str):
    """``(model, preprocess, class names)`` when ``weights`` is the weights file of a model
    in a run folder (``<run>/<model>/weights.pt``), else ``None``."""
    from cnnviz.core.probe import lab_preprocess
    from cnnviz.core.train.run_weights import load_trained
    from cnnviz.core.train.runreader import is_run_folder, read_meta

    path = Path(weights).resolve()
    run_dir = path.parent.parent
    if not is_run_folder(run_dir):
        return None
    meta = read_meta(run_dir)
    for entry in meta["models"]:
        file = (entry.get("weights") or {}).get("file")
        if file and (run_dir / file).resolve() == path:
            model = load_trained(run_dir, meta, entry["name"])
            size = int(meta.get("image_size") or 32)
            prep = lab_preprocess(size, int(meta.get("channels") or 3), meta.get("mean", ()),
                                  meta.get("std", ()), int(meta.get("data_size") or 0))
            return model, prep, tuple(meta.get("classes") or ()), entry.get("arch", "")
    return None


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from cnnviz.core.augment import load_image, save_image
    from cnnviz.core.probe import (
        activation_stats, capture_activations, feature_grid, fetch_weights, load_weights_file,
        pretrained_weights, preprocess_for, top_k,
    )
    from cnnviz.core.zoo import resolve
    from cnnviz.core.inspect.textio import atomic_write_text

    spec = resolve_arch(args)
    trained = _run_model(args.weights) if args.weights and args.weights != "imagenet" else None
    if trained is not None:  # built, loaded and fed as the run trained it
        model, prep, categories, arch = trained
        if resolve(arch).name != spec.name:
            raise CnnvizError(f"{args.weights} holds the weights of "
                              f"{resolve(arch).display_name}, not {spec.display_name}; give "
                              f"{arch} as the network.")
    else:
        model = spec.build()
        prep = preprocess_for(spec.input_shape)
        categories = ()
        if args.weights == "imagenet":
            choice = pretrained_weights(spec.name)
            if choice is None:
                raise CnnvizError(f"torchvision publishes no ImageNet weights for "
                                  f"{spec.display_name}.")
            load_weights_file(model, fetch_weights(choice.url, progress=_progress))
            categories = choice.categories
        elif args.weights:
            load_weights_file(model, args.weights)
    image = load_image(args.image)
    seen = prep.crop_image(image)
    acts = capture_activations(model, prep.to_tensor(seen))
    spatial = acts.spatial_layers()
    if args.list_layers:
        for name in spatial:
            print(f"{name:40s} {'x'.join(map(str, acts.get(name).shape))}")
        return 0
    if not args.layer or args.out is None:
        raise CnnvizError("Name a layer with --layer (see --list-layers) and a folder with --out.")
    wanted = spatial if "all" in args.layer else args.layer
    for name in wanted:
        if name not in acts or acts.get(name).dim() != 3:
            raise CnnvizError(f"{spec.display_name} has no layer with feature maps called "
                              f"'{name}'; --list-layers shows the names.")
    args.out.mkdir(parents=True, exist_ok=True)
    save_image(np.repeat(seen[..., :1], 3, axis=2) if prep.channels == 1 else seen,
               args.out / "input.png")
    stats = {s.name: s for s in activation_stats(acts)}
    for name in wanted:
        act = acts.get(name)
        folder = args.out / _safe(name)
        folder.mkdir(exist_ok=True)
        grid = feature_grid(act, order=args.sort)
        save_image(np.repeat(grid.image[..., None], 3, axis=2), folder / "grid.png")
        for c in range(act.shape[0]):
            tile = feature_grid(act[c:c + 1], cols=1, pad=0).image
            save_image(np.repeat(tile[..., None], 3, axis=2), folder / f"channel_{c:04d}.png")
        s = stats[name]
        atomic_write_text(folder / "stats.json", json.dumps({
            "layer": name, "shape": list(act.shape), "mean": s.mean, "std": s.std,
            "zero_fraction": s.zero_fraction, "dead_channels": s.dead_channels,
            "channel_order": grid.order}, indent=2))
        print(f"{name}: {act.shape[0]} maps of {act.shape[1]}x{act.shape[2]} -> {folder}")
    if categories and acts.logits is not None:
        for p in top_k(acts.logits, categories, 5):
            print(f"  {p.probability:6.1%}  {p.name}")
    return 0
