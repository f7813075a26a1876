"""Negative sampling, the speed-up of word2vec's output side (chapter 4.2).

With a full softmax the cost of one training example grows with the vocabulary size V: the scores of all V
words are computed and normalised. Negative sampling (Mikolov et al., 2013) turns the multi-class problem
into binary ones: "is this word the target?" is asked for the true target (label 1) and for a few words drawn
at random (labels 0), so each example touches ``1 + sample_size`` rows of the output matrix instead of V.

* :class:`EmbeddingDot` (section 4.2.4) picks rows of the output matrix and takes their dot products with the
  hidden vectors.
* :class:`UnigramSampler` (section 4.2.6) draws the negative words from the unigram distribution raised to the
  power 0.75.
* :class:`NegativeSamplingLoss` (section 4.2.7) puts them together with a sigmoid cross-entropy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import (
    Seed,
    as_generator,
    check_float,
    check_grad,
    check_indices,
    check_ndim,
    check_nonempty_batch,
    check_scalar,
    describe,
)
from .base import Layer
from .basic import Embedding, SigmoidWithLoss

__all__ = ["EmbeddingDot", "UnigramSampler", "NegativeSamplingLoss"]

class EmbeddingDot(Layer):
    """Row lookup followed by a dot product with the hidden vector (section 4.2.4).

    ``out[n, j] = W[idx[n, j]] . h[n]``: the score of word ``idx[n, j]`` for example ``n``, computed without
    multiplying ``h`` by the whole ``(D, V)`` output matrix.

    The book's layer takes one word per example, ``idx`` of shape ``(N,)``, and its loss builds one such layer
    per negative sample. This one also takes several words per example, ``idx`` of shape ``(N, k)``, so the
    positive and all the negative words are scored by one gather, one batched product and, in ``backward``,
    one scatter-add.

    Parameters
    ----------
    W : (V, D) float array
        The output-side word vectors (``W_out``); ``params[0]`` is this same array.

    Notes
    -----
    forward(h: (N, D), idx: (N,) or (N, k) ids in [0, V)) -> scores (N,) or (N, k).
    backward(dout: (N,) or (N, k)) -> dh (N, D); ``grads[0]`` holds dW, with the rows of repeated ids summed.
    """

    def __init__(self, W: Any) -> None:
        super().__init__()
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache: tuple[Any, Any] | None = None

    def forward(self, h: Any, idx: Any) -> Any:
        (W,) = self.params
        check_float(h, "EmbeddingDot hidden vectors h")
        check_ndim(h, 2, "EmbeddingDot hidden vectors h", "(N, D)")
        check_ndim(idx, (1, 2), "EmbeddingDot ids idx", "(N,) or (N, k)")
        if h.shape[1] != W.shape[1]:
            raise ValueError(f"EmbeddingDot h must be (N, {W.shape[1]}) to match W {tuple(W.shape)}, got {describe(h)}")
        if idx.shape[0] != h.shape[0]:
            raise ValueError(
                f"EmbeddingDot ids and h must have the same batch size, got {describe(idx)} and {describe(h)}"
            )
        xp = backend.xp(h)
        target_W = self.embed.forward(idx)  # (N, D) or (N, k, D)
        if idx.ndim == 1:
            out = (target_W * h).sum(axis=1)  # (N,)
        else:
            # a batched matrix-vector product: (N, k, D) @ (N, D, 1) -> (N, k, 1)
            out = xp.matmul(target_W, h[:, :, None])[:, :, 0]  # (N, k)
        self.cache = (h, target_W)
        return out

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.cache)
        h, target_W = self.cache
        check_grad(dout, target_W.shape[:-1], "EmbeddingDot.backward dout")
        xp = backend.xp(h)
        if dout.ndim == 1:  # one word per example: (N,)
            self.embed.backward(dout[:, None] * h)  # d(target_W) = dout * h, (N, D)
            return dout[:, None] * target_W  # (N, D)
        # d(target_W)[n, j] = dout[n, j] * h[n]: an outer product per example, (N, k, D)
        self.embed.backward(dout[:, :, None] * h[:, None, :])
        # dh[n] = sum_j dout[n, j] * W[idx[n, j]]: (N, 1, k) @ (N, k, D) -> (N, 1, D)
        return xp.matmul(dout[:, None, :], target_W)[:, 0, :]  # (N, D)


def _probabilities(corpus: Any, power: float, vocab_size: int | None) -> np.ndarray:
    """``count(w) ** power``, normalised to sum to 1, as float64 over ``[0, V)``."""
    corpus = backend.to_cpu(corpus)
    check_ndim(corpus, 1, "corpus", "(N,) array of word ids")
    if corpus.shape[0] == 0:
        raise ValueError("corpus must hold at least one word id, got an empty array")
    if np.dtype(corpus.dtype).kind not in "iu":
        raise ValueError(f"corpus must be an integer array of word ids, got {describe(corpus)}")
    if int(corpus.min()) < 0:
        raise ValueError(f"corpus must hold non-negative word ids, got {int(corpus.min())}")
    V = int(corpus.max()) + 1 if vocab_size is None else int(vocab_size)
    check_indices(corpus, V, "corpus")
    counts = np.bincount(corpus, minlength=V).astype(np.float64)  # (V,)
    weights = counts**power
    weights[counts == 0] = 0.0  # 0 ** 0 would be 1: a word that never occurs is never a negative
    return weights / weights.sum()


def _alias_table(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for the distribution ``p`` (Vose's construction, 1991).

    Column ``i`` of ``V`` equal columns keeps word ``i`` with probability ``accept[i]`` and otherwise gives
    word ``alias[i]``; a draw picks a uniform column and a uniform number, so it costs O(1) whatever V is.
    The columns are filled so that ``P(w) = (accept[w] + sum_{i: alias[i] = w} (1 - accept[i])) / V``
    equals ``p[w]`` (up to float64 round-off). Words of probability 0 are never a column's alias and keep
    ``accept = 0``, so they are never drawn.
    """
    V = p.shape[0]
    scaled = p * V  # column mass: a column holds exactly 1
    accept = np.zeros(V, dtype=np.float64)
    alias = np.arange(V, dtype=np.int64)
    # words of probability 0 come last in the list, so pop() pairs them first, while large words remain
    small = [int(i) for i in np.flatnonzero((scaled < 1.0) & (p > 0))] + [int(i) for i in np.flatnonzero(p == 0)]
    large = [int(i) for i in np.flatnonzero(scaled >= 1.0)]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]  # column s: word s for its own mass, the rest of the column from word g
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    for i in large + small:  # what round-off leaves over is (within 1e-12) a full column of its own
        accept[i] = 1.0 if p[i] > 0 else 0.0
        if p[i] == 0:
            alias[i] = int(np.argmax(p))
    return accept, alias


