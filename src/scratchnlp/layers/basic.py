"""The basic layers of chapters 1 and 4, in the book's protocol.

Every layer has ``params`` and ``grads`` (two lists of arrays in the same order), ``forward`` (which caches what
``backward`` needs) and ``backward(dout)``, which writes the parameter gradients *in place* into ``grads`` and
returns the gradient with respect to the input. A layer without parameters has two empty lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import (
    NonFiniteScoresError,
    Seed,
    as_generator,
    check_array,
    check_float,
    check_grad,
    check_indices,
    check_ndim,
    check_nonempty_batch,
    check_scalar,
    describe,
)
from ..functions import _log_softmax, _softmax, sigmoid
from .base import Layer

__all__ = [
    "MatMul",
    "Affine",
    "Sigmoid",
    "ReLU",
    "Softmax",
    "SoftmaxWithLoss",
    "SigmoidWithLoss",
    "Dropout",
    "Embedding",
]


def _check_weight(W: Any, name: str, ndim: int = 2) -> None:
    check_float(W, name)
    check_ndim(W, ndim, name)


def _check_input(x: Any, W: Any, layer: str) -> None:
    """``x`` must be (N, D) floats with D = W.shape[0]."""
    check_float(x, f"{layer} input")
    if x.ndim != 2 or x.shape[1] != W.shape[0]:
        raise ValueError(f"{layer} input must be (N, {W.shape[0]}), got {describe(x)}")


def _check_dout(dout: Any, shape: tuple[int, ...], layer: str) -> None:
    """``dout`` must be a float array of the shape of ``layer``'s last forward output."""
    check_grad(dout, shape, f"{layer}.backward dout")


class MatMul(Layer):
    """``y = x @ W`` without a bias (chapter 1.3.4.5).

    Parameters
    ----------
    W : (D, H) weight matrix

    Notes
    -----
    ``forward(x)`` maps x (N, D) to (N, H); ``backward(dout)`` takes (N, H), returns dx (N, D) and writes
    ``grads[0] = x.T @ dout``.
    """

    def __init__(self, W: Any) -> None:
        _check_weight(W, "MatMul weight W")
        super().__init__()
        self.params = [W]
        self.grads = [backend.xp(W).zeros_like(W)]
        self.x: Any = None

    def forward(self, x: Any) -> Any:
        (W,) = self.params
        _check_input(x, W, "MatMul")
        self.x = x
        return x @ W  # (N, H)

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.x)
        (W,) = self.params
        _check_dout(dout, (self.x.shape[0], W.shape[1]), "MatMul")
        self.grads[0][...] = self.x.T @ dout  # (D, H)
        return dout @ W.T  # (N, D)


class Affine(Layer):
    """Fully connected layer ``y = x @ W + b`` (chapter 1.3.4.5).

    Parameters
    ----------
    W : (D, H) weights
    b : (H,) bias

    Notes
    -----
    ``forward(x)`` maps x (N, D) to (N, H); ``backward(dout)`` takes (N, H) and returns dx (N, D).
    """

    def __init__(self, W: Any, b: Any) -> None:
        _check_weight(W, "Affine weight W")
        _check_weight(b, "Affine bias b", ndim=1)
        if b.shape[0] != W.shape[1]:
            raise ValueError(f"Affine bias must have shape ({W.shape[1]},) to match W {W.shape}, got {describe(b)}")
        xp = backend.xp(W)
        super().__init__()
        self.params = [W, b]
        self.grads = [xp.zeros_like(W), xp.zeros_like(b)]
        self.x: Any = None

    def forward(self, x: Any) -> Any:
        W, b = self.params
        _check_input(x, W, "Affine")
        self.x = x
        return x @ W + b  # (N, H)

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.x)
        W, _ = self.params
        _check_dout(dout, (self.x.shape[0], W.shape[1]), "Affine")
        self.grads[0][...] = self.x.T @ dout  # (D, H)
        self.grads[1][...] = dout.sum(axis=0)  # (H,): the bias is broadcast over the batch, so its gradient sums
        return dout @ W.T  # (N, D)


class Sigmoid(Layer):
    """Sigmoid activation (chapter 1.3.4.3); backward uses ``dy/dx = y (1 - y)``, derived in appendix A. Any shape."""

    def __init__(self) -> None:
        super().__init__()
        self.out: Any = None

    def forward(self, x: Any) -> Any:
        check_float(x, "Sigmoid input x")
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.out)
        _check_dout(dout, self.out.shape, "Sigmoid")
        return dout * (1.0 - self.out) * self.out


class ReLU(Layer):
    """ReLU activation ``max(0, x)``; the gradient passes where the input was positive. Any shape."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: Any = None

    def forward(self, x: Any) -> Any:
        check_float(x, "ReLU input x")
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.mask)
        _check_dout(dout, self.mask.shape, "ReLU")
        return dout * self.mask


class Softmax(Layer):
    """Softmax over the last axis (chapter 1.3.1); forward(x: (N, C)) -> probabilities (N, C).

    backward uses the Jacobian-vector product ``dx = y * (dout - sum(dout * y))`` without forming the (C, C)
    Jacobian. Scores follow :func:`~scratchnlp.functions.softmax`'s rule: ``-inf`` gets probability 0; NaN,
    ``+inf`` or a row of only ``-inf`` raise ``NonFiniteScoresError``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.out: Any = None

    def forward(self, x: Any) -> Any:
        check_float(x, "Softmax scores x")
        self.out = _softmax(x, "Softmax scores x")
        return self.out

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.out)
        _check_dout(dout, self.out.shape, "Softmax")
        y = self.out
        return y * (dout - (dout * y).sum(axis=-1, keepdims=True))


