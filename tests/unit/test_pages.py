"""Unit tests of scratchnlp._pages, the helpers the site's pages share, including every branch of the sentences
the pages assemble from computed values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scratchnlp import _pages
from scratchnlp._pages import (
    analogy_halves_sentence,
    and_join,
    best_guess_sentence,
    best_time,
    committed_runs,
    committed_runs_sentence,
    crossover_sentence,
    epochs_note,
    first_below_sentence,
    load_committed,
    lowest_loss_sentence,
    markdown_table,
    md_word,
    repo_root,
    results_dir,
    shared_direction_sentence,
    show_source,
    times,
    tuned_rate_sentence,
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
    text = show_source(_pages.committed_runs_sentence).data
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
    assert and_join(items) == expected


def test_and_join_needs_items() -> None:
    with pytest.raises(ValueError):
        and_join([])


@pytest.mark.parametrize(("n", "expected"), [(0, "0 times"), (1, "once"), (2, "twice"), (1200, "1,200 times")])
def test_times(n, expected) -> None:
    assert times(n) == expected
    with pytest.raises(ValueError):
        times(-1)


def test_lowest_loss_sentence_names_the_best_and_the_reference() -> None:
    # the bug of issue 8: the best optimizer was also listed as the comparison ("... for Adam and 0.018 for Adam")
    text = lowest_loss_sentence({"SGD": 0.076, "Adam": 0.018, "Momentum": 0.05})
    assert text == "The lowest final loss, 0.018, comes from Adam, against 0.076 for tuned SGD."
    assert text.count("Adam") == 1


def test_lowest_loss_sentence_when_the_reference_wins() -> None:
    text = lowest_loss_sentence({"SGD": 0.01, "Adam": 0.018, "Momentum": 0.05})
    assert text == "The lowest final loss, 0.010, comes from tuned SGD itself; the next lowest, 0.018, from Adam."


def test_lowest_loss_sentence_needs_the_reference() -> None:
    with pytest.raises(ValueError):
        lowest_loss_sentence({"Adam": 0.1, "Momentum": 0.2})
    with pytest.raises(ValueError):
        lowest_loss_sentence({"SGD": 0.1})


def test_first_below_sentence_every_branch() -> None:
    assert first_below_sentence({"SGD": 900, "Adam": 300}, 0.3) == (
        "The first to bring the loss below 0.3 is Adam, after 300 iterations, where SGD needs 900."
    )
    assert first_below_sentence({"SGD": 200, "Adam": 300}, 0.3) == (
        "The first to bring the loss below 0.3 is SGD, after 200 iterations."
    )
    assert first_below_sentence({"SGD": None, "Adam": 1300}, 0.3) == (
        "The first to bring the loss below 0.3 is Adam, after 1,300 iterations; SGD never gets there."
    )
    assert first_below_sentence({"SGD": None, "Adam": None}, 0.3) == (
        "None of them brings the recorded loss below 0.3."
    )
    with pytest.raises(ValueError):
        first_below_sentence({"Adam": 1}, 0.3)


def test_tuned_rate_sentence_both_branches() -> None:
    assert tuned_rate_sentence(1.0, 1.0) == "The book's SGD learning rate, 1, is also the best of the grid here."
    assert "the best rate in the grid is 3, not the book's 1" in tuned_rate_sentence(3.0, 1.0)


def test_crossover_sentence_every_branch() -> None:
    sizes = [500, 1000, 2000]
    assert crossover_sentence(sizes, [True, True, True], "randomized SVD", "full SVD") == (
        "The randomized SVD was the faster of the two at every size measured."
    )
    assert crossover_sentence(sizes, [False, True, True], "randomized SVD", "full SVD") == (
        "On the smallest sizes the full SVD is still the faster one; the randomized SVD was faster from 1,000 "
        "words on."
    )
    # faster at one size in the middle but not at the last: no size from which it was faster at every larger one
    assert crossover_sentence(sizes, [False, True, False], "randomized SVD", "full SVD") == (
        "On the largest size measured, the full SVD was still not slower than the randomized SVD."
    )
    with pytest.raises(ValueError):
        crossover_sentence(sizes, [True], "a", "b")


def test_best_guess_sentence_both_branches() -> None:
    assert best_guess_sentence(4, 4) == "In each of the 4 other rows the right word gets the largest probability"
    assert best_guess_sentence(3, 4) == "In the other rows the right word gets the largest probability in 3 of 4"
    with pytest.raises(ValueError):
        best_guess_sentence(5, 4)


def test_epochs_note_every_branch() -> None:
    assert epochs_note(10, 10) == "the full length of the experiment"
    assert epochs_note(5, 10) == "fewer than the 10 of the full experiment, to fit the page's time budget"
    assert epochs_note(12, 10) == "more than the 10 of the full experiment"


def test_analogy_halves_sentence_every_branch() -> None:
    assert analogy_halves_sentence(0.01, 0.05).startswith("The syntactic questions")
    assert analogy_halves_sentence(0.05, 0.01).startswith("The semantic questions that can be asked")
    assert analogy_halves_sentence(0.05, 0.05).startswith("The semantic questions that can be asked")
    assert analogy_halves_sentence(None, 0.05).startswith("None of the semantic questions")
    assert analogy_halves_sentence(0.05, None).startswith("None of the syntactic questions")
    assert analogy_halves_sentence(None, None).startswith("Neither half")


def test_shared_direction_sentence_both_branches() -> None:
    assert shared_direction_sentence(0.5, 0.1) == "They are far from exactly parallel, but they share a direction."
    assert shared_direction_sentence(0.15, 0.1) == "Trained on this little text, they hardly share a direction."


def _run(train_s: float, epochs: int = 10, correct: int = 40, accuracy: float = 0.02, loss: float = 2.5) -> dict:
    return {
        "wall_time": {"train_s": train_s},
        "config": {"epochs": epochs},
        "evaluation": {"analogy": {"accuracy": accuracy, "correct": correct}},
        "history": {"epoch_loss": [3.0, loss]},
    }


def test_committed_runs_sentence_every_branch() -> None:
    build = _run(30.0)
    everything = {
        "cbow-ptb": _run(400.0, accuracy=0.03),
        "cbow-ptb-fast": _run(40.0),
        "skipgram-ptb": _run(900.0),
        "skipgram-ptb-fast": _run(90.0),
    }
    text = committed_runs_sentence(everything, build)
    assert "took 400 s for 10 epochs and the fast variant (`cbow-ptb-fast`) 40 s, 10.0 times less" in text
    assert "3.00% against 2.00%" in text
    assert "For skip-gram the two took 900 s and 90 s (10.0 times less)." in text
    assert "reproduces its loss and its analogy score exactly" in text

    differs = committed_runs_sentence({"cbow-ptb-fast": _run(40.0, correct=41)}, build)
    assert differs.startswith("The build-time run uses the same settings and seed") and "took" not in differs
    other_length = committed_runs_sentence({"cbow-ptb-fast": _run(40.0, epochs=20)}, build)
    assert other_length == ("The committed `cbow-ptb-fast` run trained for 20 epochs, the build-time run for 10, "
                            "so their numbers differ.")
    only_book = committed_runs_sentence({"cbow-ptb": _run(400.0)}, build)
    assert only_book.startswith("No committed results file was found")
    assert committed_runs_sentence({}, build).startswith("No committed results file was found")


def test_every_sentence_helper_is_tested() -> None:
    """A new sentence helper in _pages must get a test of its branches here."""
    source = Path(__file__).read_text(encoding="utf-8")
    helpers = [n for n in _pages.__all__ if n.endswith("_sentence") or n in ("and_join", "times", "epochs_note")]
    untested = [n for n in helpers if f"def test_{n}" not in source]
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


def test_unread_tail_sentence() -> None:
    from scratchnlp._pages import unread_tail_sentence

    some = unread_tail_sentence(99, 19, 5)
    assert "99 words long" in some and "read 95 of them" in some
    assert "the last 4 words of every segment stay unread" in some
    one = unread_tail_sentence(96, 19, 5)
    assert "the last word of every segment stays unread" in one
    whole = unread_tail_sentence(100, 20, 5)
    assert "to its end" in whole and "unread" not in whole
    for bad in [(90, 19, 5), (0, 1, 1), (10, 0, 5), (10, 2, 0)]:
        with pytest.raises(ValueError, match="iterations"):
            unread_tail_sentence(*bad)


def test_book_perplexity_sentence() -> None:
    from scratchnlp._pages import book_perplexity_sentence

    assert book_perplexity_sentence(5.3, 5.0).startswith("That is close")
    assert book_perplexity_sentence(2.0, 5.0).startswith("That is lower")
    assert book_perplexity_sentence(9.0, 5.0).startswith("That is higher")
    assert book_perplexity_sentence(9.0, 5.0, rel_tol=1.0).startswith("That is close")
    with pytest.raises(ValueError, match="finite"):
        book_perplexity_sentence(math.inf, 5.0)
    with pytest.raises(ValueError, match="finite"):
        book_perplexity_sentence(0.5, 5.0)


def test_fixed_weights_sentence() -> None:
    from scratchnlp._pages import fixed_weights_sentence

    assert fixed_weights_sentence(5.0, 5.2).startswith("The two agree")
    assert fixed_weights_sentence(5.0, 7.7).startswith("The fixed weights score worse")
    assert fixed_weights_sentence(5.0, 3.0).startswith("The fixed weights score better")
    with pytest.raises(ValueError, match="finite"):
        fixed_weights_sentence(math.nan, 5.0)
    with pytest.raises(ValueError, match="finite"):
        fixed_weights_sentence(5.0, 0.9)


# --- chapter 7: generating text, seq2seq learning to add ----------------------------------------------------


def test_md_text_escapes_what_markdown_would_interpret() -> None:
    assert _pages.md_text("the <unk> costs $ 5") == r"the \<unk\> costs \$ 5"
    assert _pages.md_text("a_b *c*") == r"a\_b \*c\*"
    assert _pages.md_text("plain words .") == "plain words ."


def test_repetition_sentence_every_branch() -> None:
    looped = _pages.repetition_sentence(["the company said", "it is n't", "the  company said", "the company said", ""],
                                        "temperature 0")
    assert looped == ("At temperature 0, the text goes round in a loop: the sentence \u201cthe company said\u201d "
                      "occurs 3 times.")
    twice = _pages.repetition_sentence(["a b", "c <unk>", "c <unk>"], "T = 0.5")
    assert "\u201cc \\<unk\\>\u201d occurs twice" in twice
    assert _pages.repetition_sentence(["a", "b", "c"], "temperature 1") == (
        "At temperature 1, no sentence of the text occurs twice.")
    with pytest.raises(ValueError, match="empty"):
        _pages.repetition_sentence(["", "  "], "temperature 1")


def test_book_accuracy_sentence_every_branch() -> None:
    kw = {"experiment": "seq2seq-addition-reverse", "epochs": 25}
    missing = _pages.book_accuracy_sentence(None, 0.54, **kw)
    assert "No results file of `seq2seq-addition-reverse`" in missing and "about 54%" in missing
    assert _pages.book_accuracy_sentence(0.561, 0.54, **kw) == (
        "The committed run of `seq2seq-addition-reverse` ends at 56.1% after 25 epochs, close to the book's 54% "
        "or so.")
    assert "above the book's 54%" in _pages.book_accuracy_sentence(0.70, 0.54, **kw)
    assert "below the book's 54%" in _pages.book_accuracy_sentence(0.40, 0.54, **kw)
    with pytest.raises(ValueError, match="fractions"):
        _pages.book_accuracy_sentence(54.0, 0.54, **kw)


def test_build_seq2seq_sentence_every_branch() -> None:
    curve = [0.01, 0.05, 0.30, 0.60]
    assert "nothing to compare" in _pages.build_seq2seq_sentence(0.1, 20000, None, 45000)
    assert "nothing to compare" in _pages.build_seq2seq_sentence(0.1, 20000, [], 45000)
    less = _pages.build_seq2seq_sentence(0.1, 20000, curve, 45000)
    assert less.startswith("That is less than one epoch") and "1.0%" in less
    more = _pages.build_seq2seq_sentence(0.9, 250000, curve, 45000)
    assert "in its 4 epochs" in more and "60.0%" in more
    same = _pages.build_seq2seq_sentence(0.31, 140000, curve, 45000)
    assert "after 3 epochs and then answered 30.0%: about the same" in same
    one = _pages.build_seq2seq_sentence(0.05, 50000, curve, 45000)
    assert "after 1 epoch and then answered 1.0%, less than the build-time run" in one
    two = _pages.build_seq2seq_sentence(0.0, 90000, curve, 45000)
    assert "after 2 epochs and then answered 5.0%, more than the build-time run" in two
    with pytest.raises(ValueError, match="questions_seen"):
        _pages.build_seq2seq_sentence(0.1, 0, curve, 45000)
    with pytest.raises(ValueError, match="accuracy"):
        _pages.build_seq2seq_sentence(10.0, 100, curve, 45000)


# --- chapter 6 and appendix C ------------------------------------------------------------------------------


def test_gradient_fate_sentence_every_branch() -> None:
    all_three = _pages.gradient_fate_sentence({"a": 1e-6, "b": 0.5, "c": 1e5, "d": 1e-4}, 40)
    assert all_three == (
        "With a and d the gradient vanishes: 40 steps back it is less than 0.001 times its size at the last step. "
        "With c it explodes, growing more than 1000-fold over 40 steps. "
        "With b it stays between 0.001 and 1000 times its starting size over 40 steps: neither vanished nor "
        "exploded yet.")
    assert _pages.gradient_fate_sentence({"a": 1e-9}, 5).startswith("With a the gradient vanishes")
    assert _pages.gradient_fate_sentence({"a": 1e9}, 5).startswith("With a the gradient explodes")
    assert _pages.gradient_fate_sentence({"a": 1.0, "b": 2.0}, 5).startswith("With a and b the gradient stays between")
    assert "With b it stays" in _pages.gradient_fate_sentence({"a": 1e9, "b": 2.0}, 5)
    with pytest.raises(ValueError, match="at least one setting"):
        _pages.gradient_fate_sentence({}, 5)
    with pytest.raises(ValueError, match="at least one setting"):
        _pages.gradient_fate_sentence({"a": 1.0}, 0)
    with pytest.raises(ValueError, match="finite"):
        _pages.gradient_fate_sentence({"a": float("inf")}, 5)


def test_clipping_sentence_every_branch() -> None:
    assert _pages.clipping_sentence([0.1, 0.2], 0.25) == (
        "The gradient norm never exceeded 0.25 in these 2 iterations, so clipping never changed an update.")
    assert "in every one of the 3 iterations" in _pages.clipping_sentence([1.0, 2.0, 3.0], 0.25)
    early = _pages.clipping_sentence([5.0, 1.0, 0.1, 0.1], 0.25)
    assert early.startswith("Clipping changed 2 of the 4 updates (50%): 2 in the first half of the run and 0 in "
                            "the second.") and "mostly early" in early
    late = _pages.clipping_sentence([0.1, 0.1, 0.1, 1.0], 0.25)
    assert "1 of the 4 updates (25%): 0 in the first half" in late and "later in the run" in late
    even = _pages.clipping_sentence([1.0, 0.1, 1.0, 0.1], 0.25)
    assert even.endswith("1 in the first half of the run and 1 in the second.")
    with pytest.raises(ValueError, match="at least one norm"):
        _pages.clipping_sentence([], 0.25)
    with pytest.raises(ValueError, match="max_grad > 0"):
        _pages.clipping_sentence([1.0], 0.0)


def test_book_weights_sentence_every_branch() -> None:
    same = _pages.book_weights_sentence(136.08, 136)
    assert same.startswith("With the book's own weights, the library's `Rnnlm` scores a test perplexity of 136.08; "
                           "the book reports about 136.")
    assert "above the book's figure of about 136" in _pages.book_weights_sentence(140.0, 136)
    assert "below the book's figure of about 136" in _pages.book_weights_sentence(120.0, 136)
    with pytest.raises(ValueError, match="finite"):
        _pages.book_weights_sentence(float("nan"), 136)


def _better(valid: list[float], best: int, test: float = 80.0, corpus_size: int = 0) -> dict:
    return {"history": {"valid_perplexity": valid, "best_epoch": best},
            "evaluation": {"test_perplexity": test}, "config": {"corpus_size": corpus_size}}


def test_better_rnnlm_sentence_every_branch() -> None:
    cmd = "scratchnlp run better-rnnlm-ptb"
    missing = _pages.better_rnnlm_sentence(None, 40, 75.8, cmd)
    assert missing.startswith("No committed run of `better-rnnlm-ptb` exists yet") and f"`{cmd}`" in missing
    short = _pages.better_rnnlm_sentence(_better([120.0, 100.0, 95.0], 3), 40, 75.8, cmd)
    assert short == (
        "The committed run trained 3 of the book's 40 epochs, so it is a shorter run than the book's. "
        "Its validation perplexity was still falling at its last epoch (95.0), so the run had not finished "
        "improving. The kept parameters score a test perplexity of 80.0, against the book's 75.8 after 40 epochs.")
    full = _pages.better_rnnlm_sentence(_better([120.0, 90.0, 95.0], 2), 3, 75.8, cmd)
    assert full.startswith("The committed run trained all 3 epochs of the book's settings.")
    assert "Its best validation perplexity, 90.0, came at epoch 2" in full
    more = _pages.better_rnnlm_sentence(_better([120.0, 90.0], 2, corpus_size=5000), 1, 75.8, cmd)
    assert "trained 2 epochs, more than the book's 1" in more and "first 5,000 words" in more
    with pytest.raises(ValueError, match="no epoch"):
        _pages.better_rnnlm_sentence(_better([], 1), 40, 75.8, cmd)
    with pytest.raises(ValueError, match="book_epochs"):
        _pages.better_rnnlm_sentence(None, 0, 75.8, cmd)


def test_gated_cells_sentence_every_branch() -> None:
    assert _pages.gated_cells_sentence({"GRU": 0.99, "LSTM": 0.95, "RNN": 0.9}) == (
        "GRU ends with the highest accuracy, 99.0%, ahead of LSTM (95.0%) and RNN (90.0%).")
    assert _pages.gated_cells_sentence({"GRU": 1.0, "RNN": 0.949, "LSTM": 0.983}) == (
        "GRU ends with the highest accuracy, 100.0%, ahead of LSTM (98.3%) and RNN (94.9%).")
    assert _pages.gated_cells_sentence({"GRU": 0.99, "LSTM": 0.988, "RNN": 0.9}) == (
        "GRU and LSTM end level, within 0.5 points of 99.0%, ahead of RNN (90.0%).")
    assert _pages.gated_cells_sentence({"GRU": 0.99, "LSTM": 0.988}).startswith("All of them end within 0.5 points")
    with pytest.raises(ValueError, match="two or more"):
        _pages.gated_cells_sentence({"GRU": 0.99})
    with pytest.raises(ValueError, match="two or more"):
        _pages.gated_cells_sentence({"GRU": 99.0, "LSTM": 0.5})


def test_markdown_table_refuses_a_caption_with_backticks():
    import pytest

    from scratchnlp._pages import markdown_table

    with pytest.raises(ValueError, match="cannot contain backticks"):
        markdown_table(["a"], [[1]], "The `Rnnlm` runs", "tbl-x")


def test_near_misses_sentence_every_branch() -> None:
    def ex(answer, guess):
        return {"answer": answer, "guess": guess, "correct": answer == guess}

    assert _pages.near_misses_sentence([ex("162 ", "162 ")], "the baseline") == (
        "All 1 of the baseline's answers here are right.")
    every = _pages.near_misses_sentence([ex("162 ", "162 "), ex("1139", "1130"), ex("666 ", "668 ")],
                                        "the baseline")
    assert every.startswith("The baseline is rarely far off. Each of its 2 wrong answers has the right")
    one = _pages.near_misses_sentence([ex("1139", "1130")], "the model")
    assert "Its one wrong answer has the right number of digits" in one
    some = _pages.near_misses_sentence([ex("1139", "1130"), ex("666 ", "1021")], "the baseline")
    assert some.startswith("1 of the baseline's 2 wrong answers here have")
    none = _pages.near_misses_sentence([ex("666 ", "1021"), ex("857 ", "102 ")], "the baseline")
    assert none == ("None of the baseline's 2 wrong answers here has both the right number of digits and the right "
                    "first digit.")
    assert _pages.near_misses_sentence(None, "the baseline") == (
        "Without a results file for the baseline, its answers cannot be shown.")
    with pytest.raises(ValueError, match="no examples"):
        _pages.near_misses_sentence([], "the baseline")


def test_question_words_splits_letters_and_digits():
    assert _pages.question_words("september 27, 1994   ") == [("september", 0, 9), ("27", 10, 12), ("1994", 14, 18)]
    assert _pages.question_words("10/15/94") == [("10", 0, 2), ("15", 3, 5), ("94", 6, 8)]
    assert _pages.question_words("  ,  ") == []


def test_attention_reading_sentence():
    """attention_reading finds the word each part looked at; the sentence names them."""
    import numpy as np

    question = "JUN 17, 2013"
    w = np.zeros((10, len(question)))
    w[0:4, 8:12] = 0.2  # the year's rows: 80% on "2013", the rest on the padding-free gap
    w[0:4, 7] = 0.2
    w[5:7, 0:3] = 1 / 3  # the month's rows: all on "JUN"
    w[8:10, 4:6] = 0.5  # the day's rows: all on "17"
    reading = _pages.attention_reading(w, question, {"year": (0, 4), "month": (5, 7), "day": (8, 10)})
    assert reading["year"] == ("2013", pytest.approx(0.8))
    assert reading["month"] == ("JUN", pytest.approx(1.0))
    assert reading["day"] == ("17", pytest.approx(1.0))
    sentence = _pages.attention_reading_sentence(question, reading)
    assert sentence == ("For “JUN 17, 2013”, the answer took its year from “2013” (80% of its attention), its month "
                        "from “JUN” (100% of its attention) and its day from “17” (100% of its attention).")


def test_attention_reading_rejects_bad_shapes():
    import numpy as np

    with pytest.raises(ValueError, match=r"weights must be \(A, 4\)"):
        _pages.attention_reading(np.zeros((3, 5)), "1 2 ", {"a": (0, 1)})
    with pytest.raises(ValueError, match="no words"):
        _pages.attention_reading(np.zeros((3, 2)), ", ", {"a": (0, 1)})
    with pytest.raises(ValueError, match="part 'a'"):
        _pages.attention_reading(np.zeros((3, 2)), "12", {"a": (2, 5)})
    with pytest.raises(ValueError, match="empty"):
        _pages.attention_reading_sentence("12", {})


def test_date_runs_sentence():
    s = _pages.date_runs_sentence({"seq2seq": [0.0, 0.01], "attention": [0.95, 0.999], "peeky": [0.1, 0.6]})
    assert s == ("After 2 epochs the test accuracies are: attention 99.9%, peeky 60.0% and seq2seq 1.0%. "
                 "The attention model was above 99% from epoch 2 on.")
    s = _pages.date_runs_sentence({"a": [0.995, 0.98, 0.999]}, missing=["b"])
    assert "from epoch 1 on (with dips below it later)." in s and s.endswith("No results file was found for b.")
    assert "None of them reached 99%" in _pages.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]})
    assert "At the end of their runs" in _pages.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]})
    assert _pages.date_runs_sentence({}, missing=["a"]).startswith("No results file of the three runs")
    with pytest.raises(ValueError):
        _pages.date_runs_sentence({"a": []})


def test_bidirectional_sentence():
    assert "no difference" in _pages.bidirectional_sentence(0.99, 0.992)
    assert "helps here" in _pages.bidirectional_sentence(0.90, 0.99)
    assert "does not help" in _pages.bidirectional_sentence(0.99, 0.90)
    with pytest.raises(ValueError):
        _pages.bidirectional_sentence(1.5, 0.9)


def test_reading_agreement_sentence():
    assert _pages.reading_agreement_sentence(12, 12).startswith("In all 12 parts")
    assert _pages.reading_agreement_sentence(0, 12).startswith("In none of the 12")
    assert _pages.reading_agreement_sentence(7, 12).startswith("In 7 of the 12")
    with pytest.raises(ValueError):
        _pages.reading_agreement_sentence(3, 2)


def test_diffuse_positions_sentence():
    labels = "yyyy-mm-dd"
    entropy = [0.1, 0.2, 0.1, 0.1, 2.0, 0.1, 0.1, 1.5, 0.3, 0.1]
    constant = [c == "-" for c in labels]
    s = _pages.diffuse_positions_sentence(entropy, labels, constant)
    assert s.startswith("The attention is most spread out at answer positions 4 (“-”, 2.00 bits) and "
                        "7 (“-”, 1.50 bits)")
    assert "nothing in the question decides them" in s
    entropy[0] = 3.0
    assert "nothing in the question" not in _pages.diffuse_positions_sentence(entropy, labels, constant)
    with pytest.raises(ValueError):
        _pages.diffuse_positions_sentence(entropy, labels[:-1], constant)


# --- the speed-up page: benchmark records, precision and the GPU ---------------------------------------------


def _bench_record(results, **extra):
    return {"script": "benchmarks/x.py", "date": "2026-12-01T08:00:00+00:00", "wall_s": 12.0,
            "machine": {"cpu": "Some CPU", "cpu_count": 2, "numpy": "2.4.6"}, "results": results, **extra}


BENCH_RESULTS = {
    "bench_count_based": {"ppmi": {"label": "PPMI on a 1000x1000 slice", "book_s": 0.8, "ours_s": 0.002},
                          "co_matrix": {"label": "co-occurrence", "book_s": 2.0, "ours_s": 0.5}},
    "bench_word2vec": {
        "scatter": {"W_in, batch 100": {"loop": 0.5, "add.at": 0.6, "scatter_add": 0.2}},
        "adam": {"dense": {"optim.Adam": 4.0, "FusedAdam(exact=True)": 3.5, "FusedAdam": 3.2}},
        "book": {"CBOW": {"iterations": 150, "book_way_s": 10.0, "ours_fused_adam_s": 1.0}},
        "fast": {"skipped": "gensim not installed"},
    },
    "bench_rnnlm": {"rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.04, "pytorch": 0.05}},
                    "book": {"best_s": {"book's code way": 0.06, "pytorch": 0.05}}},
    "bench_seq2seq": {"train": {"Seq2seq": {"best_s": {"book's code": 0.012, "scratchnlp": 0.011}}},
                      "decode": {"Seq2seq": {"best_s": {"book's loop": 1.9, "scratchnlp, batched": 0.14}}}},
    "bench_attention": {"train": {"best_s": {"book's code": 0.1, "scratchnlp": 0.05},
                                  "attention_layer": {"best_s": {"book's code": 0.01, "scratchnlp": 0.002}}},
                        "decode": {"best_s": {"book's loop": 4.0, "scratchnlp, batched": 0.2}}},
    "bench_unknown": {"x": 1},
}


def test_load_benchmarks_reads_the_records(tmp_path):
    for name, results in BENCH_RESULTS.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(_bench_record(results)), encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # not a bench_*.json: ignored
    records = _pages.load_benchmarks(tmp_path)
    assert list(records) == sorted(BENCH_RESULTS)
    assert _pages.load_benchmarks(tmp_path / "missing") == {}
    (tmp_path / "bench_bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="bench_bad.json"):
        _pages.load_benchmarks(tmp_path)


def test_benchmark_ratios_one_row_per_comparison_in_chapter_order():
    records = {name: _bench_record(results) for name, results in BENCH_RESULTS.items()}
    rows = _pages.benchmark_ratios(records)
    assert [r["script"] for r in rows] == (["bench_count_based"] * 2 + ["bench_word2vec"] * 3 + ["bench_rnnlm"] * 2
                                           + ["bench_seq2seq"] * 2 + ["bench_attention"] * 3)
    by_what = {r["what"]: r for r in rows}
    assert by_what["PPMI on a 1000x1000 slice (ch. 2)"]["ratio"] == pytest.approx(400)
    assert by_what["scatter-add, W_in, batch 100"]["reference_s"] == pytest.approx(0.6e-3)
    assert by_what["one Adam step, dense gradient"]["ratio"] == pytest.approx(4.0 / 3.2)
    rnnlm = [r for r in rows if r["script"] == "bench_rnnlm"]
    assert [r["reference"] for r in rnnlm] == ["PyTorch, same threads", "the book's code"]  # no BetterRnnlm run
    assert rnnlm[1]["ratio"] == pytest.approx(0.06 / 0.04)
    assert by_what["TimeAttention forward and backward (ch. 8)"]["ratio"] == pytest.approx(5)
    assert by_what["AttentionSeq2seq, answering the test questions (ch. 8)"]["ratio"] == pytest.approx(20)
    assert by_what["Seq2seq training iteration (ch. 7)"]["reference"] == "the book's code"
    assert _pages.benchmark_ratios({}) == []


def test_the_committed_benchmark_records_give_rows():
    records = _pages.load_benchmarks()
    if not records:
        pytest.skip("no benchmark results committed")
    rows = _pages.benchmark_ratios(records)
    assert rows and all(r["ratio"] > 0 for r in rows)


@pytest.mark.parametrize("seconds, text", [(0.7916, "792 ms"), (12.34, "12.3 s"), (0.04138, "41.4 ms"),
                                            (0.00022, "220 µs"), (3e-7, "0.300 µs"), (1.0, "1.00 s")])
def test_seconds_text(seconds, text):
    assert _pages.seconds_text(seconds) == text


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_seconds_text_refuses_what_is_no_duration(bad):
    with pytest.raises(ValueError, match="positive"):
        _pages.seconds_text(bad)


def test_machine_text():
    assert _pages.machine_text(_bench_record({})) == "Some CPU, 2 cores, NumPy 2.4.6, 2026-12-01"
    gpu = _bench_record({}, machine={"cpu": "C", "gpu": "NVIDIA H100", "cupy": "13.6.0"})
    assert _pages.machine_text(gpu) == "C, NVIDIA H100, CuPy 13.6.0, 2026-12-01"
    assert _pages.machine_text({}) == "an unnamed CPU"


def test_precision_effect_sentence_every_branch():
    same = _pages.precision_effect_sentence("the model", "accuracy", 95.0, 95.0, higher_is_better=True, unit="%")
    assert "exactly as it was: 95.0%" in same
    tiny = _pages.precision_effect_sentence("the LM", "perplexity", 200.0, 200.004, higher_is_better=False,
                                            tolerance=0.01)
    assert "which is nothing" in tiny and "200.0 with float32" in tiny
    worse = _pages.precision_effect_sentence("the LM", "perplexity", 200.0, 210.0, higher_is_better=False)
    assert "lowers the perplexity by 10.0, 5% of it" in worse
    lower_acc = _pages.precision_effect_sentence("m", "accuracy", 90.0, 80.0, higher_is_better=True, unit="%")
    assert "lowers the accuracy by 10.0 percentage points, 11% of it (90.0% with float32" in lower_acc
    better = _pages.precision_effect_sentence("m", "accuracy", 90.0, 91.0, higher_is_better=True, unit="%")
    assert "happens to improve the accuracy by 1.0 percentage points" in better
    tiny_points = _pages.precision_effect_sentence("m", "accuracy", 90.0, 90.01, higher_is_better=True, unit="%",
                                                   tolerance=0.1)
    assert "by 0.01 percentage points, which is nothing" in tiny_points
    broken = _pages.precision_effect_sentence("m", "perplexity", 200.0, math.inf, higher_is_better=False)
    assert "broke the model" in broken
    from_zero = _pages.precision_effect_sentence("m", "score", 0.0, 1.0, higher_is_better=True)
    assert "happens to improve the score by 1.0 (" in from_zero


def test_gpu_sentence_every_branch():
    assert "measured during the build" in _pages.gpu_sentence(True, None)
    assert "no measurements from a GPU have been committed" in _pages.gpu_sentence(False, None)
    committed = _pages.gpu_sentence(False, _bench_record({}, machine={"cpu": "C", "gpu": "NVIDIA H100"}))
    assert "(C, NVIDIA H100, 2026-12-01)" in committed


def test_training_step_time_trains_the_model_and_returns_a_time():
    import numpy as np

    from scratchnlp import optim
    from scratchnlp.models import Rnnlm

    model = Rnnlm(30, 4, 5, seed=0)
    before = model.params[0].copy()
    xs = np.random.default_rng(0).integers(0, 30, (2, 3))
    seconds = _pages.training_step_time(model, optim.SGD(0.1), xs, xs, max_grad=1.0, repeats=2)
    assert seconds > 0 and not np.array_equal(before, model.params[0])
    with pytest.raises(ValueError, match="repeats"):
        _pages.training_step_time(model, optim.SGD(0.1), xs, xs, repeats=0)


def test_chapter_step_times_on_the_cpu():
    times = _pages.chapter_step_times("cpu", repeats=1, models=("Rnnlm", "AttentionSeq2seq"))
    assert set(times) == {"Rnnlm", "AttentionSeq2seq"} and all(t > 0 for t in times.values())
    with pytest.raises(ValueError, match="unknown models"):
        _pages.chapter_step_times("cpu", models=("GPT",))


def test_gpu_available_leaves_the_device_alone():
    from scratchnlp import backend

    assert isinstance(_pages.gpu_available(), bool)
    assert backend.get_device() == "cpu"


def test_benchmarks_dir_is_in_the_repository():
    root = repo_root()
    assert root is not None
    assert _pages.benchmarks_dir() == root / "benchmarks" / "results"
    assert _pages.benchmarks_dir(Path("/x")) == Path("/x/benchmarks/results")


def test_batch_gain_sentence_every_branch():
    gains = {"the language model": (4.2, "words"), "the date reader": (9.0, "dates")}
    assert _pages.batch_gain_sentence(gains) == (
        "From the smallest batch to the largest, the language model processes 4.2 times as many words per second "
        "and the date reader processes 9.0 times as many dates per second.")
    flat = _pages.batch_gain_sentence({"the language model": (1.05, "words"), "the date reader": (0.5, "dates")})
    assert "the language model processes about as many words per second (1.05 times as many)" in flat
    assert "the date reader processes fewer dates per second (0.50 times as many)" in flat
    with pytest.raises(ValueError):
        _pages.batch_gain_sentence({})


def test_seed_spread_sentence():
    s = _pages.seed_spread_sentence({0: 0.9786, 1: 0.9866, 2: 0.9728}, 0.9814, 25)
    assert s.endswith("ends epoch 25 between 97.28% and 98.66% (mean 97.93%); the book's 98.14% is inside that range.")
    assert s.startswith("Run with 3 different seeds")
    assert "below all of them" in _pages.seed_spread_sentence({0: 0.99, 1: 0.995}, 0.98, 25)
    assert "above all of them" in _pages.seed_spread_sentence({0: 0.9, 1: 0.95}, 0.98, 25)
    with pytest.raises(ValueError):
        _pages.seed_spread_sentence({0: 0.9}, 0.98, 25)
