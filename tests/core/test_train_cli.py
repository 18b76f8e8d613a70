"""``cnnviz train`` and ``cnnviz runs`` end to end, and a run folder surviving SIGKILL."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from cnnviz.cli import main
from cnnviz.core.train import read_run
from cnnviz.core.train.presets import PRESETS
from cnnviz.core.train.runreader import RunFollower

ROOT = Path(__file__).resolve().parents[2]


def test_train_twins_end_to_end_then_summarise(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", "--arch", "plain20", "--compare", "resnet20", "--steps", "3",
                 "--batch-size", "4", "--train-size", "12", "--val-size", "4",
                 "--image-size", "8", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Training Plain-20" in captured.err and "3/3" in captured.err
    assert "plain20" in captured.out and "resnet20" in captured.out
    assert "times the gradient of the last" in captured.out
    run = read_run(out)
    assert run.status == "finished" and [m.name for m in run.models] == ["plain20", "resnet20"]
    plain = run.model("plain20")
    assert len(plain.layer_names) == 20 and plain.layer_names[0] == "conv1"
    assert list(plain.grad_norms.steps) == [1, 2, 3] and len(plain.epochs) == 1
    assert run.config.models[1].arch == "resnet20" and run.config.batch_size == 4

    assert main(["runs", str(out)]) == 0
    listing = capsys.readouterr().out
    assert f"Run {out}  [finished]" in listing and "first/last grad" in listing
    assert main(["runs", str(tmp_path)]) == 0  # a folder of runs
    assert str(out) in capsys.readouterr().out

    # Sizes are written with the multiplication sign, as the explorer writes shapes ...
    size = "8 × 8"
    assert f"Shapes (10 classes, {size})" in captured.err
    assert f"Shapes (10 classes, {size})" in listing and "8x8" not in listing
    # ... and a run.json of an older version, which stored "8x8", reads alike.
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["dataset_name"] == f"Shapes (10 classes, {size})"
    meta["dataset_name"] = "Shapes (10 classes, 8x8)"
    (out / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    assert main(["runs", str(out)]) == 0
    assert f"Shapes (10 classes, {size})" in capsys.readouterr().out


def test_runs_on_a_folder_without_runs_is_a_sentence(tmp_path, capsys):
    assert main(["runs", str(tmp_path)]) == 2
    assert "holds no run folders" in capsys.readouterr().err


def test_bad_choices_are_sentences(tmp_path, capsys):
    assert main(["train", "--preset", "plain20-vs-resnet20", "--arch", "lenet5"]) == 2
    assert "either --preset or --arch" in capsys.readouterr().err
    assert main(["train", "--arch", "lenet5", "--dataset", "mnist", "--data-dir",
                 str(tmp_path), "--no-download"]) == 2
    assert "does not hold the MNIST files" in capsys.readouterr().err
    assert main(["train", "--arch", "no-such-net"]) == 2
    assert "no architecture called 'no-such-net'" in capsys.readouterr().err


def test_presets_list_and_build(capsys):
    from cnnviz.core.zoo import resolve

    assert main(["train", "--list-presets"]) == 0
    listing = capsys.readouterr().out
    for preset in PRESETS:
        assert preset.key in listing
        config = preset.config(steps=1)
        assert len(config.models) == 2 and config.models[0].label != config.models[1].label
        for model in config.models:
            spec = resolve(model.arch)
            assert spec.build(num_classes=10, **model.options) is not None


def test_run_folder_is_complete_and_followable_after_sigkill(tmp_path):
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnnviz", "train", "--arch", "lenet5", "--steps", "100000",
         "--batch-size", "4", "--train-size", "64", "--val-size", "8", "--quiet",
         "--out", str(out)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        follower, steps_seen = None, []
        deadline = time.monotonic() + 240
        while len(steps_seen) < 5:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the run never logged five steps"
            if follower is None and (out / "run.json").exists():
                follower = RunFollower(out)
            if follower is not None:
                update = follower.poll()
                assert update.status == "running"
                table = update.rows.get("lenet5", {}).get("grad_norms.csv")
                if table is not None:
                    steps_seen.extend(table.steps.tolist())
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    # followed live: steps arrived in order, none twice, none skipped
    assert steps_seen == list(range(1, len(steps_seen) + 1))
    run = read_run(out)
    assert run.status == "interrupted"
    log = run.model("lenet5")
    scalars, grads = log.scalars.steps.tolist(), log.grad_norms.steps.tolist()
    assert len(scalars) >= 5 and scalars == list(range(1, len(scalars) + 1))
    assert grads == list(range(1, len(grads) + 1)) and abs(len(grads) - len(scalars)) <= 1
    assert log.grad_norms.values().shape[1] == len(log.layer_names) == 5
    assert (log.grad_norms.values() > 0).all()


def test_train_with_an_augmentation_pipeline_file(tmp_path, capsys):
    from cnnviz.core.augment.pipeline import Pipeline, Step

    pipeline = tmp_path / "flip.json"
    Pipeline([Step("hflip", {}, 0.5), Step("rotate", {})]).save(pipeline)
    out = tmp_path / "aug"
    code = main(["train", "--arch", "resnet20", "--steps", "2", "--batch-size", "4",
                 "--train-size", "8", "--val-size", "4", "--image-size", "8",
                 "--pipeline", str(pipeline), "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    run = read_run(out)
    assert run.config.pipeline == str(pipeline)
    assert list(run.model("resnet20").grad_norms.steps) == [1, 2]
    (tmp_path / "bad.json").write_text("{\"steps\": 3}")
    assert main(["train", "--arch", "resnet20", "--pipeline", str(tmp_path / "bad.json"),
                 "--out", str(tmp_path / "never")]) == 2
    assert "pipeline" in capsys.readouterr().err.lower()


def test_a_preset_brings_its_optimiser_and_learning_rate():
    from cnnviz.cli import build_parser
    from cnnviz.cli.train import _config

    def config(*extra):
        return _config(build_parser().parse_args(
            ["train", "--preset", "plain20-vs-resnet20-no-bn", *extra]))

    assert (config().optimizer, config().learning_rate) == ("adam", 0.001)
    # another optimiser takes its own default rate, not the preset's rate for Adam
    assert (config("--optimizer", "sgd").optimizer,
            config("--optimizer", "sgd").learning_rate) == ("sgd", 0.1)
    assert config("--lr", "0.01").learning_rate == 0.01
    assert _config(build_parser().parse_args(["train", "--arch", "lenet5"])).optimizer == "sgd"


def test_the_runs_table_says_none_when_no_gradient_reached_the_first_layer():
    from cnnviz.cli.train import _ratio

    assert _ratio(0.0).strip() == "none"  # not a bare 0, which reads as a measured ratio
    assert _ratio(float("nan")).strip() == "-"
    assert _ratio(2.5e-7).strip() == "2.5e-07"
    assert len(_ratio(0.0)) == len(_ratio(1.0)) == 15  # the column stays aligned
