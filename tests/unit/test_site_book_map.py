"""The book map (``scratchnlp._site.book_map``): the book's table of contents, where each section is taught on the
site (read from the real pages), the book's results beside the committed runs, and the book code's problems."""

from __future__ import annotations

import pickle
import re
import string
import textwrap
from pathlib import Path

import pytest

from scratchnlp import _pages
from scratchnlp._site import book_map as bm
from scratchnlp._site import speedup
from scratchnlp.checkpoint import CheckpointError, load_book_params

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"

pytest.importorskip("myst_parser")
pytest.importorskip("jupytext")


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """The functions follow SCRATCHNLP_LANG when no language is given: these tests ask for English by default."""
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


@pytest.fixture(scope="module")
def headings() -> list[bm.SiteHeading]:
    return bm.read_site_headings(BOOK)


@pytest.fixture(scope="module")
def placements(headings) -> list[bm.Placement]:
    return bm.place_sections(headings)


# --- the book's table of contents --------------------------------------------------------------------------


def test_the_table_of_contents_is_well_formed() -> None:
    numbers = [s.number for s in bm.BOOK_TOC]
    assert len(numbers) == len(set(numbers)), "a section number appears twice"
    assert [c.number for c in bm.chapters()] == ["1", "2", "3", "4", "5", "6", "7", "8", "A", "B", "C"]
    seen: set[str] = set()
    for s in bm.BOOK_TOC:
        assert s.title.strip() and s.title_ko.strip(), s.number
        if s.parent is not None:
            assert s.parent in seen, f"{s.number} comes before its parent {s.parent}"
        seen.add(s.number)
    # every chapter ends with its summary, except appendices B and C, which have none in the book
    for chapter in [str(k) for k in range(1, 9)]:
        last = [s for s in bm.BOOK_TOC if s.chapter == chapter][-1]
        assert last.title == "Summary" and last.title_ko == "정리", chapter
    assert bm.book_section("6.2.7").title_ko == "LSTM의 기울기 흐름"
    assert bm.section_title(bm.book_section("1.1"), "ko") == "수학과 파이썬 복습"
    assert bm.section_title(bm.book_section("1.1")) == "Mathematics and Python, reviewed"
    assert bm.book_section("7.4.1").depth == 3 and bm.book_section("C").depth == 1


def test_book_section_names_an_unknown_number() -> None:
    with pytest.raises(KeyError, match="no section '9.1'"):
        bm.book_section("9.1")


# --- headings and their numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Neural networks, reviewed", ("1", "1")),
        ("2.3.2–2.3.3 The distributional hypothesis", ("2.3.2", "2.3.3")),
        ("2.1-2.2 Meaning from a thesaurus", ("2.1", "2.2")),
        ("6.2.7 How the gradient flows", ("6.2.7", "6.2.7")),
        ("C. The GRU", ("C", "C")),
        ("C.1 The GRU's interface", ("C.1", "C.1")),
        ("C.1.2 Two levels below a letter", ("C.1.2", "C.1.2")),
        ("Exercises", None),
        ("Beyond the book: the temperature", None),
        ("A look back at the RNN", None),  # a capital letter alone is a word, not an appendix
        ("1.4.2–1.4.4 Training with the `Trainer`", ("1.4.2", "1.4.4")),
    ],
)
def test_parse_heading_number(text, expected) -> None:
    assert bm.parse_heading_number(text) == expected


def test_parse_heading_number_wants_text() -> None:
    with pytest.raises(TypeError, match="str"):
        bm.parse_heading_number(None)  # type: ignore[arg-type]


def _heading(page: str, text: str, level: int = 2, order: int = 0) -> bm.SiteHeading:
    numbers = bm.parse_heading_number(text)
    first, last = numbers if numbers is not None else (None, None)
    return bm.SiteHeading(page, level, text, "slug", first, last, order)


def test_covered_sections_include_everything_inside_the_last_number() -> None:
    assert bm.covered_sections(_heading("ch02", "2.1–2.2 Thesauri")) == {"2.1", "2.1.1", "2.2", "2.2.1", "2.2.2"}
    assert bm.covered_sections(_heading("ch01", "1.3.3–1.3.5 x")) == {"1.3.3", "1.3.4", "1.3.5"}
    assert bm.covered_sections(_heading("ch01", "1.1 x")) == {"1.1", "1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5"}
    assert bm.covered_sections(_heading("ch01", "Exercises")) == set()
    assert bm.covered_sections(_heading("ch01", "D.1 Not the book's")) == set()
    # the site's expansion of 1.5 carries the book's numbers but places no section: chapter 1's headings do
    assert bm.covered_sections(_heading(bm.SITE_APPENDIX, "1.5.1 Bit precision")) == set()
    with pytest.raises(ValueError, match="backwards"):
        bm.covered_sections(_heading("ch02", "2.3.3–2.3.1 x"))


# --- a small site, written here --------------------------------------------------------------------------

_HEADER = textwrap.dedent("""\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
        format_version: 0.13
    kernelspec:
      display_name: Python 3 (ipykernel)
      language: python
      name: python3
    ---
    """)


