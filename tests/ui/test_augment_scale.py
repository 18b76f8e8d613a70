"""At 150 % (QT_SCALE_FACTOR=1.5) every device pixel of a preview tile is painted: a tile
whose width is not a whole number of device pixels leaves no stale column or row at its edge
(the dotted seam between the sample columns).  The scale factor must be set before the
QApplication exists, so the check runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json
import numpy as np
from PySide6.QtGui import QImage
from cnnviz.ui.app import make_application
from cnnviz.ui.theme import theme_manager
from cnnviz.ui.augment.image_tile import ImageTile

app = make_application()
theme_manager().apply()
pal = theme_manager().palette
found = {"ratio": None, "stale": []}
for width in (111, 113, 120, 133):
    tile = ImageTile(0, "#1")
    tile.resize(width, 91)
    tile.set_image(np.full((40, 60, 3), 90, np.uint8))
    tile.show()
    app.processEvents()
    found["ratio"] = tile.devicePixelRatioF()
    image = tile.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    right, bottom = image.width() - 1, image.height() - 1
    # The corners lie outside the rounded card: the window's colour shows there.
    for x, y in ((0, 0), (right, 0), (0, bottom), (right, bottom)):
        if image.pixelColor(x, y).name() != pal.window.lower():
            found["stale"].append([width, x, y, image.pixelColor(x, y).name()])
    # Along the right edge and the bottom: the window or the card's border, never stale.
    allowed = {pal.window.lower(), pal.border.lower(), pal.surface.lower()}
    for y in range(0, bottom, 7):
        if image.pixelColor(right, y).name() in {"#000000", "#ffffff"} - allowed:
            found["stale"].append([width, right, y, image.pixelColor(right, y).name()])
print("RESULT" + json.dumps(found))
"""


def test_a_tile_leaves_no_unpainted_edge_at_150_percent():
    env = dict(os.environ, QT_SCALE_FACTOR="1.5", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line is not None, done.stderr[-2000:]
    found = json.loads(line[len("RESULT"):])
    assert found["ratio"] == 1.5
    assert found["stale"] == []
