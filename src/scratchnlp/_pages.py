"""Helpers shared by the companion site's pages (``book/*.md``); not part of the library's API.

Every page starts with::

    from scratchnlp import _pages
    _pages.setup()

and takes the helpers it needs from here, so that no page defines a helper another page also needs:

- :func:`setup` makes figures render the same way whatever the caller's environment (``MPLBACKEND``);
- :func:`show_source` shows the library's own source of an object, always in the same form;
- :func:`markdown_table` and :func:`md_word` build captioned, labelled tables from computed values;
- :func:`best_time` times a function on a busy machine;
- :func:`repo_root`, :func:`results_dir`, :func:`load_committed` and :func:`committed_runs` find and read the
  results files committed under ``results/`` (through :func:`scratchnlp.experiments.load_results`);
- :func:`glue` is MyST-NB's ``glue`` during the site build, and a plain display when a page runs as a notebook
  elsewhere (Colab, Binder) without MyST-NB installed;
- the ``*_sentence`` functions and :func:`and_join` / :func:`times` assemble the sentences the pages glue into
  their prose from computed values; every branch of each is unit-tested, because a page shows only the branch
  its own numbers take.
"""

from __future__ import annotations

import inspect
import math
import textwrap
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from IPython.display import Markdown

T = TypeVar("T")

__all__ = [
    "setup",
    "glue",
    "show_source",
    "SOURCE_OPEN_MAX_LINES",
    "markdown_table",
    "md_word",
    "best_time",
    "repo_root",
    "results_dir",
    "load_committed",
    "committed_runs",
    "and_join",
    "times",
    "lowest_loss_sentence",
    "first_below_sentence",
    "tuned_rate_sentence",
    "crossover_sentence",
    "best_guess_sentence",
    "epochs_note",
    "analogy_halves_sentence",
    "shared_direction_sentence",
    "committed_runs_sentence",
]

#: Library listings up to this many lines are shown expanded; longer ones start collapsed.
SOURCE_OPEN_MAX_LINES = 40

#: The resolution figures are rendered at (pixels per inch), whatever Matplotlib's defaults are.
FIGURE_DPI = 110


# --------------------------------------------------------------------------------------------------------
# Page set-up
# --------------------------------------------------------------------------------------------------------


def setup() -> None:
    """Prepare a page's kernel: inline PNG figures, whatever ``MPLBACKEND`` says.

    An IPython kernel takes its Matplotlib backend from ``MPLBACKEND`` when that is set, so a build started
    with ``MPLBACKEND=Agg`` (as CI systems often export) would render every figure as the text
    ``<Figure size ...>`` and leave the figures glued into the prose undefined. This selects the inline
    backend explicitly, registers the PNG formatter for figures, and fixes the figure resolution, so the
    pages render the same figures in the site build, in Jupyter, in Colab and in Binder. Outside IPython
    (a plain ``python`` process) only the resolution is set.
    """
    import matplotlib  # noqa: PLC0415

    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:  # pragma: no cover - IPython is a dependency of the pages
        get_ipython = None  # noqa: N806
    shell = get_ipython() if get_ipython is not None else None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        # `%matplotlib inline` switches pyplot to matplotlib-inline even when MPLBACKEND named another backend
        shell.run_line_magic("matplotlib", "inline")
        from matplotlib_inline.backend_inline import set_matplotlib_formats  # noqa: PLC0415

        set_matplotlib_formats("png")
    matplotlib.rcParams["figure.dpi"] = FIGURE_DPI
    matplotlib.rcParams["savefig.dpi"] = "figure"


def _display_only(name: str, variable: Any, display: bool = True) -> None:
    """Stand-in for MyST-NB's ``glue`` where MyST-NB is not installed: show the value if asked to."""
    if display:
        from IPython.display import display as show  # noqa: PLC0415

        show(variable)


try:
    from myst_nb import glue as _myst_glue
