"""Making word2vec training fast (chapter 4, and the book's appendix on computation speed-up).

Three things live here.

:class:`FusedAdam`
    The book's algorithm unchanged (the chapter-4 CBOW or skip-gram, mini-batches of 100, Adam over the whole
    weight matrices), made fast. Profiling that loop shows the dense Adam step over two ``(10000, 100)``
    matrices taking about 90% of the time: written as the book writes it, every expression allocates a
    fresh ``(V, D)`` temporary and streams it through memory. :class:`FusedAdam` does *exactly* the same
    arithmetic, in the same order and precision (its results are bitwise equal to
    :class:`scratchnlp.optim.Adam`), in place, over chunks small enough to stay in the CPU cache.

:func:`train_fast`
    What makes word2vec fast in practice, as a departure from the book: the same model (the same
    :class:`~scratchnlp.models.CBOW` or :class:`~scratchnlp.models.SkipGram` object, its ``W_in`` and ``W_out``
    and its negative sampler) trained the way the original word2vec tool trains it (Mikolov et al., 2013):

    * plain SGD on the rows a batch touches only (a sparse update via :func:`scatter_add_rows`), instead of an
      Adam step over every row of both matrices;
    * a learning rate decaying linearly from ``lr`` to ``min_lr`` over the whole run, as word2vec and gensim
      do (gensim's defaults, 0.025 to 0.0001 for both CBOW and skip-gram; word2vec.c starts CBOW at 0.05);
    * word2vec's dynamic window: each target uses a window of ``b`` words on each side, ``b`` uniform in
      ``[1, window_size]``, which weights near words more;
    * for CBOW, word2vec's update of the input side: the error of the averaged hidden vector is added in full
      to every context word's vector (word2vec.c and gensim with ``cbow_mean=1`` do this; the exact gradient
      of the mean would divide it by the number of context words);
    * large batches: word2vec updates after every word from several threads without locks; here a batch of
      targets is scored with the weights from the start of the batch and all its updates are summed into the
      touched rows at once, which is what lets NumPy do the work in a few large vectorised calls.

:func:`scatter_add_rows`
    ``target[indices] += values`` with repeated indices summed, for the sparse updates; faster than
    :func:`scratchnlp.backend.scatter_add` on word2vec's batches (see ``benchmarks/bench_word2vec.py``).

With :class:`FusedAdam` and the vectorised layers, the book-setting loop runs about ten times faster than the
same algorithm written the book's way, and :func:`train_fast` trains an epoch of CBOW on PTB in a few seconds
(``benchmarks/bench_word2vec.py`` measures both, and compares the latter with gensim).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from tqdm import tqdm

from . import backend
from ._checks import check_ndim, describe
from .functions import sigmoid
from .optim import Adam
from .training import _progress_enabled

__all__ = ["FusedAdam", "train_fast", "scatter_add_rows", "FAST_DEFAULTS"]

Seed = int | np.random.Generator | None


class FusedAdam(Adam):
    """Adam with the book's arithmetic, done in place over cache-sized chunks (chapter 1.4; appendix on speed).

    Per parameter it computes, exactly as :class:`scratchnlp.optim.Adam` (and the book) do,

    ``m += (1 - beta1) * (g - m)``; ``v += (1 - beta2) * (g * g - v)``;
    ``p -= lr_t * m / (sqrt(v) + eps)`` with ``lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)``,

    with every operation in the same order and dtype, so the result is bitwise identical. The difference is
    memory traffic: the plain version allocates a new ``(V, D)`` temporary for each of its nine operations
    and streams it through main memory; this one walks the flattened parameter in chunks of ``chunk_size``
    elements and applies all the operations to one chunk, into two preallocated buffers, while the chunk is
    in the cache. On a ``(10000, 100)`` float32 matrix that is 2.3 to 3.4 times faster (see
    ``benchmarks/bench_word2vec.py``).

    CuPy arrays, non-contiguous parameters and gradients of another dtype fall back to the plain step.

    Parameters
    ----------
    lr, beta1, beta2, eps : as in :class:`scratchnlp.optim.Adam`
    chunk_size : int, default 65536
        Elements per chunk: 65536 float32 (256 KiB per array) keeps the arrays of a chunk in L2.
    """

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-7,
        *,
        chunk_size: int = 65536,
    ) -> None:
        super().__init__(lr, beta1, beta2, eps)
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self.chunk_size = int(chunk_size)
        self._scratch: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {}

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        if backend.is_gpu_array(p) or g.dtype != p.dtype or not (p.flags.c_contiguous and g.flags.c_contiguous):
            super().step(p, g, state)
            return
        if "m" not in state:  # (setdefault would build a new zero matrix on every call, only to drop it)
            state["m"], state["v"] = np.zeros_like(p), np.zeros_like(p)
        if p.dtype not in self._scratch:  # two scratch vectors, shared by all parameters of this dtype
            self._scratch[p.dtype] = (np.empty(self.chunk_size, p.dtype), np.empty(self.chunk_size, p.dtype))
        a_buf, b_buf = self._scratch[p.dtype]
        # Python floats, like the plain version's scalars, so NumPy rounds them to p's dtype the same way
        c1, c2, lr_t, eps = 1 - self.beta1, 1 - self.beta2, self._lr_t, self.eps
        P, G, M, Vv = p.reshape(-1), g.reshape(-1), state["m"].reshape(-1), state["v"].reshape(-1)
        for start in range(0, P.shape[0], self.chunk_size):
            stop = min(start + self.chunk_size, P.shape[0])
            a, b = a_buf[: stop - start], b_buf[: stop - start]
            pc, gc, mc, vc = P[start:stop], G[start:stop], M[start:stop], Vv[start:stop]
            np.subtract(gc, mc, out=a)  # m += (1 - beta1) * (g - m)
            a *= c1
            mc += a
            np.multiply(gc, gc, out=a)  # v += (1 - beta2) * (g * g - v)
            a -= vc
            a *= c2
            vc += a
            np.multiply(mc, lr_t, out=a)  # p -= lr_t * m / (sqrt(v) + eps), evaluated left to right
            np.sqrt(vc, out=b)
            b += eps
            a /= b
            pc -= a


# --------------------------------------------------------------------------------------------------------
# word2vec-style training
# --------------------------------------------------------------------------------------------------------

#: The defaults of :func:`train_fast` (gensim's, see the module docstring), also used by the experiments.
FAST_DEFAULTS: dict[str, Any] = {
    "epochs": 5,
    "batch_size": 1024,
    "lr": 0.025,
    "min_lr": 0.0001,
    "dynamic_window": True,
}


def _window_mask(rng: np.random.Generator, n: int, window_size: int, dynamic: bool) -> np.ndarray:
    """(N, 2w) bool: which context slots lie within each target's window of ``b`` words a side.

    ``b`` is ``window_size``, or with ``dynamic`` uniform in ``[1, window_size]`` per target (word2vec's
    ``window - rand() % window``), so a word at distance d is used with probability ``(w - d + 1) / w``.
    """
    offsets = np.concatenate([np.arange(-window_size, 0), np.arange(1, window_size + 1)])  # (2w,)
    b = rng.integers(1, window_size + 1, size=n) if dynamic else np.full(n, window_size)  # (N,)
    return np.abs(offsets)[None, :] <= b[:, None]


def _group_sums(values: np.ndarray, order: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Row sums of groups of ``values``: group ``g`` is the next ``sizes[g]`` entries of ``order``.

    :func:`numpy.add.reduceat` would do it, but it calls its inner loop once per row, which costs far more
    than adding one 100-float row. Instead the groups are split into size classes (width 1, 2, 4, 8, ...),
    each class is gathered as a ``(width, groups, D)`` block (short groups padded with zero rows) and halved
    in place, ``X[:h] += X[h:]``, until one ``(groups, D)`` slab is left: each halving is a single ufunc
    call over a contiguous block. Padding at most doubles the rows read.

    Parameters
    ----------
    values : (M, D) array
    order : (M,) positions into ``values``, grouped
    sizes : (G,) group sizes (>= 1), summing to M

    Returns
    -------
    (G, D) array of the dtype of ``values``
    """
    starts = np.cumsum(sizes) - sizes  # (G,)
    size_class = np.ceil(np.log2(sizes)).astype(np.int64)  # width 2 ** class >= size
    sums = np.empty((sizes.shape[0], values.shape[1]), dtype=values.dtype)
    for c in np.unique(size_class):
        groups = np.flatnonzero(size_class == c)
        offsets = np.arange(1 << int(c))[:, None]  # (width, 1)
        valid = offsets < sizes[groups][None, :]  # (width, groups)
        where = np.minimum(starts[groups][None, :] + offsets, order.shape[0] - 1)
        block = values[order[where]]  # (width, groups, D)
        block[~valid] = 0  # padding contributes nothing
        while block.shape[0] > 1:  # pairwise halving: contiguous adds
            half = block.shape[0] // 2
            block[:half] += block[half:]
            block = block[:half]
        sums[groups] = block[0]
    return sums


