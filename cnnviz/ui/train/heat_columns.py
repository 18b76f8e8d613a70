"""The pixels of a layer-by-step heat map, kept up to date one logged step at a time.

A :class:`HeatColumns` owns a preallocated image (layers, columns) of log10 gradient norms.
Its columns are laid out once for the whole run (the run's planned length when known), each
column ``width`` steps wide; a new logged step only writes its own column, so following a run
costs the same at step 10 as at step 100 000.  Columns no step has reached yet are NaN (drawn
blank), so the map fills from left to right on fixed axes.  When a run outgrows its plan (a
folder still being written past its announced length, or one with no length at all) the plan
doubles and the image is rebuilt once.

Pure numpy (no Qt): the widget that shows it is :class:`~cnnviz.ui.train.heatmap.HeatMap`.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.ui.train.series import ModelSeries

# Beyond this many columns a column holds the latest of several steps: a screen has no more
# pixels, and re-mapping a huge image thirty times a second would make the window stutter.
MAX_COLUMNS = 1500
# The span planned for a run of unknown length, in logged steps; it doubles when reached.
_OPEN_SPAN = 256


def log_norms(grads: np.ndarray) -> np.ndarray:
    """log10 of gradient norms; zero, negative, infinite and NaN norms become NaN (blank)."""
    grads = np.asarray(grads, dtype=np.float64)
    out = np.full(grads.shape, np.nan)
    keep = np.isfinite(grads) & (grads > 0)
    np.log10(grads, out=out, where=keep)
    return out


class HeatColumns:
    """Column layout and pixels of one model's heat map; :meth:`update` after new rows.

    ``first`` is the step of column 0, each column covers ``width`` steps (logged every
    ``stride``) and there are ``columns`` of them; :attr:`image` is (layers, columns) and
    :attr:`column_steps` holds the step drawn in each column (NaN where none yet).
    """

    def __init__(self, depth: int, max_columns: int = MAX_COLUMNS) -> None:
        self.depth = depth
        self.max_columns = max(1, max_columns)
        self.first = 0
        self.stride = 1
        self.width = 1
        self.columns = 0
        self.image = np.full((depth, 0), np.nan)
        self.column_steps = np.full(0, np.nan)
        self._rows = 0  # rows of the series already written

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the image in plot coordinates: steps by layers.

        Column ``c`` holds the steps ``first + c * width`` onwards (``width`` of them, one per
        ``stride`` logged); it spans them, each logged step given a cell ``stride`` wide and
        centred on the step."""
        return (self.first - self.stride / 2, 0.0, float(self.columns * self.width),
                float(self.depth))

    def update(self, series: ModelSeries, total_steps: int = 0) -> bool:
        """Write the rows of ``series`` not written yet; True when the layout changed (the
        image is then a new array with a new :attr:`rect`), False when only pixels did.

        ``total_steps`` is the run's planned last step (0 when unknown).
        """
        count = len(series)
        if count < self._rows or self.depth != series.depth:
            self.depth = series.depth
            self._rows = 0  # a different or shortened series: start over
        if count == self._rows:
            return False
        steps = series.grad_steps.view
        relaid = self._rows == 0 or not self._fits(steps, total_steps)
        if relaid:
            self._lay_out(steps, total_steps)
            self._rows = 0
        self._write(steps[self._rows:], series.grads.view[self._rows:])
        self._rows = count
        return relaid

    def column_of(self, x: float) -> int | None:
        """The column under plot coordinate ``x``, or None outside the image."""
        if not self.columns:
            return None
        column = int(math.floor((x - self.rect[0]) / self.width))
        return column if 0 <= column < self.columns else None

    # -- layout -------------------------------------------------------------------------------

    @staticmethod
    def _stride(steps: np.ndarray) -> int:
        # The widest gap between two logged steps (the logging interval; a run that also logs
        # at epoch ends has narrower gaps too).  A column is never narrower, so no column
        # stays empty between two logged steps, which would draw as stripes.
        return max(1, int(np.diff(steps).max())) if len(steps) > 1 else 1

    def _fits(self, steps: np.ndarray, total_steps: int) -> bool:
        if steps[0] != self.first:
            return False
        if self._stride(steps[max(0, self._rows - 1):]) > self.stride:
            return False
        last_column = (int(steps[-1]) - self.first) // self.width
        plan_end = self.first + self.columns * self.width - 1
        # A run that announces its length after its first rows is laid out again for it.
        return last_column < self.columns and total_steps <= plan_end

    def _lay_out(self, steps: np.ndarray, total_steps: int) -> None:
        first, last = int(steps[0]), int(steps[-1])
        stride = self._stride(steps)
        if total_steps >= last:
            span = total_steps - first + 1
        else:
            span = _OPEN_SPAN * stride
            while span < last - first + 1:
                span *= 2
        width = max(stride, math.ceil(span / self.max_columns))
        self.first, self.stride, self.width = first, stride, width
        self.columns = math.ceil(span / width)
        self.image = np.full((self.depth, self.columns), np.nan)
        self.column_steps = np.full(self.columns, np.nan)

    def _write(self, steps: np.ndarray, grads: np.ndarray) -> None:
        if not len(steps):
            return
        columns = (steps.astype(np.int64) - self.first) // self.width
        # When several new steps share a column the latest is drawn: keep each column's last
        # occurrence (numpy does not promise which of repeated indices wins an assignment).
        unique, last_from_end = np.unique(columns[::-1], return_index=True)
        rows = len(columns) - 1 - last_from_end
        self.image[:, unique] = log_norms(grads[rows]).T
        self.column_steps[unique] = steps[rows]
