"""``cnnviz list``, ``cnnviz summary`` and ``cnnviz graph``: the architectures, headless.

``register`` stays cheap: torch and the inspection engine load inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from cnnviz.core.errors import CnnvizError, InputShapeError, TrustRequiredError

SUMMARY_FORMATS = ("table", "json", "csv", "markdown")
GRAPH_SUFFIXES = (".svg", ".png", ".dot", ".json")
ARCH_HELP = ("a zoo name (resnet18), a torchvision model name, file.py:ClassName, or a network "
             "saved with torch.save (model.pt, see --trust)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("list", help="list the architectures of the zoo",
                              description="List the architectures of the zoo. Any torchvision "
                              "classification model name, 'file.py:ClassName' and a network "
                              "saved with torch.save (model.pt) work too.")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="a table to read (default) or JSON for scripts")
    p.set_defaults(func=run_list)

    p = subparsers.add_parser("summary", help="layer-by-layer summary of a network",
                              description="Print every layer of a network with its output "
                              "shape, parameters, multiply-adds and receptive field.")
    _model_arguments(p)
    p.add_argument("--depth", type=int, metavar="N",
                   help="sum layers nested deeper than N modules into their block")
    p.add_argument("--format", choices=SUMMARY_FORMATS, default="table",
                   help="table to read (default), json, csv for a spreadsheet, or markdown "
                        "for notes")
    p.set_defaults(func=run_summary)

    p = subparsers.add_parser("graph", help="write the layer graph to a file",
                              description="Write the layer graph as SVG, PNG, DOT or JSON "
                              "(chosen by the file's suffix). For PDF, export from the window "
                              "(File menu) or print the SVG from a browser.")
    _model_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE",
                   help="output file: .svg, .png, .dot or .json")
    p.add_argument("--expand", action="store_true",
                   help="draw every layer (big networks otherwise show their blocks collapsed)")
    p.set_defaults(func=run_graph)


def _model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("arch", metavar="ARCH", help=ARCH_HELP)
    p.add_argument("--input", metavar="CxHxW", help="input shape without the batch, e.g. 3x224x224")
    p.add_argument("--classes", type=int, metavar="N", help="number of output classes")
    p.add_argument("--batch", type=int, default=1, metavar="N",
                   help="batch size for the activation memory (default 1)")
    p.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                   help="a builder switch, e.g. -o batch_norm=false -o activation=tanh")
    add_trust_argument(p)


def add_trust_argument(p: argparse.ArgumentParser) -> None:
    """``--trust``: allow loading a network pickled with torch.save (it runs code)."""
    p.add_argument("--trust", action="store_true",
                   help="open a network saved whole with torch.save (model.pt); loading it "
                        "runs Python code from the file, so use this only for files you trust")


def resolve_arch(args: argparse.Namespace):
    """The spec ARCH names, with ``--trust`` applied; a pickled network without it gets one
    sentence that names the option."""
    from cnnviz.core.zoo import resolve

    try:
        return resolve(args.arch, trusted=getattr(args, "trust", False))
    except TrustRequiredError as exc:
        name = getattr(exc.path, "name", exc.path)
        where = f" from {exc.module.rsplit('.', 1)[-1]}.py" if exc.module else ""
        raise CnnvizError(f"{name} is a whole pickled network ({exc.class_name}{where}), and "
                          "loading it runs Python code from the file; add --trust if you trust "
                          "where it came from.") from None


def parse_shape(text: str) -> tuple[int, ...]:
    """"3x224x224" (or "3,224,224") -> (3, 224, 224)."""
    parts = [p for p in re.split(r"[x,\s]+", text.strip().lower()) if p]
    if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise InputShapeError(f"'{text}' is not an input shape; write it as channels x height "
                              "x width, e.g. 3x224x224.")
    return tuple(int(p) for p in parts)


def parse_options(items: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise CnnvizError(f"'{item}' is not an option; write it as KEY=VALUE, "
                              "e.g. batch_norm=false.")
        value: Any = raw.strip()
        if value.lower() in ("true", "yes", "on"):
            value = True
        elif value.lower() in ("false", "no", "off"):
            value = False
        else:
            try:
                value = int(value)
            except ValueError:
                try:
                    value = float(value)
                except ValueError:
                    pass
        options[key.strip()] = value
    return options


def _inspect(args: argparse.Namespace):
    from cnnviz.core.inspect import inspect_model

    if args.classes is not None and args.classes < 1:
        raise CnnvizError("The number of classes must be at least 1.")
    shape = parse_shape(args.input) if args.input else None
    return inspect_model(resolve_arch(args), input_shape=shape, num_classes=args.classes,
                         batch_size=args.batch, options=parse_options(args.option) or None)


def run_list(args: argparse.Namespace) -> int:
    from cnnviz.core.zoo import list_specs

    specs = list_specs()
    if args.format == "json":
        print(json.dumps([{
            "name": s.name, "display_name": s.display_name, "family": s.family, "year": s.year,
            "paper": s.paper, "input_shape": list(s.input_shape), "num_classes": s.num_classes,
            "twin": s.twin, "options": s.options, "note": s.note,
        } for s in specs], indent=2))
        return 0
    rows = [("Name", "Network", "Family", "Year", "Input", "Twin")]
    rows += [(s.name, s.display_name, s.family, str(s.year),
              "x".join(map(str, s.input_shape)), s.twin or "") for s in specs]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("\nAny torchvision classification model name (e.g. efficientnet_b0), "
          "path/to/file.py:ClassName and a saved model.pt work as ARCH too.")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    from cnnviz.core.inspect import (
        report_to_csv, report_to_json, report_to_markdown, report_to_table,
    )

    if args.depth is not None and args.depth < 1:
        raise CnnvizError("--depth must be at least 1.")
    report = _inspect(args)
    writer = {"table": report_to_table, "json": report_to_json, "csv": report_to_csv,
              "markdown": report_to_markdown}[args.format]
    sys.stdout.write(writer(report, depth=args.depth))
    return 0


def run_graph(args: argparse.Namespace) -> int:
    from cnnviz.core.inspect import graph_to_dot, graph_to_json, graph_to_png, graph_to_svg

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        pdf = " (for PDF, print the SVG or export from the window)" if suffix == ".pdf" else ""
        raise CnnvizError(f"Cannot write a graph as '{suffix or out.name}'; end the file name "
                          f"with .svg, .png, .dot or .json{pdf}.")
    if not out.parent.is_dir():
        raise CnnvizError(f"The folder '{out.parent}' does not exist; create it first.")
    report = _inspect(args)
    writer = {".svg": graph_to_svg, ".png": graph_to_png, ".dot": graph_to_dot,
              ".json": graph_to_json}[suffix]
    writer(report, out, collapsed=frozenset() if args.expand else None)
    print(f"Wrote the graph of {report.display_name} to {out}.")
    return 0