def _small_site(tmp_path: Path, pages: dict[str, str]) -> Path:
    (tmp_path / "_config.yml").write_text(
        "parse:\n  myst_enable_extensions: [amsmath, colon_fence, dollarmath]\n"
        "sphinx:\n  config:\n    myst_heading_anchors: 3\n",
        encoding="utf-8")
    book = tmp_path / "book"
    book.mkdir()
    for name, body in pages.items():
        (book / f"{name}.md").write_text(_HEADER + textwrap.dedent(body), encoding="utf-8")
    return book


def test_headings_get_the_slugs_myst_gives_them(tmp_path: Path) -> None:
    book = _small_site(tmp_path, {"ch01_review": """\
        # 1. Review

        ## 1.4.2–1.4.4 Training with the `Trainer`

        ```{code-cell} ipython3
        # 1.5 a comment in code, not a heading
        ```

        ### 7.4.2 Peeky: giving $\\mathbf h$ to every step

        ## Checking the gradients

        +++

        ## Checking the gradients

        #### 1.6 Too deep for an anchor
        """, "notes": "# Not a chapter page\n"})
    headings = bm.read_site_headings(book)
    assert [(h.text, h.slug) for h in headings] == [
        ("1. Review", "1-review"),
        ("1.4.2–1.4.4 Training with the `Trainer`", "142144-training-with-the-trainer"),
        ("7.4.2 Peeky: giving $\\mathbf h$ to every step", "742-peeky-giving--to-every-step"),
        ("Checking the gradients", "checking-the-gradients"),
        ("Checking the gradients", "checking-the-gradients-1"),
    ]
    assert [h.order for h in headings] == list(range(5))
    assert headings[1].first == "1.4.2" and headings[1].last == "1.4.4"
    assert bm.heading_link(headings[0]) == "[1. Review](ch01_review.md)"
    assert bm.heading_link(headings[1]) == ("[1.4.2–1.4.4 Training with the `Trainer`]"
                                            "(ch01_review.md#142144-training-with-the-trainer)")


def test_headings_take_their_text_from_a_finished_translation(tmp_path: Path, monkeypatch) -> None:
    book = _small_site(tmp_path, {"appendix_a_x": """\
        # A. Derivatives

        ## A.1 The sigmoid

        ## A.2 The tanh

        ## A.3 Summary
        """})
    po = tmp_path / "locales" / "ko" / "LC_MESSAGES" / "book" / "appendix_a_x.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "A.1 The sigmoid"\nmsgstr "A.1 시그모이드 [함수]"\n\n'
                  '#, fuzzy\nmsgid "A.2 The tanh"\nmsgstr "A.2 낡은 번역"\n\n'
                  'msgid "A.3 Summary"\nmsgstr ""\n', encoding="utf-8")
    first, sigmoid, tanh, summary = bm.read_site_headings(book)
    assert sigmoid.translations == (("ko", "A.1 시그모이드 [함수]"),) and sigmoid.slug == "a1-the-sigmoid"
    assert first.translations == tanh.translations == summary.translations == ()  # none, fuzzy, empty
    assert bm.heading_link(sigmoid) == "[A.1 The sigmoid](appendix_a_x.md#a1-the-sigmoid)"
    # the Korean map shows the translated text, and keeps the anchor MyST made from the English one
    assert bm.heading_link(sigmoid, "ko") == "[A.1 시그모이드 \\[함수\\]](appendix_a_x.md#a1-the-sigmoid)"
    assert bm.heading_link(tanh, "ko") == "[A.2 The tanh](appendix_a_x.md#a2-the-tanh)"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert sigmoid.text_in() == "A.1 시그모이드 [함수]"
    placed = {p.section.number: p for p in bm.place_sections([first, sigmoid, tanh, summary])}
    assert bm.placement_text(placed["A.1"]) == "[A.1 시그모이드 \\[함수\\]](appendix_a_x.md#a1-the-sigmoid)"


def test_read_site_headings_wants_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="book/ folder"):
        bm.read_site_headings(tmp_path / "nowhere")


