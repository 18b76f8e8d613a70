"""Which layers the "Chosen layers over time" plot follows: layers picked by their relative
depth (first, ¼, middle, ¾, last), so one choice fits models of any depth, each drawn in its
own line style; the Layers button that chooses them and the line legend under the plot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton


@dataclass(frozen=True)
class DepthChoice:
    """A layer picked by its relative depth, so the same choice fits models of any depth."""

    key: str
    label: str
    fraction: float
    style: Qt.PenStyle

    def index(self, depth: int) -> int:
        return int(round(self.fraction * (depth - 1))) if depth else 0


DEPTH_CHOICES = (
    DepthChoice("first", "First layer", 0.0, Qt.PenStyle.DashLine),
    DepthChoice("quarter", "Layer at ¼ depth", 0.25, Qt.PenStyle.DashDotLine),
    DepthChoice("middle", "Middle layer", 0.5, Qt.PenStyle.DotLine),
    DepthChoice("three_quarters", "Layer at ¾ depth", 0.75, Qt.PenStyle.DashDotDotLine),
    DepthChoice("last", "Last layer", 1.0, Qt.PenStyle.SolidLine),
)
DEFAULT_CHOICES = ("first", "last")

# Each line style drawn in text, for the legend line under the plot.
_DASHES = {Qt.PenStyle.DashLine: "– –", Qt.PenStyle.DashDotLine: "–·–",
           Qt.PenStyle.DotLine: "···", Qt.PenStyle.DashDotDotLine: "–··",
           Qt.PenStyle.SolidLine: "——"}


def chosen_in_order(chosen: list[str]) -> list[DepthChoice]:
    """The choices whose keys are in ``chosen``, from the first layer to the last."""
    return [c for c in DEPTH_CHOICES if c.key in chosen]


def choice_named(key: str) -> DepthChoice:
    return next(c for c in DEPTH_CHOICES if c.key == key)


def line_legend(chosen: list[str]) -> str:
    """"– – first layer   —— last layer": which line style is which layer."""
    return ("   ".join(f"{_DASHES[c.style]} {c.label.lower()}" for c in chosen_in_order(chosen))
            or "Choose layers to follow with the Layers button.")


def layers_button(chosen: list[str],
                  on_toggle: Callable[[str, bool], None]) -> tuple[QToolButton,
                                                                   dict[str, QAction]]:
    """The Layers button and its menu's checkable actions by key (those in ``chosen``
    checked); toggling one calls ``on_toggle(key, on)``."""
    button = QToolButton(text="Layers", autoRaise=True)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setToolTip("Choose which layers' gradient norms to follow")
    # Hidden for the overview picture (exports.py) without moving the plots.
    policy = button.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    button.setSizePolicy(policy)
    menu = QMenu(button)
    actions: dict[str, QAction] = {}
    for choice in DEPTH_CHOICES:
        act = QAction(choice.label, menu, checkable=True)
        act.setChecked(choice.key in chosen)
        act.toggled.connect(lambda on, k=choice.key: on_toggle(k, on))
        menu.addAction(act)
        actions[choice.key] = act
    button.setMenu(menu)
    return button, actions
