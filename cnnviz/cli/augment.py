"""``cnnviz augment``: write augmented samples of pictures, or list the operations.

    cnnviz augment IMAGE_OR_FOLDER... --pipeline P.json --count N --seed S --out DIR
    cnnviz augment --list-ops [--format json|table]

Sample ``i`` of picture ``cat.jpg`` is drawn with the same generator (seed, i, "cat.jpg")
that the Augment workspace's preview grid uses, so the files match what the preview showed,
every picture gets its own random crops and turns, and running the command twice with the
same seed writes byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cnnviz.core.errors import CnnvizError

IMAGE_FORMATS = ("png", "jpg", "webp", "bmp", "tiff")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "augment",
        help="write augmented samples of pictures with a saved pipeline",
        description="Apply an augmentation pipeline (JSON, as saved by the Augment workspace) "
        "to pictures and write COUNT samples of each; or list the available operations.",
    )
    parser.add_argument("images", nargs="*", metavar="IMAGE",
                        help="picture files or folders of pictures")
    parser.add_argument("--pipeline", "-p", metavar="P.json", help="the pipeline file to apply")
    parser.add_argument("--count", "-n", type=int, default=8, metavar="N",
                        help="samples per picture (default 8)")
    parser.add_argument("--seed", "-s", type=int, default=0, metavar="S",
                        help="random seed; the same seed writes the same files (default 0)")
    parser.add_argument("--out", "-o", metavar="DIR", help="folder to write the samples into")
    parser.add_argument("--image-format", choices=IMAGE_FORMATS, default="png",
                        help="file type of the samples (default png)")
    parser.add_argument("--max-side", type=int, metavar="PX",
                        help="shrink pictures so their longest side is at most PX first")
    parser.add_argument("--list-ops", action="store_true",
                        help="list the operations and their parameters, then exit")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="output of --list-ops (default table)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list_ops:
        return _list_ops(args.format)
    return _augment(args)


def _list_ops(fmt: str) -> int:
    from cnnviz.core.augment.ops import describe_ops

    ops = describe_ops()
    if fmt == "json":
        print(json.dumps(ops, indent=2))
        return 0
    rows = [("NAME", "CATEGORY", "PARAMETERS", "WHAT IT DOES")]
    for op in ops:
        params = ", ".join(_param_text(p) for p in op["params"]) or "-"
        if op.get("probability", 1.0) < 1.0:  # applied to only some samples when added
            params = f"p={op['probability']:g}, {params}" if params != "-" else \
                f"p={op['probability']:g}"
        rows.append((op["name"], op["category"], params, op["description"]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    return 0


def _param_text(param: dict) -> str:
    default = param["default"]
    if param["ranged"]:
        value = f"{default[0]:g}..{default[1]:g}"
    elif isinstance(default, bool) or param["kind"] == "choice":
        value = str(default).lower()
    else:
        value = f"{default:g}"
    return f"{param['name']}={value}"


def _augment(args: argparse.Namespace) -> int:
    from cnnviz.core.augment.image_io import iter_image_files, load_image, save_image
    from cnnviz.core.augment.pipeline import Pipeline, sample_rng

    if not args.images:
        raise CnnvizError("Name at least one picture or folder to augment (or use --list-ops).")
    if not args.pipeline:
        raise CnnvizError(
            "Name the pipeline to apply with --pipeline P.json "
            "(save one from the Augment workspace, or see --list-ops)."
        )
    if not args.out:
        raise CnnvizError("Name the folder for the samples with --out DIR.")
    if args.count < 1:
        raise CnnvizError(f"--count must be at least 1, not {args.count}.")
    if args.max_side is not None and args.max_side < 8:
        raise CnnvizError(f"--max-side must be at least 8 pixels, not {args.max_side}.")
    if args.seed < 0:
        raise CnnvizError(f"--seed must be 0 or more, not {args.seed}.")
    pipeline = Pipeline.load(args.pipeline)
    files = iter_image_files(args.images)
    if files.skipped:
        names = ", ".join(p.name for p in files.skipped[:5])
        more = f" and {len(files.skipped) - 5} more" if len(files.skipped) > 5 else ""
        print(f"cnnviz: skipped {len(files.skipped)} file(s) that are not pictures: "
              f"{names}{more}.", file=sys.stderr)
    if not files.images:
        raise CnnvizError("None of the files named is a picture (JPEG, PNG, BMP, GIF, TIFF, WebP).")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CnnvizError(f"The output {out} exists and is not a folder.")
    out.mkdir(parents=True, exist_ok=True)

    written = failed = 0
    used: set[str] = set()
    for path in files.images:
        try:
            image = load_image(path, max_side=args.max_side)
        except CnnvizError as exc:
            print(f"cnnviz: {exc}", file=sys.stderr)
            failed += 1
            continue
        stem = _unique_stem(path.stem, used)
        for i in range(args.count):
            sample = pipeline.sample(image, sample_rng(args.seed, i, path.name))
            save_image(sample.image, out / f"{stem}_{i:03d}.{args.image_format}")
            written += 1
    if failed == len(files.images):
        raise CnnvizError("None of the pictures could be read; nothing was written.")
    print(f"Wrote {written} sample(s) of {len(files.images) - failed} picture(s) to {out}.")
    return 1 if failed else 0


def _unique_stem(stem: str, used: set[str]) -> str:
    """Pictures from different folders may share a name; number the later ones."""
    candidate, n = stem, 2
    while candidate in used:
        candidate, n = f"{stem}-{n}", n + 1
    used.add(candidate)
    return candidate
