"""Training word2vec the way the original tool does (chapter 4, a departure from the book for speed).

:func:`train_fast` takes the same model (the same :class:`~scratchnlp.models.CBOW` or
:class:`~scratchnlp.models.SkipGram` object, its ``W_in`` and ``W_out`` and its negative sampler) and trains it
the way the original word2vec tool trains it (Mikolov et al., 2013):

* plain SGD on the rows a batch touches only (a sparse update via :func:`scratchnlp.backend.scatter_add`),
  instead of an Adam step over every row of both matrices;
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

The book's own algorithm (mini-batches of 100, Adam over the whole matrices) is made fast elsewhere, without
changing its arithmetic: :class:`scratchnlp.optim.FusedAdam` and the Embedding that clears only the rows it
used. ``benchmarks/bench_word2vec.py`` measures both, and compares :func:`train_fast` with gensim.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from . import backend
from ._checks import Seed, check_ndim, describe
from .functions import sigmoid
from .training import TrainingLog, _checked_grads, _checked_loss

__all__ = ["train_fast", "FAST_DEFAULTS"]

#: One sparse update of a batch: add ``rows`` (P, D) into ``matrix`` at the row ids ``ids`` (P,).
Update = tuple[Any, Any, Any]

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


#: The names of a batch's updates in the NaN/inf message, in the order the batch functions return them.
_UPDATE_NAMES = ("W_out", "W_in")


def _window_mask(rng: np.random.Generator, n: int, window_size: int, dynamic: bool) -> np.ndarray:
    """(N, 2w) bool: which context slots lie within each target's window of ``b`` words a side.

    ``b`` is ``window_size``, or with ``dynamic`` uniform in ``[1, window_size]`` per target (word2vec's
    ``window - rand() % window``), so a word at distance d is used with probability ``(w - d + 1) / w``.
    """
    offsets = np.concatenate([np.arange(-window_size, 0), np.arange(1, window_size + 1)])  # (2w,)
    b = rng.integers(1, window_size + 1, size=n) if dynamic else np.full(n, window_size)  # (N,)
    return np.abs(offsets)[None, :] <= b[:, None]


def _score(
    W_out: Any, sampler: Any, h: Any, positive: Any, lr: float, n_targets: int
) -> tuple[Any, float, Update]:
    """Negative sampling for hidden vectors ``h`` (M, D) and their positive words (M,).

    Returns the error of ``h`` (M, D), the loss per target, and the SGD update of ``W_out`` (not yet applied).
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
    return neu1e, loss, (W_out, idx.reshape(-1), (g[:, :, None] * h[:, None, :]).reshape(-1, h.shape[1]))


def _cbow_batch(
    W_in: Any, W_out: Any, sampler: Any, contexts: np.ndarray, mask: np.ndarray, target: np.ndarray, lr: float
) -> tuple[float, list[Update]]:
    """One CBOW batch of sparse SGD: the mean negative-sampling loss and the updates of ``W_out`` and ``W_in``.

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
    neu1e, loss, out_update = _score(W_out, sampler, h, target, lr, target.shape[0])
    return loss, [out_update, (W_in, ctx, neu1e[rows])]  # the full error to every context word, as word2vec


def _skipgram_batch(
    W_in: Any, W_out: Any, sampler: Any, contexts: np.ndarray, mask: np.ndarray, target: np.ndarray, lr: float
) -> tuple[float, list[Update]]:
    """One skip-gram batch of sparse SGD over the (target, context) pairs inside the windows (as the CBOW's)."""
    xp = backend.xp(W_in)
    rows, slots = np.nonzero(mask)
    center = xp.asarray(target[rows])  # (P,) the input word of each pair
    positive = xp.asarray(contexts[rows, slots])  # (P,) the word it predicts
    h = W_in[center]  # (P, D)
    # the book's skip-gram loss sums over the context positions: report it per target
    neu1e, loss, out_update = _score(W_out, sampler, h, positive, lr, target.shape[0])
    return loss, [out_update, (W_in, center, neu1e)]


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

    A batch is not a :func:`scratchnlp.training.train_step`: that step computes the dense gradients of both
    ``(V, D)`` matrices and hands them to an optimizer, where this loop's speed comes from never forming
    them: the scores, the loss and the few hundred changed rows come out of one pass, and plain SGD adds those
    rows in place (:func:`scratchnlp.backend.scatter_add`). It shares the step's checks instead: the loss and
    the rows to be added are checked for NaN and inf (the same functions, the same messages) *before* any
    row changes, so a diverged batch leaves the weights as they were.

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
    log = TrainingLog(eval_interval)
    advice = "lower lr or batch_size"
    with log.running(total, progress, unit="batch"):
        for _ in range(epochs):
            if log.iteration >= total:
                break
            order = rng.permutation(n_targets) + w  # target positions
            for first in range(0, n_targets, batch_size):
                if log.iteration >= total:
                    break
                pos = order[first : first + batch_size]  # (B,)
                contexts = corpus[pos[:, None] + offsets[None, :]]  # (B, 2w)
                mask = _window_mask(rng, pos.shape[0], w, dynamic_window)
                rate = lr - (lr - min_lr) * (log.iteration / total)  # linear decay over the whole run
                loss, updates = batch_fn(W_in, W_out, sampler, contexts, mask, corpus[pos], rate)
                # train_step's checks, before anything changes: the loss, then the updates (lr times gradients)
                where = partial(log.where, None)
                loss = _checked_loss(loss, where, advice)
                _checked_grads([rows for _, _, rows in updates], None, names=_UPDATE_NAMES, where=where,
                               advice=f"the parameters keep their values from before this batch; {advice}")
                for matrix, ids, rows in updates:  # W_out's, then W_in's
                    backend.scatter_add(matrix, ids, rows)
                log.record(loss, lr=rate)
                if callback is not None:
                    callback(log.iteration, loss)
            log.end_epoch()
    history: dict[str, Any] = {key: list(values) for key, values in log.history.items()}
    history.setdefault("lr", [])
    wall = log.wall_time
    history["wall_time"] = wall
    history["iterations"] = log.iteration
    history["words_per_second"] = min(log.iteration * batch_size, epochs * n_targets) / wall if wall > 0 else 0.0
    return history
