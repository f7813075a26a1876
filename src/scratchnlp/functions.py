"""Elementwise and row-wise functions of chapter 1 (neural-network review), numerically stable.

All take the array namespace from their input, so they work on NumPy and CuPy arrays alike.

Scores given to :func:`softmax`, :func:`log_softmax` and :func:`softmax_cross_entropy` follow one rule
(:class:`~scratchnlp.training.NonFiniteScoresError` says it): ``-inf`` masks a class out (probability exactly
0, no warning), while NaN, ``+inf`` or a row with nothing but ``-inf`` raise that error instead of giving NaN:
only a diverged model produces them. It is a :class:`~scratchnlp.training.NonFiniteLossError` (training stops
on it as on a NaN loss) and a ``ValueError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import backend
from ._checks import (
    NonFiniteScoresError,
    check_array,
    check_indices,
    check_real,
    check_scalar,
    check_score_maxes,
    describe,
)

__all__ = ["sigmoid", "relu", "softmax", "log_softmax", "cross_entropy_error", "softmax_cross_entropy"]


def _real_input(x: Any, name: str) -> None:
    """``x`` must be a real number or an array of ints or floats (a list is refused: no silent conversion)."""
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_)):
        return
    check_real(x, name)


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid ``1 / (1 + exp(-x))`` (chapter 1.2.1); its derivative ``y (1 - y)`` is derived in appendix A.

    ``x`` is a real number or an array of any shape (ints or floats).

    Written as ``0.5 * tanh(x / 2) + 0.5``: the same function, but it never overflows for large ``|x|``
    (``exp(-x)`` does for ``x < -88`` in float32 and ``x < -709`` in float64). The absolute error is about one
    rounding step of 1, so an output smaller than that step comes back as exactly 0 (for ``x`` below about -20
    in float32 and -38 in float64), where ``1 / (1 + exp(-x))``, until it overflows, keeps a tiny positive value.
    """
    _real_input(x, "sigmoid input x")
    xp = backend.xp(x)
    return 0.5 * xp.tanh(0.5 * x) + 0.5


def relu(x: Any) -> Any:
    """Rectified linear unit ``max(0, x)``; ``x`` is a real number or an array of any shape (ints or floats)."""
    _real_input(x, "relu input x")
    xp = backend.xp(x)
    return xp.maximum(x, 0)


def _shifted(xp: Any, x: Any, name: str) -> Any:
    """``x - max(x)`` over the last axis, after checking that every row has a finite maximum.

    Raises ``NonFiniteScoresError`` (see the module docstring) for NaN, ``+inf`` or a row of ``-inf``.
    """
    check_real(x, name)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"{name} must be (..., C) scores with C >= 1 classes on the last axis, got {describe(x)}")
    m = x.max(axis=-1, keepdims=True)
    check_score_maxes(xp, m, name)
    with np.errstate(over="ignore"):  # x - m may pass -inf for a score far below its row's maximum: exp gives 0
        return x - m


def softmax(x: Any) -> Any:
    """Softmax over the last axis (chapter 1.3.1); ``x`` is (..., C) scores, C >= 1.

    The row maximum is subtracted first: softmax is unchanged by a shift, and ``exp`` of a large logit would
    overflow. A score of ``-inf`` gets probability 0; NaN, ``+inf`` or a row of only ``-inf`` raise
    ``NonFiniteScoresError`` (a ``ValueError``), where the formula would give NaN.
    """
    return _softmax(x, "softmax scores x")


def log_softmax(x: Any) -> Any:
    """``log(softmax(x))`` over the last axis, computed without forming tiny probabilities.

    ``log(softmax(x))`` underflows to ``-inf`` once a probability is below the smallest float; the
    log-sum-exp form ``z - log(sum(exp(z)))`` with ``z = x - max(x)`` stays finite. Scores follow
    :func:`softmax`'s rule: ``-inf`` gives ``-inf``, NaN and ``+inf`` raise ``NonFiniteScoresError``.
    """
    return _log_softmax(x, "log_softmax scores x")


