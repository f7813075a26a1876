"""EmbeddingDot, UnigramSampler and NegativeSamplingLoss: gradients, the sampling distribution, bad input, on
every array namespace (``xp``)."""

import math

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer
from scratchnlp.layers import EmbeddingDot, NegativeSamplingLoss, UnigramSampler
from scratchnlp.layers.negative_sampling import _alias_table

TOL = 1e-6



def chi2_upper_quantile(df: int, z: float) -> float:
    """Wilson-Hilferty: the chi-square quantile with ``df`` degrees of freedom at the normal quantile ``z``."""
    c = 2.0 / (9.0 * df)
    return df * (1.0 - c + z * math.sqrt(c)) ** 3


# --------------------------------------------------------------------------------------------------------
# EmbeddingDot
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("idx_shape", [(6,), (6, 4)])
def test_embedding_dot_gradients_with_repeated_ids(xp, rng, idx_shape, assert_grads_ok):
    W = rng.standard_normal((5, 3))
    h = rng.standard_normal((6, 3))
    idx = rng.integers(0, 5, idx_shape)
    idx.reshape(-1)[:3] = 2  # repeated ids: their gradient rows must add up
    errors = check_layer(EmbeddingDot(xp.asarray(W)), xp.asarray(h), xp.asarray(idx))
    assert set(errors) == {"params[0]", "input[0]"}
    assert_grads_ok(errors)


def test_embedding_dot_values(xp, rng):
    W = rng.standard_normal((5, 3))
    h = rng.standard_normal((4, 3))
    idx = np.array([[0, 4], [1, 1], [2, 3], [4, 0]])
    out = EmbeddingDot(xp.asarray(W)).forward(xp.asarray(h), xp.asarray(idx))
    np.testing.assert_allclose(backend.to_cpu(out), np.einsum("nkd,nd->nk", W[idx], h))
    out = EmbeddingDot(xp.asarray(W)).forward(xp.asarray(h), xp.asarray(idx[:, 0]))
    np.testing.assert_allclose(backend.to_cpu(out), (W[idx[:, 0]] * h).sum(axis=1))


@pytest.mark.parametrize(
    "h, idx, message",
    [
        (np.zeros((4, 2)), np.zeros(4, dtype=int), "must be \\(N, 3\\)"),
        (np.zeros((4, 3)), np.zeros(3, dtype=int), "same batch size"),
        (np.zeros((4, 3)), np.full(4, 5), "ids in \\[0, 5\\)"),
        (np.zeros((4, 3)), np.zeros((4, 2, 1), dtype=int), "1-D or 2-D"),
        (np.zeros((4, 3), dtype=int), np.zeros(4, dtype=int), "float dtype"),
    ],
)
def test_embedding_dot_bad_input(xp, h, idx, message):
    with pytest.raises(ValueError, match=message):
        EmbeddingDot(xp.zeros((5, 3))).forward(xp.asarray(h), xp.asarray(idx))


# --------------------------------------------------------------------------------------------------------
# UnigramSampler
# --------------------------------------------------------------------------------------------------------


def small_corpus():
    counts = np.array([50, 30, 20, 12, 8, 5, 3, 2, 1, 0, 4])  # word 9 never occurs
    return np.repeat(np.arange(counts.shape[0]), counts), counts


def test_sampler_probabilities_are_counts_to_the_power():
    corpus, counts = small_corpus()
    sampler = UnigramSampler(corpus, 0.75, 5)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(sampler.word_p, expected)
    assert sampler.vocab_size == counts.shape[0] and sampler.word_p[9] == 0


def test_alias_table_reproduces_the_distribution_exactly():
    rng = np.random.default_rng(0)
    for V in (1, 2, 7, 1000):
        p = rng.random(V) ** 3
        p[rng.random(V) < 0.2] = 0
        p[0] = max(p[0], 0.1)
        p /= p.sum()
        accept, alias = _alias_table(p)
        implied = accept.copy()
        np.add.at(implied, alias, 1.0 - accept)
        np.testing.assert_allclose(implied / V, p, atol=1e-12)
        assert np.all(implied[p == 0] == 0), "a word of probability 0 could be drawn"


def test_sampler_frequencies_match_the_distribution_chi_square(xp):
    """Draws for one fixed target follow P renormalised without that target (chi-square, alpha = 0.001)."""
    corpus, counts = small_corpus()
    sampler = UnigramSampler(corpus, 0.75, 5, seed=1)
    target = np.zeros(40000, dtype=np.int64)  # the most frequent word: the most collisions to redraw
    negative = backend.to_cpu(sampler.get_negative_sample(xp.asarray(target)))
    assert negative.shape == (40000, 5) and negative.dtype == np.int32
    observed = np.bincount(negative.ravel(), minlength=sampler.vocab_size)
    assert observed[0] == 0 and observed[9] == 0  # never the target, never a word absent from the corpus
    p = sampler.word_p.copy()
    p[0] = 0
    p /= p.sum()
    keep = p > 0
    expected = p[keep] * negative.size
    assert expected.min() > 5  # the chi-square approximation holds
    statistic = float(((observed[keep] - expected) ** 2 / expected).sum())
    df = int(keep.sum()) - 1
    assert statistic < chi2_upper_quantile(df, z=3.090), f"chi2={statistic:.1f} with {df} degrees of freedom"


def test_sampler_never_returns_the_target_for_mixed_targets(xp, rng):
    corpus = np.array([0] * 90 + [1] * 9 + [2])  # word 0 has most of the mass: many collisions
    sampler = UnigramSampler(corpus, 0.75, 4, seed=3)
    target = rng.integers(0, 3, (500, 3))
    negative = backend.to_cpu(sampler.get_negative_sample(xp.asarray(target)))
    assert negative.shape == (500, 3, 4)
    assert not np.any(negative == target[..., None])


