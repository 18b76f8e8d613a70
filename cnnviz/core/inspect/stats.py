"""Per-layer numbers: kind, hyper-parameters, multiply-adds, receptive field, formulas.

Multiply-adds (MACs) are counted for one sample the way the papers, torchvision's published
GFLOPS (``weights.meta["_ops"]``, which are multiply-adds) and ``torch.utils.flop_counter``
count them: only the products of weights or activations that a layer sums,

* convolution: ``output elements * (input channels / groups) * kernel area``
  (transposed: ``input elements * (output channels / groups) * kernel area``); linear and
  matmul: ``output elements * input features``.  Biases are not counted.
* multi-head attention: the four projections and the two attention products;
  ``scaled_dot_product_attention``: ``Q K^T`` and ``A V``.  Attention written as a function
  torch.fx keeps whole (Swin's ``shifted_window_attention``), and ``einsum``, are measured
  with PyTorch's flop formulas while the model is recorded
  (:attr:`cnnviz.core.inspect.trace.Op.counted_macs`).
* everything else is 0: normalisation (at inference batch norm is ``a*x + b`` per channel and
  folds into the convolution before it), pooling (an average adds, then divides once per
  output; the arithmetic lines of an average pooling give its additions), element-wise
  products such as a squeeze-and-excitation gate (the arithmetic of a ``mul`` gives its
  count), additions, activations, concatenation and reshapes.
"""

from __future__ import annotations

import math
from typing import Any

from torch import nn

from cnnviz.core.inspect.shapes import as_tuple
from cnnviz.core.inspect.trace import Op

#: One sentence for a tooltip: what "Multiply-adds" counts.
MACS_MEANING = ("Multiply-adds of the convolutions, fully connected layers and attention "
                "products for one image, as the papers and torchvision count them; pooling, "
                "normalisation and element-wise products are left out.")


_FUNCTION_KINDS = {
    "conv": ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d"),
    "linear": ("linear", "matmul", "mm", "bmm", "addmm", "einsum",
               "scaled_dot_product_attention"),
    "norm": ("batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
             "normalize"),
    "activation": ("relu", "relu_", "relu6", "sigmoid", "tanh", "gelu", "silu", "hardswish",
                   "hardsigmoid", "leaky_relu", "elu", "softmax", "log_softmax", "mish",
                   "sigmoid_", "tanh_", "hardtanh", "prelu", "selu", "softplus"),
    "pool": ("max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
             "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
             "adaptive_max_pool1d", "adaptive_max_pool2d", "mean"),
    "dropout": ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout"),
    "add": ("add", "add_", "sub", "mul", "mul_", "iadd", "truediv", "div"),
    "concat": ("cat", "concat", "stack", "hstack", "vstack"),
    "reshape": ("flatten", "view", "reshape", "permute", "transpose", "squeeze", "unsqueeze",
                "contiguous", "getitem", "chunk", "split", "unflatten", "expand", "repeat"),
}
FUNCTION_KIND = {name: kind for kind, names in _FUNCTION_KINDS.items() for name in names}


def classify(op: Op) -> str:
    """One of :data:`cnnviz.core.inspect.report.KINDS`."""
    if op.op in ("input", "output"):
        return op.op
    if op.op != "module":
        return FUNCTION_KIND.get(op.type, "other")
    m = op.target
    module = type(m).__module__
    if isinstance(m, nn.modules.conv._ConvNd):
        return "conv"
    if isinstance(m, (nn.Linear, nn.Bilinear, nn.MultiheadAttention)):
        return "linear"
    if module == "torch.nn.modules.batchnorm" or module == "torch.nn.modules.normalization" \
            or module == "torch.nn.modules.instancenorm":
        return "norm"
    if module == "torch.nn.modules.activation":
        return "activation"
    if module == "torch.nn.modules.pooling":
        return "pool"
    if module == "torch.nn.modules.dropout":
        return "dropout"
    if isinstance(m, (nn.Flatten, nn.Unflatten)):
        return "reshape"
    return "other"


def _per_sample(shape: tuple[int, ...]) -> int:
    return math.prod(shape[1:]) if len(shape) > 1 else 1


