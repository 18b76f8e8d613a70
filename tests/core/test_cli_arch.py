"""`cnnviz list`, `cnnviz summary` and `cnnviz graph`, run in-process."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from cnnviz.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_as_table_and_json(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "lenet5" in out and "LeNet-5" in out
    code, out, _ = run(capsys, "list", "--format", "json")
    entries = {e["name"]: e for e in json.loads(out)}
    assert code == 0 and entries["resnet20"]["input_shape"] == [3, 32, 32]
    assert entries["resnet20"]["twin"] == "plain20"


def test_summary_json(capsys):
    code, out, _ = run(capsys, "summary", "lenet5", "--format", "json")
    data = json.loads(out)
    assert code == 0
    # Convolutions and fully connected layers, as the papers count: 117,600 + 240,000 +
    # 48,000 + 10,080 + 840.
    assert (data["arch"], data["total_params"], data["trainable_params"], data["macs"]) == (
        "lenet5", 61_706, 61_706, 416_520)
    assert data["input_shape"] == [1, 32, 32]
    conv1 = next(l for l in data["layers"] if l["type"] == "Conv2d")
    assert {"name", "type", "output_shape", "params", "macs"} <= set(conv1)
    assert conv1["output_shape"] == [6, 28, 28] and conv1["params"] == 156


def test_summary_csv_with_input_classes_and_depth(capsys):
    code, out, _ = run(capsys, "summary", "resnet20", "--input", "3x64x64", "--classes", "7",
                       "--depth", "2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert rows[-1]["output_shape"] == "7"
    stages = [r for r in rows if r["kind"] == "block"]
    assert stages and all(r["name"].count(".") == 1 for r in stages)
    assert sum(int(r["params"]) for r in rows) == json.loads(
        run(capsys, "summary", "resnet20", "--classes", "7", "--format", "json")[1])["total_params"]


def test_summary_markdown_and_table(capsys):
    code, out, _ = run(capsys, "summary", "alexnet", "--format", "markdown")
    assert code == 0 and out.startswith("# AlexNet")
    assert "| # | Layer | Type | Output shape | Params | MACs | RF |" in out
    code, out, _ = run(capsys, "summary", "lenet5")
    assert code == 0 and "Parameters: 61,706" in out and "6x28x28" in out


@pytest.mark.parametrize("suffix", [".svg", ".png", ".dot", ".json"])
def test_graph_files(capsys, tmp_path, suffix):
    out = tmp_path / f"net{suffix}"
    code, stdout, _ = run(capsys, "graph", "resnet20", "--out", str(out))
    assert code == 0 and str(out) in stdout
    if suffix == ".svg":
        assert ET.parse(out).getroot().tag.endswith("svg")
    elif suffix == ".png":
        with Image.open(out) as image:
            assert image.format == "PNG"
    elif suffix == ".dot":
        assert out.read_text().startswith("digraph")
    else:
        assert json.loads(out.read_text())["arch"] == "resnet20"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left behind


UNTRACEABLE = '''
import torch
from torch import nn

class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        raise ValueError("this model always fails")
'''

VALUE_DEPENDENT = '''
import torch
from torch import nn

class Gate(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3)
        self.b = nn.Conv2d(3, 4, 5, padding=1)
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        x = self.a(x) if x.mean() > -100 else self.b(x)
        return self.fc(x.mean((2, 3)))
'''


def test_a_model_that_reads_tensor_values_is_run_for_real(capsys, tmp_path):
    path = tmp_path / "gate.py"
    path.write_text(VALUE_DEPENDENT)
    code, out, err = run(capsys, "summary", f"{path}:Gate", "--input", "3x16x16",
                         "--classes", "3", "--format", "json")
    data = json.loads(out)
    assert code == 0, err
    assert data["traced_with"] == "hooks"
    assert [l["name"] for l in data["layers"] if l["type"] in ("Conv2d", "Linear")] == ["a", "fc"]
    assert data["layers"][-1]["output_shape"] == [3]


@pytest.mark.parametrize("argv, words", [
    (["summary", "no_such_net"], "no_such_net"),
    (["summary", "lenet5", "--input", "1x8x8"], "features.3"),
    (["summary", "lenet5", "--input", "three"], "not an input shape"),
    (["summary", "lenet5", "--input", "3x32x32"], "input channels"),
    (["summary", "{dir}/model.py:Missing"], "no class Missing"),
    (["summary", "{dir}/model.py:Broken", "--input", "3x8x8"], "always fails"),
    (["graph", "lenet5", "--out", "{dir}/graph.gif"], ".svg, .png, .dot or .json"),
    (["graph", "lenet5", "--out", "{dir}/missing/graph.svg"], "does not exist"),
])
def test_errors_are_one_sentence_and_exit_2(capsys, tmp_path, argv, words):
    (tmp_path / "model.py").write_text(UNTRACEABLE)
    code, out, err = run(capsys, *[a.format(dir=tmp_path) for a in argv])
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cnnviz: ") and words in lines[0]
    assert "Traceback" not in err and out == ""