def test_place_sections_finds_the_most_specific_heading(tmp_path: Path) -> None:
    book = _small_site(tmp_path, {
        "ch01_review": """\
            # 1. Review
            ## 1.1 Maths
            ## 1.3 Learning
            ### 1.3.1 The loss
            ### 1.3.2–1.3.6 The rest
            ## 1.4.1 Spirals
            ## 1.5 Speed
            ## 1.6 Summary
            ## Beyond the book: optimizers
            """,
        bm.SITE_APPENDIX: """\
            # 1.5 in depth
            ## 1.5.1 Bits
            ### Formats
            ## 1.5.2 The GPU
            ## Beyond the book: batches
            ## Summary
            """,
    })
    headings = bm.read_site_headings(book)
    placed = {p.section.number: p for p in bm.place_sections(headings)}
    assert placed["1"].how == "own" and placed["1"].heading.level == 1
    assert placed["1.1"].how == "own"
    assert placed["1.1.3"].how == "parent" and placed["1.1.3"].heading.first == "1.1"
    assert placed["1.3.1"].how == "own"
    assert placed["1.3.4"].how == "range" and placed["1.3.4"].heading.text == "1.3.2–1.3.6 The rest"
    # 1.2 has no heading at all, and only the chapter's title covers it: missing, never hidden
    assert placed["1.2"].how == "missing" and placed["1.2"].heading is None
    assert placed["1.2.1"].how == "missing"
    # 1.4 has no heading of its own, but its first taught subsection has
    assert placed["1.4"].how == "starts" and placed["1.4"].heading.first == "1.4.1"
    assert placed["1.4.2"].how == "missing"
    # the chapters of other pages are missing, extra links resolve where their page and heading exist
    assert placed["2"].how == "missing" and placed["C.2"].how == "missing"
    assert [(link.heading, h.first if h else None) for link, h in placed["1.5"].extras] == [(None, "1.5")]
    assert [(link.heading, h.first if h else None) for link, h in placed["1.5.2"].extras] == [("1.5.2", "1.5.2")]
    # chapter 1's heading places 1.5.1, although the expansion has a heading of that number
    assert placed["1.5.1"].how == "parent" and placed["1.5.1"].heading.page == "ch01_review"
    assert [(link.page, h) for link, h in placed["2.2.1"].extras] == [("appendix_b_wordnet", None)]

    assert bm.placement_text(placed["1.1.3"]) == "in [1.1 Maths](ch01_review.md#11-maths)"
    assert bm.placement_text(placed["1.4"]) == "begins at [1.4.1 Spirals](ch01_review.md#141-spirals)"
    assert bm.placement_text(placed["1.2"]) == "**not on the site yet**"
    assert bm.placement_text(placed["1.5.1"]) == ("in [1.5 Speed](ch01_review.md#15-speed); also "
                                                  "[1.5.1 Bits](speedup.md#151-bits)")
    assert bm.placement_text(placed["2.2.1"]) == ("**not on the site yet**; also `appendix_b_wordnet.md` "
                                                  "(page not written yet)")

    rows = bm.chapter_rows(list(placed.values()), headings, "1")
    assert [r[0] for r in rows[:3]] == ["1", "1.1", "1.1.1"]
    assert rows[-1] == ["–", "beyond the book", "[Beyond the book: optimizers]"
                        "(ch01_review.md#beyond-the-book-optimizers)"]
    korean = bm.chapter_rows(list(placed.values()), headings, "1", lang="ko")
    assert korean[1] == ["1.1", "수학과 파이썬 복습", "[1.1 Maths](ch01_review.md#11-maths)"]
    assert korean[3][2] == "[1.1 Maths](ch01_review.md#11-maths) 안에서"
    assert korean[-1][1] == "책 너머"
    with pytest.raises(ValueError, match="chapter must be one of"):
        bm.chapter_rows(list(placed.values()), headings, "1.1")

    assert bm.site_appendix_rows(list(placed.values()), headings) == [
        ["[1.5.1 Bits](speedup.md#151-bits)", "expands 1.5.1"],
        ["[1.5.2 The GPU](speedup.md#152-the-gpu)", "expands 1.5.2"],
        ["[Beyond the book: batches](speedup.md#beyond-the-book-batches)", "this site's own"],
    ]
    assert bm.unknown_numbered_headings(headings) == []

    counted = bm.coverage(list(placed.values()))
    assert counted.sections == len(bm.BOOK_TOC) and "1.2" in counted.missing
    assert counted.counts["starts"] == 1 and sum(counted.counts.values()) == counted.sections


def test_unknown_numbered_headings_catch_numbers_the_book_does_not_have() -> None:
    # the site's expansion of 1.5 may not pretend to have sections the book does not have either
    bad = [_heading("ch02", "2.3.9 A typo"), _heading("ch02", "2.4–2.3 Backwards"),
           _heading(bm.SITE_APPENDIX, "D.7 Ours")]
    good = [_heading("ch02", "2.3.1 Fine"), _heading(bm.SITE_APPENDIX, "1.5.2 The GPU"), _heading("ch02", "Exercises")]
    assert bm.unknown_numbered_headings(bad + good) == bad


def test_coverage_text_both_branches() -> None:
    counts = {"own": 3, "range": 2, "parent": 1, "starts": 1, "missing": 0}
    assert bm.coverage_text(bm.Coverage(7, counts, ())) == (
        "All 7 sections of the book have a place on the site: 3 under a heading of their own, 2 under a heading "
        "shared with their neighbours, 1 inside the heading of the section that encloses them, and 1 where their "
        "first subsection begins.")
    some = bm.coverage_text(bm.Coverage(9, dict(counts, missing=2), ("B", "B.1")))
    assert some.startswith("7 of the book's 9 sections have a place on the site: 3 under")
    assert some.endswith(" 2 are not on the site yet: B, B.1.")
    # a kind of place that holds no section is not mentioned ("0 under a heading shared ..." was)
    two = bm.coverage_text(bm.Coverage(5, dict(counts, range=0, parent=0, starts=2), ()))
    assert two == ("All 5 sections of the book have a place on the site: 3 under a heading of their own and 2 where "
                   "their first subsection begins.")
    assert "heading shared" not in bm.coverage_text(bm.Coverage(5, dict(counts, range=0), ()))
    with pytest.raises(ValueError, match="places no section"):
        bm.coverage_text(bm.Coverage(0, {}, ()))


