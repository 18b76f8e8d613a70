"""``cnnviz SUBCOMMAND ...`` runs headless; ``cnnviz [FILE...]`` opens the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in ("-h", "--help", "--version") or _is_subcommand(args[0])):
        from cnnviz.cli import main as cli_main

        return cli_main(args)
    from cnnviz.ui.app import run_gui

    return run_gui(args)


def _is_subcommand(word: str) -> bool:
    from cnnviz.cli import subcommand_names

    return word in subcommand_names()


if __name__ == "__main__":
    sys.exit(main())
