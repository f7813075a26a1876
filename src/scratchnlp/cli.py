"""The ``scratchnlp`` command.

Each subcommand is a pair of functions registered in :data:`COMMANDS`: one adds its arguments to an
:mod:`argparse` subparser, one runs it and returns an exit status. Adding a command (e.g. ``generate``)
means writing that pair and adding one line to :data:`COMMANDS`.

Exit status, one convention for every command:

* 0 -- success;
* 1 -- a runtime failure: data unavailable, corrupt download or checkpoint, a book weight file that is refused,
  corrupt or modified, a file that cannot be written (disk full, permission denied, ``--out`` naming a file), an
  unknown query word, bad word vectors, out of memory, a GPU asked for (``SCRATCHNLP_DEVICE=gpu``) where CuPy or
  a CUDA device is missing;
* 2 -- a usage error, detected from the command line before any work: unknown command, flag, dataset or
  experiment name, a flag with a bad value (``--epochs 0``), ``--resume`` for an experiment that cannot resume,
  a folder given where a file is read or written (``convert-book-weights FOLDER``, ``-o FOLDER``, ``--model``
  or ``--vectors`` naming a folder, or a folder in ``--out`` where ``run`` writes its checkpoint, results or
  resume state);
* 130 -- interrupted by Ctrl-C; 143 -- terminated by SIGTERM (cleanup runs as on Ctrl-C: no partial files);
* 141 -- stdout was closed early (``scratchnlp experiments | head -1``): the command stops quietly, with the
  status a shell reports for a program killed by SIGPIPE.

Errors are one line on stderr, ``scratchnlp: error: ...``, never a traceback.
"""

from __future__ import annotations

import argparse
import os
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


def _not_a_folder(path: str, what: str, pattern: str) -> None:
    """A file argument that names a folder is a usage error (exit 2), found before any work; ``pattern`` is the
    kind of file expected (e.g. ``*.npz``), and the message lists the folder's files of that kind."""
    from pathlib import Path

    folder = Path(path)
    if folder.is_dir():
        found = sorted(p.name for p in folder.glob(pattern))[:5]
        hint = f" (it holds {', '.join(found)})" if found else ""
        example = folder / (found[0] if found else pattern.replace("*", "FILE"))
        raise UsageError(f"{what} {folder} is a folder{hint}; give the path of the file itself, e.g. {example}")


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


# ------------------------------------------------------------------------------------------------------
# run EXPERIMENT / experiments
# ------------------------------------------------------------------------------------------------------


