"""Unit tests of scratchnlp._site.chapter2, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

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
