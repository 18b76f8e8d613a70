"""Reordering pipeline steps: dragging a card (real mouse events, real drop events), the
drop indicator, the keyboard shortcuts, and titles that do not fit."""

from __future__ import annotations

import pytest
from dnd import drag_event
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from cnnviz.core.augment import Pipeline, Step

FOUR = Pipeline([Step("hflip"), Step("rotate"), Step("colour_jitter"), Step("cutout")])


@pytest.fixture
def editor(qtbot):
    from cnnviz.ui.app import make_application
    from cnnviz.ui.augment.pipeline_editor import PipelineEditor

    make_application()
    widget = PipelineEditor()
    qtbot.addWidget(widget)
    widget.resize(420, 900)
    widget.set_pipeline(FOUR)
    widget.show()
    qtbot.waitExposed(widget)
    for card in widget.cards:
        card.toggle_folded()  # short cards: all four fit, as when a user folds them to reorder
    QApplication.processEvents()
    return widget


def ops(editor) -> list[str]:
    return [s.op for s in editor.pipeline.steps]


def send_drag(target, mime: QMimeData, point: QPoint, drop: bool = True) -> tuple[bool, bool]:
    """Deliver enter, move and (if ``drop``) drop events at ``point``; whether the move was
    accepted and whether the drop was."""
    QApplication.sendEvent(target, drag_event(QDragEnterEvent, point, mime))
    move = drag_event(QDragMoveEvent, point, mime)
    QApplication.sendEvent(target, move)
    if not drop:
        return move.isAccepted(), False
    event = drag_event(QDropEvent, point, mime)
    QApplication.sendEvent(target, event)
    return move.isAccepted(), event.isAccepted()


def test_dragging_a_card_by_its_grip_moves_the_step(qtbot, editor, monkeypatch):
    """Press on the grip, pull past the drag distance: a QDrag carries the step; where it
    is dropped (here: below the last card) the list shows a line and makes the move."""
    from cnnviz.ui.augment.step_drag import step_index

    step_list = editor.list_widget
    seen: dict = {}

    def fake_exec(drag: QDrag, *_args):
        # The platform's drag loop, standing in: it delivers what the mouse would.
        mime = drag.mimeData()
        seen["index"] = step_index(step_list, mime)
        seen["dimmed"] = not editor.cards[0].isEnabled()
        accepted, _ = send_drag(step_list, mime, step_list.gap_point(4), drop=False)
        seen["indicator"] = step_list.indicator.isVisible()
        seen["indicator_y"] = step_list.indicator.geometry().center().y()
        seen["last_bottom"] = editor.cards[3].geometry().bottom()
        seen["move_accepted"] = accepted
        QApplication.sendEvent(step_list, drag_event(QDropEvent, step_list.gap_point(4), mime))
        return Qt.DropAction.MoveAction

    monkeypatch.setattr(QDrag, "exec", fake_exec)
    grip = editor.cards[0].grip
    start = grip.rect().center()
    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.mousePress(grip, Qt.MouseButton.LeftButton, pos=start)
        far = start + QPoint(0, QApplication.startDragDistance() + 6)
        qtbot.mouseMove(grip, far)
    assert seen["index"] == 0 and seen["dimmed"] and seen["move_accepted"]
    assert seen["indicator"]
    assert seen["indicator_y"] > seen["last_bottom"]  # below the last card
    assert ops(editor) == ["rotate", "colour_jitter", "cutout", "hflip"]
    assert not step_list.indicator.isVisible()
    assert [c.index for c in editor.cards] == [0, 1, 2, 3] and all(c.isEnabled() for c in editor.cards)
    assert all(c.body.isHidden() for c in editor.cards)  # folded cards stay folded


def test_a_moved_step_keeps_its_fold(qtbot, editor):
    editor.cards[2].toggle_folded()  # colour jitter open, the others folded
    editor.move_step_to(2, 0)
    assert [c.body.isHidden() for c in editor.cards] == [False, True, True, True]
    editor.add_step("greyscale")
    assert not editor.cards[4].body.isHidden()


@pytest.mark.parametrize("source, slot, expected", [
    (3, 0, ["cutout", "hflip", "rotate", "colour_jitter"]),
    (0, 2, ["rotate", "hflip", "colour_jitter", "cutout"]),
    (2, 1, ["hflip", "colour_jitter", "rotate", "cutout"]),
])
def test_drop_events_land_the_step_in_the_gap_under_the_mouse(qtbot, editor, source, slot, expected):
    from cnnviz.ui.augment.step_drag import step_mime

    step_list = editor.list_widget
    with qtbot.waitSignal(editor.pipeline_changed):
        moved, dropped = send_drag(step_list, step_mime(step_list, source), step_list.gap_point(slot))
    assert moved and dropped
    assert ops(editor) == expected


