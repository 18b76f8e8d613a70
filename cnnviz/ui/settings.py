"""Where the window keeps what it remembers between runs.

Every part of the UI reads and writes through :func:`app_settings`, so one switch decides the
location: normally the platform's per-user store (``ORG_NAME``/``APP_ID``); when the
environment variable ``CNNVIZ_TESTING`` is set, an INI file in a temporary folder of this
process (or in ``CNNVIZ_SETTINGS_DIR`` when that is set), so tests never touch a user's choices.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

from cnnviz import APP_ID, ORG_NAME

_test_dir: Path | None = None


def settings_file() -> Path | None:
    """The INI file used instead of the user's store, or ``None`` outside tests."""
    global _test_dir
    explicit = os.environ.get("CNNVIZ_SETTINGS_DIR")
    if explicit:
        return Path(explicit) / "cnnviz.ini"
    if not os.environ.get("CNNVIZ_TESTING"):
        return None
    if _test_dir is None:
        _test_dir = Path(tempfile.mkdtemp(prefix="cnnviz-settings-"))
    return _test_dir / "cnnviz.ini"


def app_settings() -> QSettings:
    """A fresh QSettings handle on cnnviz's store (cheap; create one per use)."""
    path = settings_file()
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORG_NAME, APP_ID)


def read_str(key: str, default: str, allowed: tuple[str, ...] | None = None) -> str:
    """A remembered string, falling back to ``default`` when missing or not ``allowed``."""
    value = app_settings().value(key, default)
    value = value if isinstance(value, str) else default
    if allowed is not None and value not in allowed:
        return default
    return value


def write(key: str, value) -> None:
    settings = app_settings()
    settings.setValue(key, value)
    settings.sync()


def read_bool(key: str, default: bool) -> bool:
    """A remembered yes/no (INI files give back "true"/"false" text), else ``default``."""
    value = app_settings().value(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default
