"""How the history plots mark held-out results, measured at each epoch's end.

With epochs of many steps each result is a dot.  With a small image folder an epoch is one
or two steps, and a dot per epoch covers the training curves: the results are then a thin
line with a marker every few epochs.  A held-out loss beyond the plot's scale is a triangle
at its edge; a run of such epochs gets one triangle, not a row of them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from cnnviz.ui.train import plot_style as style

#: Epochs shorter than this many steps (the median) draw their results as a line.
DENSE_STEPS = 5
#: About how many markers a line of results keeps.
MARKERS = 12
def is_dense(steps: np.ndarray) -> bool:
    """Whether epoch ends at ``steps`` lie so close that dots would cover the curves."""
    return len(steps) >= 3 and float(np.median(np.diff(steps))) < DENSE_STEPS


def sparse(count: int) -> np.ndarray:
    """Which of ``count`` results on a line get a marker: one every few, and the last."""
    every = max(1, math.ceil(count / MARKERS))
    chosen = set(range(0, count, every)) | ({count - 1} if count else set())
    return np.asarray(sorted(chosen), dtype=int)


def draw(line: pg.PlotDataItem, dots: pg.PlotDataItem, steps: np.ndarray, values: np.ndarray,
         color: QColor, dense: bool) -> None:
    """Held-out ``values`` at ``steps``: dots on ``line``, or with ``dense`` a thin line
    (NaN values break it) with a marker every few results on ``dots``."""
    if dense:
        finite = np.flatnonzero(np.isfinite(values))
        line.setSymbol(None)
        line.setPen(style.pen(color, 1.2))
        line.setData(steps, values, connect="finite")
        marked = finite[sparse(len(finite))]
        dots.setData(steps[marked], values[marked])
    else:
        keep = np.isfinite(values)
        line.setPen(None)
        line.setSymbol("o")
        line.setData(steps[keep], values[keep])
        dots.setData([], [])


def one_per_run(off: np.ndarray, above: np.ndarray) -> np.ndarray:
    """Of the epochs flagged in ``off`` (beyond the scale; ``above`` says which way), the
    middle one of each run of neighbours beyond it the same way: the indices to mark."""
    marks = []
    start = None
    for i in range(len(off) + 1):
        same = i < len(off) and off[i] and start is not None and above[i] == above[start]
        if same:
            continue
        if start is not None:
            marks.append((start + i - 1) // 2)
        start = i if i < len(off) and off[i] else None
    return np.asarray(marks, dtype=int)
