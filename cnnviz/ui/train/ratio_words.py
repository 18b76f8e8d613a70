"""How the first-to-last-layer gradient ratio is said: in words a student reads aloud
("about 41 million times smaller than the last layer's"), as a short form for a panel's
header ("1/41 million"), and as the exact number for a tooltip ("2.44×10⁻⁸").

``ratio`` is always the first layer's gradient norm divided by the last layer's: below 1
the gradient fades on its way back to the input, above 1 it grows.
"""

from __future__ import annotations

import math

#: Ratios between 1/SAME and SAME read as "about as large": 1.1 times is noise, not a lesson.
SAME = 1.15
_UNITS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: int) -> str:
    """"10⁻⁸"."""
    return f"10{str(exponent).translate(_SUPERSCRIPT)}"


def _significant(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant figures, without a trailing ".0" ("41", "4.1")."""
    text = f"{float(f'{value:.{digits}g}'):,.{max(0, digits - 1 - math.floor(math.log10(value)))}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def factor_words(factor: float) -> str:
    """How many times, in words: "1.3", "2", "340", "4.1 thousand", "41 million", and
    "10¹⁶" beyond the trillions (``factor`` >= 1)."""
    if factor < 2:
        return f"{factor:.1f}".rstrip("0").rstrip(".")
    if factor < 10:
        return f"{round(factor)}"
    if factor < 1000:
        return _significant(factor)
    for size, word in _UNITS:
        if factor >= size:
            scaled = factor / size
            if size == 1e12 and scaled >= 1000:
                return power_of_ten(round(math.log10(factor)))
            return f"{_significant(scaled)} {word}"
    return _significant(factor)  # not reached: factor >= 1000 has a unit


def comparison(ratio: float, full: bool = True) -> str:
    """"about 41 million times smaller than the last layer's" (``full``), or without the
    last words ("about 41 million times smaller") once the sentence has said them."""
    tail = " than the last layer's" if full else ""
    if 1 / SAME < ratio < SAME:
        return "about as large as the last layer's" if full else "about as large"
    if ratio < 1:
        return f"about {factor_words(1 / ratio)} times smaller{tail}"
    return f"about {factor_words(ratio)} times larger{tail}"


#: What is said where the first layer's norm is 0 (it underflowed): a ratio of "0" reads as
#: a measurement, and "no gradient" is what the sentence above the panels says.
NO_GRADIENT = "no measurable gradient reaches the first layer"


def ratio_phrase(ratio: float) -> str:
    """The short form: "1/340" or "1/41 million" for a fading gradient, "2.5×" for a
    growing one, "—" when unknown (NaN, infinite) or when none arrives (0: see
    :func:`header_text`, which says that in words)."""
    if not math.isfinite(ratio) or ratio <= 0:
        return "—"
    if ratio < 1:
        return f"1/{_short(1 / ratio)}"
    return f"{_short(ratio)}×"


def header_text(ratio: float) -> str:
    """A model panel's header line: "First/last 1/340", "First layer: no gradient" when
    the first layer's norm is 0, "First/last —" before there is a ratio."""
    if ratio == 0:
        return "First layer: no gradient"
    return f"First/last {ratio_phrase(ratio)}"


def header_short(ratio: float) -> str:
    """:func:`header_text` for a narrow card: "No gradient", "1/340", "—"."""
    return "No gradient" if ratio == 0 else ratio_phrase(ratio)


def ratio_said(ratio: float) -> str:
    """The measured ratio for a tooltip or a summary line: "first/last = 2.44×10⁻⁸", or in
    words when the first layer's norm is 0 ("" when there is no ratio)."""
    if ratio == 0:
        return f"{NO_GRADIENT} (its gradient norm is 0)"
    if not math.isfinite(ratio) or ratio < 0:
        return ""
    return f"first/last = {exact_ratio(ratio)}"


def _short(value: float) -> str:
    if value >= 1e6:
        return factor_words(value)
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2g}"


def exact_ratio(ratio: float) -> str:
    """The ratio as measured, three significant figures: "0.303", "2.44×10⁻⁸"; "—" for a
    ratio that is not a measurement (0, negative, NaN or infinite: see :func:`ratio_said`)."""
    if not math.isfinite(ratio) or ratio <= 0:
        return "—"
    exponent = math.floor(math.log10(abs(ratio)))
    if -3 <= exponent <= 3:
        return f"{ratio:.3g}"
    return f"{ratio / 10**exponent:.3g}×{power_of_ten(exponent)}"
