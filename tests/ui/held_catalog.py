"""Hold the Architectures catalog back while a test acts before it has loaded."""

from __future__ import annotations

import threading

from cnnviz.ui.arch import engine

WAIT_MS = 60_000


def hold_catalog(monkeypatch) -> threading.Event:
    """Make the catalog's loading wait until the returned event is set (or a minute has
    passed), however fast the machine: set it to let the catalog arrive."""
    arrived = threading.Event()
    load_catalog = engine.load_catalog

    def held_back(*args, **kwargs):
        arrived.wait(WAIT_MS / 1000)
        return load_catalog(*args, **kwargs)

    monkeypatch.setattr(engine, "load_catalog", held_back)
    return arrived