def module_hyper(m: nn.Module) -> dict[str, Any]:
    """The hyper-parameters a student reads off a layer, as plain Python values."""
    if isinstance(m, nn.modules.conv._ConvNd):
        return {
            "in_channels": m.in_channels, "out_channels": m.out_channels,
            "kernel": tuple(m.kernel_size), "stride": tuple(m.stride),
            "padding": m.padding if isinstance(m.padding, str) else tuple(m.padding),
            "dilation": tuple(m.dilation), "groups": m.groups, "bias": m.bias is not None,
        }
    if isinstance(m, nn.Linear):
        return {"in_features": m.in_features, "out_features": m.out_features,
                "bias": m.bias is not None}
    if isinstance(m, nn.modules.batchnorm._BatchNorm):
        return {"num_features": m.num_features, "eps": m.eps, "momentum": m.momentum,
                "affine": m.affine}
    if isinstance(m, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        dims = int(type(m).__name__[-2])
        hyper = {"kernel": as_tuple(m.kernel_size, dims),
                 "stride": as_tuple(m.stride if m.stride is not None else m.kernel_size, dims),
                 "padding": as_tuple(m.padding, dims), "ceil_mode": m.ceil_mode}
        if hasattr(m, "dilation"):
            hyper["dilation"] = as_tuple(m.dilation, dims)
        return hyper
    if isinstance(m, (nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd)):
        return {"output_size": m.output_size}
    if isinstance(m, nn.modules.dropout._DropoutNd):
        return {"p": m.p}
    if isinstance(m, nn.Flatten):
        return {"start_dim": m.start_dim, "end_dim": m.end_dim}
    if isinstance(m, nn.LocalResponseNorm):
        return {"size": m.size, "alpha": m.alpha, "beta": m.beta, "k": m.k}
    if isinstance(m, (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Hardswish, nn.SiLU)) and \
            getattr(m, "inplace", False):
        return {"inplace": True}
    return {}


def function_hyper(op: Op) -> dict[str, Any]:
    """The settings of a functional operation (``torch.flatten(x, 1)``: start_dim 1)."""
    hyper: dict[str, Any] = {}
    if op.type == "flatten":
        hyper["start_dim"] = op.arguments[0] if op.arguments else op.kwarguments.get("start_dim", 0)
    elif op.type in ("cat", "concat", "stack"):
        hyper["dim"] = op.arguments[1] if len(op.arguments) > 1 else op.kwarguments.get("dim", 0)
    for key, value in op.kwarguments.items():
        if value is not None and key != "inplace":
            hyper[key] = value
    return hyper


def count_macs(op: Op, kind: str) -> int:
    """Multiply-adds for one sample (see the module docstring for the conventions)."""
    if op.counted_macs is not None:
        return op.counted_macs
    out = _per_sample(op.output_shape)
    if op.op == "module":
        m = op.target
        if isinstance(m, nn.modules.conv._ConvTransposeNd):
            return _per_sample(op.input_shapes[0]) * (m.out_channels // m.groups) * math.prod(m.kernel_size)
        if isinstance(m, nn.modules.conv._ConvNd):
            return out * (m.in_channels // m.groups) * math.prod(m.kernel_size)
        if isinstance(m, nn.Linear):
            return out * m.in_features
        if isinstance(m, nn.MultiheadAttention) and op.input_shapes:
            return _attention_macs(m, op.input_shapes)
        if isinstance(m, nn.Bilinear):
            return out * m.in1_features * m.in2_features
        return 0
    if op.type in ("conv1d", "conv2d", "conv3d") and op.params:
        weight = op.params[0]  # (out_channels, in_channels / groups, *kernel)
        return out * math.prod(weight.shape[1:])
    if op.type in ("linear", "matmul", "mm", "bmm", "addmm") and op.input_shapes:
        return out * op.input_shapes[0][-1]
    if op.type == "scaled_dot_product_attention" and op.input_shapes:
        # Q K^T (L*S*E) and A V (L*S*Ev); the output is (..., L, Ev).  Queries, keys and
        # values split from one tensor are recorded as one input: then S = L.
        q = op.input_shapes[0]
        k = op.input_shapes[1] if len(op.input_shapes) > 1 else q
        return _per_sample(q[:-1]) * k[-2] * q[-1] + out * k[-2]
    return 0


def _attention_macs(m: nn.MultiheadAttention, shapes: list[tuple[int, ...]]) -> int:
    """Projections of queries, keys, values and output (``E*E`` per token each) plus the two
    attention products ``Q K^T`` and ``A V`` (``L*S*E`` each), for one sample."""
    axis = 1 if m.batch_first else 0
    q_len = shapes[0][axis] if len(shapes[0]) == 3 else shapes[0][0]
    kv_len = shapes[1][axis] if len(shapes) > 1 and len(shapes[1]) == 3 else q_len
    e = m.embed_dim
    return 2 * q_len * e * e + kv_len * e * (m.kdim + m.vdim) + 2 * q_len * kv_len * e


def window(op: Op) -> tuple[int, int, int] | None:
    """``(kernel, stride, dilation)`` along the widest dimension for layers that slide a
    window, for the receptive-field arithmetic; ``None`` for the others."""
    if op.op != "module":
        return _function_window(op)
    m = op.target
    if isinstance(m, nn.modules.conv._ConvTransposeNd):
        return None
    if isinstance(m, nn.modules.conv._ConvNd):
        return max(m.kernel_size), max(m.stride), max(m.dilation)
    if isinstance(m, (nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)):
        dims = int(type(m).__name__[-2])
        d = max(as_tuple(getattr(m, "dilation", 1), dims))
        return (max(as_tuple(m.kernel_size, dims)),
                max(as_tuple(m.stride if m.stride is not None else m.kernel_size, dims)), d)
    if isinstance(m, (nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd)):
        if not op.input_shapes or len(op.input_shapes[0]) < 3:
            return None
        n_in, n_out = op.input_shapes[0][-1], op.output_shape[-1]
        # PyTorch's adaptive windows span at most ceil(n_in / n_out) inputs.
        return -(-n_in // n_out), max(1, n_in // n_out), 1
    return None


def _function_window(op: Op) -> tuple[int, int, int] | None:
    """The window of ``F.max_pool2d(x, kernel_size, stride, padding, dilation)`` and
    ``F.avg_pool2d`` called in a model's own ``forward``."""
    if not op.type.startswith(("max_pool", "avg_pool")):
        return None
    names = ("kernel_size", "stride", "padding", "dilation")
    given = dict(zip(names, op.arguments))
    given.update({k: v for k, v in op.kwarguments.items() if k in names})
    if "kernel_size" not in given:
        return None
    k = max(as_tuple(given["kernel_size"], 1))
    stride = given.get("stride") or given["kernel_size"]
    d = given.get("dilation", 1) if op.type.startswith("max") else 1
    return k, max(as_tuple(stride, 1)), max(as_tuple(d, 1))
