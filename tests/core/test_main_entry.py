"""`cnnviz WORD`: a mistyped or guessed command, and no display, end in one sentence (exit 2)
instead of opening the window or letting Qt abort."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import cnnviz.__main__ as entry
import cnnviz.ui.app


@pytest.fixture()
def no_window(monkeypatch):
    """Fails the test if the window would start or files would be handed to one."""
    def refuse(*_args):
        raise AssertionError("the window must not start")

    monkeypatch.setattr(cnnviz.ui.app, "run_gui", refuse)
    monkeypatch.setattr(entry, "_forwarded_to_running_window", lambda args: False)


@pytest.mark.parametrize("argv, line", [
    (["inspect", "alexnet"],
     "cnnviz: there is no command 'inspect' (did you mean 'summary'?); cnnviz --help lists them."),
    (["sumary", "lenet5"],
     "cnnviz: there is no command 'sumary' (did you mean 'summary'?); cnnviz --help lists them."),
    (["grpah"],
     "cnnviz: there is no command 'grpah' (did you mean 'graph'?); cnnviz --help lists them."),
    (["frobnicate"], "cnnviz: there is no command 'frobnicate'; cnnviz --help lists them."),
])
def test_a_word_that_is_no_command_is_a_usage_error(capsys, no_window, tmp_path, monkeypatch,
                                                    argv, line):
    monkeypatch.chdir(tmp_path)
    assert entry.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == line + "\n"


def test_files_and_folders_still_go_to_the_window(tmp_path, monkeypatch):
    """A word naming something that exists, or with a suffix (a missing photo.jpg: the window
    says it is missing), is not taken for a command."""
    opened = []
    monkeypatch.setattr(cnnviz.ui.app, "run_gui", lambda args: opened.append(args) or 0)
    monkeypatch.setattr(entry, "_forwarded_to_running_window", lambda args: False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inspect").mkdir()
    assert entry.main(["inspect"]) == 0
    assert entry.main(["missing.jpg"]) == 0
    assert opened == [["inspect"], ["missing.jpg"]]


def test_no_display_on_linux_is_one_sentence(capsys, no_window, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert entry.main([]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("cnnviz: there is no display to open the window on")
    assert err.count("\n") == 1


def test_a_guessed_command_without_a_display_exits_2_not_abort(tmp_path):
    """The real program, as run over ssh: before, Qt aborted (exit 134)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "cnnviz", "inspect", "alexnet"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == ("cnnviz: there is no command 'inspect' (did you mean "
                                   "'summary'?); cnnviz --help lists them.")
