"""Worker threads hand their results to the GUI thread through a Mailbox, never through Qt.

A queued signal carrying a Python object is copied under one of Qt's shared signal-slot
mutexes and needs the GIL while it holds it; a disconnect on the GUI thread at that moment
deadlocks both threads.  So every worker's signals are checked to be emitted on the GUI
thread: a slot connected with a direct connection runs on whichever thread emits, and it
records that thread.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from cnnviz.ui.widgets.mailbox import Mailbox

WAIT_MS = 60_000


@pytest.fixture
def app(make_shown):
    from cnnviz.ui.app import make_application

    return make_application()


def _threads_of(signal, seen: list):
    """Connect a direct slot that notes the emitting thread and the arguments."""
    signal.connect(lambda *args: seen.append((threading.get_ident(), args)),
                   Qt.ConnectionType.DirectConnection)


def test_items_posted_on_other_threads_arrive_in_order_on_the_gui_thread(qtbot, app):
    got = []
    mail = Mailbox(lambda item: got.append((threading.get_ident(), item)))
    mail.open()
    posters = [threading.Thread(target=lambda k=k: [mail.post((k, i)) for i in range(200)])
               for k in range(3)]
    for t in posters:
        t.start()
    for t in posters:
        t.join()
    qtbot.waitUntil(lambda: len(got) == 600, timeout=WAIT_MS)
    assert {ident for ident, _ in got} == {threading.get_ident()}
    for k in range(3):
        assert [i for _, (kk, i) in got if kk == k] == list(range(200))
    mail.close()


def test_a_burst_is_spread_over_ticks_and_a_closed_box_keeps_its_items(qtbot, app):
    got = []
    mail = Mailbox(got.append, budget_ms=0.0)  # one item per tick at most
    for i in range(5):
        mail.post(i)
    qtbot.wait(50)
    assert got == [] and not mail.is_open  # closed: nothing delivered, nothing lost
    assert mail.drain() == 1 and got == [0]
    mail.open()
    qtbot.waitUntil(lambda: len(got) == 5, timeout=WAIT_MS)
    assert got == [0, 1, 2, 3, 4]
    mail.close()
    mail.post(9)
    mail.discard()
    assert mail.drain() == 0


def test_task_runner_calls_back_on_the_gui_thread(qtbot, app):
    from cnnviz.ui.widgets.tasks import TaskRunner

    runner = TaskRunner()
    done, errors = [], []
    runner.submit(lambda: threading.get_ident(), on_done=lambda r: done.append(
        (threading.get_ident(), r)))
    runner.submit(lambda: 1 / 0, on_done=done.append,
                  on_error=lambda exc, tb: errors.append((threading.get_ident(), exc, tb)))
    qtbot.waitUntil(lambda: len(done) == 1 and len(errors) == 1, timeout=WAIT_MS)
    (gui, worker_ident), = done
    assert gui == threading.get_ident() != worker_ident
    assert errors[0][0] == threading.get_ident()
    assert isinstance(errors[0][1], ZeroDivisionError) and "ZeroDivisionError" in errors[0][2]
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT_MS)
    assert not runner._mail.is_open  # an idle runner does not poll
    assert runner.shutdown()


def test_a_tasks_reports_come_before_its_result(qtbot, app):
    from cnnviz.ui.widgets.tasks import TaskRunner

    runner = TaskRunner()
    events = []

    def work():
        for i in range(50):
            runner.call_soon(lambda i=i: events.append(("progress", i, threading.get_ident())))
        return "result"

    runner.submit(work, on_done=lambda r: events.append((r, None, threading.get_ident())))
    qtbot.waitUntil(lambda: len(events) == 51, timeout=WAIT_MS)
    assert [e[1] for e in events[:-1]] == list(range(50)) and events[-1][0] == "result"
    assert {e[2] for e in events} == {threading.get_ident()}
    assert runner.shutdown()


def test_preview_worker_results_and_failures_arrive_on_the_gui_thread(qtbot, app):
    from cnnviz.ui.augment.worker import LatestOnlyWorker

    worker = LatestOnlyWorker(lambda job: job * 2 if job else 1 / 0)
    seen_done, seen_failed = [], []
    _threads_of(worker.done, seen_done)
    _threads_of(worker.failed, seen_failed)
    worker.submit(21)
    qtbot.waitUntil(lambda: bool(seen_done), timeout=WAIT_MS)
    worker.submit(0)
    qtbot.waitUntil(lambda: bool(seen_failed), timeout=WAIT_MS)
    assert seen_done == [(threading.get_ident(), (42,))]
    assert seen_failed[0][0] == threading.get_ident()
    qtbot.waitUntil(lambda: not worker.busy and not worker._mail.is_open, timeout=WAIT_MS)
    assert worker.shutdown()


@pytest.mark.usefixtures("one_torch_thread")
def test_training_worker_emits_records_pauses_and_its_end_on_the_gui_thread(qtbot, app, data,
                                                                            tmp_path):
    import torch
    from torch import nn

    from cnnviz.core.train import ModelConfig, RunConfig
    from cnnviz.core.train.records import RunFinished, StepRecord
    from cnnviz.ui.train.worker import TrainingWorker

    def tiny():
        return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(4, 3))

    torch.manual_seed(0)
    config = RunConfig(models=(ModelConfig("tiny", name="a"), ModelConfig("tiny", name="b")),
                       batch_size=8, steps=6, lr=0.05, seed=1, device="cpu")
    worker = TrainingWorker(config, tmp_path / "run", modules={"a": tiny(), "b": tiny()},
                            data=data)
    records, parked, finished = [], [], []
    _threads_of(worker.record, records)
    _threads_of(worker.parked, parked)
    _threads_of(worker.finished, finished)
    worker.pause()  # parks at its first checkpoint
    worker.start()
    qtbot.waitUntil(lambda: bool(parked), timeout=WAIT_MS)
    worker.resume()
    qtbot.waitUntil(lambda: bool(finished), timeout=WAIT_MS)
    gui = threading.get_ident()
    assert {ident for ident, _ in records + parked + finished} == {gui}
    items = [args[0] for _, args in records]
    assert [r.step for r in items if isinstance(r, StepRecord) and r.model == "a"] == \
        list(range(1, 7))
    assert isinstance(items[-1], RunFinished) and items[-1].reason == "completed"
    assert not worker.is_running() and not worker._mail.is_open


def test_sample_export_reports_progress_and_its_end_on_the_gui_thread(qtbot, app, tmp_path):
    import numpy as np

    from cnnviz.core.augment import Pipeline, Step
    from cnnviz.ui.augment.export_dialog import ExportSamplesDialog
    from cnnviz.ui.augment.images import LoadedImage

    pixels = np.full((40, 50, 3), 128, np.uint8)
    picture = LoadedImage("Pasted picture", pixels, full=pixels, full_size=(50, 40))
    dialog = ExportSamplesDialog(picture, [picture], Pipeline([Step("hflip", {})]), 3, 5)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "out"))
    progress, ends = [], []
    _threads_of(dialog.progress.valueChanged, progress)
    _threads_of(dialog.finished_export, ends)
    with qtbot.waitSignal(dialog.finished_export, timeout=WAIT_MS):
        dialog.start()
    gui = threading.get_ident()
    assert {ident for ident, _ in ends} == {gui} and {ident for ident, _ in progress} == {gui}
    assert [args[0] for _, args in progress][-1] == 3
    assert ends[0][1][0].errors == [] and len(list((tmp_path / "out").iterdir())) == 3
    assert not dialog._mail.is_open
