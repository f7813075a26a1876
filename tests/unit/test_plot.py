"""Unit tests of the figure helpers in scratchnlp.plot used by chapter 1 (and later chapters)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from scratchnlp.datasets import spiral
from scratchnlp.plot import decision_boundary, heatmap, loss_curve, moving_average, spiral_scatter, word_scatter


def test_moving_average_by_hand():
    np.testing.assert_allclose(moving_average([1, 2, 3, 4], 2), [1.0, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(moving_average([5.0], 3), [5.0])
    with pytest.raises(ValueError, match="window must be >= 1"):
        moving_average([1.0], 0)


def test_loss_curve_plots_raw_and_smoothed(ax):
    loss_curve(ax, [3.0, 2.0, 1.0, 0.5], smooth=2, label="train")
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[1].get_ydata(), [3.0, 2.5, 1.5, 0.75])
    assert ax.get_legend() is not None
    with pytest.raises(ValueError, match="empty"):
        loss_curve(ax, [])
    with pytest.raises(ValueError, match="same length"):
        loss_curve(ax, [1.0, 2.0], x=[1])


def test_spiral_scatter_one_series_per_class(ax):
    x, t = spiral.load_data()
    spiral_scatter(ax, x, t)
    assert len(ax.collections) == 3
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def test_decision_boundary_colours_by_predicted_class(ax):
    x = np.array([[-1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    t = np.array([0, 1])

    def predict(points):  # class 1 right of the y axis
        return np.column_stack([-points[:, 0], points[:, 0]])

    decision_boundary(ax, predict, x, t, h=0.1)
    assert ax.collections, "no filled contour drawn"
    with pytest.raises(TypeError, match="predict"):
        decision_boundary(ax, 42, x, t)
    with pytest.raises(ValueError, match="h must be positive"):
        decision_boundary(ax, predict, x, t, h=0)


def test_heatmap_labels_and_annotations(ax):
    M = np.array([[0, 1], [1, 0]])
    heatmap(ax, M, ["you", "say"], ["you", "say"], fmt="d")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["you", "say"]
    assert sorted(t.get_text() for t in ax.texts) == ["0", "0", "1", "1"]
    with pytest.raises(ValueError, match="one label per row and column"):
        heatmap(ax, M, ["you"], ["you", "say"])


def test_word_scatter_writes_every_word(ax):
    word_scatter(ax, np.array([[0.0, 1.0], [1.0, 0.0]]), ["hello", "goodbye"])
    assert sorted(t.get_text() for t in ax.texts) == ["goodbye", "hello"]
    with pytest.raises(ValueError, match=r"\(V, 2\)"):
        word_scatter(ax, np.zeros((2, 3)), ["a", "b"])
