"""The log axis of the Train workspace's plots: labels that never crowd, in one number
style per axis ("0.001" and "1", or "10⁻⁸" and "10⁰")."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

class LogAxis(pg.AxisItem):
    """An axis for a logarithmic scale whose labels never crowd.

    pyqtgraph labels every multiple 2..9 of each decade once the range is under about three
    decades; on a small plot they pile up on one another near each decade.  This axis
    measures the room a label needs (its tick font) against the pixels per decade and labels
    the decades (every one, or every 2nd, 3rd, 5th, 10th... when even they do not fit), then, of
    the sets of multiples in :attr:`MINOR_SETS`, the one that puts the most labels in range
    with a label's room between any two.  Multiples left unlabelled keep their tick (and
    grid line) where a decade is tall enough for them to read as a scale, not as a smear.

    Meant for axes that stay logarithmic: it turns pyqtgraph's own crowding rule off, since
    the labels it keeps already fit.

    One axis speaks one style: plain numbers ("0.001", "20") while every label can be one,
    else powers of ten for all ("10⁻³" beside "10⁻⁶", never "0.001" beside "10⁻⁶").  A range
    too short for two such labels (a depth profile between 0.6 and 1.5) gets "0.5" and "2",
    or plain numbers at an even linear step, instead of a lone "1".
    """

    #: Multiples of a decade that may be labelled together, richest first.
    MINOR_SETS = ((2, 3, 4, 5, 6, 7, 8, 9), (2, 3, 4, 5, 6, 8), (2, 4, 6, 8), (2, 3, 5),
                  (2, 5), (3,), (5,), (2,))
    #: Pixels a decade needs before its unlabelled multiples get ticks.
    MINOR_TICK_PX = 40.0
    #: Pixels kept free between two labels.
    GAP_PX = 3.0
    #: Pixels between two unlabelled decades below which they get no tick (a smear).
    MIN_TICK_GAP_PX = 4.0

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.setStyle(maxTextLevel=1, textFillLimits=[(0, 1.0)])

    def label_room(self) -> float:
        """Pixels one label needs along the axis, the gap included."""
        metrics = QFontMetrics(self.style["tickFont"] or QFont())
        if self.orientation in ("left", "right"):
            return metrics.height() + self.GAP_PX
        return metrics.horizontalAdvance("5·10⁻¹⁰") + 2 * self.GAP_PX

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802 - pyqtgraph's
        """Levels (spacing, values): labelled decades, labelled multiples, unlabelled ticks."""
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        low, high = sorted((minVal * self.scale, maxVal * self.scale))
        if high - low <= 0 or size <= 0:
            return []
        per_decade = size / (high - low)
        room = self.label_room() / per_decade  # in decades
        step = _decade_step(room)
        labelled = [float(d) for d in range(math.ceil(low / step) * step, math.floor(high) + 1,
                                            step)]
        plain: list[float] = []
        if step > 1 and per_decade >= self.MIN_TICK_GAP_PX:
            plain = [float(d) for d in range(math.ceil(low), math.floor(high) + 1)
                     if d % step]
        # Multiples only when every decade has its label (so a decade is a few labels tall).
        multiples = [(d + math.log10(m), m) for d in range(math.floor(low), math.ceil(high))
                     for m in range(2, 10)
                     if low < d + math.log10(m) < high] if step == 1 else []
        chosen: tuple[int, ...] = ()
        best = len(labelled)
        for candidate in self.MINOR_SETS if multiples else ():
            marks = sorted(labelled + [v for v, m in multiples if m in candidate])
            if len(marks) > best and all(b - a >= room for a, b in zip(marks, marks[1:])):
                chosen, best = candidate, len(marks)
        minors = [v for v, m in multiples if m in chosen]
        if per_decade >= self.MINOR_TICK_PX:
            plain += [v for v, m in multiples if m not in chosen]
        # A label whose centre is within half a label of an end is clipped or dropped when
        # drawn: count only those well inside, and label the inside when they are too few.
        half = room / 2
        inner = (low + half, high - half)
        inside = sum(inner[0] <= v <= inner[1] for v in labelled + minors)
        spaced = _spaced_decades(*inner, room)
        if inside < min(3, len(spaced)):
            # Decades a few apart, counted down from the top one drawn whole: "10⁰, 10⁻⁴,
            # 10⁻⁸" where multiples of the round step would leave one label inside.
            labelled, minors = spaced, []
            plain = [v for v in plain if min(abs(v - e) for e in spaced) >= room]
        elif inside < 2:
            even = _round_ticks(*inner, room) or _even_ticks(*inner, room)
            if len(even) >= 2:
                labelled, minors = even, []
                plain = [v for v in plain if min(abs(v - e) for e in even) >= room]
        scale = self.scale
        return [(float(step) / scale, [v / scale for v in labelled]),
                (None, [v / scale for v in minors]),
                (None, [v / scale for v in plain])]

    def tickStrings(self, values, scale: float, spacing):  # noqa: N802 - pyqtgraph's
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return self._axis_labels([v * scale for v in values])

    def _axis_labels(self, exponents: list[float]) -> list[str]:
        # pyqtgraph asks per level; the style must hold across levels, so it is decided on
        # every value the axis labels now (kept by tickValues via generateDrawSpecs).
        everything = getattr(self, "_labelled_now", None) or exponents
        powers = any(not plain_decade(e) for e in everything)
        return [log_label(e, powers=powers) for e in exponents]

    def generateDrawSpecs(self, p):  # noqa: N802 - pyqtgraph's
        # Every labelled value of the coming draw, so tickStrings picks one style for all.
        if self.logMode:
            low, high = self.range
            levels = self.tickValues(low, high, self._axis_length())
            self._labelled_now = [v * self.scale for spacing, values in levels[:2]
                                  for v in values]
        try:
            return super().generateDrawSpecs(p)
        finally:
            self._labelled_now = None

    def _axis_length(self) -> float:
        rect = self.mapRectFromParent(self.geometry())
        return rect.height() if self.orientation in ("left", "right") else rect.width()


def _decade_step(room: float) -> int:
    """The smallest of 1, 2, 3, 5, 10, 20, 30, 50, 100... decades that is at least ``room``."""
    power = 1
    while True:
        for multiple in (1, 2, 3, 5):
            if multiple * power >= room:
                return multiple * power
        power *= 10


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _spaced_decades(low: float, high: float, room: float) -> list[float]:
    """Decades between ``low`` and ``high`` (log10), every ``ceil(room)``-th counted down from
    the highest: the labels of a range of many decades on a short axis (empty when fewer
    than two fit)."""
    step = max(1, math.ceil(room - 1e-9))
    top, bottom = math.floor(high), math.ceil(low)
    chosen = [float(d) for d in range(top, bottom - 1, -step)]
    return sorted(chosen) if len(chosen) >= 2 else []


def _round_ticks(low: float, high: float, room: float) -> list[float]:
    """log10 of 1, 2 and 5 times powers of ten in range, taken from the bottom up while a
    label's ``room`` (in decades) apart: "0.5" and "2" where the decade alone gives "1"."""
    candidates = sorted(d + math.log10(m) for d in range(math.floor(low), math.ceil(high) + 1)
                        for m in (1, 2, 5) if low <= d + math.log10(m) <= high)
    chosen: list[float] = []
    for value in candidates:
        if not chosen or value - chosen[-1] >= room:
            chosen.append(value)
    return chosen if len(chosen) >= 2 else []


