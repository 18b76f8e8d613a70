"""``cnnviz SUBCOMMAND ...`` runs headless; ``cnnviz [FILE...]`` opens the window.

Three options act on the installation rather than on files: ``--install-desktop`` and
``--uninstall-desktop`` add cnnviz to (or remove it from) the user's application menu, and
``--self-test`` checks that this copy of cnnviz works, headless, and exits non-zero if not.
"""

from __future__ import annotations

import sys

INSTALL_OPTIONS = ("--install-desktop", "--uninstall-desktop", "--self-test")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in INSTALL_OPTIONS:
        return _run_install_option(args[0], args[1:])
    if args and (args[0] in ("-h", "--help", "--version") or _is_subcommand(args[0])):
        from cnnviz.cli import main as cli_main

        return cli_main(args)
    if _forwarded_to_running_window(args):
        return 0
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


def _is_subcommand(word: str) -> bool:
    from cnnviz.cli import subcommand_names

    return word in subcommand_names()


if __name__ == "__main__":
    sys.exit(main())
