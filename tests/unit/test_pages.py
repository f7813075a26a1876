"""Unit tests of scratchnlp._pages, the helpers the site's pages share, including every branch of the sentences
the pages assemble from computed values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scratchnlp import _pages
from scratchnlp._pages import (
    and_join,
    best_time,
    committed_runs,
    load_committed,
    markdown_table,
    md_word,
    repo_root,
    results_dir,
    show_source,
    times,
)

ROOT = Path(__file__).resolve().parents[2]


# --- figures render whatever MPLBACKEND says ----------------------------------------------------------------


def test_setup_renders_png_figures_in_a_kernel_started_with_mplbackend_agg(monkeypatch) -> None:
    """The cause of the build's "undefined label" warnings: a kernel started with MPLBACKEND=Agg shows figures
    as text. After _pages.setup() the same kernel must produce PNG output."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    code = (
        "from scratchnlp import _pages\n_pages.setup()\nimport matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\nplt.show()"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert any("image/png" in out.get("data", {}) for out in outputs), outputs


def test_setup_outside_ipython_sets_the_resolution() -> None:
    import matplotlib

    _pages.setup()
    assert matplotlib.rcParams["figure.dpi"] == _pages.FIGURE_DPI


def test_glue_without_myst_nb_only_displays(monkeypatch, capsys) -> None:
    monkeypatch.setattr(_pages, "_myst_glue", None)
    _pages.glue("x", 12345, display=False)
    assert capsys.readouterr().out == ""
    _pages.glue("x", 12345)
    assert "12345" in capsys.readouterr().out


# --- library source -----------------------------------------------------------------------------------------


class _Example:
    def method(self) -> int:
        return 1


def test_show_source_dedents_methods_and_opens_short_listings() -> None:
    text = show_source(_Example.method).data
    assert text.startswith("::::{dropdown} Source: `") and "_Example.method` (2 lines)" in text.splitlines()[0]
    assert "\n:open:\n" in text
    assert "\ndef method(self) -> int:\n" in text  # dedented
    assert text.rstrip().endswith("::::")


def test_show_source_collapses_long_listings() -> None:
    text = show_source(_pages.markdown_table).data
    assert text.count("\n") > _pages.SOURCE_OPEN_MAX_LINES
    assert ":open:" not in text
    assert "(" in text.splitlines()[0] and "lines)" in text.splitlines()[0]


def test_show_source_rejects_objects_without_source() -> None:
    with pytest.raises(TypeError, match="show_source needs"):
        show_source(42)


# --- tables -------------------------------------------------------------------------------------------------


def test_markdown_table_is_a_captioned_labelled_directive() -> None:
    text = markdown_table(["a", "b"], [[1, "x|y"], [2, "z"]], "A caption.", "tbl-test", align="rl").data
    lines = text.splitlines()
    assert lines[0] == "```{table} A caption."
    assert lines[1] == ":name: tbl-test"
    assert lines[3] == "| a | b |"
    assert lines[4] == "| ---: | :--- |"
    assert lines[5] == "| 1 | x\\|y |"
    assert lines[-1] == "```"


@pytest.mark.parametrize(
    ("header", "rows", "align", "message"),
    [
        ([], [], None, "at least one column"),
        (["a"], [[1, 2]], None, "row 0 has 2 cells"),
        (["a", "b"], [], "r", "one of l, r, c per column"),
        (["a"], [], "x", "one of l, r, c per column"),
    ],
)
def test_markdown_table_rejects_bad_shapes(header, rows, align, message) -> None:
    with pytest.raises(ValueError, match=message):
        markdown_table(header, rows, "c", "n", align=align)


def test_markdown_table_rejects_multiline_captions() -> None:
    with pytest.raises(ValueError, match="single line"):
        markdown_table(["a"], [], "two\nlines", "n")


@pytest.mark.parametrize(("word", "expected"), [("car", "car"), ("<unk>", "`<unk>`"), ("$", "`$`"), ("a_b", "`a_b`")])
def test_md_word(word, expected) -> None:
    assert md_word(word) == expected


# --- timing -------------------------------------------------------------------------------------------------


def test_best_time_returns_the_result_and_the_fastest_time() -> None:
    calls = []
    result, seconds = best_time(lambda: calls.append(1) or len(calls), repeat=4)
    assert result == 4 and len(calls) == 4
    assert 0.0 <= seconds < 1.0
    with pytest.raises(ValueError, match="repeat"):
        best_time(lambda: None, repeat=0)


# --- committed results --------------------------------------------------------------------------------------


def test_repo_root_finds_the_checkout_and_none_elsewhere(tmp_path: Path) -> None:
    assert repo_root(ROOT / "book") == ROOT
    assert repo_root(tmp_path) is None
    assert repo_root() == ROOT  # tests run inside the checkout


def test_results_dir_explains_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    assert results_dir(ROOT) == ROOT / "results"
    with pytest.raises(FileNotFoundError, match="no results folder"):
        results_dir(tmp_path)
    monkeypatch.setattr(_pages, "repo_root", lambda: None)
    with pytest.raises(FileNotFoundError, match="not running inside a checkout"):
        results_dir()