class UnigramSampler:
    """Draw negative words from the unigram distribution raised to ``power`` (section 4.2.6).

    ``P(w) = count(w) ** power / sum_v count(v) ** power``. The power 0.75 (Mikolov et al., 2013) flattens the
    distribution, so rare words are drawn a little more often than their frequency alone would give.

    Every negative differs from its positive target. The sampler draws all ``N * sample_size`` words of a
    batch at once with Walker's alias method (two uniform arrays and two look-ups per draw, O(1) each, where
    the book's ``np.random.choice(p=...)`` searches the cumulative distribution), then redraws, again all at
    once, only the draws that hit their own target, until none does. Redrawing on a hit is rejection
    sampling, so each negative follows exactly ``P`` renormalised without its target,
    ``P(w) / (1 - P(target))`` for ``w != target``; the loop ends quickly because each round keeps only a
    fraction ``P(target)`` of the previous hits.

    Departures from the book: the book's CPU sampler loops over the rows in Python and draws the
    ``sample_size`` words of a row without replacement; here the negatives of one row are independent draws
    (with replacement, as in the original word2vec), which is what makes one vectorised draw possible. The
    book's GPU sampler does not exclude the target at all.

    Parameters
    ----------
    corpus : (N,) integer array of word ids
    power : float
        Exponent applied to the counts (0.75 in the book and in word2vec).
    sample_size : int
        Negatives per target (5 in the book).
    seed : int or numpy.random.Generator, default 0
        Stored as ``self.rng``, which draws the negatives of NumPy targets. The negatives of CuPy targets are
        drawn on the GPU, by a generator seeded from ``self.rng`` (:func:`scratchnlp.backend.random_generator`),
        and never leave it: the alias table is built once on the host (a Python loop, host-only by design)
        and copied to the GPU at the first draw there. The GPU's streams differ from NumPy's, so NumPy and
        CuPy runs with the same seed see different (equally distributed) negatives.
    vocab_size : int, optional
        V; by default ``corpus.max() + 1``. Pass it when the vocabulary holds words the corpus lacks.

    Attributes
    ----------
    word_p : (V,) float64 array
        The sampling distribution (the book's name).
    vocab_size, sample_size : int
    rng : numpy.random.Generator
    """

    def __init__(
        self,
        corpus: Any,
        power: float,
        sample_size: int,
        *,
        seed: Seed = 0,
        vocab_size: int | None = None,
    ) -> None:
        if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 1:
            raise ValueError(f"sample_size must be a positive int, got {sample_size!r}")
        if not np.isfinite(power) or power < 0:
            raise ValueError(f"power must be a finite number >= 0, got {power!r}")
        self.word_p = _probabilities(corpus, float(power), vocab_size)
        self.vocab_size = int(self.word_p.shape[0])
        self.sample_size = int(sample_size)
        self.rng = as_generator(seed)
        self.device_rng: Any = None
        self._accept, self._alias = _alias_table(self.word_p)
        self._device_table: Any = None  # (accept, alias) on the GPU, made at the first draw there
        # a word holding all the probability can never have a negative different from itself
        self._sure = int(np.argmax(self.word_p)) if float(self.word_p.max()) >= 1.0 else None

    def _table(self, xp: Any) -> tuple[Any, Any]:
        if xp is np:
            return self._accept, self._alias
        if self._device_table is None or backend.xp(self._device_table[0]) is not xp:
            self._device_table = (xp.asarray(self._accept), xp.asarray(self._alias))
        return self._device_table

    def draw(self, size: int | tuple[int, ...], xp: Any = np) -> Any:
        """Draw word ids from ``word_p`` with replacement (no target excluded), as an int32 array of ``xp``
        (NumPy by default; on CuPy the draw is made on the GPU)."""
        rng = backend.random_generator(self, xp)
        accept, alias = self._table(xp)
        column = rng.integers(0, self.vocab_size, size=size)
        keep = rng.random(size) < accept[column]
        return xp.where(keep, column, alias[column]).astype(np.int32)

    def get_negative_sample(self, target: Any) -> Any:
        """Draw ``sample_size`` negatives for every target, never the target itself.

        Parameters
        ----------
        target : (N,) or (N, C) integer array of word ids (NumPy or CuPy)
            The positive words; a skip-gram batch passes its (N, C) contexts.

        Returns
        -------
        (N, sample_size) or (N, C, sample_size) int32 array on the device of ``target``, drawn there.
        """
        check_ndim(target, (1, 2), "target", "(N,) or (N, C) word ids")
        check_indices(target, self.vocab_size, "target")
        if self._sure is not None and target.size and bool((target == self._sure).any()):
            raise ValueError(
                "cannot draw a negative different from the target: the corpus holds a single distinct word"
            )
        xp = backend.xp(target)
        k = self.sample_size
        negative = self.draw(tuple(target.shape) + (k,), xp)  # (..., k)
        flat_neg = negative.reshape(-1)
        flat_target = xp.repeat(target.reshape(-1), k)  # the target of each draw, (M,)
        hits = xp.flatnonzero(flat_neg == flat_target)
        while hits.size:  # rejection: redraw the hits only, all at once
            flat_neg[hits] = self.draw(int(hits.size), xp)
            hits = hits[flat_neg[hits] == flat_target[hits]]
        return negative


