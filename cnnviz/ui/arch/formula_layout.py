"""Lines for the course's formulas in a column of a given width, never broken inside an
expression.

A formula is a chain ``lhs = term = term = result``, sometimes with a note in brackets at the
end ("(no bias)").  It stays on one line when that fits; else it breaks before an " = ", the
continuation aligned under the first "=", as a derivation is written on a board::

    params = (f*f*n_c_prev + 1)*n_c
           = (5*5*6 + 1)*16 = 2,416

A slightly smaller font is preferred to a break, and a break to a line that does not fit.
Several formulas joined by "; " are laid out one per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontMetricsF

_NOTE = re.compile(r"^(.*\S) (\([a-z][^()]*\))$")


@dataclass(frozen=True)
class FormulaLine:
    """One line on screen: ``text`` in the monospaced font at ``px`` pixels, or (``note``)
    a bracketed remark in the body font that may wrap like prose."""

    text: str
    px: int
    note: bool = False


def split_top(text: str, sep: str) -> list[str]:
    """``text`` split at each ``sep`` outside brackets: "a = (b = c)" gives two parts."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


class FormulaLayout:
    """Measures formulas in the panel's monospaced font and breaks them to a width."""

    SIZES = (12, 11, 10)  # px: the usual size first; the smallest only to avoid scrolling
    ONE_LINE_SIZES = (12, 11)  # sizes tried before a formula is broken
    FAMILIES = ("JetBrains Mono", "DejaVu Sans Mono", "Menlo", "Consolas", "monospace")
    FAMILIES_CSS = ", ".join(f"'{f}'" if " " in f else f for f in FAMILIES)

    def __init__(self) -> None:
        self._metrics: dict[int, QFontMetricsF] = {}

    def metrics(self, px: int) -> QFontMetricsF:
        if px not in self._metrics:
            font = QFont()
            font.setFamilies(list(self.FAMILIES))
            font.setStyleHint(QFont.StyleHint.Monospace)
            font.setPixelSize(px)
            self._metrics[px] = QFontMetricsF(font)
        return self._metrics[px]

    def text_width(self, text: str, px: int) -> float:
        return self.metrics(px).horizontalAdvance(text)

    def layout(self, formulas: list[str], width: float) -> list[FormulaLine]:
        """The lines for ``formulas`` in ``width`` pixels (one size for all of them)."""
        pieces = [piece for formula in formulas for piece in split_top(formula, "; ")]
        if not pieces:
            return []
        for px in self.ONE_LINE_SIZES:
            if all(self.text_width(p, px) <= width for p in pieces):
                return [FormulaLine(p, px) for p in pieces]
        lines: list[FormulaLine] = []
        for px in self.SIZES:
            lines, fits = [], True
            for piece in pieces:
                more, ok = self._break(piece, width, px)
                lines += more
                fits = fits and ok
            if fits:
                break
        return lines

    def _break(self, formula: str, width: float, px: int) -> tuple[list[FormulaLine], bool]:
        """``formula`` broken before " = " signs to fit ``width``; True when every line fits."""
        if self.text_width(formula, px) <= width:
            return [FormulaLine(formula, px)], True
        match = _NOTE.match(formula)
        body, note = (match.group(1), match.group(2)) if match else (formula, "")
        terms = split_top(body, " = ")
        indent = " " * (len(terms[0]) + 1) + "= "
        rows = [terms[0] + (" = " + terms[1] if len(terms) > 1 else "")]
        for term in terms[2:]:
            joined = f"{rows[-1]} = {term}"
            if self.text_width(joined, px) <= width:
                rows[-1] = joined
            else:
                rows.append(indent + term)
        lines = [FormulaLine(row, px) for row in rows]
        if note:
            with_note = f"{rows[-1]} {note}"
            if self.text_width(with_note, px) <= width:
                lines[-1] = FormulaLine(with_note, px)
            else:
                lines.append(FormulaLine(note, px, note=True))
        fits = all(line.note or self.text_width(line.text, px) <= width for line in lines)
        return lines, fits
