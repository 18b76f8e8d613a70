"""What the history plots' marks mean: the legend row under the loss and accuracy plots, and
the title and legend line an exported plot carries (a PNG has no row under it)."""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from contextlib import contextmanager

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

#: The dots at epoch ends: loss and accuracy on images the models never trained on.
HELD_OUT = "held-out images at epoch end"
#: A held-out value beyond the plot's range, drawn at its edge.
OFF_SCALE = "off the scale (hover to read)"
#: The same in an exported picture, which cannot be hovered.
OFF_SCALE_PICTURE = "held-out loss beyond the scale (see the CSV)"
#: What a legend shows for "-": the same dash, at which a line never breaks.
NO_BREAK_HYPHEN = "\u2011"
#: An exported plot is at least this tall for its width, under its title.
PLOT_SHAPE = 0.42


def legend_html(models: list[tuple[str, QColor]], *, held_out: bool, off_scale: bool,
                off_scale_text: str = OFF_SCALE, held_out_line: bool = False) -> str:
    """Rich text for the legend row: each model's line in its colour, then the dots.

    ``held_out`` adds the epoch-end dots' entry (a line with a dot for ``held_out_line``:
    short epochs draw their results as a line), ``off_scale`` the pinned triangles' (worded
    ``off_scale_text``).
    """
    def whole(mark: str, text: str) -> str:
        # An entry wraps to the next line whole, never inside: not at its spaces, nor at
        # the hyphen of "held-out" or "ResNet-20" (a non-breaking hyphen looks the same).
        text = html.escape(text).replace(" ", "&nbsp;").replace("-", NO_BREAK_HYPHEN)
        return f"{mark}&nbsp;{text}"

    parts = [whole(f'<span style="color:{color.name()}">━━</span>', name)
             for name, color in models]
    if held_out:
        parts.append(whole("─●─" if held_out_line else "●", HELD_OUT))
    if off_scale:
        parts.append(whole("▲▼", off_scale_text))
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
    # pyqtgraph gives a title one line's room (a row fixed at 30 px): these two or three
    # lines would be centred on it and their top cut off in the picture.
    height = math.ceil(item.titleLabel.itemRect().height())
    item.titleLabel.setMaximumHeight(height)
    item.layout.setRowFixedHeight(0, height)
    item.layout.activate()  # the title's room, before a picture is taken
    # The picture is as wide as the title needs, and the plot under the title keeps a
    # readable shape: a plot of the history row is small, its picture need not be a strip.
    box = item.geometry()
    width = max(box.width(), item.effectiveSizeHint(Qt.SizeHint.MinimumSize).width())
    item.setGeometry(QRectF(box.left(), box.top(), width,
                            max(box.height(), height + width * PLOT_SHAPE)))
    item.layout.activate()
    try:
        yield
    finally:
        # An empty text first: a hidden title keeps its width as the plot's minimum.
        item.titleLabel.setText("")
        item.setTitle(None)
        item.layout.activate()
        item.setGeometry(plot.range)  # the plot back at its size on screen
