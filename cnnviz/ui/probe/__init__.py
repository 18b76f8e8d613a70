"""Look inside a network: the user's picture through every layer (``LookInsidePanel``)."""

from cnnviz.ui.probe.panel import LookInsidePanel

__all__ = ["LookInsidePanel"]
