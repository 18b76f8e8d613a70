"""One cnnviz window per user session: a second launch hands its files to the first and exits.

The first instance holds a lock file and listens on a local socket (a Unix domain socket, or a
named pipe on Windows).  A later launch connects, sends the absolute paths of the files it was
given as one JSON line, waits for ``ok`` and exits; the running window opens the files and comes
to the front.  A launch without files just brings the window forward.

macOS never passes files on the command line to an app opened from Finder: it sends
``QFileOpenEvent`` to the application object instead.  :meth:`SingleInstance.watch_file_open_events`
routes those into the same path.

Typical use in ``run_gui`` (after the ``QApplication`` exists, before the window is built)::

    guard = single_instance.start(paths)
    if guard is None:            # the running window took the files
        return 0
    guard.watch_file_open_events(app)
    window = MainWindow(...)
    guard.attach(window)         # files that arrived meanwhile are delivered now
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QDir, QEvent, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from cnnviz import APP_ID

# A first instance may still be importing torch when the second one knocks; it answers once its
# event loop runs, which on a slow laptop takes several seconds.
ANSWER_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_MS = 500
_ACK = b"ok\n"
_MAX_MESSAGE = 1 << 20


class _Window(Protocol):
    def open_paths(self, paths: list[Path]) -> None: ...


def default_name() -> str:
    """The socket name shared by every cnnviz launch of this user in this session.

    On Linux the socket goes into ``$XDG_RUNTIME_DIR`` (private to the user and the login
    session); elsewhere Qt places it in the temporary folder, so the name carries a hash of the
    user name to keep users apart.  ``CNNVIZ_INSTANCE_NAME`` overrides the name (separate
    instances); under ``CNNVIZ_TESTING`` each process gets its own.
    """
    override = os.environ.get("CNNVIZ_INSTANCE_NAME")
    if override:
        return override
    if os.environ.get("CNNVIZ_TESTING"):  # a test run must never reach the user's real window
        return f"{APP_ID}-test-{os.getpid()}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform.startswith("linux") and os.path.isabs(runtime) and os.path.isdir(runtime):
        return str(Path(runtime) / f"{APP_ID}.sock")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in containers without a passwd entry
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return f"{APP_ID}-{hashlib.sha256(user.encode()).hexdigest()[:12]}"


def _lock_path(name: str) -> str:
    if os.path.isabs(name):
        return name + ".lock"
    return os.path.join(QDir.tempPath(), name + ".lock")


def absolute_paths(args: list[str]) -> list[str]:
    """Command-line file arguments made absolute, since the receiving window has another cwd."""
    return [os.path.abspath(os.path.expanduser(a)) for a in args]


def forward_to_running(paths: list[str], name: str | None = None,
                       connect_timeout_ms: int = CONNECT_TIMEOUT_MS,
                       answer_timeout_ms: int = ANSWER_TIMEOUT_MS) -> bool:
    """Hand ``paths`` to a running cnnviz window; ``True`` once it confirmed receiving them.

    ``False`` when no instance listens (or it never answers): the caller starts its own window.
    Needs no ``QApplication``, so a second launch can call it before importing anything heavy.
    """
    return _send(paths, name or default_name(), connect_timeout_ms, answer_timeout_ms) == _DELIVERED


_DELIVERED, _NO_SERVER, _NO_ANSWER = "delivered", "no server", "no answer"


def _send(paths: list[str], name: str, connect_timeout_ms: int, answer_timeout_ms: int) -> str:
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(connect_timeout_ms):
        return _NO_SERVER
    socket.write(json.dumps({"paths": absolute_paths(paths)}).encode("utf-8") + b"\n")
    reply = b""
    deadline = time.monotonic() + answer_timeout_ms / 1000
    if socket.waitForBytesWritten(answer_timeout_ms):
        while not reply.endswith(b"\n") and time.monotonic() < deadline:
            remaining = max(1, int((deadline - time.monotonic()) * 1000))
            if socket.bytesAvailable() == 0 and not socket.waitForReadyRead(remaining):
                break
            reply += bytes(socket.readAll().data())
    socket.abort()
    return _DELIVERED if reply == _ACK else _NO_ANSWER


class SingleInstance(QObject):
    """The first instance's end: owns the lock and the server, delivers what others send.

    ``files_received`` carries a list of absolute path strings (empty: "come to the front").
    Messages that arrive before :meth:`attach` are kept and delivered by it.
    """

    files_received = Signal(list)

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or default_name()
        self._lock = QLockFile(_lock_path(self.name))
        self._lock.setStaleLockTime(0)  # a lock is stale only when its process is gone
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._pending: list[list[str]] | None = []  # None once attached
        self._window: _Window | None = None

    @property
    def is_primary(self) -> bool:
        """Whether this process owns the lock and listens for other launches."""
        return self._server is not None and self._server.isListening()

    def claim(self) -> bool:
        """Become the first instance: take the lock and listen.  ``False`` if another has it."""
        if not self._lock.tryLock(0):
            return False
        # The lock proves no live instance serves this name, so a socket file there is left
        # over from a crash and would make listen() fail.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_new_connection)
        if not server.listen(self.name):
            self._lock.unlock()
            return False
        self._server = server
        return True

    def close(self) -> None:
        """Stop listening and release the lock (the window is closing)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for sock in list(self._buffers):
            sock.abort()
        self._buffers.clear()
        self._lock.unlock()

    def attach(self, window: _Window) -> None:
        """Send received files to ``window.open_paths`` and raise the window; flush the queue."""
        self._window = window
        self.files_received.connect(self._show_in_window)
        pending, self._pending = self._pending or [], None
        for paths in pending:
            self.files_received.emit(paths)

    def watch_file_open_events(self, app: QObject) -> None:
        """Deliver macOS ``QFileOpenEvent`` s sent to ``app`` like files from another launch."""
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.FileOpen:
            path = event.file() or event.url().toLocalFile()
            if path:
                self._deliver([os.path.abspath(path)])
                return True
        return super().eventFilter(watched, event)

    def _deliver(self, paths: list[str]) -> None:
        if self._pending is not None:
            self._pending.append(paths)
        else:
            self.files_received.emit(paths)

    def _show_in_window(self, paths: list[str]) -> None:
        window = self._window
        if window is None:
            return
        if paths:
            window.open_paths([Path(p) for p in paths])
        # Plain QWidget API; a duck-typed window without it only gets the files.
        for step in ("showNormal" if getattr(window, "isMinimized", lambda: False)() else "show",
                     "raise_", "activateWindow"):
            method = getattr(window, step, None)
            if callable(method):
                method()

    def _on_new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready_read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        try:
            sock.deleteLater()
        except RuntimeError:  # the server, its parent, was destroyed first (at exit)
            pass

    def _on_ready_read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        if b"\n" not in data:
            if len(data) > _MAX_MESSAGE:  # not one of ours; do not buffer without end
                sock.abort()
                self._forget(sock)
            else:
                self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[sock] = b""
        paths = _parse_message(line)
        if paths is None:
            sock.abort()
            self._forget(sock)
            return
        sock.write(_ACK)
        sock.flush()
        self._deliver(paths)


def _parse_message(line: bytes) -> list[str] | None:
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    paths = message.get("paths") if isinstance(message, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return None
    return paths


def start(paths: list[str], name: str | None = None) -> SingleInstance | None:
    """Become the first instance, or hand ``paths`` to the one already running.

    Returns ``None`` when a running window took the paths (the caller exits with status 0);
    otherwise the guard to :meth:`~SingleInstance.attach` to the new window.  If another
    instance holds the lock but never answers (it hangs), this launch runs on its own rather
    than leave the user with nothing.
    """
    guard = SingleInstance(name)
    # The lock holder may still be starting up and not listen yet: knock until it does, or
    # until its lock turns out stale (it crashed) and this launch becomes the first instance.
    deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
    while True:
        if guard.claim():
            return guard
        outcome = _send(paths, guard.name, CONNECT_TIMEOUT_MS, ANSWER_TIMEOUT_MS)
        if outcome == _DELIVERED:
            guard.deleteLater()
            return None
        if outcome == _NO_ANSWER or time.monotonic() > deadline:
            return guard
        time.sleep(0.1)
