"""The word2vec models: simple CBOW and skip-gram (chapter 3) and their fast versions (chapter 4).

Chapter 3 predicts a word from its context (CBOW) or the context from a word (skip-gram) with a full softmax
over the vocabulary. Chapter 4 makes both scale to a real corpus with two changes: the input side becomes an
:class:`~scratchnlp.layers.Embedding` (a row lookup instead of a one-hot vector times a matrix) and the output
side becomes a :class:`~scratchnlp.layers.NegativeSamplingLoss` (a few binary problems instead of a softmax
over all V words).

All four models have ``params`` and ``grads`` (``[W_in, W_out]``, names in ``param_names``),
``forward(contexts, target) -> loss``, ``backward(dout=1)``, and ``word_vecs``, the learned word vectors: the
input matrix ``W_in``, one row per word, as in the book.

Inputs are word ids: ``contexts`` of shape ``(N, C)`` (``C = 2 * window_size`` words around each target, as
:func:`scratchnlp.text.create_contexts_target` makes them) and ``target`` of shape ``(N,)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator, check_indices, check_ndim, check_positive_int, describe
from ..layers import Embedding, MatMul, NegativeSamplingLoss, SoftmaxWithLoss
from .base import BaseModel

__all__ = ["SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram"]

def _check_size(name: str, value: Any) -> int:
    return check_positive_int(value, name)


def _init_weights(shape: tuple[int, int], rng: np.random.Generator, dtype: Any) -> Any:
    """The book's initialisation, ``0.01 * N(0, 1)``, drawn by NumPy and placed on the current device."""
    W = (0.01 * rng.standard_normal(shape)).astype(dtype)
    return backend.array_module().asarray(W)


def _child_seed(rng: np.random.Generator) -> int:
    """A seed for a sub-component (the negative sampler), derived from the model's generator."""
    return int(rng.integers(0, 2**63 - 1))


def _as_ids(x: Any, vocab_size: int, ids_ndim: int, name: str, shape_hint: str) -> Any:
    """Word ids from ids (``ids_ndim`` dimensions) or one-hot vectors (one more dimension, of size V).

    The book feeds the chapter-3 models one-hot vectors and multiplies them by ``W_in``; that product only
    selects rows, so we accept ids as well and select the rows directly.
    """
    check_ndim(x, (ids_ndim, ids_ndim + 1), name, shape_hint)
    if x.ndim == ids_ndim:
        check_indices(x, vocab_size, name)
        return x
    if x.shape[-1] != vocab_size:
        raise ValueError(f"one-hot {name} must have last dimension {vocab_size} (the vocabulary), got {describe(x)}")
    if x.size and (float(x.min()) < 0 or float(x.max()) > 1 or bool((x.sum(axis=-1) != 1).any())):
        raise ValueError(f"one-hot {name} must hold exactly one 1 per vector and 0 elsewhere, got {describe(x)}")
    return x.argmax(axis=-1).astype(np.int32)


def _check_batch(contexts: Any, target: Any) -> None:
    if contexts.shape[0] != target.shape[0]:
        raise ValueError(
            f"contexts and target must have the same batch size, got {describe(contexts)} and {describe(target)}"
        )


def _build_negative_sampling(
    model: Any,
    vocab_size: int,
    hidden_size: int,
    window_size: int,
    corpus: Any,
    power: float,
    sample_size: int,
    seed: Seed,
    dtype: Any,
) -> None:
    """The layers of the chapter-4 models: Embedding (W_in, (V, H)) and NegativeSamplingLoss (W_out, (V, H))."""
    V, H = _check_size("vocab_size", vocab_size), _check_size("hidden_size", hidden_size)
    model.window_size = _check_size("window_size", window_size)
    rng = as_generator(seed)
    dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
    W_in = _init_weights((V, H), rng, dtype)
    W_out = _init_weights((V, H), rng, dtype)
    model.in_layer = Embedding(W_in)
    model.loss_layer = NegativeSamplingLoss(W_out, corpus, power, sample_size, seed=_child_seed(rng))
    model.layers = [model.in_layer, model.loss_layer]
    model.params = [W_in, W_out]
    model.grads = [model.in_layer.grads[0], model.loss_layer.grads[0]]


class _Word2Vec(BaseModel):
    """What the four models share: two weight matrices, their names and the learned word vectors."""

    def __init__(self) -> None:
        super().__init__()
        self.param_names = ["W_in", "W_out"]

    @property
    def word_vecs(self) -> Any:
        """(V, H) learned word vectors: the input matrix ``W_in`` (the same array, not a copy)."""
        return self.params[0]

    @property
    def vocab_size(self) -> int:
        return int(self.params[0].shape[0])


