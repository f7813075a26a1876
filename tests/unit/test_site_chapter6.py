"""Unit tests of scratchnlp._site.chapter6, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site import chapter6

ROOT = Path(__file__).resolve().parents[2]


def test_gradient_fate_sentence_every_branch() -> None:
    all_three = chapter6.gradient_fate_sentence({"a": 1e-6, "b": 0.5, "c": 1e5, "d": 1e-4}, 40)
    assert all_three == (
        "With a and d the gradient vanishes: 40 steps back it is less than 0.001 times its size at the last step. "
        "With c it explodes, growing more than 1000-fold over 40 steps. "
        "With b it stays between 0.001 and 1000 times its starting size over 40 steps: neither vanished nor "
        "exploded yet.")
    assert chapter6.gradient_fate_sentence({"a": 1e-9}, 5).startswith("With a the gradient vanishes")
    assert chapter6.gradient_fate_sentence({"a": 1e9}, 5).startswith("With a the gradient explodes")
    steady = chapter6.gradient_fate_sentence({"a": 1.0, "b": 2.0}, 5)
    assert steady.startswith("With a and b the gradient stays between")
    assert "With b it stays" in chapter6.gradient_fate_sentence({"a": 1e9, "b": 2.0}, 5)
    with pytest.raises(ValueError, match="at least one setting"):
        chapter6.gradient_fate_sentence({}, 5)
    with pytest.raises(ValueError, match="at least one setting"):
        chapter6.gradient_fate_sentence({"a": 1.0}, 0)
    with pytest.raises(ValueError, match="finite"):
        chapter6.gradient_fate_sentence({"a": float("inf")}, 5)


def test_clipping_sentence_every_branch() -> None:
    assert chapter6.clipping_sentence([0.1, 0.2], 0.25) == (
        "The gradient norm never exceeded 0.25 in these 2 iterations, so clipping never changed an update.")
    assert "in every one of the 3 iterations" in chapter6.clipping_sentence([1.0, 2.0, 3.0], 0.25)
    early = chapter6.clipping_sentence([5.0, 1.0, 0.1, 0.1], 0.25)
    assert early.startswith("Clipping changed 2 of the 4 updates (50%): 2 in the first half of the run and 0 in "
                            "the second.") and "mostly early" in early
    late = chapter6.clipping_sentence([0.1, 0.1, 0.1, 1.0], 0.25)
    assert "1 of the 4 updates (25%): 0 in the first half" in late and "later in the run" in late
    even = chapter6.clipping_sentence([1.0, 0.1, 1.0, 0.1], 0.25)
    assert even.endswith("1 in the first half of the run and 1 in the second.")
    with pytest.raises(ValueError, match="at least one norm"):
        chapter6.clipping_sentence([], 0.25)
    with pytest.raises(ValueError, match="max_grad > 0"):
        chapter6.clipping_sentence([1.0], 0.0)


def test_book_weights_sentence_every_branch() -> None:
    same = chapter6.book_weights_sentence(136.08, 136)
    assert same.startswith("With the book's own weights, the library's `Rnnlm` scores a test perplexity of 136.08; "
                           "the book reports about 136.")
    assert "above the book's figure of about 136" in chapter6.book_weights_sentence(140.0, 136)
    assert "below the book's figure of about 136" in chapter6.book_weights_sentence(120.0, 136)
    with pytest.raises(ValueError, match="finite"):
        chapter6.book_weights_sentence(float("nan"), 136)


def _better(valid: list[float], best: int, test: float = 80.0, corpus_size: int = 0) -> dict:
    return {"history": {"valid_perplexity": valid, "best_epoch": best},
            "evaluation": {"test_perplexity": test}, "config": {"corpus_size": corpus_size}}


def test_better_rnnlm_sentence_every_branch() -> None:
    cmd = "scratchnlp run better-rnnlm-ptb"
    missing = chapter6.better_rnnlm_sentence(None, 40, 75.8, cmd)
    assert missing.startswith("No committed run of `better-rnnlm-ptb` exists yet") and f"`{cmd}`" in missing
    short = chapter6.better_rnnlm_sentence(_better([120.0, 100.0, 95.0], 3), 40, 75.8, cmd)
    assert short == (
        "The committed run trained 3 of the book's 40 epochs, so it is a shorter run than the book's. "
        "Its validation perplexity was still falling at its last epoch (95.0), so the run had not finished "
        "improving. The kept parameters score a test perplexity of 80.0, against the book's 75.8 after 40 epochs.")
    full = chapter6.better_rnnlm_sentence(_better([120.0, 90.0, 95.0], 2), 3, 75.8, cmd)
    assert full.startswith("The committed run trained all 3 epochs of the book's settings.")
    assert "Its best validation perplexity, 90.0, came at epoch 2" in full
    more = chapter6.better_rnnlm_sentence(_better([120.0, 90.0], 2, corpus_size=5000), 1, 75.8, cmd)
    assert "trained 2 epochs, more than the book's 1" in more and "first 5,000 words" in more
    with pytest.raises(ValueError, match="no epoch"):
        chapter6.better_rnnlm_sentence(_better([], 1), 40, 75.8, cmd)
    with pytest.raises(ValueError, match="book_epochs"):
        chapter6.better_rnnlm_sentence(None, 0, 75.8, cmd)
