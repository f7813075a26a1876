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
- :func:`and_join` and :func:`times` are the small pieces of wording every page's sentences use.

What one page alone needs lives in that page's module of :mod:`scratchnlp._site` (``chapter1`` ... ``chapter8``,
``speedup``, and the modules of the measured "why" experiments); this module keeps only what pages share.
"""

from __future__ import annotations

import inspect
import math
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
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
    "md_text",
    "best_time",
    "repo_root",
    "results_dir",
    "load_committed",
    "committed_runs",
    "and_join",
    "times",
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


def md_text(text: str) -> str:
    """Generated text for a Markdown sentence or table: every character Markdown would interpret (``<unk>``,
    ``$``, ``*``, ``_``, ...) escaped with a backslash, so the text reads exactly as generated."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


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


def and_join(items: Iterable[Any], conjunction: str = "and", lang: str | None = None, *, serial: bool = False) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``: the items written with ``str``, in the page's language.

    ``conjunction`` is ``"and"`` or ``"or"`` (``"및"`` / ``"또는"`` in Korean: ``"a, b 및 c"``); any other word is
    used as it is. ``serial``: a comma before the conjunction of three or more English items (``"a, b, and c"``).
    ``lang=None``: the page's language (:func:`scratchnlp._site.wording.page_language`).
    """
    from scratchnlp._site.wording import page_language  # noqa: PLC0415

    words = [str(x) for x in items]
    if not words:
        raise ValueError("nothing to join")
    if len(words) == 1:
        return words[0]
    korean = (lang or page_language()) == "ko"
    if korean:
        conjunction = {"and": "및", "or": "또는"}.get(conjunction, conjunction)
    comma = "," if serial and not korean and len(words) > 2 else ""
    return f"{', '.join(words[:-1])}{comma} {conjunction} {words[-1]}"


def times(n: int, lang: str | None = None) -> str:
    """How often something happened: ``"once"``, ``"twice"``, ``"3 times"``, ``"1,200 times"``; in Korean
    ``"1번"``, ``"1,200번"``. ``lang=None``: the page's language."""
    from scratchnlp._site.wording import page_language  # noqa: PLC0415

    if n < 0:
        raise ValueError(f"a count cannot be negative, got {n}")
    if (lang or page_language()) == "ko":
        return f"{int(n):,}번"
    return {1: "once", 2: "twice"}.get(int(n), f"{int(n):,} times")


