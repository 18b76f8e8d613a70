"""FileKeyedCache: one value per version of a file (path, modification time, size), the
least recently used dropped first, made once however many threads ask."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cnnviz.core.zoo.file_cache import FileKeyedCache, file_version


class Maker:
    """``make(path)`` for the cache: a fresh object per call, counted per file name."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def __call__(self, path: Path):
        def make():
            self.calls[path.name] = self.calls.get(path.name, 0) + 1
            return object()
        return make


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_one_version_is_made_once_and_a_saved_change_is_made_again(tmp_path):
    cache, make = FileKeyedCache(4), Maker()
    net = write(tmp_path / "net.py", "a = 1\n")
    first = cache.get(net, make(net))
    assert cache.get(tmp_path / "." / "net.py", make(net)) is first  # the resolved path
    write(net, "a = 22\n")
    changed = cache.get(net, make(net))
    assert changed is not first and make.calls == {"net.py": 2}
    assert file_version(net) == (str(net.resolve()), net.stat().st_mtime_ns, 7)


def test_the_least_recently_used_version_is_dropped(tmp_path):
    cache, make = FileKeyedCache(2), Maker()
    a, b, c = (write(tmp_path / f"{n}.py", n) for n in "abc")
    kept_a = cache.get(a, make(a))
    cache.get(b, make(b))
    assert cache.get(a, make(a)) is kept_a  # a is now the most recent: b goes next
    cache.get(c, make(c))
    assert len(cache) == 2
    assert cache.get(a, make(a)) is kept_a
    cache.get(b, make(b))
    assert make.calls == {"a.py": 1, "b.py": 2, "c.py": 1}


def test_a_failed_make_keeps_nothing(tmp_path):
    cache = FileKeyedCache(2)
    net = write(tmp_path / "net.py", "x")

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get(net, fail)
    assert len(cache) == 0
    assert cache.get(net, lambda: "made") == "made"


def test_a_missing_file_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        FileKeyedCache(2).get(tmp_path / "gone.py", object)


def test_threads_asking_for_one_version_at_once_make_it_once(tmp_path):
    cache, make = FileKeyedCache(2), Maker()
    net = write(tmp_path / "net.py", "x")
    entered, release = threading.Event(), threading.Event()
    results = []

    def slow():
        entered.set()
        assert release.wait(10)
        return make(net)()

    first = threading.Thread(target=lambda: results.append(cache.get(net, slow)))
    first.start()
    assert entered.wait(10)  # the first thread is making the value now
    second = threading.Thread(target=lambda: results.append(cache.get(net, make(net))))
    second.start()
    second.join(0.2)  # gives it time to reach the cache; it must wait there
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert make.calls == {"net.py": 1}
    assert len(results) == 2 and results[0] is results[1]
