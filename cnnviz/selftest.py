"""``cnnviz --self-test``: check, headless, that this copy of cnnviz works, one line per check.

Made for installed copies (a pip install, the bundle, the .deb) where a missing native library
or module shows only when a feature is used: it imports every module, runs torchvision's C++
operators, builds every zoo model, trains a plain/residual twin pair for a few steps on the
CPU, applies every augmentation to a generated image and renders each workspace offscreen.

Rules it keeps: no network, no display needed (``QT_QPA_PLATFORM=offscreen`` when there is no
display), and no writes outside one temporary folder, removed at the end (home, caches,
settings and temporary files all point into it while the checks run).

Each line reads ``PASS``, ``FAIL`` or ``SKIP`` (a part this build does not include), the time
and the check's name.  The exit status is 1 if any check failed, else 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

CheckFn = Callable[[], "str | None"]
# Optimiser steps of the twin-training check: enough to see the loss move and the logs written.
TRAIN_STEPS = 2


class Skipped(Exception):
    """Raised by a check whose feature is not part of this build; the message says which."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # "PASS", "FAIL" or "SKIP"
    seconds: float
    detail: str = ""
    trace: str = ""

    def line(self) -> str:
        text = f"{self.status}  {self.seconds:6.2f} s  {self.name}"
        return f"{text}: {self.detail}" if self.detail else text


def run_checks(checks: Iterable[tuple[str, CheckFn]], out: TextIO,
               verbose: bool = False) -> list[CheckResult]:
    """Run each ``(name, fn)`` in order and print its line as soon as it finishes.

    ``fn`` returns an optional detail for the line; raising :class:`Skipped` marks the check
    SKIP, raising anything else marks it FAIL (the traceback follows with ``verbose``).
    ``checks`` may be a generator: later checks can depend on what earlier ones set up.
    """
    results = []
    for name, fn in checks:
        start = time.perf_counter()
        try:
            detail, status, trace = fn() or "", "PASS", ""
        except Skipped as exc:
            detail, status, trace = str(exc), "SKIP", ""
        except BaseException as exc:  # noqa: BLE001 - a check may fail in any way, even SystemExit
            if isinstance(exc, KeyboardInterrupt):
                raise
            detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
            status, trace = "FAIL", traceback.format_exc()
        result = CheckResult(name, status, time.perf_counter() - start, detail, trace)
        results.append(result)
        print(result.line(), file=out, flush=True)
        if verbose and trace:
            print(trace, file=out, flush=True)
    return results


def isolate(folder: Path) -> None:
    """Point everything this process may write (home, XDG folders, caches, temporary files,
    cnnviz settings, the single-instance socket) into ``folder``, and Qt at a display."""
    env = os.environ
    display = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    has_display = sys.platform.startswith("linux") and display
    if not has_display:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if "DISPLAY" in env and "XAUTHORITY" not in env:  # X finds its cookie under the real home
        env["XAUTHORITY"] = str(Path.home() / ".Xauthority")
    home = folder / "home"
    tmp = folder / "tmp"
    runtime = folder / "run"
    for path in (home, tmp, runtime):
        path.mkdir(mode=0o700)
    env.update({
        "HOME": str(home), "USERPROFILE": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local/share"), "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_RUNTIME_DIR": str(runtime), "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp),
        "TORCH_HOME": str(home / ".cache/torch"),
        "TORCHINDUCTOR_CACHE_DIR": str(home / ".cache/inductor"),
        "CNNVIZ_TESTING": "1", "CNNVIZ_SETTINGS_DIR": str(home / "settings"),
        "CNNVIZ_INSTANCE_NAME": str(runtime / "cnnviz.sock"),
    })
    tempfile.tempdir = str(tmp)


def all_checks(shots: Path | None = None) -> Iterator[tuple[str, CheckFn]]:
    """Every check, in the order they run.  The zoo models, augmentation operations and
    workspaces are discovered from their registries as the checks run; screenshots of the
    workspaces go to ``shots`` when given."""
    yield "Python, torch, torchvision and Qt load", check_versions
    yield "import every cnnviz module", check_imports
    yield "torchvision C++ operators (torchvision::nms)", check_torchvision_ops
    yield "torchvision image codecs (image_stable)", check_torchvision_image
    yield "desktop entry, metainfo and icons are packaged", check_resources
    yield from zoo_checks()
    yield "inspect ResNet-18: layer graph and layout", check_inspect
    yield "train a plain/residual twin pair on the CPU", check_training
    yield from augment_checks()
    yield from ui_checks(shots)


