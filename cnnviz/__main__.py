"""``cnnviz SUBCOMMAND ...`` runs headless; ``cnnviz [FILE...]`` opens the window.

Three options act on the installation rather than on files: ``--install-desktop`` and
``--uninstall-desktop`` add cnnviz to (or remove it from) the user's application menu, and
``--self-test`` checks that this copy of cnnviz works, headless, and exits non-zero if not.

A first argument that is neither a command nor an existing path and has no file suffix is
taken as a mistyped command (exit 2 with a suggestion), and on Linux without a display the
window is not attempted (exit 2 with one sentence instead of Qt's abort).
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

INSTALL_OPTIONS = ("--install-desktop", "--uninstall-desktop", "--self-test")
EXIT_USAGE = 2

# Words students guess for a command, and the command that does it.
GUESSED_COMMANDS = {
    "inspect": "summary", "show": "summary", "info": "summary", "describe": "summary",
    "layers": "summary", "params": "summary", "export": "graph", "draw": "graph",
    "plot": "graph", "ls": "list", "models": "list", "zoo": "list", "features": "activations",
    "feature-maps": "activations", "fit": "train",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in INSTALL_OPTIONS:
        return _run_install_option(args[0], args[1:])
    if args and (args[0] in ("-h", "--help", "--version") or _is_subcommand(args[0])):
        from cnnviz.cli import main as cli_main

        return cli_main(args)
    if args and _looks_like_a_command(args[0]):
        print(_no_such_command(args[0]), file=sys.stderr)
        return EXIT_USAGE
    if _forwarded_to_running_window(args):
        return 0
    problem = _no_display()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    from cnnviz.ui.app import run_gui

    return run_gui(args)


def _run_install_option(option: str, rest: list[str]) -> int:
    if option == "--self-test":
        from cnnviz.selftest import run_self_test

        return run_self_test(rest)
    if rest:
        print(f"cnnviz: {option} takes no further arguments.", file=sys.stderr)
        return 2
    from cnnviz import desktop

    return desktop.run_install() if option == "--install-desktop" else desktop.run_uninstall()


def _forwarded_to_running_window(args: list[str]) -> bool:
    """Hand file arguments to an open cnnviz window before paying for torch and the GUI.

    Only plain file arguments are forwarded; anything that looks like an option is left for
    ``run_gui`` to handle (it repeats the check, with the lock, once Qt is up).
    """
    if any(a.startswith("-") for a in args):
        return False
    try:
        from cnnviz.ui.single_instance import forward_to_running
    except ImportError:  # Qt missing: run_gui reports that properly
        return False
    return forward_to_running(args)


def _looks_like_a_command(word: str) -> bool:
    """A word that cannot be a file to open: no suffix, not an option, nothing by that name."""
    return (not word.startswith("-") and not Path(word).suffix and "/" not in word
            and os.sep not in word and not Path(word).expanduser().exists())


def _no_such_command(word: str) -> str:
    from cnnviz.cli import subcommand_names

    names = sorted(subcommand_names())
    guess = GUESSED_COMMANDS.get(word.lower())
    close = [guess] if guess in names else difflib.get_close_matches(word.lower(), names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"cnnviz: there is no command '{word}'{hint}; cnnviz --help lists them."


def _no_display() -> str | None:
    """One sentence when Linux has no display for the window (Qt would abort), else None."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("cnnviz: there is no display to open the window on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set); the commands work without one, see cnnviz --help.")


def _is_subcommand(word: str) -> bool:
    from cnnviz.cli import subcommand_names

    return word in subcommand_names()


if __name__ == "__main__":
    sys.exit(main())
