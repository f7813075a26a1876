"""Optimizers and gradient clipping (chapter 1.4, 1.3.6; clipping from chapter 5/6).

Every optimizer has ``update(params, grads)``, which changes the arrays in ``params`` in place (the layers hold
references to them). Parameters shared between layers (tied weights, chapter 6.5.3) may appear several times in
``params``, either as the same array or as its transpose (``W`` and ``W.T``); :func:`merge_shared` folds such
repeats into one entry whose gradient is the sum of all of them, so each shared weight is updated exactly once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import backend
from ._checks import NonFiniteLossError, describe

__all__ = [
    "merge_shared",
    "shared_structure",
    "grad_norm",
    "clip_grads",
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "FusedAdam",
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


def _sq_sum(g: Any) -> float:
    """``sum(g ** 2)`` as a Python float: one BLAS dot of the flattened array (float16 widened first)."""
    flat = g.reshape(-1)
    if flat.dtype.itemsize < 4:  # float16: the dot would overflow at 256
        flat = flat.astype("float32")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is handled below; NaN is the answer
        total = float(flat @ flat)
    if math.isinf(total) and flat.dtype != np.float64 and bool(backend.xp(flat).isfinite(flat).all()):
        # a finite gradient whose float32 sum of squares overflows (entries above ~1e19): redo it in float64
        wide = flat.astype("float64")
        total = float(wide @ wide)
    return total


def _device_sq_sum(grads: list[Any]) -> float | None:
    """On the GPU: the float64 sum of the gradients' float32 sums of squares, read with one scalar transfer.

    The same numbers as adding :func:`_sq_sum` of each on the host (each dot widened to float64 exactly,
    added in the same order), without a synchronisation per gradient. None when not every gradient is a
    CuPy array; a non-finite total is returned as it is (the caller redoes it per gradient).
    """
    if not grads or not all(backend.is_gpu_array(g) for g in grads):
        return None
    total = None
    with np.errstate(over="ignore", invalid="ignore"):  # (for a NumPy-backed stand-in; the total says it all)
        for g in grads:
            flat = g.reshape(-1)
            if flat.dtype.itemsize < 4:
                flat = flat.astype("float32")
            sq = (flat @ flat).astype("float64")
            total = sq if total is None else total + sq
    return float(total)


def grad_norm(grads: list[Any]) -> float:
    """The global L2 norm of a list of gradients, accumulated in float64 (NaN or inf when any entry is).

    Each array is reduced with one dot product of its flattened self (a single BLAS pass, no temporary), so
    checking a step's gradients for NaN costs one read of them. A finite gradient too large for its dtype's
    sum of squares is summed again in float64, so only NaN or inf entries give a non-finite norm. On the GPU
    the sums stay on the device and one scalar comes back (per gradient only when the total is not finite).
    """
    total = _device_sq_sum(grads)
    if total is None or not math.isfinite(total):
        total = 0.0
        for g in grads:
            total += _sq_sum(g)
    return math.sqrt(total) if total >= 0 else float("nan")


def _first_non_finite(grads: list[Any]) -> int | None:
    """The index of the first gradient holding NaN or inf, or None when all are finite (one dot each; on the
    GPU one scalar transfer when all are finite)."""
    total = _device_sq_sum(grads)
    if total is not None and math.isfinite(total):
        return None
    for i, g in enumerate(grads):
        if not math.isfinite(_sq_sum(g)):
            return i
    return None


def clip_grads(grads: list[Any], max_norm: float) -> float:
    """Scale all gradients in place so that their global L2 norm is at most ``max_norm`` (chapter 6.1.4).

    Returns the norm *before* clipping. When it exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / norm``, keeping the direction of the update and bounding its size (exploding gradients).

    Raises
    ------
    ValueError
        If ``max_norm`` is not a positive finite number.
    scratchnlp.training.NonFiniteLossError
        If the gradients hold NaN or inf (their norm is not finite): clipping cannot repair them, and
        applying them would destroy the parameters. Nothing is scaled in that case.
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.integer, np.floating)) or not (
        math.isfinite(max_norm) and max_norm > 0
    ):
        raise ValueError(f"max_norm must be a positive finite number, got {max_norm!r}")
    norm = grad_norm(grads)
    if not math.isfinite(norm):
        bad = _first_non_finite(grads)
        raise NonFiniteLossError(
            f"cannot clip gradients whose norm is {norm}: grads[{bad}] holds NaN or inf; nothing was scaled"
        )
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


