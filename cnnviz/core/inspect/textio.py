"""Writing files whole or not at all, and numbers as people read them."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from cnnviz.core.errors import CnnvizError


def _default_mode() -> int:
    mask = os.umask(0)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp creates private (0600) files; an export should get the usual permissions.
_NEW_FILE_MODE = _default_mode()


class ExportError(CnnvizError):
    """A file that could not be written."""


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file in ``path``'s folder, then rename it over ``path``:
    a reader never sees half a file, and a failure leaves any old file untouched."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"The folder '{folder}' does not exist; create it or choose another.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot write to '{folder}': {exc.strerror}.") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else _NEW_FILE_MODE)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Cannot write '{path}': {exc.strerror}.") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def human_count(value: int) -> str:
    """1234 -> "1.2K", 25557032 -> "25.6M", 15470289408 -> "15.5G"."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return str(value)


def human_bytes(value: int) -> str:
    """Bytes in decimal units, as the window writes them: 1500 -> "1.5 kB", 26_500_000 ->
    "26.5 MB" (a student multiplying parameters by 4 bytes gets the same figure); 999,960
    bytes reads "1.0 MB", never "1000.0 kB"."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if round(value / size, 1) >= 1.0:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"
