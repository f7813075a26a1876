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
import re
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
    backend explicitly, registers the PNG formatter for figures (which records each figure's smallest text, see
    :mod:`scratchnlp._site.figures`), and fixes the figure resolution and type size, so the
    pages render the same figures in the site build, in Jupyter, in Colab and in Binder. Outside IPython
    (a plain ``python`` process) only the resolution and type size are set.
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
        from matplotlib.figure import Figure  # noqa: PLC0415

        from scratchnlp._site.figures import png_with_text_size  # noqa: PLC0415

        # the same PNG, carrying the height of the figure's smallest text for the site's phone check
        shell.display_formatter.formatters["image/png"].for_type(Figure, png_with_text_size)
    from scratchnlp._site.figures import RC_PARAMS, use_fonts_for  # noqa: PLC0415
    from scratchnlp._site.wording import page_language  # noqa: PLC0415

    matplotlib.rcParams.update(RC_PARAMS)
    use_fonts_for(page_language())
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


#: The title of a library listing, per language (the Korean edition executes the pages with SCRATCHNLP_LANG=ko).
_SOURCE_HEADING = {"en": {"source": "Source: `{name}` ({n} lines)"}, "ko": {"source": "소스: `{name}` ({n}줄)"}}


def _source_heading(name: str, n_lines: int) -> str:
    from scratchnlp._site.wording import say  # noqa: PLC0415

    return say(_SOURCE_HEADING, "source", name=name, n=n_lines)


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
    heading = title if title is not None else _source_heading(_qualified_name(obj), n_lines)
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
    if "`" in caption:  # a fence's first line cannot hold a backtick: the table would silently become a paragraph
        raise ValueError(f"the caption cannot contain backticks (write code names in plain text): {caption!r}")
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


# --------------------------------------------------------------------------------------------------------
# Chapter 5: recurrent neural networks
# --------------------------------------------------------------------------------------------------------

__all__ += ["unread_tail_sentence", "book_perplexity_sentence"]


def unread_tail_sentence(segment: int, iterations: int, time_size: int) -> str:
    """What one epoch of truncated-BPTT mini-batches leaves unread of each stream's segment (chapter 5.2.5).

    Parameters
    ----------
    segment : int
        The words between two streams' starting points (``len(xs) // batch_size``).
    iterations : int
        The iterations of one epoch (``len(xs) // (batch_size * time_size)``).
    time_size : int
        The words each stream reads per iteration.
    """
    read = iterations * time_size
    if segment < 1 or iterations < 1 or time_size < 1 or read > segment:
        raise ValueError(f"need 1 <= iterations * time_size <= segment, got {iterations} x {time_size} and {segment}")
    if read == segment:
        return (f"One epoch's {iterations} iterations of {time_size} words read each stream's segment of "
                f"{segment:,} words to its end, so the next epoch continues each stream in its neighbour's segment.")
    left = segment - read
    last = "the last word of every segment stays" if left == 1 else f"the last {left} words of every segment stay"
    return (f"Each stream's segment is {segment:,} words long, but one epoch's {iterations} iterations of "
            f"{time_size} words read {read:,} of them: {last} unread in the first epoch. They are not lost: the "
            "next epoch goes on where each stream stopped, and starts with them.")


def book_perplexity_sentence(ours: float, book: float, rel_tol: float = 0.3) -> str:
    """How the perplexity reached on the page compares with the one the book reports (chapter 5.5.3).

    ``ours`` and ``book`` count as close when they differ by at most ``rel_tol`` of the book's value. The
    sentence does not repeat either number (the page glues them).
    """
    if not (math.isfinite(ours) and ours >= 1.0 and book >= 1.0 and rel_tol >= 0):
        raise ValueError(f"perplexities are finite and >= 1, got {ours} and {book}")
    if abs(ours - book) <= rel_tol * book:
        return "That is close to the book's figure: the same model and settings learn the same thing here."
    if ours < book:
        return ("That is lower than the book's figure; with a different random initialisation and this little "
                "data, the run memorises the text faster, which says more about the seed than about the model.")
    return ("That is higher than the book's figure; with a different random initialisation and this little data, "
            "the run memorises the text more slowly, and more epochs would bring it down further.")


__all__ += ["fixed_weights_sentence"]


def fixed_weights_sentence(training: float, fixed: float, rel_tol: float = 0.1) -> str:
    """Compare the last epoch's training perplexity with the fixed final weights' (chapter 5.5.3).

    ``training`` is the mean over the last epoch, scored while the weights changed at every step; ``fixed`` is
    :func:`scratchnlp.training.eval_perplexity` of the final weights, every stream starting from a zero state.
    """
    if not (math.isfinite(training) and math.isfinite(fixed) and training >= 1.0 and fixed >= 1.0):
        raise ValueError(f"perplexities are finite and >= 1, got {training} and {fixed}")
    if abs(fixed - training) <= rel_tol * training:
        return "The two agree closely: by the end of training, the weights hardly change from one step to the next."
    if fixed > training:
        return ("The fixed weights score worse than the training curve suggests. Two things favour the curve: each "
                "of its batches was scored by weights that had just been trained on the text right before it, and "
                "its streams always carried a state, where the evaluation starts every stream from zeros, with no "
                "history to go on.")
    return ("The fixed weights score better than the training curve: the curve averages over the whole last epoch, "
            "during which the weights were still improving.")


# --------------------------------------------------------------------------------------------------------
# Chapter 7: generating text, and seq2seq learning to add
# --------------------------------------------------------------------------------------------------------

