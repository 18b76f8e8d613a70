"""Import torch and torchvision on a worker thread without freezing the window.

Call :func:`import_torch` on the background thread that is about to touch torch, before
anything that imports it; it returns the ``torch`` module (torchvision imported too) or raises
:class:`~cnnviz.core.errors.TorchUnavailableError` with a sentence.

Importing torch on a worker thread is not enough by itself: a Python thread that runs C code
without releasing the global interpreter lock (GIL) stops every other Python thread, the GUI
thread included, until that code returns.  Measured on this program (``benchmarks/
bench_gui_latency.py --compare-import --explain``), a plain ``import torch, torchvision`` on a
worker held the GIL in three kinds of long stretch, up to 0.6 s each on a two-core machine:

* the dynamic loader mapping libtorch (about a gigabyte of shared libraries whose static
  initialisers register thousands of operators).  CPython calls ``dlopen`` for an extension
  module, and ``ctypes.CDLL`` calls it too (``py_dl_open`` in ``Modules/_ctypes/
  callproc.c``), with the GIL held;
* full garbage collections: the import creates about half a million objects, and each
  generation-2 pass walks all of them;
* the C++ initialisation of ``torch._C`` itself, which nothing outside torch can split.

The first two are removed here.  The libraries are mapped in advance by calling the C
library's ``dlopen`` as a ctypes *foreign function*, which ctypes calls with the GIL released,
so the later import finds them loaded and only bumps their reference counts: libtorch before
the import, and each library torch and torchvision load through ``ctypes.CDLL`` just before
they do.  The collector
is paused while the import runs, and the objects the import made are then moved out of the
collector's sight with :func:`gc.freeze`: they live as long as the process, and without that
every later full collection (during training too) would walk them again.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

from cnnviz.core.errors import TorchUnavailableError

_lock = threading.Lock()
_loaded = False
_SUFFIX = ".dylib" if sys.platform == "darwin" else ".so"


def import_torch() -> ModuleType:
    """Import torch and torchvision, holding the GIL as briefly as possible (see the module
    notes), and return ``torch``.

    Meant for a worker thread: it takes seconds the first time, and a dictionary lookup
    after that.  Safe to call from several threads at once: the first does the work and the
    others wait for it.  Raises :class:`TorchUnavailableError` when torch or torchvision
    cannot be imported (and tries again on the next call)."""
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                preload_libraries()
                _import_without_collections()
                _loaded = True
    return sys.modules["torch"]


def _import_without_collections() -> None:
    fresh = "torch" not in sys.modules
    was_enabled = gc.isenabled()
    if fresh:
        gc.disable()
    try:
        with _ctypes_loads_without_gil():
            import torch  # noqa: F401
            import torchvision  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any failure of the install becomes a sentence
        raise TorchUnavailableError(_sentence(exc)) from exc
    else:
        if fresh:
            # Every object alive now (torch's, and the window's long-lived ones) is left out
            # of later cycle collections: a cycle among them that becomes garbage is never
            # freed.  That costs little memory; walking them costs every full collection
            # hundreds of milliseconds.
            gc.freeze()
    finally:
        if fresh and was_enabled:
            gc.enable()


@contextmanager
def _ctypes_loads_without_gil() -> Iterator[None]:
    """Make every ``ctypes.CDLL(...)`` map its library with the GIL released first.

    torch loads its global dependencies and NVIDIA's libraries (libcusolver, 140 MB, is not
    among libtorch's) with ``ctypes.CDLL``, and torchvision loads its operators the same way.
    Mapping the very names and flags they ask for, just before they do, keeps their choice of
    libraries and their order exactly; their own ``dlopen`` then finds each one loaded."""
    dlopen = _gil_free_dlopen()
    original = ctypes.CDLL
    if dlopen is None:
        yield
        return

    class CDLL(original):  # type: ignore[valid-type, misc]
        def __init__(self, name, mode=ctypes.DEFAULT_MODE, *args, **kwargs) -> None:
            if name:
                dlopen(os.fsencode(name), mode | os.RTLD_NOW)  # a failure is theirs to report
            super().__init__(name, mode, *args, **kwargs)

    # Process-wide for these seconds: another thread's ctypes load gets the same treatment,
    # which changes nothing for it but the GIL.
    ctypes.CDLL = CDLL
    try:
        yield
    finally:
        ctypes.CDLL = original


def _sentence(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    detail = lines[0].rstrip(".") if lines else type(exc).__name__
    return (f"PyTorch could not be loaded ({detail}), so no model can be built or trained; "
            "reinstall torch and torchvision in the Python environment cnnviz runs from.")


def preload_libraries() -> list[Path]:
    """Map torch's big shared libraries with the GIL released; return the ones mapped.

    Best effort: a library that is missing or fails to load is skipped, and the import
    that follows loads it (or reports why it cannot) as it would have anyway."""
    dlopen = _gil_free_dlopen()
    if dlopen is None:
        return []
    loaded = []
    for path, mode in _libraries():
        if path.is_file() and dlopen(os.fsencode(path), mode | os.RTLD_NOW):
            loaded.append(path)
    return loaded


def _gil_free_dlopen() -> Callable[[bytes, int], int] | None:
    """The C library's ``dlopen`` as a ctypes function, or None where there is none."""
    if not hasattr(os, "RTLD_NOW"):  # Windows: DLLs load otherwise, and nothing is done
        return None
    try:
        # The process's global symbols: dlopen lives in libc (or libdl, which Python loads).
        fn = ctypes.CDLL(None).dlopen
    except (OSError, AttributeError, TypeError):
        return None
    fn.argtypes = (ctypes.c_char_p, ctypes.c_int)
    fn.restype = ctypes.c_void_p
    return fn


def _package_dir(name: str) -> Path | None:
    """Where an installed top-level package lives, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _libraries() -> list[tuple[Path, int]]:
    """The libraries to map, in order, with the ``dlopen`` flags the import would use."""
    torch_dir = _package_dir("torch")
    if torch_dir is None:
        return []
    lib = torch_dir / "lib"
    # torch/__init__.py loads this one first, globally, so that its dependencies (CUDA's
    # runtime, OpenMP) are visible to everything after it.
    found = [(lib / f"libtorch_global_deps{_SUFFIX}", os.RTLD_GLOBAL)]
    if _torch_finds_its_own_cuda_wheels(torch_dir.parent):
        # libtorch pulls in libtorch_cpu, libc10 and, in CUDA builds, libtorch_cuda and the
        # NVIDIA libraries through its run path: everything torch._C needs but
        # libtorch_python, whose initialisers are torch's Python bindings and stay under the
        # GIL where torch expects them.
        found.append((lib / f"libtorch{_SUFFIX}", os.RTLD_LOCAL))
    triton_dir = _package_dir("triton")
    if triton_dir is not None:
        # torchvision's import reaches torch._dynamo, which imports Triton where it is
        # installed: half a gigabyte of compiler, an extension module Python would dlopen
        # with the GIL held.
        found.append((triton_dir / "_C" / "libtriton.so", os.RTLD_LOCAL))
    return found


def _torch_finds_its_own_cuda_wheels(site: Path) -> bool:
    """Whether torch, preloading NVIDIA's libraries, takes the copies next to itself.

    torch preloads them from the first ``sys.path`` entry holding an ``nvidia`` folder, while
    libtorch's run path points at the copies beside torch; mapping libtorch early is only
    harmless when those are the same files."""
    for entry in sys.path:
        candidate = Path(entry or os.curdir)
        if (candidate / "nvidia").is_dir():
            try:
                return candidate.resolve() == site.resolve()
            except OSError:
                return False
    return True
