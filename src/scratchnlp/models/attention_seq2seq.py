"""Seq2seq with attention (chapter 8.2): the decoder looks back at every encoder state at every step.

* :class:`AttentionEncoder` — chapter 7's :class:`~scratchnlp.models.Encoder`, returning the hidden states of
  *all* steps, ``hs (N, T, H)``, not only the last (chapter 8.1.1). With ``bidirectional=True`` it reads the
  question with a :class:`~scratchnlp.layers.TimeBiLSTM` (chapter 8.4.1).
* :class:`AttentionDecoder` — TimeEmbedding, TimeLSTM started from the encoder's last state,
  :class:`~scratchnlp.layers.TimeAttention` over the encoder's states, and TimeAffine on the context vector
  and the LSTM's state side by side, ``concat(c, h) (N, T, 2H)`` (chapter 8.2.2).
* :class:`AttentionSeq2seq` — the two joined with the softmax cross-entropy loss (chapter 8.2.3), trained on
  the dates of ``date.txt`` in the book (chapter 8.3).

``params`` are in the book's order (``encoder.params + decoder.params``: ``embed W``, ``lstm Wx, Wh, b`` and
for the decoder ``affine W (2H, V), b``; attention has no parameters), initialised as the book's, so the
book's published ``AttentionSeq2seq.pkl`` loads in order (:func:`scratchnlp.datasets.load_book_weights`).

Decoding is batched like chapter 7's: ``generate(xs, start_id, sample_size)`` answers a whole batch and gives
every question the answer it gets alone; ``generate(..., return_attention=True)`` also returns the attention
weights of the decoding, ``(N, sample_size, T)``, the attention maps of chapter 8.3.3. While decoding, the
encoder computes the states of questions that begin alike once (:meth:`AttentionEncoder.prefix_states`): the
reversed dates begin with their padding, so two thirds of the encoder's work on the book's test set is shared.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator, check_float, check_positive_int, describe
from ..layers import TimeAttention, TimeBiLSTM, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss
from ..layers.base import Layer
from .base import BaseModel
from .rnnlm import _init as _randn
from .rnnlm import _zeros
from .seq2seq import Decoder, Encoder, Seq2seq, _check_ids, _on_device_of, _sizes, _start_ids

__all__ = ["AttentionEncoder", "AttentionDecoder", "AttentionSeq2seq"]

#: On the CPU, :meth:`AttentionSeq2seq.generate` decodes this many questions at a time (after encoding them all:
#: a block's encoder states and gate arrays stay in the cache); rows never mix, so the answers are the same.
_DECODE_ROWS = 256

#: :meth:`AttentionSeq2seq.generate` shares the encoder's work on common beginnings from this many questions on;
#: fewer are encoded in one pass (the shared path takes one call per step, which costs more than it saves for a
#: few rows). Both give the same states up to rounding: ``prefix_states`` does ``forward``'s per-row arithmetic.
_SHARE_MIN_ROWS = 32

_LSTM_NAMES = ("lstm_Wx", "lstm_Wh", "lstm_b")


def _half(hidden_size: int) -> int:
    """Units per direction of a bidirectional encoder whose states have ``hidden_size`` values."""
    if hidden_size % 2:
        raise ValueError(f"hidden_size must be even with bidirectional=True (each direction of the encoder has "
                         f"hidden_size // 2 units), got {hidden_size}")
    return hidden_size // 2


class AttentionEncoder(Encoder):
    """The encoder of chapter 8.1.1: TimeEmbedding and an LSTM; the output is the hidden state of every step.

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        V, D, H.
    seed : int or numpy Generator, default 0
        For the initial weights (``randn / 100`` for the embedding, ``randn / sqrt(fan-in)`` for the LSTM,
        zero biases, as the book).
    dtype : float dtype, default the backend's (float32)
    bidirectional : bool, default False
        Read the question both ways with a :class:`~scratchnlp.layers.TimeBiLSTM` (chapter 8.4.1), each
        direction with ``H // 2`` units (``H`` must be even), so the states are still ``(N, T, H)``: the first
        ``H // 2`` values of ``hs[:, t]`` from the forward LSTM, the rest from the backward one. The decoder,
        attention and output layer are then the same size as without it. (Not in the book's model.)

    Notes
    -----
    ``forward(xs (N, T) ids) -> hs (N, T, H)``; ``backward(dhs (N, T, H))`` fills ``grads`` and returns None.
    ``params = [embed_W (V, D), lstm_Wx (D, 4H), lstm_Wh (H, 4H), lstm_b (4H,)]``; bidirectional:
    ``[embed_W, Wx1, Wh1, b1, Wx2, Wh2, b2]`` with ``H // 2`` in place of ``H`` (forward direction first).
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None, bidirectional: bool = False) -> None:
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
        if not bidirectional:
            super().__init__(vocab_size, wordvec_size, hidden_size, seed=seed, dtype=dtype)
            self.bidirectional = False
            return
        Layer.__init__(self)
        V, D, H, dtype = _sizes(vocab_size, wordvec_size, hidden_size, dtype)
        H2 = _half(H)
        rng = as_generator(seed)
        embed_W = _randn(rng, (V, D), 100, dtype)
        weights = []
        for _ in range(2):  # forward, then backward direction
            weights += [_randn(rng, (D, 4 * H2), np.sqrt(D), dtype), _randn(rng, (H2, 4 * H2), np.sqrt(H2), dtype),
                        _zeros(4 * H2, dtype)]
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeBiLSTM(*weights, stateful=False)
        self.collect(self.embed, self.lstm)
        self.hs_shape = None
        self.bidirectional = True

    @property
    def param_names(self) -> list[str]:
        """The names of ``params`` in order, ``embed_W`` then the LSTM's (``lstm_forward_Wx``, ... when
        bidirectional)."""
        if not self.bidirectional:
            return ["embed_W", *_LSTM_NAMES]
        return ["embed_W", *(f"lstm_{d}_{n}" for d in ("forward", "backward") for n in ("Wx", "Wh", "b"))]

    def forward(self, xs: Any) -> Any:
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs_shape = tuple(hs.shape)
        return hs

    def backward(self, dhs: Any) -> None:
        self._require_forward(self.hs_shape)
        if tuple(dhs.shape) != self.hs_shape:
            raise ValueError(f"AttentionEncoder dhs must be {self.hs_shape}, got {describe(dhs)}")
        dout = self.lstm.backward(dhs)
        self.embed.backward(dout)
        return None

    def prefix_states(self, xs: Any) -> tuple[list[Any], np.ndarray]:
        """The encoder's states for decoding, each distinct beginning of a question computed once.

        The LSTM's state after ``t + 1`` characters depends only on those characters, so questions that
        begin alike share it. Reversed dates begin with their padding (spaces), so in the book's test set
        only a third of the ``N * T`` states are distinct. Row ``n``'s states are those it gets alone
        (each step is one :class:`~scratchnlp.layers.TimeLSTM` step on the distinct beginnings: the same
        arithmetic per row, though BLAS may round a product of a single row differently in the last bits).
        Not for training (nothing is kept for ``backward``); unidirectional encoder only.

        Parameters
        ----------
        xs : (N, T) int array of ids (already checked)

        Returns
        -------
        (states, groups)
            ``states[t]`` is a ``(G_t, H)`` array (on the parameters' device), the states after step ``t``
            of the ``G_t`` distinct beginnings ``xs[:, :t + 1]``; ``groups (N, T)`` (NumPy) says which:
            ``hs[n, t] = states[t][groups[n, t]]``.
        """
        if self.bidirectional:
            raise ValueError("prefix_states needs the unidirectional encoder (the backward LSTM reads the ends)")
        ids = backend.to_cpu(xs).astype(np.int64, copy=False)
        N, T = ids.shape
        (W,) = self.embed.params
        V = W.shape[0]
        step = TimeLSTM(*self.lstm.params, stateful=True)  # the same weights, one step at a time
        xp = backend.xp(W)
        h = c = xp.zeros((1, self.lstm.params[1].shape[0]), dtype=W.dtype)
        parent = np.zeros(N, dtype=np.int64)
        groups = np.empty((N, T), dtype=np.int64)
        states = []
        for t in range(T):
            _, first, inverse = np.unique(parent * V + ids[:, t], return_index=True, return_inverse=True)
            rows = xp.asarray(parent[first])  # each distinct beginning continues the beginning it extends
            step.set_state(h[rows], c[rows])
            step.forward(W[xp.asarray(ids[first, t])][:, None, :])
            h, c = step.h, step.c
            states.append(h)
            parent = groups[:, t] = inverse.reshape(N)
        return states, groups


