"""The ``policytext`` command line.

Each subcommand lives in its own module in this package and exposes two functions:

``add_parser(subparsers)``
    registers the subcommand (its help text and options) and returns the parser;
``run(args) -> int``
    executes it and returns the exit status.

Subcommand modules are discovered automatically; heavy imports (pandas, backends) happen inside ``run`` so that
``policytext --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from ..errors import PolicyTextError

__all__ = ["main", "build_parser"]

_NOT_COMMANDS = {"files", "options"}


def _command_modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in _NOT_COMMANDS:
            continue
        yield importlib.import_module(f"{__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand registered."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="policytext",
        description="Text-as-data for Chinese government documents: load, structure, tokenize, tag, classify, "
        "compare and plot.",
    )
    parser.add_argument("--version", action="version", version=f"policytext {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        command_parser = module.add_parser(sub)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``policytext`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except PolicyTextError as exc:
        print(f"policytext {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `policytext tokenize f.txt | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
