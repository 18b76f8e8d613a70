"""A :class:`ModelReport` as JSON, CSV, Markdown or an aligned text table.

Every writer returns the text and, given ``path``, also writes it (atomically).  ``depth``
limits the rows like torchinfo's: layers nested deeper than ``depth`` module levels are
summed into their enclosing block at that depth (``None`` lists every layer).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnnviz.core.inspect.depth import weighted_layers
from cnnviz.core.inspect.report import ModelReport
from cnnviz.core.inspect.textio import atomic_write_text, human_bytes, human_count


@dataclass
class SummaryRow:
    """One line of a summary: a module, or (with ``depth``) a block standing for the modules
    inside it.  ``module_count`` counts every traced node the row stands for (a
    convolution, its batch norm and its ReLU are three modules); the weighted layers among
    them are :func:`cnnviz.core.inspect.depth.block_layers`."""

    name: str
    type: str
    kind: str
    depth: int
    output_shape: tuple[int, ...]
    params: int
    trainable_params: int
    macs: int
    activation_bytes: int
    rf: int | None
    module_count: int
    is_block: bool


def _layer_depth(layer) -> int:
    """Module nesting depth: "conv1" is 1, "layer1.0.conv1" 3; an operation counts one
    level below the block it runs in."""
    if layer.op == "module":
        return layer.name.count(".") + 1
    return (layer.block.count(".") + 2) if layer.block else 1


def summary_rows(report: ModelReport, depth: int | None = None) -> list[SummaryRow]:
    """The rows of the summary in execution order (the input and output markers left out)."""
    rows: list[SummaryRow] = []
    open_blocks: dict[str, SummaryRow] = {}
    for layer in report.layers:
        if layer.kind in ("input", "output"):
            continue
        d = _layer_depth(layer)
        if depth is None or d <= depth:
            rows.append(SummaryRow(layer.name, layer.type, layer.kind, d, layer.output_shape,
                                   layer.params, layer.trainable_params, layer.macs,
                                   layer.activation_bytes, layer.rf, 1, False))
            continue
        path = ".".join(layer.block.split(".")[:depth])
        row = open_blocks.get(path)
        if row is None:
            row = SummaryRow(path, report.block(path).type, "block", depth, (), 0, 0, 0, 0, None,
                             0, True)
            open_blocks[path] = row
            rows.append(row)
        row.output_shape, row.rf = layer.output_shape, layer.rf
        row.params += layer.params
        row.trainable_params += layer.trainable_params
        row.macs += layer.macs
        row.activation_bytes += layer.activation_bytes
        row.module_count += 1
    return rows


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(v) for v in shape)


def _plain(value: Any) -> Any:
    """JSON-safe hyper-parameter values (tuples become lists, anything odd its repr)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return repr(value)


def report_dict(report: ModelReport, depth: int | None = None) -> dict[str, Any]:
    t = report.totals
    data: dict[str, Any] = {
        "arch": report.arch, "display_name": report.display_name,
        "input_shape": list(report.input_shape), "num_classes": report.num_classes,
        "total_params": t.params, "trainable_params": t.trainable_params,
        "frozen_params": t.frozen_params, "macs": t.macs,
        "activation_bytes": t.activation_bytes, "batch_size": report.batch_size,
        "batch_activation_bytes": report.batch_activation_bytes, "size_bytes": t.size_bytes,
        "traced_with": report.traced_with, "network_depth": report.network_depth,
        "weighted_layers": weighted_layers(report),
    }
    if depth is None:
        data["layers"] = [{
            "id": layer.id, "name": layer.name, "type": layer.type, "kind": layer.kind,
            "block": layer.block, "input_shapes": [list(s) for s in layer.input_shapes],
            "output_shape": list(layer.output_shape), "params": layer.params,
            "trainable_params": layer.trainable_params, "macs": layer.macs,
            "activation_bytes": layer.activation_bytes, "rf": layer.rf, "rf_jump": layer.rf_jump,
            "hyper": {k: _plain(v) for k, v in layer.hyper.items()}, "formulas": layer.formulas,
            "inputs": list(report.graph.predecessors(layer.id)),
        } for layer in report.layers]
    else:
        data["depth"] = depth
        data["layers"] = [{
            "name": r.name, "type": r.type, "kind": r.kind, "output_shape": list(r.output_shape),
            "params": r.params, "trainable_params": r.trainable_params, "macs": r.macs,
            "activation_bytes": r.activation_bytes, "rf": r.rf, "modules": r.module_count,
        } for r in summary_rows(report, depth)]
    data["blocks"] = [{
        "path": b.path, "type": b.type, "params": b.params, "macs": b.macs, "repeat": b.repeat,
        "repeat_of": b.repeat_of,
    } for b in report.root.walk() if b.path]
    return data