def _as_class_indices(t: Any, n: int, c: int) -> Any:
    """Labels for (n, c) scores as indices (n,): accepts indices or one-hot rows."""
    check_ndim(t, (1, 2), "labels t")
    if t.ndim == 2:
        if t.shape != (n, c):
            raise ValueError(f"one-hot labels must be ({n}, {c}) to match the scores, got {describe(t)}")
        # an all-zero or multi-hot row would silently become class 0 (or its first 1) under argmax
        if t.size and (bool(((t != 0) & (t != 1)).any()) or bool((t.sum(axis=1) != 1).any())):
            raise ValueError(
                f"one-hot labels must hold exactly one 1 per row and 0 elsewhere, got {describe(t)} with "
                f"{int((t.sum(axis=1) != 1).sum())} row(s) that are not one-hot; pass class ids (N,) instead"
            )
        return t.argmax(axis=1)
    if t.shape[0] != n:
        raise ValueError(f"labels must be ({n},) class indices to match the scores (N={n}), got {describe(t)}")
    check_indices(t, c, "labels t")
    return t


class SoftmaxWithLoss(Layer):
    """Softmax followed by the mean cross-entropy loss (chapter 1.3.5.3).

    forward(x: (N, C) scores, t: (N,) class ids or (N, C) one-hot) -> scalar loss.
    backward(dout=1) -> dx (N, C) = (softmax(x) - onehot(t)) * dout / N: the two layers together have this
    simple gradient, which is why they are fused.
    The loss is computed with log-softmax, so it stays finite for any finite logits (the book adds 1e-7 inside
    ``log`` instead). A score of ``-inf`` masks its class out (probability 0; the loss is ``inf`` only when it
    is the label's); NaN, ``+inf`` or a row of only ``-inf`` raise
    :class:`~scratchnlp.training.NonFiniteScoresError` (a ``NonFiniteLossError``: training stops as on a NaN
    loss), and so does nothing else.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: Any = None
        self.t: Any = None

    def forward(self, x: Any, t: Any) -> float:
        check_float(x, "SoftmaxWithLoss scores x")
        check_ndim(x, 2, "SoftmaxWithLoss scores x", "(N, C)")
        check_nonempty_batch(x, "SoftmaxWithLoss scores x")
        xp = backend.xp(x)
        n, c = x.shape
        self.t = _as_class_indices(t, n, c)
        logp = _log_softmax(x, "SoftmaxWithLoss scores x")
        self.y = xp.exp(logp)
        return float(-logp[xp.arange(n), self.t].mean())

    def backward(self, dout: float = 1.0) -> Any:
        self._require_forward(self.y)
        dout = check_scalar(dout, "SoftmaxWithLoss.backward dout")
        xp = backend.xp(self.y)
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[xp.arange(n), self.t] -= 1
        return dx * (dout / n)


class SigmoidWithLoss(Layer):
    """Sigmoid followed by the mean binary cross-entropy (chapter 4.2.3).

    forward(x: scores of any shape, t: 0/1 labels of the same shape) -> scalar loss.
    backward(dout=1) -> dx = (sigmoid(x) - t) * dout / x.size.
    The loss ``-log sigmoid(x)`` for ``t = 1`` and ``-log sigmoid(-x)`` for ``t = 0`` is ``softplus(z)`` with
    ``z = x`` (``t = 0``) or ``-x`` (``t = 1``), written as ``max(z, 0) + log1p(exp(-|z|))``: exact and finite
    for any finite score. Scores follow :func:`~scratchnlp.functions.softmax`'s rule: ``-inf`` is a
    probability of exactly 0 (a loss of 0 for label 0, ``inf`` for label 1, no NaN), while NaN or ``+inf``
    raise :class:`~scratchnlp.training.NonFiniteScoresError` (a ``NonFiniteLossError``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: Any = None
        self.t: Any = None

    def forward(self, x: Any, t: Any) -> float:
        check_float(x, "SigmoidWithLoss scores x")
        check_array(t, "SigmoidWithLoss labels t")
        if t.shape != x.shape:
            raise ValueError(f"SigmoidWithLoss labels must have the scores' shape {x.shape}, got {describe(t)}")
        if x.size == 0:
            raise ValueError(f"SigmoidWithLoss scores x are empty ({describe(x)}); a mean loss needs one score or more")
        if np.dtype(t.dtype).kind not in "iub" or int(t.min()) < 0 or int(t.max()) > 1:
            raise ValueError(f"SigmoidWithLoss labels must be integers 0 or 1, got {describe(t)}")
        xp = backend.xp(x)
        tf = t.astype(x.dtype, copy=False)
        z = x * (1 - 2 * tf)  # x for label 0, -x for label 1: the loss is softplus(z)
        loss = xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))
        # one scalar read from a GPU: the loss, or NaN when the largest score is NaN or +inf (-inf is fine)
        bad = ~(x.max() < np.inf)
        total = float(xp.where(bad, np.nan, loss.sum(dtype=np.float64)))
        if total != total:
            what = "NaN" if bool(xp.isnan(x).any()) else "+inf"
            raise NonFiniteScoresError(
                f"SigmoidWithLoss scores x hold {what} ({describe(x)}; a diverged run?); expected finite scores, or "
                "-inf for a probability of exactly 0"
            )
        self.t = tf
        self.y = sigmoid(x)
        return total / x.size

    def backward(self, dout: float = 1.0) -> Any:
        self._require_forward(self.y)
        dout = check_scalar(dout, "SigmoidWithLoss.backward dout")
        return (self.y - self.t) * (dout / self.y.size)


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014; used from chapter 6.5.2).

    In training each unit is kept with probability ``1 - dropout_ratio`` and scaled by ``1 / (1 - ratio)``, so
    nothing needs rescaling at test time (the book's chapter-1 version instead scales by ``1 - ratio`` at test
    time; the expected output is the same). Any shape.

    Parameters
    ----------
    dropout_ratio : probability of dropping a unit, in [0, 1)
    seed : int or numpy Generator for the masks; CuPy inputs draw theirs on the GPU from a generator seeded
        from it (:func:`scratchnlp.backend.random_generator`)
    """

    def __init__(self, dropout_ratio: float = 0.5, *, seed: Seed = 0) -> None:
        if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, (int, float)) or not (
            0.0 <= dropout_ratio < 1.0
        ):
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio}")
        super().__init__()
        self.dropout_ratio = dropout_ratio
        self.rng = as_generator(seed)
        self.device_rng: Any = None
        self.mask: Any = None

    def forward(self, x: Any, train_flg: bool | None = None) -> Any:
        check_float(x, f"{type(self).__name__} input x")
        train = self.training if train_flg is None else train_flg
        if not train or self.dropout_ratio == 0.0:
            self.mask = None
            return x
        xp = backend.xp(x)
        keep = backend.random_generator(self, xp).random(x.shape, dtype=np.float32) >= self.dropout_ratio
        self.mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.dropout_ratio))
        return x * self.mask

    def backward(self, dout: Any) -> Any:
        if self.mask is None:
            check_array(dout, f"{type(self).__name__}.backward dout")
            return dout
        _check_dout(dout, self.mask.shape, type(self).__name__)
        return dout * self.mask


class Embedding(Layer):
    """Row lookup ``W[idx]`` (chapter 4.1.2), the efficient replacement for one-hot @ W.

    Parameters
    ----------
    W : (V, D) embedding matrix

    Notes
    -----
    ``forward(idx)`` takes integer ids of any shape S with values in [0, V) and returns ``(*S, D)``.
    ``backward(dout)`` takes ``(*S, D)``, writes dW with the rows of repeated ids *summed* (a plain
    ``dW[idx] = dout`` would keep only the last one, a bug the book discusses) and returns None: ids have no
    gradient.

    A batch touches a few hundred of the V rows, yet the gradient must be zero everywhere else. Instead of
    clearing the whole ``(V, D)`` buffer at every call, ``backward`` clears only the rows its previous call
    filled, which are the only non-zero ones as long as nothing but in-place scaling (what the optimizers,
    :func:`~scratchnlp.optim.clip_grads` and the trainers do) touches ``grads`` in between. Whoever writes into
    ``grads[0]`` otherwise should call :meth:`forget_filled_rows`, and the next backward clears it all.
    """

    def __init__(self, W: Any) -> None:
        _check_weight(W, "Embedding weight W")
        super().__init__()
        self.params = [W]
        self.grads = [backend.xp(W).zeros_like(W)]
        self.idx: Any = None
        self._filled: Any = None  # the rows written by the previous backward (None: unknown, clear all)

    def forward(self, idx: Any) -> Any:
        check_indices(idx, self.params[0].shape[0], "Embedding ids")
        return self._gather(idx)

    def _gather(self, idx: Any) -> Any:
        """``W[idx]``, remembering ``idx`` for backward (the ids checked by the caller)."""
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout: Any) -> None:
        self._require_forward(self.idx)
        (dW,) = self.grads
        _check_dout(dout, tuple(self.idx.shape) + (dW.shape[1],), "Embedding")
        if dW.shape[0] <= 4 * self.idx.size or self._filled is None:
            dW[...] = 0  # a small table, or unknown contents: one dense clear is as cheap
        else:
            dW[self._filled] = 0
        rows = self.idx.reshape(-1).copy()  # a copy: the caller may reuse its id array
        backend.scatter_add(dW, rows, dout.reshape(-1, dW.shape[1]))
        self._filled = rows
        return None

    def forget_filled_rows(self) -> None:
        """Make the next ``backward`` clear the whole gradient (call after writing into ``grads[0]``)."""
        self._filled = None