# -- the checks ------------------------------------------------------------------------------
# Each returns a short detail for its line and raises if something is wrong.  Imports happen
# inside them: a broken module must fail its check, not the whole self-test.


def check_versions() -> str:
    import torch
    import torchvision
    from PySide6 import __version__ as pyside_version

    cuda = f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU only"
    return (f"Python {sys.version.split()[0]}, torch {torch.__version__} ({cuda}), "
            f"torchvision {torchvision.__version__}, PySide6 {pyside_version}")


def check_imports() -> str:
    import importlib
    import pkgutil

    import cnnviz

    names = [info.name for info in pkgutil.walk_packages(cnnviz.__path__, "cnnviz.")]
    broken = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - report every broken module, not the first
            broken.append(f"{name} ({type(exc).__name__}: {exc})")
    if broken:
        raise ImportError("; ".join(broken))
    return f"{len(names)} modules"


def check_torchvision_ops() -> str:
    # A frozen torchvision without its _C_stable library imports fine and dies here instead.
    import torch
    import torchvision

    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=torch.float32)
    keep = torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), iou_threshold=0.5).tolist()
    if keep != [0, 2]:
        raise AssertionError(f"nms kept boxes {keep}, expected [0, 2]")
    return "nms kept boxes [0, 2] of 3"


def check_torchvision_image() -> str:
    import torch
    from torchvision.io import decode_png, encode_png

    image = torch.arange(3 * 6 * 5, dtype=torch.uint8).reshape(3, 6, 5)
    if not torch.equal(decode_png(encode_png(image)), image):
        raise AssertionError("a PNG encoded and decoded by torchvision came back different")
    return "PNG round trip"


def check_resources() -> str:
    from cnnviz import resources

    files = [resources.DESKTOP_FILE, resources.METAINFO_FILE, resources.ICO_PATH,
             resources.ICNS_PATH, *resources.theme_icon_files()]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(", ".join(missing))
    return f"{len(files)} files"


def zoo_checks() -> Iterator[tuple[str, CheckFn]]:
    try:
        from cnnviz.core.zoo import list_specs

        specs = list_specs()
    except Exception as exc:  # noqa: BLE001 - becomes a failing check line
        yield "zoo: list the architectures", _raiser(exc)
        return
    for spec in specs:
        yield f"zoo: build and run {spec.name}", lambda spec=spec: check_zoo_model(spec)


def check_zoo_model(spec) -> str:
    """Build on the meta device (no weight memory, so VGG costs nothing) and run a forward
    pass there: every layer's shape arithmetic runs, no arithmetic on numbers does."""
    import torch

    with torch.device("meta"):
        model = spec.build()
    model.eval()
    with torch.no_grad():
        out = model(torch.empty(1, *spec.input_shape, device="meta"))
    out = out[0] if isinstance(out, tuple) else out
    if tuple(out.shape) != (1, spec.num_classes):
        raise AssertionError(f"output shape {tuple(out.shape)}, expected (1, {spec.num_classes})")
    params = sum(p.numel() for p in model.parameters())
    return f"{params / 1e6:.2f} M parameters, {spec.num_classes} classes"


def check_inspect() -> str:
    from cnnviz.core.inspect import compute_layout, default_collapsed, inspect_model

    report = inspect_model("resnet18")
    layout = compute_layout(report, frozenset(default_collapsed(report)))
    if report.totals.params != 11_689_512:  # torchvision's published count for ResNet-18
        raise AssertionError(f"counted {report.totals.params:,} parameters, expected 11,689,512")
    if not layout.nodes:
        raise AssertionError("the layout has no boxes")
    return f"{report.totals.params:,} parameters, {len(layout.nodes)} boxes laid out"


