"""What the Train workspace's plots show, for tests of whether their words fit: a run whose
gradient norms span many powers of ten, and where a plot draws a title's glyphs."""

import numpy as np
from PySide6.QtCore import QRectF

from cnnviz.ui.train.series import RunSeries


def fading_run(steps: int = 40) -> RunSeries:
    """A 20-layer plain network whose norms fade to 10⁻⁸ and a residual one that stays
    near 1, shown as "Plain-20" and "ResNet-20"."""
    run = RunSeries()
    run.total_steps = steps
    for name, shown, low in (("plain20", "Plain-20", -8.0), ("resnet20", "ResNet-20", -0.5)):
        model = run.add_model(name, shown, [f"layer{i}" for i in range(20)])
        for step in range(1, steps + 1):
            model.add_step(step, 2.0 - step / steps, step / steps,
                           10 ** np.linspace(low, 0.0, 20))
    return run


def glyph_box(plot, text_item) -> QRectF:
    """Where ``text_item`` (a plot's title or an axis title) draws its text, in ``plot``'s
    pixels: its bounding box less the text document's margin."""
    margin = text_item.document().documentMargin()
    box = text_item.boundingRect().adjusted(margin, margin, -margin, -margin)
    return QRectF(plot.mapFromScene(text_item.mapRectToScene(box)).boundingRect())