def _add_progress_flags(parser: argparse.ArgumentParser) -> None:
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show a progress bar (default: only when stderr is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show a progress bar")


def _add_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("experiment", metavar="EXPERIMENT",
                        help="an experiment name (see 'scratchnlp experiments'), e.g. cbow-ptb")
    parser.add_argument("--fast", action="store_true",
                        help="the fast variant of the experiment (e.g. cbow-ptb -> cbow-ptb-fast)")
    parser.add_argument("--epochs", type=int, default=None, help="number of epochs (default: the book's)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", default="results", metavar="DIR",
                        help="folder for the checkpoint and the results file (default: ./results)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run from its state file in --out (resumable experiments only)")
    parser.add_argument("--snapshot", action="store_true",
                        help="train nothing: write the results of an interrupted run so far (its best epoch) from "
                             "its state file in --out, keeping the state to resume later (resumable experiments "
                             "only)")
    _add_progress_flags(parser)


def _check_run_outputs(out: str, name: str) -> None:
    """Refuse, before any work, an output path of the run that exists but is not a file (e.g. a folder)."""
    from pathlib import Path

    from .experiments.registry import EXPERIMENTS, RunContext

    folder = Path(out)
    paths = {"checkpoint": folder / f"{name}.npz", "results file": folder / f"{name}.json"}
    if EXPERIMENTS[name].resumable:
        paths["resume state file"] = RunContext(name=name, config={}, seed=0, progress=None, out_dir=folder).state_path
    for role, path in paths.items():
        if path.exists() and not path.is_file():
            kind = "a folder" if path.is_dir() else "not a regular file"
            raise UsageError(f"{path}, where the run keeps its {role}, is {kind}; remove it or choose another --out")


def _run_run(args: argparse.Namespace) -> int:
    from ._io import check_writable_dir
    from .experiments import EXPERIMENTS, experiment_name, run_experiment, summarize

    if args.epochs is not None and args.epochs < 1:
        raise UsageError(f"--epochs must be >= 1, got {args.epochs}")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    if args.experiment not in EXPERIMENTS:
        raise UsageError(f"unknown experiment {args.experiment!r}; choose from {', '.join(EXPERIMENTS)}")
    try:
        name = experiment_name(args.experiment, fast=args.fast)
    except ValueError as exc:  # no fast variant
        raise UsageError(str(exc)) from None
    for flag, wanted in (("resume", args.resume), ("snapshot", args.snapshot)):
        if wanted and not EXPERIMENTS[name].resumable:  # run_experiment would refuse it too, after set-up
            resumable = [n for n, e in EXPERIMENTS.items() if e.resumable]
            raise UsageError(f"experiment {name!r} cannot {flag} (--{flag}); resumable: "
                             f"{', '.join(resumable) or 'none'}")
    _check_run_outputs(args.out, name)
    check_writable_dir(args.out, what="--out folder")  # before training, not after
    results = run_experiment(name, out_dir=args.out, epochs=args.epochs, progress=args.progress, seed=args.seed,
                             resume=args.resume, snapshot=args.snapshot)
    print(summarize(results))
    for path in results["paths"].values():
        print(f"wrote {path}")
    return 0


def _add_experiments(parser: argparse.ArgumentParser) -> None:
    del parser  # no arguments


def _run_experiments(args: argparse.Namespace) -> int:
    from .experiments import list_experiments

    for experiment in list_experiments():
        print(f"{experiment.name:<22} (chapter {experiment.chapter}) {experiment.description}")
    return 0


# ------------------------------------------------------------------------------------------------------
# similar WORD
# ------------------------------------------------------------------------------------------------------


def _add_similar(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("words", nargs="+", metavar="WORD", help="query words")
    parser.add_argument("--vectors", required=True, metavar="FILE",
                        help="a checkpoint written by a word-vector experiment (e.g. results/cbow-ptb.npz)")
    parser.add_argument("--top", type=int, default=5, help="how many neighbours to show (default: 5)")


def _run_similar(args: argparse.Namespace) -> int:
    from .experiments import load_word_vectors
    from .text import most_similar

    if args.top < 1:
        raise UsageError(f"--top must be >= 1, got {args.top}")
    _not_a_folder(args.vectors, "--vectors", "*.npz")
    W, word_to_id, id_to_word = load_word_vectors(args.vectors)
    # every query is answered before anything is printed: an error (an unknown word, NaN vectors) is then the
    # only output
    answers = [(word, most_similar(word.lower(), word_to_id, id_to_word, W, top=args.top)) for word in args.words]
    for word, neighbours in answers:
        print(f"[query] {word}")
        for neighbour, score in neighbours:
            print(f"  {neighbour}: {score:.3f}")
    return 0


# ------------------------------------------------------------------------------------------------------
# convert-book-weights FILE.pkl -o FILE.npz
# ------------------------------------------------------------------------------------------------------


def _add_convert(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="FILE.pkl",
                        help="a weight file published with the book (e.g. Rnnlm.pkl; see 'download book-weights')")
    parser.add_argument("-o", "--output", metavar="FILE.npz", default=None,
                        help="the checkpoint to write (default: ./<name of FILE>.npz)")
    parser.add_argument("--allow-nonfinite", action="store_true",
                        help="convert arrays holding NaN or inf (refused by default)")
    parser.add_argument("--no-verify", action="store_true",
                        help="convert a file with the shapes of one of the book's published files without checking "
                        "that it is that file byte for byte (for weights you trained yourself with the book's code)")


def _run_convert(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._io import sha256_file
    from .checkpoint import load_book_params, save_params

    source = Path(args.source)
    _not_a_folder(args.source, "FILE.pkl", "*.pkl")
    output = Path(args.output) if args.output is not None else Path(source.with_suffix(".npz").name)
    if args.output is None and source.suffix == ".npz":
        raise UsageError(f"{source} already ends in .npz; name the output with -o")
    if output.is_dir():
        raise UsageError(f"-o {output} is a folder; name the .npz file to write, e.g. -o {output / source.stem}.npz")
    # validated first (and, unless --no-verify, checked against the published file it looks like): nothing is
    # written for a bad file
    arrays = load_book_params(source, expected_sha256=None if args.no_verify else "published")
    metadata = {"converted_from": source.name, "source_sha256": sha256_file(source),
                "format": "book BaseModel.save_params pickle (a list of arrays in the model's params order)"}
    save_params(output, arrays, metadata=metadata, allow_nonfinite=args.allow_nonfinite)
    dtypes = ", ".join(sorted({str(a.dtype) for a in arrays}))
    print(f"wrote {output} ({len(arrays)} arrays, {dtypes})")
    return 0


# ------------------------------------------------------------------------------------------------------
# generate --model FILE.npz --start WORD --length N
# ------------------------------------------------------------------------------------------------------

def _add_generate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="FILE.npz",
                        help="a language-model checkpoint (results/rnnlm-ptb.npz, results/better-rnnlm-ptb.npz, or "
                        "one converted from the book's Rnnlm.pkl)")
    parser.add_argument("--start", required=True, metavar="WORD", help="the first word of the text, e.g. you")
    parser.add_argument("--length", type=int, default=100, metavar="N",
                        help="number of words, the first included (default: 100, the book's)")
    parser.add_argument("--temperature", type=float, default=1.0, metavar="T",
                        help="below 1: more conservative, above 1: more varied, 0: always the likeliest word "
                        "(default: 1)")
    parser.add_argument("--top-k", type=int, default=None, metavar="K",
                        help="sample among the K likeliest words only (default: all)")
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help="random seed: the same seed gives the same text (default: a different text each time)")
    parser.add_argument("--skip", action="append", default=None, metavar="WORD",
                        help="a word never to generate; repeat for several (default: the book's N, <unk> and $; "
                        "--skip '' for none)")


def _run_generate(args: argparse.Namespace) -> int:
    import math

    from .models.generation import BOOK_SKIP_WORDS
    from .models.loading import load_language_model
    from .text import UnknownWordError

    if args.length < 1:
        raise UsageError(f"--length must be >= 1, got {args.length}")
    if not math.isfinite(args.temperature) or args.temperature < 0:
        raise UsageError(f"--temperature must be a finite number >= 0, got {args.temperature}")
    if args.top_k is not None and args.top_k < 1:
        raise UsageError(f"--top-k must be >= 1, got {args.top_k}")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    _not_a_folder(args.model, "--model", "*.npz")
    model, word_to_id, id_to_word = load_language_model(args.model)
    if args.start not in word_to_id:
        raise UnknownWordError(args.start, word_to_id, role="start word")
    if args.skip is None:
        skip_ids = [word_to_id[w] for w in BOOK_SKIP_WORDS if w in word_to_id]
    else:
        words = [w for w in args.skip if w]
        unknown = [w for w in words if w not in word_to_id]
        if unknown:
            raise UnknownWordError(unknown[0], word_to_id, role="--skip word")
        skip_ids = [word_to_id[w] for w in words]
    ids = model.generate(word_to_id[args.start], skip_ids, args.length, temperature=args.temperature,
                         top_k=args.top_k, seed=args.seed)
    text = " ".join(id_to_word[i] for i in ids).replace(" <eos>", ".\n")  # the book's formatting
    print(text.rstrip("\n"))
    return 0


COMMANDS: dict[str, Command] = {
    "download": Command(
        "download datasets into the cache folder ($SCRATCHNLP_DATA) and verify their checksums",
        _add_download,
        _run_download,
    ),
    "run": Command(
        "run one of the book's experiments by name, writing a checkpoint and a results file",
        _add_run,
        _run_run,
    ),
    "experiments": Command("list the experiments 'run' knows", _add_experiments, _run_experiments),
    "similar": Command(
        "nearest words by cosine similarity, from a word-vector checkpoint",
        _add_similar,
        _run_similar,
    ),
    "generate": Command(
        "generate text with a trained language model (chapter 7.1), from a start word",
        _add_generate,
        _run_generate,
    ),
    "convert-book-weights": Command(
        "convert a weight file published with the book (.pkl, read safely) into an .npz checkpoint",
        _add_convert,
        _run_convert,
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


def _describe(exc: BaseException) -> str:
    """One line for an error; an OSError names its file and drops the ``[Errno N]`` prefix."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename is None:
        text = exc.strerror  # our own messages (scratchnlp._io) already name the path
    elif isinstance(exc, OSError) and exc.strerror:
        names = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        text = f"{exc.strerror}: {names}" if names else exc.strerror
    elif isinstance(exc, MemoryError):
        text = f"out of memory{': ' + str(exc) if str(exc) else ''} (try a smaller setting or free memory)"
    elif isinstance(exc, KeyError) and not isinstance(exc, ValueError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _error(message: str) -> None:
    try:
        print(f"{PROG}: error: {message}", file=sys.stderr)
    except (OSError, ValueError):  # stderr closed too: nothing left to tell
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced by an object without a file descriptor
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``scratchnlp`` command with ``argv`` (default: ``sys.argv[1:]``) and return its exit status.

    Never raises and never prints a traceback: every error is one ``scratchnlp: error: ...`` line on stderr
    and an exit status (see the module docstring: 1 runtime failure, 2 usage error, 130/143 interrupted,
    141 stdout closed).
    """
    from ._io import Terminated, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():
            parser = build_parser()
            args = parser.parse_args(argv)
            if getattr(args, "run", None) is None:
                raise UsageError(f"a command is required: {', '.join(COMMANDS)} (see '{PROG} --help')")
            status = int(args.run(args))
            sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
            return status
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except UsageError as exc:
        _error(_one_line(exc))
        return 2
    except Terminated:
        _error("terminated (SIGTERM)")
        return 143
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except (CommandError, OSError, ValueError, ArithmeticError, MemoryError, KeyError) as exc:  # NaN: diverged
        _error(_describe(exc))
        return 1
    except Exception as exc:
        from ._checks import DeviceUnavailableError

        if isinstance(exc, DeviceUnavailableError):  # SCRATCHNLP_DEVICE=gpu without CuPy or a GPU
            _error(_one_line(exc))
            return 1
        _error(f"internal error: {type(exc).__name__}: {_one_line(exc)} (please report this)")  # a bug: report it
        return 1


if __name__ == "__main__":
    sys.exit(main())