def check_training() -> str:
    import importlib

    try:
        engine = importlib.import_module("cnnviz.core.train.engine")
    except ModuleNotFoundError as exc:
        if exc.name == "cnnviz.core.train.engine":
            raise Skipped("the training engine is not part of this build") from None
        raise
    return _train_twins(engine)


def _train_twins(engine) -> str:
    """Two SGD steps of Plain-20 and ResNet-20 on a few generated images, through the real
    engine and run log; every step must give a finite loss and a gradient norm per layer."""
    import math

    from cnnviz.core.train.presets import get_preset
    from cnnviz.core.train.records import ModelStopped, RunFinished, RunStarted, StepRecord
    from cnnviz.core.train.runreader import is_run_folder

    config = get_preset("plain20-vs-resnet20").config(
        dataset="shapes", train_size=32, val_size=16, batch_size=8, steps=TRAIN_STEPS,
        device="cpu", validate=False,
    )
    records = list(engine.train(config, run_dir=Path(tempfile.gettempdir()) / "run"))
    started = next(r for r in records if isinstance(r, RunStarted))
    finished = records[-1]
    if not isinstance(finished, RunFinished) or finished.reason != "completed":
        raise AssertionError(f"the run ended with {finished}")
    stopped = [r.message for r in records if isinstance(r, ModelStopped)]
    if stopped:
        raise AssertionError("; ".join(stopped))
    steps = [r for r in records if isinstance(r, StepRecord)]
    layers = {m.name: len(m.layer_names) for m in started.models}
    for record in steps:
        if not math.isfinite(record.loss):
            raise AssertionError(f"{record.model} had loss {record.loss} at step {record.step}")
        if len(record.grad_norms) != layers[record.model] or not (record.grad_norms > 0).all():
            raise AssertionError(f"{record.model} is missing gradient norms at step {record.step}")
    if sorted({r.model for r in steps}) != sorted(layers) or steps[-1].step != TRAIN_STEPS:
        raise AssertionError(f"expected {TRAIN_STEPS} steps of {sorted(layers)}, "
                             f"got {len(steps)} step records")
    if not (finished.run_dir and is_run_folder(Path(finished.run_dir))):
        raise AssertionError("the run folder was not written")
    losses = ", ".join(f"{r.model} {r.loss:.2f}" for r in steps if r.step == TRAIN_STEPS)
    return f"{TRAIN_STEPS} steps each, final loss {losses}"


def augment_checks() -> Iterator[tuple[str, CheckFn]]:
    try:
        from cnnviz.core.augment import list_ops

        ops = list_ops()
    except Exception as exc:  # noqa: BLE001 - becomes a failing check line
        yield "augment: list the operations", _raiser(exc)
        return
    for op in ops:
        yield f"augment: {op.name}", lambda op=op: check_augment_op(op)


def _test_image():
    import numpy as np

    h, w = 96, 128
    y, x = np.mgrid[0:h, 0:w]
    checks = ((x // 16 + y // 16) % 2) * 180 + 40
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), checks], axis=-1).astype(np.uint8)


def check_augment_op(op) -> str:
    import numpy as np

    image = _test_image()
    result = op.run(image, op.default_settings(), np.random.default_rng(7))
    out = result.image
    if out.dtype != np.uint8 or out.ndim != 3 or out.shape[2] != 3 or 0 in out.shape:
        raise AssertionError(f"returned a {out.dtype} array of shape {out.shape}")
    if op.keeps_size and out.shape != image.shape:
        raise AssertionError(f"changed the size to {out.shape[1]}x{out.shape[0]}")
    return f"{image.shape[1]}x{image.shape[0]} -> {out.shape[1]}x{out.shape[0]}"


def ui_checks(shots: Path | None) -> Iterator[tuple[str, CheckFn]]:
    yield "Qt: application starts", _start_application
    yield "main window renders", lambda: _render("main window", _main_window, shots)
    try:
        from cnnviz.ui.workspaces import WORKSPACES
    except Exception as exc:  # noqa: BLE001 - the main window check above reports it too
        yield "workspaces: list them", _raiser(exc)
        return
    yield "files find their workspace", _route_files
    for entry in WORKSPACES:
        yield (f"workspace renders: {entry.title}",
               lambda entry=entry: _render(entry.title, lambda: _workspace(entry), shots))


