"""``cnnviz --install-desktop`` and ``--uninstall-desktop`` for a user's own data folder."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cnnviz import APP_ID, desktop, resources


def _files_below(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _cli(*args: str, data_home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    return subprocess.run([sys.executable, "-m", "cnnviz", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_install_then_uninstall_through_the_command_line(tmp_path):
    data_home = tmp_path / "share"
    mine = data_home / "applications" / "someone-else.desktop"
    mine.parent.mkdir(parents=True)
    mine.write_text("[Desktop Entry]\n")

    installed = _cli("--install-desktop", data_home=data_home)
    assert installed.returncode == 0, installed.stderr
    expected = set(desktop.installed_files(data_home))
    assert expected <= _files_below(data_home)
    for path in expected:
        assert str(path) in installed.stdout
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()
    assert (data_home / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
    assert (data_home / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (data_home / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()

    removed = _cli("--uninstall-desktop", data_home=data_home)
    assert removed.returncode == 0, removed.stderr
    left = {p for p in _files_below(data_home) if APP_ID in p.name}
    assert left == set()
    assert mine.is_file(), "files that are not ours stay"
    assert not (data_home / "icons" / "hicolor" / "48x48").exists(), "empty folders go too"
    assert not (data_home / "metainfo").exists()


def test_uninstall_when_nothing_is_installed_says_so(tmp_path):
    result = _cli("--uninstall-desktop", data_home=tmp_path)
    assert result.returncode == 0
    assert "nothing to remove" in result.stdout


def test_install_option_refuses_extra_arguments(tmp_path):
    result = _cli("--install-desktop", "now", data_home=tmp_path)
    assert result.returncode == 2
    assert "no further arguments" in result.stderr
    assert not any(tmp_path.iterdir())


def test_installed_entry_starts_this_copy_and_still_validates(tmp_path):
    launcher = tmp_path / "my venv" / "bin" / "cnnviz"
    desktop.install(tmp_path, command=[str(launcher)])
    entry_path = tmp_path / "applications" / f"{APP_ID}.desktop"
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(entry_path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Exec"] == f'"{launcher}" %F'
    assert entry["TryExec"] == str(launcher)
    assert entry["Icon"] == APP_ID
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing (apt-get install desktop-file-utils)"
    out = subprocess.run([validator, str(entry_path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout


def test_exec_quoting_follows_the_desktop_entry_spec():
    text = desktop.desktop_entry_text(["/opt/a$b/cnnviz", "--x=100%"])
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line == 'Exec="/opt/a\\\\$b/cnnviz" --x=100%% %F'


def test_launcher_is_the_script_beside_this_python_or_a_module_run():
    command = desktop.launcher_command()
    if len(command) == 1:
        assert Path(command[0]).name.startswith("cnnviz")
        assert os.access(command[0], os.X_OK)
    else:
        assert command[1:] == ["-m", "cnnviz"]


def test_data_home_honours_only_an_absolute_xdg_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop.data_home() == tmp_path
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert desktop.data_home() == Path.home() / ".local" / "share"


def test_every_packaged_icon_is_installed(tmp_path):
    targets = {p.relative_to(tmp_path) for p in desktop.installed_files(tmp_path)}
    for icon in resources.theme_icon_files():
        assert Path("icons/hicolor") / icon.relative_to(resources.HICOLOR_DIR) in targets


def test_a_frozen_bundle_names_its_own_executable(monkeypatch, tmp_path):
    exe = tmp_path / "opt" / "cnnviz" / "cnnviz"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert desktop.launcher_command() == [str(exe)]


def test_only_exec_and_tryexec_change_in_the_installed_entry():
    packaged = resources.DESKTOP_FILE.read_text(encoding="utf-8").splitlines()
    installed = desktop.desktop_entry_text(["/x/cnnviz"]).splitlines()
    changed = [(a, b) for a, b in zip(packaged, installed) if a != b]
    assert changed == [("Exec=cnnviz %F", "Exec=/x/cnnviz %F"),
                       ("TryExec=cnnviz", "TryExec=/x/cnnviz")]
