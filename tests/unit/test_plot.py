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


def test_the_figures_take_arrays_on_the_device(ax, xp):
    """Plotting is where device arrays come to the host: a model and vectors on the device draw as on the CPU."""
    from scratchnlp.models import TwoLayerNet

    x, t = spiral.load_data()
    model = TwoLayerNet(2, 10, 3)  # on xp's device
    decision_boundary(ax, model, xp.asarray(x), xp.asarray(t), h=0.1)
    assert len(ax.collections) > 3
    heatmap(ax, xp.asarray([[0, 1], [1, 0]]), ["you", "say"], ["you", "say"], fmt="d")
    word_scatter(ax, xp.asarray([[0.0, 1.0], [1.0, 0.0]]), ["hello", "goodbye"])
    assert {"hello", "goodbye"} <= {text.get_text() for text in ax.texts}


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


# --- chapter 5: the unrolled RNN and the truncated-BPTT layout ------------------------------------------


def test_rnn_unrolled_draws_one_box_per_word_and_the_states(ax):
    from matplotlib.patches import FancyBboxPatch, Rectangle

    from scratchnlp.plot import rnn_unrolled

    words = ["you", "say", "goodbye"]
    assert rnn_unrolled(ax, words) is ax
    texts = [t.get_text() for t in ax.texts]
    assert all(w in texts for w in words) and texts.count("RNN") == 3
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == 3
    assert not any(type(p) is Rectangle for p in ax.patches)
    ax.clear()
    rnn_unrolled(ax, words, states=np.array([[-1.0, 0.5], [0.0, 2.0], [0.3, -0.3]]))
    assert sum(type(p) is Rectangle for p in ax.patches) == 6  # 3 steps x 2 units


def test_rnn_unrolled_checks_its_input(ax):
    from scratchnlp.plot import rnn_unrolled

    with pytest.raises(ValueError, match="1 to 12 words"):
        rnn_unrolled(ax, [])
    with pytest.raises(ValueError, match="1 to 12 words"):
        rnn_unrolled(ax, ["w"] * 13)
    with pytest.raises(ValueError, match=r"states must be \(T, K\)"):
        rnn_unrolled(ax, ["a", "b"], states=np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"states must be \(T, K\)"):
        rnn_unrolled(ax, ["a", "b"], states=np.zeros(2))


def test_tbptt_layout_draws_the_runs_of_each_stream_and_wraps_around(ax):
    from scratchnlp.plot import tbptt_layout

    # two streams, two iterations of three words; stream 1's second block runs past the end of a 10-word corpus
    positions = np.array([[[0, 1, 2], [6, 7, 8]], [[3, 4, 5], [9, 10, 11]]])
    assert tbptt_layout(ax, positions, 10, colorbar=False) is ax
    runs = [_bars(coll) for coll in ax.collections]
    assert runs == [[(0, 3)], [(6, 3)], [(3, 3)], [(0, 2), (9, 1)]]
    assert ax.get_xlim() == (0, 10) and ax.get_ylim() == (1.5, -0.5)


def _bars(collection):
    """The (x, width) of each rectangle of a broken_barh collection."""
    return [(int(p.vertices[:, 0].min()), int(np.ptp(p.vertices[:, 0]))) for p in collection.get_paths()]


def test_tbptt_layout_colorbar_and_checks(ax):
    from scratchnlp.plot import tbptt_layout

    tbptt_layout(ax, np.zeros((2, 1, 1), dtype=np.int64), 5, first_iteration=3)
    assert len(ax.figure.axes) == 2  # the colour bar's axes
    with pytest.raises(ValueError, match=r"\(I, B, T\)"):
        tbptt_layout(ax, np.zeros((2, 3), dtype=int), 5)
    with pytest.raises(ValueError, match="integers"):
        tbptt_layout(ax, np.zeros((1, 1, 1)), 5)
    with pytest.raises(ValueError, match="corpus_size"):
        tbptt_layout(ax, np.zeros((1, 1, 1), dtype=int), 0)


# --- chapter 7: accuracy per epoch of several runs ---------------------------------------------------------


def test_accuracy_curves_one_line_per_run_in_percent_and_reference_points(ax):
    from scratchnlp.plot import accuracy_curves

    accuracy_curves(ax, {"baseline": [0.0, 0.1, 0.2], "peeky": np.array([0.1, None, 0.9], dtype=object)},
                    reference={"peeky": (3, 0.98), "other": (2, 0.5)})
    lines = ax.get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(lines[0].get_ydata(), [0.0, 10.0, 20.0])
    assert np.isnan(lines[1].get_ydata()[1])  # a missing epoch is a gap
    assert lines[2].get_color() == lines[1].get_color()  # a reference takes its curve's colour
    np.testing.assert_allclose(lines[2].get_ydata(), [98.0])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["baseline", "peeky", "peeky: the book's figure", "other: the book's figure"]
    assert ax.get_ylabel() == "test accuracy (%)"


