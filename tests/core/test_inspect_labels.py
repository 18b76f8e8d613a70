"""The words on the graph's boxes and in the summary: kernel chains, concatenation, and
"modules" for module counts."""

from __future__ import annotations

import json

import pytest

from cnnviz.core.inspect import inspect_model, report_to_json, report_to_table
from cnnviz.core.inspect.graph_export import node_labels, svg_text
from cnnviz.core.inspect.labels import display_type, kernel_chain
from cnnviz.core.inspect.layout import compute_layout


@pytest.fixture(scope="module")
def googlenet():
    return inspect_model("googlenet")


def test_inception_branches_read_by_their_kernels(googlenet):
    assert kernel_chain(googlenet, "inception3a.branch2") == "1\u00d71 \u2192 3\u00d73"
    assert kernel_chain(googlenet, "inception3a.branch4") == "3\u00d73 max-pool \u2192 1\u00d71"
    assert kernel_chain(googlenet, "inception3a") == ""  # four branches: no single chain
    title, detail, kind = node_labels(googlenet, "inception3a.branch4", True)
    assert (title, kind) == ("inception3a.branch4", "block")
    assert detail.startswith("3\u00d73 max-pool \u2192 1\u00d71 \u00b7 ")
    # A block that is not a Sequential keeps its type.
    assert node_labels(googlenet, "inception3a", True)[1].startswith("Inception \u00b7 ")


def test_long_chains_and_depthwise_convolutions():
    vgg = inspect_model("vgg16")
    assert kernel_chain(vgg, "features") == ("3\u00d73 \u2192 3\u00d73 \u2192 "
                                             "2\u00d72 max-pool \u2192 \u2026")
    assert kernel_chain(vgg, "classifier") == "fc \u2192 fc \u2192 fc"
    mobile = inspect_model("mobilenet_v2")
    assert kernel_chain(mobile, "features.2") == "1\u00d71 \u2192 3\u00d73 depthwise \u2192 1\u00d71"


def test_concatenation_along_channels_is_named(googlenet):
    joins = [layer for layer in googlenet.layers if layer.type == "cat"]
    assert len(joins) == 9
    assert {display_type(layer) for layer in joins} == {"Concatenate (channels)"}
    assert node_labels(googlenet, joins[0].id, False)[0] == "Concatenate (channels)"
    svg = svg_text(googlenet, compute_layout(googlenet, frozenset({"inception3a"})))
    assert "Concatenate (channels)" in svg and ">cat<" not in svg


def test_summary_counts_modules_as_modules(googlenet):
    table = report_to_table(googlenet, depth=1)
    assert "Inception (20 modules)" in table and "layers)" not in table
    assert "BasicConv2d (3 modules)" in table
    rows = json.loads(report_to_json(googlenet, depth=1))["layers"]
    inception = next(r for r in rows if r["name"] == "inception3a")
    assert inception["modules"] == 20 and "layers" not in inception


def test_exported_labels_fit_their_boxes(googlenet):
    from cnnviz.core.inspect import graph_export as gx

    collapsed = frozenset({"inception3a.branch4"})
    layout = compute_layout(googlenet, collapsed)
    box = layout.nodes["inception3a.branch4"]
    detail = node_labels(googlenet, box.id, True)[1]
    room = box.width - 2 * gx._TEXT_MARGIN
    svg = svg_text(googlenet, layout)
    assert f'textLength="{room:.1f}" lengthAdjust="spacingAndGlyphs">{detail}<' in svg
    fonts = gx._png_fonts(2.0)
    assert fonts[1].getlength(detail) > room * 2  # too wide at the regular size...
    assert gx._fitting(fonts, 1, detail, room * 2, 2.0).getlength(detail) <= room * 2


def test_sizes_are_written_in_decimal_units_as_the_window_writes_them():
    from cnnviz.core.inspect.textio import human_bytes

    assert human_bytes(512) == "512 B"
    assert human_bytes(1500) == "1.5 kB"
    assert human_bytes(999_960) == "1.0 MB"  # never "1000.0 kB"
    assert human_bytes(6_624_904 * 4) == "26.5 MB"  # GoogLeNet's parameters as float32
    assert human_bytes(2_500_000_000) == "2.5 GB"
