"""cnnviz.core.lazy_torch: torch imported with the GIL held as briefly as possible.

The import itself is tested in fresh processes: inside pytest torch is usually imported
already, and an import can only happen once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnviz.core import lazy_torch

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


def test_fresh_process_maps_libtorch_before_the_import_then_imports_torch_and_torchvision():
    out = _run("""
        import gc, sys
        from cnnviz.core import lazy_torch
        mapped = lazy_torch.preload_libraries()
        maps = open("/proc/self/maps").read() if sys.platform.startswith("linux") else ""
        print("mapped", ",".join(p.name for p in mapped))
        print("cpu-lib-mapped", "libtorch_cpu" in maps or not maps, "torch" in sys.modules)
        torch = lazy_torch.import_torch()
        print("imported", torch.__name__, "torchvision" in sys.modules,
              int(torch.ones(3).sum().item()))
        print("collector", gc.isenabled(), gc.get_freeze_count() > 100_000)
        print("again", lazy_torch.import_torch() is torch)
    """)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert "libtorch_global_deps" in lines["mapped"] and "libtorch." in lines["mapped"]
    assert lines["cpu-lib-mapped"] == "True False"  # mapped, and not yet imported
    assert lines["imported"] == "torch True 3"
    # The collector runs again, and the import's objects are out of its way.
    assert lines["collector"] == "True True"
    assert lines["again"] == "True"


def test_the_dlopen_used_lets_other_python_threads_run_while_it_loads(tmp_path):
    """dlopen on a FIFO blocks until a writer opens it and writes; the writer is a Python
    thread, so the call only returns if the GIL was released meanwhile (ctypes.CDLL, which
    keeps the GIL, deadlocks here)."""
    out = _run(f"""
        import os, threading
        from cnnviz.core import lazy_torch
        fifo = {str(tmp_path / "libfake.so")!r}
        os.mkfifo(fifo)

        def write():
            with open(fifo, "wb") as f:
                f.write(b"not a shared library, written while dlopen waits for it")

        writer = threading.Thread(target=write)
        writer.start()
        handle = lazy_torch._gil_free_dlopen()(os.fsencode(fifo), os.RTLD_NOW)
        writer.join()
        print("returned", handle)
    """, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["returned", "None"]  # not a library: NULL, no crash


def _broken_torch(folder: Path, message: str) -> dict:
    package = folder / "torch"
    package.mkdir()
    (package / "__init__.py").write_text(f"raise ImportError({message!r})\n")
    return {"PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}


def test_a_torch_that_cannot_be_imported_gives_a_sentence_and_leaves_the_collector_on(tmp_path):
    env = _broken_torch(tmp_path, "libtorch_cpu.so: cannot open shared object file")
    out = _run("""
        import gc
        from cnnviz.core import lazy_torch
        from cnnviz.core.errors import CnnvizError, TorchUnavailableError
        for attempt in (1, 2):  # a failure is not remembered: the next call tries again
            try:
                lazy_torch.import_torch()
            except TorchUnavailableError as exc:
                assert isinstance(exc, CnnvizError)
                print(str(exc))
        print("collector", gc.isenabled(), gc.get_freeze_count())
    """, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    first, second, collector = out.stdout.splitlines()
    assert first == second
    assert first.startswith("PyTorch could not be loaded (libtorch_cpu.so: cannot open shared "
                            "object file)")
    assert first.endswith(".") and first.count(". ") == 0 and "Traceback" not in first
    assert collector == "collector True 0"


def test_libtorch_is_left_to_torch_when_other_nvidia_libraries_come_first(tmp_path,
                                                                         monkeypatch):
    names = [path.name for path, _ in lazy_torch._libraries()]
    assert names[:2] == ["libtorch_global_deps.so", "libtorch.so"]

    (tmp_path / "nvidia").mkdir()  # torch would preload these copies, not its run path's
    monkeypatch.syspath_prepend(str(tmp_path))
    names = [path.name for path, _ in lazy_torch._libraries()]
    assert names[0] == "libtorch_global_deps.so" and "libtorch.so" not in names


@pytest.mark.parametrize("error, detail", [
    (ImportError("No module named 'torch'"), "(No module named 'torch')"),
    (OSError("libgomp.so.1: cannot open shared object file.\nmore"),
     "(libgomp.so.1: cannot open shared object file)"),
    (RuntimeError(""), "(RuntimeError)"),
])
def test_the_sentence_names_the_first_line_of_the_cause(error, detail):
    sentence = lazy_torch._sentence(error)
    assert detail in sentence and "\n" not in sentence and sentence.endswith(".")


def test_ctypes_loads_during_the_import_are_mapped_first_with_the_gil_free_dlopen(monkeypatch):
    import ctypes

    real = lazy_torch._gil_free_dlopen()
    asked = []

    def recording(name: bytes, mode: int) -> int:
        asked.append((name, mode))
        return real(name, mode)

    monkeypatch.setattr(lazy_torch, "_gil_free_dlopen", lambda: recording)
    original = ctypes.CDLL
    with lazy_torch._ctypes_loads_without_gil():
        libm = ctypes.CDLL("libm.so.6", mode=os.RTLD_GLOBAL)
        assert isinstance(libm, original)
        libm.cos.restype, libm.cos.argtypes = ctypes.c_double, (ctypes.c_double,)
        assert libm.cos(0.0) == 1.0
    assert ctypes.CDLL is original
    assert asked == [(b"libm.so.6", os.RTLD_GLOBAL | os.RTLD_NOW)]
