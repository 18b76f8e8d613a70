"""The pipeline editor, its parameter controls and the operation picker change the model."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox

from cnnviz.core.augment import Pipeline, Step, get_op, list_ops


@pytest.fixture
def editor(qtbot):
    from cnnviz.ui.app import make_application
    from cnnviz.ui.augment.pipeline_editor import PipelineEditor

    make_application()
    widget = PipelineEditor()
    qtbot.addWidget(widget)
    widget.resize(400, 700)
    widget.show()
    return widget


def ops(editor) -> list[str]:
    return [s.op for s in editor.pipeline.steps]


def test_add_remove_and_reorder_change_the_pipeline(qtbot, editor):
    for op in ("hflip", "rotate", "cutout"):
        with qtbot.waitSignal(editor.pipeline_changed):
            editor.add_step(op)
    assert ops(editor) == ["hflip", "rotate", "cutout"]
    assert editor.pipeline.steps[1].params == get_op("rotate").default_settings()
    assert len(editor.cards) == 3 and not editor.empty.isVisible()
    assert not editor.cards[0].up.isEnabled() and not editor.cards[2].down.isEnabled()

    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.mouseClick(editor.cards[2].up, Qt.MouseButton.LeftButton)
    assert ops(editor) == ["hflip", "cutout", "rotate"]
    qtbot.mouseClick(editor.cards[0].down, Qt.MouseButton.LeftButton)
    assert ops(editor) == ["cutout", "hflip", "rotate"]
    with qtbot.waitSignal(editor.pipeline_changed):
        qtbot.mouseClick(editor.cards[1].remove, Qt.MouseButton.LeftButton)
    assert ops(editor) == ["cutout", "rotate"]
    assert [c.index for c in editor.cards] == [0, 1]
    editor.remove_step(0)
    editor.remove_step(0)
    assert ops(editor) == [] and editor.empty.isVisibleTo(editor)


def test_toggle_and_chance_change_the_step(qtbot, editor):
    editor.set_pipeline(Pipeline([Step("hflip"), Step("vflip")]))
    card = editor.cards[1]
    with qtbot.waitSignal(editor.pipeline_changed):
        card.enable.click()
    assert editor.pipeline.steps[1].enabled is False
    assert not card.body.isEnabled()
    assert "1 off" in editor.summary.text()
    with qtbot.waitSignal(editor.pipeline_changed):
        editor.cards[0].chance.setValue(35)
    assert editor.pipeline.steps[0].probability == pytest.approx(0.35)


def test_every_parameter_gets_a_control_that_writes_its_type(qtbot, editor):
    for spec in list_ops():
        editor.set_pipeline(Pipeline([Step(spec.name)]))
        card = editor.cards[0]
        assert set(card.controls) == {p.name for p in spec.params}
        for param in spec.params:
            control = card.controls[param.name]
            # A slider shows the default to its step (4/3 reads 1.3333).
            shown = control.value()
            if param.kind in ("float", "int"):
                assert shown == pytest.approx(param.default, abs=param.step), (spec.name, param.name)
            else:
                assert shown == param.default, (spec.name, param.name)
            widget = control.editor
            if isinstance(widget, QCheckBox):
                widget.setChecked(not param.default)
                expected = not param.default
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.count() - 1)
                expected = param.choices[-1]
            elif param.ranged:
                low = param.minimum
                high = param.maximum
                widget.setValue((low, high))
                expected = (low, high)
            else:
                widget.setValue(param.maximum)
                expected = param.maximum
            stored = editor.pipeline.steps[0].params[param.name]
            assert stored == pytest.approx(expected) if not isinstance(expected, str) else stored == expected
            if param.kind == "int":
                assert all(isinstance(v, int) for v in (stored if param.ranged else (stored,)))
        # Whatever the controls wrote, the pipeline still validates.
        editor.pipeline.validated()


def test_float_slider_values_are_rounded_to_the_step(editor):
    editor.set_pipeline(Pipeline([Step("colour_jitter")]))
    editor.cards[0].controls["brightness"].editor.setValue((0.7000000001, 1.3499999))
    low, high = editor.pipeline.steps[0].params["brightness"]
    assert (low, high) == (0.7, 1.35)


def test_picker_lists_every_operation_by_category_and_filters(qtbot, editor):
    from cnnviz.ui.augment.op_picker import OpPicker

    picker = OpPicker()
    qtbot.addWidget(picker)
    assert picker.names() == [s.name for s in list_ops()]
    headers = [picker.list.item(i).text() for i in range(picker.list.count())
               if picker.list.item(i).data(Qt.ItemDataRole.UserRole) is None]
    assert headers[:2] == ["GEOMETRY", "COLOUR"]
    picker.search.setText("pca")
    visible = [picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count())
               if not picker.list.item(i).isHidden()]
    assert visible == [None, "pca_colour"]
    with qtbot.waitSignal(picker.chosen) as blocker:
        picker.search.returnPressed.emit()
    assert blocker.args == ["pca_colour"]


def test_picking_from_the_popup_appends_a_step(qtbot, editor):
    editor.show_picker()
    picker = editor.picker
    assert picker.isVisible()
    row = next(i for i in range(picker.list.count())
               if picker.list.item(i).data(Qt.ItemDataRole.UserRole) == "elastic")
    with qtbot.waitSignal(editor.pipeline_changed):
        picker.list.itemClicked.emit(picker.list.item(row))
    assert ops(editor) == ["elastic"] and not picker.isVisible()


def test_set_pipeline_completes_missing_settings(editor):
    editor.set_pipeline(Pipeline([Step("rotate", {"angle": (-5.0, 5.0)})]))
    assert editor.pipeline.steps[0].params == {"angle": (-5.0, 5.0), "fill": 0}
    assert editor.cards[0].controls["angle"].value() == (-5.0, 5.0)


def test_folding_a_card_hides_its_parameters(qtbot, editor):
    editor.set_pipeline(Pipeline([Step("rotate")]))
    card = editor.cards[0]
    assert card.body.isVisibleTo(card)
    qtbot.mouseClick(card.fold, Qt.MouseButton.LeftButton)
    assert not card.body.isVisibleTo(card)
    qtbot.mouseClick(card.fold, Qt.MouseButton.LeftButton)
    assert card.body.isVisibleTo(card)