def _start_application() -> str:
    from PySide6.QtGui import QGuiApplication

    try:
        from cnnviz.ui.app import make_application
    except ImportError:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(["cnnviz"])
    else:
        app = make_application()
    return f"platform {QGuiApplication.platformName()}, {app.applicationName()}"


def _main_window():
    from cnnviz.ui.main_window import MainWindow

    return MainWindow()


def _route_files() -> str:
    """A picture, a model file and a run folder each reach their workspace through the light
    accepts functions (imported by name, so a bundle that left one out fails here)."""
    from cnnviz.ui.workspaces import WORKSPACES, WorkspaceRegistry

    registry = WorkspaceRegistry()
    with tempfile.TemporaryDirectory(prefix="cnnviz-selftest-") as tmp:
        folder = Path(tmp)
        run = folder / "run"
        run.mkdir()
        (run / "run.json").write_text("{}")
        files = {"augment": folder / "photo.jpg", "arch": folder / "net.py", "train": run}
        files["augment"].write_bytes(b"")
        files["arch"].write_text("")
        for expected, path in files.items():
            owner = next((w.key for w in WORKSPACES if registry.accepts(w.key, path)), None)
            if owner != expected:
                raise AssertionError(f"{path.name} went to {owner}, not {expected}")
    return ", ".join(f"{p.name} -> {k}" for k, p in files.items())


def _workspace(entry):
    import importlib

    try:
        module = importlib.import_module(entry.module)
    except ModuleNotFoundError as exc:
        if exc.name and entry.module.startswith(exc.name):
            raise Skipped(f"{entry.module} is not part of this build") from None
        raise
    return getattr(module, entry.class_name)()


def _render(title: str, make, shots: Path | None) -> str:
    """Build a widget, draw it offscreen at a laptop's window size and check that something
    was drawn (more than one colour), then close it the way the main window would."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        raise RuntimeError("no QApplication: the Qt check above failed")
    widget = make()
    try:
        widget.resize(1280, 800)
        QApplication.processEvents()  # let work the widget deferred to the event loop start
        pixmap = widget.grab()
        if pixmap.isNull():
            raise AssertionError("drawing it gave an empty picture")
        small = pixmap.toImage().scaled(64, 40)
        colours = {small.pixel(x, y) for x in range(small.width()) for y in range(small.height())}
        if len(colours) < 2:
            raise AssertionError("it drew nothing but one colour")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            pixmap.save(str(shots / f"{title.lower().replace(' ', '-')}.png"))
    finally:
        stop = getattr(widget, "shutdown", None)
        if callable(stop):
            stop()
        widget.close()
        widget.deleteLater()
        QApplication.processEvents()
    return f"{pixmap.width()}x{pixmap.height()}, {len(colours)} colours"


def _raiser(exc: BaseException) -> CheckFn:
    def fail() -> str:
        raise exc

    return fail


def run_self_test(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """``cnnviz --self-test [--verbose] [--keep]``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="cnnviz --self-test",
                                     description="Check that this copy of cnnviz works.")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the traceback of each failed check")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (screenshots of the workspaces)")
    args = parser.parse_args(argv or [])
    out = out or sys.stdout or open(os.devnull, "w")  # noqa: SIM115 - windowed Windows builds
    folder = Path(tempfile.mkdtemp(prefix="cnnviz-selftest-"))
    started = time.perf_counter()
    saved_env, saved_tempdir = dict(os.environ), tempfile.tempdir
    try:
        isolate(folder)
        print(f"cnnviz self-test in {folder}", file=out, flush=True)
        results = run_checks(all_checks(folder / "shots" if args.keep else None), out,
                             verbose=args.verbose)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        tempfile.tempdir = saved_tempdir
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    counts = {s: sum(r.status == s for r in results) for s in ("PASS", "FAIL", "SKIP")}
    print(f"self-test: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} "
          f"skipped in {time.perf_counter() - started:.1f} s", file=out, flush=True)
    if args.keep:
        print(f"kept {folder}", file=out, flush=True)
    return 1 if counts["FAIL"] else 0