def scatter_add_rows(target: Any, indices: Any, values: Any) -> None:
    """``target[indices[i]] += values[i]`` along axis 0, repeated indices summed, in place.

    The same operation as :func:`scratchnlp.backend.scatter_add`, faster on NumPy for a word2vec batch
    (see ``benchmarks/bench_word2vec.py``): one sort of the indices, the rows of each distinct index summed
    by size class with a few large vectorised adds (see ``_group_sums``), and one fancy-indexed add of the
    sums into the distinct rows (which cannot collide). CuPy arrays go to
    :func:`scratchnlp.backend.scatter_add` (atomic adds).

    Parameters
    ----------
    target : (V, D) array, modified in place
    indices : (M,) integer array in ``[0, V)``
    values : (M, D) array
    """
    if backend.is_gpu_array(target) or indices.shape[0] == 0:
        backend.scatter_add(target, indices, values)
        return
    values = values.reshape(indices.shape[0], -1)
    # an unstable sort is ~8x faster than a stable one; the order of a group's rows is still a fixed function
    # of the input, so results stay reproducible
    order = np.argsort(indices)
    sorted_idx = indices[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))  # first of each group
    sizes = np.diff(np.append(starts, indices.shape[0]))  # (G,)
    target[sorted_idx[starts]] += _group_sums(values, order, sizes).astype(target.dtype, copy=False)


