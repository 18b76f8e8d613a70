"""Look inside a network: the user's picture through every layer (``LookInsidePanel``).

The panel is imported on first use of the name, so that :mod:`cnnviz.ui.probe.accepts` can
answer which files the panel takes without loading its widgets and torch.
"""

__all__ = ["LookInsidePanel"]


def __getattr__(name: str):
    if name == "LookInsidePanel":
        from cnnviz.ui.probe.panel import LookInsidePanel

        return LookInsidePanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