def test_accuracy_curves_fractions_and_bad_input(ax):
    from scratchnlp.plot import accuracy_curves

    accuracy_curves(ax, {"a": [0.5]}, percent=False, styles={"a": {"linestyle": "--"}})
    assert ax.get_lines()[0].get_linestyle() == "--"
    assert ax.get_ylabel() == "test accuracy"
    with pytest.raises(ValueError, match="nothing to plot"):
        accuracy_curves(ax, {})
    with pytest.raises(ValueError, match="empty"):
        accuracy_curves(ax, {"a": []})
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        accuracy_curves(ax, {"a": [54.0]})
    with pytest.raises(ValueError, match="not a fraction"):
        accuracy_curves(ax, {"a": [0.5]}, reference={"a": (25, 98)})
    with pytest.raises(ValueError, match="2 values but 1 positions"):
        accuracy_curves(ax, {"a": [0.5, 0.6]}, positions={"a": [0.5]})


def test_accuracy_curves_places_a_short_run_at_its_own_positions(ax):
    from scratchnlp.plot import accuracy_curves

    accuracy_curves(ax, {"full": [0.1, 0.2], "short": [0.0, 0.05]}, positions={"short": [0.25, 0.5]})
    full, short = ax.get_lines()
    np.testing.assert_allclose(full.get_xdata(), [1, 2])
    np.testing.assert_allclose(short.get_xdata(), [0.25, 0.5])


# --- chapter 6: perplexity per epoch, gradient norms by distance ----------------------------------------------


def test_perplexity_by_epoch_rings_the_best_epoch_and_draws_the_reference(ax):
    from scratchnlp.plot import perplexity_by_epoch

    perplexity_by_epoch(ax, [150.0, 120.0, 110.0, 112.0], best_epoch=3, label="run", reference=75.8,
                        reference_label="book")
    curve, ring, ref = ax.get_lines()
    np.testing.assert_allclose(curve.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(ring.get_xdata(), [3])
    np.testing.assert_allclose(ring.get_ydata(), [110.0])
    np.testing.assert_allclose(ref.get_ydata(), [75.8, 75.8])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["run", "best epoch (3)", "book"]
    assert ax.get_xlabel() == "epoch"


def test_perplexity_by_epoch_checks_its_input(ax):
    from scratchnlp.plot import perplexity_by_epoch

    with pytest.raises(ValueError, match="empty"):
        perplexity_by_epoch(ax, [])
    with pytest.raises(ValueError, match="between 1 and 2"):
        perplexity_by_epoch(ax, [2.0, 1.5], best_epoch=3)
    perplexity_by_epoch(ax, [2.0, 1.5])  # no label, no best epoch, no reference: no legend
    assert ax.get_legend() is None


def test_norms_by_distance_draws_log_curves_from_step_zero(ax):
    from scratchnlp.plot import norms_by_distance

    norms_by_distance(ax, {"RNN": [1.0, 0.1, 0.01], "LSTM": [1.0, 0.5, 0.25]}, styles={"RNN": {"linestyle": "--"}})
    rnn, lstm = ax.get_lines()
    np.testing.assert_allclose(rnn.get_xdata(), [0, 1, 2])
    assert rnn.get_linestyle() == "--" and lstm.get_linestyle() == "-"
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["RNN", "LSTM"]


def test_norms_by_distance_checks_its_input(ax):
    from scratchnlp.plot import norms_by_distance

    with pytest.raises(ValueError, match="at least one curve"):
        norms_by_distance(ax, {})
    with pytest.raises(ValueError, match="empty"):
        norms_by_distance(ax, {"a": []})
    with pytest.raises(ValueError, match="positive finite"):
        norms_by_distance(ax, {"a": [1.0, 0.0]})
    with pytest.raises(ValueError, match="positive finite"):
        norms_by_distance(ax, {"a": [1.0, float("nan")]})


def test_every_word_a_figure_writes_can_be_passed_in(ax):
    """The site's other editions pass their own words; the defaults stay English."""
    from scratchnlp.plot import perplexity_by_epoch, rank_frequency, tbptt_layout

    x, t = spiral.load_data(seed=0)
    spiral_scatter(ax, x[:30], t[:30], class_label="kind {}")
    assert {text.get_text() for text in ax.get_legend().get_texts()} <= {"kind 0", "kind 1", "kind 2"}
    ax.clear()
    word_scatter(ax, np.eye(3)[:, :2], ["a", "b", "c"], xlabel="axis one", ylabel="axis two")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("axis one", "axis two")
    ax.clear()
    counts = [50, 20, 10, 5, 3, 2, 1]
    rank_frequency(ax, counts, words_label="tokens", fit_label="power law", xlabel="place", ylabel="count",
                   n_points=5)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[0] == "tokens" and legend[1].startswith("power law: ")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("place", "count")
    ax.clear()
    tbptt_layout(ax, np.arange(12).reshape(2, 2, 3), 12, xlabel="where", ylabel="row", colorbar_label="step")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("where", "row")
    ax.clear()
    perplexity_by_epoch(ax, [300.0, 200.0, 210.0], best_epoch=2, xlabel="round", best_label="best round ({})")
    assert ax.get_xlabel() == "round" and "best round (2)" in [t.get_text() for t in ax.get_legend().get_texts()]
