"""How long does the window take to decide where a dropped file goes, the first time?

The window routes a file by asking each workspace whether it opens it.  Asking through the
light accepts functions (:mod:`cnnviz.ui.workspaces`) imports no workspace; the peer is the
same question asked of each workspace's class, which means importing the workspace's module
(the studio pulls in superqt and its widgets) on the GUI thread before the file opens.

Each measurement runs in a fresh process that has already imported what the window has at the
first drop (Qt widgets, the core's picture suffixes, the Architectures workspace), for a run
folder (the last workspace asked) and a picture; it prints the medians and their ratio.

    python benchmarks/bench_routing.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

# What the window has imported before a first drop (it starts on Architectures).
WARM = "import PySide6.QtWidgets, cnnviz.core.augment.image_io, cnnviz.ui.arch.workspace"

LIGHT = """
from cnnviz.ui.workspaces import WORKSPACES, WorkspaceRegistry
registry = WorkspaceRegistry()
owner = next((w.key for w in WORKSPACES if registry.accepts(w.key, path)), None)
"""

# The peer: import each workspace class in turn and ask it, as the window once did.
CLASSES = """
import importlib
from cnnviz.ui.workspaces import WORKSPACES
owner = None
for w in WORKSPACES:
    cls = getattr(importlib.import_module(w.module), w.class_name)
    if cls.can_open(path):
        owner = w.key
        break
"""


def _time(body: str, path: Path) -> tuple[float, str]:
    code = textwrap.dedent(f"""
        import json, time
        from pathlib import Path
        {WARM}
        path = Path({str(path)!r})
        start = time.perf_counter()
    """) + textwrap.dedent(body) + textwrap.dedent("""
        print(json.dumps([time.perf_counter() - start, owner]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    seconds, owner = json.loads(out.strip().splitlines()[-1])
    return seconds, owner


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cnnviz-routing-"))
    run = folder / "run"
    run.mkdir()
    (run / "run.json").write_text("{}")
    picture = folder / "cat.png"
    picture.write_bytes(b"")
    for name, path in (("run folder", run), ("picture", picture)):
        light, heavy = [], []
        for _ in range(args.repeat):
            seconds, owner = _time(LIGHT, path)
            light.append(seconds)
            seconds, peer_owner = _time(CLASSES, path)
            heavy.append(seconds)
            assert owner == peer_owner, (owner, peer_owner)
        a, b = statistics.median(light), statistics.median(heavy)
        print(f"{name:10s} -> {owner:7s} light accepts {a * 1000:7.1f} ms   importing the "
              f"workspaces {b * 1000:7.1f} ms   ratio {a / b:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
