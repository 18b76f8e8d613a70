"""Output shapes of the common layers by arithmetic, without running them.

Running a layer on the ``meta`` device gives its output shape too, but costs about a
millisecond per call in PyTorch's Python meta kernels; these rules cost microseconds.  A layer
without a rule is run on ``meta``.  Every rule raises :class:`Shrunk` when the input is too
small for the layer, so the caller can name the layer in the error.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Callable, Sequence

import torch
from torch import nn


class Shrunk(Exception):
    """The input is too small for this layer (the message says how)."""


class Mismatch(Exception):
    """The input does not fit the layer (e.g. the wrong number of channels)."""


def as_tuple(value: Any, n: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * n


def window_out(n: int, k: int, s: int, p: int, d: int = 1, ceil: bool = False) -> int:
    """``floor((n + 2p - d*(k-1) - 1)/s) + 1``, PyTorch's rule (``ceil_mode`` included)."""
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise Shrunk(f"its {k}x{k} window does not fit a {n}-pixel-wide input")
    out = (math.ceil(span / s) if ceil else span // s) + 1
    # PyTorch: with ceil_mode the last window must start inside the input or left padding.
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    if out <= 0:
        raise Shrunk(f"it would produce an empty {out}-pixel output")
    return out


def _conv(m: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...]:
    dims = len(m.kernel_size)
    if len(shape) != dims + 2:
        raise Mismatch(f"it expects a {dims + 1}-D input per sample, got {len(shape) - 1}-D")
    if shape[1] != m.in_channels:
        raise Mismatch(f"it expects {m.in_channels} input channels, got {shape[1]}")
    if isinstance(m.padding, str):
        raise NotImplementedError  # 'same'/'valid': let meta execution decide
    spatial = [
        window_out(n, k, s, p, d)
        for n, k, s, p, d in zip(shape[2:], m.kernel_size, m.stride, m.padding, m.dilation)
    ]
    return (shape[0], m.out_channels, *spatial)


def _pool(m: nn.Module, shape: tuple[int, ...], dims: int) -> tuple[int, ...]:
    k = as_tuple(m.kernel_size, dims)
    s = as_tuple(m.stride if m.stride is not None else m.kernel_size, dims)
    p = as_tuple(m.padding, dims)
    d = as_tuple(getattr(m, "dilation", 1), dims)
    if len(shape) < dims + 1:
        raise Mismatch(f"it expects a {dims}-D spatial input")
    spatial = [
        window_out(n, kk, ss, pp, dd, m.ceil_mode)
        for n, kk, ss, pp, dd in zip(shape[-dims:], k, s, p, d)
    ]
    return (*shape[:-dims], *spatial)


def _adaptive(m: nn.Module, shape: tuple[int, ...], dims: int) -> tuple[int, ...]:
    size = as_tuple(m.output_size, dims)
    spatial = [n if o is None else o for n, o in zip(shape[-dims:], size)]
    return (*shape[:-dims], *spatial)


def _linear(m: nn.Linear, shape: tuple[int, ...]) -> tuple[int, ...]:
    if shape[-1] != m.in_features:
        raise Mismatch(f"it expects {m.in_features} input features, got {shape[-1]}")
    return (*shape[:-1], m.out_features)


def _flatten_shape(shape: Sequence[int], start: int, end: int) -> tuple[int, ...]:
    n = len(shape)
    start, end = start % n, end % n
    return (*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:])


