"""Time layers: the layers of chapters 5 and 6 applied to a whole sequence at once.

A "Time" layer takes a mini-batch of ``N`` sequences of ``T`` steps, ``xs : (N, T, ...)``, and does for every
step what its plain counterpart does for one (chapter 5.3.1). The book builds most of them as ``T`` copies of
the plain layer; here each is one vectorised operation over all ``N * T`` positions, which gives the same
values and gradients:

* :class:`TimeEmbedding` — ``W[xs]`` for (N, T) word ids (chapter 5.4.1);
* :class:`TimeAffine` — one ``(N*T, D) @ (D, M)`` product (chapter 5.4.1);
* :class:`TimeSoftmaxWithLoss` — softmax cross-entropy averaged over all ``N * T`` positions, optionally
  skipping padded positions (chapter 5.4.1, the ``ignore_label`` of chapter 7);
* :class:`TimeDropout` — dropout with a fresh mask at every step (chapter 6.5.2).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from .. import backend
from .._checks import (
    check_array,
    check_float,
    check_grad,
    check_indices,
    check_ndim,
    check_scalar,
    check_score_maxes,
    describe,
)
from .base import Layer
from .basic import Affine, Dropout, Embedding

__all__ = ["TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss", "TimeDropout"]

#: Rows of scores handled at a time by the softmax on the CPU: a block stays in the L2 cache, so the passes
#: over it after the first read it from cache instead of main memory.
_SOFTMAX_BLOCK_BYTES = 1 << 21
#: exp(x) of float32 is finite and normal for |x| < 88; rows whose maximum is inside this bound are
#: exponentiated without subtracting the maximum first (the subtraction changes nothing else). Narrower
#: dtypes get a narrower bound (:func:`_exp_safe`): float16 overflows at exp(11.1).
_EXP_SAFE = 60.0
#: Below this many scores the softmax runs in the calling thread only.
_PARALLEL_MIN = 1 << 20
_pool: Any = None


def _threads() -> int:
    """Threads for the row-parallel softmax: the CPUs this process may use, at most the BLAS/OpenMP setting."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        n = os.cpu_count() or 1
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            n = min(n, int(value))
    return max(1, min(n, 8))


def _exp_block(x: Any, e: Any, maxes: Any, sums: Any, bias: Any, start: int, stop: int, block: int) -> None:
    """Rows ``start:stop``: ``e = exp(x + bias - m)``, ``sums = e.sum(axis=1)``, ``maxes = m`` (0 when safe)."""
    xp = backend.xp(x)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN or +inf rows are reported by the caller, -inf is 0
        _exp_block_(xp, x, e, maxes, sums, bias, start, stop, block)


def _exp_safe(dtype: Any, width: int) -> float:
    """The bound on a row's largest score below which ``exp`` needs no shift: ``exp`` of the largest score
    stays normal and the sum of ``width`` such terms finite in ``dtype`` (60 for float32 and float64)."""
    info = np.finfo(dtype)
    return min(_EXP_SAFE, float(np.log(float(info.max) / max(width, 1))), -float(np.log(float(info.tiny))))


def _exp_block_(xp: Any, x: Any, e: Any, maxes: Any, sums: Any, bias: Any, start: int, stop: int,
                block: int) -> None:
    safe = _exp_safe(e.dtype, e.shape[1])
    for s in range(start, stop, block):
        t = min(s + block, stop)
        src, dst = x[s:t], e[s:t]
        if bias is not None:
            xp.add(src, bias, out=dst)  # in cache, instead of a pass of its own over the whole array
            src = dst
        m = src.max(axis=1)
        if float(m.max()) < safe and float(m.min()) > -safe:
            xp.exp(src, out=dst)  # no overflow, no underflow of the largest term: the max need not be subtracted
            maxes[s:t] = 0
        else:
            xp.subtract(src, m[:, None], out=dst)
            xp.exp(dst, out=dst)
            maxes[s:t] = m
        dst.sum(axis=1, out=sums[s:t])