__all__ += ["md_text", "repetition_sentence", "book_accuracy_sentence", "build_seq2seq_sentence"]


def md_text(text: str) -> str:
    """Generated text for a Markdown sentence or table: every character Markdown would interpret (``<unk>``,
    ``$``, ``*``, ``_``, ...) escaped with a backslash, so the text reads exactly as generated."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


def repetition_sentence(sentences: Sequence[str], setting: str) -> str:
    """Whether a generated text repeats one of its sentences word for word (chapter 7.1).

    Parameters
    ----------
    sentences : sequence of str
        The text cut into sentences (empty ones are ignored); the last may be unfinished.
    setting : str
        How the text was made, as the sentence names it, e.g. ``"temperature 0"``.
    """
    counts: dict[str, int] = {}
    for sentence in sentences:
        key = " ".join(str(sentence).split())
        if key:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        raise ValueError("no sentence to look at: the text is empty")
    most = max(counts.values())
    if most < 2:
        return f"At {setting}, no sentence of the text occurs twice."
    repeated = next(s for s, n in counts.items() if n == most)  # the first to reach the count, in text order
    return (f"At {setting}, the text goes round in a loop: the sentence \u201c{md_text(repeated)}\u201d occurs "
            f"{times(most)}.")


def book_accuracy_sentence(ours: float | None, book: float, *, experiment: str, epochs: int,
                           close: float = 0.05) -> str:
    """How a committed seq2seq run's final test accuracy compares with the one the book reports (chapter 7.4).

    Parameters
    ----------
    ours : float or None
        The committed run's test accuracy after its last epoch, a fraction; None when its results file is
        missing.
    book : float
        The book's figure, a fraction.
    experiment : str
        The experiment's name (its results file is ``results/<experiment>.json``).
    epochs : int
        The committed run's epochs.
    close : float, default 0.05
        Accuracies closer than this (5 points of percentage) count as the same result.
    """
    if not 0 <= book <= 1 or (ours is not None and not 0 <= ours <= 1):
        raise ValueError(f"accuracies are fractions in [0, 1], got {ours} and {book}")
    if ours is None:
        return (f"No results file of `{experiment}` was found when this page was built, so only the book's figure, "
                f"about {100 * book:.0f}%, can be given here.")
    head = f"The committed run of `{experiment}` ends at {100 * ours:.1f}% after {epochs} epochs"
    if abs(ours - book) <= close:
        return head + f", close to the book's {100 * book:.0f}% or so."
    if ours > book:
        return head + f", above the book's {100 * book:.0f}% or so; runs this short still depend a lot on the seed."
    return head + f", below the book's {100 * book:.0f}% or so; runs this short still depend a lot on the seed."


def build_seq2seq_sentence(accuracy: float, questions_seen: int, full_curve: Sequence[float] | None,
                           full_train: int, close: float = 0.02) -> str:
    """Compare a short build-time seq2seq run with the committed full run after as many training questions.

    Parameters
    ----------
    accuracy : float
        The build-time run's test accuracy at its end, a fraction.
    questions_seen : int
        Training questions the build-time run went through (epochs times its training questions).
    full_curve : sequence of float or None
        The committed run's test accuracy after each epoch (None: no results file).
    full_train : int
        The committed run's training questions per epoch.
    close : float, default 0.02
        Accuracies closer than this count as the same.
    """
    if questions_seen < 1 or full_train < 1 or not 0 <= accuracy <= 1:
        raise ValueError(f"need questions_seen, full_train >= 1 and an accuracy in [0, 1], got {questions_seen}, "
                         f"{full_train} and {accuracy}")
    if not full_curve:
        return "No results file of the full run was found when this page was built, so there is nothing to compare."
    whole = questions_seen // full_train  # full epochs with no more questions than the build-time run saw
    if whole == 0:
        return (f"That is less than one epoch of the full run, which is first tested after its first epoch, at "
                f"{100 * full_curve[0]:.1f}%.")
    if whole > len(full_curve):
        return (f"That is more questions than the full run saw in its {len(full_curve)} epochs, after which it "
                f"answered {100 * full_curve[-1]:.1f}%.")
    theirs = full_curve[whole - 1]
    epochs = "epoch" if whole == 1 else "epochs"
    head = (f"The full run, which reads all {full_train:,} training questions each epoch, had seen about as many "
            f"after {whole} {epochs} and then answered {100 * theirs:.1f}%")
    if abs(accuracy - theirs) <= close:
        return head + ": about the same, so repeating a smaller set of questions has not hurt yet."
    if accuracy > theirs:
        return head + (", less than the build-time run; at this stage the accuracy changes quickly from epoch to "
                       "epoch, and the build-time run had a few more steps (the comparison rounds down to whole "
                       "epochs).")
    return head + ", more than the build-time run: seeing the same few questions again teaches less than new ones."


# --------------------------------------------------------------------------------------------------------
# Chapter 6 (gated RNN) and appendix C (GRU)
# --------------------------------------------------------------------------------------------------------

__all__ += ["gradient_fate_sentence", "clipping_sentence", "book_weights_sentence", "better_rnnlm_sentence",
            "gated_cells_sentence"]


def gradient_fate_sentence(final_ratio: Mapping[str, float], steps: int, *, low: float = 1e-3,
                           high: float = 1e3) -> str:
    """What became of a gradient sent back ``steps`` time steps, for each setting (chapter 6.1.2).

    Parameters
    ----------
    final_ratio : mapping of a setting's label to a ratio
        The gradient's norm after ``steps`` steps back divided by its norm at the start, per setting (in the
        order the sentence should name them).
    steps : int
        How many steps back the ratio was measured.
    low, high : float
        Below ``low`` the gradient counts as vanished, above ``high`` as exploded.
    """
    if not final_ratio or steps < 1 or not 0 < low < 1 < high:
        raise ValueError(f"need at least one setting, steps >= 1 and 0 < low < 1 < high, got {dict(final_ratio)}, "
                         f"{steps}, {low} and {high}")
    if any(not (math.isfinite(r) and r >= 0) for r in final_ratio.values()):
        raise ValueError(f"ratios must be finite and >= 0, got {dict(final_ratio)}")
    vanished = [k for k, r in final_ratio.items() if r < low]
    exploded = [k for k, r in final_ratio.items() if r > high]
    between = [k for k, r in final_ratio.items() if low <= r <= high]
    parts = []
    if vanished:
        parts.append(f"With {and_join(vanished)} the gradient vanishes: {steps} steps back it is less than "
                     f"{low:g} times its size at the last step.")
    if exploded:
        subject = "it" if parts else "the gradient"
        parts.append(f"With {and_join(exploded)} {subject} explodes, growing more than {high:g}-fold over "
                     f"{steps} steps.")
    if between:
        subject = "it" if parts else "the gradient"
        parts.append(f"With {and_join(between)} {subject} stays between {low:g} and {high:g} times its starting "
                     f"size over {steps} steps: neither vanished nor exploded yet.")
    return " ".join(parts)


def clipping_sentence(norms: Sequence[float], max_grad: float) -> str:
    """How often gradient clipping changed an update during a training run, and when (chapter 6.1.4).

    ``norms`` are the global gradient norms before clipping, one per iteration (``RnnlmTrainer``'s
    ``history["grad_norm"]``); an update is clipped when its norm exceeds ``max_grad``.
    """
    n = len(norms)
    if n == 0 or not max_grad > 0:
        raise ValueError(f"need at least one norm and max_grad > 0, got {n} norms and {max_grad}")
    clipped = [i for i, g in enumerate(norms) if g > max_grad]
    if not clipped:
        return (f"The gradient norm never exceeded {max_grad:g} in these {n:,} iterations, so clipping never "
                "changed an update.")
    if len(clipped) == n:
        return (f"The gradient norm exceeded {max_grad:g} in every one of the {n:,} iterations, so every update was "
                f"clipped: each step of SGD had exactly the length lr × {max_grad:g}.")
    half = n // 2
    early = sum(1 for i in clipped if i < half)
    late = len(clipped) - early
    head = (f"Clipping changed {len(clipped):,} of the {n:,} updates ({100 * len(clipped) / n:.0f}%): {early:,} "
            f"in the first half of the run and {late:,} in the second.")
    if early > late:
        return head + " It acts mostly early, while the model is still untrained and its gradients are largest."
    if late > early:
        return head + " It acts more often later in the run, as the model starts to pick up longer dependencies."
    return head


def book_weights_sentence(ours: float, book: float, tol: float = 1.0) -> str:
    """The library's test perplexity with the book's published ``Rnnlm.pkl`` against the book's figure (6.4)."""
    if not (math.isfinite(ours) and ours >= 1 and math.isfinite(book) and book >= 1) or not tol > 0:
        raise ValueError(f"perplexities are finite and >= 1 and tol > 0, got {ours}, {book} and {tol}")
    head = f"With the book's own weights, the library's `Rnnlm` scores a test perplexity of {ours:.2f}"
    if abs(ours - book) <= tol:
        return (head + f"; the book reports about {book:g}. The library's model computes what the book's code "
                "computes with these weights.")
    side = "above" if ours > book else "below"
    return (head + f", {side} the book's figure of about {book:g} by more than rounding explains: the library's model "
            "does not compute exactly what the book's code computes with these weights.")


