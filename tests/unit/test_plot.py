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


def _label_boxes(ax):
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    from matplotlib.text import Text

    return [Text.get_window_extent(t, renderer) for t in ax.texts]  # the text alone, without a leader line


def test_word_scatter_labels_do_not_overlap_even_on_coinciding_points(ax):
    # chapter 3's case: "goodbye" and "i" on the same point, "you" and "hello" close together
    pts = np.array([[0.0, 0.0], [0.0, 0.0], [0.02, 0.01], [0.03, 0.0], [1.0, 1.0], [0.5, -0.2]])
    words = ["goodbye", "i", "you", "hello", "say", "and"]
    word_scatter(ax, pts, words)
    boxes = _label_boxes(ax)
    assert len(boxes) == len(words)
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), f"{words[a]!r} overlaps {words[b]!r}"


def test_label_points_checks_its_input(ax):
    from scratchnlp.plot import label_points

    with pytest.raises(ValueError, match="one label per point"):
        label_points(ax, np.zeros((2, 2)), ["a"])
    with pytest.raises(ValueError, match=r"\(P, 2\)"):
        label_points(ax, np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="one colour per label"):
        label_points(ax, np.zeros((2, 2)), ["a", "b"], colors=["red"])


def test_label_points_keeps_labels_off_other_points(ax):
    from scratchnlp.plot import label_points

    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 1, size=(12, 2))
    ax.scatter(pts[:, 0], pts[:, 1])
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylim(-0.2, 1.2)
    texts = label_points(ax, pts, [f"w{k}" for k in range(12)])
    boxes = _label_boxes(ax)
    centres = ax.transData.transform(pts)
    for k, box in enumerate(boxes):
        for j, (cx, cy) in enumerate(centres):
            if j != k:
                assert not box.contains(cx, cy), f"label {k} covers point {j}"
    assert [t.get_text() for t in texts] == [f"w{k}" for k in range(12)]
