"""How numbers read in the Architectures views: 61.7K, 138M, 1.50G, 26.5 MB."""

from __future__ import annotations

from cnnviz.core.inspect.textio import human_bytes


def count(n: int | float | None) -> str:
    """A count with a K/M/G/T suffix and always three significant digits, trailing zeros
    kept, so numbers side by side read alike: ``61,706 -> 61.7K``, ``1,502,000,000 ->
    1.50G``, ``138,357,544 -> 138M``; below 1,000 the whole number."""
    if n is None:
        return "–"
    n = float(n)
    if abs(n) < 999.5:
        return f"{n:.0f}"
    text, suffix = "", ""
    for size, suffix in ((1e3, "K"), (1e6, "M"), (1e9, "G"), (1e12, "T")):
        value = n / size
        digits = 2 if abs(value) < 9.995 else 1 if abs(value) < 99.95 else 0
        text = f"{value:.{digits}f}"
        if abs(float(text)) < 999.5:  # else it rounds up to the next suffix: 999.7K -> 1.00M
            break
    return text + suffix


def exact(n: int | None) -> str:
    return "–" if n is None else f"{int(n):,}"


def nbytes(n: int | float | None) -> str:
    """A size in decimal units, as disks and file managers count them: ``26,499,616 ->
    26.5 MB`` (1 MB is 10⁶ bytes; "MB" never means 2²⁰ here)."""
    return "–" if n is None else human_bytes(n)  # the command line's units too


def shape(s) -> str:
    """An output shape without the batch, e.g. ``64 × 56 × 56``."""
    if not s:
        return "–"
    return " × ".join(str(d) for d in s)


def percent(part: float, whole: float) -> str:
    if not whole:
        return "–"
    share = 100.0 * part / whole
    if share == 0:
        return "0%"
    return f"{share:.1f}%" if share >= 0.1 else "<0.1%"


def ratio(a: float, b: float) -> str:
    if not a:
        return "–"
    return f"{b / a:.2f}×"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(power: int) -> str:
    """``10`` with ``power`` as a superscript: "10⁻³", as the plots' log axes write it."""
    return "10" + str(power).translate(_SUPERSCRIPT)


def norm(value: float) -> str:
    """A gradient norm: three digits near 1, else a power of ten as the plots' log axes
    write it: ``0.0523``, ``3.21·10⁻⁵``, ``10⁻⁵`` (a mantissa of 1.00 is left out)."""
    if value != value:  # NaN
        return "–"
    if value == 0:
        return "0"
    if 1e-2 <= abs(value) < 1e3:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    power = power_of_ten(int(exponent))
    if mantissa in ("1.00", "-1.00"):
        return power if mantissa[0] != "-" else f"-{power}"
    return f"{mantissa}·{power}"