def better_rnnlm_sentence(results: Mapping[str, Any] | None, book_epochs: int, book_ppl: float,
                          command: str) -> str:
    """What the committed ``better-rnnlm-ptb`` run shows, or that there is none yet (chapter 6.5.4).

    Parameters
    ----------
    results : mapping or None
        The committed results (``results/better-rnnlm-ptb.json``), or None when there is no such file.
    book_epochs : int
        The epochs of the book's run (40).
    book_ppl : float
        The book's test perplexity after those epochs.
    command : str
        The command that produces the results file.
    """
    if book_epochs < 1 or not book_ppl >= 1:
        raise ValueError(f"need book_epochs >= 1 and book_ppl >= 1, got {book_epochs} and {book_ppl}")
    if results is None:
        return (f"No committed run of `better-rnnlm-ptb` exists yet: there was no results file "
                "`results/better-rnnlm-ptb.json` when this page was built, so the only numbers this section can give "
                "are the book's. "
                f"`{command}` produces the file; it takes many hours on a CPU, and `--resume` continues a run that "
                "was stopped.")
    history = results["history"]
    valid = list(history["valid_perplexity"])
    epochs = len(valid)
    if epochs == 0:
        raise ValueError("the results hold no epoch")
    best = int(history["best_epoch"])
    test = float(results["evaluation"]["test_perplexity"])
    corpus_size = int(results.get("config", {}).get("corpus_size", 0) or 0)
    parts = []
    if epochs < book_epochs:
        parts.append(f"The committed run trained {epochs} of the book's {book_epochs} epochs, so it is a shorter run "
                     "than the book's.")
    elif epochs == book_epochs:
        parts.append(f"The committed run trained all {book_epochs} epochs of the book's settings.")
    else:
        parts.append(f"The committed run trained {epochs} epochs, more than the book's {book_epochs}.")
    if corpus_size:
        parts.append(f"It read only the first {corpus_size:,} words of the training set each epoch.")
    if best == epochs:
        parts.append(f"Its validation perplexity was still falling at its last epoch ({valid[-1]:.1f}), so the run "
                     "had not finished improving.")
    else:
        parts.append(f"Its best validation perplexity, {valid[best - 1]:.1f}, came at epoch {best}; the parameters "
                     "of that epoch are the ones kept and scored.")
    parts.append(f"The kept parameters score a test perplexity of {test:.1f}, against the book's {book_ppl:g} after "
                 f"{book_epochs} epochs.")
    return " ".join(parts)


