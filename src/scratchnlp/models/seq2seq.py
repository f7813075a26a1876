"""Sequence to sequence (chapter 7.3-7.5): an LSTM encoder, an LSTM decoder, and the "peeky" decoder.

* :class:`Encoder` — TimeEmbedding and TimeLSTM over the question; its last hidden state ``h (N, H)`` is the
  whole question in one vector (chapter 7.3.1).
* :class:`Decoder` — TimeEmbedding, TimeLSTM starting from ``h``, TimeAffine: scores of the next character at
  every step; trained with teacher forcing (the correct previous character as input), decoded greedily.
* :class:`Seq2seq` — the two joined, with the softmax cross-entropy loss (chapter 7.3.3).
* :class:`PeekyDecoder`, :class:`PeekySeq2seq` — the decoder also sees ``h`` at every step, concatenated
  before the LSTM's input and before the Affine's (chapter 7.4.2).

``params`` are in the book's order (``encoder.params + decoder.params``, each ``embed W``, ``lstm Wx, Wh, b``
and for the decoder ``affine W, b``) and the weights are initialised as the book's (``randn / 100`` for the
embeddings, ``randn / sqrt(fan-in)`` otherwise, zero biases), so the book's pickled weights load in order.

Decoding is batched: ``generate(xs, start_id, sample_size)`` takes a whole batch of questions ``xs (N, T)``
and returns ``(N, sample_size)`` character ids, the same answers as decoding each question alone (the book
decodes one question at a time; every operation here works row by row, so a row's answer does not depend on
the other rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator, check_array, check_positive_int, check_same_leading, describe
from ..layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss
from ..layers.base import Layer
from .base import BaseModel
from .rnnlm import _init as _randn
from .rnnlm import _setup, _zeros

__all__ = ["Encoder", "Decoder", "PeekyDecoder", "Seq2seq", "PeekySeq2seq"]

#: On the CPU, :meth:`Seq2seq.generate` decodes this many questions at a time: the gate arrays of a block stay
#: in the cache (about 25% faster than one block of 5,000 here); rows never mix, so the answers are the same.
_DECODE_ROWS = 512


# --------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------


def _sizes(vocab_size: int, wordvec_size: int, hidden_size: int, dtype: Any) -> tuple[int, int, int, np.dtype]:
    """The sizes and dtype checked as for the language models (the seed is handled by each class)."""
    V, D, H, _, dtype = _setup(vocab_size, wordvec_size, hidden_size, None, dtype)
    return V, D, H, dtype


def _check_ids(xs: Any, vocab_size: int, name: str, shape_hint: str = "(N, T)") -> None:
    """``xs`` must be a non-empty 2-D integer array of ids in ``[0, vocab_size)``."""
    check_array(xs, name)
    if xs.ndim != 2 or np.dtype(xs.dtype).kind not in "iu":
        raise ValueError(f"{name} must be a 2-D integer array {shape_hint} of character ids, got {describe(xs)}")
    if xs.shape[0] == 0 or xs.shape[1] == 0:
        raise ValueError(f"{name} is empty ({describe(xs)}); it needs at least one row and one column")
    lo, hi = int(xs.min()), int(xs.max())
    if lo < 0 or hi >= vocab_size:
        raise ValueError(
            f"{name} holds the id {lo if lo < 0 else hi}, outside the model's vocabulary [0, {vocab_size}) "
            f"({describe(xs)}); were the questions encoded with another dataset's vocabulary?"
        )


def _on_device_of(a: Any, like: Any) -> Any:
    """``a`` moved to the device of the array ``like`` (a no-op when both are on the same one)."""
    if backend.is_gpu_array(like) and not backend.is_gpu_array(a):
        return backend.to_gpu(a)
    return a


def _start_ids(start_id: Any, n: int, vocab_size: int) -> np.ndarray:
    """``start_id`` (one id, or one per row) as an ``(n, 1)`` int array of valid ids."""
    if isinstance(start_id, bool):
        raise ValueError(f"start_id must be an int id or an array of {n} ids, got {start_id!r}")
    if isinstance(start_id, (int, np.integer)):
        ids = np.full(n, int(start_id), dtype=np.int64)
    else:
        check_array(start_id, "start_id")
        ids = backend.to_cpu(start_id)
        if ids.ndim == 0:
            ids = np.full(n, ids.item())
        if ids.dtype.kind not in "iu" or ids.shape not in ((n,), (n, 1)):
            raise ValueError(f"start_id must be an int id or an integer array of {n} ids (one per question), "
                             f"got {describe(start_id)}")
        ids = ids.reshape(n).astype(np.int64)
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= vocab_size):
        bad = int(ids.min()) if int(ids.min()) < 0 else int(ids.max())
        raise ValueError(f"start_id {bad} is outside the model's vocabulary [0, {vocab_size})")
    return ids.reshape(n, 1)


# --------------------------------------------------------------------------------------------------------
# the encoder and the two decoders
# --------------------------------------------------------------------------------------------------------


class Encoder(Layer):
    """The seq2seq encoder (chapter 7.3.1): TimeEmbedding then TimeLSTM; the last hidden state is the output.

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        V, D, H.
    seed : int or numpy Generator, default 0
        For the initial weights (``randn / 100`` for the embedding, ``randn / sqrt(fan-in)`` for the LSTM, zero
        bias, as the book).
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    ``forward(xs (N, T) ids) -> h (N, H)``, the hidden state after the last step; ``backward(dh (N, H))``
    fills ``grads`` and returns None (ids have no gradient). ``params = [embed_W (V, D), lstm_Wx (D, 4H),
    lstm_Wh (H, 4H), lstm_b (4H,)]``. The LSTM is not stateful: every question starts from zeros.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None) -> None:
        super().__init__()
        V, D, H, dtype = _sizes(vocab_size, wordvec_size, hidden_size, dtype)
        rng = as_generator(seed)
        embed_W = _randn(rng, (V, D), 100, dtype)
        lstm_Wx = _randn(rng, (D, 4 * H), np.sqrt(D), dtype)
        lstm_Wh = _randn(rng, (H, 4 * H), np.sqrt(H), dtype)
        lstm_b = _zeros(4 * H, dtype)
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=False)
        self.collect(self.embed, self.lstm)
        self.hs_shape: tuple[int, ...] | None = None

    def forward(self, xs: Any) -> Any:
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs_shape = tuple(hs.shape)
        return hs[:, -1, :]

    def backward(self, dh: Any) -> None:
        self._require_forward(self.hs_shape)
        N, T, H = self.hs_shape
        if tuple(dh.shape) != (N, H):
            raise ValueError(f"Encoder dh must be ({N}, {H}), got {describe(dh)}")
        xp = backend.xp(dh)
        dhs = xp.zeros((T, N, H), dtype=dh.dtype)  # step-major, the layout TimeLSTM reads
        dhs[-1] = dh
        dout = self.lstm.backward(dhs.transpose(1, 0, 2))
        self.embed.backward(dout)
        return None


