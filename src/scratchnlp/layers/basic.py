"""The basic layers of chapters 1 and 4, in the book's protocol.

Every layer has ``params`` and ``grads`` (two lists of arrays in the same order), ``forward`` (which caches what
``backward`` needs) and ``backward(dout)``, which writes the parameter gradients *in place* into ``grads`` and
returns the gradient with respect to the input. A layer without parameters has two empty lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator, check_float, check_indices, check_ndim, check_nonempty_batch, describe
from ..functions import log_softmax, sigmoid, softmax
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
        self.grads[0][...] = self.x.T @ dout  # (D, H)
        self.grads[1][...] = dout.sum(axis=0)  # (H,): the bias is broadcast over the batch, so its gradient sums
        return dout @ W.T  # (N, D)


class Sigmoid(Layer):
    """Sigmoid activation (chapter 1.3.4.3); backward uses ``dy/dx = y (1 - y)``, derived in appendix A. Any shape."""

    def __init__(self) -> None:
        super().__init__()
        self.out: Any = None

    def forward(self, x: Any) -> Any:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.out)
        return dout * (1.0 - self.out) * self.out


class ReLU(Layer):
    """ReLU activation ``max(0, x)``; the gradient passes where the input was positive. Any shape."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: Any = None

    def forward(self, x: Any) -> Any:
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.mask)
        return dout * self.mask


class Softmax(Layer):
    """Softmax over the last axis (chapter 1.3.1); forward(x: (N, C)) -> probabilities (N, C).

    backward uses the Jacobian-vector product ``dx = y * (dout - sum(dout * y))`` without forming the (C, C)
    Jacobian.
    """

    def __init__(self) -> None:
        super().__init__()
        self.out: Any = None

    def forward(self, x: Any) -> Any:
        self.out = softmax(x)
        return self.out

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.out)
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
    The loss is computed with log-softmax, so it stays finite for any logits (the book adds 1e-7 inside
    ``log`` instead).
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
        logp = log_softmax(x)
        self.y = xp.exp(logp)
        return float(-logp[xp.arange(n), self.t].mean())

    def backward(self, dout: float = 1.0) -> Any:
        self._require_forward(self.y)
        xp = backend.xp(self.y)
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[xp.arange(n), self.t] -= 1
        return dx * (dout / n)


class SigmoidWithLoss(Layer):
    """Sigmoid followed by the mean binary cross-entropy (chapter 4.2.3).

    forward(x: scores of any shape, t: 0/1 labels of the same shape) -> scalar loss.
    backward(dout=1) -> dx = (sigmoid(x) - t) * dout / x.size.
    The loss is ``softplus(x) - t x`` written as ``max(x, 0) - t x + log1p(exp(-|x|))``, exact and finite for
    any score.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: Any = None
        self.t: Any = None

    def forward(self, x: Any, t: Any) -> float:
        check_float(x, "SigmoidWithLoss scores x")
        if t.shape != x.shape:
            raise ValueError(f"SigmoidWithLoss labels must have the scores' shape {x.shape}, got {describe(t)}")
        if x.size == 0:
            raise ValueError(f"SigmoidWithLoss scores x are empty ({describe(x)}); a mean loss needs one score or more")
        xp = backend.xp(x)
        tf = t.astype(x.dtype, copy=False)
        if t.size and (np.dtype(t.dtype).kind not in "iub" or int(t.min()) < 0 or int(t.max()) > 1):
            raise ValueError(f"SigmoidWithLoss labels must be integers 0 or 1, got {describe(t)}")
        self.t = tf
        self.y = sigmoid(x)
        loss = xp.maximum(x, 0) - tf * x + xp.log1p(xp.exp(-xp.abs(x)))
        return float(loss.mean())

    def backward(self, dout: float = 1.0) -> Any:
        self._require_forward(self.y)
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
        train = self.training if train_flg is None else train_flg
        if not train or self.dropout_ratio == 0.0:
            self.mask = None
            return x
        xp = backend.xp(x)
        keep = backend.random_generator(self, xp).random(x.shape, dtype=np.float32) >= self.dropout_ratio
        self.mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.dropout_ratio))
        return x * self.mask

    def backward(self, dout: Any) -> Any:
        return dout if self.mask is None else dout * self.mask


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
        (W,) = self.params
        check_indices(idx, W.shape[0], "Embedding ids")
        self.idx = idx
        return W[idx]

    def backward(self, dout: Any) -> None:
        self._require_forward(self.idx)
        (dW,) = self.grads
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
