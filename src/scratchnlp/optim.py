"""Optimizers and gradient clipping (chapter 1.4, 1.3.6; clipping from chapter 5/6).

Every optimizer has ``update(params, grads)``, which changes the arrays in ``params`` in place (the layers hold
references to them). Parameters shared between layers (tied weights, chapter 6.4.2) may appear several times in
``params``, either as the same array or as its transpose (``W`` and ``W.T``); :func:`merge_shared` folds such
repeats into one entry whose gradient is the sum of all of them, so each shared weight is updated exactly once.
"""

from __future__ import annotations

import math
from typing import Any

from . import backend

__all__ = [
    "merge_shared",
    "clip_grads",
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
]


def _data_ptr(a: Any) -> int:
    if backend.is_gpu_array(a):
        return int(a.data.ptr)
    return int(a.__array_interface__["data"][0])


def _is_transpose_of(p: Any, q: Any) -> bool:
    """True when ``p`` is exactly ``q.T`` (a 2-D view on the same memory), not merely equal to it."""
    return (
        p.ndim == 2
        and q.ndim == 2
        and p.shape == q.shape[::-1]
        and p.strides == q.strides[::-1]
        and p.dtype == q.dtype
        and _data_ptr(p) == _data_ptr(q)
    )


def shared_structure(params: list[Any]) -> list[tuple[int, bool]]:
    """For each parameter, the index of the first parameter it shares memory with, and whether transposed.

    ``result[i] == (i, False)`` for a parameter seen for the first time; ``(j, False)`` when ``params[i] is
    params[j]``; ``(j, True)`` when ``params[i]`` is the transpose view ``params[j].T``.
    """
    owners: list[tuple[int, bool]] = []
    for i, p in enumerate(params):
        found = (i, False)
        for j in range(i):
            if owners[j][0] != j:
                continue  # compare only against first occurrences
            q = params[j]
            if p is q:
                found = (j, False)
                break
            if _is_transpose_of(p, q):
                found = (j, True)
                break
        owners.append(found)
    return owners


def merge_shared(params: list[Any], grads: list[Any]) -> tuple[list[Any], list[Any]]:
    """Fold repeated (tied) parameters into one entry each, summing their gradients.

    Parameters
    ----------
    params, grads : lists of arrays in the same order, as a model exposes them

    Returns
    -------
    (params, grads) with each shared array once; a summed gradient is a new array (the layers' own gradient
    buffers are never modified). Without sharing the inputs are returned as they are.
    """
    if len(params) != len(grads):
        raise ValueError(f"params and grads must have the same length, got {len(params)} and {len(grads)}")
    owners = shared_structure(params)
    if all(o == (i, False) for i, o in enumerate(owners)):
        return list(params), list(grads)
    out_params: list[Any] = []
    out_grads: list[Any] = []
    slot: dict[int, int] = {}
    for i, (owner, transposed) in enumerate(owners):
        g = grads[i].T if transposed else grads[i]
        if owner == i:
            slot[i] = len(out_params)
            out_params.append(params[i])
            out_grads.append(g)
        else:
            k = slot[owner]
            out_grads[k] = out_grads[k] + g  # new array: never accumulate into a layer's buffer
    return out_params, out_grads


def clip_grads(grads: list[Any], max_norm: float) -> float:
    """Scale all gradients in place so that their global L2 norm is at most ``max_norm`` (chapter 5.5.3).

    Returns the norm *before* clipping. When it exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / norm``, keeping the direction of the update and bounding its size (exploding gradients).
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    total = 0.0
    for g in grads:
        total += float((g.astype("float64", copy=False) ** 2).sum())
    norm = math.sqrt(total)
    if norm > max_norm:
        rate = max_norm / (norm + 1e-6)
        for g in grads:
            g *= rate
    return norm


def _slot(state: dict[str, Any], name: str, p: Any) -> Any:
    """The optimizer's per-parameter buffer ``name``, created as zeros on first use only.

    (``state.setdefault(name, zeros_like(p))`` would allocate and discard a full-size array on every step.)
    """
    buf = state.get(name)
    if buf is None:
        buf = state[name] = backend.xp(p).zeros_like(p)
    return buf


class Optimizer:
    """Base class: checks the inputs, merges shared parameters, and calls :meth:`step` for each pair."""

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"learning rate lr must be positive, got {lr}")
        self.lr = lr
        self._shapes: list[tuple[int, ...]] | None = None
        self.state: list[dict[str, Any]] = []

    def update(self, params: list[Any], grads: list[Any]) -> None:
        """Update ``params`` in place from ``grads`` (same order; tied parameters are updated once)."""
        params, grads = merge_shared(params, grads)
        shapes = [tuple(p.shape) for p in params]
        for p, g in zip(params, grads):
            if g.shape != p.shape:
                raise ValueError(f"gradient shape {tuple(g.shape)} does not match parameter shape {tuple(p.shape)}")
        if self._shapes is None:
            self._shapes = shapes
            self.state = [{} for _ in params]
        elif shapes != self._shapes:
            raise ValueError(
                f"{type(self).__name__} was first used with parameters of shapes {self._shapes} and now got "
                f"{shapes}; use one optimizer per model"
            )
        self._begin_step()
        for p, g, s in zip(params, grads, self.state):
            self.step(p, g, s)

    def _begin_step(self) -> None:
        """Hook run once per update before the per-parameter steps."""

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent ``W -= lr * dW`` (chapter 1.4.1)."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        p -= self.lr * g


class Momentum(Optimizer):
    """SGD with momentum (Polyak, 1964): ``v = momentum * v - lr * dW; W += v``."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = momentum

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        v = _slot(state, "v", p)
        v *= self.momentum
        v -= self.lr * g
        p += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient (Nesterov, 1983) in the form used by the book and Sutskever et al. (2013).

    With ``v = m v - lr dW``, the parameter moves by ``m^2 v_old - (1 + m) lr dW``: the step looks ahead along
    the momentum before applying the gradient.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = momentum

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        m = self.momentum
        v = _slot(state, "v", p)
        v *= m
        v -= self.lr * g
        p += m * m * v
        p -= (1 + m) * self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): per-element steps ``lr / sqrt(sum of squared gradients)``."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.eps = eps

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        xp = backend.xp(p)
        h = _slot(state, "h", p)
        h += g * g
        p -= self.lr * g / (xp.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Tieleman and Hinton, 2012): AdaGrad with an exponential moving average of squared gradients."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.decay_rate = decay_rate
        self.eps = eps

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        xp = backend.xp(p)
        h = _slot(state, "h", p)
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g
        p -= self.lr * g / (xp.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), with the bias correction folded into the step size as in the book.

    ``m += (1 - beta1) (dW - m)``, ``v += (1 - beta2) (dW^2 - v)``,
    ``W -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)``.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.iter = 0
        self._lr_t = lr

    def _begin_step(self) -> None:
        self.iter += 1
        self._lr_t = self.lr * math.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        xp = backend.xp(p)
        m = _slot(state, "m", p)
        v = _slot(state, "v", p)
        m += (1 - self.beta1) * (g - m)
        v += (1 - self.beta2) * (g * g - v)
        p -= self._lr_t * m / (xp.sqrt(v) + self.eps)