def _score_and_update(
    W_out: Any, sampler: Any, h: Any, positive: Any, lr: float, n_targets: int
) -> tuple[Any, float]:
    """Negative sampling for hidden vectors ``h`` (M, D) and their positive words (M,), with an SGD update of
    ``W_out``; returns the error of ``h`` (M, D) (from the weights before the update) and the loss per target.
    """
    xp = backend.xp(h)
    negative = sampler.get_negative_sample(positive)  # (M, k), never the positive word
    idx = xp.concatenate([positive[:, None].astype(negative.dtype), negative], axis=1)  # (M, 1 + k)
    Wo = W_out[idx]  # (M, 1 + k, D)
    score = xp.matmul(Wo, h[:, :, None])[:, :, 0]  # (M, 1 + k)
    # loss: softplus(-s) for the positive, softplus(s) for the negatives, written to stay finite
    signed = score.copy()
    signed[:, 0] *= -1
    loss = float((xp.maximum(signed, 0) + xp.log1p(xp.exp(-xp.abs(signed)))).sum()) / n_targets
    # word2vec's g = (label - sigmoid(s)) * alpha, i.e. minus the loss gradient times the learning rate
    g = -sigmoid(signed)  # (M, 1 + k): -sigmoid(s) for negatives, and 1 - sigmoid(s) = sigmoid(-s) ...
    g[:, 0] *= -1  # ... for the positive
    g *= score.dtype.type(lr)
    neu1e = xp.matmul(g[:, None, :], Wo)[:, 0, :]  # (M, D)
    scatter_add_rows(W_out, idx.reshape(-1), (g[:, :, None] * h[:, None, :]).reshape(-1, h.shape[1]))
    return neu1e, loss


