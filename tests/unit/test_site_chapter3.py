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