def _even_ticks(low: float, high: float, room: float) -> list[float]:
    """log10 of multiples of a round step (1, 2 or 5 times a power of ten) between
    10**``low`` and 10**``high``, taken from the bottom up while at least ``room`` decades
    apart: the labels of a range under a decade.  The coarsest step that gives two wins."""
    first, last = 10.0 ** low, 10.0 ** high
    if not (math.isfinite(last - first) and last > first > 0):
        return []
    top = math.floor(math.log10(last - first))
    for power in range(top, top - 3, -1):
        for multiple in (5, 2, 1):
            step = multiple * 10.0 ** power
            chosen: list[float] = []
            for k in range(math.ceil(first / step), math.floor(last / step) + 1):
                value = math.log10(k * step)
                if not chosen or value - chosen[-1] >= room:
                    chosen.append(value)
            if len(chosen) >= 2:
                return chosen
    return []


def plain_decade(exponent: float) -> bool:
    """Whether 10**``exponent`` reads well as a plain number ("0.0001" to "9000")."""
    return -4 <= math.floor(exponent + 1e-9) <= 3


def log_label(exponent: float, powers: bool = False) -> str:
    """The label of a log axis at 10**``exponent``: "30", "0.002" while short, "10⁻⁵" and
    "2·10⁻⁵" beyond (and always, with ``powers``).  pyqtgraph writes "3·10¹" for 30; a
    student reads "30" faster.  A value between multiples ("1.2") is written as it is.

    Takes the exponent, not the value: 10**-400 is 0.0 as a float, yet still a decade a
    vanishing gradient can reach.
    """
    decade = math.floor(exponent + 1e-9)
    exact = 10 ** (exponent - decade)
    mantissa = round(exact)
    if abs(exact - mantissa) > 1e-6 * exact:  # an even tick of a short range
        return f"{10 ** exponent:.3g}"
    if mantissa == 10:
        decade, mantissa = decade + 1, 1
    if -4 <= decade <= 3 and not powers:
        return f"{mantissa * 10.0**decade:.{max(0, -decade)}f}"
    power = f"10{str(decade).translate(_SUPERSCRIPT)}"
    return power if mantissa == 1 else f"{mantissa}·{power}"