def _cbow_batch(
    W_in: Any, W_out: Any, sampler: Any, contexts: np.ndarray, mask: np.ndarray, target: np.ndarray, lr: float
) -> float:
    """One CBOW batch of sparse SGD; returns the mean negative-sampling loss before the update.

    contexts (N, 2w) ids, mask (N, 2w) bool (the slots inside each target's window), target (N,).
    """
    xp = backend.xp(W_in)
    counts = mask.sum(axis=1, keepdims=True)  # (N, 1), at least 2
    weights = (mask / counts).astype(W_in.dtype)  # (N, 2w): 1/count inside the window, 0 outside
    rows, slots = np.nonzero(mask)  # the (target, context) pairs in use
    ctx = contexts[rows, slots]  # (P,)
    if xp is not np:
        contexts, weights, rows, ctx, target = (xp.asarray(a) for a in (contexts, weights, rows, ctx, target))
    # h = mean of the context vectors inside the window: (N, 1, 2w) @ (N, 2w, D) -> (N, 1, D)
    h = xp.matmul(weights[:, None, :], W_in[contexts])[:, 0, :]  # (N, D)
    neu1e, loss = _score_and_update(W_out, sampler, h, target, lr, target.shape[0])
    scatter_add_rows(W_in, ctx, neu1e[rows])  # the full error to every context word, as word2vec does
    return loss


def _skipgram_batch(
    W_in: Any, W_out: Any, sampler: Any, contexts: np.ndarray, mask: np.ndarray, target: np.ndarray, lr: float
) -> float:
    """One skip-gram batch of sparse SGD over the (target, context) pairs inside the windows."""
    xp = backend.xp(W_in)
    rows, slots = np.nonzero(mask)
    center = xp.asarray(target[rows])  # (P,) the input word of each pair
    positive = xp.asarray(contexts[rows, slots])  # (P,) the word it predicts
    h = W_in[center]  # (P, D)
    # the book's skip-gram loss sums over the context positions: report it per target
    neu1e, loss = _score_and_update(W_out, sampler, h, positive, lr, target.shape[0])
    scatter_add_rows(W_in, center, neu1e)
    return loss


