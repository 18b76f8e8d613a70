"""Recording what a model computes as a list of :class:`Op` (normally on the ``meta`` device).

Two recorders give the same result:

* :func:`trace_fx` uses ``torch.fx`` symbolic tracing: the graph is exact, but models whose
  Python control flow depends on the input cannot be traced this way.
* :func:`trace_hooks` runs the model once with forward hooks on its leaf modules and a
  ``TorchFunctionMode`` that sees the functional operations (``x + y``, ``torch.cat``...)
  between them; any model that runs can be recorded.

Leaf modules are those ``torch.fx`` treats as leaves (the layers of ``torch.nn``); layers of
a user's own module classes are recorded operation by operation.

Some recorded operations have no multiply-add formula in :mod:`cnnviz.core.inspect.stats`:
Python functions ``torch.fx`` keeps whole (``torch.fx.wrap``, such as torchvision's
``shifted_window_attention``), contractions (``einsum``, ``baddbmm``...) and recurrent or
transformer layers.  Those are run under a counter of PyTorch's own flop formulas
(:data:`torch.utils.flop_counter.flop_registry`, the ones
:class:`~torch.utils.flop_counter.FlopCounterMode` uses), and the count is kept in
:attr:`Op.counted_macs`.  On ``meta`` (how models given by reference are recorded) every such
operation is seen; on the CPU, fused kernels (an LSTM's, a transformer layer's fast path)
have no formula and count 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import fx, nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from cnnviz.core.forward_lock import FORWARD_LOCK
from cnnviz.core.inspect.shapes import FUNCTION_RULES, METHOD_RULES, module_output_shape


@dataclass
class Op:
    """One recorded operation.  Shapes include the batch dimension."""

    id: str
    name: str
    op: str  # "input", "module", "function", "method" or "output"
    target: Any  # the nn.Module, the function, or the method name
    type: str
    block: str
    inputs: list[str] = field(default_factory=list)
    input_shapes: list[tuple[int, ...]] = field(default_factory=list)
    output_shape: tuple[int, ...] = ()
    arguments: tuple = ()  # positional settings after the tensors (e.g. a flatten's start_dim)
    kwarguments: dict = field(default_factory=dict)
    params: list[torch.Tensor] = field(default_factory=list)  # used by this op directly
    # Multiply-adds for one sample, measured while recording (see the module docstring);
    # None for operations that stats.py counts by formula.
    counted_macs: int | None = None


class OpFailed(Exception):
    """An operation raised while recording; ``op_name`` says which, ``__cause__`` why."""

    def __init__(self, op_name: str, op_type: str, cause: BaseException):
        super().__init__(f"{op_name} ({op_type}): {cause}")
        self.op_name, self.op_type, self.cause = op_name, op_type, cause


def _type_name(target: Any) -> str:
    if isinstance(target, nn.Module):
        return type(target).__name__
    if isinstance(target, str):
        return target
    name = getattr(target, "__name__", None) or repr(target)
    return {"iadd": "add", "concat": "cat"}.get(name, name)


def _first_tensor(value: Any) -> torch.Tensor | None:
    for leaf in tree_flatten(value)[0]:
        if isinstance(leaf, torch.Tensor):
            return leaf
    return None


class _Namer:
    """Names functional operations after the block they run in: "layer1.0.add", then
    "layer1.0.add_1" for the next one there."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, block: str, base: str) -> str:
        key = f"{block}.{base}" if block else base
        count = self.seen.get(key, 0)
        self.seen[key] = count + 1
        return key if count == 0 else f"{key}_{count}"


