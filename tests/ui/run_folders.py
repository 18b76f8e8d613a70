"""Opening a run folder in the Train workspace from a test."""

WAIT_MS = 60_000


def open_run_and_read(qtbot, ws, path) -> bool:
    """``ws.open_run(path)``, then wait until its rows (read on a worker thread) are in."""
    opened = ws.open_run(path)
    if opened:
        qtbot.waitUntil(lambda: ws.source is not None and ws.source.loaded, timeout=WAIT_MS)
    return opened
