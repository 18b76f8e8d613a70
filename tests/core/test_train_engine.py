"""The training engine on tiny models: identical batches, faults, stop, pause, freezing."""

import hashlib
import math
import threading

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.core.train import (
    EpochRecord,
    ModelConfig,
    ModelStopped,
    RunConfig,
    RunControl,
    RunFinished,
    RunStarted,
    StepRecord,
    read_run,
    train,
)
from cnnviz.core.train.datasets import load_dataset
from cnnviz.core.train.trainee import lr_factor


@pytest.fixture(scope="module")
def data():
    return load_dataset("shapes", num_classes=3, image_size=16, train_size=48, val_size=12)


class Tiny(nn.Module):
    """conv -> bn -> relu -> pool -> linear; notes a digest of every training input."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)
        self.seen: list[str] = []
        self.calls = 0
        self.poison_from = None   # training call number from which the output is NaN
        self.fail_with = None     # (call number, exception) to raise in a training call

    def forward(self, x):
        if self.training:
            self.calls += 1
            self.seen.append(hashlib.sha1(x.detach().cpu().numpy().tobytes()).hexdigest())
            if self.fail_with and self.calls >= self.fail_with[0]:
                raise self.fail_with[1]
        out = self.fc(torch.relu(self.bn(self.conv(x))).mean(dim=(2, 3)))
        if self.training and self.poison_from and self.calls >= self.poison_from:
            out = out * float("nan")
        return out


def _config(**changes):
    base = dict(models=(ModelConfig("tiny", name="a"), ModelConfig("tiny", name="b")),
                batch_size=8, steps=8, lr=0.05, log_every=1, seed=3, device="cpu")
    return RunConfig(**{**base, **changes})


def _run(config, data, modules, **kwargs):
    return list(train(config, data=data, modules=modules, **kwargs))


def _of(records, kind, model=None):
    return [r for r in records if isinstance(r, kind) and (model is None or r.model == model)]


def test_twins_see_identical_batches_in_the_same_order(data):
    a, b = Tiny(), Tiny()
    records = _run(_config(), data, {"a": a, "b": b})
    assert len(a.seen) == 8 and a.seen == b.seen
    assert len(set(a.seen)) == 8  # every step a different batch
    # 48 images in batches of 8: epoch 2 starts at step 7 with a fresh shuffle
    assert [r.epoch for r in _of(records, StepRecord, "a")] == [1] * 6 + [2] * 2
    # the same seed gives the same batches in a new run; another seed does not
    again, other = Tiny(), Tiny()
    _run(_config(models=(ModelConfig("tiny", name="a"),)), data, {"a": again})
    _run(_config(models=(ModelConfig("tiny", name="a"),), seed=4), data, {"a": other})
    assert again.seen == a.seen and other.seen != a.seen


def test_records_are_plain_and_consistent(data):
    records = _run(_config(), data, {"a": Tiny(), "b": Tiny()})
    assert isinstance(records[0], RunStarted) and isinstance(records[-1], RunFinished)
    started = records[0]
    assert started.total_steps == 8 and started.steps_per_epoch == 6
    assert started.models[0].layer_names == ("conv", "fc")
    steps = _of(records, StepRecord, "a")
    assert [r.step for r in steps] == list(range(1, 9))
    for r in steps:
        assert r.grad_norms.shape == (2,) and isinstance(r.grad_norms, np.ndarray)
        assert np.all(r.grad_norms > 0) and np.all(r.update_ratios > 0)
        assert 0.0 <= r.accuracy <= 1.0 and r.lr == pytest.approx(0.05)
    epochs = _of(records, EpochRecord, "a")
    assert [(e.epoch, e.step) for e in epochs] == [(1, 6), (2, 8)]
    assert all(0 <= e.val_accuracy <= 1 and math.isfinite(e.val_loss) for e in epochs)
    assert records[-1].reason == "completed"


def test_nan_in_one_model_stops_that_model_only(data, tmp_path):
    bad, good = Tiny(), Tiny()
    bad.poison_from = 3
    records = _run(_config(), data, {"a": bad, "b": good}, run_dir=tmp_path / "run")
    stops = _of(records, ModelStopped)
    assert [(s.model, s.reason, s.step) for s in stops] == [("a", "nan", 3)]
    assert "NaN" in stops[0].message and "b goes on" in stops[0].message
    assert [r.step for r in _of(records, StepRecord, "a")] == [1, 2]
    assert [r.step for r in _of(records, StepRecord, "b")] == list(range(1, 9))
    assert records[-1].reason == "completed"
    run = read_run(tmp_path / "run")
    assert run.model("a").stopped["reason"] == "nan"
    assert list(run.model("b").grad_norms.steps) == list(range(1, 9))


def test_out_of_memory_stops_the_run_with_advice_and_a_readable_log(data, tmp_path):
    a, b = Tiny(), Tiny()
    b.fail_with = (3, torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"))
    records = _run(_config(), data, {"a": a, "b": b}, run_dir=tmp_path / "run")
    finished = records[-1]
    assert finished.reason == "out_of_memory" and finished.step == 3
    assert "batch size of 4" in finished.message
    assert {s.model for s in _of(records, ModelStopped)} == {"a", "b"}
    run = read_run(tmp_path / "run")
    assert run.status == "failed" and list(run.model("a").scalars.steps) == [1, 2]


def test_a_failing_model_stops_alone(data):
    a, b = Tiny(), Tiny()
    a.fail_with = (2, RuntimeError("shapes do not match"))
    records = _run(_config(steps=3), data, {"a": a, "b": b})
    stops = _of(records, ModelStopped)
    assert [(s.model, s.reason) for s in stops] == [("a", "error")]
    assert "shapes do not match" in stops[0].message
    assert [r.step for r in _of(records, StepRecord, "b")] == [1, 2, 3]


def test_stop_request_ends_at_the_next_step(data, tmp_path):
    control = RunControl()
    records = []
    for record in train(_config(), data=data, modules={"a": Tiny(), "b": Tiny()},
                        control=control, run_dir=tmp_path / "run"):
        records.append(record)
        if isinstance(record, StepRecord) and record.step == 2:
            control.stop()
    assert records[-1].reason == "stopped" and records[-1].step == 2
    assert max(r.step for r in _of(records, StepRecord)) == 2
    assert read_run(tmp_path / "run").status == "stopped"


def test_pause_holds_the_run_until_resumed(data):
    control = RunControl()
    control.pause()
    records = []
    worker = threading.Thread(target=lambda: records.extend(
        train(_config(steps=3), data=data, modules={"a": Tiny(), "b": Tiny()},
              control=control)))
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive() and control.paused
    assert not _of(records, StepRecord)
    control.resume()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert records[-1].reason == "completed"


def test_closing_the_generator_leaves_a_complete_folder(data, tmp_path):
    gen = train(_config(), data=data, modules={"a": Tiny(), "b": Tiny()}, run_dir=tmp_path / "r")
    for record in gen:
        if isinstance(record, StepRecord) and record.step == 3:
            break
    gen.close()
    run = read_run(tmp_path / "r")
    assert run.status == "stopped" and list(run.model("a").grad_norms.steps) == [1, 2, 3]


def test_frozen_layers_report_nan_and_keep_their_weights(data):
    model = Tiny()
    before = model.conv.weight.detach().clone()
    config = _config(models=(ModelConfig("tiny", name="a", freeze_until="bn"),), steps=3)
    records = _run(config, data, {"a": model})
    info = records[0].models[0]
    assert info.frozen == (True, False)
    for step in _of(records, StepRecord):
        assert math.isnan(step.grad_norms[0]) and math.isnan(step.update_ratios[0])
        assert step.grad_norms[1] > 0
    assert torch.equal(model.conv.weight, before)
    assert not model.bn.training  # frozen batch norm keeps its statistics


def test_freezing_an_unknown_block_is_a_sentence(data):
    from cnnviz.core.errors import TrainingError

    config = _config(models=(ModelConfig("tiny", name="a", freeze_until="layer9"),))
    with pytest.raises(TrainingError, match="no part called 'layer9'.*conv, bn, fc"):
        _run(config, data, {"a": Tiny()})


def test_augmentation_draws_are_the_same_for_every_run(data):
    def jitter(image):
        return (image.float() / 255 + 0.1 * torch.rand(1)).clamp(0, 1)

    first, second = Tiny(), Tiny()
    one = _config(models=(ModelConfig("tiny", name="a"),), steps=2)
    _run(one, data, {"a": first}, transform=jitter)
    _run(one, data, {"a": second}, transform=jitter)
    plain = Tiny()
    _run(one, data, {"a": plain})
    assert first.seen == second.seen and first.seen != plain.seen


def test_learning_rate_schedules():
    cosine = lr_factor(_config(schedule="cosine"), 100)
    assert cosine(0) == 1.0 and cosine(50) == pytest.approx(0.5) and cosine(100) == 0.0
    step = lr_factor(_config(schedule="step", milestones=(0.5, 0.75), gamma=0.1), 100)
    assert [step(s) for s in (0, 49, 50, 75)] == pytest.approx([1, 1, 0.1, 0.01])


def test_a_batch_larger_than_the_data_is_a_sentence(data):
    from cnnviz.core.errors import TrainingError

    with pytest.raises(TrainingError, match="batch size of at most 48"):
        _run(_config(batch_size=64), data, {"a": Tiny(), "b": Tiny()})


def test_device_choice():
    from cnnviz.core.errors import TrainingError
    from cnnviz.core.train.models import choose_device

    assert choose_device("cpu").type == "cpu"
    expected = "cuda" if torch.cuda.is_available() else None
    if expected is None:
        assert choose_device("auto").type in ("cpu", "mps")
        with pytest.raises(TrainingError, match="no CUDA GPU"):
            choose_device("cuda")
    with pytest.raises(TrainingError, match="not a device"):
        choose_device("potato")


def test_zero_steps_is_a_sentence(data):
    from cnnviz.core.errors import TrainingError

    with pytest.raises(TrainingError, match="at least one step"):
        _run(_config(steps=0), data, {"a": Tiny(), "b": Tiny()})


def test_starting_weights_from_a_saved_state_dict(tmp_path):
    from cnnviz.core.errors import TrainingError
    from cnnviz.core.train.models import load_weights

    source, target = Tiny(), Tiny()
    target.fc = nn.Linear(4, 5)  # another number of classes: the head keeps its own weights
    torch.save({"state_dict": source.state_dict()}, tmp_path / "w.pt")
    taken = load_weights(target, str(tmp_path / "w.pt"))
    assert taken == len(source.state_dict()) - 2
    assert torch.equal(target.conv.weight, source.conv.weight)
    (tmp_path / "junk.pt").write_bytes(b"not weights")
    with pytest.raises(TrainingError, match="not a PyTorch weights file"):
        load_weights(target, str(tmp_path / "junk.pt"))


def _digest(records):
    """Everything a consumer sees of a run, in order, minus wall-clock numbers."""
    out = []
    for r in records:
        if isinstance(r, StepRecord):
            out.append(("step", r.model, r.step, r.epoch, round(r.loss, 6),
                        tuple(np.round(r.grad_norms, 6)), tuple(np.round(r.update_ratios, 6))))
        elif isinstance(r, EpochRecord):
            out.append(("epoch", r.model, r.step, r.epoch) + tuple(
                "nan" if math.isnan(v) else round(v, 6)  # NaN == NaN is False
                for v in (r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy)))
        elif isinstance(r, ModelStopped):
            out.append((type(r).__name__, r.model, r.step))
        elif isinstance(r, RunFinished):
            out.append(("finished", r.reason, r.step))
    return out


@pytest.mark.parametrize("case", ["plain", "nan", "failing", "log_every", "epochs",
                                  "no_validation"])
def test_reading_a_step_late_yields_the_same_records(data, monkeypatch, case):
    """On CUDA the engine reads each logging step after queuing the next one; forced on here,
    the records must be the very same, in the same order, as reading them at once."""
    from cnnviz.core.train import engine

    def run():
        torch.manual_seed(0)
        a, b = Tiny(), Tiny()
        if case == "nan":
            a.poison_from = 3
        if case == "failing":
            b.fail_with = (4, RuntimeError("shapes do not match"))
        config = {"log_every": _config(log_every=3), "epochs": _config(steps=15, log_every=4),
                  "no_validation": _config(steps=13, validate=False)}.get(case, _config())
        return _digest(_run(config, data, {"a": a, "b": b}))

    at_once = run()
    monkeypatch.setattr(engine._Run, "DEFERRED_READ", ("cpu", "cuda"))
    assert run() == at_once
    assert sum(1 for r in at_once if r[0] == "step") >= 4
    if case in ("epochs", "no_validation"):  # epochs end at steps 6 and 12, then the last
        assert [r[2] for r in at_once if r[0] == "epoch" and r[1] == "a"] == \
            [6, 12, 15 if case == "epochs" else 13]
        assert all((r[6] == "nan") == (case == "no_validation")
                   for r in at_once if r[0] == "epoch")


def test_a_step_read_late_is_shown_before_a_pause_and_a_stop(data, monkeypatch):
    from cnnviz.core.train import engine

    monkeypatch.setattr(engine._Run, "DEFERRED_READ", ("cpu",))
    control = RunControl()
    seen = []
    for record in train(_config(log_every=1), data=data, modules={"a": Tiny(), "b": Tiny()},
                        control=control):
        seen.append(record)
        if isinstance(record, StepRecord) and record.step == 2 and record.model == "b":
            control.stop()
    steps = [(r.model, r.step) for r in _of(seen, StepRecord)]
    # step 3 was already trained when step 2's numbers were read: it is reported, then the end
    assert steps == [("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3), ("b", 3)]
    assert seen[-1].reason == "stopped" and seen[-1].step == 3


def test_closing_the_generator_keeps_the_step_still_being_read(data, tmp_path, monkeypatch):
    from cnnviz.core.train import engine

    monkeypatch.setattr(engine._Run, "DEFERRED_READ", ("cpu",))
    gen = train(_config(), data=data, modules={"a": Tiny(), "b": Tiny()}, run_dir=tmp_path / "r")
    for record in gen:
        if isinstance(record, StepRecord) and record.step == 3 and record.model == "a":
            break
    gen.close()
    run = read_run(tmp_path / "r")
    # b's step 3 was measured and on its way when the consumer left: the folder has it
    assert run.status == "stopped" and list(run.model("b").grad_norms.steps) == [1, 2, 3]


def test_a_failing_pipeline_ends_the_run_after_reporting_the_last_logged_step(data,
                                                                             monkeypatch):
    from cnnviz.core.train import engine

    monkeypatch.setattr(engine._Run, "DEFERRED_READ", ("cpu",))
    calls = []

    def transform(image):
        calls.append(1)
        if len(calls) > 3 * 8:  # the fourth batch fails
            raise ValueError("cannot read this picture")
        return image

    records = list(train(_config(), data=data, modules={"a": Tiny(), "b": Tiny()},
                         transform=transform))
    assert [r.step for r in _of(records, StepRecord, "a")] == [1, 2, 3]
    assert records[-1].reason == "error" and "augmentation pipeline failed" in records[-1].message


def test_the_run_says_how_its_inputs_are_normalised(data, tmp_path):
    records = _run(_config(), data, {"a": Tiny(), "b": Tiny()}, run_dir=tmp_path / "run")
    started = records[0]
    assert started.image_size == 16 and started.channels == 3
    np.testing.assert_allclose(started.mean, data.mean, rtol=1e-6)
    np.testing.assert_allclose(started.std, data.std, rtol=1e-6)
    meta = read_run(tmp_path / "run").meta
    assert meta["image_size"] == 16 and len(meta["mean"]) == 3
