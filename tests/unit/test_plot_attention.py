"""Unit tests of the chapter-8 attention map in scratchnlp.plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from scratchnlp.plot import attention_map


def _weights(rng, answer_length, question_length):
    return rng.dirichlet(np.ones(question_length), size=answer_length)


def test_ticks_are_the_characters_of_the_question_and_the_answer(ax, rng):
    question, answer = "10/15/94 ", "1994-10-15"
    W = _weights(rng, len(answer), len(question))
    assert attention_map(W, question, answer, ax) is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == list("10/15/94") + ["\u2423"]  # a visible space
    assert [t.get_text() for t in ax.get_yticklabels()] == list(answer)
    image = ax.get_images()[0]
    np.testing.assert_allclose(image.get_array(), W)
    assert image.get_clim() == (0.0, 1.0)  # weights are probabilities: one scale for every map
    assert ax.get_xlabel() == "question" and ax.get_ylabel() == "answer"
    assert len(ax.figure.axes) == 2  # the colour bar


def test_sequences_of_characters_spaces_kept_and_no_colorbar(ax, rng):
    question, answer = ["a", " ", "b"], ["x", "y"]
    attention_map(_weights(rng, 2, 3), question, answer, ax, colorbar=False, space=None, title="t",
                  xlabel=None, ylabel=None)
    assert [t.get_text() for t in ax.get_xticklabels()] == question
    assert len(ax.figure.axes) == 1 and ax.get_title() == "t" and ax.get_xlabel() == ""


def test_a_new_figure_fits_a_page(rng):
    ax = attention_map(_weights(rng, 10, 29), "x" * 29, "y" * 10)
    try:
        width, height = ax.figure.get_size_inches()
        assert 6 <= width <= 9 and height < width  # about 700 pixels wide at 100 dpi
    finally:
        plt.close(ax.figure)


def test_shapes_must_match_the_labels(ax, rng):
    W = _weights(rng, 4, 6)
    with pytest.raises(ValueError, match=r"\(len\(answer_chars\), len\(question_chars\)\) = \(4, 5\).*\(4, 6\)"):
        attention_map(W, "abcde", "wxyz", ax)
    with pytest.raises(ValueError, match="transposed"):
        attention_map(W.T, "abcdef", "wxyz", ax)
    with pytest.raises(ValueError, match=r"2-D.*pass one question's weights\[i\]"):
        attention_map(W[None], "abcdef", "wxyz", ax)
    with pytest.raises(TypeError, match="question_chars must be a string or a sequence"):
        attention_map(W, 6, "wxyz", ax)
