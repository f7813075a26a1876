"""The book's published AttentionSeq2seq.pkl (chapter 8) in our AttentionSeq2seq: every test date right.

Needs the book's weights and ``date.txt`` (cached, or from ``SCRATCHNLP_MIRROR``); skipped without them unless
``SCRATCHNLP_REQUIRE_DATA`` is set.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from scratchnlp.checkpoint import CheckpointError, load_book_params
from scratchnlp.datasets import DatasetUnavailableError, fetch, load_book_weights, sequence
from scratchnlp.evaluation import evaluate_seq2seq, seq2seq_accuracy
from scratchnlp.models import AttentionSeq2seq


@pytest.fixture(scope="module")
def book_files():
    try:
        return fetch("book-weights", "AttentionSeq2seq.pkl", progress=False), fetch("sequence", "date.txt",
                                                                                   progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"the book's weights and date.txt are required (SCRATCHNLP_REQUIRE_DATA) but unavailable: "
                        f"{exc}")
        pytest.skip(f"book weights or date.txt unavailable (set SCRATCHNLP_MIRROR): {exc}")


@pytest.fixture(scope="module")
def book_model(book_files):
    model = AttentionSeq2seq(59, 16, 256)  # the book's ch08/train.py sizes
    arrays = load_book_weights("AttentionSeq2seq", model)
    return model, arrays


def test_the_weights_load_in_the_books_order(book_model):
    model, arrays = book_model
    assert [a.shape for a in arrays] == [p.shape for p in model.params]
    for p, a in zip(model.params, arrays, strict=True):
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p, a.astype(np.float32))


def test_every_test_date_is_answered_right(book_model):
    """The book's ch08/train.py scores its model on the reversed test questions: ours gives 100.00%."""
    model, _ = book_model
    _, (x_test, t_test) = sequence.load_data("date.txt")
    _, id_to_char = sequence.get_vocab("date.txt")
    assert len(id_to_char) == 59 and x_test.shape == (5000, 29) and t_test.shape == (5000, 11)
    x_test = x_test[:, ::-1].copy()
    assert seq2seq_accuracy(model, x_test, t_test) == 1.0
    result = evaluate_seq2seq(model, x_test[:10], t_test[:10], id_to_char, is_reverse=True)
    assert result["correct"] == 10
    first = result["examples"][0]
    assert first["answer"] == first["guess"] and first["answer"][4] == "-"  # 1994-10-15 style
    # the attention of a decoding: one distribution over the 29 question characters per answer character
    _, weights = model.generate(x_test[:5], t_test[:5, 0], 10, return_attention=True)
    assert weights.shape == (5, 10, 29)
    np.testing.assert_allclose(weights.sum(axis=2), 1.0, rtol=1e-5)


def test_a_model_of_other_sizes_is_refused_untouched(book_files):
    model = AttentionSeq2seq(59, 16, 256, bidirectional=True)
    before = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError):
        load_book_params(book_files[0], model)
    assert all(np.array_equal(p, q) for p, q in zip(model.params, before, strict=True))


def test_the_committed_attention_model_that_chapter_8_draws_has_learned_the_task(book_files):
    """Chapter 8 draws its attention maps from results/attention-date.npz; they mean something only for a model
    that answers (nearly) every test date, so the page and this test refuse anything below 95%."""
    from pathlib import Path

    from scratchnlp.checkpoint import load_params
    from scratchnlp.experiments import load_results

    results = Path(__file__).resolve().parents[2] / "results"
    run = load_results("attention-date", results, verify_checkpoint=True)  # the .npz is the one the JSON describes
    model = AttentionSeq2seq(59, run["config"]["wordvec_size"], run["config"]["hidden_size"])
    load_params(results / run["checkpoint"], model)
    _, (x_test, t_test) = sequence.load_data("date.txt")
    accuracy = seq2seq_accuracy(model, x_test[:, ::-1].copy(), t_test)
    assert accuracy >= 0.95
    assert accuracy == pytest.approx(run["evaluation"]["test_accuracy"], abs=1e-3)  # as the run scored it
