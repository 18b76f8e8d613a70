"""The headless command line: ``cnnviz SUBCOMMAND ...``.

Each subcommand lives in its own module that defines ``register(subparsers)``; the parser it
adds sets ``func(args) -> int``.  :func:`main` runs any of them in-process and turns a
:class:`~cnnviz.core.errors.CnnvizError` into one sentence on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from cnnviz import __version__
from cnnviz.core.errors import CnnvizError

# Modules under cnnviz.cli that contribute subcommands, in the order `--help` lists them.
COMMAND_MODULES = ("arch", "augment", "train", "activations")

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage then exits 2; keep that
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"cnnviz: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cnnviz", description="See inside the classic convolutional networks.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Without a command, cnnviz opens its window (with any images, model files\n"
               "(.py, .pt, .pth, .ts) or run folders given). Also: cnnviz --install-desktop |\n"
               "--uninstall-desktop adds or removes the application-menu entry; cnnviz\n"
               "--self-test checks this copy headless.")
    parser.add_argument("--version", action="version", version=f"cnnviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"cnnviz.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"cnnviz.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except CnnvizError as exc:
        print(f"cnnviz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # whoever read the output stopped early (`cnnviz ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error
        return 0
    except OSError as exc:  # a file or folder the command could not read or write
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"cnnviz: {exc.strerror or exc}{where}.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cnnviz: interrupted.", file=sys.stderr)
        return 130


def subcommand_names() -> set[str]:
    """The names ``cnnviz`` treats as subcommands (cheap: command modules import lazily)."""
    parser = build_parser()
    for action in parser._subparsers._group_actions:  # noqa: SLF001 - argparse has no public API
        return set(action.choices)
    return set()
