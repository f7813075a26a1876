"""Unit tests of scratchnlp._site.chapter7, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site import chapter7

ROOT = Path(__file__).resolve().parents[2]


def test_repetition_sentence_every_branch() -> None:
    looped = chapter7.repetition_sentence(
        ["the company said", "it is n't", "the  company said", "the company said", ""], "temperature 0")
    assert looped == ("At temperature 0, the text goes round in a loop: the sentence \u201cthe company said\u201d "
                      "occurs 3 times.")
    twice = chapter7.repetition_sentence(["a b", "c <unk>", "c <unk>"], "T = 0.5")
    assert "\u201cc \\<unk\\>\u201d occurs twice" in twice
    assert chapter7.repetition_sentence(["a", "b", "c"], "temperature 1") == (
        "At temperature 1, no sentence of the text occurs twice.")
    with pytest.raises(ValueError, match="empty"):
        chapter7.repetition_sentence(["", "  "], "temperature 1")


def test_book_accuracy_sentence_every_branch() -> None:
    kw = {"experiment": "seq2seq-addition-reverse", "epochs": 25}
    missing = chapter7.book_accuracy_sentence(None, 0.54, **kw)
    assert "No results file of `seq2seq-addition-reverse`" in missing and "about 54%" in missing
    assert chapter7.book_accuracy_sentence(0.561, 0.54, **kw) == (
        "The committed run of `seq2seq-addition-reverse` ends at 56.1% after 25 epochs, close to the book's 54% "
        "or so.")
    assert "above the book's 54%" in chapter7.book_accuracy_sentence(0.70, 0.54, **kw)
    assert "below the book's 54%" in chapter7.book_accuracy_sentence(0.40, 0.54, **kw)
    with pytest.raises(ValueError, match="fractions"):
        chapter7.book_accuracy_sentence(54.0, 0.54, **kw)


def test_build_seq2seq_sentence_every_branch() -> None:
    curve = [0.01, 0.05, 0.30, 0.60]
    assert "nothing to compare" in chapter7.build_seq2seq_sentence(0.1, 20000, None, 45000)
    assert "nothing to compare" in chapter7.build_seq2seq_sentence(0.1, 20000, [], 45000)
    less = chapter7.build_seq2seq_sentence(0.1, 20000, curve, 45000)
    assert less.startswith("That is less than one epoch") and "1.0%" in less
    more = chapter7.build_seq2seq_sentence(0.9, 250000, curve, 45000)
    assert "in its 4 epochs" in more and "60.0%" in more
    same = chapter7.build_seq2seq_sentence(0.31, 140000, curve, 45000)
    assert "after 3 epochs and then answered 30.0%: about the same" in same
    one = chapter7.build_seq2seq_sentence(0.05, 50000, curve, 45000)
    assert "after 1 epoch and then answered 1.0%, less than the build-time run" in one
    two = chapter7.build_seq2seq_sentence(0.0, 90000, curve, 45000)
    assert "after 2 epochs and then answered 5.0%, more than the build-time run" in two
    with pytest.raises(ValueError, match="questions_seen"):
        chapter7.build_seq2seq_sentence(0.1, 0, curve, 45000)
    with pytest.raises(ValueError, match="accuracy"):
        chapter7.build_seq2seq_sentence(10.0, 100, curve, 45000)


def test_near_misses_sentence_every_branch() -> None:
    def ex(answer, guess):
        return {"answer": answer, "guess": guess, "correct": answer == guess}

    assert chapter7.near_misses_sentence([ex("162 ", "162 ")], "the baseline") == (
        "All 1 of the baseline's answers here are right.")
    every = chapter7.near_misses_sentence([ex("162 ", "162 "), ex("1139", "1130"), ex("666 ", "668 ")],
                                        "the baseline")
    assert every.startswith("The baseline is rarely far off. Each of its 2 wrong answers has the right")
    one = chapter7.near_misses_sentence([ex("1139", "1130")], "the model")
    assert "Its one wrong answer has the right number of digits" in one
    some = chapter7.near_misses_sentence([ex("1139", "1130"), ex("666 ", "1021")], "the baseline")
    assert some.startswith("1 of the baseline's 2 wrong answers here have")
    none = chapter7.near_misses_sentence([ex("666 ", "1021"), ex("857 ", "102 ")], "the baseline")
    assert none == ("None of the baseline's 2 wrong answers here has both the right number of digits and the right "
                    "first digit.")
    assert chapter7.near_misses_sentence(None, "the baseline") == (
        "Without a results file for the baseline, its answers cannot be shown.")
    with pytest.raises(ValueError, match="no examples"):
        chapter7.near_misses_sentence([], "the baseline")


def test_seed_spread_sentence():
    s = chapter7.seed_spread_sentence({0: 0.9786, 1: 0.9866, 2: 0.9728}, 0.9814, 25)
    assert s.endswith("ends epoch 25 between 97.28% and 98.66% (mean 97.93%); the book's 98.14% is inside that range.")
    assert s.startswith("Run with 3 different seeds")
    assert "below all of them" in chapter7.seed_spread_sentence({0: 0.99, 1: 0.995}, 0.98, 25)
    assert "above all of them" in chapter7.seed_spread_sentence({0: 0.9, 1: 0.95}, 0.98, 25)
    with pytest.raises(ValueError):
        chapter7.seed_spread_sentence({0: 0.9}, 0.98, 25)