except ImportError:  # a notebook run outside the site build (Colab, Binder) needs no glue
    _myst_glue = None


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Store ``variable`` under ``name`` for the page's ``{glue:...}`` roles (MyST-NB's ``glue``).

    Without MyST-NB (a page downloaded as a notebook and run in Colab, say) this only displays the value when
    ``display`` is true, so the page's code runs unchanged.
    """
    if _myst_glue is None:
        _display_only(name, variable, display)
    else:
        _myst_glue(name, variable, display=display)


# --------------------------------------------------------------------------------------------------------
# Library source and tables
# --------------------------------------------------------------------------------------------------------


def _qualified_name(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{name}" if module else name


def show_source(obj: Any, *, title: str | None = None) -> Markdown:
    """The installed library's source of ``obj``, as a listing the page renders in a dropdown.

    This is the one way the pages show library code (never a copy typed into the page): the listing is read
    with :func:`inspect.getsource` when the page executes, dedented (methods are indented in their class), and
    put in a dropdown titled with the object's full name. Listings of at most :data:`SOURCE_OPEN_MAX_LINES`
    lines start open; longer ones start collapsed, so that a 60-line training loop does not bury the prose.

    Parameters
    ----------
    obj : module, class, method or function
        What to show.
    title : str, optional
        The dropdown's title (default: ``Source: `module.Name```).

    Returns
    -------
    IPython.display.Markdown
        MyST Markdown; the site build renders it as a dropdown with a highlighted Python listing.
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(f"show_source needs a module, class, method or function with source, got {obj!r}") from exc
    source = textwrap.dedent(source).rstrip("\n") + "\n"
    n_lines = source.count("\n")
    heading = title if title is not None else f"Source: `{_qualified_name(obj)}` ({n_lines} lines)"
    opened = ":open:\n" if n_lines <= SOURCE_OPEN_MAX_LINES else ""
    fence = "````"
    while fence in source:
        fence += "`"
    return Markdown(
        f"::::{{dropdown}} {heading}\n{opened}:class-container: library-source\n\n"
        f"{fence}python\n{source}{fence}\n::::"
    )


_MARKDOWN_SPECIAL = set("<>$*_|`\\[]")


