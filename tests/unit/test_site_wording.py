"""The one way page helpers fill in their per-language templates."""

import pytest

from scratchnlp._site.wording import say

TEMPLATES = {"en": {"count": "{n:,} pairs"}}


def test_say_fills_in_the_template():
    assert say(TEMPLATES, "count", n=1234) == "1,234 pairs"


@pytest.mark.parametrize(("key", "lang"), [("count", "ko"), ("missing", "en")])
def test_say_names_what_has_no_wording(key, lang):
    with pytest.raises(ValueError, match=f"no wording '{key}' for language '{lang}'"):
        say(TEMPLATES, key, lang, n=1)