def test_toc_pages_lists_the_files_of_the_table_of_contents() -> None:
    pages = bm.toc_pages(ROOT)
    assert {"book_map", "ch01_neural_network_review", "appendix_c_gru", "intro", "api/index"} <= pages


# --- the real site ------------------------------------------------------------------------------------------


def test_every_book_section_is_taught_on_the_site(placements) -> None:
    """A book section that no page's heading covers fails here (and shows as "not on the site yet")."""
    assert len(placements) == len(bm.BOOK_TOC)
    missing = [p.section.number for p in placements if p.how == "missing"]
    assert not missing, f"book sections with no heading on the site: {missing}"


def test_every_extra_link_resolves(placements) -> None:
    unresolved = [(link.section, link.page, link.heading) for p in placements for link, h in p.extras if h is None]
    assert not unresolved, f"extra links to pages or headings that do not exist: {unresolved}"
    assert {link.section for p in placements for link, _ in p.extras} == {e.section for e in bm.EXTRA_LINKS}


def test_every_page_the_map_links_exists_and_is_in_the_toc(placements) -> None:
    linked = bm.linked_pages(placements) | {r.page for r in bm.BOOK_RESULTS} | {bm.BENCHMARKS_SHOWN_AT.page}
    absent = sorted(page for page in linked if not (BOOK / f"{page}.md").is_file())
    assert not absent, f"the map links pages that do not exist: {absent}"
    outside = sorted(linked - bm.toc_pages(ROOT))
    assert not outside, f"the map links pages that _toc.yml does not list: {outside}"


def test_every_numbered_heading_is_a_section_of_the_book(headings) -> None:
    bad = [(h.page, h.text) for h in bm.unknown_numbered_headings(headings)]
    assert not bad, f"headings numbered with sections the book does not have: {bad}"


def test_the_site_headings_are_read_from_every_chapter_page(headings) -> None:
    pages = {h.page for h in headings}
    chapter_pages = {p.stem for p in BOOK.glob("ch[0-9]*.md")} | {p.stem for p in BOOK.glob("appendix_*.md")}
    assert pages == chapter_pages | {bm.SITE_APPENDIX}
    titles = {h.page: h for h in headings if h.level == 1}
    assert titles["ch02_count_based"].first == "2" and titles[bm.SITE_APPENDIX].first == "1.5"
    single = next(h for h in headings if h.first == "2.3.2")
    assert single.last == "2.3.2" and single.slug == "232-distributed-representations-of-words"


# --- the book's results beside ours --------------------------------------------------------------------------


def _run(experiment: str, value: float, metric: str, epochs: int) -> dict:
    return {"experiment": experiment, "evaluation": {metric: value}, "history": {"epoch_loss": [1.0] * epochs},
            "config": {"epochs": epochs}}


PPL = bm.BookResult("x-ppl", "6.4", "a language model", "test_perplexity", 100.0, 4, "ch06_gated_rnn", "6.4")
ACC = bm.BookResult("x-acc", "7.3.4", "a seq2seq", "test_accuracy", 0.5, 25, "ch07_seq2seq", "7.3.4")


def test_compare_result_every_verdict() -> None:
    close = bm.compare_result(PPL, _run("x-ppl", 103.0, "test_perplexity", 4))
    assert close.verdict == "close" and close.difference == pytest.approx(0.03)
    assert bm.comparison_text(close) == "close: within 3.0% of the book's"
    shorter = bm.compare_result(PPL, _run("x-ppl", 130.0, "test_perplexity", 2))
    assert shorter.verdict == "fewer_epochs" and shorter.ours_epochs == 2
    assert bm.comparison_text(shorter) == "differs: fewer epochs (2 of 4); 30% higher"
    lower = bm.compare_result(PPL, _run("x-ppl", 80.0, "test_perplexity", 4))
    assert lower.verdict == "differs" and bm.comparison_text(lower) == "differs: 20% lower"
    acc = bm.compare_result(ACC, _run("x-acc", 0.52, "test_accuracy", 25))
    assert acc.verdict == "close" and bm.comparison_text(acc) == "close: within 2.0 points of the book's"
    acc_far = bm.compare_result(ACC, _run("x-acc", 0.6, "test_accuracy", 25))
    assert bm.comparison_text(acc_far) == "differs: 10.0 points higher"
    acc_short = bm.compare_result(ACC, _run("x-acc", 0.3, "test_accuracy", 10), points_tol=1.0)
    assert bm.comparison_text(acc_short) == "differs: fewer epochs (10 of 25); 20.0 points lower"
    missing = bm.compare_result(ACC, None)
    assert missing.verdict == "missing" and bm.comparison_text(missing) == "no results file yet"


