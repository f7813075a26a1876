"""The ``scratchnlp`` command.

Each subcommand is a pair of functions registered in :data:`COMMANDS`: one adds its arguments to an
:mod:`argparse` subparser, one runs it and returns an exit status. Adding a command (``run EXPERIMENT``,
``similar``, ``generate``) means writing that pair and adding one line to :data:`COMMANDS`.

Exit status: 0 on success, 1 when the command failed (data unavailable, corrupt download, ...), 2 for a
usage error. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["main", "build_parser", "COMMANDS"]

PROG = "scratchnlp"


class UsageError(Exception):
    """Bad command-line usage: reported on one line, exit status 2."""


class CommandError(Exception):
    """The command could not do its job: reported on one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports errors by raising instead of printing the usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


@dataclass(frozen=True)
class Command:
    """A subcommand: its one-line help, how to add its arguments, and how to run it."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------------------------------------------
# download
# ------------------------------------------------------------------------------------------------------


def _add_download(parser: argparse.ArgumentParser) -> None:
    from .datasets.downloader import REGISTRY

    parser.add_argument(
        "names",
        nargs="+",
        metavar="NAME",
        help=f"datasets to download: {', '.join(REGISTRY)}, or 'all'",
    )
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="always show progress bars (default: only when stderr is a terminal)",
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress bars")


def _run_download(args: argparse.Namespace) -> int:
    from .datasets.downloader import REGISTRY, cache_dir, download

    names = list(REGISTRY) if "all" in args.names else list(dict.fromkeys(args.names))
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise UsageError(f"unknown dataset {unknown[0]!r}; choose from {', '.join(REGISTRY)} or 'all'")
    for name in names:
        for path in download(name, progress=args.progress):
            print(path)
    print(f"cache folder: {cache_dir()}", file=sys.stderr)
    return 0


COMMANDS: dict[str, Command] = {
    "download": Command(
        "download datasets into the cache folder ($SCRATCHNLP_DATA) and verify their checksums",
        _add_download,
        _run_download,
    ),
}


# ------------------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scratchnlp")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS`."""
    parser = _Parser(prog=PROG, description="Deep Learning from Scratch 2 in NumPy: data, experiments, tools.")
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, command in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=command.help, description=command.help)
        command.add_arguments(sub_parser)
        sub_parser.set_defaults(run=command.run)
    return parser


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``scratchnlp`` command with ``argv`` (default: ``sys.argv[1:]``) and return its exit status."""
    from .datasets.downloader import ChecksumError, DatasetUnavailableError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "run", None) is None:
            raise UsageError(f"a command is required: {', '.join(COMMANDS)} (see '{PROG} --help')")
        return int(args.run(args))
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (CommandError, DatasetUnavailableError, ChecksumError, OSError, ValueError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