def _exp_rows(x: Any, e: Any, maxes: Any, sums: Any, bias: Any = None) -> None:
    """``e = exp(x + bias - maxes[:, None])`` and its row sums, for the softmax of every row of ``x (R, V)``.

    On the CPU the rows go through in cache-sized blocks (each block is read from memory once, then shifted,
    reduced and exponentiated in cache), split across threads for large inputs (NumPy releases the GIL
    inside its loops; every row is computed the same way whatever the split, so the result does not depend
    on it).
    """
    global _pool
    R, V = x.shape
    if backend.xp(x) is not np:
        _exp_block(x, e, maxes, sums, bias, 0, R, R)
        return
    block = max(1, _SOFTMAX_BLOCK_BYTES // (V * x.dtype.itemsize))
    threads = min(_threads(), -(-R // block)) if x.size >= _PARALLEL_MIN else 1
    if threads == 1:
        _exp_block(x, e, maxes, sums, bias, 0, R, block)
        return
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        _pool = ThreadPoolExecutor(max_workers=7, thread_name_prefix="scratchnlp-softmax")
    bounds = [R * k // threads for k in range(threads + 1)]
    futures = [_pool.submit(_exp_block, x, e, maxes, sums, bias, bounds[k], bounds[k + 1], block)
               for k in range(1, threads)]
    _exp_block(x, e, maxes, sums, bias, bounds[0], bounds[1], block)
    for f in futures:
        f.result()


class TimeEmbedding(Embedding):
    """Embedding lookup for a batch of sequences (chapter 5.4.1): ``xs (N, T)`` ids to ``(N, T, D)`` vectors.

    Parameters
    ----------
    W : (V, D) embedding matrix

    Notes
    -----
    ``forward(xs)`` takes integer ids (N, T) in ``[0, V)`` and returns ``(N, T, D)``; ``backward(dout)`` takes
    ``(N, T, D)``, writes dW (rows of repeated ids summed) and returns None. The book's version loops over
    ``T`` :class:`~scratchnlp.layers.Embedding` layers and adds their ``(V, D)`` gradients; this one gathers
    and scatters all ``N * T`` rows at once. The result is stored step-major (a ``(T, N, D)`` array viewed as
    ``(N, T, D)``), the layout the recurrent layers read step by step without a copy.
    """

    def forward(self, xs: Any) -> Any:
        check_ndim(xs, 2, "TimeEmbedding ids xs", "(N, T)")
        check_indices(xs, self.params[0].shape[0], "TimeEmbedding ids xs")
        out = self._gather(xs.T)  # (T, N, D): each step's rows contiguous
        return out.transpose(1, 0, 2)  # (N, T, D) view

    def backward(self, dout: Any) -> None:
        self._require_forward(self.idx)
        T, N = self.idx.shape
        check_grad(dout, (N, T, self.params[0].shape[1]), "TimeEmbedding.backward dout")
        return super().backward(dout.transpose(1, 0, 2))  # (T, N, D), matching the stored ids (T, N)


class TimeAffine(Affine):
    """Affine layer applied to every step (chapter 5.4.1): ``ys = xs @ W + b`` for ``xs (N, T, D)``.

    Parameters
    ----------
    W : (D, M) weights (may be a transposed view, e.g. ``embed_W.T`` for weight tying, chapter 6.5.3)
    b : (M,) bias

    Notes
    -----
    ``forward(xs)`` maps (N, T, D) to (N, T, M) with one ``(N*T, D) @ (D, M)`` product; ``backward(dout)``
    takes (N, T, M), writes ``dW = xs^T @ dout`` and ``db`` (sums over all N * T positions), and returns
    dxs (N, T, D).
    """

    def forward(self, xs: Any, *, add_bias: bool = True) -> Any:
        """``xs @ W + b``; with ``add_bias=False`` the bias is left for the caller to add (the language models
        hand it to :class:`TimeSoftmaxWithLoss`, which adds it in cache). The gradients are the same."""
        W, b = self.params
        check_float(xs, "TimeAffine input xs")
        if xs.ndim != 3 or xs.shape[2] != W.shape[0]:
            raise ValueError(f"TimeAffine input must be (N, T, {W.shape[0]}), got {describe(xs)}")
        N, T, D = xs.shape
        rx = xs.reshape(N * T, D)  # a copy only when xs is not laid out (N, T, D)
        self.x = rx
        self._shape = (N, T)
        out = rx @ W  # (N*T, M)
        if add_bias:
            out += b
        return out.reshape(N, T, W.shape[1])

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.x)
        W, _ = self.params
        N, T = self._shape
        check_grad(dout, (N, T, W.shape[1]), "TimeAffine.backward dout")
        xp = backend.xp(dout)
        d2 = dout.reshape(N * T, W.shape[1])
        dW, db = self.grads
        if dW.dtype == d2.dtype and self.x.dtype == d2.dtype:
            xp.matmul(self.x.T, d2, out=dW)  # written straight into the gradient buffer: no (D, M) temporary
        else:
            dW[...] = self.x.T @ d2
        if db.dtype == d2.dtype:
            xp.matmul(xp.ones(N * T, dtype=d2.dtype), d2, out=db)  # a BLAS GEMV: faster than sum(axis=0)
        else:
            db[...] = d2.sum(axis=0)
        return (d2 @ W.T).reshape(N, T, W.shape[0])


def _label_ids(ts: Any, n: int, t: int, v: int, ignore_label: int | None) -> Any:
    """The labels as (N, T) ids: from ids or one-hot vectors, checked to be in [0, V) or the ignore label."""
    check_array(ts, "TimeSoftmaxWithLoss labels ts")
    if ts.ndim == 3:
        if tuple(ts.shape) != (n, t, v):
            raise ValueError(f"one-hot labels must be ({n}, {t}, {v}) to match the scores, got {describe(ts)}")
        ts = ts.argmax(axis=2)
    if tuple(ts.shape) != (n, t):
        raise ValueError(f"labels ts must be ({n}, {t}) ids to match the scores (N, T, V), got {describe(ts)}")
    if np.dtype(ts.dtype).kind not in "iu":
        raise ValueError(f"labels ts must be integer ids in [0, {v}), got {describe(ts)}")
    if ts.size:
        lo, hi = int(ts.min()), int(ts.max())
        if lo < 0 or hi >= v:
            ok = (ts >= 0) & (ts < v)
            if ignore_label is not None:
                ok |= ts == ignore_label
            if not bool(ok.all()):
                bad = int(ts[~ok].ravel()[0])
                extra = f" or the ignore label {ignore_label}" if ignore_label is not None else ""
                raise ValueError(f"labels ts must hold ids in [0, {v}){extra}, got {bad} ({describe(ts)})")
    return ts


class TimeSoftmaxWithLoss(Layer):
    """Softmax cross-entropy averaged over every step of every sequence (chapter 5.4.1).

    ``loss = -(1 / K) * sum_{n,t} log softmax(xs[n, t])[ts[n, t]]`` over the ``K`` positions whose label is
    not ``ignore_label`` (all ``N * T`` of them unless some are; chapter 7 pads sequences with the ignore
    label -1).

    Parameters
    ----------
    ignore_label : int or None, default -1
        Positions labelled with this value count neither in the loss nor in the gradient (the book's
        ``ignore_label``). None: every label must be a valid id.

    Notes
    -----
    ``forward(xs, ts)`` takes scores ``xs (N, T, V)`` and labels ``ts (N, T)`` (ids) or ``(N, T, V)`` (one-hot)
    and returns the loss as a float; ``backward(dout=1)`` returns ``dxs (N, T, V) = (softmax(xs) -
    onehot(ts)) * dout / K``, zero at ignored positions.

    The loss uses the log-sum-exp form (finite for any finite scores; the book takes ``log`` of the softmax).
    Scores follow :func:`~scratchnlp.functions.softmax`'s rule: ``-inf`` masks a word out (probability 0; the
    loss is ``inf`` only where it is the label), while NaN, ``+inf`` or a row of only ``-inf`` raise
    :class:`~scratchnlp.training.NonFiniteScoresError` (a ``NonFiniteLossError``, so training stops as on a
    NaN loss). The check costs nothing on the way: only a loss that comes out NaN or infinite is looked into,
    through the row maxima the softmax computed anyway. The
    ``N * T * V`` work is done with one ``(N*T, V)`` array: ``forward`` writes ``exp(xs - m)`` into it and
    keeps only the row sums besides (``m`` is the row maximum, or 0 when every score of the row is within
    +-60, where ``exp`` can neither overflow nor lose the largest term); on the CPU it goes through the rows
    in cache-sized blocks, on several threads for large inputs. ``backward`` turns that array *in place*
    into the gradient, as the book's version does with its softmax output, so each forward allows one
    backward. With ``forward(..., overwrite_xs=True)`` (what the language models use: their scores are not
    needed afterwards) the scores' own memory is used and nothing of that size is allocated.
    """

    def __init__(self, ignore_label: int | None = -1) -> None:
        if ignore_label is not None and (isinstance(ignore_label, bool) or not isinstance(ignore_label, int)):
            raise ValueError(f"ignore_label must be an int or None, got {ignore_label!r}")
        super().__init__()
        self.ignore_label = ignore_label
        self.cache: Any = None

    def forward(self, xs: Any, ts: Any, *, overwrite_xs: bool = False, bias: Any = None) -> float:
        """Mean loss of the scores ``xs (N, T, V)`` (plus ``bias (V,)`` when given) against ``ts``.

        ``overwrite_xs=True`` lets the layer use the memory of ``xs`` (then garbage) for its work. ``bias``
        lets a model leave the bias out of its last product and have it added here, block by block in
        cache, instead of in a pass of its own over the ``(N, T, V)`` scores.
        """
        check_float(xs, "TimeSoftmaxWithLoss scores xs")
        check_ndim(xs, 3, "TimeSoftmaxWithLoss scores xs", "(N, T, V)")
        N, T, V = xs.shape
        if N * T == 0 or V == 0:
            raise ValueError(f"TimeSoftmaxWithLoss scores xs are empty ({describe(xs)}); a mean loss needs scores")
        ids = _label_ids(ts, N, T, V, self.ignore_label)
        xp = backend.xp(xs)
        R = N * T
        x2 = xs.reshape(R, V)
        t = ids.reshape(R)
        mask = None
        if self.ignore_label is not None and bool((t == self.ignore_label).any()):
            mask = t != self.ignore_label
            t = xp.where(mask, t, 0)  # any valid row to gather from; masked out below
        count = R if mask is None else int(mask.sum())
        if count == 0:
            raise ValueError("every label in ts is the ignore label: the mean loss over no positions is undefined")
        rows = xp.arange(R)
        picked = x2[rows, t].astype(np.float64)  # the target scores, before x2 may be overwritten
        if bias is not None:
            if tuple(bias.shape) != (V,):
                raise ValueError(f"TimeSoftmaxWithLoss bias must be ({V},), got {describe(bias)}")
            picked += bias[t]
        own = overwrite_xs or (x2.base is None and x2 is not xs)  # the caller's scores, or our own reshaped copy
        e = x2 if own else xp.empty_like(x2)
        maxes = xp.empty(R, dtype=x2.dtype)
        sums = xp.empty(R, dtype=x2.dtype)
        _exp_rows(x2, e, maxes, sums, bias)
        losses = xp.log(sums.astype(np.float64)) + maxes - picked  # -log softmax at the targets
        if mask is not None:
            losses = xp.where(mask, losses, 0.0)  # (a product with the mask would turn an inf loss into NaN)
        total = float(losses.sum())
        if not math.isfinite(total) or mask is not None:
            # NaN, +inf or a row of -inf shows in the row maxima (only where the loss is not finite, or where
            # ignored rows could hide it); otherwise an infinite loss is a label whose score is -inf
            check_score_maxes(xp, maxes, "TimeSoftmaxWithLoss scores xs")
        self.cache = (e, sums, t, mask, count, (N, T, V))
        return total / count

    def backward(self, dout: float = 1.0) -> Any:
        self._require_forward(self.cache)
        dout = check_scalar(dout, "TimeSoftmaxWithLoss.backward dout")
        e, sums, t, mask, count, (N, T, V) = self.cache
        if e is None:
            raise RuntimeError(
                "TimeSoftmaxWithLoss.backward turns its cached softmax into the gradient in place, so it runs once "
                "per forward; call forward again first"
            )
        xp = backend.xp(e)
        scale = float(dout) / count
        row_scale = (scale / sums).astype(e.dtype)  # softmax = exp / sum, times dout / K
        if mask is not None:
            row_scale *= mask
        e *= row_scale[:, None]
        rows = xp.arange(e.shape[0])
        if mask is None:
            e[rows, t] -= e.dtype.type(scale)
        else:
            e[rows, t] -= (scale * mask).astype(e.dtype)
        self.cache = (None, sums, t, mask, count, (N, T, V))
        return e.reshape(N, T, V)


class TimeDropout(Dropout):
    """Dropout over a whole sequence (chapter 6.5.2): an independent mask for every step, unit and sequence.

    Parameters
    ----------
    dropout_ratio : float, default 0.5
        Probability of dropping a unit, in [0, 1).
    seed : int or numpy Generator for the masks

    Notes
    -----
    ``forward(xs)`` takes any shape (the language models pass (N, T, D)) and, in training mode, keeps each
    value with probability ``1 - dropout_ratio`` and scales it by ``1 / (1 - dropout_ratio)`` (inverted
    dropout, as the book's ``TimeDropout``); in evaluation mode (``model.eval()``, or the book's
    ``train_flg = False``) it returns ``xs`` unchanged. ``backward(dout)`` applies the same mask.
    """