def _softmax(x: Any, name: str) -> Any:
    """:func:`softmax`, its errors naming the scores ``name`` (the layers built on it pass their own)."""
    xp = backend.xp(x)
    e = xp.exp(_shifted(xp, x, name))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(x: Any, name: str) -> Any:
    """:func:`log_softmax`, its errors naming the scores ``name``."""
    xp = backend.xp(x)
    z = _shifted(xp, x, name)
    return z - xp.log(xp.exp(z).sum(axis=-1, keepdims=True))


def _label_indices(t: Any, n_classes: int, batch_shape: tuple[int, ...]) -> Any:
    """Turn labels given as indices (batch_shape) or one-hot (batch_shape + (C,)) into indices."""
    check_array(t, "labels t")
    if t.shape == batch_shape + (n_classes,):
        return t.argmax(axis=-1)
    if t.shape != batch_shape:
        raise ValueError(
            f"labels must be class indices of shape {batch_shape} or one-hot of shape "
            f"{batch_shape + (n_classes,)}, got {describe(t)}"
        )
    check_indices(t, n_classes, "labels")
    return t


def cross_entropy_error(y: Any, t: Any, eps: float = 1e-7) -> float:
    """Mean cross-entropy of predicted probabilities ``y`` against labels ``t`` (chapter 1.3.1).

    Parameters
    ----------
    y : (N, C) or (C,) probabilities (rows sum to 1)
    t : (N,) class indices or (N, C) one-hot labels (or (,) / (C,) for a single sample)
    eps : added inside the log so a zero probability gives a large finite loss instead of ``inf``

    Returns
    -------
    float
        ``-mean(log y[n, t[n]])``.

    Raises
    ------
    ValueError
        For an empty batch, labels of the wrong shape or out of range, or a probability at a label that is not
        in [0, 1] (scores instead of probabilities? :func:`softmax_cross_entropy` takes scores).
    NonFiniteScoresError
        (a ``ValueError``) when a probability at a label is NaN.
    """
    check_real(y, "cross_entropy_error probabilities y")
    check_array(t, "cross_entropy_error labels t")
    eps = check_scalar(eps, "eps")
    if not 0 <= eps < 1:
        raise ValueError(f"eps must be a number in [0, 1), got {eps!r}")
    xp = backend.xp(y)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 and t.shape[0] == y.shape[1] else t.reshape(1)
    if y.ndim != 2:
        raise ValueError(f"y must be (N, C) or (C,) probabilities, got {describe(y)}")
    if y.shape[0] == 0:
        raise ValueError(f"y is an empty batch ({describe(y)}); a mean loss needs at least one example")
    idx = _label_indices(t, y.shape[1], (y.shape[0],))
    n = y.shape[0]
    picked = y[xp.arange(n), idx]  # (N,): only these enter the loss, so only these are checked
    low, high = float(picked.min()), float(picked.max())  # NaN when one is NaN
    if not (low >= 0 and high <= 1 + 1e-4):
        if low != low or high != high:
            raise NonFiniteScoresError(
                "cross_entropy_error probabilities y hold NaN at the labels (a diverged model?); expected "
                "probabilities in [0, 1]"
            )
        bad = low if low < 0 else high
        raise ValueError(
            f"cross_entropy_error y must hold probabilities in [0, 1] (a softmax output), got {bad:.6g} at a label; "
            "for raw scores use softmax_cross_entropy"
        )
    with np.errstate(divide="ignore"):  # with eps = 0, a zero probability at a label is an infinite loss
        return float(-xp.log(picked + eps).mean())


def softmax_cross_entropy(x: Any, t: Any) -> float:
    """Mean cross-entropy of ``softmax(x)`` against labels ``t``, via :func:`log_softmax` (stable for any logits).

    Parameters
    ----------
    x : (N, C) logits
    t : (N,) class indices or (N, C) one-hot labels
    """
    check_real(x, "softmax_cross_entropy logits x")
    xp = backend.xp(x)
    if x.ndim != 2:
        raise ValueError(f"logits must be (N, C), got {describe(x)}")
    if x.shape[0] == 0:
        raise ValueError(f"logits x are an empty batch ({describe(x)}); a mean loss needs at least one example")
    idx = _label_indices(t, x.shape[1], (x.shape[0],))
    logp = _log_softmax(x, "softmax_cross_entropy logits x")
    return float(-logp[xp.arange(x.shape[0]), idx].mean())
