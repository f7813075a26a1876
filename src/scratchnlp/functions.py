"""Elementwise and row-wise functions of chapter 1 (neural-network review), numerically stable.

All take the array namespace from their input, so they work on NumPy and CuPy arrays alike.
"""

from __future__ import annotations

from typing import Any

from . import backend
from ._checks import check_indices, describe

__all__ = ["sigmoid", "relu", "softmax", "log_softmax", "cross_entropy_error", "softmax_cross_entropy"]


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid ``1 / (1 + exp(-x))`` (chapter 1.2.1); its derivative ``y (1 - y)`` is derived in appendix A.

    Written as ``0.5 * tanh(x / 2) + 0.5``: the same function, but it never overflows for large ``|x|``
    (``exp(-x)`` does for ``x < -88`` in float32 and ``x < -709`` in float64). The absolute error is about one
    rounding step of 1, so an output smaller than that step comes back as exactly 0 (for ``x`` below about -20
    in float32 and -38 in float64), where ``1 / (1 + exp(-x))``, until it overflows, keeps a tiny positive value.
    """
    xp = backend.xp(x)
    return 0.5 * xp.tanh(0.5 * x) + 0.5


def relu(x: Any) -> Any:
    """Rectified linear unit ``max(0, x)``."""
    xp = backend.xp(x)
    return xp.maximum(x, 0)


def softmax(x: Any) -> Any:
    """Softmax over the last axis (chapter 1.3.1); ``x`` is (..., C).

    The row maximum is subtracted first: softmax is unchanged by a shift, and ``exp`` of a large logit would
    overflow.
    """
    xp = backend.xp(x)
    z = x - x.max(axis=-1, keepdims=True)
    e = xp.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: Any) -> Any:
    """``log(softmax(x))`` over the last axis, computed without forming tiny probabilities.

    ``log(softmax(x))`` underflows to ``-inf`` once a probability is below the smallest float; the
    log-sum-exp form ``z - log(sum(exp(z)))`` with ``z = x - max(x)`` stays finite.
    """
    xp = backend.xp(x)
    z = x - x.max(axis=-1, keepdims=True)
    return z - xp.log(xp.exp(z).sum(axis=-1, keepdims=True))


def _label_indices(t: Any, n_classes: int, batch_shape: tuple[int, ...]) -> Any:
    """Turn labels given as indices (batch_shape) or one-hot (batch_shape + (C,)) into indices."""
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
    """
    xp = backend.xp(y)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 and t.shape[0] == y.shape[1] else t.reshape(1)
    if y.ndim != 2:
        raise ValueError(f"y must be (N, C) or (C,) probabilities, got {describe(y)}")
    idx = _label_indices(t, y.shape[1], (y.shape[0],))
    n = y.shape[0]
    return float(-xp.log(y[xp.arange(n), idx] + eps).mean())


def softmax_cross_entropy(x: Any, t: Any) -> float:
    """Mean cross-entropy of ``softmax(x)`` against labels ``t``, via :func:`log_softmax` (stable for any logits).

    Parameters
    ----------
    x : (N, C) logits
    t : (N,) class indices or (N, C) one-hot labels
    """
    xp = backend.xp(x)
    if x.ndim != 2:
        raise ValueError(f"logits must be (N, C), got {describe(x)}")
    idx = _label_indices(t, x.shape[1], (x.shape[0],))
    logp = log_softmax(x)
    return float(-logp[xp.arange(x.shape[0]), idx].mean())
