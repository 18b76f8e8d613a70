"""A second cnnviz launch hands its files to the running window instead of opening another."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFileOpenEvent

from cnnviz.ui import single_instance
from cnnviz.ui.single_instance import SingleInstance, forward_to_running


class FakeWindow:
    """Records what the guard asks of a main window."""

    def __init__(self) -> None:
        self.opened: list[list[Path]] = []
        self.calls: list[str] = []

    def open_paths(self, paths: list[Path]) -> None:
        self.opened.append(paths)

    def isMinimized(self) -> bool:  # noqa: N802 - QWidget API
        return True

    def showNormal(self) -> None:  # noqa: N802
        self.calls.append("showNormal")

    def raise_(self) -> None:
        self.calls.append("raise_")

    def activateWindow(self) -> None:  # noqa: N802
        self.calls.append("activateWindow")


@pytest.fixture
def name(tmp_path: Path) -> str:
    return str(tmp_path / "cnnviz.sock")


@pytest.fixture
def primary(qapp, name: str):
    guard = SingleInstance(name)
    assert guard.claim()
    yield guard
    guard.close()


def _forward_in_subprocess(paths: list[str], name: str, cwd: Path) -> subprocess.Popen:
    # A second process, like a real second launch; this one's event loop has to answer it.
    code = ("import sys; from cnnviz.ui.single_instance import forward_to_running; "
            "print(forward_to_running(sys.argv[2:], sys.argv[1]))")
    return subprocess.Popen([sys.executable, "-c", code, name, *paths], cwd=cwd,
                            stdout=subprocess.PIPE, text=True)


def _answered(qtbot, client: subprocess.Popen) -> bool:
    qtbot.waitUntil(lambda: client.poll() is not None, timeout=30000)
    return client.communicate()[0].strip() == "True"


def test_second_instance_hands_its_files_to_the_first(qtbot, primary, name, tmp_path):
    window = FakeWindow()
    primary.attach(window)
    second = SingleInstance(name)
    assert not second.claim(), "only one instance may own the name"
    photo = tmp_path / "cat.png"
    with qtbot.waitSignal(primary.files_received, timeout=30000) as blocker:
        client = _forward_in_subprocess([str(photo), "model.py"], name, cwd=tmp_path)
    assert _answered(qtbot, client)
    expected = [str(photo), str(tmp_path / "model.py")]
    assert blocker.args == [expected]
    assert window.opened == [[Path(p) for p in expected]]
    assert window.calls == ["showNormal", "raise_", "activateWindow"]


def test_launch_without_files_only_raises_the_window(qtbot, primary, name, tmp_path):
    window = FakeWindow()
    primary.attach(window)
    with qtbot.waitSignal(primary.files_received, timeout=30000):
        client = _forward_in_subprocess([], name, cwd=tmp_path)
    assert _answered(qtbot, client)
    assert window.opened == []
    assert "raise_" in window.calls


def test_files_arriving_before_the_window_exists_are_kept(qtbot, primary, name, tmp_path):
    assert _answered(qtbot, _forward_in_subprocess(["early.jpg"], name, cwd=tmp_path))
    window = FakeWindow()
    primary.attach(window)
    assert window.opened == [[tmp_path / "early.jpg"]]


def test_macos_file_open_event_reaches_the_window(qapp, primary, tmp_path):
    window = FakeWindow()
    primary.attach(window)
    primary.watch_file_open_events(qapp)
    photo = tmp_path / "dog.webp"
    QCoreApplication.sendEvent(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(photo))))
    assert window.opened == [[photo]]


def test_nobody_listening_means_start_your_own(qapp, name):
    assert forward_to_running(["x.png"], name) is False


def test_a_crashed_instance_leaves_nothing_in_the_way(qapp, name):
    Path(name).write_bytes(b"")  # socket file left behind; the lock file is gone with its owner
    guard = single_instance.start(["x.png"], name)
    try:
        assert guard is not None and guard.is_primary
    finally:
        guard.close()


def test_garbage_on_the_socket_is_refused(qtbot, primary, name):
    received: list = []
    primary.attach(FakeWindow())
    primary.files_received.connect(received.append)
    reply: dict = {}

    def talk() -> None:  # plain sockets release the GIL, so this thread may block on them
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(name)
            sock.sendall(b"not json\n")
            reply["data"] = sock.recv(100)

    thread = threading.Thread(target=talk)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10000)
    assert reply["data"] == b"", "the server must hang up without acknowledging"
    assert received == []


PRIMARY = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from cnnviz.ui import single_instance

class Window:
    def open_paths(self, paths):
        print("opened", *paths, flush=True)
        app.quit()

app = QCoreApplication([])
guard = single_instance.start([])
assert guard is not None and guard.is_primary
guard.attach(Window())
QTimer.singleShot(60000, app.quit)
print("listening", flush=True)
app.exec()
guard.close()
"""


def test_real_second_launch_forwards_through_the_command_line(tmp_path, name):
    env = {**os.environ, "CNNVIZ_INSTANCE_NAME": name}
    first = subprocess.Popen([sys.executable, "-c", PRIMARY], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "listening"
        photo = tmp_path / "photo of a cat.jpg"
        second = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "cnnviz", str(photo)], env=env,
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )
        assert second.returncode == 0, second.stderr
        # The hand-over happens before the GUI and torch are imported.
        assert "cnnviz.ui.app" not in second.stderr
        assert " torch" not in second.stderr
        out, _ = first.communicate(timeout=30)
        assert out.strip() == f"opened {photo}"
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