class Decoder(Layer):
    """The seq2seq decoder (chapter 7.3.2): TimeEmbedding, TimeLSTM started from the encoder's ``h``, TimeAffine.

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        V, D, H.
    seed : int or numpy Generator, default 0
        For the initial weights (as :class:`Encoder`; the Affine's ``randn / sqrt(H)``).
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    ``forward(xs (N, T) ids, h (N, H)) -> scores (N, T, V)`` (teacher forcing: ``xs`` are the correct previous
    characters); ``backward(dscore (N, T, V)) -> dh (N, H)``, the gradient reaching the encoder.
    ``generate(h, start_id, sample_size) -> (N, sample_size)`` ids, feeding back the argmax at every step.
    ``params = [embed_W (V, D), lstm_Wx (D, 4H), lstm_Wh (H, 4H), lstm_b (4H,), affine_W (H, V),
    affine_b (V,)]``.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None) -> None:
        super().__init__()
        V, D, H, dtype = _sizes(vocab_size, wordvec_size, hidden_size, dtype)
        rng = as_generator(seed)
        self._build(rng, V, D, H, D, H, dtype)

    def _build(self, rng: np.random.Generator, V: int, D: int, H: int, lstm_in: int, affine_in: int,
               dtype: np.dtype) -> None:
        embed_W = _randn(rng, (V, D), 100, dtype)
        lstm_Wx = _randn(rng, (lstm_in, 4 * H), np.sqrt(lstm_in), dtype)
        lstm_Wh = _randn(rng, (H, 4 * H), np.sqrt(H), dtype)
        lstm_b = _zeros(4 * H, dtype)
        affine_W = _randn(rng, (affine_in, V), np.sqrt(affine_in), dtype)
        affine_b = _zeros(V, dtype)
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.affine = TimeAffine(affine_W, affine_b)
        self.collect(self.embed, self.lstm, self.affine)
        self.hidden_size = H

    def _check_h(self, h: Any, n: int) -> None:
        if getattr(h, "ndim", None) != 2 or h.shape != (n, self.hidden_size):
            raise ValueError(f"{type(self).__name__} state h must be ({n}, {self.hidden_size}) for {n} sequences, "
                             f"got {describe(h)}")

    def _step_scores(self, xs: Any, h: Any) -> Any:
        """Scores for ``xs (N, T)`` with the LSTM continuing its state (``h`` is the encoder's vector)."""
        return self.affine.forward(self.lstm.forward(self.embed.forward(xs)))

    def forward(self, xs: Any, h: Any) -> Any:
        self._check_h(h, xs.shape[0])
        self.lstm.set_state(h)
        return self._step_scores(xs, h)

    def backward(self, dscore: Any) -> Any:
        dout = self.affine.backward(dscore)
        dout = self.lstm.backward(dout)
        self.embed.backward(dout)
        return self.lstm.dh

    def generate(self, h: Any, start_id: Any, sample_size: int) -> Any:
        """Greedy decoding of ``N`` sequences at once from the encoder states ``h (N, H)``.

        Parameters
        ----------
        h : (N, H) encoder states
        start_id : int, or (N,) ids
            The first input character (the book's ``_``).
        sample_size : int
            Characters to produce.

        Returns
        -------
        (N, sample_size) int array of ids (NumPy), the argmax of the scores at every step, each fed back as
        the next input.
        """
        sample_size = check_positive_int(sample_size, "sample_size")
        N = h.shape[0]
        self._check_h(h, N)
        V = self.params[0].shape[0]
        ids = _on_device_of(_start_ids(start_id, N, V), h)
        xp = backend.xp(h)
        sampled = xp.empty((N, sample_size), dtype=np.int64)
        self.lstm.set_state(h)
        for s in range(sample_size):
            score = self._step_scores(ids, h)  # (N, 1, V)
            ids = score[:, 0, :].argmax(axis=1).reshape(N, 1)
            sampled[:, s] = ids[:, 0]
        return backend.to_cpu(sampled)


class PeekyDecoder(Decoder):
    """The peeky decoder (chapter 7.4.2): the encoder's ``h`` joins the input of the LSTM and of the Affine.

    At every step the LSTM reads ``concat(h, embed(x_t))`` (H + D values) and the Affine reads
    ``concat(h, h_t)`` (2H values), so the question's vector is available all along the answer, not only as
    the initial state.

    Parameters
    ----------
    vocab_size, wordvec_size, hidden_size : int
        V, D, H.
    seed : int or numpy Generator, default 0
        For the initial weights (``randn / sqrt(H + D)`` for the LSTM's ``Wx``, ``randn / sqrt(2H)`` for the
        Affine, as the book).
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    Same interface as :class:`Decoder`. ``params = [embed_W (V, D), lstm_Wx (H + D, 4H), lstm_Wh (H, 4H),
    lstm_b (4H,), affine_W (2H, V), affine_b (V,)]``; the first H rows of ``lstm_Wx`` and ``affine_W`` act
    on ``h`` (the book concatenates ``h`` first). ``backward`` returns the gradient of ``h`` through the
    initial state and through every step's two concatenations.
    """

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None) -> None:
        Layer.__init__(self)
        V, D, H, dtype = _sizes(vocab_size, wordvec_size, hidden_size, dtype)
        self._build(as_generator(seed), V, D, H, H + D, 2 * H, dtype)
        self.cache: Any = None

    def _step_scores(self, xs: Any, h: Any) -> Any:
        N, T = xs.shape
        H = self.hidden_size
        emb = self.embed.forward(xs)  # (N, T, D), a view of a step-major array
        xp = backend.xp(emb)
        D = emb.shape[2]
        lstm_in = xp.empty((T, N, H + D), dtype=emb.dtype)  # step-major: TimeLSTM reads it without a copy
        lstm_in[:, :, :H] = h
        lstm_in[:, :, H:] = emb.transpose(1, 0, 2)
        hs = self.lstm.forward(lstm_in.transpose(1, 0, 2))
        affine_in = xp.empty((N, T, 2 * H), dtype=hs.dtype)
        affine_in[:, :, :H] = h[:, None, :]
        affine_in[:, :, H:] = hs
        self.cache = (N, T)
        return self.affine.forward(affine_in)

    def backward(self, dscore: Any) -> Any:
        self._require_forward(self.cache)
        H = self.hidden_size
        dout = self.affine.backward(dscore)  # (N, T, 2H)
        dx = self.lstm.backward(dout[:, :, H:])  # (N, T, H + D)
        self.embed.backward(dx[:, :, H:])
        return self.lstm.dh + dout[:, :, :H].sum(axis=1) + dx[:, :, :H].sum(axis=1)