def _plain(value: Any) -> Any:
    """``value`` when it is a plain setting (a number, string, or a tuple of them), else
    ``None`` (a list of tensors, say), so that positions of the arguments are kept."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, (bool, int, float)) for v in value):
        return tuple(value)
    return None


def _unique(base: str, used: set[str]) -> str:
    candidate, i = base, 1
    while candidate in used:
        candidate, i = f"{base}_{i}", i + 1
    return candidate


def _fast_module(module: nn.Module, args: tuple) -> torch.Tensor:
    if len(args) == 1 and isinstance(args[0], torch.Tensor):
        shape = module_output_shape(module, tuple(args[0].shape))
        if shape is not None:
            return torch.empty(shape, device=args[0].device, dtype=args[0].dtype)
    return module(*args)


def _fast_function(rule: Callable | None, func: Callable, args: tuple, kwargs: dict) -> Any:
    if rule is not None:
        shape = rule(args, kwargs)
        if shape is not None:
            first = _first_tensor(args)
            return torch.empty(shape, device=first.device, dtype=first.dtype)
    return func(*args, **kwargs)


class _MacCounter(TorchDispatchMode):
    """Counts the flops of the aten operations run inside it with PyTorch's flop formulas
    (those of ``FlopCounterMode``, without its per-module bookkeeping): matrix products,
    convolutions and attention, two flops per multiply-add; element-wise work counts 0."""

    def __init__(self) -> None:
        super().__init__()
        from torch.utils.flop_counter import flop_registry

        self.registry = flop_registry
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        formula = self.registry.get(func._overloadpacket)
        if formula is not None:
            self.flops += formula(*args, **kwargs, out_val=out)
        return out


# Torch functions and torch.nn layer modules with no multiply-add formula in stats.py.
_MEASURED_FUNCTIONS = frozenset({
    "einsum", "baddbmm", "addbmm", "addmv", "tensordot",
    "bilinear", "multi_head_attention_forward", "chain_matmul", "multi_dot",
})
_MEASURED_MODULES = ("torch.nn.modules.rnn", "torch.nn.modules.transformer")


def _measured(target: Any) -> bool:
    """Whether an operation's multiply-adds are measured rather than worked out (see the
    module docstring): a module from ``_MEASURED_MODULES``, a listed torch function, or a
    Python function from outside torch that ``torch.fx`` kept whole."""
    if isinstance(target, nn.Module):
        return type(target).__module__ in _MEASURED_MODULES
    if isinstance(target, str):
        return False
    if getattr(target, "__name__", None) in _MEASURED_FUNCTIONS:
        return True
    home = (getattr(target, "__module__", None) or "").partition(".")[0]
    return callable(target) and home not in ("torch", "_operator", "operator", "builtins",
                                             "math")


def _run_counted(call: Callable[[], Any], batch: int) -> tuple[Any, int]:
    """``call()`` and its multiply-adds for one sample of a ``batch``."""
    with _MacCounter() as counter:
        result = call()
    return result, counter.flops // 2 // max(1, batch)


def _call_method(name: str) -> Callable:
    return lambda self, *args, **kwargs: getattr(self, name)(*args, **kwargs)


def trace_fx(model: nn.Module, example: torch.Tensor) -> list[Op]:
    """Record ``model`` with ``torch.fx``.  Raises whatever symbolic tracing raises when the
    model cannot be traced, and :class:`OpFailed` when an operation rejects its input."""
    with FORWARD_LOCK:
        graph = fx.Tracer().trace(model)
    modules = dict(model.named_modules())
    env: dict[fx.Node, Any] = {}
    shapes: dict[str, tuple[int, ...]] = {}  # recorded op id -> output shape
    params_of_attr: dict[str, list[torch.Tensor]] = {}
    ops: list[Op] = []
    namer = _Namer()
    batch = example.shape[0] if example.dim() else 1
    ids = {n.name for n in graph.nodes if n.op in ("call_module", "placeholder", "output")}
    ids_of: dict[str, str] = {}  # fx node name -> op id, where they differ

    def value(arg: Any) -> Any:
        return fx.node.map_arg(arg, lambda n: env[n])

    for node in graph.nodes:
        if node.op == "placeholder":
            env[node] = example
            ops.append(Op(node.name, "input", "input", None, "Input", "",
                          output_shape=tuple(example.shape)))
            shapes[node.name] = ops[-1].output_shape
            continue
        if node.op == "get_attr":
            attr = model
            for part in node.target.split("."):
                attr = getattr(attr, part)
            env[node] = attr
            if isinstance(attr, nn.Parameter):
                params_of_attr[node.name] = [attr]
            continue
        inputs = [n.name for n in node.all_input_nodes if n.name in shapes]
        if node.op == "output":
            first = _first_tensor(value(node.args[0]))
            ops.append(Op(node.name, "output", "output", None, "Output", "", inputs=inputs,
                          input_shapes=[shapes[i] for i in inputs],
                          output_shape=tuple(first.shape) if first is not None else ()))
            continue

        args, kwargs = value(node.args), value(node.kwargs)
        if node.op == "call_module":
            target: Any = modules[node.target]
            block, name = node.target.rpartition(".")[0], node.target
        else:
            stack = node.meta.get("nn_module_stack") or {}
            block = next(reversed(stack.values()))[0] if stack else ""
            target = node.target
            name = namer(block, _type_name(target))
        counted = None
        try:
            if _measured(target):
                result, counted = _run_counted(lambda: target(*args, **kwargs), batch)
            elif node.op == "call_module":
                result = _fast_module(target, args)
            elif node.op == "call_function":
                result = _fast_function(FUNCTION_RULES.get(target), target, args, kwargs)
            else:
                result = _fast_function(METHOD_RULES.get(target), _call_method(target),
                                        args, kwargs)
        except Exception as exc:
            raise OpFailed(name, _type_name(target), exc) from exc
        env[node] = result
        first = _first_tensor(result)
        if first is None:
            continue  # sizes and other plain values are not layers
        op_id = node.name if node.op == "call_module" else _unique(name.replace(".", "_"), ids)
        ids.add(op_id)
        ids_of[node.name] = op_id
        op = Op(op_id, name,
                {"call_module": "module", "call_function": "function"}.get(node.op, "method"),
                target, _type_name(target), block, inputs=inputs,
                input_shapes=[shapes[i] for i in inputs], output_shape=tuple(first.shape),
                arguments=tuple(_plain(a) for a in node.args if not isinstance(a, fx.Node)),
                kwarguments={k: _plain(v) for k, v in node.kwargs.items()
                             if not isinstance(v, fx.Node)},
                counted_macs=counted)
        if node.op == "call_module":
            op.params = list(target.parameters())
        else:
            for inp in node.all_input_nodes:
                op.params.extend(params_of_attr.get(inp.name, ()))
        ops.append(op)
        shapes[node.name] = op.output_shape
    for op in ops:
        op.inputs = [ids_of.get(i, i) for i in op.inputs]
    return ops


class _Recorder(TorchFunctionMode):
    """Records the functional operations that run outside leaf modules."""

    def __init__(self, on_function: Callable[[Any, tuple, dict, Any, int | None], None],
                 batch: int):
        super().__init__()
        self.on_function = on_function
        self.batch = batch
        self.leaf_depth = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if self.leaf_depth or getattr(func, "__name__", None) not in _MEASURED_FUNCTIONS:
            result, counted = func(*args, **kwargs), None
        else:
            result, counted = _run_counted(lambda: func(*args, **kwargs), self.batch)
        if self.leaf_depth == 0:
            self.on_function(func, args, kwargs, result, counted)
        return result


# Tensor attribute reads and bookkeeping calls that are not operations of the network.
_NOT_OPS = frozenset({
    "__get__", "__set__", "size", "dim", "numel", "is_contiguous", "__len__", "__format__",
    "__repr__", "__bool__", "__index__", "__int__", "__float__", "item", "tolist", "__eq__",
    "requires_grad_", "detach", "__iter__", "is_floating_point", "__hash__", "storage_offset",
    "untyped_storage", "data_ptr", "stride", "element_size", "get_device",
})


# Python operators as the graph names them (other dunders are not operations).
_OPERATORS = {
    "__add__": "add", "__iadd__": "add", "__radd__": "add", "__sub__": "sub", "__rsub__": "sub",
    "__mul__": "mul", "__imul__": "mul", "__rmul__": "mul", "__truediv__": "truediv",
    "__matmul__": "matmul", "__getitem__": "getitem",
}


def trace_hooks(model: nn.Module, example: torch.Tensor) -> list[Op]:
    """Record ``model`` by running it on ``example`` (on whatever device both live on).

    Edges come from tensor identity: each tensor is mapped to the op that produced it, so an
    input that reaches an op unchanged (a skip connection) links back to its producer.
    Raises :class:`OpFailed` naming the leaf module that rejected its input; errors raised
    between leaf modules propagate unchanged.
    """
    names = {m: n for n, m in model.named_modules()}
    tracer = fx.Tracer()
    leaves = {m for m, n in names.items() if n and tracer.is_leaf_module(m, n)}
    producer: dict[int, tuple[str, torch.Tensor]] = {}  # id(tensor) -> (op id, tensor kept alive)
    shapes: dict[str, tuple[int, ...]] = {}
    ops: list[Op] = [Op("x", "input", "input", None, "Input", "",
                        output_shape=tuple(example.shape))]
    shapes["x"] = ops[0].output_shape
    producer[id(example)] = ("x", example)
    stack: list[str] = []
    calls: dict[str, int] = {}
    namer = _Namer()
    params = {id(p) for p in model.parameters()}
    used_ids = {"x", "output"} | {n.replace(".", "_") for n in names.values() if n}

    def inputs_of(value: Any) -> list[str]:
        found: list[str] = []
        for leaf in tree_flatten(value)[0]:
            if isinstance(leaf, torch.Tensor) and id(leaf) in producer:
                op_id = producer[id(leaf)][0]
                if op_id not in found:
                    found.append(op_id)
        return found

    def record(op: Op, args: Any, result: Any) -> None:
        first = _first_tensor(result)
        if first is None:
            return
        op.inputs = inputs_of(args)
        op.input_shapes = [shapes[i] for i in op.inputs]
        op.output_shape = tuple(first.shape)
        ops.append(op)
        shapes[op.id] = op.output_shape
        for leaf in tree_flatten(result)[0]:
            if isinstance(leaf, torch.Tensor):
                producer[id(leaf)] = (op.id, leaf)

    def on_function(func: Any, args: tuple, kwargs: dict, result: Any,
                    counted: int | None) -> None:
        base = _type_name(func)
        base = _OPERATORS.get(base, base)
        if base in _NOT_OPS or base.startswith("_"):
            return
        block = stack[-1] if stack else ""
        name = namer(block, base)
        op_id = _unique(name.replace(".", "_"), used_ids)
        used_ids.add(op_id)
        op = Op(op_id, name, "function", func, base, block,
                arguments=tuple(_plain(a) for a in args if not isinstance(a, torch.Tensor)),
                kwarguments={k: _plain(v) for k, v in kwargs.items()
                             if not isinstance(v, torch.Tensor)},
                counted_macs=counted)
        op.params = [a for a in tree_flatten((args, kwargs))[0]
                     if isinstance(a, torch.Tensor) and id(a) in params]
        record(op, (args, kwargs), result)

    recorder = _Recorder(on_function, example.shape[0] if example.dim() else 1)

    def pre_hook(module: nn.Module, args: tuple) -> None:
        stack.append(names.get(module, type(module).__name__))
        if module in leaves:
            recorder.leaf_depth += 1

    def post_hook(module: nn.Module, args: tuple, result: Any) -> None:
        path = stack.pop()
        if module not in leaves:
            return
        recorder.leaf_depth -= 1
        if recorder.leaf_depth:
            return
        count = calls.get(path, 0)
        calls[path] = count + 1
        op_id = path.replace(".", "_") + (f"_{count}" if count else "")
        op = Op(op_id, path, "module", module, type(module).__name__, path.rpartition(".")[0],
                params=list(module.parameters()))
        record(op, args, result)

    handles = []
    for module in names:
        handles.append(module.register_forward_pre_hook(pre_hook))
        handles.append(module.register_forward_hook(post_hook))
    try:
        with FORWARD_LOCK, recorder:
            result = model(example)
    except Exception as exc:
        if recorder.leaf_depth:  # inside a layer: the layer rejected its input
            by_name = {n: m for m, n in names.items()}
            leaf = next(p for p in reversed(stack) if by_name.get(p) in leaves)
            raise OpFailed(leaf, type(by_name[leaf]).__name__, exc) from exc
        raise
    finally:
        for handle in handles:
            handle.remove()
    out = Op("output", "output", "output", None, "Output", "")
    out.inputs = inputs_of(result)
    out.input_shapes = [shapes[i] for i in out.inputs]
    first = _first_tensor(result)
    out.output_shape = tuple(first.shape) if first is not None else ()
    ops.append(out)
    return ops
