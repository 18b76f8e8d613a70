"""`cnnviz summary` / `graph` / `activations` with a student's own files, and their help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from saved_networks import TINY_PARAMS, write_saved_networks

from cnnviz.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def saved(tmp_path: Path) -> dict:
    return write_saved_networks(tmp_path)


def test_a_pickled_network_needs_trust_on_the_command_line(capsys, saved):
    code, out, err = run(capsys, "summary", saved["full"])
    assert code == 2 and out == ""
    assert err.startswith("cnnviz: tiny_full.pt is a whole pickled network (")
    assert err.rstrip().endswith("add --trust if you trust where it came from.")
    assert err.count("\n") == 1
    assert not saved["mark"].exists()  # nothing from the file ran


def test_summary_and_graph_of_a_trusted_pickled_network(capsys, saved, tmp_path):
    code, out, _ = run(capsys, "summary", saved["full"], "--trust", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["display_name"], data["total_params"]) == ("TinyNet", TINY_PARAMS)
    assert data["input_shape"] == [3, 32, 32]
    out_file = tmp_path / "tiny.svg"
    code, out, _ = run(capsys, "graph", saved["full"], "--trust", "--out", out_file)
    assert code == 0 and "TinyNet" in out and out_file.read_text().startswith("<svg")


@pytest.mark.parametrize("key, words", [
    ("state", "tiny_state.pth holds only weights (a state_dict), not a network"),
    ("script", "tiny_script.ts is a TorchScript file (TinyNet)"),
    ("text", "not_a_model.pt is not a PyTorch file"),
])
def test_files_that_hold_no_network_get_one_sentence(capsys, saved, key, words):
    code, out, err = run(capsys, "summary", saved[key])
    assert code == 2 and out == ""
    assert err.startswith(f"cnnviz: {words}") and err.count("\n") == 1


def test_a_python_file_without_a_network(capsys, tmp_path):
    path = tmp_path / "empty.py"
    path.write_text("")
    code, _, err = run(capsys, "summary", path)
    assert code == 2
    assert err == "cnnviz: empty.py defines no network (no torch.nn.Module subclass).\n"


def test_graph_as_pdf_says_how_to_get_one(capsys, tmp_path):
    code, _, err = run(capsys, "graph", "lenet5", "--out", tmp_path / "g.pdf")
    assert code == 2 and "for PDF, print the SVG or export from the window" in err
    assert not (tmp_path / "g.pdf").exists()


def _help(capsys, command: str) -> str:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    return " ".join(out.split())  # argparse wraps to the terminal's width


def test_help_names_every_argument_and_explains_it(capsys):
    summary = _help(capsys, "summary")
    assert "--format {table,json,csv,markdown} table to read (default)" in summary
    assert "--trust" in summary and "model.pt" in summary
    graph = _help(capsys, "graph")
    assert "For PDF, export from the window" in graph
    activations = _help(capsys, "activations")
    assert "ARCH IMAGE" in activations and "arch image" not in activations
    assert "--out DIR" in activations and "--layer NAME" in activations
    assert "--trust" in activations