def test_compare_result_counts_epochs_from_the_history_first() -> None:
    run = {"experiment": "x-ppl", "evaluation": {"test_perplexity": 100.0}, "config": {"epochs": 40},
           "history": {"valid_perplexity": [130.0, 110.0]}}
    assert bm.compare_result(PPL, run).ours_epochs == 2
    run = {"experiment": "x-ppl", "evaluation": {"test_perplexity": 100.0}, "config": {"epochs": 3}, "history": {}}
    assert bm.compare_result(PPL, run).ours_epochs == 3
    with pytest.raises(ValueError, match="epochs"):
        bm.compare_result(PPL, {"experiment": "x-ppl", "evaluation": {"test_perplexity": 100.0}})


def test_compare_result_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="expected 'x-ppl'"):
        bm.compare_result(PPL, _run("other", 100.0, "test_perplexity", 4))
    with pytest.raises(ValueError, match="evaluation.test_perplexity"):
        bm.compare_result(PPL, _run("x-ppl", float("nan"), "test_perplexity", 4))
    with pytest.raises(ValueError, match="evaluation.test_accuracy"):
        bm.compare_result(ACC, _run("x-acc", 0.5, "test_perplexity", 4))
    with pytest.raises(ValueError, match="tolerances"):
        bm.compare_result(PPL, None, rel_tol=0.0)
    with pytest.raises(TypeError, match="BookResult"):
        bm.compare_result("x-ppl", None)  # type: ignore[arg-type]


def test_shorter_runs_text_both_branches() -> None:
    full = bm.compare_result(PPL, _run("x-ppl", 100.0, "test_perplexity", 4))
    assert bm.shorter_runs_text([full]) == "Every committed run has trained as many epochs as the book's."
    short = bm.compare_result(PPL, _run("x-ppl", 130.0, "test_perplexity", 1))
    text = bm.shorter_runs_text([full, short, bm.compare_result(ACC, None)])
    assert text.startswith("The committed run of `x-ppl` has trained 1 of the book's 4 epochs so far")
    assert "`scratchnlp run x-ppl --resume`" in text


def test_compare_speed_and_its_words() -> None:
    faster = bm.compare_speed("a loop", 2.0, 0.5)
    assert faster.verdict == "faster" and faster.ratio == 4.0 and bm.speed_text(faster) == "ours 4.0x faster"
    slower = bm.compare_speed("a loop", 1.0, 1.5)
    assert slower.verdict == "slower" and bm.speed_text(slower) == "the book's code 1.5x faster"
    same = bm.compare_speed("a loop", 1.05, 1.0)
    assert same.verdict == "same" and bm.speed_text(same) == "about the same (within 10%)"
    for bad in [0.0, -1.0, float("inf"), True, "1"]:
        with pytest.raises(ValueError, match="positive number of seconds"):
            bm.compare_speed("a loop", bad, 1.0)  # type: ignore[arg-type]


def test_speed_comparisons_keep_the_book_code_rows() -> None:
    rows = [
        {"subject": "PPMI on a slice", "chapter": 2, "reference_key": "python_loop", "reference_s": 1.0,
         "ours_s": 0.1},
        {"subject": "Rnnlm iteration", "chapter": 6, "reference_key": "pytorch", "reference_s": 1.0, "ours_s": 0.5},
        {"subject": "scatter-add", "chapter": None, "reference_key": "book_way", "reference_s": 1.0, "ours_s": 0.5},
    ]
    out = bm.speed_comparisons(rows)
    assert [(chapter, c.what) for chapter, c in out] == [("2", "PPMI on a slice"), (None, "scatter-add")]
    assert out[0][1].ratio == pytest.approx(10.0)


def test_the_speed_rows_of_the_korean_map_are_in_korean(headings) -> None:
    """The rows come worded in the page's language (they were English in the Korean edition)."""
    records = speedup.load_benchmarks()
    english = bm.speed_comparisons(speedup.benchmark_ratios(records, lang="en"))
    korean = bm.speed_comparisons(speedup.benchmark_ratios(records, lang="ko"))
    assert [(ch, c.ratio) for ch, c in korean] == [(ch, c.ratio) for ch, c in english]
    assert "1000x1000 부분 행렬의 PPMI" in [c.what for _, c in korean]
    rows = bm.results_rows([], korean, headings, source_url="u", lang="ko")
    hangul = re.compile("[가-힣]")
    assert rows and all(hangul.search(row[0]) for row in rows), rows


def test_the_book_results_match_the_experiments() -> None:
    from scratchnlp.experiments import get_experiment

    for r in bm.BOOK_RESULTS:
        assert get_experiment(r.experiment).defaults["epochs"] == r.book_epochs, r.experiment
        bm.book_section(r.section)
        bm.book_section(r.heading)


def test_book_result_finds_each_reported_run_and_names_the_known_ones() -> None:
    for r in bm.BOOK_RESULTS:
        assert bm.book_result(r.experiment) is r
    assert bm.book_result("better-rnnlm-ptb").book_value == 75.8
    with pytest.raises(KeyError, match="no result for the run 'cbow-ptb'.*better-rnnlm-ptb"):
        bm.book_result("cbow-ptb")