def gated_cells_sentence(accuracy: Mapping[str, float], close: float = 0.005) -> str:
    """Which recurrent cell ends with the highest accuracy on the same task (appendix C's comparison).

    ``accuracy`` maps each cell's name to its final accuracy, a fraction; accuracies within ``close`` of the
    best count as a tie.
    """
    if len(accuracy) < 2 or any(not 0 <= a <= 1 for a in accuracy.values()):
        raise ValueError(f"need two or more accuracies in [0, 1], got {dict(accuracy)}")
    best = max(accuracy, key=accuracy.__getitem__)
    level = [k for k in accuracy if accuracy[best] - accuracy[k] <= close]
    behind = sorted((k for k in accuracy if k not in level), key=lambda k: -accuracy[k])
    rest = and_join(f"{k} ({100 * accuracy[k]:.1f}%)" for k in behind) if behind else ""
    if len(level) == len(accuracy):
        return (f"All of them end within {100 * close:.1f} points of each other, at {100 * accuracy[best]:.1f}% or "
                "just below: on this task the choice of cell makes no difference.")
    if len(level) > 1:
        return (f"{and_join(level)} end level, within {100 * close:.1f} points of {100 * accuracy[best]:.1f}%, "
                f"ahead of {rest}.")
    return f"{best} ends with the highest accuracy, {100 * accuracy[best]:.1f}%, ahead of {rest}."


__all__ += ["near_misses_sentence"]


def near_misses_sentence(examples: Sequence[Mapping[str, Any]] | None, who: str) -> str:
    """How close a seq2seq model's wrong answers are: same number of digits and same first digit (chapter 7.3.4).

    Parameters
    ----------
    examples : sequence of mappings, or None
        ``{"answer", "guess", "correct"}`` per question, as
        :func:`scratchnlp.evaluation.evaluate_seq2seq` records them (padded strings); None when the run's results
        file is missing.
    who : str
        The model, as the sentence names it, e.g. ``"the baseline"``.
    """
    if examples is None:
        return f"Without a results file for {who}, its answers cannot be shown."
    if not examples:
        raise ValueError("no examples to look at")
    wrong = [(str(e["answer"]).strip(), str(e["guess"]).strip()) for e in examples if not e["correct"]]
    if not wrong:
        return f"All {len(examples)} of {who}'s answers here are right."
    near = sum(1 for answer, guess in wrong if len(guess) == len(answer) and guess[:1] == answer[:1])
    n = len(wrong)
    if near == n:
        subject = "Its one wrong answer has" if n == 1 else f"Each of its {n} wrong answers has"
        return (f"{who[0].upper()}{who[1:]} is rarely far off. {subject} the right number of digits and the "
                "right first digit: the size of the sum is right, and the mistakes are in the digits after it.")
    if near == 0:
        return (f"None of {who}'s {n} wrong answers here has both the right number of digits and the right first "
                "digit.")
    return (f"{near} of {who}'s {n} wrong answers here have the right number of digits and the right first digit, "
            "so the size of the sum is right and the mistakes are in the digits after it.")


__all__ += ["question_words", "attention_reading", "attention_reading_sentence"]

_WORD = re.compile(r"[A-Za-z]+|[0-9]+")


def question_words(question: str) -> list[tuple[str, int, int]]:
    """The words of a question as written: each run of letters and each run of digits, ``(text, start, stop)``.

    ``"september 27, 1994"`` gives ``[("september", 0, 9), ("27", 10, 12), ("1994", 14, 18)]``; spaces,
    punctuation and padding belong to no word.
    """
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(question)]


def attention_reading(weights: Any, question: str,
                      parts: Mapping[str, tuple[int, int]]) -> dict[str, tuple[str, float]]:
    """Where each part of an answer looked in the question (chapter 8.3.3): the word with most of its attention.

    Parameters
    ----------
    weights : (A, Q) array
        Attention of answer character ``a`` on question character ``q``, the question in reading order (for a
        model fed reversed questions, reverse the last axis first); each row sums to 1.
    question : str
        The question as written, ``Q`` characters (padding included).
    parts : mapping of name to (start, stop)
        The answer's parts as row ranges, e.g. ``{"year": (0, 4), "month": (5, 7), "day": (8, 10)}``.

    Returns
    -------
    dict of name to (word, share)
        The question word (:func:`question_words`) on which the part's rows put the largest share of their
        attention, and that share (the mean over the part's rows of the weight on the word's characters).
    """
    import numpy as np  # noqa: PLC0415  (the page helpers import NumPy only where they need it)

    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != len(question):
        raise ValueError(f"weights must be (A, {len(question)}) for a question of {len(question)} characters, "
                         f"got shape {w.shape}")
    words = question_words(question)
    if not words:
        raise ValueError(f"the question {question!r} has no words (runs of letters or digits)")
    out: dict[str, tuple[str, float]] = {}
    for name, (start, stop) in parts.items():
        if not 0 <= start < stop <= w.shape[0]:
            raise ValueError(f"part {name!r} must be rows [start, stop) within the answer's {w.shape[0]}, "
                             f"got ({start}, {stop})")
        row = w[start:stop].mean(axis=0)
        shares = [float(row[a:b].sum()) for _, a, b in words]
        best = int(np.argmax(shares))
        out[name] = (words[best][0], shares[best])
    return out


