"""The panel's left column: the picture as the network sees it, and the network's answer."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnviz.ui.probe.chrome import card
from cnnviz.ui.probe.input_view import InputView
from cnnviz.ui.probe.predictions import PredictionList

NO_IMAGE = "Drop a photo to see what the network answers."
RANDOM = ("With random weights the answer is noise. Choose ImageNet weights (or a trained "
          "model) to see what the network recognises.")


class CaptionLabel(QLabel):
    """A word-wrapped label that claims, as its minimum height, the height its text needs at
    its current width.  Layouts under a splitter ask a wrapped label only for its height at
    a default width; at 150 % that was a line short and the picture above was squeezed under
    the caption's text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def _reserve(self) -> None:
        need = self.heightForWidth(self.width()) if self.text() else 0
        if need != self.minimumHeight():
            self.setMinimumHeight(max(0, need))

    def setText(self, text: str) -> None:
        super().setText(text)
        self._reserve()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reserve()


class SeenColumn(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.input_view = InputView()
        self.caption = CaptionLabel()
        self.caption.setProperty("role", "muted")
        self.predictions = PredictionList(5)
        self.predictions.set_message(NO_IMAGE)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(card("What the network sees", self.input_view, self.caption))
        self.answer_card = card("Top-5 answer", self.predictions)
        column.addWidget(self.answer_card)
        column.addStretch(1)

    def show_probe(self, probe, image_name: str, waiting: bool = False) -> None:
        """Show ``probe`` (an ImageProbe), or nothing: then say whether a picture is on its
        way (``waiting``) or still to be chosen."""
        self.input_view.set_picture(probe.seen if probe else None)
        if probe is None:
            self.answer_card.heading.setText("TOP-5 ANSWER")
            self.caption.setText("")
            self.predictions.set_message("Running…" if waiting else NO_IMAGE)
            return
        self.caption.setText(f"{image_name}: {describe_input(probe.network, probe.seen)}."
                             + tiny_note(probe.image))
        if probe.network.weights == "random":
            self.predictions.set_message(RANDOM)
        else:
            self.predictions.set_predictions(probe.predictions)
        n = len(probe.predictions)
        # A lab model of three classes answers with all three, not a "top-5".
        title = f"Top-{n} answer" if n >= self.predictions.rows or not n else f"All {n} classes"
        self.answer_card.heading.setText(title.upper())


# A picture with fewer pixels than this on a side is blown up into blocks or one flat colour.
TINY_SIDE = 16


def tiny_note(image) -> str:
    """A sentence to add after the caption of a picture a few pixels wide, else ""."""
    h, w = image.shape[:2]
    if min(h, w) >= TINY_SIDE:
        return ""
    return (f" This picture is {w} × {h} pixels: too small for the maps to show any "
            "shape.")


def describe_input(network, seen) -> str:
    """How a picture became ``network``'s input ``seen`` (an RGB array), in a few words."""
    prep = network.prep
    h, w = seen.shape[:2]
    if prep.pad:
        how = f"centre square resized to {h - prep.pad}×{w - prep.pad} in a black border"
    elif not prep.resize:
        how = f"resized to {h}×{w}"
    elif prep.resize == min(h, w):
        how = f"centre square resized to {h}×{w}"
    else:
        how = f"short side resized to {prep.resize}, centre {h}×{w} crop"
    grey = ", as grey levels" if prep.weights_of_grey is not None else ""
    if network.trained_input:
        # Kept short: beside the explorer at 1280x800 the column has room for four lines.
        _c, ch, cw = network.spec.input_shape
        other = f" (catalog: {ch}×{cw})" if (ch, cw) != (h, w) else ""
        return f"{how} as in training{other}{grey}, normalised"
    return f"{how}{grey}, normalised"
