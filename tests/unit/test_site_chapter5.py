"""Unit tests of scratchnlp._site.chapter5, the wording of one page of the site."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
