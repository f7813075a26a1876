"""Unit tests of scratchnlp._site.chapter1, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site.chapter1 import first_below_sentence, lowest_loss_sentence, tuned_rate_sentence

ROOT = Path(__file__).resolve().parents[2]


def test_lowest_loss_sentence_names_the_best_and_the_reference() -> None:
    # the bug of issue 8: the best optimizer was also listed as the comparison ("... for Adam and 0.018 for Adam")
    text = lowest_loss_sentence({"SGD": 0.076, "Adam": 0.018, "Momentum": 0.05})
    assert text == "The lowest final loss, 0.018, comes from Adam, against 0.076 for tuned SGD."
    assert text.count("Adam") == 1


def test_lowest_loss_sentence_when_the_reference_wins() -> None:
    text = lowest_loss_sentence({"SGD": 0.01, "Adam": 0.018, "Momentum": 0.05})
    assert text == "The lowest final loss, 0.010, comes from tuned SGD itself; the next lowest, 0.018, from Adam."


def test_lowest_loss_sentence_needs_the_reference() -> None:
    with pytest.raises(ValueError):
        lowest_loss_sentence({"Adam": 0.1, "Momentum": 0.2})
    with pytest.raises(ValueError):
        lowest_loss_sentence({"SGD": 0.1})


def test_first_below_sentence_every_branch() -> None:
    assert first_below_sentence({"SGD": 900, "Adam": 300}, 0.3) == (
        "The first to bring the loss below 0.3 is Adam, after 300 iterations, where SGD needs 900."
    )
    assert first_below_sentence({"SGD": 200, "Adam": 300}, 0.3) == (
        "The first to bring the loss below 0.3 is SGD, after 200 iterations."
    )
    assert first_below_sentence({"SGD": None, "Adam": 1300}, 0.3) == (
        "The first to bring the loss below 0.3 is Adam, after 1,300 iterations; SGD never gets there."
    )
    assert first_below_sentence({"SGD": None, "Adam": None}, 0.3) == (
        "None of them brings the recorded loss below 0.3."
    )
    with pytest.raises(ValueError):
        first_below_sentence({"Adam": 1}, 0.3)


def test_tuned_rate_sentence_both_branches() -> None:
    assert tuned_rate_sentence(1.0, 1.0) == "The book's SGD learning rate, 1, is also the best of the grid here."
    assert "the best rate in the grid is 3, not the book's 1" in tuned_rate_sentence(3.0, 1.0)