def test_load_committed_reads_the_committed_results() -> None:
    names = [p.stem for p in sorted((ROOT / "results").glob("*.json"))]
    assert names, "the repository has no committed results"
    data = load_committed(names[0])
    assert data["experiment"] == names[0]
    runs = committed_runs([*names, "no-such-experiment"])
    assert list(runs) == names


def test_load_committed_refuses_a_file_of_another_experiment(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"experiment": "b"}), encoding="utf-8")
    with pytest.raises(ValueError):
        load_committed("a", tmp_path)


# --- sentences ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"), [(["a"], "a"), (["a", "b"], "a and b"), ([1, 2, 3], "1, 2 and 3")]
)
def test_and_join(items, expected) -> None:
    assert and_join(items, lang="en") == expected


def test_and_join_with_the_serial_comma() -> None:
    assert and_join(["a", "b", "c"], lang="en", serial=True) == "a, b, and c"
    assert and_join(["a", "b"], lang="en", serial=True) == "a and b"
    assert and_join(["a", "b", "c"], lang="ko", serial=True) == "a, b 및 c"  # Korean has no serial comma


def test_and_join_and_times_in_korean() -> None:
    assert and_join(["a", "b", "c"], lang="ko") == "a, b 및 c"
    assert and_join(["a", "b"], "or", lang="ko") == "a 또는 b"
    assert times(1200, lang="ko") == "1,200번"


def test_and_join_and_times_follow_the_page_language(monkeypatch) -> None:
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert and_join(["a", "b"]) == "a 및 b"
    assert times(2) == "2번"


def test_and_join_needs_items() -> None:
    with pytest.raises(ValueError):
        and_join([])


@pytest.mark.parametrize(("n", "expected"), [(0, "0 times"), (1, "once"), (2, "twice"), (1200, "1,200 times")])
def test_times(n, expected) -> None:
    assert times(n, lang="en") == expected
    with pytest.raises(ValueError):
        times(-1)


def test_every_sentence_helper_is_tested() -> None:
    """A sentence helper of a page's module in scratchnlp._site gets a test of its branches in that module's test
    file (tests/unit/test_site_<module>.py); and_join and times are tested here."""
    import importlib  # noqa: PLC0415

    untested = [n for n in ("and_join", "times") if f"def test_{n}" not in Path(__file__).read_text(encoding="utf-8")]
    for path in sorted((ROOT / "src" / "scratchnlp" / "_site").glob("*.py")):
        module = importlib.import_module(f"scratchnlp._site.{path.stem}")
        tests = Path(__file__).with_name(f"test_site_{path.stem}.py")
        source = tests.read_text(encoding="utf-8") if tests.exists() else ""
        untested += [f"{path.stem}.{n}" for n in getattr(module, "__all__", ())
                     if n.endswith("_sentence") and f"def test_{n}" not in source]
    assert not untested, f"sentence helpers without a test: {untested}"


def test_all_names_exist() -> None:
    missing = [n for n in _pages.__all__ if not hasattr(_pages, n)]
    assert not missing
    assert math.isfinite(_pages.FIGURE_DPI)


# --- the pages' own code is linted like the library's ------------------------------------------------------


def _pages_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.md") if "kernelspec:" in p.read_text(encoding="utf-8")[:600])


@pytest.mark.parametrize("page", _pages_sources(), ids=lambda p: p.name)
def test_page_code_is_ruff_clean(page: Path) -> None:
    """`ruff check book` does not read MyST pages; this lints each page's code cells, converted to a notebook by
    Jupytext (ruff lints notebooks cell by cell), with the project's ruff configuration and its rules for book/."""
    import shutil
    import subprocess
    import sys

    jupytext = pytest.importorskip("jupytext")
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    notebook = jupytext.writes(jupytext.read(page), fmt="ipynb")
    done = subprocess.run(
        [ruff, "check", "--no-cache", "--stdin-filename", str(page.with_suffix(".ipynb")), "-"],
        input=notebook, capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, f"ruff finds problems in the code of {page.name}:\n{done.stdout}{done.stderr}"


# --- chapter 5 -------------------------------------------------------------------------------------------


# --- chapter 7: generating text, seq2seq learning to add ----------------------------------------------------


def test_md_text_escapes_what_markdown_would_interpret() -> None:
    assert _pages.md_text("the <unk> costs $ 5") == r"the \<unk\> costs \$ 5"
    assert _pages.md_text("a_b *c*") == r"a\_b \*c\*"
    assert _pages.md_text("plain words .") == "plain words ."


# --- chapter 6 and appendix C ------------------------------------------------------------------------------


def test_markdown_table_refuses_a_caption_with_backticks():
    import pytest

    from scratchnlp._pages import markdown_table

    with pytest.raises(ValueError, match="cannot contain backticks"):
        markdown_table(["a"], [[1]], "The `Rnnlm` runs", "tbl-x")


# --- the speed-up page: benchmark records, precision and the GPU ---------------------------------------------


