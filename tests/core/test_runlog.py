"""Run folders: written row by row, read back whole or followed while they grow."""

import json
import math

import numpy as np
import pytest

from cnnviz.core.errors import TrainingError
from cnnviz.core.train import ModelInfo, RunConfig, ModelConfig, RunFinished, StepRecord
from cnnviz.core.train.records import EpochRecord, ModelStopped
from cnnviz.core.train.runlog import RunLog, unique_run_dir
from cnnviz.core.train.runreader import RunFollower, first_to_last_ratio, read_run
from cnnviz.core.train.summary import gradient_sentence, summarise

LAYERS = ("conv1", "block.conv", "fc")


def _info(name):
    return ModelInfo(name=name, arch="tiny", display_name="Tiny", layer_names=LAYERS,
                     frozen=(True, False, False), num_params=10, trainable_params=8)


def _step(model, step, scale=1.0):
    grads = np.array([math.nan, 0.5 * scale, 2.0 * scale])
    return StepRecord(step=step, epoch=1, model=model, loss=1.0 / step, accuracy=0.5, lr=0.1,
                      samples_per_s=100.0, elapsed_s=step * 0.1, grad_norms=grads,
                      weight_norms=np.ones(3), update_ratios=np.full(3, 1e-3))


def _log(tmp_path, names=("plain", "res net/1")):
    config = RunConfig(models=tuple(ModelConfig("tiny", name=n) for n in names))
    return RunLog(tmp_path / "run", config=config.to_dict(), models=[_info(n) for n in names],
                  meta={"device": "cpu"})


def test_a_run_is_written_and_read_back(tmp_path):
    log = _log(tmp_path)
    for step in (1, 2, 3):
        log.log_step(_step("plain", step))
        log.log_step(_step("res net/1", step, scale=2))
    log.log_epoch(EpochRecord(1, 3, "plain", 0.9, 0.4, 1.1, 0.35))
    log.model_stopped(ModelStopped(3, "res net/1", "nan", "res net/1's loss became NaN."))
    log.finish(RunFinished(3, "completed", "Training finished after 3 steps.", 1.5, None))

    meta = json.loads((tmp_path / "run" / "run.json").read_text())
    assert meta["status"] == "finished" and meta["models"][1]["folder"] == "res_net_1"
    header = (tmp_path / "run" / "plain" / "grad_norms.csv").read_text().splitlines()[0]
    assert header == "step,conv1,block.conv,fc"

    run = read_run(tmp_path / "run")
    assert run.status == "finished" and run.meta["device"] == "cpu"
    assert run.config.models[1].name == "res net/1"
    plain = run.model("plain")
    assert plain.layer_names == LAYERS and plain.frozen == (True, False, False)
    assert plain.grad_norms.steps.tolist() == [1, 2, 3]
    values = plain.grad_norms.values()
    assert np.isnan(values[:, 0]).all() and values[:, 1:].tolist() == [[0.5, 2.0]] * 3
    assert plain.scalars.column("loss")[1] == pytest.approx(0.5)
    assert plain.epochs.column("val_accuracy").tolist() == [0.35]
    assert run.model("res net/1").stopped["reason"] == "nan"
    rows = summarise(run)
    assert rows[0].grad_ratio == pytest.approx(0.25) and rows[0].val_accuracy == 0.35
    assert rows[1].stopped == "res net/1's loss became NaN."


def test_follower_returns_only_new_complete_rows(tmp_path):
    log = _log(tmp_path, names=("plain",))
    follower = RunFollower(tmp_path / "run")
    assert len(follower.poll().rows["plain"]["grad_norms.csv"]) == 0
    log.log_step(_step("plain", 1))
    log.log_step(_step("plain", 2))
    first = follower.poll()
    assert first.status == "running"
    assert first.rows["plain"]["grad_norms.csv"].steps.tolist() == [1, 2]
    assert follower.poll().is_empty()
    # a row cut in half (a writer killed mid-line) waits until it is complete
    path = tmp_path / "run" / "plain" / "grad_norms.csv"
    with open(path, "a") as handle:
        handle.write("3,nan,0.5")
        handle.flush()
        assert follower.poll().rows["plain"]["grad_norms.csv"].steps.tolist() == []
        handle.write(",2\n")
    assert follower.poll().rows["plain"]["grad_norms.csv"].steps.tolist() == [3]
    log.finish(RunFinished(3, "stopped", "Stopped.", 1.0, None))
    assert follower.poll().status == "stopped"


def test_a_run_folder_is_never_overwritten(tmp_path):
    _log(tmp_path)
    with pytest.raises(TrainingError, match="already holds a run"):
        _log(tmp_path)
    assert unique_run_dir(tmp_path / "run") == tmp_path / "run-2"
    assert unique_run_dir(tmp_path / "new") == tmp_path / "new"


def test_not_a_run_folder_is_a_sentence(tmp_path):
    with pytest.raises(TrainingError, match="has no run.json"):
        read_run(tmp_path)
    (tmp_path / "run.json").write_text("{\"hello\": 1}")
    with pytest.raises(TrainingError, match="not written by cnnviz"):
        read_run(tmp_path)


def test_gradient_ratio_and_its_sentence():
    assert first_to_last_ratio(np.array([math.nan, 0.001, 0.5, 1.0])) == pytest.approx(0.001)
    assert math.isnan(first_to_last_ratio(np.array([math.nan, 1.0])))
    assert "fades" in gradient_sentence("plain56", 0.002)
    assert "about intact" in gradient_sentence("resnet56", 0.8)
    assert "no gradient ratio yet" in gradient_sentence("x", math.nan)
