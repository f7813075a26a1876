"""Unit tests of scratchnlp._site.chapter3, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site.chapter3 import best_guess_sentence

ROOT = Path(__file__).resolve().parents[2]


def test_best_guess_sentence_both_branches() -> None:
    assert best_guess_sentence(4, 4) == "In each of the 4 other rows the right word gets the largest probability"
    assert best_guess_sentence(3, 4) == "In the other rows the right word gets the largest probability in 3 of 4"
    with pytest.raises(ValueError):
        best_guess_sentence(5, 4)


def test_every_template_has_korean_with_the_same_placeholders() -> None:
    import string  # noqa: PLC0415

    from scratchnlp._site.chapter3 import TEMPLATES  # noqa: PLC0415

    def fields(template: str) -> list[str]:
        return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)

    assert set(TEMPLATES) == {"en", "ko"}
    assert TEMPLATES["en"].keys() == TEMPLATES["ko"].keys()
    for key, english in TEMPLATES["en"].items():
        assert fields(TEMPLATES["ko"][key]) == fields(english), key


def test_best_guess_sentence_in_korean(monkeypatch: pytest.MonkeyPatch) -> None:
    from scratchnlp._site.chapter3 import words  # noqa: PLC0415

    assert best_guess_sentence(4, 4, lang="ko") == "나머지 4개 행에서는 모두 정답 단어가 가장 큰 확률을 받는다"
    assert best_guess_sentence(3, 4, lang="ko") == (
        "나머지 행에서는 4개 가운데 3개에서 정답 단어가 가장 큰 확률을 받는다")
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert best_guess_sentence(4, 4) == best_guess_sentence(4, 4, lang="ko")
    assert words("sweep.label", group=words("sweep.identical")) == "역할이 같은 쌍"
    assert words("cost.caption", n=100, h=100).startswith("은닉층 크기 100, 샘플 100개짜리 미니배치")