def train_fast(
    model: Any,
    corpus: Any,
    *,
    epochs: int = FAST_DEFAULTS["epochs"],
    batch_size: int = FAST_DEFAULTS["batch_size"],
    lr: float = FAST_DEFAULTS["lr"],
    min_lr: float = FAST_DEFAULTS["min_lr"],
    dynamic_window: bool = FAST_DEFAULTS["dynamic_window"],
    seed: Seed = 0,
    progress: bool | None = None,
    eval_interval: int = 100,
    max_iters: int | None = None,
    callback: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Train a chapter-4 CBOW or SkipGram the way the original word2vec does (a departure from the book).

    See the module docstring for what changes. The model's own ``W_in``, ``W_out`` and negative sampler are
    used and updated in place, so ``model.word_vecs`` holds the result.

    Every epoch visits each position of the corpus that has ``window_size`` words on both sides (the targets
    of :func:`scratchnlp.text.create_contexts_target`) once, in a random order, ``batch_size`` targets at a
    time. The learning rate falls linearly from ``lr`` to ``min_lr`` over all the batches of all the epochs.

    Parameters
    ----------
    model : :class:`~scratchnlp.models.CBOW` or :class:`~scratchnlp.models.SkipGram`
        Provides ``window_size``, ``params = [W_in, W_out]`` and ``loss_layer.sampler``.
    corpus : (N,) integer array
        The word ids to train on (normally the corpus the model's sampler was built from).
    epochs : int, default 5
    batch_size : int, default 1024
        Targets per update. Larger batches are faster per epoch but sum more updates, all computed from the
        weights at the start of the batch, into the rows of frequent words. On PTB with ``lr=0.025``, CBOW
        trains as well as word2vec with 1024 and diverges with 2048; skip-gram, whose every target makes
        about six (target, context) pairs, needs about 256.
    lr, min_lr : float, default 0.025 and 0.0001
        Start and end of the linear learning-rate schedule.
    dynamic_window : bool, default True
        Draw each target's window size uniformly from ``[1, window_size]`` (word2vec); False uses the full
        window for every target.
    seed : int or numpy.random.Generator, default 0
        For the order of the targets and the window sizes (the negatives come from the model's sampler).
    progress : bool, optional
        Show a progress bar (default: only when stderr is a terminal).
    eval_interval : int, default 100
        Record the mean loss every this many batches.
    max_iters : int, optional
        Stop after this many batches in all (for quick runs and tests).
    callback : function (iteration, loss), optional
        Called after every batch.

    Returns
    -------
    dict
        ``loss`` (mean loss of each ``eval_interval`` batches), ``iteration``, ``epoch_loss``, ``lr`` (the rate
        at each recorded point), ``wall_time`` (seconds), ``epoch_time`` (seconds per epoch),
        ``words_per_second`` (targets per second) and ``iterations``.
    """
    from .models.word2vec import CBOW, SkipGram  # noqa: PLC0415 - models import layers, which import backend

    if isinstance(model, CBOW):
        batch_fn = _cbow_batch
    elif isinstance(model, SkipGram):
        batch_fn = _skipgram_batch
    else:
        raise TypeError(f"model must be a CBOW or a SkipGram, got {type(model).__name__}")
    check_ndim(corpus, 1, "corpus", "(N,) word ids")
    corpus = backend.to_cpu(corpus)
    if np.dtype(corpus.dtype).kind not in "iu":
        raise ValueError(f"corpus must hold integer word ids, got {describe(corpus)}")
    w = model.window_size
    n_targets = corpus.shape[0] - 2 * w
    if n_targets < 1:
        raise ValueError(f"corpus must have more than 2 * window_size = {2 * w} words, got {corpus.shape[0]}")
    if corpus.size and (int(corpus.min()) < 0 or int(corpus.max()) >= model.vocab_size):
        raise ValueError(f"corpus must hold ids in [0, {model.vocab_size}), got {describe(corpus)}")
    for name, value, low in (("epochs", epochs, 0), ("batch_size", batch_size, 1), ("eval_interval", eval_interval, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    if not (0 <= min_lr <= lr) or not math.isfinite(lr):
        raise ValueError(f"need 0 <= min_lr <= lr, got lr={lr!r}, min_lr={min_lr!r}")

    rng = np.random.default_rng(seed)
    W_in, W_out = model.params
    sampler = model.loss_layer.sampler
    corpus = corpus.astype(np.int32, copy=False)
    offsets = np.concatenate([np.arange(-w, 0), np.arange(1, w + 1)])  # (2w,)
    per_epoch = math.ceil(n_targets / batch_size)
    total = epochs * per_epoch if max_iters is None else min(epochs * per_epoch, int(max_iters))
    history: dict[str, Any] = {"loss": [], "iteration": [], "epoch_loss": [], "lr": [], "epoch_time": []}
    window_loss, window_count, iteration = 0.0, 0, 0
    start = time.perf_counter()
    bar = tqdm(total=total, disable=not _progress_enabled(progress), unit="batch", leave=False, file=sys.stderr)
    try:
        for _ in range(epochs):
            if iteration >= total:
                break
            epoch_start = time.perf_counter()
            order = rng.permutation(n_targets) + w  # target positions
            epoch_loss, epoch_batches = 0.0, 0
            for first in range(0, n_targets, batch_size):
                if iteration >= total:
                    break
                pos = order[first : first + batch_size]  # (B,)
                contexts = corpus[pos[:, None] + offsets[None, :]]  # (B, 2w)
                mask = _window_mask(rng, pos.shape[0], w, dynamic_window)
                rate = lr - (lr - min_lr) * (iteration / total)  # linear decay over the whole run
                loss = batch_fn(W_in, W_out, sampler, contexts, mask, corpus[pos], rate)
                if not math.isfinite(loss):
                    raise FloatingPointError(
                        f"loss became {loss} at batch {iteration + 1}; lower lr or batch_size"
                    )
                iteration += 1
                epoch_loss += loss
                epoch_batches += 1
                window_loss += loss
                window_count += 1
                if callback is not None:
                    callback(iteration, loss)
                if iteration % eval_interval == 0:
                    history["loss"].append(window_loss / window_count)
                    history["iteration"].append(iteration)
                    history["lr"].append(rate)
                    bar.set_postfix(loss=f"{window_loss / window_count:.3f}", lr=f"{rate:.4f}")
                    window_loss, window_count = 0.0, 0
                bar.update(1)
            if epoch_batches:
                history["epoch_loss"].append(epoch_loss / epoch_batches)
                history["epoch_time"].append(time.perf_counter() - epoch_start)
    finally:
        bar.close()
    wall = time.perf_counter() - start
    history["wall_time"] = wall
    history["iterations"] = iteration
    history["words_per_second"] = min(iteration * batch_size, epochs * n_targets) / wall if wall > 0 else 0.0
    return history