def _finish(text: str, path: str | Path | None) -> str:
    if path is not None:
        atomic_write_text(Path(path), text)
    return text


def report_to_json(report: ModelReport, path: str | Path | None = None,
                   depth: int | None = None) -> str:
    return _finish(json.dumps(report_dict(report, depth), indent=2) + "\n", path)


CSV_COLUMNS = ("name", "type", "kind", "output_shape", "params", "trainable_params", "macs",
               "activation_bytes", "rf")


def report_to_csv(report: ModelReport, path: str | Path | None = None,
                  depth: int | None = None) -> str:
    """One row per summary row; shapes as ``CxHxW``; an empty ``rf`` past the flatten."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in summary_rows(report, depth):
        writer.writerow([r.name, r.type, r.kind, _shape(r.output_shape), r.params,
                         r.trainable_params, r.macs, r.activation_bytes,
                         "" if r.rf is None else r.rf])
    return _finish(buffer.getvalue(), path)


def _block_type(row: SummaryRow) -> str:
    noun = "module" if row.module_count == 1 else "modules"
    return f"{row.type} ({row.module_count} {noun})"


def _totals_lines(report: ModelReport) -> list[str]:
    t = report.totals
    return [
        f"Depth: {report.network_depth} layers with weights on the longest path "
        f"({weighted_layers(report)} in all; {len(report.layers)} modules)",
        f"Parameters: {t.params:,} (trainable {t.trainable_params:,}, frozen {t.frozen_params:,})",
        f"Multiply-adds: {t.macs:,} ({human_count(t.macs)}) per image; pooling and "
        "element-wise products not counted",
        f"Activations: {human_bytes(t.activation_bytes)} per image, "
        f"{human_bytes(report.batch_activation_bytes)} for a batch of {report.batch_size}",
        f"Size on disk: {human_bytes(t.size_bytes)}",
    ]


def report_to_markdown(report: ModelReport, path: str | Path | None = None,
                       depth: int | None = None) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"# {report.display_name}", "",
             f"Input {_shape(report.input_shape)}, traced with {report.traced_with}.", "",
             "| # | Layer | Type | Output shape | Params | MACs | RF |",
             "|---:|---|---|---|---:|---:|---:|"]
    for i, r in enumerate(summary_rows(report, depth), 1):
        kind = _block_type(r) if r.is_block else r.type
        lines.append(f"| {i} | `{cell(r.name)}` | {cell(kind)} | {_shape(r.output_shape)} | "
                     f"{r.params:,} | {r.macs:,} | {'' if r.rf is None else r.rf} |")
    lines += [""] + [f"- {line}" for line in _totals_lines(report)]
    return _finish("\n".join(lines) + "\n", path)


def report_to_table(report: ModelReport, path: str | Path | None = None,
                    depth: int | None = None) -> str:
    """An aligned plain-text table for a terminal, totals underneath."""
    rows = summary_rows(report, depth)
    header = ("Layer", "Type", "Output shape", "Params", "MACs", "RF")
    body = []
    for r in rows:
        indent = "  " * (max(r.depth, 1) - 1)
        kind = _block_type(r) if r.is_block else r.type
        body.append((indent + r.name, kind, _shape(r.output_shape), f"{r.params:,}",
                     human_count(r.macs) if r.macs else "-", "" if r.rf is None else str(r.rf)))
    widths = [max(len(header[i]), *(len(row[i]) for row in body)) if body else len(header[i])
              for i in range(len(header))]
    right = {3, 4, 5}

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                         for i, cell in enumerate(row)).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    title = f"{report.display_name}  (input {_shape(report.input_shape)}, traced with {report.traced_with})"
    lines = [title, rule, fmt(header), rule, *(fmt(row) for row in body), rule,
             *_totals_lines(report)]
    return _finish("\n".join(lines) + "\n", path)
