"""The course's arithmetic for one layer, as text with the numbers filled in.

The notation is the one of the classic CNN courses: ``f`` the filter size, ``s`` the stride,
``p`` the padding, ``n`` the input size, ``n_c_prev`` / ``n_c`` the input / output channels.
"""

from __future__ import annotations

import math

from torch import nn

from cnnviz.core.inspect.shapes import as_tuple
from cnnviz.core.inspect.trace import Op


def _n(value: int) -> str:
    return f"{value:,}"


def _size_formulas(op: Op, kernel, stride, padding, dilation, ceil: bool) -> list[str]:
    """``output = floor((n + 2p - f)/s) + 1`` for each spatial dimension (one line when the
    layer and its input are square)."""
    if not op.input_shapes:
        return []
    dims = len(kernel)
    n_in = op.input_shapes[0][-dims:]
    n_out = op.output_shape[-dims:]
    rnd = "ceil" if ceil else "floor"
    lines = []
    for axis, (n, f, s, p, d, o) in enumerate(zip(n_in, kernel, stride, padding, dilation, n_out)):
        if d == 1:
            text = (f"{rnd}((n + 2p - f)/s) + 1 = {rnd}(({n} + 2*{p} - {f})/{s}) + 1 = {o}")
        else:
            text = (f"{rnd}((n + 2p - d*(f-1) - 1)/s) + 1 = "
                    f"{rnd}(({n} + 2*{p} - {d}*({f}-1) - 1)/{s}) + 1 = {o}")
        lines.append((axis, text))
    same = len(set(n_in)) == 1 and all(len(set(v)) == 1 for v in (kernel, stride, padding, dilation))
    if same or dims == 1:
        return [f"output = {lines[-1][1]}"]
    labels = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}[dims]
    return [f"output {labels[axis]} = {text}" for axis, text in lines]


def _kernel_text(kernel: tuple[int, ...]) -> tuple[str, str]:
    """Symbolic and numeric kernel area: ("f*f", "5*5") or ("f_h*f_w", "3*1")."""
    if len(set(kernel)) == 1:
        return "*".join(["f"] * len(kernel)), "*".join(str(k) for k in kernel)
    names = {2: ("f_h", "f_w"), 3: ("f_d", "f_h", "f_w"), 1: ("f",)}[len(kernel)]
    return "*".join(names), "*".join(str(k) for k in kernel)


def conv_formulas(op: Op, macs: int) -> list[str]:
    m = op.target
    sym, num = _kernel_text(tuple(m.kernel_size))
    n_prev, n_c, g = m.in_channels, m.out_channels, m.groups
    params = m.weight.numel() + (m.bias.numel() if m.bias is not None else 0)
    if g == 1:
        prev_sym, prev_num = "n_c_prev", f"{n_prev}"
    else:
        prev_sym, prev_num = "(n_c_prev/g)", f"({n_prev}/{g})"
    if m.bias is not None:
        lines = [f"params = ({sym}*{prev_sym} + 1)*n_c = ({num}*{prev_num} + 1)*{n_c} = {_n(params)}"]
    else:
        lines = [f"params = {sym}*{prev_sym}*n_c = {num}*{prev_num}*{n_c} = {_n(params)} (no bias)"]
    if not isinstance(m, nn.modules.conv._ConvTransposeNd) and not isinstance(m.padding, str):
        lines += _size_formulas(op, m.kernel_size, m.stride, m.padding, m.dilation, False)
        out_sym = "*".join(["n_out"] * len(m.kernel_size))
        out_num = "*".join(str(v) for v in op.output_shape[2:])
        lines.append(f"macs = {out_sym}*n_c*{sym}*{prev_sym} = "
                     f"{out_num}*{n_c}*{num}*{prev_num} = {_n(macs)}")
    return lines


