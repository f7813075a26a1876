"""Attention (chapter 8.1-8.2): which encoder states the decoder should look at, and what it sees there.

The decoder's state ``h (N, H)`` is compared with every encoder state ``hs (N, T, H)`` by a dot product; the
softmax of those ``T`` scores is the *attention weight* ``a (N, T)``, a distribution over the question's
positions; the *context vector* ``c (N, H)`` is the weighted sum of the encoder states under it. The book
builds this from two layers and then repeats it for every decoder step:

* :class:`AttentionWeight` — ``a = softmax(sum_H(hs * h))``, the dot-product scores and their softmax
  (chapter 8.1.4);
* :class:`WeightSum` — ``c = sum_T(a * hs)``, the weighted sum (chapter 8.1.3);
* :class:`Attention` — the two joined: ``forward(hs, h) -> c`` for one decoder step (chapter 8.1.5);
* :class:`TimeAttention` — attention for every step of the decoder at once (chapter 8.1.5). The book's
  version makes one :class:`Attention` per step in a Python loop; this one computes the scores of all
  ``T_dec`` steps as one batched product ``hs_dec @ hs_enc^T -> (N, T_dec, T)``, the softmax over ``T``, and
  the contexts as ``a @ hs_enc -> (N, T_dec, H)``: the same values and gradients, without the loop.

None of these layers has parameters: attention only *reads* the states the LSTMs produce (its gradient flows
back into both of them). The book's single-step layers broadcast ``h`` and ``a`` in forward and use
``repeat`` in backward; here broadcasting is used both ways, which gives the same numbers without the copies.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from .._checks import check_float, check_ndim, check_score_maxes, describe
from .base import Layer
from .basic import Softmax

__all__ = ["WeightSum", "AttentionWeight", "Attention", "TimeAttention"]


def _check_hs(hs: Any, layer: str) -> tuple[int, int, int]:
    """``hs`` must be a non-empty float (N, T, H) array; returns (N, T, H)."""
    check_float(hs, f"{layer} encoder states hs")
    check_ndim(hs, 3, f"{layer} encoder states hs", "(N, T, H)")
    N, T, H = hs.shape
    if N == 0 or T == 0 or H == 0:
        raise ValueError(f"{layer} encoder states hs are empty ({describe(hs)}); attention needs N, T, H >= 1")
    return N, T, H


def _check_shape(a: Any, shape: tuple[int, ...], name: str) -> None:
    check_float(a, name)
    if tuple(a.shape) != shape:
        raise ValueError(f"{name} must be {shape}, got {describe(a)}")


class WeightSum(Layer):
    """The weighted sum of the encoder states (chapter 8.1.3): ``c = sum_t a[:, t] * hs[:, t]``.

    No parameters.

    Notes
    -----
    ``forward(hs (N, T, H), a (N, T)) -> c (N, H)``, the context vector, with ``a`` the attention weights;
    ``backward(dc (N, H)) -> (dhs (N, T, H), da (N, T))``: ``dhs = a * dc`` (every state gets the gradient
    in proportion to its weight) and ``da[:, t] = hs[:, t] . dc``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cache: Any = None

    def forward(self, hs: Any, a: Any) -> Any:
        N, T, H = _check_hs(hs, "WeightSum")
        _check_shape(a, (N, T), "WeightSum attention weights a")
        ar = a.reshape(N, T, 1)  # broadcast over H (the book: .repeat(H, axis=2))
        c = (hs * ar).sum(axis=1)
        self.cache = (hs, ar)
        return c

    def backward(self, dc: Any) -> tuple[Any, Any]:
        self._require_forward(self.cache)
        hs, ar = self.cache
        N, T, H = hs.shape
        _check_shape(dc, (N, H), "WeightSum dc")
        dt = dc.reshape(N, 1, H)  # the sum over T in forward copies dc to every t in backward
        dhs = dt * ar
        da = (dt * hs).sum(axis=2)
        return dhs, da


class AttentionWeight(Layer):
    """The attention weights (chapter 8.1.4): ``a = softmax(s)`` with the scores ``s[:, t] = hs[:, t] . h``.

    The dot product measures how similar each encoder state is to the decoder's state; the softmax turns the
    ``T`` scores into weights that are positive and sum to 1. No parameters.

    Notes
    -----
    ``forward(hs (N, T, H), h (N, H)) -> a (N, T)``; ``backward(da (N, T)) -> (dhs (N, T, H), dh (N, H))``,
    through the softmax (:class:`~scratchnlp.layers.Softmax`, held as ``softmax``) and the dot products.
    """

    def __init__(self) -> None:
        super().__init__()
        self.softmax = Softmax()
        self.cache: Any = None

    def forward(self, hs: Any, h: Any) -> Any:
        N, T, H = _check_hs(hs, "AttentionWeight")
        _check_shape(h, (N, H), "AttentionWeight decoder state h")
        hr = h.reshape(N, 1, H)  # broadcast over T (the book: .repeat(T, axis=1))
        s = (hs * hr).sum(axis=2)  # (N, T)
        a = self.softmax.forward(s)
        self.cache = (hs, hr)
        return a

    def backward(self, da: Any) -> tuple[Any, Any]:
        self._require_forward(self.cache)
        hs, hr = self.cache
        N, T, H = hs.shape
        _check_shape(da, (N, T), "AttentionWeight da")
        ds = self.softmax.backward(da)
        dt = ds.reshape(N, T, 1)
        dhs = dt * hr
        dh = (dt * hs).sum(axis=1)
        return dhs, dh


