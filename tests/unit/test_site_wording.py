"""The one way page helpers fill in their per-language templates."""

import pytest

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
