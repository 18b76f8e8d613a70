"""The core must stay importable without Qt: views depend on it, never the reverse."""

import subprocess
import sys

QT_MODULES = ("PySide6", "pyqtgraph", "superqt", "shiboken6")

CODE = """
import importlib, pkgutil, sys
import cnnviz.core
for info in pkgutil.walk_packages(cnnviz.core.__path__, "cnnviz.core."):
    importlib.import_module(info.name)
import cnnviz.cli
cnnviz.cli.build_parser()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print(",".join(loaded))
""" % (QT_MODULES,)


def test_core_and_cli_import_no_qt():
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip() == "", f"Qt modules loaded by the core: {out.stdout}"


def test_core_modules_are_found():
    out = subprocess.run(
        [sys.executable, "-c", "import pkgutil, cnnviz.core; "
         "print(len(list(pkgutil.walk_packages(cnnviz.core.__path__, 'cnnviz.core.'))))"],
        capture_output=True, text=True, check=True, timeout=300,
    )
    assert int(out.stdout) >= 3
