"""How the run view shares its height between the model panels and the history row.

The model panels (gradient norm across depth, the heat map) are the lesson, so they get about
three fifths of the height and the history row (chosen layers, loss, accuracy) the rest.  A
QSplitter left to itself splits by its children's size hints the first time it lays out,
which depends on what happened to exist at that moment (panels built ahead or not, a banner
shown or not), and keeps that proportion from then on: in a long session the panels could
end up a sliver with their axis titles cut.  :class:`PlotSplit` sets the share whenever a
run's panels are shown, keeps a share the user dragged to (for later runs and sessions) as
long as it leaves the panels a fair part, and puts the default back otherwise.  Each plot
also has a minimum height (:data:`PLOT_MIN_HEIGHT`), which the splitter never goes below.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSplitter

from cnnviz.ui import settings

#: The panels' part of the height when nothing else was chosen (3:2).
PANEL_SHARE = 0.6
#: A share outside these bounds (dragged there, or remembered from an older session) is not
#: kept for the next run: it squashes one of the two rows.
MIN_SHARE, MAX_SHARE = 0.4, 0.85
#: The least height of a history plot (no title): its axis labels and some data.  The model
#: panels' plots work out their own (:func:`~cnnviz.ui.train.plot_style.minimum_plot_height`).
PLOT_MIN_HEIGHT = 90
KEY = "train/plots_split"
# setSizes takes proportions once the splitter has stretch factors: a large total keeps
# rounding out of the share.
_SCALE = 10_000


def share_of(sizes: Sequence[int]) -> float | None:
    """The first widget's part of ``sizes`` (None when nothing is laid out yet)."""
    total = sum(sizes)
    return sizes[0] / total if len(sizes) == 2 and total > 0 else None


def remembered_share() -> float | None:
    """The share kept from an earlier session, if it is a fair one."""
    try:
        share = float(settings.read_str(KEY, ""))
    except ValueError:
        return None
    return share if MIN_SHARE <= share <= MAX_SHARE else None


class PlotSplit(QObject):
    """Sizes ``splitter`` (model panels first, history second); see the module's text.

    Call :meth:`apply` when a run's panels are shown and :meth:`save` when the view goes."""

    def __init__(self, splitter: QSplitter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.splitter = splitter
        #: The share the user chose by dragging (None: the default).
        self.chosen = remembered_share()
        splitter.splitterMoved.connect(self._moved)

    @property
    def share(self) -> float:
        """The share the panels get at the next :meth:`apply`."""
        return self.chosen if self.chosen is not None else PANEL_SHARE

    def apply(self) -> None:
        """Give the panels their share of the height (also while the view is hidden: the
        splitter keeps the proportion until it lays out)."""
        share = self.share
        current = share_of(self.splitter.sizes())
        if current is not None and abs(current - share) < 0.01:
            return  # already so: setting it again would re-lay out every plot
        top = round(share * _SCALE)
        self.splitter.setSizes([top, _SCALE - top])

    def save(self) -> None:
        settings.write(KEY, "" if self.chosen is None else f"{self.chosen:.4f}")

    def _moved(self, _pos: int, _index: int) -> None:
        share = share_of(self.splitter.sizes())
        if share is not None:
            self.chosen = share if MIN_SHARE <= share <= MAX_SHARE else None