def attention_reading_sentence(question: str, reading: Mapping[str, tuple[str, float]]) -> str:
    """One sentence saying which question word each answer part read, from :func:`attention_reading`."""
    if not reading:
        raise ValueError("nothing to describe: reading is empty")
    parts = [f"its {name} from “{word}” ({100 * share:.0f}% of its attention)"
             for name, (word, share) in reading.items()]
    return f"For “{question.strip()}”, the answer took {and_join(parts)}."



# --------------------------------------------------------------------------------------------------------
# The speed-up page (section 1.5 in depth): the committed benchmark results, precision and the GPU
# --------------------------------------------------------------------------------------------------------

__all__ += ["benchmarks_dir", "load_benchmarks", "benchmark_ratios", "seconds_text", "machine_text",
            "precision_effect_sentence", "batch_gain_sentence", "gpu_sentence", "training_step_time", "gpu_available",
            "chapter_step_times"]


def gpu_available() -> bool:
    """Whether :mod:`scratchnlp.backend` can use a GPU here (CuPy installed and a CUDA device present)."""
    from scratchnlp import backend  # noqa: PLC0415

    previous = backend.get_device()
    try:
        backend.set_device("gpu")
    except RuntimeError:
        return False
    backend.set_device(previous)
    return True


def chapter_step_times(device: str = "cpu", *, repeats: int = 5, seed: int = 0,
                       models: Sequence[str] = ("Rnnlm", "BetterRnnlm", "AttentionSeq2seq")) -> dict[str, float]:
    """Seconds per training iteration of the chapter-6 and chapter-8 models with the book's settings.

    ``Rnnlm`` (V 10,000, 100/100) and ``BetterRnnlm`` (650/650, dropout 0.5, tied) on a batch of 20 x 35 word
    ids with SGD and clipping at 0.25; ``AttentionSeq2seq`` (59 characters, 16/256) on a batch of 128
    reversed-date-shaped questions (29 characters, answers of 11) with Adam and clipping at 5.0. The ids are
    random (the time does not depend on which words they are). Each model is built on ``device`` (``"cpu"``:
    NumPy, ``"gpu"``: CuPy) and timed with :func:`training_step_time`; the previous device is restored.
    """
    import numpy as np  # noqa: PLC0415

    from scratchnlp import backend, optim  # noqa: PLC0415
    from scratchnlp import models as m  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    specs = {
        "Rnnlm": (lambda: m.Rnnlm(10000, 100, 100, seed=seed), lambda: optim.SGD(20.0), 10000, (20, 35), (20, 35),
                  0.25),
        "BetterRnnlm": (lambda: m.BetterRnnlm(10000, 650, 650, 0.5, seed=seed), lambda: optim.SGD(20.0), 10000,
                        (20, 35), (20, 35), 0.25),
        "AttentionSeq2seq": (lambda: m.AttentionSeq2seq(59, 16, 256, seed=seed), lambda: optim.Adam(0.001), 59,
                             (128, 29), (128, 11), 5.0),
    }
    unknown = set(models) - set(specs)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; choose from {sorted(specs)}")
    previous = backend.get_device()
    backend.set_device(device)
    try:
        out = {}
        for name in models:
            make, make_opt, V, xshape, tshape, max_grad = specs[name]
            xs, ts = rng.integers(0, V, xshape), rng.integers(0, V, tshape)
            out[name] = training_step_time(make(), make_opt(), xs, ts, max_grad=max_grad, repeats=repeats)
        return out
    finally:
        backend.set_device(previous)


def training_step_time(model: Any, optimizer: Any, xs: Any, ts: Any, *, max_grad: float | None = None,
                       repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeats`` training iterations on one batch, in seconds (after ``warmup`` untimed ones).

    One iteration is :func:`scratchnlp.training.train_step`, the step every training loop runs:
    ``model.forward(xs, ts)``, ``model.backward()``, the shared weights' gradients merged, the gradients clipped
    to ``max_grad`` (if given), the NaN/inf checks and ``optimizer.update``. On the GPU (the model's parameters
    are CuPy arrays; ``xs`` and ``ts`` are moved there) the device is synchronised before the clock is read,
    because CuPy returns before the GPU has finished.
    """
    from scratchnlp import backend  # noqa: PLC0415
    from scratchnlp.training import train_step  # noqa: PLC0415

    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    on_gpu = backend.is_gpu_array(model.params[0])
    if on_gpu:
        xs, ts = backend.to_gpu(xs), backend.to_gpu(ts)
    xp = backend.xp(model.params[0])

    def step() -> None:
        train_step(model, optimizer, (xs, ts), max_grad)
        if on_gpu:
            xp.cuda.Device().synchronize()

    for _ in range(warmup):
        step()
    return best_time(step, repeats)[1]


def benchmarks_dir(root: str | Path | None = None) -> Path:
    """The folder of the committed benchmark results, ``<repository>/benchmarks/results`` (``make bench``).

    Raises
    ------
    FileNotFoundError
        When the page does not run inside a checkout of the repository.
    """
    base = Path(root) if root is not None else repo_root()
    if base is None:
        raise FileNotFoundError(
            "the benchmark results are read from the repository's benchmarks/results/ folder, and this page is not "
            "running inside a checkout of the repository: clone it and run the page from there"
        )
    return base / "benchmarks" / "results"


def load_benchmarks(folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The results ``make bench`` wrote: ``{script name: record}`` from ``<folder>/bench_*.json``, sorted by name.

    A record holds ``script``, ``arguments``, ``date``, ``wall_s``, ``machine`` and the script's own numbers
    under ``results``. A missing folder gives an empty dict.
    """
    import json  # noqa: PLC0415

    folder = Path(folder) if folder is not None else benchmarks_dir()
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("bench_*.json")) if folder.is_dir() else []:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("results"), dict):
            raise ValueError(f"{path} is not a benchmark record written by benchmarks/run_all.py (no 'results')")
        records[path.stem] = record
    return records


