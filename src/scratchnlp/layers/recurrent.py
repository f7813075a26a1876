"""Recurrent layers: RNN (chapter 5), LSTM (chapter 6) and GRU (appendix), one step and whole sequences.

Each cell comes twice, as in the book:

* the one-step cell (:class:`RNN`, :class:`LSTM`, :class:`GRU`): ``forward`` maps the input ``x (N, D)`` and
  the previous state to the next state, ``backward`` the other way. These are written exactly as the book's
  equations, to be read;
* the sequence layer (:class:`TimeRNN`, :class:`TimeLSTM`, :class:`TimeGRU`): ``forward`` maps ``xs (N, T, D)``
  to the hidden states ``hs (N, T, H)`` of all ``T`` steps and ``backward`` does backpropagation through time
  (chapter 5.2). With ``stateful=True`` the last state is carried into the next call (truncated BPTT,
  chapter 5.2.4): the gradient stops at the block boundary, the state does not. ``reset_state()`` forgets it
  and ``set_state(h[, c])`` sets it (the seq2seq decoder of chapter 7 starts from the encoder's state; the
  gradient with respect to that initial state is left in ``dh`` (and ``dc``) after ``backward``).

The sequence layers give the same values and gradients as ``T`` one-step cells (the book builds them that way)
but are organised for speed: the input projections of all ``T`` steps are one matrix product
``(T*N, D) @ (D, gH)`` before the loop (for a narrow input, such as chapter 7's 16-dimensional characters, the
bias rides in that product as a column of ones), so a step only adds ``h @ Wh`` and applies the gate functions
in place on preallocated step-major ``(T, N, ...)`` buffers; backward collects the gate gradients of every step
and computes ``dWx``, ``dWh``, ``db`` and ``dxs`` after the loop with one product each, leaving only the step's
gate derivatives and ``dA_t @ Wh^T`` inside it. All work stays in the parameters' dtype (float32 by default).

Weights are fused along the columns as in the book: ``Wx (D, gH)``, ``Wh (H, gH)``, ``b (gH,)`` with ``g = 1``
(RNN), ``4`` (LSTM, gate blocks in the book's order f, g, i, o) or ``3`` (GRU, blocks z, r, h~).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import check_float, check_grad, check_ndim, describe
from ..functions import sigmoid
from .base import Layer

__all__ = ["RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU"]


def _check_weights(Wx: Any, Wh: Any, b: Any, gates: int, layer: str) -> tuple[int, int]:
    """Check fused weights ``Wx (D, gH)``, ``Wh (H, gH)``, ``b (gH,)``; return (D, H)."""
    for a, name, nd in ((Wx, "Wx", 2), (Wh, "Wh", 2), (b, "b", 1)):
        check_float(a, f"{layer} {name}")
        check_ndim(a, nd, f"{layer} {name}")
    D, H = Wx.shape[0], Wh.shape[0]
    g = f"{gates} * H" if gates > 1 else "H"
    if H == 0 or Wh.shape[1] != gates * H:
        raise ValueError(f"{layer} Wh must be (H, {g}) with H >= 1, got {describe(Wh)}")
    if Wx.shape[1] != gates * H:
        raise ValueError(f"{layer} Wx must be (D, {g}) = (D, {gates * H}) to match Wh, got {describe(Wx)}")
    if b.shape[0] != gates * H:
        raise ValueError(f"{layer} bias b must be ({gates * H},) to match Wh, got {describe(b)}")
    return D, H


def _folds_bias(D: int, G: int) -> bool:
    """Whether a sequence layer adds its bias inside the input product, as a column of ones beside ``X (T*N, D)``.

    Measured on the book's shapes (float32, OpenBLAS): for ``D`` well below the ``G = gH`` output columns
    (chapter 7's and 8's 16-dimensional character vectors into 4 x 128 or 4 x 256 gates) the one product with
    ``D + 1`` columns costs 0.63-0.89 of a product plus a pass adding ``b`` to every row of ``A (T*N, G)``; from
    ``D`` about ``G / 4`` on (the language models, the peeky decoder) copying ``X`` costs more than it saves.
    """
    return 4 * D < G


def _grads_like(params: list[Any]) -> list[Any]:
    xp = backend.xp(params[0])
    return [xp.zeros_like(p) for p in params]


def _check_step_input(x: Any, h_prev: Any, D: int, H: int, layer: str) -> None:
    check_float(x, f"{layer} input x")
    if x.ndim != 2 or x.shape[1] != D:
        raise ValueError(f"{layer} input x must be (N, {D}), got {describe(x)}")
    if x.shape[0] == 0:
        raise ValueError(f"{layer} input x is an empty batch ({describe(x)}); it needs N >= 1 (as the Time layers)")
    check_float(h_prev, f"{layer} h_prev")
    if tuple(h_prev.shape) != (x.shape[0], H):
        raise ValueError(f"{layer} h_prev must be ({x.shape[0]}, {H}) to match x, got {describe(h_prev)}")


# ---------------------------------------------------------------------------------------------------------
# One-step cells, written as the book's equations
# ---------------------------------------------------------------------------------------------------------


class RNN(Layer):
    """One step of the simple RNN (chapter 5.3.1): ``h_next = tanh(h_prev @ Wh + x @ Wx + b)``.

    Parameters
    ----------
    Wx : (D, H) input weights
    Wh : (H, H) recurrent weights
    b : (H,) bias

    Notes
    -----
    ``forward(x (N, D), h_prev (N, H)) -> h_next (N, H)``;
    ``backward(dh_next (N, H)) -> (dx (N, D), dh_prev (N, H))``, writing dWx, dWh, db into ``grads``.
    """

    def __init__(self, Wx: Any, Wh: Any, b: Any) -> None:
        _check_weights(Wx, Wh, b, 1, "RNN")
        super().__init__()
        self.params = [Wx, Wh, b]
        self.grads = _grads_like(self.params)
        self.cache: Any = None

    def forward(self, x: Any, h_prev: Any) -> Any:
        Wx, Wh, b = self.params
        _check_step_input(x, h_prev, Wx.shape[0], Wh.shape[0], "RNN")
        xp = backend.xp(x)
        h_next = xp.tanh(h_prev @ Wh + x @ Wx + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next: Any) -> tuple[Any, Any]:
        self._require_forward(self.cache)
        Wx, Wh, _ = self.params
        x, h_prev, h_next = self.cache
        check_grad(dh_next, h_next.shape, "RNN.backward dh_next")
        dt = dh_next * (1 - h_next**2)  # tanh' = 1 - tanh^2
        self.grads[0][...] = x.T @ dt
        self.grads[1][...] = h_prev.T @ dt
        self.grads[2][...] = dt.sum(axis=0)
        return dt @ Wx.T, dt @ Wh.T


class LSTM(Layer):
    """One step of the LSTM (chapter 6.3), with the book's fused weights and gate order f, g, i, o.

    ``A = x @ Wx + h_prev @ Wh + b`` is split into four (N, H) blocks: the forget gate ``f = sigmoid(A_f)``,
    the new memory ``g = tanh(A_g)``, the input gate ``i = sigmoid(A_i)`` and the output gate
    ``o = sigmoid(A_o)``; then ``c_next = f * c_prev + g * i`` and ``h_next = o * tanh(c_next)``.

    Parameters
    ----------
    Wx : (D, 4H) input weights of the four gates, side by side in the order f, g, i, o
    Wh : (H, 4H) recurrent weights, same order
    b : (4H,) biases, same order

    Notes
    -----
    ``forward(x (N, D), h_prev (N, H), c_prev (N, H)) -> (h_next, c_next)``, each (N, H);
    ``backward(dh_next, dc_next) -> (dx (N, D), dh_prev (N, H), dc_prev (N, H))``.
    """

    def __init__(self, Wx: Any, Wh: Any, b: Any) -> None:
        _check_weights(Wx, Wh, b, 4, "LSTM")
        super().__init__()
        self.params = [Wx, Wh, b]
        self.grads = _grads_like(self.params)
        self.cache: Any = None

    def forward(self, x: Any, h_prev: Any, c_prev: Any) -> tuple[Any, Any]:
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        _check_step_input(x, h_prev, Wx.shape[0], H, "LSTM")
        check_float(c_prev, "LSTM c_prev")
        if tuple(c_prev.shape) != tuple(h_prev.shape):
            raise ValueError(f"LSTM c_prev must have h_prev's shape {tuple(h_prev.shape)}, got {describe(c_prev)}")
        xp = backend.xp(x)
        A = x @ Wx + h_prev @ Wh + b
        f = sigmoid(A[:, :H])
        g = xp.tanh(A[:, H:2 * H])
        i = sigmoid(A[:, 2 * H:3 * H])
        o = sigmoid(A[:, 3 * H:])
        c_next = f * c_prev + g * i
        h_next = o * xp.tanh(c_next)
        self.cache = (x, h_prev, c_prev, i, f, g, o, c_next)
        return h_next, c_next

    def backward(self, dh_next: Any, dc_next: Any) -> tuple[Any, Any, Any]:
        self._require_forward(self.cache)
        Wx, Wh, _ = self.params
        x, h_prev, c_prev, i, f, g, o, c_next = self.cache
        check_grad(dh_next, c_next.shape, "LSTM.backward dh_next")
        check_grad(dc_next, c_next.shape, "LSTM.backward dc_next")
        xp = backend.xp(x)
        tanh_c = xp.tanh(c_next)
        ds = dc_next + (dh_next * o) * (1 - tanh_c**2)  # the gradient reaching c through both of its uses
        dc_prev = ds * f
        df = ds * c_prev * f * (1 - f)
        dg = ds * i * (1 - g**2)
        di = ds * g * i * (1 - i)
        do = dh_next * tanh_c * o * (1 - o)
        dA = xp.concatenate((df, dg, di, do), axis=1)  # (N, 4H), the book's gate order
        self.grads[0][...] = x.T @ dA
        self.grads[1][...] = h_prev.T @ dA
        self.grads[2][...] = dA.sum(axis=0)
        return dA @ Wx.T, dA @ Wh.T, dc_prev


class GRU(Layer):
    """One step of the gated recurrent unit (appendix C), gate blocks in the book's order z, r, h~.

    ``z = sigmoid(x @ Wx_z + h_prev @ Wh_z + b_z)`` (update gate), ``r = sigmoid(x @ Wx_r + h_prev @ Wh_r + b_r)``
    (reset gate), ``h~ = tanh(x @ Wx_h + (r * h_prev) @ Wh_h + b_h)`` and ``h_next = (1 - z) * h_prev + z * h~``.

    Parameters
    ----------
    Wx : (D, 3H) input weights of z, r and h~ side by side
    Wh : (H, 3H) recurrent weights, same order
    b : (3H,) biases, same order

    Notes
    -----
    ``forward(x (N, D), h_prev (N, H)) -> h_next (N, H)``; ``backward(dh_next) -> (dx, dh_prev)``.

    The GRU code of the book's appendix, as published in its official repository (``common/time_layers.py``,
    ``GRU(Wx, Wh)`` and ``TimeGRU(Wx, Wh, stateful=False)``), has no biases, so its gates cannot learn an
    offset, unlike the LSTM beside it. This one keeps them (``GRU(Wx, Wh, b)``, like ``LSTM(Wx, Wh, b)``);
    ``b = 0`` gives the bias-free version.
    """

    def __init__(self, Wx: Any, Wh: Any, b: Any) -> None:
        _check_weights(Wx, Wh, b, 3, "GRU")
        super().__init__()
        self.params = [Wx, Wh, b]
        self.grads = _grads_like(self.params)
        self.cache: Any = None

    def forward(self, x: Any, h_prev: Any) -> Any:
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        _check_step_input(x, h_prev, Wx.shape[0], H, "GRU")
        xp = backend.xp(x)
        ax = x @ Wx + b  # (N, 3H)
        ah = h_prev @ Wh[:, :2 * H]  # (N, 2H): the z and r parts
        z = sigmoid(ax[:, :H] + ah[:, :H])
        r = sigmoid(ax[:, H:2 * H] + ah[:, H:])
        h_hat = xp.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:])
        h_next = (1 - z) * h_prev + z * h_hat
        self.cache = (x, h_prev, z, r, h_hat)
        return h_next

    def backward(self, dh_next: Any) -> tuple[Any, Any]:
        self._require_forward(self.cache)
        Wx, Wh, _ = self.params
        H = Wh.shape[0]
        x, h_prev, z, r, h_hat = self.cache
        check_grad(dh_next, h_prev.shape, "GRU.backward dh_next")
        xp = backend.xp(x)
        dt_h = dh_next * z * (1 - h_hat**2)  # through h~'s tanh
        dhr = dt_h @ Wh[:, 2 * H:].T  # gradient of r * h_prev
        dt_z = dh_next * (h_hat - h_prev) * z * (1 - z)
        dt_r = dhr * h_prev * r * (1 - r)
        dA = xp.concatenate((dt_z, dt_r, dt_h), axis=1)  # (N, 3H)
        dh_prev = dh_next * (1 - z) + r * dhr + dA[:, :2 * H] @ Wh[:, :2 * H].T
        self.grads[0][...] = x.T @ dA
        self.grads[1][:, :2 * H] = h_prev.T @ dA[:, :2 * H]
        self.grads[1][:, 2 * H:] = (r * h_prev).T @ dt_h
        self.grads[2][...] = dA.sum(axis=0)
        return dA @ Wx.T, dh_prev


# ---------------------------------------------------------------------------------------------------------
# Sequence layers
# ---------------------------------------------------------------------------------------------------------


class _TimeRecurrent(Layer):
    """What the three sequence layers share: weights, carried state, input checks and the hoisted products."""

    _gates = 1
    _name = "TimeRNN"
    _has_cell = False

    def __init__(self, Wx: Any, Wh: Any, b: Any, stateful: bool = False) -> None:
        self._D, self._H = _check_weights(Wx, Wh, b, self._gates, self._name)
        if not isinstance(stateful, (bool, np.bool_)):
            raise ValueError(f"stateful must be True or False, got {stateful!r}")
        super().__init__()
        self.params = [Wx, Wh, b]
        self.grads = _grads_like(self.params)
        self.stateful = bool(stateful)
        self.h: Any = None
        self.c: Any = None
        self.dh: Any = None
        self.dc: Any = None
        self.cache: Any = None
        self._scratch_buffers: dict[str, Any] = {}

    def _scratch(self, xp: Any, name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        """An uninitialised buffer this layer keeps between calls, for arrays that never leave it.

        A fresh array of a few MiB costs a page fault per 4 KiB at its first write, which at the book's sizes
        took longer than the arithmetic done in it (the chapter-7 encoder's backward spent half its time so).
        """
        buf = self._scratch_buffers.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype or backend.xp(buf) is not xp:
            buf = self._scratch_buffers[name] = xp.empty(shape, dtype=dtype)
        return buf

    def reset_state(self) -> None:
        """Forget the carried state: the next ``forward`` starts from zeros (chapter 5.3.2)."""
        self.h, self.c = None, None

    def _check_state(self, a: Any, name: str) -> Any:
        check_float(a, f"{self._name} state {name}")
        if a.ndim != 2 or a.shape[1] != self._H:
            raise ValueError(f"{self._name} state {name} must be (N, {self._H}), got {describe(a)}")
        return a

    def _begin(self, xs: Any, scale: Any = None) -> tuple[Any, Any, Any, int, int]:
        """Check ``xs``, then return (xp, X (T*N, D) step-major, A = X @ Wx + b (T, N, gH), N, T).

        With ``scale (gH,)``, A's columns come out multiplied by it (the weights are scaled, not A). When
        :func:`_folds_bias`, X is returned as ``[X 1] (T*N, D + 1)``, which ``_backward_end`` recognises.
        """
        Wx, _, b = self.params
        check_float(xs, f"{self._name} input xs")
        if xs.ndim != 3 or xs.shape[2] != self._D:
            raise ValueError(f"{self._name} input xs must be (N, T, {self._D}), got {describe(xs)}")
        N, T, D = xs.shape
        if N == 0 or T == 0:
            raise ValueError(f"{self._name} input xs is empty ({describe(xs)}); it needs N >= 1 and T >= 1")
        for name in ("h", "c") if self._has_cell else ("h",):
            state = getattr(self, name)
            if self.stateful and state is not None and state.shape[0] != N:
                raise ValueError(
                    f"{self._name} carries a state {name} for a batch of {state.shape[0]} but xs has {N} sequences; "
                    "call reset_state() (or set_state) before changing the batch size"
                )
        xp = backend.xp(xs)
        G = Wx.shape[1]
        X = xs.transpose(1, 0, 2).reshape(T * N, D)  # step-major; no copy when xs is a step-major view
        A = self._scratch(xp, "A", (T * N, G), Wx.dtype)
        if _folds_bias(D, G):
            # [X 1] @ [Wx; b]: the bias comes out of the product (the separate pass over A cost more than the
            # product itself when D is small); X1 is kept for backward, where the same column gives db
            X1 = self._scratch(xp, "X1", (T * N, D + 1), Wx.dtype)
            X1[:, :D] = X
            X1[:, D] = 1
            W1 = self._scratch(xp, "W1", (D + 1, G), Wx.dtype)
            if scale is None:
                W1[:D], W1[D] = Wx, b
            else:
                xp.multiply(Wx, scale, out=W1[:D])
                xp.multiply(b, scale, out=W1[D])
            xp.matmul(X1, W1, out=A)
            return xp, X1, A.reshape(T, N, -1), N, T
        if X.dtype != Wx.dtype:
            X = X.astype(Wx.dtype)
        if scale is not None:
            Wx, b = Wx * scale, b * scale
        xp.matmul(X, Wx, out=A)  # (T*N, gH): the input projection of every step in one product
        A += b
        return xp, X, A.reshape(T, N, -1), N, T

    def _starts_from_zero(self, name: str) -> bool:
        """Whether the next ``forward`` starts from a zero state ``name`` (its products can be skipped)."""
        return not self.stateful or getattr(self, name) is None

    def _initial(self, xp: Any, name: str, N: int, dtype: Any) -> Any:
        state = getattr(self, name) if self.stateful else None
        if state is None:
            return xp.zeros((N, self._H), dtype=dtype)
        return state.astype(dtype, copy=False)

    def _backward_begin(self, dhs: Any) -> tuple[Any, Any]:
        self._require_forward(self.cache)
        N, T = self.cache["shape"]
        check_grad(dhs, (N, T, self._H), f"{self._name}.backward dhs")
        return backend.xp(dhs), dhs.transpose(1, 0, 2)  # (T, N, H), a view

    def _backward_end(self, xp: Any, dA: Any, X: Any, Hprev: Any, zero_start: bool = False) -> Any:
        """Weight gradients from all steps' pre-activation gradients ``dA (T, N, gH)``; returns dxs (N, T, D).

        ``zero_start``: ``Hprev[0]`` is all zeros, so step 0 adds nothing to ``dWh`` and is left out.
        """
        Wx = self.params[0]
        T, N, G = dA.shape
        dA2 = dA.reshape(T * N, G)
        if X.shape[1] == self._D + 1:  # X = [X 1] (bias folded by _begin): one product gives dWx and db
            GW1 = self._scratch(xp, "GW1", (self._D + 1, G), dA.dtype)
            xp.matmul(X.T, dA2, out=GW1)
            self.grads[0][...] = GW1[:-1]
            self.grads[2][...] = GW1[-1]
        else:
            xp.matmul(X.T, dA2, out=self.grads[0])
            dA2.sum(axis=0, out=self.grads[2])
        if Hprev is not None:
            t0 = 1 if zero_start else 0
            if t0 == T:
                self.grads[1][...] = 0
            else:
                xp.matmul(Hprev[t0:].reshape((T - t0) * N, self._H).T, dA2[t0 * N:], out=self.grads[1])
        return (dA2 @ Wx.T).reshape(T, N, -1).transpose(1, 0, 2)  # (N, T, D) view of a step-major array


class TimeRNN(_TimeRecurrent):
    """The simple RNN over a whole sequence (chapter 5.3.2): ``h_t = tanh(h_{t-1} @ Wh + x_t @ Wx + b)``.

    Parameters
    ----------
    Wx : (D, H)
    Wh : (H, H)
    b : (H,)
    stateful : bool, default False
        Carry the last hidden state into the next ``forward`` (truncated BPTT, chapter 5.2.4).

    Notes
    -----
    ``forward(xs (N, T, D)) -> hs (N, T, H)``; ``backward(dhs (N, T, H)) -> dxs (N, T, D)``. After backward,
    ``dh`` holds the gradient with respect to the initial state. ``set_state(h)`` / ``reset_state()`` set or
    clear the carried state ``h (N, H)``.
    """

    def set_state(self, h: Any) -> None:
        """Start the next ``forward`` from ``h (N, H)`` (read, never modified; as in the book, only a stateful
        layer starts from a set state, a stateless one always starts from zeros)."""
        self.h = self._check_state(h, "h")

    def forward(self, xs: Any) -> Any:
        _, Wh, _ = self.params
        xp, X, A, N, T = self._begin(xs)
        HS = xp.empty((T + 1, N, self._H), dtype=A.dtype)  # HS[0] = h_0, HS[t + 1] = h_t
        HS[0] = self._initial(xp, "h", N, A.dtype)
        tmp = xp.empty((N, self._H), dtype=A.dtype)
        for t in range(T):
            xp.matmul(HS[t], Wh, out=tmp)
            a = A[t]
            a += tmp
            xp.tanh(a, out=HS[t + 1])
        self.h = HS[T]
        self.cache = {"X": X, "HS": HS, "shape": (N, T)}
        return HS[1:].transpose(1, 0, 2)

    def backward(self, dhs: Any) -> Any:
        xp, dhs_t = self._backward_begin(dhs)
        _, Wh, _ = self.params
        X, HS = self.cache["X"], self.cache["HS"]
        T, N, H = dhs_t.shape
        deriv = HS[1:] * HS[1:]
        xp.subtract(1, deriv, out=deriv)  # tanh' = 1 - h^2, every step at once
        dA = xp.empty((T, N, H), dtype=HS.dtype)
        dh = xp.zeros((N, H), dtype=HS.dtype)
        WhT = xp.ascontiguousarray(Wh.T)
        for t in range(T - 1, -1, -1):
            d = dA[t]
            xp.add(dhs_t[t], dh, out=d)
            d *= deriv[t]
            xp.matmul(d, WhT, out=dh)
        self.dh = dh
        return self._backward_end(xp, dA, X, HS[:-1])


class TimeLSTM(_TimeRecurrent):
    """The LSTM over a whole sequence (chapter 6.3.5), with the book's fused weights (gate order f, g, i, o).

    Parameters
    ----------
    Wx : (D, 4H)
    Wh : (H, 4H)
    b : (4H,)
    stateful : bool, default False
        Carry the last ``h`` and ``c`` into the next ``forward`` (truncated BPTT).

    Notes
    -----
    ``forward(xs (N, T, D)) -> hs (N, T, H)``; ``backward(dhs (N, T, H)) -> dxs (N, T, D)``. After backward,
    ``dh`` (and ``dc``) hold the gradients with respect to the initial state. ``set_state(h, c=None)`` sets the
    carried state (``c`` None: zeros), ``reset_state()`` clears it.

    Inside a step the gates are computed in place on one (N, 4H) block with a single ``tanh``: the sigmoid
    gate columns are scaled by 1/2 (``sigmoid(a) = (1 + tanh(a / 2)) / 2``; the input part of every step at
    once before the loop), so the four gate functions cost one ``tanh`` and one multiply-add.
    """

    _gates = 4
    _name = "TimeLSTM"
    _has_cell = True

    def set_state(self, h: Any, c: Any = None) -> None:
        """Start the next ``forward`` from ``h (N, H)`` and ``c (N, H)`` (None: zeros); both are only read. As in
        the book, only a stateful layer starts from a set state (the seq2seq decoder of chapter 7 is one)."""
        self.h = self._check_state(h, "h")
        if c is not None:
            self._check_state(c, "c")
            if c.shape != h.shape:
                raise ValueError(f"TimeLSTM state c must have h's shape {tuple(h.shape)}, got {describe(c)}")
        self.c = c

    def _scales(self, xp: Any, dtype: Any) -> tuple[Any, Any]:
        """Per-column ``scale`` (1/2 on f, i, o; 1 on g) and ``shift`` (1/2 on f, i, o; 0 on g)."""
        H = self._H
        scale = xp.full(4 * H, 0.5, dtype=dtype)  # made where they are used: no copy from the host
        scale[H:2 * H] = 1.0
        shift = xp.full(4 * H, 0.5, dtype=dtype)
        shift[H:2 * H] = 0.0
        return scale, shift

    def forward(self, xs: Any) -> Any:
        _, Wh, _ = self.params
        H = self._H
        xp = backend.xp(Wh)
        scale, shift = self._scales(xp, Wh.dtype)
        # pre-activations of f, i, o halved (through halved weight columns): one tanh then gives all four gates
        xp, X, A, N, T = self._begin(xs, scale)
        dtype = A.dtype
        Wh_scaled = self._scratch(xp, "Wh_scaled", Wh.shape, dtype)
        xp.multiply(Wh, scale, out=Wh_scaled)
        h_zero, c_zero = self._starts_from_zero("h"), self._starts_from_zero("c")
        HS = xp.empty((T + 1, N, H), dtype=dtype)
        CS = self._scratch(xp, "CS", (T + 1, N, H), dtype)
        TC = self._scratch(xp, "TC", (T, N, H), dtype)  # tanh(c_t)
        HS[0] = self._initial(xp, "h", N, dtype)
        CS[0] = self._initial(xp, "c", N, dtype)
        tmp = self._scratch(xp, "tmp", (N, 4 * H), dtype)
        gi = self._scratch(xp, "gi", (N, H), dtype)
        for t in range(T):
            a = A[t]
            if t or not h_zero:  # (h_0 @ Wh is zero for a zero start state)
                xp.matmul(HS[t], Wh_scaled, out=tmp)
                a += tmp
            xp.tanh(a, out=a)
            a *= scale
            a += shift  # a = [f, g, i, o]
            c = CS[t + 1]
            xp.multiply(a[:, H:2 * H], a[:, 2 * H:3 * H], out=c)  # g * i
            if t or not c_zero:
                xp.multiply(a[:, :H], CS[t], out=gi)
                c += gi  # + f * c_prev
            xp.tanh(c, out=TC[t])
            xp.multiply(a[:, 3 * H:], TC[t], out=HS[t + 1])
        self.h, self.c = HS[T], CS[T].copy()  # (CS is reused by the next call)
        self.cache = {"X": X, "G": A, "HS": HS, "CS": CS, "TC": TC, "shape": (N, T), "h_zero": h_zero}
        return HS[1:].transpose(1, 0, 2)

    def backward(self, dhs: Any) -> Any:
        xp, dhs_t = self._backward_begin(dhs)
        _, Wh, _ = self.params
        H = self._H
        c_ = self.cache
        X, G, HS, CS, TC = c_["X"], c_["G"], c_["HS"], c_["CS"], c_["TC"]
        T, N, _ = dhs_t.shape
        dtype = G.dtype
        # Each step's gate gradients are made in its (N, 4H) block of dA while that block and the step's saved
        # values are in the cache (preparing all steps at once before the loop made each operation a pass over
        # T*N*4H values in main memory, which took longer than the loop). From the gates' outputs y:
        # sigmoid' = y (1 - y) on f, i, o and tanh' = 1 - y^2 on g, i.e. y (low - y) + (1 - low) with low = 1 on
        # f, i, o and 0 on g; then dA_f = ds c_prev f', dA_g = ds i g', dA_i = ds g i', dA_o = dh tanh(c) o',
        # with ds = dc + dh o (1 - tanh(c)^2), the gradient reaching c_t through h_t and through c_{t+1}.
        low = self._scratch(xp, "low", (4 * H,), dtype)
        low[...] = 1
        low[H:2 * H] = 0
        dA = self._scratch(xp, "dA", G.shape, dtype)
        WhT = self._scratch(xp, "WhT", Wh.shape[::-1], Wh.dtype)
        WhT[...] = Wh.T  # (4H, H): a contiguous operand makes the small products faster
        dh = xp.zeros((N, H), dtype=dtype)
        dc = xp.zeros((N, H), dtype=dtype)
        ds = self._scratch(xp, "ds", (N, H), dtype)
        for t in range(T - 1, -1, -1):
            y, d, tc = G[t], dA[t], TC[t]  # (N, 4H), (N, 4H), (N, H)
            dh += dhs_t[t]
            xp.multiply(tc, tc, out=ds)
            xp.subtract(1, ds, out=ds)  # 1 - tanh(c)^2
            ds *= y[:, 3 * H:]
            ds *= dh
            ds += dc
            xp.subtract(low, y, out=d)
            d *= y  # y (1 - y) on f, i, o; -g^2 on g
            d[:, H:2 * H] += 1  # 1 - g^2 on g
            d[:, :H] *= CS[t]
            d[:, :H] *= ds  # df
            d[:, H:2 * H] *= y[:, 2 * H:3 * H]
            d[:, H:2 * H] *= ds  # dg
            d[:, 2 * H:3 * H] *= y[:, H:2 * H]
            d[:, 2 * H:3 * H] *= ds  # di
            d[:, 3 * H:] *= tc
            d[:, 3 * H:] *= dh  # do
            xp.multiply(ds, y[:, :H], out=dc)  # dc_prev = ds * f
            xp.matmul(d, WhT, out=dh)  # dh_prev
        self.dh, self.dc = dh, dc
        return self._backward_end(xp, dA, X, HS[:-1], zero_start=c_["h_zero"])


class TimeGRU(_TimeRecurrent):
    """The GRU over a whole sequence (appendix C), gate blocks z, r, h~ as in :class:`GRU`, with biases.

    Parameters
    ----------
    Wx : (D, 3H)
    Wh : (H, 3H)
    b : (3H,)
    stateful : bool, default False

    Notes
    -----
    ``forward(xs (N, T, D)) -> hs (N, T, H)``; ``backward(dhs (N, T, H)) -> dxs (N, T, D)``; ``dh`` holds the
    gradient with respect to the initial state after backward; ``set_state(h)``, ``reset_state()``.

    The book's official ``TimeGRU(Wx, Wh, stateful=False)`` has no biases (and keeps its gradients outside the
    ``params``/``grads`` protocol); this one takes ``b`` like :class:`TimeLSTM` and follows the protocol.
    """

    _gates = 3
    _name = "TimeGRU"

    def set_state(self, h: Any) -> None:
        """Start the next ``forward`` from ``h (N, H)`` (only read; used by a stateful layer, as in the book)."""
        self.h = self._check_state(h, "h")

    def forward(self, xs: Any) -> Any:
        _, Wh, _ = self.params
        H = self._H
        xp, X, A, N, T = self._begin(xs)
        dtype = A.dtype
        Wh_zr, Wh_h = Wh[:, :2 * H], Wh[:, 2 * H:]
        HS = xp.empty((T + 1, N, H), dtype=dtype)
        RH = xp.empty((T, N, H), dtype=dtype)  # r_t * h_{t-1}, the input of Wh_h
        HS[0] = self._initial(xp, "h", N, dtype)
        tmp = xp.empty((N, 2 * H), dtype=dtype)
        tmp_h = xp.empty((N, H), dtype=dtype)
        for t in range(T):
            a, h_prev, h = A[t], HS[t], HS[t + 1]
            zr = a[:, :2 * H]
            xp.matmul(h_prev, Wh_zr, out=tmp)
            zr += tmp
            zr *= 0.5
            xp.tanh(zr, out=zr)
            zr *= 0.5
            zr += 0.5  # z, r = sigmoid(...)
            xp.multiply(a[:, H:2 * H], h_prev, out=RH[t])
            xp.matmul(RH[t], Wh_h, out=tmp_h)
            hh = a[:, 2 * H:]
            hh += tmp_h
            xp.tanh(hh, out=hh)  # h~
            xp.subtract(hh, h_prev, out=h)
            h *= a[:, :H]
            h += h_prev  # h = h_prev + z (h~ - h_prev)
        self.h = HS[T]
        self.cache = {"X": X, "G": A, "HS": HS, "RH": RH, "shape": (N, T)}
        return HS[1:].transpose(1, 0, 2)

    def backward(self, dhs: Any) -> Any:
        xp, dhs_t = self._backward_begin(dhs)
        _, Wh, _ = self.params
        H = self._H
        X, G, HS, RH = self.cache["X"], self.cache["G"], self.cache["HS"], self.cache["RH"]
        T, N, _ = dhs_t.shape
        dtype = G.dtype
        Wh_zr_T, Wh_h_T = xp.ascontiguousarray(Wh[:, :2 * H].T), xp.ascontiguousarray(Wh[:, 2 * H:].T)
        dA = xp.empty_like(G)
        dh = xp.zeros((N, H), dtype=dtype)
        dhr = xp.empty((N, H), dtype=dtype)
        w = xp.empty((N, H), dtype=dtype)
        tmp = xp.empty((N, H), dtype=dtype)
        for t in range(T - 1, -1, -1):
            g, d, h_prev = G[t], dA[t], HS[t]
            z, r, hh = g[:, :H], g[:, H:2 * H], g[:, 2 * H:]
            dz, dr, dt_h = d[:, :H], d[:, H:2 * H], d[:, 2 * H:]
            dh += dhs_t[t]
            # through h~: dt_h = dh * z * (1 - h~^2)
            xp.multiply(hh, hh, out=w)
            xp.subtract(1, w, out=w)
            w *= z
            xp.multiply(dh, w, out=dt_h)
            xp.matmul(dt_h, Wh_h_T, out=dhr)  # gradient of r * h_prev
            # through z: dz = dh * (h~ - h_prev) * z (1 - z)
            xp.subtract(hh, h_prev, out=dz)
            dz *= dh
            xp.subtract(1, z, out=w)
            w *= z
            dz *= w
            # through r: dr = dhr * h_prev * r (1 - r)
            xp.multiply(dhr, h_prev, out=dr)
            xp.subtract(1, r, out=w)
            w *= r
            dr *= w
            # dh_prev = dh (1 - z) + r * dhr + [dz, dr] @ Wh_zr^T
            xp.subtract(1, z, out=w)
            dh *= w
            xp.multiply(r, dhr, out=w)
            dh += w
            xp.matmul(d[:, :2 * H], Wh_zr_T, out=tmp)
            dh += tmp
        self.dh = dh
        dxs = self._backward_end(xp, dA, X, None)
        T_N = T * N
        dA2 = dA.reshape(T_N, 3 * H)
        self.grads[1][:, :2 * H] = HS[:-1].reshape(T_N, H).T @ dA2[:, :2 * H]
        self.grads[1][:, 2 * H:] = RH.reshape(T_N, H).T @ dA2[:, 2 * H:]
        return dxs


# ---------------------------------------------------------------------------------------------------------
# Bidirectional LSTM (chapter 8.4.1)
# ---------------------------------------------------------------------------------------------------------

__all__ += ["TimeBiLSTM"]


class TimeBiLSTM(Layer):
    """Two LSTMs over the same sequence, one reading it forwards and one backwards (chapter 8.4.1).

    The forward LSTM's state at step ``t`` summarises ``xs[:, :t + 1]``, the backward LSTM's the rest of the
    sequence, ``xs[:, t:]``; side by side they describe step ``t`` in the context of the whole sequence. The
    backward LSTM runs on ``xs[:, ::-1]`` and its outputs are reversed back, so ``hs[:, t]`` of both halves
    belongs to the same input position.

    Parameters
    ----------
    Wx1, Wh1, b1 : (D, 4H), (H, 4H), (4H,)
        The forward LSTM's weights (as :class:`TimeLSTM`).
    Wx2, Wh2, b2 : (D, 4H), (H, 4H), (4H,)
        The backward LSTM's weights.
    stateful : bool, default False
        Passed to both LSTMs, as in the book.

    Attributes
    ----------
    forward_lstm, backward_lstm : TimeLSTM
        The two directions; ``params = forward_lstm.params + backward_lstm.params`` (the book's order).

    Notes
    -----
    ``forward(xs (N, T, D)) -> hs (N, T, 2H)``: ``hs[..., :H]`` from the forward LSTM, ``hs[..., H:]`` from the
    backward one; ``backward(dhs (N, T, 2H)) -> dxs (N, T, D)``, the sum of the two directions' gradients.
    The last state of the backward direction (its summary of the whole sequence) is ``hs[:, 0, H:]``.
    """

    def __init__(self, Wx1: Any, Wh1: Any, b1: Any, Wx2: Any, Wh2: Any, b2: Any, stateful: bool = False) -> None:
        super().__init__()
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1, stateful)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2, stateful)
        if (Wx1.shape, Wh1.shape) != (Wx2.shape, Wh2.shape):
            raise ValueError(f"TimeBiLSTM: the two directions must have the same shapes, got Wx1 {describe(Wx1)}, "
                             f"Wh1 {describe(Wh1)} and Wx2 {describe(Wx2)}, Wh2 {describe(Wh2)}")
        self.collect(self.forward_lstm, self.backward_lstm)
        self.cache: Any = None

    def forward(self, xs: Any) -> Any:
        o1 = self.forward_lstm.forward(xs)
        o2 = self.backward_lstm.forward(xs[:, ::-1])
        N, T, H = o1.shape
        xp = backend.xp(o1)
        out = xp.empty((N, T, 2 * H), dtype=o1.dtype)
        out[:, :, :H] = o1
        out[:, :, H:] = o2[:, ::-1]  # back in the input's order
        self.cache = (N, T, H)
        return out

    def backward(self, dhs: Any) -> Any:
        self._require_forward(self.cache)
        N, T, H = self.cache
        check_grad(dhs, (N, T, 2 * H), "TimeBiLSTM.backward dhs")
        dxs = self.forward_lstm.backward(dhs[:, :, :H])
        dxs2 = self.backward_lstm.backward(dhs[:, ::-1, H:])
        return dxs + dxs2[:, ::-1]