def test_the_indicator_follows_the_mouse_and_hides_where_nothing_would_change(qtbot, editor):
    from cnnviz.ui.augment.step_drag import step_mime

    step_list = editor.list_widget
    mime = step_mime(step_list, 1)
    send_drag(step_list, mime, step_list.gap_point(0), drop=False)
    top = step_list.indicator.geometry().center().y()
    assert step_list.indicator.isVisible() and top < editor.cards[0].geometry().top()
    send_drag(step_list, mime, step_list.gap_point(3), drop=False)
    between = step_list.indicator.geometry().center().y()
    assert editor.cards[2].geometry().bottom() <= between <= editor.cards[3].geometry().top()
    # Either side of the card itself is where it already is: no line, and no change.
    send_drag(step_list, mime, step_list.gap_point(2), drop=False)
    assert not step_list.indicator.isVisible()
    send_drag(step_list, mime, step_list.gap_point(4), drop=False)
    QApplication.sendEvent(step_list, QDragLeaveEvent())
    assert not step_list.indicator.isVisible()
    with qtbot.assertNotEmitted(editor.pipeline_changed):
        send_drag(step_list, mime, step_list.gap_point(1))
    assert ops(editor) == ["hflip", "rotate", "colour_jitter", "cutout"]


def test_other_drags_pass_through_and_foreign_steps_are_refused(qtbot, editor):
    from cnnviz.ui.augment.step_drag import StepList, step_mime

    step_list = editor.list_widget
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile("/tmp/cat.png")])
    moved, _ = send_drag(step_list, files, step_list.gap_point(0), drop=False)
    assert not moved  # left to the workspace, which opens pictures
    other = StepList()
    with qtbot.assertNotEmitted(editor.pipeline_changed):
        moved, dropped = send_drag(step_list, step_mime(other, 0), step_list.gap_point(4))
    assert not moved and not dropped
    other.deleteLater()


def test_alt_and_ctrl_arrows_move_the_focused_card(qtbot, editor):
    editor.window().activateWindow()
    card = editor.cards[1]
    qtbot.mouseClick(card.grip, Qt.MouseButton.LeftButton)  # focuses the card
    assert card.hasFocus()
    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.keyClick(card, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert ops(editor) == ["hflip", "colour_jitter", "rotate", "cutout"]
    moved = editor.cards[2]
    assert moved.hasFocus()  # focus follows the step, so the keys can be pressed again
    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.keyClick(moved, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert ops(editor) == ["hflip", "colour_jitter", "cutout", "rotate"]
    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.keyClick(editor.cards[3], Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert ops(editor) == ["hflip", "colour_jitter", "rotate", "cutout"]
    # At the top, Alt+Up has nowhere to go.
    qtbot.mouseClick(editor.cards[0].grip, Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(editor.pipeline_changed):
        qtbot.keyClick(editor.cards[0], Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)


def test_shortcuts_work_from_a_control_inside_the_card(qtbot, editor):
    editor.window().activateWindow()
    card = editor.cards[1]
    card.toggle_folded()  # show the angle slider again
    QApplication.processEvents()
    card.chance.setFocus()
    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.keyClick(card.chance, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert ops(editor) == ["rotate", "hflip", "colour_jitter", "cutout"]
    assert editor.pipeline.steps[0].probability == 1.0  # the spin box did not step as well


def test_long_titles_wrap_then_end_in_an_ellipsis_in_narrow_cards(qtbot, editor):
    editor.set_pipeline(Pipeline([Step("cutout"), Step("random_resized_crop")]))
    card = editor.cards[0]
    title = card.title
    assert title.text() == "Cutout / random erasing"
    for width, lines in ((700, 1), (410, 2)):
        editor.resize(width, 600)
        QApplication.processEvents()
        shown = title.shown_text()
        assert shown.replace("\n", " ") == "Cutout / random erasing", (width, shown)
        assert len(shown.split("\n")) == lines
        assert title.height() >= title.heightForWidth(title.width())  # no line cut off
        assert title.geometry().right() < card.chance.geometry().left()  # no overlap
    forms = []
    for width in range(400, 250, -10):  # narrower and narrower: wrapped, then cut
        editor.resize(width, 600)
        QApplication.processEvents()
        shown = title.shown_text()
        forms.append(shown)
        assert title.geometry().right() < card.chance.geometry().left()
        assert title.height() >= title.heightForWidth(title.width())
        assert shown.replace("\n", " ").rstrip("…") in "Cutout / random erasing"
    assert any(f.endswith("…") and len(f.split("\n")) == 2 for f in forms)
    assert forms[-1].endswith("…")
    assert title.toolTip().startswith("Cutout / random erasing")