def _same(m: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape


MODULE_RULES: dict[type, Callable[[nn.Module, tuple[int, ...]], tuple[int, ...]]] = {
    nn.Conv1d: _conv, nn.Conv2d: _conv, nn.Conv3d: _conv,
    nn.MaxPool1d: lambda m, s: _pool(m, s, 1),
    nn.MaxPool2d: lambda m, s: _pool(m, s, 2),
    nn.MaxPool3d: lambda m, s: _pool(m, s, 3),
    nn.AvgPool1d: lambda m, s: _pool(m, s, 1),
    nn.AvgPool2d: lambda m, s: _pool(m, s, 2),
    nn.AvgPool3d: lambda m, s: _pool(m, s, 3),
    nn.AdaptiveAvgPool1d: lambda m, s: _adaptive(m, s, 1),
    nn.AdaptiveAvgPool2d: lambda m, s: _adaptive(m, s, 2),
    nn.AdaptiveAvgPool3d: lambda m, s: _adaptive(m, s, 3),
    nn.AdaptiveMaxPool2d: lambda m, s: _adaptive(m, s, 2),
    nn.Linear: _linear,
    nn.Flatten: lambda m, s: _flatten_shape(s, m.start_dim, m.end_dim),
}
for _cls in (
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.ReLU, nn.ReLU6, nn.Tanh, nn.Sigmoid,
    nn.GELU, nn.SiLU, nn.Hardswish, nn.Hardsigmoid, nn.LeakyReLU, nn.ELU, nn.Dropout,
    nn.Dropout2d, nn.Dropout1d, nn.Dropout3d, nn.Identity, nn.LocalResponseNorm,
    nn.Softmax, nn.LogSoftmax, nn.Mish, nn.PReLU, nn.GroupNorm, nn.InstanceNorm2d,
):
    MODULE_RULES[_cls] = _same


def _broadcast(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(torch.broadcast_shapes(*shapes))


def _shape_of(value: Any) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def _binary(args: tuple, kwargs: dict) -> tuple[int, ...] | None:
    if len(args) != 2 or kwargs:
        return None
    a, b = (_shape_of(v) for v in args)
    if a is None and b is None:
        return None
    if a is None or b is None:
        return a or b
    return _broadcast(a, b)


def _flatten_fn(args: tuple, kwargs: dict) -> tuple[int, ...] | None:
    shape = _shape_of(args[0])
    start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
    end = args[2] if len(args) > 2 else kwargs.get("end_dim", -1)
    return None if shape is None else _flatten_shape(shape, start, end)


def _cat(args: tuple, kwargs: dict) -> tuple[int, ...] | None:
    tensors = args[0]
    dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
    shapes = [_shape_of(t) for t in tensors]
    if not shapes or any(s is None for s in shapes):
        return None
    first = list(shapes[0])
    dim %= len(first)
    for s in shapes[1:]:
        if len(s) != len(first) or any(a != b for i, (a, b) in enumerate(zip(s, first)) if i != dim):
            raise Mismatch("the tensors it joins differ in size outside the joined dimension")
    first[dim] = sum(s[dim] for s in shapes)
    return tuple(first)


def _unary(args: tuple, kwargs: dict) -> tuple[int, ...] | None:
    return _shape_of(args[0]) if args else None


FUNCTION_RULES: dict[Any, Callable[[tuple, dict], tuple[int, ...] | None]] = {
    operator.add: _binary, operator.mul: _binary, operator.sub: _binary,
    operator.iadd: _binary, torch.add: _binary, torch.mul: _binary,
    torch.flatten: _flatten_fn, torch.cat: _cat, torch.concat: _cat,
    torch.relu: _unary, torch.sigmoid: _unary, torch.tanh: _unary,
    nn.functional.relu: _unary, nn.functional.relu6: _unary, nn.functional.dropout: _unary,
}
METHOD_RULES: dict[str, Callable[[tuple, dict], tuple[int, ...] | None]] = {
    "add": _binary, "mul": _binary, "add_": _binary, "flatten": _flatten_fn,
    "relu": _unary, "relu_": _unary, "sigmoid": _unary, "contiguous": _unary,
}


def module_output_shape(module: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The output shape of ``module`` for an input of ``shape`` (batch included), or ``None``
    when no rule knows this module (the caller then runs it on ``meta``)."""
    rule = MODULE_RULES.get(type(module))
    if rule is None:
        return None
    try:
        return rule(module, shape)
    except NotImplementedError:
        return None
