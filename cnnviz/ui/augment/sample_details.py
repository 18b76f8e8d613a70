"""The side panel telling what was drawn for one sample: each step, applied or skipped, its
parameters, the matrix of affine steps and, for PCA colour, the eigen-decomposition and
the alphas (Krizhevsky et al. 2012, section 4.1)."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from cnnviz.core.augment import OpInfo, PcaInfo, Sample, get_op

# Drawn values that are shown in their own way, or are only seeds for a random pattern.
_HIDDEN = {"alphas", "eigenvectors", "eigenvalues", "field_seed", "noise_seed"}
# Where a crop or a cut-out box was placed: drawn in [0, 1] as a share of the room the box
# leaves free (0 = at the left or top edge, 1 = at the right or bottom edge).
_PLACEMENT = {"pos_x": ("Place across", "of the spare width"),
              "pos_y": ("Place down", "of the spare height")}


def format_value(value: Any) -> str:
    """A drawn parameter as a short string: 3 significant digits, long lists counted."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        if len(value) > 4:
            return f"{len(value)} values"
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    return str(value)


def drawn_params(info: OpInfo) -> list[tuple[str, str]]:
    """(title, value with unit) for each parameter a step drew, in the operation's order."""
    spec = get_op(info.op)
    rows = []
    titles = {p.name: (p.title, p.unit) for p in spec.params}
    for name, value in info.params.items():
        if name in _HIDDEN:
            continue
        if name in _PLACEMENT and isinstance(value, float):
            title, room = _PLACEMENT[name]
            rows.append((title, f"{value:.0%} {room}"))
            continue
        title, unit = titles.get(name, (name.replace("_", " ").capitalize(), ""))
        text = format_value(value)
        if unit and unit not in ("×",) and not isinstance(value, (str, bool)):
            text += f" {unit}"
        elif unit == "×":
            text += "×"
        rows.append((title, text))
    return rows


def sample_summary(index: int, sample: Sample) -> str:
    """A plain-text summary for a tooltip: each applied step and what it drew."""
    lines = [f"Sample {index + 1}"]
    for step in sample.steps:
        title = get_op(step.op).title
        if step.info is None:
            lines.append(f"  {title}: skipped")
            continue
        params = ", ".join(f"{t.lower()} {v}" for t, v in drawn_params(step.info))
        lines.append(f"  {title}" + (f": {params}" if params else ""))
    return "\n".join(lines)


def _matrix_html(matrix: np.ndarray) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td align='right'>&nbsp;{v:.3g}&nbsp;</td>" for v in row) + "</tr>"
        for row in matrix
    )
    return (f"<table style='font-family: monospace;' cellspacing='0' cellpadding='1'>{rows}"
            "</table>")


def _chip(rgb: np.ndarray) -> str:
    r, g, b = (int(np.clip(v, 0, 255)) for v in rgb)
    return f"<span style='background-color: rgb({r},{g},{b});'>&nbsp;&nbsp;&nbsp;&nbsp;</span>"


def _pca_html(pca: PcaInfo, muted: str) -> str:
    source = {"image": "this picture", "imagenet": "ImageNet", "given": "the data set"}[pca.source]

    def row(cells, colour: str = "") -> str:
        style = f" style='color:{colour};'" if colour else ""
        return "<tr>" + "".join(f"<td align='right'{style}>&nbsp;{c}&nbsp;</td>" for c in cells) + "</tr>"

    vectors = [row(["", "R", "G", "B", ""], muted)]
    weights = [row(["", "λ", "α", "α·λ"], muted)]
    for i in range(3):
        p = pca.eigenvectors[:, i]
        vectors.append(row([f"p{i + 1}", *(f"{v:+.3f}" for v in p), _chip(128 + 110 * p)]))
        lam, alpha = pca.eigenvalues[i], pca.alphas[i]
        weights.append(row([f"{i + 1}", f"{lam:.4f}", f"{alpha:+.3f}", f"{alpha * lam:+.4f}"]))
    shift = ", ".join(f"{v:+.1f}" for v in pca.shift)
    table = "<table style='font-family: monospace;' cellspacing='0' cellpadding='1'>{}</table>"
    return (
        f"<p style='margin-top:6px; margin-bottom:2px;'>Colour axes of {source}: eigenvectors "
        f"p of the RGB covariance</p>{table.format(''.join(vectors))}"
        f"<p style='margin-top:6px; margin-bottom:2px;'>Eigenvalues λ and the weights α "
        f"drawn from N(0, σ²)</p>{table.format(''.join(weights))}"
        f"<p>Added to every pixel, [p1 p2 p3][α1λ1, α2λ2, α3λ3]ᵀ =<br>"
        f"<b>({shift})</b> levels &nbsp;{_chip(128 + np.asarray(pca.shift) * 2)}</p>"
    )


def sample_html(index: int, sample: Sample, muted: str) -> str:
    """The whole panel for sample ``index`` as rich text."""
    parts = [f"<h3 style='margin:0;'>Sample {index + 1}</h3>"]
    if not sample.steps:
        parts.append(f"<p style='color:{muted};'>The pipeline is empty: this is the picture "
                     "as it is.</p>")
    for step in sample.steps:
        spec = get_op(step.op)
        if step.info is None:
            parts.append(f"<p style='color:{muted}; margin-top:10px;'>{step.index + 1}. "
                         f"{html.escape(spec.title)}: <i>skipped</i></p>")
            continue
        parts.append(f"<p style='margin-top:10px; margin-bottom:2px;'><b>{step.index + 1}. "
                     f"{html.escape(spec.title)}</b></p>")
        rows = drawn_params(step.info)
        if rows:
            body = "".join(f"<tr><td style='color:{muted};'>{html.escape(t)}&nbsp;&nbsp;</td>"
                           f"<td>{html.escape(v)}</td></tr>" for t, v in rows)
            parts.append(f"<table cellspacing='0' cellpadding='1'>{body}</table>")
        if step.info.matrix is not None:
            parts.append(f"<p style='color:{muted}; margin-bottom:2px;'>Matrix, input to "
                         "output pixels:</p>" + _matrix_html(step.info.matrix))
        if step.info.displacement is not None:
            d = step.info.displacement
            size = np.hypot(d[..., 0], d[..., 1])
            parts.append(f"<p style='color:{muted};'>Pixels moved {size.mean():.1f} px on "
                         f"average, at most {size.max():.1f} px (at preview size).</p>")
        if step.info.pca is not None:
            parts.append(_pca_html(step.info.pca, muted))
    return "".join(parts)


class SampleDetails(QWidget):
    """Shows :func:`sample_html` for the chosen sample, or a hint when none is chosen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("SAMPLE DETAILS")
        heading.setProperty("role", "heading")
        self.text = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignTop)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        # Narrow beside the preview in a small window, the widest table (PCA colour's axes)
        # can be wider than the column: it scrolls rather than being cut off unseen.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setWidget(self.text)
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 12, 12, 12)
        col.setSpacing(8)
        col.addWidget(heading)
        col.addWidget(scroll, 1)
        self.index: int | None = None
        self.clear()

    def clear(self) -> None:
        self.index = None
        self.text.setText("Click a sample to see the parameters drawn for it, the matrix of "
                          "each affine step and the colour axes of PCA colour.")
        self.text.setProperty("role", "muted")
        self.text.style().polish(self.text)

    def show_sample(self, index: int, sample: Sample, muted: str) -> None:
        self.index = index
        self.text.setProperty("role", "")
        self.text.style().polish(self.text)
        self.text.setText(sample_html(index, sample, muted))