class SimpleCBOW(_Word2Vec):
    """CBOW with a full softmax (chapter 3.2): predict the target word from the mean of its contexts.

    ``h = mean_c W_in[contexts[:, c]]``, ``scores = h @ W_out``, loss = softmax cross-entropy.

    The book's version takes exactly two one-hot contexts (window size 1) and one MatMul layer per context
    sharing ``W_in``; this one takes any number ``C`` of contexts as ids (or as one-hot vectors) and selects
    the rows with one :class:`~scratchnlp.layers.Embedding`: the same forward and gradients, without the
    ``(N, V)`` one-hot product.

    Parameters
    ----------
    vocab_size : int
        V.
    hidden_size : int
        H, the dimension of the word vectors.
    seed : int or numpy.random.Generator, default 0
        For the initial weights, ``0.01 * N(0, 1)`` as in the book.
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    forward(contexts: (N, C) ids or (N, C, V) one-hot, target: (N,) ids or (N, V) one-hot) -> loss.
    ``params = [W_in (V, H), W_out (H, V)]``.
    """

    def __init__(self, vocab_size: int, hidden_size: int, *, seed: Seed = 0, dtype: Any = None) -> None:
        _Word2Vec.__init__(self)
        V, H = _check_size("vocab_size", vocab_size), _check_size("hidden_size", hidden_size)
        rng = as_generator(seed)
        dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        W_in = _init_weights((V, H), rng, dtype)
        W_out = _init_weights((H, V), rng, dtype)
        self.in_layer = Embedding(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer = SoftmaxWithLoss()
        self.layers = [self.in_layer, self.out_layer]
        self.params = [W_in, W_out]
        self.grads = [self.in_layer.grads[0], self.out_layer.grads[0]]
        self._n_contexts = 1

    def forward(self, contexts: Any, target: Any) -> float:
        V = self.vocab_size
        contexts = _as_ids(contexts, V, 2, "contexts", "(N, C) ids or (N, C, V) one-hot")
        target = _as_ids(target, V, 1, "target", "(N,) ids or (N, V) one-hot")
        _check_batch(contexts, target)
        self._n_contexts = contexts.shape[1]
        h = self.in_layer.forward(contexts).mean(axis=1)  # (N, C, H) -> (N, H)
        score = self.out_layer.forward(h)  # (N, V)
        return self.loss_layer.forward(score, target)

    def backward(self, dout: float = 1.0) -> None:
        ds = self.loss_layer.backward(dout)  # (N, V)
        dh = self.out_layer.backward(ds)  # (N, H)
        n, c = dh.shape[0], self._n_contexts
        # the mean spreads dh equally over the C context rows
        self.in_layer.backward(backend.xp(dh).broadcast_to((dh / c)[:, None, :], (n, c, dh.shape[1])))
        return None


class SimpleSkipGram(_Word2Vec):
    """Skip-gram with a full softmax (chapter 3.5.2): predict every context word from the target word.

    ``h = W_in[target]``, ``scores = h @ W_out``; the loss is the sum over the ``C`` context positions of the
    mean softmax cross-entropy, as the book's ``l1 + l2``. The softmax is computed once and scored against
    all ``C`` contexts.

    Parameters
    ----------
    vocab_size, hidden_size : int
    seed : int or numpy.random.Generator, default 0
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    forward(contexts: (N, C) ids or (N, C, V) one-hot, target: (N,) ids or (N, V) one-hot) -> loss.
    ``params = [W_in (V, H), W_out (H, V)]``.
    """

    def __init__(self, vocab_size: int, hidden_size: int, *, seed: Seed = 0, dtype: Any = None) -> None:
        # the same layers as SimpleCBOW; only the forward and backward passes differ
        SimpleCBOW.__init__(self, vocab_size, hidden_size, seed=seed, dtype=dtype)

    def forward(self, contexts: Any, target: Any) -> float:
        V = self.vocab_size
        contexts = _as_ids(contexts, V, 2, "contexts", "(N, C) ids or (N, C, V) one-hot")
        target = _as_ids(target, V, 1, "target", "(N,) ids or (N, V) one-hot")
        _check_batch(contexts, target)
        xp = backend.xp(contexts)
        n, c = contexts.shape
        self._n_contexts = c
        h = self.in_layer.forward(target)  # (N, H)
        score = self.out_layer.forward(h)  # (N, V)
        # the same scores face each of the C contexts: score them as N * C rows
        rows = xp.broadcast_to(score[:, None, :], (n, c, V)).reshape(n * c, V)
        # SoftmaxWithLoss averages over N * C rows; the book sums the C means, hence the factor C
        return self.loss_layer.forward(rows, contexts.reshape(-1)) * c

    def backward(self, dout: float = 1.0) -> None:
        c = self._n_contexts
        drows = self.loss_layer.backward(dout * c)  # (N * C, V)
        ds = drows.reshape(-1, c, drows.shape[1]).sum(axis=1)  # (N, V): the C uses of each score add up
        dh = self.out_layer.backward(ds)  # (N, H)
        self.in_layer.backward(dh)
        return None


class CBOW(_Word2Vec):
    """CBOW with an Embedding and negative sampling (chapter 4.3.1).

    ``h = mean_c W_in[contexts[:, c]]``; the loss is :class:`~scratchnlp.layers.NegativeSamplingLoss` of ``h``
    against the target (output vectors ``W_out``, one row per word).

    The book builds ``2 * window_size`` Embedding layers sharing ``W_in``; one Embedding over the ``(N, C)``
    ids does the same with one gather and one scatter-add, and the model's ``params`` list each matrix once.

    Parameters
    ----------
    vocab_size : int
        V.
    hidden_size : int
        H.
    window_size : int
        w; ``contexts`` must have ``2 * w`` columns.
    corpus : (N,) integer array
        The training corpus, for the negative sampler's word counts.
    power : float, default 0.75
    sample_size : int, default 5
        Negatives per target.
    seed : int or numpy.random.Generator, default 0
        For the initial weights (``0.01 * N(0, 1)``) and the negative sampler.
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    forward(contexts: (N, 2w) ids, target: (N,) ids) -> loss. ``params = [W_in (V, H), W_out (V, H)]``.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int,
        corpus: Any,
        *,
        power: float = 0.75,
        sample_size: int = 5,
        seed: Seed = 0,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _build_negative_sampling(self, vocab_size, hidden_size, window_size, corpus, power, sample_size, seed, dtype)
        self.ns_loss = self.loss_layer  # the book's name

    def _check(self, contexts: Any, target: Any) -> None:
        c = 2 * self.window_size
        check_ndim(contexts, 2, "contexts", f"(N, {c}) word ids")
        if contexts.shape[1] != c:
            raise ValueError(f"contexts must be (N, {c}) (2 * window_size), got {describe(contexts)}")
        check_ndim(target, 1, "target", "(N,) word ids")
        _check_batch(contexts, target)

    def forward(self, contexts: Any, target: Any) -> float:
        self._check(contexts, target)
        h = self.in_layer.forward(contexts).mean(axis=1)  # (N, 2w, H) -> (N, H)
        return self.loss_layer.forward(h, target)

    def backward(self, dout: float = 1.0) -> None:
        dh = self.loss_layer.backward(dout)  # (N, H)
        n, h = dh.shape
        c = 2 * self.window_size
        dh *= 1.0 / c  # the mean spreads dh equally over the 2w context rows
        self.in_layer.backward(backend.xp(dh).broadcast_to(dh[:, None, :], (n, c, h)))
        return None


class SkipGram(_Word2Vec):
    """Skip-gram with an Embedding and negative sampling (chapter 4.3, the book's ``SkipGram``).

    ``h = W_in[target]``; the loss is the sum over the ``2 * window_size`` context positions of the
    negative-sampling loss of ``h`` against that context word (each with its own negatives), as the book's
    list of loss layers sums them. Here one :class:`~scratchnlp.layers.NegativeSamplingLoss` handles all
    positions with ``(N, 2w)`` targets.

    Parameters
    ----------
    vocab_size, hidden_size, window_size : int
    corpus : (N,) integer array
    power : float, default 0.75
    sample_size : int, default 5
    seed : int or numpy.random.Generator, default 0
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    forward(contexts: (N, 2w) ids, target: (N,) ids) -> loss. ``params = [W_in (V, H), W_out (V, H)]``.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        window_size: int,
        corpus: Any,
        *,
        power: float = 0.75,
        sample_size: int = 5,
        seed: Seed = 0,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _build_negative_sampling(self, vocab_size, hidden_size, window_size, corpus, power, sample_size, seed, dtype)

    _check = CBOW._check

    def forward(self, contexts: Any, target: Any) -> float:
        self._check(contexts, target)
        h = self.in_layer.forward(target)  # (N, H)
        return self.loss_layer.forward(h, contexts)  # summed over the 2w positions

    def backward(self, dout: float = 1.0) -> None:
        dh = self.loss_layer.backward(dout)  # (N, H)
        self.in_layer.backward(dh)
        return None