class Attention(Layer):
    """Attention for one decoder step (chapter 8.1.5): :class:`AttentionWeight`, then :class:`WeightSum`.

    No parameters.

    Attributes
    ----------
    attention_weight : (N, T) array or None
        The weights of the last ``forward`` (the book's name), each row summing to 1 over the ``T`` encoder
        positions.

    Notes
    -----
    ``forward(hs (N, T, H), h (N, H)) -> c (N, H)``, the context vector;
    ``backward(dc (N, H)) -> (dhs (N, T, H), dh (N, H))``: ``hs`` is used twice (for the weights and in the
    sum), so its gradient is the sum of the two layers'.
    """

    def __init__(self) -> None:
        super().__init__()
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight: Any = None

    def forward(self, hs: Any, h: Any) -> Any:
        a = self.attention_weight_layer.forward(hs, h)
        out = self.weight_sum_layer.forward(hs, a)
        self.attention_weight = a
        return out

    def backward(self, dout: Any) -> tuple[Any, Any]:
        dhs0, da = self.weight_sum_layer.backward(dout)
        dhs1, dh = self.attention_weight_layer.backward(da)
        return dhs0 + dhs1, dh


class TimeAttention(Layer):
    """Attention for every decoder step at once (chapter 8.1.5), vectorised over the steps.

    For encoder states ``hs_enc (N, T, H)`` and decoder states ``hs_dec (N, T_dec, H)``:

    * scores ``S = hs_dec @ hs_enc^T``, ``(N, T_dec, T)``: one batched product for all steps;
    * weights ``A = softmax(S)`` over the last axis (the ``T`` encoder positions);
    * contexts ``C = A @ hs_enc``, ``(N, T_dec, H)``.

    Row ``t`` of each is exactly what :class:`Attention` computes for ``hs_dec[:, t]``; the book's
    ``TimeAttention`` makes one such layer per step in a Python loop. No parameters.

    Attributes
    ----------
    weights : (N, T_dec, T) array or None
        The attention weights of the last ``forward``; ``weights[n, t]`` is step ``t``'s distribution over
        the ``T`` encoder positions of sequence ``n`` (sums to 1).
    attention_weights : list of T_dec arrays (N, T)
        The same weights as the book's list, one (N, T) array per decoder step (views of ``weights``); the
        book's ``visualize_attention.py`` reads it after ``model.forward(x, t)``.

    Notes
    -----
    ``forward(hs_enc (N, T, H), hs_dec (N, T_dec, H)) -> C (N, T_dec, H)``;
    ``backward(dC (N, T_dec, H)) -> (dhs_enc (N, T, H), dhs_dec (N, T_dec, H))``, with
    ``dA = dC @ hs_enc^T``, ``dS = A * (dA - sum_T(A * dA))`` (the softmax's backward),
    ``dhs_enc = A^T @ dC + dS^T @ hs_dec`` (the states are read twice) and ``dhs_dec = dS @ hs_enc``.
    Everything is done in the inputs' dtype with batched matrix products (``matmul`` over the ``N``
    sequences).
    """

    def __init__(self) -> None:
        super().__init__()
        self.weights: Any = None
        self.cache: Any = None

    @property
    def attention_weights(self) -> list[Any] | None:
        """The weights as the book's list, one (N, T) array per decoder step (views of ``weights``)."""
        if self.weights is None:
            return None
        return [self.weights[:, t] for t in range(self.weights.shape[1])]

    def forward(self, hs_enc: Any, hs_dec: Any) -> Any:
        N, T, H = _check_hs(hs_enc, "TimeAttention")
        check_float(hs_dec, "TimeAttention decoder states hs_dec")
        if hs_dec.ndim != 3 or hs_dec.shape[0] != N or hs_dec.shape[2] != H or hs_dec.shape[1] == 0:
            raise ValueError(f"TimeAttention decoder states hs_dec must be ({N}, T_dec, {H}) with T_dec >= 1 to "
                             f"match hs_enc {tuple(hs_enc.shape)}, got {describe(hs_dec)}")
        xp = backend.xp(hs_enc)
        hs_enc_T = hs_enc.transpose(0, 2, 1)  # (N, H, T), a view
        S = xp.matmul(hs_dec, hs_enc_T)  # (N, T_dec, T): every step's scores in one batched product
        m = S.max(axis=2, keepdims=True)
        check_score_maxes(xp, m, "TimeAttention scores (hs_dec . hs_enc)")  # NaN or inf states: softmax's rule
        S -= m  # softmax over the encoder positions, in place
        xp.exp(S, out=S)
        S /= S.sum(axis=2, keepdims=True)
        A = S
        C = xp.matmul(A, hs_enc)  # (N, T_dec, H)
        self.weights = A
        self.cache = (hs_enc, hs_dec)
        return C

    def backward(self, dout: Any) -> tuple[Any, Any]:
        self._require_forward(self.cache)
        hs_enc, hs_dec = self.cache
        A = self.weights
        N, T_dec, T = A.shape
        _check_shape(dout, (N, T_dec, hs_enc.shape[2]), "TimeAttention dout")
        xp = backend.xp(dout)
        dA = xp.matmul(dout, hs_enc.transpose(0, 2, 1))  # (N, T_dec, T)
        dS = dA  # the softmax's backward, in place: A * (dA - sum(A * dA))
        dS -= (A * dA).sum(axis=2, keepdims=True)
        dS *= A
        dhs_enc = xp.matmul(A.transpose(0, 2, 1), dout)  # through the weighted sum
        dhs_enc += xp.matmul(dS.transpose(0, 2, 1), hs_dec)  # through the scores
        dhs_dec = xp.matmul(dS, hs_enc)
        return dhs_enc, dhs_dec