def md_word(word: str) -> str:
    """A corpus word for a Markdown table or sentence: in code style when Markdown would interpret it
    (``<unk>``, ``$``, ``*``, ...), as it is otherwise."""
    word = str(word)
    if any(ch in _MARKDOWN_SPECIAL for ch in word):
        return f"`{word}`" if "`" not in word else f"`` {word} ``"
    return word


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    caption: str,
    name: str,
    *,
    align: str | None = None,
) -> Markdown:
    """A captioned, labelled MyST table built from computed rows (numbered per chapter, referable by ``name``).

    Parameters
    ----------
    header : sequence of str
        The column titles.
    rows : iterable of sequences
        One sequence of cells per row, as many cells as ``header``; each cell is written with ``str``, and a
        ``|`` inside a cell is escaped.
    caption : str
        The table's caption (Markdown).
    name : str
        The label, e.g. ``"tbl-ch2-car-partners"``, for ``{numref}`` references.
    align : str, optional
        One letter per column, ``l``, ``r`` or ``c`` (default: all left-aligned).

    Returns
    -------
    IPython.display.Markdown
        A ``{table}`` directive, rendered by the site build (display it, or make it a cell's last value).
    """
    header = [str(h) for h in header]
    if not header:
        raise ValueError("a table needs at least one column")
    align = align or "l" * len(header)
    if len(align) != len(header) or set(align) - set("lrc"):
        raise ValueError(f"align needs one of l, r, c per column ({len(header)}), got {align!r}")
    rule = {"l": ":---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(rule[a] for a in align) + " |"]
    for k, row in enumerate(rows):
        cells = [_cell(c) for c in row]
        if len(cells) != len(header):
            raise ValueError(f"row {k} has {len(cells)} cells, the header {len(header)}")
        lines.append("| " + " | ".join(cells) + " |")
    if "\n" in caption.strip():
        raise ValueError("the caption must be a single line")
    return Markdown(f"```{{table}} {caption.strip()}\n:name: {name}\n\n" + "\n".join(lines) + "\n```")


# --------------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------------


def best_time(fn: Callable[[], T], repeat: int = 3) -> tuple[T, float]:
    """Call ``fn()`` ``repeat`` times; return its last result and the fastest wall time, in seconds.

    The fastest of a few runs filters out most of the disturbance from other programs on a shared machine.
    """
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be an int >= 1, got {repeat!r}")
    best = math.inf
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


# --------------------------------------------------------------------------------------------------------
# Committed results
# --------------------------------------------------------------------------------------------------------


def _is_repo_root(folder: Path) -> bool:
    return (folder / "pyproject.toml").is_file() and (folder / "src" / "scratchnlp").is_dir()


def repo_root(start: str | Path | None = None) -> Path | None:
    """The repository's root folder, or None when the page runs outside a checkout (e.g. in Colab).

    Looks at ``start`` (default: the working folder; the build runs pages in ``book/``) and its parents, then at
    the folders above the installed package (an editable install lives in the repository).
    """
    import scratchnlp  # noqa: PLC0415

    starts = [Path(start)] if start is not None else [Path.cwd(), Path(scratchnlp.__file__).parent]
    for first in starts:
        first = first.resolve()
        for folder in [first, *first.parents]:
            if _is_repo_root(folder):
                return folder
    return None


def results_dir(root: str | Path | None = None) -> Path:
    """The folder of the committed results files, ``<repository>/results``.

    Raises
    ------
    FileNotFoundError
        When no repository (or no results folder in it) can be found: the committed results are read from a
        checkout, so a notebook run elsewhere must clone the repository first.
    """
    base = Path(root) if root is not None else repo_root()
    if base is None:
        raise FileNotFoundError(
            "the committed results are read from the repository's results/ folder, and this page is not running "
            "inside a checkout of the repository: clone it and run the page from there"
        )
    folder = base / "results"
    if not folder.is_dir():
        raise FileNotFoundError(f"no results folder at {folder}")
    return folder


def load_committed(name: str, folder: str | Path | None = None) -> dict[str, Any]:
    """The committed results of experiment ``name``: ``results/<name>.json``, parsed and validated by
    :func:`scratchnlp.experiments.load_results`."""
    from scratchnlp import experiments  # noqa: PLC0415

    folder = Path(folder) if folder is not None else results_dir()
    return experiments.load_results(name, folder)


def committed_runs(names: Sequence[str], folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The committed results of those of ``names`` that have a results file, in the order given."""
    folder = Path(folder) if folder is not None else results_dir()
    return {name: load_committed(name, folder) for name in names if (folder / f"{name}.json").is_file()}


# --------------------------------------------------------------------------------------------------------
# Sentences assembled from computed values
# --------------------------------------------------------------------------------------------------------


def and_join(items: Iterable[Any], conjunction: str = "and") -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``: the items written with ``str``."""
    words = [str(x) for x in items]
    if not words:
        raise ValueError("nothing to join")
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def times(n: int) -> str:
    """How often something happened: ``"once"``, ``"twice"``, ``"3 times"``, ``"1,200 times"``."""
    if n < 0:
        raise ValueError(f"a count cannot be negative, got {n}")
    return {1: "once", 2: "twice"}.get(int(n), f"{int(n):,} times")


def lowest_loss_sentence(final_loss: Mapping[str, float], reference: str = "SGD") -> str:
    """Which optimizer ends with the lowest loss, compared with ``reference`` (chapter 1's comparison).

    Parameters
    ----------
    final_loss : mapping of optimizer name to its final loss
        Must contain ``reference`` and at least one other optimizer.
    reference : str
        The optimizer the others are measured against.
    """
    if reference not in final_loss or len(final_loss) < 2:
        raise ValueError(f"need {reference!r} and at least one other optimizer, got {sorted(final_loss)}")
    ranked = sorted(final_loss, key=final_loss.__getitem__)
    best = ranked[0]
    if best == reference:
        runner_up = ranked[1]
        return (f"The lowest final loss, {final_loss[best]:.3f}, comes from tuned {reference} itself; the next "
                f"lowest, {final_loss[runner_up]:.3f}, from {runner_up}.")
    return (f"The lowest final loss, {final_loss[best]:.3f}, comes from {best}, against "
            f"{final_loss[reference]:.3f} for tuned {reference}.")


def first_below_sentence(first_below: Mapping[str, int | None], threshold: float, reference: str = "SGD") -> str:
    """Which optimizer first brings the loss below ``threshold``, and when ``reference`` does.

    ``first_below`` maps each optimizer to the first iteration at which its recorded loss was below the
    threshold, or None if it never was.
    """
    if reference not in first_below:
        raise ValueError(f"need {reference!r} among the optimizers, got {sorted(first_below)}")
    reached = {name: it for name, it in first_below.items() if it is not None}
    if not reached:
        return f"None of them brings the recorded loss below {threshold:g}."
    fastest = min(reached, key=reached.__getitem__)
    head = f"The first to bring the loss below {threshold:g} is {fastest}, after {reached[fastest]:,} iterations"
    if fastest == reference:
        return head + "."
    if reference not in reached:
        return head + f"; {reference} never gets there."
    return head + f", where {reference} needs {reached[reference]:,}."


def tuned_rate_sentence(best_lr: float, book_lr: float, name: str = "SGD") -> str:
    """Whether the grid search agrees with the book's learning rate."""
    if math.isclose(best_lr, book_lr):
        return f"The book's {name} learning rate, {book_lr:g}, is also the best of the grid here."
    return (f"Tuning helps {name} too: the best rate in the grid is {best_lr:g}, not the book's {book_lr:g}, "
            "for this network and seed.")


def crossover_sentence(sizes: Sequence[int], faster: Sequence[bool], method: str, other: str) -> str:
    """From which measured size on ``method`` was faster than ``other`` at every larger size too.

    ``faster[k]`` says whether ``method`` was faster at ``sizes[k]`` (sizes in increasing order).
    """
    if len(sizes) != len(faster) or not sizes:
        raise ValueError("need one flag per size, and at least one size")
    first = next((k for k in range(len(sizes)) if all(faster[k:])), None)
    if first == 0:
        return f"The {method} was the faster of the two at every size measured."
    if first is None:
        return f"On the largest size measured, the {other} was still not slower than the {method}."
    return (f"On the smallest sizes the {other} is still the faster one; the {method} was faster from "
            f"{sizes[first]:,} words on.")


def best_guess_sentence(n_right: int, n_rows: int) -> str:
    """How many of the unambiguous rows of chapter 3's prediction table put the right word first (no full stop:
    the page continues the sentence)."""
    if not 0 <= n_right <= n_rows:
        raise ValueError(f"need 0 <= n_right <= n_rows, got {n_right} and {n_rows}")
    if n_right == n_rows:
        return f"In each of the {n_rows} other rows the right word gets the largest probability"
    return f"In the other rows the right word gets the largest probability in {n_right} of {n_rows}"


def epochs_note(build_epochs: int, full_epochs: int) -> str:
    """Whether a build-time run is the full experiment or a shortened one."""
    if build_epochs == full_epochs:
        return "the full length of the experiment"
    if build_epochs > full_epochs:
        return f"more than the {full_epochs} of the full experiment"
    return f"fewer than the {full_epochs} of the full experiment, to fit the page's time budget"


def analogy_halves_sentence(semantic_accuracy: float | None, syntactic_accuracy: float | None) -> str:
    """Compare the semantic and syntactic halves of the analogy test (None: no question could be asked)."""
    if semantic_accuracy is None and syntactic_accuracy is None:
        return "Neither half of the test has a question whose words are all in the vocabulary."
    if semantic_accuracy is None:
        return "None of the semantic questions can be asked: their words are missing from PTB's vocabulary."
    if syntactic_accuracy is None:
        return "None of the syntactic questions can be asked: their words are missing from PTB's vocabulary."
    if syntactic_accuracy > semantic_accuracy:
        return ("The syntactic questions, about word forms that a news corpus uses all the time, fare better than "
                "the semantic ones.")
    return ("The semantic questions that can be asked at all fare no worse than the syntactic ones here, but they "
            "are few: most semantic questions name cities and countries that PTB's vocabulary lacks.")


def shared_direction_sentence(related: float, unrelated: float, margin: float = 0.1) -> str:
    """Whether difference vectors of one relation share a direction, judged against unrelated differences."""
    if related > unrelated + margin:
        return "They are far from exactly parallel, but they share a direction."
    return "Trained on this little text, they hardly share a direction."


def _train_s(run: Mapping[str, Any]) -> float:
    return float(run["wall_time"]["train_s"])


def committed_runs_sentence(committed: Mapping[str, Mapping[str, Any]], build_run: Mapping[str, Any]) -> str:
    """Chapter 4's comparison of the committed full runs, and of the build-time run with the committed one.

    Parameters
    ----------
    committed : mapping of experiment name to its results
        The committed results files found (any of ``cbow-ptb``, ``cbow-ptb-fast``, ``skipgram-ptb``,
        ``skipgram-ptb-fast``).
    build_run : mapping
        The results of the ``cbow-ptb-fast`` run made when the page was built.
    """
    parts = []
    if "cbow-ptb" in committed and "cbow-ptb-fast" in committed:
        book, fast = committed["cbow-ptb"], committed["cbow-ptb-fast"]
        acc_b = book["evaluation"]["analogy"]["accuracy"]
        acc_f = fast["evaluation"]["analogy"]["accuracy"]
        parts.append(
            f"In the committed runs, the book's algorithm (`cbow-ptb`) took {_train_s(book):,.0f} s for "
            f"{book['config']['epochs']} epochs and the fast variant (`cbow-ptb-fast`) {_train_s(fast):,.0f} s, "
            f"{_train_s(book) / _train_s(fast):.1f} times less, for an analogy accuracy of {100 * acc_b:.2f}% "
            f"against {100 * acc_f:.2f}%."
        )
    if "skipgram-ptb" in committed and "skipgram-ptb-fast" in committed:
        book, fast = committed["skipgram-ptb"], committed["skipgram-ptb-fast"]
        parts.append(
            f"For skip-gram the two took {_train_s(book):,.0f} s and {_train_s(fast):,.0f} s "
            f"({_train_s(book) / _train_s(fast):.1f} times less)."
        )
    if "cbow-ptb-fast" in committed:
        fast = committed["cbow-ptb-fast"]
        same_settings = fast["config"]["epochs"] == build_run["config"]["epochs"]
        same_numbers = (
            fast["evaluation"]["analogy"]["correct"] == build_run["evaluation"]["analogy"]["correct"]
            and abs(fast["history"]["epoch_loss"][-1] - build_run["history"]["epoch_loss"][-1]) < 1e-9
        )
        if same_settings and same_numbers:
            parts.append(
                "The build-time run repeats the committed `cbow-ptb-fast` run with the same settings and seed, and "
                "reproduces its loss and its analogy score exactly; only the training time differs."
            )
        elif same_settings:
            parts.append(
                "The build-time run uses the same settings and seed as the committed `cbow-ptb-fast` run, but its "
                "numbers differ from the committed ones: that run was made on another machine, with other library "
                "versions, or both, and floating-point sums evaluated in another order give slightly different "
                "results."
            )
        else:
            parts.append(
                f"The committed `cbow-ptb-fast` run trained for {fast['config']['epochs']} epochs, the build-time "
                f"run for {build_run['config']['epochs']}, so their numbers differ."
            )
    if not parts:
        parts.append("No committed results file was found when this page was built, so the table shows only the "
                     "build-time run.")
    return " ".join(parts)
