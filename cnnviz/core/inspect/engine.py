"""``inspect_model``: from an architecture reference to a :class:`ModelReport`."""

from __future__ import annotations

import math
import re
from itertools import chain
from typing import Any

import networkx as nx
import torch
from torch import nn

from cnnviz.core.errors import (
    ArchError, CnnvizError, InputShapeError, InputTooSmallError, TraceError,
)
from cnnviz.core.inspect import formulas as fm
from cnnviz.core.inspect.build import build_on, resolve_spec
from cnnviz.core.inspect.depth import longest_weighted_path
from cnnviz.core.inspect.hierarchy import build_blocks
from cnnviz.core.inspect.report import LayerNode, ModelReport, Totals
from cnnviz.core.inspect.shapes import Mismatch, Shrunk
from cnnviz.core.inspect.stats import classify, count_macs, function_hyper, module_hyper, window
from cnnviz.core.inspect.trace import Op, OpFailed, trace_fx, trace_hooks
from cnnviz.core.zoo.registry import ArchSpec

# PyTorch's wording when a window no longer fits or an output would be empty.
_TOO_SMALL = re.compile(r"too small|can't be greater than actual input size|"
                        r"non-positive|output size is|negative dimension", re.I)


def inspect_model(arch: str | ArchSpec | nn.Module, input_shape: tuple[int, ...] | None = None,
                  num_classes: int | None = None, batch_size: int = 1,
                  options: dict[str, Any] | None = None) -> ModelReport:
    """Trace ``arch`` and measure every layer.

    ``arch`` is a reference (zoo name, torchvision model name, ``file.py:Class``), an
    :class:`ArchSpec`, or a module (inspected where its parameters live, left unchanged).
    ``input_shape`` excludes the batch (default: the architecture's).  Models given by
    reference are built on the ``meta`` device: no weight memory is allocated.

    Raises :class:`ArchError` (unknown or unbuildable), :class:`InputTooSmallError`,
    :class:`InputShapeError` and :class:`TraceError`, each with a sentence for the user.
    """
    spec: ArchSpec | None = None
    if isinstance(arch, nn.Module):
        model, ref, display = arch, type(arch).__name__, type(arch).__name__
        if input_shape is None:
            raise ArchError(f"Give an input shape to inspect {display} (e.g. 3x224x224).")
    else:
        spec = resolve_spec(arch)
        try:
            model = build_on(spec, "meta", num_classes, options)
        except ArchError as exc:
            if "meta" not in str(exc.__cause__).lower():
                raise
            # A builder that reads its own weights while building: build it for real.
            model = build_on(spec, "cpu", num_classes, options)
        ref, display = spec.name, spec.display_name
        input_shape = tuple(input_shape or spec.input_shape)
        num_classes = num_classes or spec.num_classes
    if batch_size < 1 or not input_shape or any(int(v) < 1 for v in input_shape):
        raise InputShapeError(f"The input shape {_fmt(input_shape)} with batch size {batch_size} "
                              "is not valid: every size must be at least 1.")
    input_shape = tuple(int(v) for v in input_shape)
    ops, traced_with = _record(model, spec, display, input_shape, batch_size, num_classes, options)
    layers = _measure(ops)
    graph = nx.DiGraph()
    for layer in layers:
        graph.add_node(layer.id, layer=layer)
    for op in ops:
        for source in op.inputs:
            graph.add_edge(source, op.id)
    report = ModelReport(
        arch=ref, display_name=display, input_shape=input_shape, num_classes=num_classes,
        graph=graph, layers=layers, root=build_blocks(model, layers),
        totals=_totals(model, layers), traced_with=traced_with, batch_size=batch_size,
    )
    report.network_depth = longest_weighted_path(report)
    return report


def _fmt(shape: Any) -> str:
    return "x".join(str(v) for v in shape) if shape else "()"