def test_the_results_table_builds_from_the_committed_results(headings) -> None:
    runs = _pages.committed_runs([r.experiment for r in bm.BOOK_RESULTS])
    assert set(runs) == {r.experiment for r in bm.BOOK_RESULTS}, "a results file the map reads is missing"
    comparisons = [bm.compare_result(r, runs[r.experiment]) for r in bm.BOOK_RESULTS]
    assert all(c.verdict != "missing" and c.ours is not None for c in comparisons)
    speeds = bm.speed_comparisons(speedup.benchmark_ratios(speedup.load_benchmarks()))
    assert speeds, "no benchmark compares the book's code with the library"
    rows = bm.results_rows(comparisons, speeds, headings, source_url="https://example.org/blob/main")
    assert len(rows) == len(comparisons) + len(speeds)
    assert all(len(row) == 6 for row in rows)
    assert all(row[5].startswith("[") for row in rows), "a result links a heading that does not exist"
    first = rows[0]
    assert first[1] == "6.4" and first[2] == "about 136 (4 epochs)"
    assert "(https://example.org/blob/main/results/rnnlm-ptb.json)" in first[3]


def test_results_rows_without_a_run_or_a_heading() -> None:
    rows = bm.results_rows([bm.compare_result(ACC, None)], [(None, bm.compare_speed("x", 1.0, 1.0))], [],
                           source_url="u")
    assert rows == [["a seq2seq", "7.3.4", "about 50% (25 epochs)", "–", "no results file yet", "–"],
                    ["x", "–", "1.00 s, the book's code on the same machine", "1.00 s",
                     "about the same (within 10%)", "–"]]


# --- the book code's problems ------------------------------------------------------------------------------


def test_the_issues_cite_real_sections_and_pinned_files() -> None:
    keys = [issue.key for issue in bm.CODE_ISSUES]
    assert len(keys) == len(set(keys))
    for issue in bm.CODE_ISSUES:
        for number in issue.sections:
            bm.book_section(number)
        assert issue.files
        for f in issue.files:
            repo, commit = bm.BOOK_REPOSITORIES[f.edition]
            assert f.url.startswith(f"https://github.com/{repo}/blob/{commit}/{f.path}")
        for part in ("title", "problem", "library"):
            assert bm.issue_text(issue, part).strip()
    with pytest.raises(ValueError, match="part must be"):
        bm.issue_text(bm.CODE_ISSUES[0], "verdict")  # type: ignore[arg-type]


def test_book_file_links() -> None:
    issue = bm.CodeIssue("ppmi", ("2.4.1",), (bm.BookFile("ko", "common/util.py", (141, 142)),
                                              bm.BookFile("ja", "common/np.py", (8, 8)),
                                              bm.BookFile("ko", "README.md")),
                         (("a report", "https://example.org/7"),))
    links = bm.book_file_links(issue)
    assert links.split("; ") == [
        "[`common/util.py` 141–142 (Korean edition)](https://github.com/WegraLee/deep-learning-from-scratch-2/blob/"
        "7c414a9a72b0d8f5faff332d0c3da6c1dd1cf18b/common/util.py#L141-L142)",
        "[`common/np.py` 8 (Japanese original)](https://github.com/oreilly-japan/deep-learning-from-scratch-2/blob/"
        "842ae31c2bb070f5116275606ed90396626a2c17/common/np.py#L8)",
        "[`README.md` (Korean edition)](https://github.com/WegraLee/deep-learning-from-scratch-2/blob/"
        "7c414a9a72b0d8f5faff332d0c3da6c1dd1cf18b/README.md)",
        "[a report](https://example.org/7)",
    ]


def test_harmless_pickle_runs_its_function_in_pickle_and_is_refused_by_load_book_params(tmp_path: Path) -> None:
    payload = bm.harmless_pickle("marker text")
    assert pickle.loads(payload) == ["MARKER TEXT"]  # the upper case proves that a function was called
    path = tmp_path / "weights.pkl"
    path.write_bytes(payload)
    with pytest.raises(CheckpointError, match="builtins.str.upper"):
        load_book_params(path)
    for bad in ["", "NO LOWER CASE", "x" * 256]:
        with pytest.raises(ValueError, match="marker"):
            bm.harmless_pickle(bad)
    with pytest.raises(TypeError, match="marker"):
        bm.harmless_pickle(b"bytes")  # type: ignore[arg-type]