class NegativeSamplingLoss(Layer):
    """The negative-sampling loss of section 4.2.7: one positive and ``sample_size`` negatives per target.

    For hidden vectors ``h`` and targets ``t`` the loss is the book's

    ``L = 1/N sum_n [ -log sigmoid(W[t_n] . h_n) - sum_{j=1..k} log sigmoid(-W[neg_nj] . h_n) ]``,

    the sum over the positive and the ``k`` negatives of the mean (over the batch) binary cross-entropy.
    Where the book builds ``1 + k`` :class:`EmbeddingDot` layers sharing ``W`` (so the optimizer must merge
    ``1 + k`` gradients of a (V, D) matrix), this layer scores the positive and negatives together with one
    :class:`EmbeddingDot` over ids of shape ``(N, 1 + k)``: the same loss and gradients, one gather and one
    scatter-add.

    A target may also be ``(N, C)``: ``C`` positives per hidden vector (skip-gram's contexts), each with its
    own ``k`` negatives; the loss is then summed over the ``C`` positions, as the book's skip-gram sums its
    ``C`` loss layers.

    Parameters
    ----------
    W : (V, D) float array
        Output-side word vectors, shared with the :class:`EmbeddingDot` (``params[0]``).
    corpus : (N,) integer array
        Word ids whose counts define the sampling distribution.
    power : float, default 0.75
    sample_size : int, default 5
    seed : int or numpy.random.Generator, default 0
        For the :class:`UnigramSampler` (``self.sampler.rng``).

    Notes
    -----
    forward(h: (N, D), target: (N,) or (N, C)) -> scalar loss.
    backward(dout=1) -> dh (N, D); ``grads[0]`` holds dW.
    """

    def __init__(
        self,
        W: Any,
        corpus: Any,
        power: float = 0.75,
        sample_size: int = 5,
        *,
        seed: Seed = 0,
    ) -> None:
        super().__init__()
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size, seed=seed, vocab_size=W.shape[0])
        self.embed_dot = EmbeddingDot(W)
        self.loss_layer = SigmoidWithLoss()
        self.params = self.embed_dot.params
        self.grads = self.embed_dot.grads
        self._scale = 1
        self._labels: Any = None

    def _make_labels(self, xp: Any, shape: tuple[int, ...], groups: int) -> Any:
        """0/1 labels for scores of ``shape``: 1 at the first column of each group of ``1 + k`` (the positive)."""
        if self._labels is None or self._labels.shape != shape or backend.xp(self._labels) is not xp:
            labels = xp.zeros((shape[0], groups, 1 + self.sample_size), dtype=xp.int8)
            labels[:, :, 0] = 1
            self._labels = labels.reshape(shape)
        return self._labels

    def forward(self, h: Any, target: Any) -> float:
        check_float(h, "NegativeSamplingLoss hidden vectors h")
        check_ndim(target, (1, 2), "NegativeSamplingLoss target", "(N,) or (N, C) word ids")
        if target.shape[0] != h.shape[0]:
            raise ValueError(
                f"NegativeSamplingLoss h and target must have the same batch size, got {describe(h)} and "
                f"{describe(target)}"
            )
        check_nonempty_batch(h, "NegativeSamplingLoss hidden vectors h")
        xp = backend.xp(h)
        negative = self.sampler.get_negative_sample(target)  # (N, k) or (N, C, k)
        # the positive first, then its negatives: (N, 1 + k) or (N, C, 1 + k)
        idx = xp.concatenate([target[..., None].astype(negative.dtype), negative], axis=-1)
        n = h.shape[0]
        groups = 1 if target.ndim == 1 else target.shape[1]
        idx = idx.reshape(n, -1)  # (N, C * (1 + k))
        score = self.embed_dot.forward(h, idx)  # (N, C * (1 + k))
        labels = self._make_labels(xp, score.shape, groups)
        # SigmoidWithLoss averages over all N * C * (1 + k) scores; the book's loss averages over N only and
        # sums over the C * (1 + k) binary problems, hence the factor
        self._scale = idx.shape[1]
        return self.loss_layer.forward(score, labels) * self._scale

    def backward(self, dout: float = 1.0) -> Any:
        self._require_forward(self.loss_layer.y)
        dout = check_scalar(dout, "NegativeSamplingLoss.backward dout")
        dscore = self.loss_layer.backward(dout * self._scale)  # (N, C * (1 + k))
        return self.embed_dot.backward(dscore)  # (N, D)