# --------------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------------


def _hyper(value: Any, name: str, allowed: str, ok: Any) -> float:
    """``value`` as a Python float, or one clear error naming ``name`` and the ``allowed`` range.

    ``TypeError`` unless a real number (int or float, NumPy scalars included; bool and str refused);
    ``ValueError`` when NaN, infinite, or ``ok(value)`` is false. Stored as a Python float so that the
    optimizers' arithmetic stays in the parameters' dtype (a NumPy float64 scalar would widen float32 math).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number ({allowed}), got {value!r} of type {type(value).__name__}")
    v = float(value)
    if not (math.isfinite(v) and ok(v)):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def _positive(value: Any, name: str) -> float:
    return _hyper(value, name, "a positive finite number (> 0)", lambda v: v > 0)


def _unit(value: Any, name: str) -> float:
    return _hyper(value, name, "a number in [0, 1)", lambda v: 0 <= v < 1)


def _check_pair(i: int, p: Any, g: Any) -> None:
    """Raise unless ``g`` can update ``p`` in place: arrays, float dtypes, same shape and device, safe cast."""
    for what, a in (("params", p), ("grads", g)):
        if not hasattr(a, "shape") or not hasattr(a, "dtype"):
            raise TypeError(f"{what}[{i}] must be a NumPy or CuPy array, got {type(a).__name__}")
        if np.dtype(a.dtype).kind != "f":
            raise ValueError(f"{what}[{i}] must have a float dtype (float16/32/64), got {describe(a)}")
    if g.shape != p.shape:
        raise ValueError(
            f"gradient shape {tuple(g.shape)} does not match parameter shape {tuple(p.shape)} "
            f"(grads[{i}] for params[{i}])"
        )
    if not np.can_cast(g.dtype, p.dtype, casting="safe"):
        raise ValueError(
            f"grads[{i}] has dtype {g.dtype}, which cannot be cast safely to the dtype {p.dtype} of params[{i}]; "
            "compute the gradient in the parameter's dtype"
        )
    if backend.is_gpu_array(p) != backend.is_gpu_array(g):
        where = ("GPU", "CPU") if backend.is_gpu_array(p) else ("CPU", "GPU")
        raise ValueError(f"params[{i}] is on the {where[0]} but grads[{i}] is on the {where[1]}")
    flags = getattr(p, "flags", None)
    if flags is not None and not getattr(flags, "writeable", True):
        raise ValueError(f"params[{i}] is read-only ({describe(p)}); an optimizer updates parameters in place")


class Optimizer:
    """Base class: checks every input, merges shared parameters, and calls :meth:`step` for each pair.

    ``update`` is all-or-nothing: it checks *every* (parameter, gradient) pair first (arrays of a float
    dtype, same shape, same device, a gradient dtype that casts safely to the parameter's, a writeable
    parameter, the same shapes as at the first call) and that no gradient holds NaN or inf; only then does
    it change anything. A bad input raises ``TypeError``/``ValueError``, a NaN or inf gradient
    :class:`~scratchnlp.training.NonFiniteLossError`, and every parameter and all optimizer state (the
    moments, Adam's step count) keep their values.

    The finiteness check costs one read of the gradients (one BLAS dot each; :class:`FusedAdam` folds it
    into the scan it makes anyway). Because of it, ``checks_finite_grads`` is True and the training loops
    (:class:`scratchnlp.training.Trainer`) skip their own check. A subclass that overrides ``update``
    without this guarantee must set ``checks_finite_grads = False``.

    Parameters
    ----------
    lr : float
        Learning rate, a finite number > 0.
    """

    #: ``update`` raises NonFiniteLossError, changing nothing, when a gradient holds NaN or inf.
    checks_finite_grads: bool = True

    def __init__(self, lr: float) -> None:
        self.lr = _positive(lr, "learning rate lr")
        self._shapes: list[tuple[int, ...]] | None = None
        self._addresses: list[int] | None = None  # where the parameters live: the state belongs to them
        self.state: list[dict[str, Any]] = []

    def update(self, params: list[Any], grads: list[Any]) -> None:
        """Update ``params`` in place from ``grads`` (same order; tied parameters are updated once).

        Raises
        ------
        TypeError, ValueError
            On a bad pair (see the class docstring), before any parameter changes.
        scratchnlp.training.NonFiniteLossError
            When a gradient holds NaN or inf, before any parameter changes.
        """
        params, grads = self._prepare(params, grads)
        self._begin_step()
        self._apply(params, grads)

    def _prepare(self, params: list[Any], grads: list[Any]) -> tuple[list[Any], list[Any]]:
        """Check everything, merge tied parameters; raises before anything is changed."""
        for what, seq in (("params", params), ("grads", grads)):
            if not isinstance(seq, (list, tuple)):
                raise TypeError(f"{what} must be a list of arrays, got {type(seq).__name__}")
        if len(params) != len(grads):
            raise ValueError(f"params and grads must have the same length, got {len(params)} and {len(grads)}")
        for i, (p, g) in enumerate(zip(params, grads)):
            _check_pair(i, p, g)
        merged_params, merged_grads = merge_shared(params, grads)
        shapes = [tuple(p.shape) for p in merged_params]
        if self._shapes is not None and shapes != self._shapes:
            raise ValueError(
                f"{type(self).__name__} was first used with parameters of shapes {self._shapes} and now got "
                f"{shapes}; use one optimizer per model"
            )
        addresses = [_data_ptr(p) for p in merged_params]
        if self._addresses is not None and addresses != self._addresses:
            raise ValueError(
                f"{type(self).__name__} holds the state (moments, step count) of other parameter arrays of the same "
                "shapes, from the model it first updated; use one optimizer per model (a new optimizer for this one)"
            )
        bad = self._check_finite(merged_params, merged_grads)
        if bad is not None:
            firsts = [i for i, (owner, _) in enumerate(shared_structure(params)) if owner == i]
            index = firsts[bad]
            err = NonFiniteLossError(
                f"grads[{index}] (shape {tuple(params[index].shape)}) holds NaN or inf; "
                f"{type(self).__name__} changed no parameter"
            )
            err.index = index  # type: ignore[attr-defined]
            raise err
        if self._shapes is None:
            self._shapes, self._addresses = shapes, addresses
            self.state = [{} for _ in merged_params]
        return merged_params, merged_grads

    def _check_finite(self, params: list[Any], grads: list[Any]) -> int | None:
        """Index (into the merged lists) of the first gradient holding NaN or inf, else None."""
        return _first_non_finite(grads)

    def _begin_step(self) -> None:
        """Hook run once per update, after the checks and before the per-parameter steps."""

    def _apply(self, params: list[Any], grads: list[Any]) -> None:
        for p, g, s in zip(params, grads, self.state):
            self.step(p, g, s)

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent ``W -= lr * dW`` (chapter 1.4.1).

    Parameters
    ----------
    lr : float, default 0.01
        A finite number > 0.
    """

    _CHUNK = 65536  # elements per chunk: the scaled gradient of a chunk stays in the cache

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)
        self._scratch: dict[Any, Any] = {}

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        if backend.is_gpu_array(p) or g.dtype != p.dtype or not (p.flags.c_contiguous and g.flags.c_contiguous):
            p -= self.lr * g
            return
        # ``p -= lr * g`` in cache-sized chunks: the same arithmetic without a full-size temporary (a 10000 x 650
        # embedding's would be 26 MB per step)
        buf = self._scratch.get(p.dtype)
        if buf is None:
            buf = self._scratch[p.dtype] = np.empty(self._CHUNK, p.dtype)
        P, G = p.reshape(-1), g.reshape(-1)
        for start in range(0, P.shape[0], self._CHUNK):
            stop = min(start + self._CHUNK, P.shape[0])
            scaled = np.multiply(G[start:stop], self.lr, out=buf[: stop - start])
            P[start:stop] -= scaled


