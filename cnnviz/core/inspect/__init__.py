"""The inspection engine: model -> layer graph -> statistics -> layout -> exports."""

from cnnviz.core.inspect.engine import inspect_model
from cnnviz.core.inspect.export import (
    report_dict, report_to_csv, report_to_json, report_to_markdown, report_to_table, summary_rows,
)
from cnnviz.core.inspect.graph_export import graph_to_dot, graph_to_json, graph_to_png, graph_to_svg
from cnnviz.core.inspect.layout import compute_layout, default_collapsed
from cnnviz.core.inspect.report import (
    KINDS, Block, LayerNode, Layout, LayoutEdge, LayoutNode, ModelReport, Totals,
)

__all__ = [
    "KINDS", "Block", "LayerNode", "Layout", "LayoutEdge", "LayoutNode", "ModelReport", "Totals",
    "compute_layout", "graph_to_dot", "graph_to_json", "graph_to_png", "graph_to_svg",
    "report_dict", "report_to_csv", "report_to_json", "report_to_markdown", "report_to_table",
    "summary_rows", "default_collapsed", "inspect_model",
]
