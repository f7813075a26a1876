"""Unit tests of scratchnlp._site.chapter5, the wording of one page of the site."""

from __future__ import annotations

import math
import re
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """The wording follows SCRATCHNLP_LANG when no language is given: these tests ask for English by default."""
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


def test_unread_tail_sentence() -> None:
    from scratchnlp._site.chapter5 import unread_tail_sentence

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
    from scratchnlp._site.chapter5 import book_perplexity_sentence

    assert book_perplexity_sentence(5.3, 5.0).startswith("That is close")
    assert book_perplexity_sentence(2.0, 5.0).startswith("That is lower")
    assert book_perplexity_sentence(9.0, 5.0).startswith("That is higher")
    assert book_perplexity_sentence(9.0, 5.0, rel_tol=1.0).startswith("That is close")
    with pytest.raises(ValueError, match="finite"):
        book_perplexity_sentence(math.inf, 5.0)
    with pytest.raises(ValueError, match="finite"):
        book_perplexity_sentence(0.5, 5.0)


def test_fixed_weights_sentence() -> None:
    from scratchnlp._site.chapter5 import fixed_weights_sentence

    assert fixed_weights_sentence(5.0, 5.2).startswith("The two agree")
    assert fixed_weights_sentence(5.0, 7.7).startswith("The fixed weights score worse")
    assert fixed_weights_sentence(5.0, 3.0).startswith("The fixed weights score better")
    with pytest.raises(ValueError, match="finite"):
        fixed_weights_sentence(math.nan, 5.0)
    with pytest.raises(ValueError, match="finite"):
        fixed_weights_sentence(5.0, 0.9)


# --- the wording in Korean ---------------------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders() -> None:
    from scratchnlp._site.chapter5 import TEMPLATES

    assert set(TEMPLATES) == {"en", "ko"}
    assert TEMPLATES["en"].keys() == TEMPLATES["ko"].keys()
    for key, english in TEMPLATES["en"].items():
        assert _fields(TEMPLATES["ko"][key]) == _fields(english), key


def test_every_template_is_used_by_a_function_or_the_page() -> None:
    import inspect

    from scratchnlp._site import chapter5

    source = inspect.getsource(chapter5) + (ROOT / "book" / "ch05_rnn.md").read_text(encoding="utf-8")
    by_columns = {f"{table}.{column}" for table, columns in chapter5.COLUMNS.items() for column in columns}
    for key in chapter5.TEMPLATES["en"]:
        used = f'"{key}"' in source or key in by_columns or (key.startswith("text.") and '"text." + ' in source)
        assert used, f"template {key!r} is never used"


# A Korean particle whose form depends on the sound before it cannot follow a placeholder, whose last sound is
# unknown; 의, 에, 에서 and the counters (단어, 번, 개) take every number.
_VARIABLE_PARTICLE = re.compile(r"\}(은|는|가|을|를|와|과|으로|로|이(?![다고며]))")


def test_korean_templates_put_no_variable_particle_after_a_placeholder() -> None:
    from scratchnlp._site.chapter5 import TEMPLATES

    for key, template in TEMPLATES["ko"].items():
        assert not _VARIABLE_PARTICLE.search(template), (key, template)
        assert not re.search(r"(습니다|어요|아요|세요)", template), key


def test_headers_and_words_follow_the_page_language(monkeypatch) -> None:
    from scratchnlp._site import chapter5

    assert chapter5.header("batches") == ["stream", "starts at", "mini-batch 1", "mini-batch 2"]
    assert chapter5.words("heldout.best_cell", value=41.26, epoch=7) == "41.3 (epoch 7)"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert chapter5.header("batches") == ["스트림", "시작 위치", "미니배치 1", "미니배치 2"]
    assert chapter5.words("heldout.best_cell", value=41.26, epoch=7) == "41.3(에폭 7)"
    assert chapter5.words("curve.uniform", vocab=418) == "균등 모델(418)"
    assert chapter5.header("gradcheck", "en") == ["layer", "gradients checked", "largest relative error"]
    with pytest.raises(ValueError, match="no table 'other'"):
        chapter5.header("other")


def test_unread_tail_sentence_in_korean(monkeypatch) -> None:
    from scratchnlp._site.chapter5 import unread_tail_sentence

    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert unread_tail_sentence(99, 19, 5) == (
        "각 스트림의 구간은 99단어이지만, 한 에폭의 반복 19번이 5단어씩 읽는 것은 그중 95단어다. 그래서 각 구간의 "
        "마지막 4단어는 첫 에폭에서 읽히지 않는다. 그렇다고 버려지는 것은 아니다. 다음 에폭은 각 스트림이 멈춘 곳에서 "
        "이어 가므로 그 단어들부터 읽는다.")
    assert "각 구간의 마지막 단어 하나는 첫 에폭에서 읽히지 않는다" in unread_tail_sentence(96, 19, 5)
    assert unread_tail_sentence(100, 20, 5) == (
        "한 에폭의 반복 20번이 5단어씩 읽으면 각 스트림의 구간 100단어를 끝까지 읽는다. 그래서 다음 에폭에서는 각 "
        "스트림이 이웃 스트림의 구간으로 이어진다.")
    assert unread_tail_sentence(99, 19, 5, lang="en").startswith("Each stream's segment is 99 words long")


def test_perplexity_sentences_in_korean() -> None:
    from scratchnlp._site.chapter5 import book_perplexity_sentence, fixed_weights_sentence

    assert book_perplexity_sentence(5.3, 5.0, lang="ko").startswith("책의 수치와 가깝다.")
    assert book_perplexity_sentence(2.0, 5.0, lang="ko").startswith("책의 수치보다 낮다.")
    assert book_perplexity_sentence(9.0, 5.0, lang="ko").startswith("책의 수치보다 높다.")
    assert fixed_weights_sentence(5.0, 5.2, lang="ko").startswith("두 값은 거의 같다.")
    assert fixed_weights_sentence(5.0, 7.7, lang="ko").startswith("고정된 가중치의 점수는 학습 곡선이")
    assert fixed_weights_sentence(5.0, 3.0, lang="ko").startswith("고정된 가중치의 점수가 학습 곡선보다 좋다.")