def test_evidence_text_every_issue() -> None:
    assert bm.evidence_text("sys_path", {"modules": 49, "unchanged": True}) == (
        "imported from a temporary folder, the library's 49 modules left sys.path as it was")
    assert bm.evidence_text("sys_path", {"modules": 3, "unchanged": False}).endswith("left sys.path changed")
    assert bm.evidence_text("gpu_scatter", {"rows": 1000, "targets": 50, "diff": 4e-15}) == (
        "`backend.scatter_add` against `np.add.at`, 1,000 rows added into 50 (every index repeated): largest "
        "difference 4e-15")
    assert bm.evidence_text("gpu_mixed", None).startswith("reported by readers: [oreilly-japan issue #7](")
    assert bm.evidence_text("ppmi", None).startswith("cited: [`common/util.py` 141–142 (Korean edition)](")
    ppmi = bm.evidence_text("ppmi", {"size": 7, "zero": 3, "nan": 33, "cells": 49, "warning": "invalid value",
                                     "lib_bad": 0, "lib_warnings": 0})
    assert ppmi.startswith("the book's formula on a 7×7 matrix with 3 all-zero rows: 33 of 49 cells NaN")
    assert ppmi.endswith("0 non-finite cells, NumPy warnings: 0")
    assert bm.evidence_text("gpu_negatives", {"share": 0.0047, "rows": 0.023, "hits": 0, "draws": 500000}) == (
        "with the book's GPU draw on PTB, 0.47% of the negatives would be the target itself (2.3% of the targets "
        "get at least one); the library's sampler: 0 of 500,000")
    refused = bm.evidence_text("pickle", {"marker": "RAN", "refused": True, "error": "CheckpointError"})
    assert refused == ("`pickle.loads` returned `'RAN'`, made by code the file named; `load_book_params` refused "
                       "it (CheckpointError) and called nothing")
    assert bm.evidence_text("pickle", {"marker": "RAN", "refused": False, "error": ""}).endswith("loaded it")
    assert bm.evidence_text("gru", {"shapes": [(3, 12), (4, 12), (12,)]}) == (
        "`GRU(Wx, Wh, b).params` here: shapes (3, 12), (4, 12), (12,)")


def test_evidence_text_refuses_unknown_issues_and_missing_values() -> None:
    with pytest.raises(ValueError, match="no issue 'nope'"):
        bm.evidence_text("nope", None)
    with pytest.raises(ValueError, match="needs the value 'diff'"):
        bm.evidence_text("gpu_scatter", {"rows": 1, "targets": 1})
    with pytest.raises(ValueError, match="no wording"):
        bm.evidence_text("gru", {"shapes": []}, lang="xx")


# --- the words, in every language ----------------------------------------------------------------------------

PAGE = BOOK / "book_map.md"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders() -> None:
    assert set(bm.TEMPLATES) == {"en", "ko"}
    assert bm.TEMPLATES["en"].keys() == bm.TEMPLATES["ko"].keys()
    for key, english in bm.TEMPLATES["en"].items():
        assert _fields(bm.TEMPLATES["ko"][key]) == _fields(english), key


# A Korean particle whose form depends on the sound before it (은/는, 이/가, 을/를, 와/과, (으)로) cannot follow a
# placeholder, whose last sound is unknown; the copula 이다 (이고, 이며) and 의, 에, 에서 take every noun.
_VARIABLE_PARTICLE = re.compile(r"\}(은|는|가|을|를|와|과|으로|로|이(?![다고며]))")


def test_korean_templates_put_no_variable_particle_after_a_placeholder() -> None:
    for key, template in bm.TEMPLATES["ko"].items():
        assert not _VARIABLE_PARTICLE.search(template), (key, template)
    assert _VARIABLE_PARTICLE.search("{x}를 본다") and not _VARIABLE_PARTICLE.search("{x}이다")


def test_every_template_is_used_by_a_function_or_the_page() -> None:
    import inspect

    source = inspect.getsource(bm) + PAGE.read_text(encoding="utf-8")
    by_columns = {f"{table}.{column}" for table, columns in bm.COLUMNS.items() for column in columns}
    prefixes = {"place", "issue", "evidence", "result", "speed", "what"}  # keys made from a decision's fields
    for key in bm.TEMPLATES["en"]:
        used = f'"{key}"' in source or key in by_columns or key.split(".")[0] in prefixes
        assert used, f"template {key!r} is never used"
    assert {f"what.{r.experiment}" for r in bm.BOOK_RESULTS} <= bm.TEMPLATES["en"].keys()


def test_headers_and_captions_follow_the_page_language(monkeypatch) -> None:
    assert bm.header("map") == ["section", "the book's title", "on this site"]
    assert bm.chapter_caption("2") == "The book's chapter 2, section by section, and where this site teaches it."
    assert bm.chapter_caption("B").startswith("The book's appendix B,")
    assert bm.section_title(bm.book_section("2.3.4")) == "The co-occurrence matrix"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert bm.header("map") == ["절", "책의 제목", "이 사이트에서"]
    assert bm.header("map", "en")[0] == "section"  # an explicit language wins
    assert bm.chapter_caption("2") == "책의 2장: 절마다 이 사이트에서 다루는 곳."
    assert bm.chapter_caption("C") == "책의 부록 C: 절마다 이 사이트에서 다루는 곳."
    assert bm.section_title(bm.book_section("2.3.4")) == "동시발생 행렬"
    assert [len(bm.header(t)) for t in bm.COLUMNS] == [3, 2, 6, 5]
    with pytest.raises(ValueError, match="no table 'other'"):
        bm.header("other")
    with pytest.raises(ValueError, match="chapter must be one of"):
        bm.chapter_caption("2.3")