def _gather_states(states: list[Any], groups: np.ndarray) -> Any:
    """The encoder states ``hs (n, T, H)`` of the rows ``groups (n, T)`` from :meth:`AttentionEncoder.prefix_states`."""
    n, T = groups.shape
    xp = backend.xp(states[0])
    hs = xp.empty((n, T, states[0].shape[1]), dtype=states[0].dtype)
    for t in range(T):
        hs[:, t] = states[t][xp.asarray(groups[:, t])]
    return hs


class AttentionDecoder(Decoder):
    """The decoder with attention (chapter 8.2.2): Embedding, LSTM, TimeAttention, Affine on ``concat(c, h)``.

    At every step the LSTM's state ``h_t`` attends over the encoder's states; the context vector ``c_t`` and
    ``h_t`` side by side, ``(2H,)``, are scored by the Affine layer (context first, as the book).

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        V, D, H (H is also the size of the encoder's states).
    seed : int or numpy Generator, default 0
        For the initial weights (as :class:`~scratchnlp.models.Decoder`; the Affine's ``randn / sqrt(2H)``).
    dtype : float dtype, default the backend's (float32)
    bidirectional : bool, default False
        The encoder is bidirectional (:class:`AttentionEncoder` with ``bidirectional=True``): the LSTM then
        starts from the final state of each direction, ``concat(hs[:, -1, :H/2], hs[:, 0, H/2:])`` (the
        backward direction ends at the first position), instead of ``hs[:, -1]``.

    Attributes
    ----------
    attention : TimeAttention
        Its ``weights (N, T_dec, T)`` (and the book's list ``attention_weights``) hold the attention of the
        last ``forward`` (e.g. ``model.forward(x, t)``, as the book's ``visualize_attention.py``).

    Notes
    -----
    ``forward(xs (N, T_dec) ids, enc_hs (N, T, H)) -> scores (N, T_dec, V)`` (teacher forcing);
    ``backward(dscore) -> denc_hs (N, T, H)``: the gradient reaching the encoder's states through the
    attention and, at the last position, through the LSTM's initial state.
    ``generate(enc_hs, start_id, sample_size, *, return_attention=False)`` decodes greedily.
    ``params = [embed_W (V, D), lstm_Wx (D, 4H), lstm_Wh (H, 4H), lstm_b (4H,), affine_W (2H, V),
    affine_b (V,)]``.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None, bidirectional: bool = False) -> None:
        Layer.__init__(self)
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
        V, D, H, dtype = _sizes(vocab_size, wordvec_size, hidden_size, dtype)
        self._split = _half(H) if bidirectional else None
        self._build(as_generator(seed), V, D, H, D, 2 * H, dtype)
        self.attention = TimeAttention()
        self.bidirectional = bool(bidirectional)
        self.cache: Any = None

    # --- the encoder's states ----------------------------------------------------------------------------

    def _check_enc_hs(self, enc_hs: Any, n: int) -> None:
        check_float(enc_hs, "AttentionDecoder encoder states enc_hs")
        H = self.hidden_size
        if enc_hs.ndim != 3 or enc_hs.shape[0] != n or enc_hs.shape[2] != H or enc_hs.shape[1] == 0:
            raise ValueError(f"AttentionDecoder encoder states enc_hs must be ({n}, T, {H}) with T >= 1 for {n} "
                             f"sequences, got {describe(enc_hs)}")

    def _initial_state(self, enc_hs: Any) -> Any:
        """The LSTM's initial state: the encoder's last state (each direction's last, when bidirectional)."""
        if self._split is None:
            return enc_hs[:, -1]
        xp = backend.xp(enc_hs)
        k = self._split
        return xp.concatenate((enc_hs[:, -1, :k], enc_hs[:, 0, k:]), axis=1)

    def _add_initial_state_grad(self, denc_hs: Any, dh: Any) -> None:
        if self._split is None:
            denc_hs[:, -1] += dh
        else:
            k = self._split
            denc_hs[:, -1, :k] += dh[:, :k]
            denc_hs[:, 0, k:] += dh[:, k:]

    # --- forward, backward, decoding ---------------------------------------------------------------------

    def _step_scores(self, xs: Any, enc_hs: Any) -> Any:
        """Scores for ``xs (N, T_dec)`` with the LSTM continuing its state, attending over ``enc_hs``."""
        dec_hs = self.lstm.forward(self.embed.forward(xs))  # (N, T_dec, H)
        c = self.attention.forward(enc_hs, dec_hs)  # (N, T_dec, H)
        N, T_dec, H = dec_hs.shape
        xp = backend.xp(dec_hs)
        out = xp.empty((N, T_dec, 2 * H), dtype=dec_hs.dtype)  # concat(c, h): contiguous for the Affine
        out[:, :, :H] = c
        out[:, :, H:] = dec_hs
        self.cache = (N, T_dec, H)
        return self.affine.forward(out)

    def forward(self, xs: Any, enc_hs: Any) -> Any:
        self._check_enc_hs(enc_hs, xs.shape[0])
        self.lstm.set_state(self._initial_state(enc_hs))
        return self._step_scores(xs, enc_hs)

    def backward(self, dscore: Any) -> Any:
        self._require_forward(self.cache)
        H = self.hidden_size
        dout = self.affine.backward(dscore)  # (N, T_dec, 2H)
        denc_hs, ddec_hs = self.attention.backward(dout[:, :, :H])
        ddec_hs += dout[:, :, H:]
        dout = self.lstm.backward(ddec_hs)
        self._add_initial_state_grad(denc_hs, self.lstm.dh)
        self.embed.backward(dout)
        return denc_hs

    def generate(self, enc_hs: Any, start_id: Any, sample_size: int, *,
                 return_attention: bool = False) -> Any:
        """Greedy decoding of ``N`` sequences at once from the encoder's states ``enc_hs (N, T, H)``.

        Parameters
        ----------
        enc_hs : (N, T, H) encoder states
        start_id : int, or (N,) ids
            The first input character (the book's ``_``).
        sample_size : int
            Characters to produce.
        return_attention : bool, default False
            Also return the attention weights of every step.

        Returns
        -------
        (N, sample_size) int array of ids (NumPy); with ``return_attention``, a pair ``(ids, weights)`` where
        ``weights (N, sample_size, T)`` (NumPy, the states' dtype) holds each step's attention over the
        encoder positions.
        """
        sample_size = check_positive_int(sample_size, "sample_size")
        N = enc_hs.shape[0] if getattr(enc_hs, "ndim", 0) else 0
        self._check_enc_hs(enc_hs, N)
        V = self.params[0].shape[0]
        ids = _on_device_of(_start_ids(start_id, N, V), enc_hs)
        xp = backend.xp(enc_hs)
        sampled = xp.empty((N, sample_size), dtype=np.int64)
        weights = xp.empty((N, sample_size, enc_hs.shape[1]), dtype=enc_hs.dtype) if return_attention else None
        self.lstm.set_state(self._initial_state(enc_hs))
        for s in range(sample_size):
            score = self._step_scores(ids, enc_hs)  # (N, 1, V)
            ids = score[:, 0, :].argmax(axis=1).reshape(N, 1)
            sampled[:, s] = ids[:, 0]
            if weights is not None:
                weights[:, s] = self.attention.weights[:, 0]
        if weights is None:
            return backend.to_cpu(sampled)
        return backend.to_cpu(sampled), backend.to_cpu(weights)


class AttentionSeq2seq(Seq2seq):
    """Seq2seq with attention (chapter 8.2.3): :class:`AttentionEncoder`, :class:`AttentionDecoder`, softmax loss.

    Parameters
    ----------
    vocab_size : int
        V, the number of characters (59 for the book's ``date.txt``).
    wordvec_size : int
        D, the size of the character vectors (the book: 16).
    hidden_size : int
        H, the LSTM's hidden size (the book: 256).
    seed : int or numpy Generator, default 0
        For the initial weights: the encoder's drawn first, then the decoder's, from one generator.
    dtype : float dtype, default the backend's (float32)
    bidirectional : bool, default False
        Encode with a bidirectional LSTM (chapter 8.4.1; not the book's model): each direction has ``H // 2``
        units and their states are concatenated, so the encoder's states stay ``(N, T, H)`` and the decoder is
        unchanged; the decoder starts from each direction's final state (see :class:`AttentionDecoder`).
        ``H`` must be even.

    Notes
    -----
    ``forward(xs (N, T), ts (N, T')) -> loss`` and ``backward(dout=1)`` as :class:`~scratchnlp.models.Seq2seq`
    (teacher forcing on ``ts[:, :-1]``, scored against ``ts[:, 1:]``), with the same checks of the ids.
    After ``forward``, ``decoder.attention.weights (N, T' - 1, T)`` holds the attention of every answer step.
    ``generate(xs, start_id, sample_size, *, return_attention=False)`` decodes a batch.
    ``params = encoder.params + decoder.params`` (the book's order), named in ``param_names``.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None, bidirectional: bool = False) -> None:
        BaseModel.__init__(self)
        rng = as_generator(seed)
        self.encoder = AttentionEncoder(vocab_size, wordvec_size, hidden_size, seed=rng, dtype=dtype,
                                        bidirectional=bidirectional)
        self.decoder = AttentionDecoder(vocab_size, wordvec_size, hidden_size, seed=rng, dtype=dtype,
                                        bidirectional=bidirectional)
        self.softmax = TimeSoftmaxWithLoss()
        self.collect(self.encoder, self.decoder)
        self.bidirectional = bool(bidirectional)
        self.param_names = [f"encoder_{n}" for n in self.encoder.param_names] + [
            f"decoder_{n}" for n in ("embed_W", *_LSTM_NAMES, "affine_W", "affine_b")]

    def generate(self, xs: Any, start_id: Any, sample_size: int, *, return_attention: bool = False) -> Any:
        """Greedy answers to a batch of questions (chapter 8.3; the book's decodes one question).

        Parameters
        ----------
        xs : (N, T) int array
            Questions (reversed if the model was trained on reversed questions, as the book's date model).
        start_id : int, or (N,) int array
            The decoder's first input (the id of ``_``; ``t[:, 0]``).
        sample_size : int
            Characters to produce per question (``t.shape[1] - 1`` to compare with the answers).
        return_attention : bool, default False
            Also return the attention weights of the decoding (chapter 8.3.3's attention maps).

        Returns
        -------
        (N, sample_size) int64 NumPy array of ids, row ``i`` what decoding ``xs[i:i + 1]`` alone gives (the
        encoder's states of questions that begin alike are computed once, the values each gets alone); with
        ``return_attention``, a pair ``(ids, weights)``, ``weights (N, sample_size, T)`` a NumPy array:
        ``weights[i, s, t]`` is how much answer character ``s`` of question ``i`` attended to position ``t``
        of ``xs[i]`` (each ``weights[i, s]`` sums to 1). For a model trained on reversed questions, position
        ``t`` of ``xs[i]`` is character ``T - 1 - t`` of the question as written: reverse the last axis
        (``weights[..., ::-1]``) to label it with the question in reading order.

        Raises
        ------
        ValueError
            For ids outside the vocabulary (in ``xs`` or ``start_id``), a ``start_id`` array of the wrong
            length, or ``sample_size < 1``.
        """
        V = self.vocab_size
        _check_ids(xs, V, "questions xs")
        sample_size = check_positive_int(sample_size, "sample_size")
        N = xs.shape[0]
        start = _start_ids(start_id, N, V)
        xs = _on_device_of(xs, self.params[0])
        chunk = N if backend.is_gpu_array(self.params[0]) else _DECODE_ROWS
        if self.bidirectional or N < _SHARE_MIN_ROWS:
            def encode(i: int) -> Any:
                return self.encoder.forward(xs[i:i + chunk])
        else:  # questions that begin alike share the encoder's work on that beginning (same states)
            states, groups = self.encoder.prefix_states(xs)

            def encode(i: int) -> Any:
                return _gather_states(states, groups[i:i + chunk])
        parts = [self.decoder.generate(encode(i), start[i:i + chunk], sample_size, return_attention=return_attention)
                 for i in range(0, N, chunk)]
        if not return_attention:
            return parts[0] if len(parts) == 1 else np.concatenate(parts)
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
