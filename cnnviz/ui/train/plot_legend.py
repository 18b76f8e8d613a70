"""What the history plots' marks mean: the legend row under the loss and accuracy plots, and
the title and legend line an exported plot carries (a PNG has no row under it)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtGui import QColor

#: The dots at epoch ends: loss and accuracy on images the models never trained on.
HELD_OUT = "held-out images at epoch end"
#: A held-out value beyond the plot's range, drawn at its edge.
OFF_SCALE = "off the scale (hover to read)"
#: The same in an exported picture, which cannot be hovered.
OFF_SCALE_PICTURE = "held-out loss beyond the scale (see the CSV)"


def legend_html(models: list[tuple[str, QColor]], *, held_out: bool, off_scale: bool,
                off_scale_text: str = OFF_SCALE) -> str:
    """Rich text for the legend row: each model's line in its colour, then the dots.

    ``held_out`` adds the epoch-end dots' entry, ``off_scale`` the pinned triangles' (worded
    ``off_scale_text``).
    """
    def whole(text: str) -> str:  # an entry wraps to the next line whole, never inside
        return html.escape(text).replace(" ", "&nbsp;")

    parts = [f'<span style="color:{color.name()}">━━</span>&nbsp;{whole(name)}'
             for name, color in models]
    if held_out:
        parts.append(f"●&nbsp;{whole(HELD_OUT)}")
    if off_scale:
        parts.append(f"▲▼&nbsp;{whole(off_scale_text)}")
    return "&nbsp;&nbsp; ".join(parts)


@contextmanager
def dressed(plot: pg.PlotWidget, title: str, legend: str, pal) -> Iterator[None]:
    """``plot`` with ``title`` and, under it, the ``legend`` line (rich text, as
    :func:`legend_html` writes it) for as long as the block runs; as it was afterwards.

    The legend is part of the title, not a legend box in the plot: a plot as small as the
    history row's has no room inside for one."""
    item = plot.getPlotItem()
    # One line per part ("Loss on training batches", then the run): a plot is narrow.
    lines = [html.escape(part) for part in title.split(" · ", 1)]
    if legend:
        lines.append(f'<span style="font-size:7.5pt">{legend}</span>')
    item.setTitle("<br>".join(lines), color=pal.text, size="9pt")
    item.layout.activate()  # the title's room, before a picture is taken
    try:
        yield
    finally:
        # An empty text first: a hidden title keeps its width as the plot's minimum.
        item.titleLabel.setText("")
        item.setTitle(None)
        item.layout.activate()
        item.setGeometry(plot.range)  # the plot back at its size on screen