def linear_formulas(op: Op, macs: int) -> list[str]:
    m = op.target
    n_in, n_out = m.in_features, m.out_features
    if m.bias is not None:
        lines = [f"params = (n_in + 1)*n_out = ({n_in} + 1)*{n_out} = {_n((n_in + 1) * n_out)}"]
    else:
        lines = [f"params = n_in*n_out = {n_in}*{n_out} = {_n(n_in * n_out)} (no bias)"]
    rows = macs // max(1, n_in * n_out)
    if rows <= 1:
        lines.append(f"macs = n_in*n_out = {n_in}*{n_out} = {_n(macs)}")
    else:
        lines.append(f"macs = rows*n_in*n_out = {rows}*{n_in}*{n_out} = {_n(macs)}")
    return lines


_NOT_MACS = "an average, not counted as multiply-adds"


def pool_formulas(op: Op) -> list[str]:
    """Parameters and output size; for an average, the additions it makes (which the
    multiply-add count leaves out, see :mod:`cnnviz.core.inspect.stats`)."""
    m = op.target
    if isinstance(m, nn.modules.pooling._AdaptiveAvgPoolNd) and op.input_shapes \
            and len(op.input_shapes[0]) >= 3:
        spatial, c = op.input_shapes[0][2:], op.input_shapes[0][1]
        sym = "*".join(["n"] * len(spatial))
        num = "*".join(str(v) for v in spatial)
        adds = math.prod(spatial) * c
        return ["params = 0", f"adds = {sym}*n_c = {num}*{c} = {_n(adds)} ({_NOT_MACS})"]
    if not isinstance(m, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        return ["params = 0"]
    dims = int(type(m).__name__[-2])
    kernel = as_tuple(m.kernel_size, dims)
    stride = as_tuple(m.stride if m.stride is not None else m.kernel_size, dims)
    lines = ["params = 0"]
    lines += _size_formulas(op, kernel, stride, as_tuple(m.padding, dims),
                            as_tuple(getattr(m, "dilation", 1), dims), m.ceil_mode)
    if isinstance(m, nn.modules.pooling._AvgPoolNd) and len(op.output_shape) == dims + 2:
        sym, num = _kernel_text(kernel)
        out_sym = "*".join(["n_out"] * dims)
        out_num = "*".join(str(v) for v in op.output_shape[2:])
        c = op.output_shape[1]
        adds = math.prod(op.output_shape[1:]) * math.prod(kernel)
        lines.append(f"adds = {out_sym}*n_c*{sym} = {out_num}*{c}*{num} = {_n(adds)} "
                     f"({_NOT_MACS})")
    return lines


def norm_formulas(op: Op) -> list[str]:
    m = op.target
    if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.affine:
        c = m.num_features
        return [f"params = 2*n_c = 2*{c} = {_n(2 * c)} (gamma and beta; the running mean and "
                f"variance add {_n(2 * c)} values that are not trained)"]
    return []


def rf_formula(rf_prev: int, jump_prev: int, f: int, s: int, d: int) -> str:
    rf = rf_prev + (f - 1) * d * jump_prev
    dil = f"{d}*" if d != 1 else ""
    dil_sym = "d*" if d != 1 else ""
    return (f"rf = rf_prev + (f-1)*{dil_sym}jump_prev = {rf_prev} + ({f}-1)*{dil}{jump_prev} = {rf}; "
            f"jump = jump_prev*s = {jump_prev}*{s} = {jump_prev * s}")


def layer_formulas(op: Op, kind: str, macs: int) -> list[str]:
    """The parameter and output-size arithmetic of ``op`` (without the receptive field)."""
    if op.op != "module":
        if op.type in ("mul", "mul_") and len(op.output_shape) > 1:
            products = math.prod(op.output_shape[1:])
            return [f"products = one per output element = {_n(products)} "
                    "(element-wise, not counted as multiply-adds)"]
        return []
    m = op.target
    if isinstance(m, nn.modules.conv._ConvNd):
        return conv_formulas(op, macs)
    if isinstance(m, nn.Linear):
        return linear_formulas(op, macs)
    if kind == "pool":
        return pool_formulas(op)
    if kind == "norm":
        return norm_formulas(op)
    if kind == "activation" and not any(True for _ in m.parameters()):
        return ["params = 0"]
    return []

