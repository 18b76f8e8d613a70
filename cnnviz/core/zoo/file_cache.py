"""The last few things made from files (a run module, an unpickled network), each kept per
version of its file: the resolved path, modification time and size.  Saving the file again
makes a new version, so an edited file is read afresh while an unchanged one is not."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Generic, TypeVar

T = TypeVar("T")

FileVersion = tuple[str, int, int]


def file_version(path: Path) -> FileVersion:
    """``(resolved path, modification time in ns, size in bytes)`` of ``path``, which must
    exist (``OSError`` otherwise)."""
    stat = path.stat()
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


class FileKeyedCache(Generic[T]):
    """Up to ``size`` values, one per file version, the least recently used dropped first.

    :meth:`get` holds one lock while it makes a value, so two threads asking for the same
    version make it once; ``make`` must therefore not ask this cache for anything.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[FileVersion, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path, make: Callable[[], T]) -> T:
        """The value kept for ``path``'s current version, else ``make()``'s, kept.  An
        exception from ``make`` propagates and nothing is kept, so the next call tries
        again."""
        with self._lock:
            key = file_version(path)
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            value = make()
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._values)
