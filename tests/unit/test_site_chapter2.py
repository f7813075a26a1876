"""Unit tests of scratchnlp._site.chapter2, the wording of one page of the site."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from scratchnlp._site import chapter2
from scratchnlp._site.chapter2 import crossover_sentence

ROOT = Path(__file__).resolve().parents[2]


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


PAGE = ROOT / "book" / "ch02_count_based.md"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders() -> None:
    assert set(chapter2.TEMPLATES) == {"en", "ko"}
    assert chapter2.TEMPLATES["en"].keys() == chapter2.TEMPLATES["ko"].keys()
    for key, english in chapter2.TEMPLATES["en"].items():
        assert _fields(chapter2.TEMPLATES["ko"][key]) == _fields(english), key


def test_every_template_is_a_column_or_used_by_the_page_or_a_sentence() -> None:
    page = PAGE.read_text(encoding="utf-8")
    columns = {f"{table}.{column}" for table, cols in chapter2.COLUMNS.items() for column in cols}
    assert columns <= chapter2.TEMPLATES["en"].keys()
    for table in chapter2.COLUMNS:
        assert f'chapter2.header("{table}"' in page, table
    sentences = {key for key in chapter2.TEMPLATES["en"] if key.startswith("crossover.")}
    for key in chapter2.TEMPLATES["en"].keys() - columns - sentences:
        assert f'chapter2.words("{key}"' in page, f"template {key!r} is never used"


def test_korean_figure_labels_have_no_math() -> None:
    # Matplotlib draws a label with $...$ wholly in its math fonts, which have no Hangul
    for key, template in chapter2.TEMPLATES["ko"].items():
        assert "$" not in template, key
    assert chapter2.TEMPLATES["ko"]["zipf.fit"].isascii()  # rank_frequency appends the fitted law in math


def test_words_and_headers_follow_the_page_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert chapter2.header("car") == ["rank", "by count", "count", "PPMI", "by PPMI", "count", "PPMI"]
    assert chapter2.header("neighbours") == ["query", "1st", "2nd", "3rd", "4th", "5th"]
    assert chapter2.header("svd", k=100, head=10) == [
        "words n", "full SVD (s)", "randomized, k = 100 (s)", "speed-up", "max rel. error, top 10",
        "max rel. error, top 100",
    ]
    assert chapter2.words("car.caption", n=10, window=2, min_count=5) == (
        'The 10 most frequent neighbours of "car" in the Penn Treebank (window 2) and the 10 with the highest PPMI '
        "among neighbours seen at least 5 times."
    )
    assert chapter2.words("dims.title", label="SimLex-999", n=712) == "SimLex-999 (712 pairs)"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert chapter2.header("neighbours") == ["질의어", "1위", "2위", "3위", "4위", "5위"]
    assert chapter2.header("svd", k=100, head=10)[2] == "무작위, k = 100 (초)"
    assert chapter2.words("dims.title", label="SimLex-999", n=712) == "SimLex-999 (712쌍)"
    assert chapter2.words("car.caption", n=10, window=2, min_count=5).startswith('Penn Treebank에서 "car"의')
    with pytest.raises(ValueError):
        chapter2.header("nothing")


def test_crossover_sentence_every_branch_in_korean() -> None:
    sizes = [500, 1000, 2000]
    method, other = chapter2.words("svd.randomized", "ko"), chapter2.words("svd.full", "ko")
    assert crossover_sentence(sizes, [True, True, True], method, other, lang="ko") == (
        "측정한 모든 크기에서 두 방법 가운데 무작위 SVD가 더 빨랐다."
    )
    assert crossover_sentence(sizes, [False, True, True], method, other, lang="ko") == (
        "가장 작은 크기에서는 아직 전체 SVD가 더 빠르지만, 단어 1,000개부터는 무작위 SVD가 더 빨랐다."
    )
    assert crossover_sentence(sizes, [False, True, False], method, other, lang="ko") == (
        "측정한 가장 큰 크기에서도 전체 SVD는 여전히 무작위 SVD보다 느리지 않았다."
    )
    # the particle follows the name's last sound
    sentence = crossover_sentence(sizes, [True] * 3, "무작위 방법", "전체 방법", lang="ko")
    assert sentence.endswith("무작위 방법이 더 빨랐다.")


def test_crossover_sentence_follows_the_page_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert crossover_sentence([500], [True], "무작위 SVD", "전체 SVD").startswith("측정한 모든 크기에서")
    monkeypatch.delenv("SCRATCHNLP_LANG")
    assert crossover_sentence([500], [True], "randomized SVD", "full SVD").startswith("The randomized SVD")
