"""The one way page helpers fill in their per-language templates."""

import pytest

from scratchnlp._site import wording
from scratchnlp._site.wording import say

TEMPLATES = {"en": {"count": "{n:,} pairs"}}


def test_say_fills_in_the_template():
    assert say(TEMPLATES, "count", n=1234) == "1,234 pairs"


@pytest.mark.parametrize(("key", "lang"), [("count", "xx"), ("missing", "en")])
def test_say_names_what_has_no_wording(key, lang):
    with pytest.raises(ValueError, match=f"no wording '{key}' for language '{lang}'"):
        say(TEMPLATES, key, lang, n=1)


def test_a_module_not_yet_translated_speaks_english():
    assert say(TEMPLATES, "count", "ko", n=3) == "3 pairs"
    translated = {"en": {"count": "{n} pairs"}, "ko": {}}
    with pytest.raises(ValueError, match="no wording 'count' for language 'ko'"):  # a started set must be whole
        say(translated, "count", "ko", n=3)


def test_the_language_comes_from_the_environment(monkeypatch):
    from scratchnlp._site.wording import page_language

    both = {"en": {"hi": "hello"}, "ko": {"hi": "안녕"}}
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert page_language() == "en" and say(both, "hi") == "hello"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert page_language() == "ko" and say(both, "hi") == "안녕"
    monkeypatch.setenv("SCRATCHNLP_LANG", "fr")
    with pytest.raises(ValueError, match="SCRATCHNLP_LANG='fr' is not one of"):
        page_language()


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("모델", "은/는", "모델은"), ("벡터", "은/는", "벡터는"), ("98.76%", "을/를", "98.76%를"), (3, "이/가", "3이"),
    (2, "이/가", "2가"), ("LSTM", "을/를", "LSTM을"), ("GRU", "을/를", "GRU를"), ("서울", "으로/로", "서울로"),
    ("1", "으로/로", "1로"), ("집", "으로/로", "집으로"), ("**정확도**", "이다/다", "**정확도**다"),
    ("값", "과/와", "값과"), ("사과", "과/와", "사과와"), ("`<unk>`", "이라는/라는", "`<unk>`라는"),
    ("\u201c모델\u201d", "을/를", "\u201c모델\u201d을"),
])
def test_particle_follows_the_last_sound(word, pair, expected) -> None:
    assert wording.particle(word, pair) == expected


@pytest.mark.parametrize(("word", "pair"), [("모델", "을/을"), ("", "은/는"), ("**", "은/는")])
def test_particle_refuses_unknown_pairs_and_empty_words(word, pair) -> None:
    with pytest.raises(ValueError):
        wording.particle(word, pair)


def test_a_template_attaches_particles_to_its_values() -> None:
    templates = {"en": {"k": "{model} reached {acc:.1%}"}, "ko": {"k": "{model|은/는} {acc:.1%|을/를} 기록했다"}}
    assert say(templates, "k", "ko", model="LSTM", acc=0.5) == "LSTM은 50.0%를 기록했다"
    assert say(templates, "k", "ko", model="GRU", acc=0.25) == "GRU는 25.0%를 기록했다"
    assert say(templates, "k", "en", model="GRU", acc=0.25) == "GRU reached 25.0%"
    with pytest.raises(ValueError, match="no particle pair"):
        say({"ko": {"k": "{x|을/을}"}}, "k", "ko", x=1)


def test_table_header_reads_each_columns_template_and_refuses_unknown_tables() -> None:
    from scratchnlp._site.wording import table_header

    templates = {"en": {"t.a": "first", "t.b": "n = {n}"}, "ko": {"t.a": "첫째", "t.b": "n = {n}개"}}
    assert table_header(templates, {"t": ("a", "b")}, "t", "ko", n=3) == ["첫째", "n = 3개"]
    with pytest.raises(ValueError, match="no table 'x'"):
        table_header(templates, {"t": ("a", "b")}, "x", "en")