def test_korean_sentences_and_cells(monkeypatch) -> None:
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    counts = {"own": 3, "range": 2, "parent": 1, "starts": 1, "missing": 0}
    assert bm.coverage_text(bm.Coverage(7, counts, ())) == (
        "책의 7개 절 모두가 이 사이트에 자리가 있다. 3개는 자기만의 제목 아래에, 2개는 이웃한 절과 함께 쓰는 제목 "
        "아래에, 1개는 자신을 감싸는 절의 제목 안에, 1개는 첫 번째 하위 절이 시작하는 곳에 있다.")
    some = bm.coverage_text(bm.Coverage(9, dict(counts, missing=2), ("B", "B.1")))
    assert some.startswith("책의 9개 절 가운데 7개가") and some.endswith(" 2개는 아직 사이트에 없다: B, B.1.")
    assert bm.coverage_text(bm.Coverage(5, dict(counts, range=0, parent=0, starts=2), ())) == (
        "책의 5개 절 모두가 이 사이트에 자리가 있다. 3개는 자기만의 제목 아래에, 2개는 첫 번째 하위 절이 시작하는 곳에 "
        "있다.")
    shorter = bm.compare_result(PPL, _run("x-ppl", 130.0, "test_perplexity", 2))
    assert bm.comparison_text(shorter) == "다르다: 에폭이 더 적음(4에폭 중 2에폭), 30% 높음"
    acc = bm.compare_result(ACC, _run("x-acc", 0.52, "test_accuracy", 25))
    assert bm.comparison_text(acc) == "가깝다: 책의 값과 2.0%p 이내"
    assert bm.shorter_runs_text([shorter]).startswith("커밋된 `x-ppl` 실행은 지금까지 책의 4에폭 가운데 2에폭만")
    assert bm.speed_text(bm.compare_speed("a loop", 2.0, 0.5)) == "라이브러리가 4.0배 빠름"
    rows = bm.results_rows([bm.compare_result(ACC, None)], [("7", bm.compare_speed("x", 1.0, 1.0))], [],
                           source_url="u")
    assert rows == [["a seq2seq", "7.3.4", "약 50%(25에폭)", "–", "아직 결과 파일 없음", "–"],
                    ["x", "7장", "1.00 s, 같은 기기에서 책의 코드", "1.00 s", "거의 같음(10% 이내)", "–"]]
    real = bm.compare_result(bm.BOOK_RESULTS[0], None)
    assert bm.results_rows([real], [], [], source_url="u")[0][0] == "Rnnlm(LSTM 언어 모델), PTB 테스트 퍼플렉서티"
    issue = bm.CODE_ISSUES[0]
    assert bm.issue_text(issue, "title") == "자기 폴더에서만 실행되는 스크립트"
    assert "(한국어판)](https://github.com/WegraLee/" in bm.book_file_links(issue)
    assert bm.evidence_text("sys_path", {"modules": 49, "unchanged": True}) == (
        "임시 폴더에서 라이브러리의 모듈 49개를 임포트한 뒤 sys.path: 그대로")
    assert bm.evidence_text("gpu_negatives", {"share": 0.0047, "rows": 0.023, "hits": 0, "draws": 500000}) == (
        "PTB에서 책의 GPU 방식으로 뽑으면 타깃 자신인 부정적 예의 비율이 0.47%이다(그런 부정적 예를 하나 이상 "
        "받는 타깃의 비율 2.3%). 라이브러리의 샘플러: 500,000개 중 0개")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_computed_cell_is_in_its_language(lang) -> None:
    """Every template of a language fills (with values of the right kinds), and only Korean ones hold Hangul."""
    sample = {"link": "[x](y.md)", "page": "`y.md`", "sections": "1.5.1", "chapter": "2", "sections_n": 1,
              "placed": 1, "places": "p", "n": 1, "numbers": "B",
              "value": 0.5, "epochs": 4, "file": "f", "url": "u", "time": "1 s", "diff": 0.1, "direction": "d",
              "done": 1, "book": 2, "experiment": "e", "ratio": 2.0, "tol": 0.1, "modules": 3, "state": "s",
              "rows": 0.1, "targets": 5, "links": "l", "size": 7, "zero": 1, "nan": 2, "cells": 49,
              "warning": "w", "lib_bad": 0, "lib_warnings": 0, "share": 0.01, "hits": 0, "draws": 10,
              "marker": "m", "outcome": "o", "error": "E", "shapes": "(1,)"}
    hangul = re.compile("[가-힣]")
    for key, template in bm.TEMPLATES[lang].items():
        template.format(**sample)
        words_only = re.sub(r"`[^`]*`|\{[^}]*\}", "", template)  # neither code nor placeholders
        if lang == "en":
            assert not hangul.search(words_only), key
        elif re.search("[A-Za-z가-힣]", words_only):
            assert hangul.search(words_only), key
