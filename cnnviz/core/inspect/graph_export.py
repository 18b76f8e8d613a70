"""The layer graph as a file: SVG and PNG drawn from :func:`compute_layout`, DOT, JSON.

Every writer takes ``collapsed``: the blocks drawn as one box.  ``None`` (the default) means
:func:`default_collapsed`, what the graph view opens with; pass ``frozenset()`` for every
layer.  Files are written to a temporary name next to the target and renamed into place.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

from cnnviz.core.inspect.labels import display_type, kernel_chain
from cnnviz.core.inspect.layout import compute_layout, default_collapsed
from cnnviz.core.inspect.report import Layout, ModelReport
from cnnviz.core.inspect.textio import atomic_write_bytes, atomic_write_text, human_count

# Fill and outline per kind: quiet fills, one saturated hue per family of layers.
KIND_COLOURS: dict[str, tuple[str, str]] = {
    "input": ("#e8eef7", "#5b7db1"), "output": ("#e8eef7", "#5b7db1"),
    "conv": ("#dcebfb", "#2f74c0"), "linear": ("#ece2fa", "#7a4cc2"),
    "norm": ("#e3f4ec", "#2f9467"), "activation": ("#fdf1d8", "#c98a12"),
    "pool": ("#fbe3e1", "#c0473b"), "dropout": ("#eeeeee", "#8a8a8a"),
    "add": ("#fde6f1", "#c43f86"), "concat": ("#fde6f1", "#c43f86"),
    "reshape": ("#eef0f2", "#6f7a86"), "other": ("#eef0f2", "#6f7a86"),
    "block": ("#f4f6fa", "#3c4a5c"),
}
EDGE_COLOUR, SKIP_COLOUR, TEXT_COLOUR, MUTED_COLOUR = "#8c96a3", "#d2691e", "#1f2630", "#5d6875"


def _resolve(report: ModelReport, collapsed) -> tuple[frozenset[str], Layout]:
    chosen = frozenset(default_collapsed(report) if collapsed is None else collapsed)
    return chosen, compute_layout(report, chosen)


def _shape(shape: tuple[int, ...]) -> str:
    return "\u00d7".join(str(v) for v in shape)


def node_labels(report: ModelReport, node_id: str, is_block: bool) -> tuple[str, str, str]:
    """(title, detail, kind) as the drawings show them.  A folded ``Sequential`` is
    described by its kernel chain ("1×1 → 3×3", see :func:`kernel_chain`) where it has one."""
    if is_block:
        block = report.block(node_id)
        repeat = f"  \u00d7{block.repeat}" if block.repeat > 1 else ""
        what = (kernel_chain(report, node_id) if block.type == "Sequential" else "") or block.type
        detail = f"{what}{repeat} \u00b7 {human_count(block.params)} params"
        return node_id, detail, "block"
    layer = report.layer(node_id)
    if layer.kind in ("input", "output"):
        return layer.type, _shape(layer.output_shape), layer.kind
    title = display_type(layer)
    hyper = layer.hyper
    if "kernel" in hyper and "out_channels" in hyper:
        k = hyper["kernel"]
        title = f"{layer.type} {hyper['out_channels']}@{'x'.join(map(str, k))}"
        if max(hyper["stride"]) > 1:
            title += f" /{max(hyper['stride'])}"
    elif "out_features" in hyper:
        title = f"{layer.type} {hyper['out_features']}"
    return title, _shape(layer.output_shape), layer.kind


_TEXT_MARGIN = 5.0  # layout units of box kept clear on each side of a label


def _svg_squeeze(text: str, size: float, room: float, bold: bool = False) -> str:
    """A ``textLength`` that narrows a label too wide for its box ("" when it fits).  The
    width is estimated from typical glyph widths of a sans-serif font."""
    estimate = len(text) * size * (0.62 if bold else 0.56)
    if estimate <= room:
        return ""
    return f' textLength="{room:.1f}" lengthAdjust="spacingAndGlyphs"'


def graph_to_svg(report: ModelReport, path: str | Path, collapsed=None) -> Path:
    _, layout = _resolve(report, collapsed)
    return atomic_write_text(Path(path), svg_text(report, layout))


def svg_text(report: ModelReport, layout: Layout) -> str:
    w, h = layout.width, layout.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="Inter, Segoe UI, Helvetica, Arial, sans-serif">',
        f"<title>{escape(report.display_name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE_COLOUR}"/>'
        '</marker><marker id="arrow-skip" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{SKIP_COLOUR}"/>'
        "</marker></defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for edge in layout.edges:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in edge.points)
        colour, marker = (SKIP_COLOUR, "arrow-skip") if edge.is_skip else (EDGE_COLOUR, "arrow")
        dash = ' stroke-dasharray="6 4"' if edge.is_skip else ""
        out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.6"{dash} '
                   f'marker-end="url(#{marker})"/>')
    for node in layout.nodes.values():
        title, detail, kind = node_labels(report, node.id, node.is_block)
        fill, stroke = KIND_COLOURS.get(kind, KIND_COLOURS["other"])
        cx = node.x + node.width / 2
        room = node.width - 2 * _TEXT_MARGIN
        out.append(f'<g><title>{escape(node.id)}</title>'
                   f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.width:.1f}" '
                   f'height="{node.height:.1f}" rx="7" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{2.2 if node.is_block else 1.4}"/>'
                   f'<text x="{cx:.1f}" y="{node.y + node.height * 0.45:.1f}" font-size="12" '
                   f'font-weight="600" fill="{TEXT_COLOUR}" text-anchor="middle"'
                   f'{_svg_squeeze(title, 12, room, bold=True)}>{escape(title)}</text>'
                   f'<text x="{cx:.1f}" y="{node.y + node.height * 0.8:.1f}" font-size="10.5" '
                   f'fill="{MUTED_COLOUR}" text-anchor="middle"'
                   f'{_svg_squeeze(detail, 10.5, room)}>{escape(detail)}</text></g>')
    out.append("</svg>\n")
    return "\n".join(out)


def graph_to_png(report: ModelReport, path: str | Path, collapsed=None,
                 max_side: int = 12000) -> Path:
    """A PNG at up to 2x scale, smaller when the graph would exceed ``max_side`` pixels."""
    from PIL import Image, ImageDraw

    _, layout = _resolve(report, collapsed)
    scale = min(2.0, max_side / max(layout.width, layout.height, 1.0))
    size = (max(1, round(layout.width * scale)), max(1, round(layout.height * scale)))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    fonts = _png_fonts(scale)
    plain = fonts[2]
    for edge in layout.edges:
        pts = [(x * scale, y * scale) for x, y in edge.points]
        colour = SKIP_COLOUR if edge.is_skip else EDGE_COLOUR
        draw.line(pts, fill=colour, width=max(1, round(1.6 * scale)), joint="curve")
        x1, y1 = pts[-1]
        a = 5 * scale
        draw.polygon([(x1, y1), (x1 - a, y1 - 1.6 * a), (x1 + a, y1 - 1.6 * a)], fill=colour)
    for node in layout.nodes.values():
        title, detail, kind = node_labels(report, node.id, node.is_block)
        if plain:
            title, detail = title.replace("\u00d7", "x"), detail.replace("\u00d7", "x")
            detail = detail.replace("\u00b7", "-")
        fill, stroke = KIND_COLOURS.get(kind, KIND_COLOURS["other"])
        box = [node.x * scale, node.y * scale, (node.x + node.width) * scale,
               (node.y + node.height) * scale]
        draw.rounded_rectangle(box, radius=7 * scale, fill=fill, outline=stroke,
                               width=max(1, round((2.2 if node.is_block else 1.4) * scale)))
        cx = (node.x + node.width / 2) * scale
        room = (node.width - 2 * _TEXT_MARGIN) * scale
        draw.text((cx, (node.y + node.height * 0.4) * scale), title, fill=TEXT_COLOUR,
                  font=_fitting(fonts, 0, title, room, scale), anchor="mm")
        draw.text((cx, (node.y + node.height * 0.74) * scale), detail, fill=MUTED_COLOUR,
                  font=_fitting(fonts, 1, detail, room, scale), anchor="mm")
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return atomic_write_bytes(Path(path), buffer.getvalue())


_PNG_FACES = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")
_PNG_SIZES = (12.0, 10.5)  # title and detail, in layout units


def _png_font(which: int, size: float, plain: bool):
    from PIL import ImageFont

    size = max(6, round(size))
    if plain:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(_PNG_FACES[which], size)


def _png_fonts(scale: float):
    """(bold, regular, plain): DejaVu Sans when the system has it, else Pillow's own font,
    which lacks the multiplication sign (``plain`` then asks for ASCII labels)."""
    try:
        return (_png_font(0, _PNG_SIZES[0] * scale, False),
                _png_font(1, _PNG_SIZES[1] * scale, False), False)
    except OSError:
        return (_png_font(0, _PNG_SIZES[0] * scale, True),
                _png_font(1, _PNG_SIZES[1] * scale, True), True)


def _fitting(fonts, which: int, text: str, room: float, scale: float):
    """``fonts[which]``, or the same face made smaller (down to 70 %) so that ``text`` fits
    ``room`` pixels: a long kernel chain must not spill out of its box."""
    font = fonts[which]
    width = font.getlength(text)
    if width <= room:
        return font
    size = _PNG_SIZES[which] * scale * max(0.7, room / width)
    return _png_font(which, size, fonts[2])


def graph_to_dot(report: ModelReport, path: str | Path, collapsed=None) -> Path:
    return atomic_write_text(Path(path), dot_text(report, collapsed))


def dot_text(report: ModelReport, collapsed=None) -> str:
    chosen, layout = _resolve(report, collapsed)

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"digraph {q(report.display_name)} {{", "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    for node in layout.nodes.values():
        title, detail, kind = node_labels(report, node.id, node.is_block)
        fill, stroke = KIND_COLOURS.get(kind, KIND_COLOURS["other"])
        lines.append(f"  {q(node.id)} [label={q(title + chr(10) + detail)}, "
                     f'fillcolor="{fill}", color="{stroke}"];')
    for edge in layout.edges:
        style = f', style=dashed, color="{SKIP_COLOUR}"' if edge.is_skip else ""
        lines.append(f"  {q(edge.source)} -> {q(edge.target)} [{style.lstrip(', ')}];"
                     if style else f"  {q(edge.source)} -> {q(edge.target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_to_json(report: ModelReport, path: str | Path, collapsed=None) -> Path:
    return atomic_write_text(Path(path), json.dumps(graph_dict(report, collapsed), indent=1) + "\n")


def graph_dict(report: ModelReport, collapsed=None) -> dict:
    """Nodes with their place in the layout and what they are; edges with their route."""
    chosen, layout = _resolve(report, collapsed)
    nodes = []
    for node in layout.nodes.values():
        title, detail, kind = node_labels(report, node.id, node.is_block)
        entry = {"id": node.id, "label": title, "detail": detail, "kind": kind,
                 "is_block": node.is_block,
                 "box": [round(node.x, 2), round(node.y, 2), round(node.width, 2),
                         round(node.height, 2)]}
        if node.is_block:
            block = report.block(node.id)
            entry.update(type=block.type, params=block.params, macs=block.macs,
                         repeat=block.repeat)
        else:
            layer = report.layer(node.id)
            entry.update(name=layer.name, type=layer.type, block=layer.block,
                         output_shape=list(layer.output_shape), params=layer.params,
                         macs=layer.macs)
        nodes.append(entry)
    edges = [{"source": e.source, "target": e.target, "is_skip": e.is_skip,
              "points": [[round(x, 2), round(y, 2)] for x, y in e.points]} for e in layout.edges]
    return {"arch": report.arch, "input_shape": list(report.input_shape),
            "collapsed": sorted(chosen), "width": layout.width, "height": layout.height,
            "nodes": nodes, "edges": edges}
