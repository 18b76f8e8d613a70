"""Grouping layers into blocks by module path, and finding runs of identical blocks."""

from __future__ import annotations

import hashlib

from torch import nn

from cnnviz.core.inspect.report import Block, LayerNode


def build_blocks(model: nn.Module, layers: list[LayerNode]) -> Block:
    """The block tree of ``layers``: one :class:`Block` per module that contains recorded
    nodes, children in the order they first run.  The input and output nodes belong to the
    root.  Sizes, signatures and repeats are filled in."""
    types = {name: type(m).__name__ for name, m in model.named_modules()}
    root = Block(path="", type=types.get("", type(model).__name__))
    blocks: dict[str, Block] = {"": root}

    def ensure(path: str) -> Block:
        block = blocks.get(path)
        if block is None:
            parent = ensure(path.rpartition(".")[0])
            block = Block(path=path, type=types.get(path, "Module"))
            parent.children.append(block)
            blocks[path] = block
        return block

    for layer in layers:
        ensure(layer.block).node_ids.append(layer.id)
    by_id = {layer.id: layer for layer in layers}
    _fill(root, by_id)
    _mark_repeats(root)
    return root


def _fill(block: Block, by_id: dict[str, LayerNode]) -> None:
    parts = [block.type]
    block.params = block.macs = 0
    for node_id in block.node_ids:
        layer = by_id[node_id]
        block.params += layer.params
        block.macs += layer.macs
        parts.append(f"{layer.type}|{layer.kind}|{sorted(layer.hyper.items())}|"
                     f"{layer.input_shapes}|{layer.output_shape}")
    for child in block.children:
        _fill(child, by_id)
        block.params += child.params
        block.macs += child.macs
        parts.append(child.signature)
    block.signature = hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


def _mark_repeats(block: Block) -> None:
    """A run of consecutive sibling blocks with the same signature: the first gets
    ``repeat = N``, the others ``repeat_of = first.path``."""
    children = block.children
    i = 0
    while i < len(children):
        j = i + 1
        while j < len(children) and children[j].signature == children[i].signature:
            j += 1
        children[i].repeat = j - i
        children[i].repeat_of = None
        for follower in children[i + 1:j]:
            follower.repeat = 1
            follower.repeat_of = children[i].path
        i = j
    for child in children:
        _mark_repeats(child)
