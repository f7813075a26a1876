"""Unit tests of the chapter-2 corpus plots in scratchnlp.plot: zipf_fit and rank_frequency."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from scratchnlp.plot import rank_frequency, zipf_fit


def zipf_counts(n: int, s: float, amplitude: float) -> np.ndarray:
    ranks = np.arange(1, n + 1)
    return amplitude * ranks ** (-s)


# --- zipf_fit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("s", "amplitude"), [(1.0, 1e4), (0.8, 500.0), (1.3, 2e6)])
def test_zipf_fit_recovers_an_exact_power_law(s: float, amplitude: float) -> None:
    fitted_s, fitted_a = zipf_fit(zipf_counts(5000, s, amplitude))
    assert fitted_s == pytest.approx(s, rel=1e-9)
    assert fitted_a == pytest.approx(amplitude, rel=1e-9)


def test_zipf_fit_ignores_order_and_zero_counts(rng: np.random.Generator) -> None:
    counts = zipf_counts(1000, 1.1, 1e3)
    shuffled = np.concatenate([rng.permutation(counts), np.zeros(37)])
    assert zipf_fit(shuffled) == pytest.approx(zipf_fit(counts))


def test_zipf_fit_weights_decades_equally() -> None:
    # a power law whose last decade of ranks is flattened: an ordinary fit over every rank is pulled far from
    # the head's slope of 1 by the thousands of tail points; the log-spaced fit stays close to it
    counts = zipf_counts(10_000, 1.0, 1e5)
    counts[1000:] = counts[1000]
    ranks = np.arange(1, counts.size + 1)
    every_rank = -np.polyfit(np.log(ranks), np.log(counts), 1)[0]
    s, _ = zipf_fit(counts)
    assert abs(s - 1.0) < abs(every_rank - 1.0)


def test_zipf_fit_accepts_integer_counts_and_lists() -> None:
    counts = [100, 50, 33, 25, 20, 17, 14, 12, 11, 10]
    s, amplitude = zipf_fit(counts)
    assert s == pytest.approx(1.0, abs=0.02)
    assert amplitude == pytest.approx(100.0, rel=0.05)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (np.ones((3, 3)), "1-D"),
        (np.array([5.0, -1.0, 2.0]), "non-negative"),
        (np.array([5.0, np.nan, 2.0]), "finite"),
        (np.array([0, 0, 7]), "at least two"),
        (np.array([], dtype=np.int64), "at least two"),
        (np.array(["a", "b"]), "numeric"),
    ],
)
def test_zipf_fit_rejects_bad_counts(counts: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        zipf_fit(counts)


@pytest.mark.parametrize("n_points", [1, 0, True, 2.5])
def test_zipf_fit_rejects_bad_n_points(n_points) -> None:
    with pytest.raises(ValueError, match="n_points"):
        zipf_fit(np.arange(1, 10), n_points=n_points)


# --- rank_frequency -----------------------------------------------------------------------------------


def test_rank_frequency_draws_sorted_counts_and_the_fit_on_log_axes(ax) -> None:
    counts = np.array([3, 0, 40, 10, 1, 20])
    assert rank_frequency(ax, counts) is ax
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    data, fit = ax.get_lines()
    np.testing.assert_array_equal(data.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(data.get_ydata(), [40, 20, 10, 3, 1])
    s, amplitude = zipf_fit(counts)
    np.testing.assert_allclose(fit.get_ydata(), amplitude * np.arange(1, 6) ** (-s))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[1] == f"Zipf fit: $f \\propto r^{{-{s:.2f}}}$"


def test_rank_frequency_without_fit_draws_one_line(ax) -> None:
    rank_frequency(ax, np.array([5, 4, 3]), fit=False)
    assert len(ax.get_lines()) == 1
    assert ax.get_legend() is None


def test_rank_frequency_labels_the_most_frequent_words(ax) -> None:
    counts = np.array([3, 40, 10, 20])
    rank_frequency(ax, counts, words=["c", "the", "b", "a"], n_labels=3)
    labels = {t.get_text(): t.xy for t in ax.texts}
    assert labels == {"the": (1, 40.0), "a": (2, 20.0), "b": (3, 10.0)}


def test_rank_frequency_needs_one_word_per_count(ax) -> None:
    with pytest.raises(ValueError, match="one word per count"):
        rank_frequency(ax, np.array([3, 2, 1]), words=["a", "b"])


def test_rank_frequency_makes_a_figure_when_ax_is_none() -> None:
    new_ax = rank_frequency(None, np.array([9, 4, 2, 1]))
    try:
        assert new_ax.figure is not None
        assert new_ax.get_xlabel().startswith("rank")
    finally:
        plt.close(new_ax.figure)
