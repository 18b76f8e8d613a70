"""The details panel: what one selected layer or block is, with the course's arithmetic.

Formulas never wrap inside an expression: each one is a line of its own when it fits, else
it breaks before an " = " with the rest aligned under the first one (a derivation as written
on a board), in a slightly smaller font if that saves a break; a term that still does not
fit scrolls sideways rather than wrap.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser

from cnnviz.core.inspect.depth import (
    DEPTH_MEANING, LAYERS_MEANING, MODULES_MEANING, weighted_layers,
)
from cnnviz.ui.arch import formatting as fmt
from cnnviz.ui.arch.formula_layout import FormulaLayout
from cnnviz.ui.theme import theme_manager


# Under the whole network's numbers: what its three counts count (each row's tooltip says
# more).  Papers differ: GoogLeNet's "22 layers" is its depth, VGG-16's 16 both counts.
LAYERS_NOTE = ("Depth counts the layers with weights (convolutions and fully connected "
               "layers) on the longest path through the network, Layers counts them on all "
               "paths, and Modules counts every node of the graph.")


def _row(name: str, value: str, tip: str = "") -> str:
    """A name and its value; ``tip`` (plain text) shows when the pointer rests on either."""
    # Double quotes around the tip: Qt keeps "&#x27;" (html.escape's apostrophe) literally.
    title = f' title="{html.escape(tip, quote=False).replace(chr(34), "&quot;")}"' if tip else ""
    return (f"<tr><td class='k'{title}>{html.escape(name)}</td>"
            f"<td class='v'{title}>{value}</td></tr>")


def _share(part: int, whole: int) -> str:
    """The share as rich text ("<0.1%" escaped)."""
    return html.escape(fmt.percent(part, whole))


def _hyper_value(value) -> str:
    if isinstance(value, (tuple, list)):
        return " × ".join(str(v) for v in value) if value else "()"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


class DetailsPanel(QTextBrowser):
    """Rich text about the selection; :attr:`subject` names what it shows (a key or "model")."""

    FORMULA_PAD = 6  # cell padding of the formula box

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(True)
        self.subject: str | None = None
        self._last = None
        self.catalog_hint = ""  # see set_catalog_hint
        self._gradient = None  # key -> rich text of its gradient norm, or None
        self.formulas = FormulaLayout()
        self._shown_lines: list = []
        theme_manager().changed.connect(self._redraw)
        self.show_nothing()

    def _css(self) -> str:
        p = theme_manager().palette
        return f"""
        <style>
          body {{ color: {p.text}; }}
          h2 {{ font-size: 16px; margin: 0 0 2px 0; }}
          .sub {{ color: {p.muted}; margin-bottom: 10px; }}
          p.h {{ font-size: 8pt; color: {p.muted}; margin-top: 14px; margin-bottom: 4px; font-weight: 700; }}
          td.k {{ color: {p.muted}; padding: 2px 14px 2px 0; }}
          td.v {{ padding: 2px 0; }}
          table.f {{ background: {p.surface_alt}; margin-top: 2px; }}
          .fl {{ font-family: {FormulaLayout.FAMILIES_CSS}; white-space: pre; }}
          .fn {{ color: {p.muted}; }}
          .big {{ font-size: 15px; font-weight: 600; }}
        </style>"""

    def _set(self, body: str, subject: str | None, args) -> None:
        self.subject = subject
        self._last = args
        self.setHtml(f"<html><head>{self._css()}</head><body>{body}</body></html>")

    def _redraw(self, _palette=None) -> None:
        if self._last is not None:
            method, *rest = self._last
            method(*rest)

    def formula_width(self) -> float:
        """The pixels a formula line may take without scrolling: the panel's width less its
        frame, a vertical scroll bar (reserved, so it appearing changes nothing), the page
        margins and the formula box's padding."""
        margin = self.document().documentMargin()
        scroll = self.verticalScrollBar().sizeHint().width()
        return self.width() - 2 * self.frameWidth() - scroll - 2 * margin - 2 * self.FORMULA_PAD - 2

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # Lay the formulas out again for the new width, only when their breaks change.
        if self._last is not None and self._last[0] == self.show_layer:
            layer = self._last[2]
            if self.formulas.layout(layer.formulas, self.formula_width()) != self._shown_lines:
                scroll = self.verticalScrollBar().value()
                self._redraw()
                self.verticalScrollBar().setValue(scroll)

    def _formula_html(self, formulas: list[str]) -> str:
        lines = self.formulas.layout(formulas, self.formula_width())
        self._shown_lines = lines
        rows = []
        for line in lines:
            if line.note:
                rows.append(f"<div class='fn'>{html.escape(line.text)}</div>")
            else:
                rows.append(f"<div class='fl'>{html.escape(line.text)}</div>")
        size = lines[0].px if lines else FormulaLayout.SIZES[0]
        return (f"<table class='f' width='100%' cellspacing='0' cellpadding='{self.FORMULA_PAD}'>"
                f"<tr><td style='font-size: {size}px'>{''.join(rows)}</td></tr></table>")

    def set_gradient_source(self, source) -> None:
        """``source(key)`` gives the gradient line of a layer or block (rich text, or None);
        None stops showing gradients.  The shown layer is redrawn, keeping the scroll."""
        self._gradient = source
        self.refresh_gradient()

    def refresh_gradient(self) -> None:
        """Redraw the shown layer or block with its current gradient line."""
        if self._last is None or self.subject in (None, "model"):
            return
        scroll = self.verticalScrollBar().value()
        self._redraw()
        self.verticalScrollBar().setValue(scroll)

    def gradient_line(self, key: str) -> str | None:
        return self._gradient(key) if self._gradient is not None else None

    def _gradient_section(self, key: str) -> str:
        line = self.gradient_line(key)
        return f"<p class='h'>TRAINING</p><p>{line}</p>" if line else ""

    def show_nothing(self, text: str = "Select a layer in the graph or the table to see its "
                     "hyper-parameters, arithmetic and memory.") -> None:
        self._set(f"<p class='sub'>{html.escape(text)}</p>", None, (self.show_nothing, text))

    def set_catalog_hint(self, hint: str) -> None:
        """A line under the whole network's numbers that points at the folded catalog
        ("" for none); shown from the next :meth:`show_model`, or at once if it is shown."""
        if hint == self.catalog_hint:
            return
        self.catalog_hint = hint
        if self._last is not None and self._last[0] == self.show_model:
            self._redraw()

    def show_model(self, report, entry=None) -> None:
        t = report.totals
        rows = [
            _row("Input", fmt.shape(report.input_shape)),
            _row("Classes", str(report.num_classes) if report.num_classes else "–"),
            _row("Layers", f"{weighted_layers(report)}", LAYERS_MEANING),
            _row("Depth", str(report.network_depth), DEPTH_MEANING),
            _row("Modules", str(len(report.layers)), MODULES_MEANING),
            _row("Parameters", f"<span class='big'>{fmt.exact(t.params)}</span>"),
            _row("Trainable", fmt.exact(t.trainable_params)),
            _row("Multiply-adds", f"{fmt.count(t.macs)} ({fmt.exact(t.macs)})"),
            _row("Activations", f"{fmt.nbytes(t.activation_bytes)} per image"),
            _row("Size on disk", fmt.nbytes(t.size_bytes)),
            _row("Traced with", "torch.fx" if report.traced_with == "fx" else "forward hooks"),
        ]
        body = f"<h2>{html.escape(report.display_name)}</h2>"
        if entry is not None and entry.year:
            body += f"<div class='sub'>{html.escape(entry.family)} · {entry.year}</div>"
        body += "<p class='h'>WHOLE NETWORK</p><table>" + "".join(rows) + "</table>"
        body += (f"<p class='sub'>{html.escape(LAYERS_NOTE)}</p>"
                 "<p class='sub'>Select a layer in the graph or the table to see its "
                 "hyper-parameters, arithmetic and memory.</p>")
        if self.catalog_hint:
            body += f"<p class='sub'>{html.escape(self.catalog_hint)}</p>"
        self._set(body, "model", (self.show_model, report, entry))

    def show_layer(self, report, layer) -> None:
        t = report.totals
        dtype = report.dtype_bytes
        body = (f"<h2>{html.escape(layer.name or layer.id)}</h2>"
                f"<div class='sub'>{html.escape(layer.type)} · {html.escape(layer.kind)}"
                f"{' · in ' + html.escape(layer.block) if layer.block else ''}</div>")
        body += self._gradient_section(layer.id)
        shapes = [_row("Input" if len(layer.input_shapes) < 2 else f"Input {i + 1}", fmt.shape(s))
                  for i, s in enumerate(layer.input_shapes)]
        shapes.append(_row("Output", f"<b>{fmt.shape(layer.output_shape)}</b>"))
        body += "<p class='h'>SHAPES</p><table>" + "".join(shapes) + "</table>"
        if layer.hyper:
            rows = "".join(_row(k.replace("_", " ").capitalize(), _hyper_value(v))
                           for k, v in layer.hyper.items())
            body += f"<p class='h'>HYPER-PARAMETERS</p><table>{rows}</table>"
        if layer.formulas:
            body += "<p class='h'>ARITHMETIC</p>" + self._formula_html(layer.formulas)
        numbers = [
            _row("Parameters", f"{fmt.exact(layer.params)} ({_share(layer.params, t.params)} of total)"),
        ]
        if layer.frozen_params:
            numbers.append(_row("Frozen", fmt.exact(layer.frozen_params)))
        numbers.append(_row("Multiply-adds", f"{fmt.exact(layer.macs)} ({_share(layer.macs, t.macs)})"))
        if layer.rf is not None:
            numbers.append(_row("Receptive field", f"{layer.rf} × {layer.rf} px, jump {layer.rf_jump}"))
        body += "<p class='h'>NUMBERS</p><table>" + "".join(numbers) + "</table>"
        memory = [
            _row("Output activations", f"{fmt.nbytes(layer.activation_bytes)} per image"),
            _row("Weights", fmt.nbytes(layer.params * dtype)),
        ]
        body += "<p class='h'>MEMORY</p><table>" + "".join(memory) + "</table>"
        self._set(body, layer.id, (self.show_layer, report, layer))

    def show_block(self, report, block, n_layers: int, collapsed: bool) -> None:
        """Block ``block``: ``n_layers`` is its weighted layers (see
        :func:`cnnviz.core.inspect.depth.block_layers`)."""
        t = report.totals
        body = (f"<h2>{html.escape(block.path)}</h2>"
                f"<div class='sub'>{html.escape(block.type)} block"
                f"{' · collapsed: click + on it to expand' if collapsed else ''}</div>")
        body += self._gradient_section(block.path)
        rows = [
            _row("Layers", str(n_layers)),
            _row("Parameters", f"{fmt.exact(block.params)} ({_share(block.params, t.params)} of total)"),
            _row("Multiply-adds", f"{fmt.exact(block.macs)} ({_share(block.macs, t.macs)})"),
            _row("Weights", fmt.nbytes(block.params * report.dtype_bytes)),
        ]
        if block.repeat > 1:
            rows.append(_row("Repeated", f"× {block.repeat} identical blocks in a row"))
        if block.repeat_of:
            rows.append(_row("Same as", html.escape(block.repeat_of)))
        body += "<p class='h'>SUBTOTALS</p><table>" + "".join(rows) + "</table>"
        self._set(body, block.path, (self.show_block, report, block, n_layers, collapsed))
