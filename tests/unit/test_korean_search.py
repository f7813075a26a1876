"""The Korean edition's search language (``book/_ext/korean_search.py``): Hangul is indexed by syllable bigrams,
so a word is found whatever particle follows it; the browser's splitter is checked against this one by the site
tests.

``book/_ext`` is not a package (Sphinx puts it on ``sys.path`` as a local extension folder), so the module is
loaded from its file here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("korean_search", ROOT / "book" / "_ext" / "korean_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


korean_search = _load()


@pytest.mark.parametrize(("text", "terms"), [
    ("말뭉치를", ["말뭉", "뭉치", "치를"]),
    ("날짜의 크기를", ["날짜", "짜의", "크기", "기를"]),
    ("층 수", ["층", "수"]),
    ("LSTM을 word2vec로", ["lstm", "word2vec"]),
    ("float16과 GPU", ["float16", "gpu"]),
    ("어텐션(attention)", ["어텐", "텐션", "attention"]),
])
def test_split_korean(text, terms) -> None:
    assert korean_search.split_korean(text) == terms


def test_a_word_is_found_whatever_particle_follows() -> None:
    split = korean_search.split_korean
    pairs = [("말뭉치", "말뭉치를 읽는다"), ("날짜", "날짜의 형식"), ("행렬", "행렬은"),
             ("순환 신경망", "순환 신경망(RNN)을")]
    for query, text in pairs:
        assert set(split(query)) <= set(split(text)), (query, text)
    assert not set(split("날짜")) <= set(split("날씨와 짜임"))


def test_the_search_language_indexes_through_the_same_split() -> None:
    language = korean_search.SearchKorean({})
    assert language.lang == "ko"
    assert language.split("계층을 쌓는다") == ["계층", "층을", "쌓는", "는다"]
    assert language.stem("LSTM") == "lstm"
    assert not language.word_filter("the") and language.word_filter("계층")
    assert "function splitQuery" in language.js_splitter_code and "var Stemmer" in language.js_stemmer_code
