"""Put cnnviz into the user's application menu and "Open with" lists, and take it out again.

For people who installed with pip: ``cnnviz --install-desktop`` copies the desktop entry, the
icons and the AppStream metainfo into ``$XDG_DATA_HOME`` (``~/.local/share`` when unset), the
folders every freedesktop menu and file manager reads.  ``--uninstall-desktop`` removes exactly
those files.  Packages (.deb) install the same files under ``/usr/share`` themselves.

The packaged desktop entry says ``Exec=cnnviz``; a pip install inside a virtual environment is
usually not on the menu's ``PATH``, so the installed copy names the launcher by its full path.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cnnviz import resources
from cnnviz.core.inspect.textio import atomic_write_text


@dataclass
class DesktopChange:
    """What an install or uninstall did: the files written or removed, and the notes to show."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def data_home() -> Path:
    """``$XDG_DATA_HOME`` as the XDG base directory spec defines it (absolute, else ignored)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def _targets(root: Path) -> dict[Path, Path]:
    """Each packaged file mapped to where it goes below the data folder ``root``."""
    mapping = {
        resources.DESKTOP_FILE: root / "applications" / resources.DESKTOP_FILE.name,
        resources.METAINFO_FILE: root / "metainfo" / resources.METAINFO_FILE.name,
    }
    for icon in resources.theme_icon_files():
        mapping[icon] = root / "icons" / "hicolor" / icon.relative_to(resources.HICOLOR_DIR)
    return mapping


def launcher_command() -> list[str]:
    """The command that starts this copy of cnnviz, for the installed entry's ``Exec`` line.

    In order: a frozen bundle's own executable; the ``cnnviz`` script installed beside this
    Python (a virtual environment's ``bin``); ``cnnviz`` on ``PATH``; else ``python -m cnnviz``.
    """
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.executable).parent / ("cnnviz.exe" if os.name == "nt" else "cnnviz")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script.absolute())]
    found = shutil.which("cnnviz")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "cnnviz"]


def _exec_quote(arg: str) -> str:
    """Quote one ``Exec`` argument as the desktop entry spec requires (double quotes only)."""
    arg = arg.replace("%", "%%")  # a lone % would start a field code
    reserved = set(' \t\n"\'\\><~|&;$*?#()`')
    if arg and not reserved.intersection(arg):
        return arg
    escaped = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
    # The entry's string-value unescaping runs first, so each backslash is written twice.
    return '"' + escaped.replace("\\", "\\\\") + '"'


def desktop_entry_text(command: list[str]) -> str:
    """The packaged desktop entry with ``Exec`` and ``TryExec`` pointing at ``command``."""
    lines = []
    for line in resources.DESKTOP_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(_exec_quote(a) for a in command) + " %F"
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0]
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(root: Path | None = None, command: list[str] | None = None) -> DesktopChange:
    """Copy the desktop entry, icons and metainfo below ``root`` (default :func:`data_home`).

    ``command`` replaces the entry's launcher (default :func:`launcher_command`).  Installing
    twice overwrites the same files.  Returns the files written.
    """
    root = root or data_home()
    command = command or launcher_command()
    change = DesktopChange()
    for source, target in _targets(root).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source == resources.DESKTOP_FILE:
            atomic_write_text(target, desktop_entry_text(command))  # never half an entry
            target.chmod(0o644)
        else:
            shutil.copyfile(source, target)
        change.files.append(target)
    change.notes += _refresh_caches(root)
    return change


def uninstall(root: Path | None = None) -> DesktopChange:
    """Remove every file :func:`install` puts below ``root``, and the folders left empty.

    Files already missing are skipped; other files in those folders are never touched.
    Returns the files removed.
    """
    root = root or data_home()
    change = DesktopChange()
    for target in _targets(root).values():
        if target.is_file() or target.is_symlink():
            target.unlink()
            change.files.append(target)
        _remove_empty_parents(target.parent, stop=root)
    change.notes += _refresh_caches(root)
    return change


def installed_files(root: Path | None = None) -> list[Path]:
    """The files an install puts below ``root``, whether or not they are there now."""
    return list(_targets(root or data_home()).values())


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    # Only folders the install itself may have created; `stop` (the data home) always stays.
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _refresh_caches(root: Path) -> list[str]:
    """Tell the menu and the icon theme about the change, where their tools are installed.

    Both caches only speed lookups up (menus rescan without them), so a missing or failing tool
    is a note, not an error.
    """
    notes = []
    applications = root / "applications"
    hicolor = root / "icons" / "hicolor"
    for tool, args in (
        ("update-desktop-database", ["-q", str(applications)]),
        ("gtk-update-icon-cache", ["-q", "-f", "-t", str(hicolor)]),
    ):
        path = shutil.which(tool)
        if path is None or not Path(args[-1]).is_dir():
            continue
        try:
            subprocess.run([path, *args], check=True, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            notes.append(f"{tool} did not finish ({exc}); the menu may take a moment to notice.")
    return notes


def run_install() -> int:
    """``cnnviz --install-desktop``: install for the current user and say what was done."""
    change = install()
    print(f"Installed the cnnviz menu entry and icons for {Path.home().name}:")
    for path in change.files:
        print(f"  {path}")
    for note in change.notes:
        print(note)
    print("cnnviz now appears in the application menu and in \"Open with\" for images and "
          "Python files; remove it with: " + shlex.join(["cnnviz", "--uninstall-desktop"]))
    return 0


def run_uninstall() -> int:
    """``cnnviz --uninstall-desktop``: remove what ``--install-desktop`` put down."""
    change = uninstall()
    if change.files:
        print("Removed the cnnviz menu entry and icons:")
        for path in change.files:
            print(f"  {path}")
    else:
        print(f"The cnnviz menu entry was not installed in {data_home()}; nothing to remove.")
    for note in change.notes:
        print(note)
    return 0