def seconds_text(seconds: float) -> str:
    """A duration with three significant digits in s, ms or µs: ``"12.3 s"``, ``"792 ms"``, ``"220 µs"``."""
    if not seconds > 0 or not math.isfinite(seconds):
        raise ValueError(f"a duration must be positive and finite, got {seconds!r}")
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            value = seconds / scale
            digits = max(0, 2 - int(math.floor(math.log10(value)))) if value >= 1 else 3
            return f"{value:.{digits}f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _get(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, Mapping) or k not in d:
            return None
        d = d[k]
    return d


def _bench_rows_count_based(r: Mapping[str, Any]) -> list[tuple[str, str, Any, Any]]:
    return [
        (f"{_get(r, key, 'label') or key} (ch. 2)", "the book's Python loop", _get(r, key, "book_s"),
         _get(r, key, "ours_s"))
        for key in ("ppmi", "co_matrix")
    ]


def _bench_rows_word2vec(r: Mapping[str, Any]) -> list[tuple[str, str, Any, Any]]:
    rows = []
    for name, run in (_get(r, "book") or {}).items():
        rows.append((f"{name}, {run.get('iterations')} iterations of the book's settings (ch. 4)",
                     "the book's way", run.get("book_way_s"), run.get("ours_fused_adam_s")))
    for case, times in (_get(r, "scatter") or {}).items():
        rows.append((f"scatter-add, {case}", "np.add.at", _ms(times.get("add.at")), _ms(times.get("scatter_add"))))
    for case, times in (_get(r, "adam") or {}).items():
        rows.append((f"one Adam step, {case} gradient", "optim.Adam", _ms(times.get("optim.Adam")),
                     _ms(times.get("FusedAdam"))))
    for name, run in (_get(r, "fast") or {}).items():
        if isinstance(run, Mapping) and "ours_s_per_epoch" in run:
            rows.append((f"{name}, one epoch of the fast variant", "gensim, 2 threads", run.get("gensim_s_per_epoch"),
                         run.get("ours_s_per_epoch")))
    return rows


def _ms(value: Any) -> Any:
    return None if value is None else value / 1e3


def _bench_rows_rnnlm(r: Mapping[str, Any]) -> list[tuple[str, str, Any, Any]]:
    rows = []
    for key, what, ours in (("rnnlm", "Rnnlm training iteration (ch. 6)", "scratchnlp Rnnlm"),
                            ("better", "BetterRnnlm training iteration (ch. 6)", "scratchnlp BetterRnnlm")):
        rows.append((what, "PyTorch, same threads", _get(r, key, "best_s", "pytorch"), _get(r, key, "best_s", ours)))
    book = _get(r, "book", "best_s", "book's code way")
    if book is not None:
        rows.append(("Rnnlm training iteration (ch. 6)", "the book's code", book,
                     _get(r, "rnnlm", "best_s", "scratchnlp Rnnlm")))
    return rows


def _bench_rows_seq2seq(r: Mapping[str, Any], chapter: str) -> list[tuple[str, str, Any, Any]]:
    rows = []
    train = _get(r, "train") or {}
    if "best_s" in train:  # one model (attention): its numbers directly
        train = {"AttentionSeq2seq": train}
    for name, run in train.items():
        rows.append((f"{name} training iteration (ch. {chapter})", "the book's code",
                     _get(run, "best_s", "book's code"), _get(run, "best_s", "scratchnlp")))
        layer = _get(run, "attention_layer")
        if layer:
            rows.append(("TimeAttention forward and backward (ch. 8)", "the book's loop of Attention layers",
                         _get(layer, "best_s", "book's code"), _get(layer, "best_s", "scratchnlp")))
    decode = _get(r, "decode") or {}
    if "best_s" in decode:
        decode = {"AttentionSeq2seq": decode}
    for name, run in decode.items():
        rows.append((f"{name}, answering the test questions (ch. {chapter})", "the book's loop, one question at a time",
                     _get(run, "best_s", "book's loop"), _get(run, "best_s", "scratchnlp, batched")))
    return rows


_BENCH_ROWS: dict[str, Callable[[Mapping[str, Any]], list[tuple[str, str, Any, Any]]]] = {
    "bench_count_based": _bench_rows_count_based,
    "bench_word2vec": _bench_rows_word2vec,
    "bench_rnnlm": _bench_rows_rnnlm,
    "bench_seq2seq": lambda r: _bench_rows_seq2seq(r, "7"),
    "bench_attention": lambda r: _bench_rows_seq2seq(r, "8"),
}


