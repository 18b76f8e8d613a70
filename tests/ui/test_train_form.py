"""The setup form as a student uses it: keys, tab order, sentences under impossible settings,
explained fields and disabled states, one-line lessons, and labels that line up."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
)

from cnnviz.core.errors import TrainingError
from cnnviz.core.train.presets import PRESETS


@pytest.fixture
def form(make_shown):
    from cnnviz.ui.train.setup_form import SetupForm

    return make_shown(SetupForm, (380, 760))


def _focus(qtbot, widget):
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2_000)


def _type(qtbot, field, text):
    """Focus ``field``, select what it holds and type ``text`` over it, as a student would."""
    _focus(qtbot, field)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)


def _choose(qtbot, combo, data):
    """Pick the entry of ``combo`` whose data is ``data`` with the keyboard."""
    _focus(qtbot, combo)
    while combo.currentData() != data:
        step = Qt.Key.Key_Down if combo.findData(data) > combo.currentIndex() else Qt.Key.Key_Up
        qtbot.keyClick(combo, step)


def test_enter_in_a_field_commits_it_and_asks_to_start(qtbot, form):
    _type(qtbot, form.batch_size, "32")
    with qtbot.waitSignal(form.start_requested, timeout=1_000):
        qtbot.keyClick(form.batch_size, Qt.Key.Key_Return)
    assert form.config().batch_size == 32
    with qtbot.waitSignal(form.start_requested, timeout=1_000):
        _type(qtbot, form.rows[1].combo, "resnet32")
        qtbot.keyClick(form.rows[1].combo, Qt.Key.Key_Enter)  # the keypad's Enter
    assert form.config().models[1].arch == "resnet32"
    # Enter on a button is the button's business, not a start.
    with qtbot.assertNotEmitted(form.start_requested):
        _focus(qtbot, form.add_button)
        qtbot.keyClick(form.add_button, Qt.Key.Key_Return)


def test_escape_puts_back_what_the_field_held_when_it_got_the_focus(qtbot, form):
    _type(qtbot, form.lr, "0.5")
    assert form.lr.value() == pytest.approx(0.5)
    qtbot.keyClick(form.lr, Qt.Key.Key_Escape)
    assert form.lr.value() == pytest.approx(0.1)
    _type(qtbot, form.runs_dir.edit, "/tmp/elsewhere")
    before = form.runs_dir.text()
    qtbot.keyClick(form.runs_dir.edit, Qt.Key.Key_Escape)
    assert form.runs_dir.text() != "/tmp/elsewhere"
    assert before == "/tmp/elsewhere"
    # A value confirmed with Enter is the one Esc comes back to.
    _type(qtbot, form.seed, "7")
    qtbot.keyClick(form.seed, Qt.Key.Key_Return)
    qtbot.keyClicks(form.seed, "3")
    qtbot.keyClick(form.seed, Qt.Key.Key_Escape)
    assert form.seed.value() == 7


def _problem(form, field):
    line = form.problem_lines[field]
    return line.text() if line.isVisible() else ""


def test_impossible_settings_are_a_sentence_under_their_field(qtbot, form):
    assert not any(line.isVisible() for line in form.problem_lines.values())
    _type(qtbot, form.train_size, "100")
    _type(qtbot, form.batch_size, "128")
    sentence = ("A batch of 128 is more than the 100 training images; choose a batch size of "
                "at most 100 or train on more images.")
    assert _problem(form, "batch_size") == sentence
    assert form.batch_size.property("invalid")
    with pytest.raises(TrainingError, match="at most 100"):
        form.config()
    _type(qtbot, form.batch_size, "100")
    assert _problem(form, "batch_size") == "" and not form.batch_size.property("invalid")
    assert form.config().batch_size == 100

    _type(qtbot, form.length, "0")
    assert _problem(form, "length") == "Train for at least one step."
    _choose(qtbot, form.length_unit, "epochs")
    assert _problem(form, "length") == "Train for at least one epoch."
    _type(qtbot, form.lr, "0")
    assert _problem(form, "lr").startswith("The learning rate must be above zero")
    with pytest.raises(TrainingError, match="above zero"):
        form.config()  # the first problem from the top: the rate is above the length
    _type(qtbot, form.length, "2")
    _type(qtbot, form.lr, "0.05")
    assert not any(line.isVisible() for line in form.problem_lines.values())
    assert (form.config().epochs, form.config().lr) == (2, pytest.approx(0.05))


def test_a_missing_image_folder_or_pipeline_is_named_as_it_is_typed(qtbot, form, tmp_path):
    _choose(qtbot, form.dataset, "folder")
    assert form.data_dir.isEnabled()
    assert _problem(form, "data_dir").startswith("Choose the image folder")
    _type(qtbot, form.data_dir.edit, str(tmp_path / "nowhere"))
    assert _problem(form, "data_dir") == (f"There is no folder at {tmp_path / 'nowhere'}; "
                                          "choose the image folder to train on.")
    _type(qtbot, form.data_dir.edit, str(tmp_path))
    assert _problem(form, "data_dir") == ""
    _type(qtbot, form.pipeline.edit, str(tmp_path / "flip.json"))
    assert "no augmentation pipeline file" in _problem(form, "pipeline")
    (tmp_path / "flip.json").write_text("{}")
    qtbot.keyClick(form.pipeline.edit, Qt.Key.Key_End)
    qtbot.keyClick(form.pipeline.edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(form.pipeline.edit, "n")
    assert _problem(form, "pipeline") == ""


def _tab_path(qtbot, start, count):
    _focus(qtbot, start)
    seen = [start]
    for _ in range(count):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    return seen


def _facts_in(qtbot, form):
    """Wait for the models' blocks: until then a row's freeze menu is disabled (no Tab)."""
    qtbot.waitUntil(lambda: all(r.freeze.isEnabled() for r in form.rows), timeout=90_000)


def test_tab_walks_the_form_top_to_bottom_models_included(qtbot, form):
    _facts_in(qtbot, form)
    path = _tab_path(qtbot, form.preset_combo, 10)
    first, second = form.rows
    assert path[:10] == [form.preset_combo, first.combo, first.remove, first.start,
                         first.freeze, second.combo, second.remove, second.start,
                         second.freeze, form.add_button]
    qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)
    third = form.rows[2]
    _facts_in(qtbot, form)
    path = _tab_path(qtbot, second.freeze, 6)
    assert path[1:] == [third.combo, third.remove, third.start, third.freeze,
                        form.add_button, form.batch_norm]
    path = _tab_path(qtbot, form.optimizer, 3)
    assert path[1:] == [form.lr, form.batch_size, form.length]


def test_every_field_says_what_it_is_for(form):
    body = form.widget()
    # A line edit's own clear button is Qt's, and explains itself with its icon.
    fields = [w for kind in (QComboBox, QAbstractSpinBox, QAbstractButton)
              for w in body.findChildren(kind)
              if w.isVisible() and not isinstance(w.parent(), QLineEdit)]
    fields += [w for w in body.findChildren(QLineEdit)
               if w.isVisible() and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))]
    assert len(fields) > 20
    assert [w for w in fields if not w.toolTip()] == []
    for combo in (form.dataset, form.device, form.schedule, form.activation, form.init,
                  form.optimizer, form.preset_combo):
        tips = [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count())]
        assert all(tips), combo.toolTip()


def test_disabled_fields_say_why(qtbot, form):
    _choose(qtbot, form.dataset, "shapes")
    assert not form.data_dir.isEnabled()
    assert "no folder is needed" in form.data_dir.toolTip()
    qtbot.mouseClick(form.rows[1].remove, Qt.MouseButton.LeftButton)
    only = form.rows[0]
    assert len(form.rows) == 1 and not only.remove.isEnabled()
    assert only.remove.toolTip() == "A run needs at least one model"
    qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)
    assert only.remove.isEnabled() and "Remove" in only.remove.toolTip()
    # While a run trains the workspace locks the form: a line at its top says so.
    assert not form.lock_note.isVisible()
    form.setEnabled(False)
    assert form.lock_note.isVisible() and "press Stop" in form.lock_note.text()
    form.setEnabled(True)
    assert not form.lock_note.isVisible()


def test_each_lesson_is_told_in_one_line(qtbot, form):
    for preset in PRESETS:
        index = form.preset_combo.findData(preset.key)
        line = form.preset_combo.itemData(index, Qt.ItemDataRole.ToolTipRole)
        assert line.count(".") == 1 and line.endswith(".") and len(line) <= 80, line
        _choose(qtbot, form.preset_combo, preset.key)
        assert form.headline.isVisible() and form.headline.text() == line
        assert form.lesson.text() == preset.lesson
    _choose(qtbot, form.preset_combo, "")
    assert not form.headline.isVisible() and "any models" in form.lesson.text()


def test_fields_of_every_section_line_up_and_labels_are_whole(form):
    body = form.widget()
    xs = {body.mapFrom(w.parentWidget(), w.pos()).x()
          for w in (form.activation, form.dataset, form.train_size, form.optimizer, form.seed,
                    form.batch_norm)}
    assert len(xs) == 1
    form.resize(330, 700)  # the narrowest the workspace lets the column be
    QApplication.processEvents()
    clipped = [label.text() for label in body.findChildren(QLabel)
               if label.isVisible() and not label.wordWrap()
               and label.width() < label.sizeHint().width()]
    assert clipped == []


def test_a_folder_typed_from_home_reaches_the_run_as_a_full_path(qtbot, form, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "pictures").mkdir()
    (tmp_path / "flip.json").write_text("{}")
    _choose(qtbot, form.dataset, "folder")
    _type(qtbot, form.data_dir.edit, "~/pictures")
    _type(qtbot, form.pipeline.edit, "~/flip.json")
    assert _problem(form, "data_dir") == "" and _problem(form, "pipeline") == ""
    config = form.config()  # what the checks accepted is what the engine is given
    assert config.data_dir == str(tmp_path / "pictures")
    assert config.pipeline == str(tmp_path / "flip.json")