def test_sampler_same_seed_same_sample(xp):
    corpus, _ = small_corpus()
    target = xp.arange(10) % 5
    a, b, c = (backend.to_cpu(UnigramSampler(corpus, 0.75, 5, seed=s).get_negative_sample(target)) for s in (7, 7, 8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    gen = np.random.default_rng(7)
    assert UnigramSampler(corpus, 0.75, 5, seed=gen).rng is gen


@pytest.mark.parametrize(
    "corpus, power, sample_size, message",
    [
        (np.array([], dtype=int), 0.75, 5, "at least one word"),
        (np.array([0.5, 1.0]), 0.75, 5, "integer"),
        (np.array([-1, 2]), 0.75, 5, "non-negative"),
        (np.array([0, 1]), 0.75, 0, "sample_size"),
        (np.array([0, 1]), -1.0, 5, "power"),
    ],
)
def test_sampler_bad_construction(corpus, power, sample_size, message):
    with pytest.raises(ValueError, match=message):
        UnigramSampler(corpus, power, sample_size)


def test_sampler_bad_targets(xp):
    sampler = UnigramSampler(np.array([0, 1, 2, 2]), 0.75, 2)
    with pytest.raises(ValueError, match="ids in \\[0, 3\\)"):
        sampler.get_negative_sample(xp.asarray([3]))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        sampler.get_negative_sample(xp.zeros((2, 2, 2), dtype=int))
    with pytest.raises(ValueError, match="single distinct word"):
        UnigramSampler(np.array([1, 1, 1]), 0.75, 2).get_negative_sample(xp.asarray([0, 1]))


# --------------------------------------------------------------------------------------------------------
# NegativeSamplingLoss
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target_shape", [(6,), (6, 3)])
def test_negative_sampling_loss_gradients(xp, rng, target_shape, assert_grads_ok):
    corpus = rng.integers(0, 8, 200)
    layer = NegativeSamplingLoss(xp.asarray(rng.standard_normal((8, 4))), corpus, power=0.75, sample_size=3, seed=5)
    h = xp.asarray(rng.standard_normal((6, 4)))
    target = xp.asarray(rng.integers(0, 8, target_shape))
    assert_grads_ok(check_layer(layer, h, target))


def test_negative_sampling_loss_value_matches_the_book_formula(xp, rng):
    corpus = rng.integers(0, 8, 200)
    W = rng.standard_normal((8, 4))
    layer = NegativeSamplingLoss(xp.asarray(W), corpus, sample_size=3, seed=2)
    h = rng.standard_normal((5, 4))
    target = rng.integers(0, 8, 5)
    state = layer.sampler.rng.bit_generator.state
    loss = layer.forward(xp.asarray(h), xp.asarray(target))
    layer.sampler.rng.bit_generator.state = state
    layer.sampler.device_rng = None  # the GPU generator is seeded again from the restored state
    negative = backend.to_cpu(layer.sampler.get_negative_sample(xp.asarray(target)))

    def log_sigmoid(x):
        return -np.log1p(np.exp(-x))

    pos = (W[target] * h).sum(axis=1)
    neg = np.einsum("nkd,nd->nk", W[negative], h)
    expected = -(log_sigmoid(pos).sum() + log_sigmoid(-neg).sum()) / 5
    assert loss == pytest.approx(expected, rel=1e-10)


def test_negative_sampling_loss_bad_input(xp, rng):
    layer = NegativeSamplingLoss(xp.asarray(rng.standard_normal((8, 4))), rng.integers(0, 8, 50))
    with pytest.raises(ValueError, match="same batch size"):
        layer.forward(xp.asarray(rng.standard_normal((5, 4))), xp.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        layer.forward(xp.asarray(rng.standard_normal((5, 4))), xp.zeros((5, 2, 2), dtype=int))
    with pytest.raises(ValueError, match="ids in \\[0, 8\\)"):
        layer.forward(xp.asarray(rng.standard_normal((5, 4))), xp.full(5, 8))
    with pytest.raises(ValueError, match="ids in \\[0, 8\\)"):
        NegativeSamplingLoss(xp.asarray(rng.standard_normal((8, 4))), xp.arange(10))  # a corpus word beyond W's rows


def test_embedding_clears_only_used_rows_yet_matches_a_dense_gradient(xp, rng):
    from scratchnlp.layers import Embedding

    W = rng.standard_normal((20, 3))
    layer = Embedding(xp.asarray(W))
    for shape in [(6,), (4, 5), (7,), (2, 2), (30,)]:  # each batch touches other rows than the one before
        idx = rng.integers(0, 20, shape)
        dout = rng.standard_normal(shape + (3,))
        np.testing.assert_array_equal(backend.to_cpu(layer.forward(xp.asarray(idx))), W[idx])
        layer.backward(xp.asarray(dout))
        expected = np.zeros_like(W)
        np.add.at(expected, idx.reshape(-1), dout.reshape(-1, 3))
        np.testing.assert_allclose(backend.to_cpu(layer.grads[0]), expected, atol=1e-12)
    layer.grads[0][...] = 7.0  # someone wrote into the buffer: after forget_filled_rows, all is cleared again
    layer.forget_filled_rows()
    idx = xp.asarray([1, 1, 2])
    layer.forward(idx)
    layer.backward(xp.ones((3, 3)))
    assert float(layer.grads[0].sum()) == 9.0
