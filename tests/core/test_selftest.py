"""``cnnviz --self-test``: every check passes here, failures give a non-zero exit, nothing is
written outside its temporary folder."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile

import pytest

from cnnviz import selftest

LINE = re.compile(r"^(PASS|FAIL|SKIP) +\d+\.\d\d s  \S.*$")


@pytest.mark.slow
def test_self_test_passes_and_writes_nothing_outside_its_folder(tmp_path):
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "CNNVIZ_TESTING")}
    env.update(HOME=str(home), TMPDIR=str(tmp))
    result = subprocess.run([sys.executable, "-m", "cnnviz", "--self-test"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    checks = [line for line in lines if LINE.match(line)]
    assert len(checks) == len(lines) - 2, "only the header and the summary are not checks"
    for name in ("torchvision C++ operators (torchvision::nms)", "import every cnnviz module",
                 "zoo: build and run resnet18:", "zoo: build and run lenet5:",
                 "inspect ResNet-18", "train a plain/residual twin pair", "augment: hflip:",
                 "main window renders", "files find their workspace",
                 "workspace renders: Architectures"):
        passed = re.compile(r"^PASS +\S+ s  " + re.escape(name), re.M)
        assert passed.search(result.stdout), f"{name!r} did not pass:\n{result.stdout}"
    assert re.search(r"^self-test: \d+ passed, 0 failed, \d+ skipped in ", lines[-1])
    assert "Traceback" not in result.stderr
    assert list(home.iterdir()) == [], "the self-test wrote into the home folder"
    assert list(tmp.iterdir()) == [], "the self-test left its temporary folder behind"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "tmp"]


def test_failed_and_skipped_checks_are_reported(capsys):
    def ok():
        return "fine"

    def broken():
        raise ValueError("the widget is upside down")

    def absent():
        raise selftest.Skipped("not in this build")

    out = io.StringIO()
    results = selftest.run_checks([("one", ok), ("two", broken), ("three", absent)], out,
                                  verbose=True)
    assert [r.status for r in results] == ["PASS", "FAIL", "SKIP"]
    text = out.getvalue().splitlines()
    assert LINE.match(text[0]) and text[0].endswith("one: fine")
    assert text[1].startswith("FAIL")
    assert text[1].endswith("two: ValueError: the widget is upside down")
    assert any("Traceback" in line for line in text), "verbose prints the traceback"
    assert text[-1].startswith("SKIP") and text[-1].endswith("three: not in this build")


def test_any_failure_makes_the_exit_status_non_zero(monkeypatch, tmp_path):
    before = dict(os.environ)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(selftest, "all_checks",
                        lambda shots=None: iter([("fine", lambda: None), ("bad", lambda: 1 / 0)]))
    out = io.StringIO()
    assert selftest.run_self_test([], out=out) == 1
    assert "self-test: 1 passed, 1 failed, 0 skipped" in out.getvalue()
    assert list(tmp_path.iterdir()) == [], "the temporary folder is removed"
    assert dict(os.environ) == before and tempfile.tempdir == str(tmp_path), "all restored"
    monkeypatch.setattr(selftest, "all_checks", lambda shots=None: iter([("fine", lambda: None)]))
    assert selftest.run_self_test([], out=io.StringIO()) == 0