def benchmark_ratios(records: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per comparison in the benchmark records of :func:`load_benchmarks`, in the order of the chapters.

    Each row is ``{"script", "what", "reference", "reference_s", "ours_s", "ratio"}``, where ``ratio`` is the
    reference's time over ours (above 1: ours is faster). Comparisons a record lacks (a part not run, a
    dependency missing) are left out; scripts this function does not know are ignored.
    """
    rows = []
    for script, extract in _BENCH_ROWS.items():
        if script not in records:
            continue
        for what, reference, ref_s, ours_s in extract(records[script].get("results", {})):
            if ref_s is None or ours_s is None or not ref_s > 0 or not ours_s > 0:
                continue
            rows.append({"script": script, "what": what, "reference": reference, "reference_s": float(ref_s),
                         "ours_s": float(ours_s), "ratio": float(ref_s) / float(ours_s)})
    return rows


def machine_text(record: Mapping[str, Any]) -> str:
    """The machine and date of a benchmark record: ``"AMD EPYC 9R14, 2 cores, NumPy 2.4.6, 2026-12-01"``."""
    m = record.get("machine") or {}
    parts = [str(m.get("cpu") or "an unnamed CPU")]
    if m.get("cpu_count"):
        parts.append(f"{m['cpu_count']} cores")
    if m.get("gpu"):
        parts.append(str(m["gpu"]))
    if m.get("numpy"):
        parts.append(f"NumPy {m['numpy']}")
    if m.get("cupy"):
        parts.append(f"CuPy {m['cupy']}")
    if record.get("date"):
        parts.append(str(record["date"])[:10])
    return ", ".join(parts)


def precision_effect_sentence(model: str, metric: str, full: float, half: float, *, higher_is_better: bool,
                              unit: str = "", digits: int = 1, tolerance: float = 0.0) -> str:
    """Whether storing a model's weights in float16 lowered its score, and by how much (the speed-up page).

    ``full`` is the score with the float32 weights, ``half`` the score after a round trip through float16;
    differences within ``tolerance`` count as none (the scores are printed with ``digits`` decimals and
    ``unit``; a difference of scores in ``"%"`` is written in percentage points).
    """
    if not (math.isfinite(full) and math.isfinite(half)):
        return f"For {model}, float16 storage broke the model: its {metric} is {half} against {full:.{digits}f}{unit}."
    diff = half - full

    def amount(x: float, spec: str) -> str:
        return f"{x:{spec}} percentage points" if unit == "%" else f"{x:{spec}}{unit}"

    shown = f"{full:.{digits}f}{unit} with float32 weights and {half:.{digits}f}{unit} with float16 weights"
    if diff == 0:
        return f"For {model}, float16 storage leaves the {metric} exactly as it was: {full:.{digits}f}{unit}."
    if abs(diff) <= tolerance:
        return (f"For {model}, float16 storage changes the {metric} by {amount(abs(diff), f'.{digits + 1}g')}, "
                f"which is nothing ({shown}).")
    worse = (diff < 0) if higher_is_better else (diff > 0)
    relative = abs(diff) / abs(full) if full else math.inf
    verdict = "lowers" if worse else "happens to improve"
    rel = f", {100 * relative:.2g}% of it" if math.isfinite(relative) else ""
    return f"For {model}, float16 storage {verdict} the {metric} by {amount(abs(diff), f'.{digits}f')}{rel} ({shown})."


def batch_gain_sentence(gains: Mapping[str, tuple[float, str]], *, same: float = 1.2) -> str:
    """How much faster per sample the largest batch trained than the smallest (the speed-up page).

    ``gains`` maps a model's description (``"the language model"``) to its throughput at the largest batch over
    that at the smallest, and the unit of its samples (``"words"``). Gains within a factor ``same`` of 1 count
    as no change.
    """
    if not gains:
        raise ValueError("need at least one model's gain")
    parts = []
    for label, (g, unit) in gains.items():
        if g >= same:
            parts.append(f"{label} processes {g:.1f} times as many {unit} per second")
        elif g > 1 / same:
            parts.append(f"{label} processes about as many {unit} per second ({g:.2f} times as many)")
        else:
            parts.append(f"{label} processes fewer {unit} per second ({g:.2f} times as many)")
    return f"From the smallest batch to the largest, {and_join(parts)}."


def gpu_sentence(available: bool, record: Mapping[str, Any] | None) -> str:
    """What the GPU section of the speed-up page shows: a measurement made now, committed numbers, or neither."""
    if available:
        return ("This page was built on a machine with a usable GPU, so the timings below were measured during the "
                "build.")
    if record is None:
        return ("This page was built without a GPU, and no measurements from a GPU have been committed yet, so "
                "this section has no GPU numbers to show; the cells below say how to produce them.")
    return (f"This page was built without a GPU; the numbers below were measured by the same cells on a GPU "
            f"machine ({machine_text(record)}) and committed to the repository.")


__all__ += ["date_runs_sentence", "bidirectional_sentence", "reading_agreement_sentence",
            "diffuse_positions_sentence"]


def date_runs_sentence(curves: Mapping[str, Sequence[float]], missing: Sequence[str] = (),
                       threshold: float = 0.99) -> str:
    """Compare committed runs on the dates by their final accuracy, and when the best passed ``threshold``.

    Parameters
    ----------
    curves : mapping of model label to its test accuracy after each epoch (fractions)
    missing : labels of runs whose results file was not found
    threshold : the accuracy whose first crossing is reported for the best run
    """
    if any(not len(c) for c in curves.values()):
        raise ValueError("every curve needs at least one epoch")
    note = f" No results file was found for {and_join(missing)}." if missing else ""
    if not curves:
        return "No results file of the three runs was found when this page was built." + note
    order = sorted(curves, key=lambda k: -curves[k][-1])
    epochs = {len(curves[k]) for k in order}
    after = f"After {epochs.pop()} epochs" if len(epochs) == 1 else "At the end of their runs"
    finals = and_join(f"{k} {100 * curves[k][-1]:.1f}%" for k in order)
    best = curves[order[0]]
    first = next((e + 1 for e, a in enumerate(best) if a >= threshold), None)
    if first is None:
        crossing = f" None of them reached {100 * threshold:.0f}%."
    else:
        dips = "" if all(a >= threshold for a in best[first - 1:]) else " (with dips below it later)"
        crossing = f" The {order[0]} model was above {100 * threshold:.0f}% from epoch {first} on{dips}."
    return f"{after} the test accuracies are: {finals}.{crossing}{note}"


def bidirectional_sentence(one_way: float, both_ways: float, close: float = 0.005) -> str:
    """Compare a bidirectional encoder's test accuracy with the unidirectional one's (chapter 8.4.1)."""
    for a in (one_way, both_ways):
        if not 0 <= a <= 1:
            raise ValueError(f"accuracies are fractions in [0, 1], got {one_way} and {both_ways}")
    head = (f"With the same training, the bidirectional encoder reaches {100 * both_ways:.2f}% against "
            f"{100 * one_way:.2f}% for one direction")
    if abs(both_ways - one_way) <= close:
        return head + f": within {100 * close:.1f} points, no difference that one short run could show."
    if both_ways > one_way:
        return head + ": reading the question both ways helps here, in this one short run."
    return head + ": in this one short run it does not help; half the units per direction may cost more than it gains."


def reading_agreement_sentence(n_agree: int, n_parts: int) -> str:
    """How many answer parts took most of their attention from the question word a person would read them from."""
    if not 0 <= n_agree <= n_parts or n_parts < 1:
        raise ValueError(f"need 0 <= n_agree <= n_parts and n_parts >= 1, got {n_agree} of {n_parts}")
    if n_agree == n_parts:
        return (f"In all {n_parts} parts of these answers, the question word with most of the attention is the one "
                "a person would read that part from.")
    if n_agree == 0:
        return (f"In none of the {n_parts} parts of these answers is the word with most of the attention the one a "
                "person would read that part from.")
    return (f"In {n_agree} of the {n_parts} parts of these answers, the question word with most of the attention is "
            "the one a person would read that part from.")


def diffuse_positions_sentence(entropy_bits: Sequence[float], labels: str, constant: Sequence[bool],
                               k: int = 2) -> str:
    """Which answer positions spread their attention most (highest mean entropy), and whether they are fixed.

    Parameters
    ----------
    entropy_bits : (A,) mean entropy of each answer position's attention, in bits
    labels : A characters naming the positions (e.g. ``"yyyy-mm-dd"``)
    constant : (A,) whether the position holds the same character in every answer
    k : how many of the most diffuse positions to name
    """
    if not len(entropy_bits) == len(labels) == len(constant) or not 1 <= k < len(labels):
        raise ValueError(f"entropy_bits, labels and constant must have one entry per position and 1 <= k < "
                         f"{len(labels)}; got {len(entropy_bits)}, {len(labels)}, {len(constant)} and k={k}")
    order = sorted(range(len(labels)), key=lambda i: -entropy_bits[i])
    top, rest = order[:k], order[k:]
    mean_rest = sum(entropy_bits[i] for i in rest) / len(rest)
    named = and_join(f"{i} (“{labels[i]}”, {entropy_bits[i]:.2f} bits)" for i in sorted(top))
    head = (f"The attention is most spread out at answer positions {named}, against {mean_rest:.2f} bits on average "
            "for the others.")
    if all(constant[i] for i in top):
        return head + (" Those characters are the same in every answer: nothing in the question decides them, so "
                       "where the model looks while writing them does not matter to the loss.")
    return head


__all__ += ["seed_spread_sentence"]


def seed_spread_sentence(finals: Mapping[int, float], book: float, epochs: int) -> str:
    """The spread of one experiment's final accuracy over several seeds, against the book's figure (chapter 7.4).

    Parameters
    ----------
    finals : mapping of seed to the test accuracy after the last epoch (fractions), two or more seeds
    book : the book's figure, a fraction
    epochs : the runs' epochs
    """
    if len(finals) < 2 or any(not 0 <= a <= 1 for a in finals.values()) or not 0 <= book <= 1:
        raise ValueError(f"need two or more accuracies and the book's, all fractions in [0, 1]; got {dict(finals)} "
                         f"and {book}")
    lo, hi = min(finals.values()), max(finals.values())
    mean = sum(finals.values()) / len(finals)
    where = ("inside that range" if lo <= book <= hi else
             "below all of them" if book < lo else "above all of them")
    return (f"Run with {len(finals)} different seeds (the committed files in results/ and results/seeds/), the same "
            f"experiment ends epoch {epochs} between {100 * lo:.2f}% and {100 * hi:.2f}% (mean {100 * mean:.2f}%); "
            f"the book's {100 * book:.2f}% is {where}.")
