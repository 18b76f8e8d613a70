"""The inspection engine: model -> layer graph -> statistics -> layout -> exports.

Importing this package is cheap: each name below loads its module (and torch, where that module
needs it) on first use, so a window can import the report classes or the gradient mapping
before torch is loaded.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "inspect_model": "engine",
    **dict.fromkeys(("report_dict", "report_to_csv", "report_to_json", "report_to_markdown",
                     "report_to_table", "summary_rows"), "export"),
    **dict.fromkeys(("graph_to_dot", "graph_to_json", "graph_to_png", "graph_to_svg"),
                    "graph_export"),
    **dict.fromkeys(("compute_layout", "default_collapsed"), "layout"),
    **dict.fromkeys(("display_type", "kernel_chain"), "labels"),
    **dict.fromkeys(("KINDS", "Block", "LayerNode", "Layout", "LayoutEdge", "LayoutNode",
                     "ModelReport", "Totals"), "report"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cnnviz.core.inspect' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cnnviz.core.inspect.{module}"), name)
