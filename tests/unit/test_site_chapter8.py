"""Unit tests of scratchnlp._site.chapter8, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site import chapter8

ROOT = Path(__file__).resolve().parents[2]


def test_question_words_splits_letters_and_digits():
    assert chapter8.question_words("september 27, 1994   ") == [("september", 0, 9), ("27", 10, 12), ("1994", 14, 18)]
    assert chapter8.question_words("10/15/94") == [("10", 0, 2), ("15", 3, 5), ("94", 6, 8)]
    assert chapter8.question_words("  ,  ") == []


def test_attention_reading_sentence():
    """attention_reading finds the word each part looked at; the sentence names them."""
    import numpy as np

    question = "JUN 17, 2013"
    w = np.zeros((10, len(question)))
    w[0:4, 8:12] = 0.2  # the year's rows: 80% on "2013", the rest on the padding-free gap
    w[0:4, 7] = 0.2
    w[5:7, 0:3] = 1 / 3  # the month's rows: all on "JUN"
    w[8:10, 4:6] = 0.5  # the day's rows: all on "17"
    reading = chapter8.attention_reading(w, question, {"year": (0, 4), "month": (5, 7), "day": (8, 10)})
    assert reading["year"] == ("2013", pytest.approx(0.8))
    assert reading["month"] == ("JUN", pytest.approx(1.0))
    assert reading["day"] == ("17", pytest.approx(1.0))
    sentence = chapter8.attention_reading_sentence(question, reading)
    assert sentence == ("For “JUN 17, 2013”, the answer took its year from “2013” (80% of its attention), its month "
                        "from “JUN” (100% of its attention) and its day from “17” (100% of its attention).")


def test_attention_reading_rejects_bad_shapes():
    import numpy as np

    with pytest.raises(ValueError, match=r"weights must be \(A, 4\)"):
        chapter8.attention_reading(np.zeros((3, 5)), "1 2 ", {"a": (0, 1)})
    with pytest.raises(ValueError, match="no words"):
        chapter8.attention_reading(np.zeros((3, 2)), ", ", {"a": (0, 1)})
    with pytest.raises(ValueError, match="part 'a'"):
        chapter8.attention_reading(np.zeros((3, 2)), "12", {"a": (2, 5)})
    with pytest.raises(ValueError, match="empty"):
        chapter8.attention_reading_sentence("12", {})


def test_date_runs_sentence():
    s = chapter8.date_runs_sentence({"seq2seq": [0.0, 0.01], "attention": [0.95, 0.999], "peeky": [0.1, 0.6]})
    assert s == ("After 2 epochs the test accuracies are: attention 99.9%, peeky 60.0% and seq2seq 1.0%. "
                 "The attention model was above 99% from epoch 2 on.")
    s = chapter8.date_runs_sentence({"a": [0.995, 0.98, 0.999]}, missing=["b"])
    assert "from epoch 1 on (with dips below it later)." in s and s.endswith("No results file was found for b.")
    assert "None of them reached 99%" in chapter8.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]})
    assert "At the end of their runs" in chapter8.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]})
    assert chapter8.date_runs_sentence({}, missing=["a"]).startswith("No results file of the three runs")
    with pytest.raises(ValueError):
        chapter8.date_runs_sentence({"a": []})


def test_bidirectional_sentence():
    assert "no difference" in chapter8.bidirectional_sentence(0.99, 0.992)
    assert "helps here" in chapter8.bidirectional_sentence(0.90, 0.99)
    assert "does not help" in chapter8.bidirectional_sentence(0.99, 0.90)
    with pytest.raises(ValueError):
        chapter8.bidirectional_sentence(1.5, 0.9)


def test_reading_agreement_sentence():
    assert chapter8.reading_agreement_sentence(12, 12).startswith("In all 12 parts")
    assert chapter8.reading_agreement_sentence(0, 12).startswith("In none of the 12")
    assert chapter8.reading_agreement_sentence(7, 12).startswith("In 7 of the 12")
    with pytest.raises(ValueError):
        chapter8.reading_agreement_sentence(3, 2)


def test_diffuse_positions_sentence():
    labels = "yyyy-mm-dd"
    entropy = [0.1, 0.2, 0.1, 0.1, 2.0, 0.1, 0.1, 1.5, 0.3, 0.1]
    constant = [c == "-" for c in labels]
    s = chapter8.diffuse_positions_sentence(entropy, labels, constant)
    assert s.startswith("The attention is most spread out at answer positions 4 (“-”, 2.00 bits) and "
                        "7 (“-”, 1.50 bits)")
    assert "nothing in the question decides them" in s
    entropy[0] = 3.0
    assert "nothing in the question" not in chapter8.diffuse_positions_sentence(entropy, labels, constant)
    with pytest.raises(ValueError):
        chapter8.diffuse_positions_sentence(entropy, labels[:-1], constant)
