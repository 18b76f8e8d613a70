"""The installer recipes stay consistent with the code, checked without building anything."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from cnnviz import APP_ID, resources

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _spec_excludes() -> list[str]:
    tree = ast.parse((PACKAGING / "cnnviz.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXCLUDES":
            return ast.literal_eval(node.value)
    raise AssertionError("cnnviz.spec defines no EXCLUDES list")


def _imported_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "cnnviz").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_bundle_leaves_out_nothing_cnnviz_imports():
    excluded = _spec_excludes()
    assert "triton" in excluded and "PySide6.QtWebEngineCore" in excluded
    clashes = sorted(name for name in _imported_modules()
                     for ex in excluded if name == ex or name.startswith(ex + "."))
    assert clashes == [], f"cnnviz imports modules the bundle leaves out: {clashes}"


def test_qt_modules_pyqtgraph_loads_stay_in_the_bundle():
    # pyqtgraph's widgets import QtOpenGLWidgets outside its optional-import guard; a bundle
    # without it rendered the main window but failed the Architectures and Train workspaces.
    assert "PySide6.QtOpenGLWidgets" not in _spec_excludes()
    assert "PySide6.QtOpenGL" not in _spec_excludes()


def test_the_spec_places_torchvision_operators_by_name():
    spec = (PACKAGING / "cnnviz.spec").read_text(encoding="utf-8")
    assert '"torchvision"' in spec and "torchvision.libs" in spec
    assert "_C" in spec  # refuses to build without the operator library


@pytest.mark.parametrize("script", ["build.sh", "smoke-test.sh", "macos/make_dmg.sh"])
def test_shell_scripts_parse(script):
    out = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_deb_declares_the_libraries_qt_xcb_needs():
    control = (PACKAGING / "debian" / "control.in").read_text(encoding="utf-8")
    depends = re.search(r"^Depends: (.*)$", control, re.M).group(1)
    for lib in ("libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0",
                "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3"):
        assert lib in depends


def test_windows_installer_uses_the_packaged_icon_and_app_id():
    iss = (PACKAGING / "windows" / "cnnviz.iss").read_text(encoding="utf-8")
    icon = re.search(r"^SetupIconFile=(.*)$", iss, re.M).group(1)
    assert (ROOT / icon.replace("\\", "/")) == resources.ICO_PATH
    assert f'#define AppId "{APP_ID}"' in iss