class Momentum(Optimizer):
    """SGD with momentum (Polyak, 1964): ``v = momentum * v - lr * dW; W += v``.

    Parameters
    ----------
    lr : float, default 0.01
        A finite number > 0.
    momentum : float, default 0.9
        In [0, 1).
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = _unit(momentum, "momentum")

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        v = _slot(state, "v", p)
        v *= self.momentum
        v -= self.lr * g
        p += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient (Nesterov, 1983) in the form used by the book and Sutskever et al. (2013).

    With ``v = m v - lr dW``, the parameter moves by ``m^2 v_old - (1 + m) lr dW``: the step looks ahead along
    the momentum before applying the gradient.

    Parameters
    ----------
    lr : float, default 0.01
        A finite number > 0.
    momentum : float, default 0.9
        In [0, 1).
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = _unit(momentum, "momentum")

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        m = self.momentum
        v = _slot(state, "v", p)
        v *= m
        v -= self.lr * g
        p += m * m * v
        p -= (1 + m) * self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): per-element steps ``lr / sqrt(sum of squared gradients)``.

    Parameters
    ----------
    lr : float, default 0.01
        A finite number > 0.
    eps : float, default 1e-7
        A finite number > 0, keeps the division defined.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.eps = _positive(eps, "eps")

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        xp = backend.xp(p)
        h = _slot(state, "h", p)
        h += g * g
        p -= self.lr * g / (xp.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Tieleman and Hinton, 2012): AdaGrad with an exponential moving average of squared gradients.

    Parameters
    ----------
    lr : float, default 0.01
        A finite number > 0.
    decay_rate : float, default 0.99
        In [0, 1).
    eps : float, default 1e-7
        A finite number > 0.
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.decay_rate = _unit(decay_rate, "decay_rate")
        self.eps = _positive(eps, "eps")

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

    Parameters
    ----------
    lr : float, default 0.001
        A finite number > 0.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates, each in [0, 1).
    eps : float, default 1e-7
        A finite number > 0.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.beta1 = _unit(beta1, "beta1")
        self.beta2 = _unit(beta2, "beta2")
        self.eps = _positive(eps, "eps")
        self.iter = 0
        self._lr_t = self.lr

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


class FusedAdam(Adam):
    """Adam as the book defines it, computed with far fewer passes over memory (chapter 1.4; appendix on speed).

    The update is :class:`Adam`'s (and the book's): ``m = beta1 m + (1 - beta1) g``,
    ``v = beta2 v + (1 - beta2) g^2``, ``p -= lr_t m / (sqrt(v) + eps)`` with
    ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)``, for every element at every step. Only the way it is
    computed differs:

    **Scaled moments** (the default). The state is kept as ``m = s1 * M`` and ``v = s2 * U**2``, where the
    scalars ``s1 = beta1^t``, ``s2 = beta2^t`` carry the decay that every element undergoes at every step. A
    step then only *adds* the new gradient to ``M`` and ``U`` (``M += (1 - beta1) / s1 * g``,
    ``U = sqrt(U**2 + (1 - beta2) / s2 * g**2)``), and rows whose gradient is zero need no moment update at
    all: an embedding's gradient is zero outside the few hundred rows a batch used, so those few rows are
    gathered, updated and written back. The parameter step, which does touch every element, is
    ``p -= (lr_t s1 / sqrt(s2)) * M / (U + eps / sqrt(s2))``: four in-place passes over cache-sized chunks
    (no square root), where the plain form makes twelve, each through a fresh full-size temporary. When a
    scale falls below ``2**-40`` it is folded into the state (``M *= s1``, ``s1 = 1``; every 263 steps for
    beta1 = 0.9). Results equal :class:`Adam`'s to float32 round-off, not bitwise: over 300 steps of a
    (10000, 100) float32 embedding both differ from a float64 Adam by the same ~1e-6 of the update.

    The scaled form is chosen for a parameter whose first gradient is row-sparse (at most half its rows
    non-zero: an embedding); a parameter with a dense gradient gains nothing from it and takes the exact form.

    **Exact** (``exact=True``, dense gradients, and always when ``beta1`` or ``beta2`` is below 0.5, or for
    float16).
    :class:`Adam`'s twelve operations in the same order and dtype, bitwise identical, but in place over
    cache-sized chunks into two preallocated buffers: 2-3x faster than :class:`Adam`.

    Which rows of a 2-D gradient are non-zero is found with one pass over it (each row's sum of squares, by
    ``einsum``): a row sums to 0 only when all its entries are 0 (or so small, below about 1e-22 in float32,
    that their squares underflow: such a row's step would be far below float32 resolution), and to NaN or
    inf when one is NaN or inf. The same pass is the NaN/inf check ``update`` makes before changing anything,
    so it is not paid twice. CuPy arrays and non-contiguous parameters take :class:`Adam`'s plain step (their
    state is kept unscaled). ``state[i]`` holds ``"M"`` and ``"U"`` (scaled form) or ``"m"`` and ``"v"``.

    Parameters
    ----------
    lr, beta1, beta2, eps : as in :class:`scratchnlp.optim.Adam`
    chunk_size : int, default 262144
        Elements per chunk (1 MiB per float32 buffer): large enough that the Python overhead of a chunk is
        small, small enough that the two scratch buffers stay in cache. Measured on a 2-core x86-64 machine,
        262144 beat 65536 by 10-15% for both forms.
    exact : bool, default False
        Compute bitwise as :class:`Adam` does (slower; see above).
    """

    _FOLD_BELOW = 2.0**-40

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-7,
        *,
        chunk_size: int = 262144,
        exact: bool = False,
    ) -> None:
        super().__init__(lr, beta1, beta2, eps)
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        if not isinstance(exact, (bool, np.bool_)):
            raise TypeError(f"exact must be True or False, got {exact!r}")
        self.chunk_size = int(chunk_size)
        self.exact = bool(exact)
        self._scaled = not self.exact and self.beta1 >= 0.5 and self.beta2 >= 0.5
        self._s1 = 1.0  # beta1^t and beta2^t since the last fold (scaled form)
        self._s2 = 1.0
        self._scratch: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {}
        self._rows: list[Any] = []  # per parameter, from _check_finite: (scaled form?, non-zero rows or None)

    # -- helpers ---------------------------------------------------------------------------------------

    def _buffers(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """Two scratch vectors of ``chunk_size`` elements, shared by all parameters of this dtype."""
        bufs = self._scratch.get(dtype)
        if bufs is None:
            bufs = self._scratch[dtype] = (np.empty(self.chunk_size, dtype), np.empty(self.chunk_size, dtype))
        return bufs

    def _fusable(self, p: Any) -> bool:
        return not backend.is_gpu_array(p) and p.flags.c_contiguous

    def _uses_scaled(self, p: Any) -> bool:
        return self._scaled and p.dtype.itemsize >= 4 and self._fusable(p)

    def _nonzero_rows(self, p: np.ndarray, g: np.ndarray) -> tuple[bool, np.ndarray | None]:
        """(finite, rows): whether ``g`` is all finite, and the rows of ``g`` that are not all zero.

        ``rows`` is None (update every row) when ``p`` is not 2-D or wider, or more than half its rows are
        non-zero.
        """
        R = p.shape[0] if p.ndim else 0
        if p.ndim < 2 or R == 0 or p.size == 0:
            return math.isfinite(_sq_sum(g)), None
        g2 = np.ascontiguousarray(g).reshape(R, -1)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # non-finite sums are checked below
            row_sq_sum = np.einsum("ij,ij->i", g2, g2)  # one pass, no temporary; NaN/inf for a bad row
        rows = np.flatnonzero(row_sq_sum)
        sums = row_sq_sum[rows]
        finite = bool(np.isfinite(sums).all())
        if not finite:  # a huge but finite row can overflow its sum: look at the entries themselves
            finite = bool(np.isfinite(g2[rows[~np.isfinite(sums)]]).all())
        return finite, (rows if 2 * rows.shape[0] <= R else None)

    def _check_finite(self, params: list[Any], grads: list[Any]) -> int | None:
        """The finiteness check, which also finds each scaled parameter's non-zero gradient rows.

        A parameter's form is chosen at its first step: scaled when its gradient is row-sparse (at most half
        the rows non-zero, an embedding), else exact (a dense gradient gains nothing from the scaling).
        """
        self._rows = []
        for i, (p, g) in enumerate(zip(params, grads)):
            state = self.state[i] if i < len(self.state) else {}
            if self._uses_scaled(p) and "m" not in state:
                finite, rows = self._nonzero_rows(p, g)
                scaled = "M" in state or rows is not None
            else:
                finite, rows, scaled = math.isfinite(_sq_sum(g)), None, False
            if not finite:
                self._rows = []
                return i
            self._rows.append((scaled, rows))
        return None

    # -- the step ----------------------------------------------------------------------------------------

    def _begin_step(self) -> None:
        super()._begin_step()
        if not self._scaled:
            return
        if self._s1 < self._FOLD_BELOW or self._s2 < self._FOLD_BELOW:  # fold the scales into the state
            r1, r2 = self._s1, math.sqrt(self._s2)
            for st in self.state:
                if "M" in st:
                    st["M"] *= r1
                    st["U"] *= r2
            self._s1 = self._s2 = 1.0
        self._s1 *= self.beta1
        self._s2 *= self.beta2

    def _apply(self, params: list[Any], grads: list[Any]) -> None:
        plan = self._rows if len(self._rows) == len(params) else [(False, None)] * len(params)
        for p, g, s, (scaled, rows) in zip(params, grads, self.state, plan):
            if scaled:
                self._scaled_step(p, g, s, rows)
            else:
                self.step(p, g, s)
        self._rows = []

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        """One parameter's update in the exact form (chunked when the arrays allow it, else :class:`Adam`'s)."""
        if backend.is_gpu_array(p) or g.dtype != p.dtype or not (p.flags.c_contiguous and g.flags.c_contiguous):
            super().step(p, g, state)
            return
        if "m" not in state:  # (setdefault would build a new zero matrix on every call, only to drop it)
            state["m"], state["v"] = np.zeros_like(p), np.zeros_like(p)
        a_buf, b_buf = self._buffers(p.dtype)
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

    def _scaled_step(self, p: np.ndarray, g: Any, state: dict[str, Any], rows: np.ndarray | None) -> None:
        if "M" not in state:
            state["M"], state["U"] = np.zeros_like(p), np.zeros_like(p)
        if g.dtype != p.dtype or not g.flags.c_contiguous:  # (a float16 gradient would overflow times k1)
            g = np.ascontiguousarray(g, dtype=p.dtype)
        M, U = state["M"], state["U"]
        k1 = (1 - self.beta1) / self._s1
        k2 = (1 - self.beta2) / self._s2
        if rows is None:  # every row: M += k1 g; U = sqrt(U^2 + k2 g^2)
            gf = g.reshape(-1)
            Mf, Uf = M.reshape(-1), U.reshape(-1)
            a_buf, b_buf = self._buffers(p.dtype)
            for start in range(0, Mf.shape[0], self.chunk_size):
                stop = min(start + self.chunk_size, Mf.shape[0])
                a, b, gc, uc = a_buf[: stop - start], b_buf[: stop - start], gf[start:stop], Uf[start:stop]
                np.multiply(gc, k1, out=a)
                Mf[start:stop] += a
                np.multiply(gc, gc, out=a)
                a *= k2
                np.multiply(uc, uc, out=b)
                b += a
                np.sqrt(b, out=uc)
        elif rows.shape[0]:  # only the rows with a gradient: the others' moments just decay, via s1 and s2
            R = p.shape[0]
            M2, U2 = M.reshape(R, -1), U.reshape(R, -1)
            gr = g.reshape(R, -1)[rows]
            mr = M2[rows]
            mr += k1 * gr
            M2[rows] = mr
            ur = U2[rows]
            ur *= ur
            gr *= gr
            gr *= k2
            ur += gr
            U2[rows] = np.sqrt(ur, out=ur)
        # p -= lr_t * m / (sqrt(v) + eps) with m = s1 M, sqrt(v) = sqrt(s2) U: four in-place passes
        root_s2 = math.sqrt(self._s2)
        K, e = self._lr_t * self._s1 / root_s2, self.eps / root_s2
        P, Mf, Uf = p.reshape(-1), M.reshape(-1), U.reshape(-1)
        a_buf, b_buf = self._buffers(p.dtype)
        for start in range(0, P.shape[0], self.chunk_size):
            stop = min(start + self.chunk_size, P.shape[0])
            a, b = a_buf[: stop - start], b_buf[: stop - start]
            np.add(Uf[start:stop], e, out=b)
            np.multiply(Mf[start:stop], K, out=a)
            a /= b
            P[start:stop] -= a
