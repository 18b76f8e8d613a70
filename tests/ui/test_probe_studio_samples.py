"""Look inside's invariance check shows the studio's samples: the same picture, seed and
pipeline give the very pictures Export Samples writes, since both mix the picture's file name
into each sample's draw."""

from __future__ import annotations

import numpy as np
from PIL import Image
from studio_fixtures import themed, ws  # noqa: F401 - the fixtures, used by name
from studio_pictures import picture

from cnnviz.core.augment import Pipeline, Step

WAIT_MS = 60_000
PIPELINE = Pipeline([Step("random_resized_crop", {"scale": (0.3, 1.0)}),
                     Step("rotate", {"angle": (-40.0, 40.0)})])


def export_current(qtbot, ws, folder) -> None:
    """Export the current picture's samples into ``folder`` with the studio's dialog."""
    dialog = ws.export_samples_dialog()
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(folder))
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS) as blocker:
        dialog.start()
    assert blocker.args[0].errors == []
    dialog.reject()


# make_shown before ws: its teardown deletes widgets at once, so it must come after the
# studio's own shutdown.
def test_look_inside_checks_the_samples_the_studio_exports(qtbot, make_shown, ws, tmp_path):
    from cnnviz.ui.probe import LookInsidePanel

    with qtbot.waitSignal(ws.images_loaded, timeout=WAIT_MS):
        ws.open_paths([picture(tmp_path / "dog.png", 120, 80),
                       picture(tmp_path / "cat.png", 120, 80)])
    ws._select_key(next(i.key for i in ws.images if i.name == "cat.png"))
    ws.editor.set_pipeline(PIPELINE)
    ws.grid.fixed_seed.setChecked(True)
    ws.grid.set_seed(5)
    ws.grid.set_count(4)
    out = tmp_path / "samples"
    export_current(qtbot, ws, out)
    exported = [np.asarray(Image.open(out / f"cat_{i:03d}.png")) for i in range(4)]

    panel = make_shown(LookInsidePanel, (1280, 800))
    panel.set_architecture("lenet5")

    def look_inside(image, name, pipeline):  # what the window does with the hand-off
        panel.set_image(image, name)
        panel.set_pipeline(pipeline)

    ws.look_inside_requested.connect(look_inside)
    ws.request_look_inside()
    qtbot.waitUntil(lambda: panel.probe is not None and not panel.worker.busy, timeout=WAIT_MS)
    assert panel.image_name == "cat.png" and not panel.banner.message
    view = panel.invariance_view
    view.count.setValue(4)
    view.seed.setValue(5)
    panel.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: len(view.cards) == 4 and not panel.worker.busy, timeout=WAIT_MS)
    assert not np.array_equal(view.rows[0][0], view.rows[1][0])  # really drawn, not copies
    for (sample, _), written in zip(view.rows, exported):
        np.testing.assert_array_equal(sample, written)