# --------------------------------------------------------------------------------------------------------
# the models
# --------------------------------------------------------------------------------------------------------


class Seq2seq(BaseModel):
    """The seq2seq model of chapter 7.3.3: :class:`Encoder`, :class:`Decoder` and the softmax loss.

    Parameters
    ----------
    vocab_size : int
        V, the number of characters.
    wordvec_size : int
        D, the size of the character vectors (the book: 16).
    hidden_size : int
        H, the LSTM's hidden size (the book: 128).
    seed : int or numpy Generator, default 0
        For the initial weights: the encoder's drawn first, then the decoder's, from one generator.
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    ``forward(xs (N, T), ts (N, T')) -> loss``: the decoder reads ``ts[:, :-1]`` (teacher forcing) and is
    scored against ``ts[:, 1:]``, the mean cross-entropy over all ``N (T' - 1)`` characters;
    ``backward(dout=1)`` fills ``grads``. ``generate(xs, start_id, sample_size)`` decodes a batch.
    ``params = encoder.params + decoder.params`` (the book's order), named in ``param_names``.
    """

    _decoder_class: type[Decoder] = Decoder

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0,
                 dtype: Any = None) -> None:
        super().__init__()
        rng = as_generator(seed)
        self.encoder = Encoder(vocab_size, wordvec_size, hidden_size, seed=rng, dtype=dtype)
        self.decoder = self._decoder_class(vocab_size, wordvec_size, hidden_size, seed=rng, dtype=dtype)
        self.softmax = TimeSoftmaxWithLoss()
        self.collect(self.encoder, self.decoder)
        self.param_names = [f"encoder_{n}" for n in ("embed_W", "lstm_Wx", "lstm_Wh", "lstm_b")] + [
            f"decoder_{n}" for n in ("embed_W", "lstm_Wx", "lstm_Wh", "lstm_b", "affine_W", "affine_b")]

    @property
    def vocab_size(self) -> int:
        """V, the number of characters the model reads and writes."""
        return int(self.params[0].shape[0])

    def forward(self, xs: Any, ts: Any) -> float:
        V = self.vocab_size
        _check_ids(xs, V, "questions xs")
        _check_ids(ts, V, "answers ts", "(N, T') (the start character, then the answer)")
        check_same_leading(xs, ts, "questions xs", "answers ts")
        if ts.shape[1] < 2:
            raise ValueError(f"answers ts need at least 2 columns (the start character and one to predict), "
                             f"got {describe(ts)}")
        decoder_xs, decoder_ts = ts[:, :-1], ts[:, 1:]
        h = self.encoder.forward(xs)
        score = self.decoder.forward(decoder_xs, h)
        return self.softmax.forward(score, decoder_ts, overwrite_xs=True)  # the scores are ours

    def backward(self, dout: float = 1) -> None:
        dout = self.softmax.backward(dout)
        dh = self.decoder.backward(dout)
        return self.encoder.backward(dh)

    def generate(self, xs: Any, start_id: Any, sample_size: int) -> np.ndarray:
        """Greedy answers to a batch of questions (chapter 7.3.3; the book's decodes one question).

        Parameters
        ----------
        xs : (N, T) int array
            Questions (reversed if the model was trained on reversed questions).
        start_id : int, or (N,) int array
            The decoder's first input (the id of ``_`` for the book's datasets; ``t[:, 0]``).
        sample_size : int
            Characters to produce per question (``t.shape[1] - 1`` to compare with the answers).

        Returns
        -------
        (N, sample_size) int64 NumPy array of ids. Row ``i`` is what decoding ``xs[i:i + 1]`` alone gives:
        nothing in the computation mixes rows.

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
        out = [self.decoder.generate(self.encoder.forward(xs[i:i + chunk]), start[i:i + chunk], sample_size)
               for i in range(0, N, chunk)]
        return out[0] if len(out) == 1 else np.concatenate(out)


class PeekySeq2seq(Seq2seq):
    """Seq2seq with the :class:`PeekyDecoder` (chapter 7.4.2); same parameters and interface as :class:`Seq2seq`.

    ``params = encoder.params + decoder.params`` with the peeky decoder's shapes (``decoder_lstm_Wx (H + D,
    4H)``, ``decoder_affine_W (2H, V)``).
    """

    _decoder_class = PeekyDecoder
