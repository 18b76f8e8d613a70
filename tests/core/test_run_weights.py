"""A run folder keeps each model's trained weights, so a past run can be looked inside again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from cnnviz.core.errors import TrainingError
from cnnviz.core.train import ModelConfig, RunConfig, load_dataset, read_run, train
from cnnviz.core.train.records import ModelStopped, RunFinished
from cnnviz.core.train.run_weights import load_trained
from cnnviz.core.train.runreader import read_meta
from cnnviz.core.zoo import resolve


@pytest.fixture(scope="module")
def shapes():
    return load_dataset("shapes", num_classes=3, image_size=32, train_size=16, val_size=4)


def _config(steps=2, **changes):
    return RunConfig(**{**dict(models=(ModelConfig("lenet5", name="lenet"),), dataset="shapes",
                                num_classes=3, channels=1, train_size=16, val_size=4, batch_size=4,
                                steps=steps, lr=0.05, seed=3, device="cpu", validate=False),
                        **changes})


def test_a_finished_run_keeps_the_weights_it_trained(tmp_path, shapes):
    module = resolve("lenet5").build(num_classes=3)
    records = list(train(_config(), data=shapes, modules={"lenet": module},
                         run_dir=tmp_path / "run"))
    assert isinstance(records[-1], RunFinished) and records[-1].reason == "completed"
    entry = read_meta(tmp_path / "run")["models"][0]
    assert entry["weights"] == {"file": "lenet/weights.pt", "step": 2, "after": "completed"}
    assert read_run(tmp_path / "run").models[0].weights.file == "lenet/weights.pt"
    assert not [p for p in (tmp_path / "run" / "lenet").iterdir() if p.name.endswith(".tmp")]

    rebuilt = load_trained(tmp_path / "run", read_meta(tmp_path / "run"), "lenet")
    trained = module.state_dict()
    assert set(rebuilt.state_dict()) == set(trained)
    for key, value in rebuilt.state_dict().items():
        assert torch.equal(value, trained[key]), key
    assert not rebuilt.training


def test_a_stopped_run_keeps_the_weights_of_the_step_it_stopped_at(tmp_path, shapes):
    from cnnviz.core.train import RunControl

    control = RunControl()
    run = train(_config(steps=1000), data=shapes, control=control, run_dir=tmp_path / "run")
    for record in run:
        if getattr(record, "step", 0) == 3:
            control.stop()
    meta = read_meta(tmp_path / "run")
    weights = meta["models"][0]["weights"]
    assert weights["after"] == "stopped" and weights["step"] == meta["finished"]["step"]
    assert (tmp_path / "run" / weights["file"]).is_file()


class Poisoned(torch.nn.Module):
    """conv -> linear whose training output turns NaN from its third call on."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4, 3)
        self.calls = 0

    def forward(self, x):
        out = self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))
        if self.training:
            self.calls += 1
            if self.calls >= 3:
                out = out * float("nan")
        return out


def test_a_model_whose_loss_became_nan_keeps_no_broken_weights(tmp_path, shapes):
    config = _config(steps=6, models=(ModelConfig("tiny", name="bad"),
                                      ModelConfig("lenet5", name="lenet")))
    records = list(train(config, data=shapes, run_dir=tmp_path / "run",
                         modules={"bad": Poisoned(), "lenet": resolve("lenet5").build(
                             num_classes=3)}))
    stopped = [r for r in records if isinstance(r, ModelStopped)]
    assert [(s.model, s.reason, s.step) for s in stopped] == [("bad", "nan", 3)]
    meta = read_meta(tmp_path / "run")
    bad, good = meta["models"]
    # The NaN reached the weights: none are kept, and run.json says from which step.
    assert bad["weights"] == {"file": None, "step": 3, "after": "nan"}
    assert not (tmp_path / "run" / "bad" / "weights.pt").exists()
    with pytest.raises(TrainingError, match=r"weights became NaN or infinite by step 3"):
        load_trained(tmp_path / "run", meta, "bad")
    # its twin went on to the end and kept its own
    assert good["weights"] == {"file": "lenet/weights.pt", "step": 6, "after": "completed"}


def test_a_truncated_weights_file_is_one_sentence(tmp_path, shapes):
    list(train(_config(), data=shapes, run_dir=tmp_path / "run"))
    path = tmp_path / "run" / "lenet" / "weights.pt"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(TrainingError) as caught:
        load_trained(tmp_path / "run", read_meta(tmp_path / "run"), "lenet")
    message = str(caught.value)
    assert message.startswith("The saved weights of LeNet-5") and "damaged" in message
    assert "\n" not in message and message.endswith(").")
    path.unlink()
    with pytest.raises(TrainingError, match=r"weights of LeNet-5 are missing"):
        load_trained(tmp_path / "run", read_meta(tmp_path / "run"), "lenet")


def test_an_older_folder_without_weights_still_reads(tmp_path, shapes):
    list(train(_config(), data=shapes, run_dir=tmp_path / "run"))
    path = tmp_path / "run" / "run.json"
    meta = json.loads(path.read_text())
    del meta["models"][0]["weights"]
    path.write_text(json.dumps(meta))
    run = read_run(tmp_path / "run")
    assert run.models[0].weights is None and len(run.models[0].scalars) == 2
    with pytest.raises(TrainingError, match=r"kept no weights for LeNet-5"):
        load_trained(tmp_path / "run", read_meta(tmp_path / "run"), "lenet")
    # an entry of the wrong kind (a hand edit) is dropped, not trusted
    meta["models"][0]["weights"] = {"file": "../../etc/passwd", "step": 1}
    path.write_text(json.dumps(meta))
    assert "weights" not in read_meta(tmp_path / "run")["models"][0]


def test_a_run_killed_midway_stays_readable_without_weights(tmp_path):
    folder = tmp_path / "run"
    script = textwrap.dedent(f"""
        import torch
        torch.set_num_threads(1)
        from cnnviz.core.train import ModelConfig, RunConfig, train
        config = RunConfig(models=(ModelConfig("lenet5", name="lenet"),), num_classes=3,
                           train_size=16, val_size=4, batch_size=4, steps=1_000_000,
                           device="cpu", validate=False)
        for record in train(config, run_dir={str(folder)!r}):
            pass
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], env={**os.environ})
    try:
        scalars = folder / "lenet" / "scalars.csv"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if scalars.is_file() and scalars.read_text().count("\n") >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the training script ended on its own"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    run = read_run(folder)
    assert run.status == "interrupted" and len(run.models[0].scalars) >= 2
    assert run.models[0].weights is None
    assert not (folder / "lenet" / "weights.pt").exists()
    with pytest.raises(TrainingError, match=r"kept no weights"):
        load_trained(folder, run.meta, "lenet")