def _record(model: nn.Module, spec: ArchSpec | None, display: str, shape: tuple[int, ...],
            batch: int, num_classes: int | None, options: dict | None) -> tuple[list[Op], str]:
    """Try torch.fx, then hooks on the same device, then (for models built here) hooks on
    the CPU with real weights: code that reads tensor values (``if x.mean() > 0``) cannot
    run on ``meta``.  A layer rejecting the input ends the search with the user's error."""
    was_training = {m: m.training for m in model.modules()}
    model.eval()
    device = next(chain(model.parameters(), model.buffers()), torch.empty(0)).device
    example = torch.empty((batch, *shape), device=device)

    def on_cpu() -> list[Op]:
        cpu_model = build_on(spec, "cpu", num_classes, options)
        return trace_hooks(cpu_model, torch.randn((batch, *shape)))

    attempts = [("fx", lambda: trace_fx(model, example)),
                ("hooks", lambda: trace_hooks(model, example))]
    if spec is not None and device.type == "meta":
        attempts.append(("hooks", on_cpu))
    last: BaseException | None = None
    try:
        with torch.no_grad():
            for label, attempt in attempts:
                try:
                    return attempt(), label
                except OpFailed as failed:
                    if _is_input_problem(failed.cause):
                        raise _input_error(failed, display, shape) from failed.cause
                    last = failed.cause
                except CnnvizError:
                    raise
                except Exception as exc:  # untraceable, or not runnable here: next attempt
                    last = exc
    finally:
        for module, flag in was_training.items():
            module.training = flag
    raise TraceError(f"{display} could neither be traced nor run on a {_fmt(shape)} input: "
                     f"{_first_line(last)}.") from last


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip().splitlines() if exc is not None else []
    return (text[0] if text else type(exc).__name__).rstrip(".")


def _is_input_problem(cause: BaseException) -> bool:
    """Whether a layer failed because of the input's shape (and not, say, because it has no
    ``meta`` implementation or reads tensor values, which the next recorder may survive)."""
    if isinstance(cause, (Shrunk, Mismatch)):
        return True
    return (isinstance(cause, RuntimeError) and not isinstance(cause, NotImplementedError)
            and "meta" not in str(cause).lower())


def _input_error(failed: OpFailed, display: str, shape: tuple[int, ...]) -> CnnvizError:
    cause = failed.cause
    where = f"layer '{failed.op_name}' ({failed.op_type})"
    if isinstance(cause, Shrunk) or _TOO_SMALL.search(str(cause)):
        return InputTooSmallError(
            f"A {_fmt(shape)} input is too small for {display}: it shrinks to nothing at "
            f"{where}, where {_first_line(cause)}; use a larger input.")
    return InputShapeError(f"A {_fmt(shape)} input does not fit {display}: at {where} "
                           f"{_first_line(cause)}.")


def _measure(ops: list[Op], dtype_bytes: int = 4) -> list[LayerNode]:
    layers: list[LayerNode] = []
    seen: set[int] = set()
    rf_of: dict[str, tuple[int, int] | None] = {}
    for order, op in enumerate(ops):
        kind = classify(op)
        params = trainable = 0
        for p in op.params:
            if id(p) in seen:
                continue  # a shared weight counts once, at its first use
            seen.add(id(p))
            params += p.numel()
            trainable += p.numel() if p.requires_grad else 0
        macs = count_macs(op, kind)
        hyper = module_hyper(op.target) if op.op == "module" else function_hyper(op)
        formulas = fm.layer_formulas(op, kind, macs)
        rf = _receptive_field(op, [rf_of.get(i) for i in op.inputs], formulas)
        rf_of[op.id] = rf
        out = op.output_shape[1:]
        layers.append(LayerNode(
            id=op.id, name=op.name, type=op.type, kind=kind, block=op.block, order=order,
            hyper=hyper, input_shapes=[s[1:] for s in op.input_shapes], output_shape=out,
            params=params, trainable_params=trainable, macs=macs,
            activation_bytes=0 if kind == "output" else math.prod(out) * dtype_bytes,
            rf=rf[0] if rf else None, rf_jump=rf[1] if rf else None, formulas=formulas,
            op=op.op,
        ))
    return layers


def _receptive_field(op: Op, inputs: list[tuple[int, int] | None],
                     formulas: list[str]) -> tuple[int, int] | None:
    """``(rf, jump)`` after ``op``: ``rf = rf_in + (k-1)*d*jump_in``, ``jump = jump_in*s``;
    at a merge the widest input wins; ``None`` once the output has no spatial axes."""
    if op.op == "input":
        return (1, 1) if len(op.output_shape) >= 3 else None
    if len(op.output_shape) < 3 or not inputs or any(r is None for r in inputs):
        return None
    rf_in, jump_in = max(inputs)
    win = window(op)
    if win is None:
        return rf_in, jump_in
    k, s, d = win
    formulas.append(fm.rf_formula(rf_in, jump_in, k, s, d))
    return rf_in + (k - 1) * d * jump_in, jump_in * s


def _totals(model: nn.Module, layers: list[LayerNode]) -> Totals:
    params = list(model.parameters())  # nn.Module.parameters() yields a shared weight once
    stored = {id(t): t for t in chain(params, model.buffers())}
    return Totals(
        params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        macs=sum(layer.macs for layer in layers),
        activation_bytes=sum(layer.activation_bytes for layer in layers),
        size_bytes=sum(t.numel() * t.element_size() for t in stored.values()),
    )
