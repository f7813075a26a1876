"""Recurrent language models: the simple RNN LM (chapter 5), the LSTM LM and its improved version (chapter 6).

Each model reads word ids ``xs (N, T)`` and scores the next word at every step, ``(N, T, V)``; ``forward(xs,
ts)`` returns the mean cross-entropy against the next words ``ts (N, T)`` and ``backward()`` fills ``grads``.
The recurrent layer is stateful: consecutive calls continue the same ``N`` streams of text (truncated BPTT,
chapter 5.2.4) until ``reset_state()``.

* :class:`SimpleRnnlm` — Embedding, RNN, Affine (chapter 5.4);
* :class:`Rnnlm` — Embedding, LSTM, Affine (chapter 6.4);
* :class:`BetterRnnlm` — Embedding, two LSTM layers, dropout after each layer, and the output Affine sharing
  the embedding's matrix (weight tying; chapter 6.5).

``params`` lists the weights in the book's order (the order of its ``save_params`` pickles), with the book's
variable names in ``param_names``, so the book's published weights load straight in
(:meth:`load_book_params`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator, check_positive_int
from ..layers import TimeAffine, TimeDropout, TimeEmbedding, TimeLSTM, TimeRNN, TimeSoftmaxWithLoss
from .base import BaseModel
from .generation import LanguageModelGenerator

__all__ = ["SimpleRnnlm", "Rnnlm", "BetterRnnlm"]


def _on_device(a: np.ndarray) -> Any:
    return backend.array_module().asarray(a)


class _Rnnlm(BaseModel):
    """The forward/backward plumbing of the three language models: layers in ``self.layers``, one loss layer."""

    layers: list[Any]
    loss_layer: TimeSoftmaxWithLoss

    def _finish(self, names: list[str]) -> None:
        self.loss_layer = TimeSoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads
        self.param_names = names

    @property
    def vocab_size(self) -> int:
        return int(self.layers[0].params[0].shape[0])

    def predict(self, xs: Any, train_flg: bool | None = None) -> Any:
        """Scores of the next word at every step: ``xs (N, T)`` ids -> ``(N, T, V)``.

        ``train_flg`` (the book's argument) overrides the model's mode for this call only: True applies
        dropout, False does not; None (the default) follows ``model.train()`` / ``model.eval()``.
        """
        for layer in self.layers:
            xs = layer.forward(xs, train_flg) if isinstance(layer, TimeDropout) else layer.forward(xs)
        return xs

    def forward(self, xs: Any, ts: Any, train_flg: bool | None = None) -> float:
        """Mean cross-entropy of the next-word scores for ``xs (N, T)`` against ``ts (N, T)``."""
        *body, affine = self.layers
        for layer in body:
            xs = layer.forward(xs, train_flg) if isinstance(layer, TimeDropout) else layer.forward(xs)
        # predict(xs) followed by the loss, with two savings: the loss layer adds the affine bias block by
        # block in cache, and works in the scores' own memory (they are not needed afterwards)
        score = affine.forward(xs, add_bias=False)
        return self.loss_layer.forward(score, ts, overwrite_xs=True, bias=affine.params[1])

    def backward(self, dout: float = 1) -> Any:
        """Backpropagate through time from the loss; fills ``grads`` and returns None (ids have no gradient)."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def load_book_params(self, file_name: str | os.PathLike[str]) -> None:
        """Load the book's own trained weights (its ``.pkl`` file, e.g. ``Rnnlm.pkl`` of chapter 6).

        The pickle is read by :func:`scratchnlp.checkpoint.load_book_params` (an unpickler that accepts NumPy
        arrays and nothing else) and copied in by :func:`scratchnlp.checkpoint.assign_params`, which checks
        every array first and writes all or nothing.
        """
        from ..checkpoint import load_book_params  # noqa: PLC0415 - the models load without the file readers

        load_book_params(file_name, self)


def _init(rng: np.random.Generator, shape: tuple[int, ...], divisor: float, dtype: Any) -> Any:
    """The book's initialisation ``randn(*shape) / divisor``, drawn by NumPy, placed on the current device."""
    return _on_device((rng.standard_normal(shape) / divisor).astype(dtype))


def _setup(vocab_size: int, wordvec_size: int, hidden_size: int, seed: Seed, dtype: Any):
    V = check_positive_int(vocab_size, "vocab_size")
    D = check_positive_int(wordvec_size, "wordvec_size")
    H = check_positive_int(hidden_size, "hidden_size")
    dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype, got {dtype}")
    return V, D, H, as_generator(seed), dtype


def _zeros(n: int, dtype: Any) -> Any:
    return _on_device(np.zeros(n, dtype=dtype))


class SimpleRnnlm(_Rnnlm):
    """The RNN language model of chapter 5.4: TimeEmbedding, TimeRNN (stateful), TimeAffine, softmax loss.

    Parameters
    ----------
    vocab_size : int
        V.
    wordvec_size : int
        D, the size of the word vectors.
    hidden_size : int
        H, the size of the RNN's hidden state.
    seed : int or numpy.random.Generator, default 0
        For the initial weights: the book's ``randn / 100`` for the embedding and ``randn / sqrt(fan-in)``
        (Xavier) for the RNN and affine weights; biases zero.
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    ``predict(xs (N, T)) -> (N, T, V)``; ``forward(xs, ts) -> loss``; ``backward(dout=1)``; ``reset_state()``.
    ``params = [embed_W (V, D), rnn_Wx (D, H), rnn_Wh (H, H), rnn_b (H,), affine_W (H, V), affine_b (V,)]``.
    """

    def __init__(
        self, vocab_size: int, wordvec_size: int, hidden_size: int, *, seed: Seed = 0, dtype: Any = None
    ) -> None:
        super().__init__()
        V, D, H, rng, dtype = _setup(vocab_size, wordvec_size, hidden_size, seed, dtype)
        embed_W = _init(rng, (V, D), 100, dtype)
        rnn_Wx = _init(rng, (D, H), np.sqrt(D), dtype)
        rnn_Wh = _init(rng, (H, H), np.sqrt(H), dtype)
        rnn_b = _zeros(H, dtype)
        affine_W = _init(rng, (H, V), np.sqrt(H), dtype)
        affine_b = _zeros(V, dtype)
        self.layers = [
            TimeEmbedding(embed_W),
            TimeRNN(rnn_Wx, rnn_Wh, rnn_b, stateful=True),
            TimeAffine(affine_W, affine_b),
        ]
        self.rnn_layer = self.layers[1]
        self._finish(["embed_W", "rnn_Wx", "rnn_Wh", "rnn_b", "affine_W", "affine_b"])


class Rnnlm(_Rnnlm, LanguageModelGenerator):
    """The LSTM language model of chapter 6.4: TimeEmbedding, TimeLSTM (stateful), TimeAffine, softmax loss.

    It also generates text (chapter 7.1, the book's ``RnnlmGen``): ``generate``, ``get_state`` and
    ``set_state`` come from :class:`~scratchnlp.models.generation.LanguageModelGenerator`.

    Parameters
    ----------
    vocab_size : int, default 10000
    wordvec_size : int, default 100
    hidden_size : int, default 100
    seed : int or numpy.random.Generator, default 0
        For the initial weights (``randn / 100`` for the embedding, ``randn / sqrt(fan-in)`` otherwise, zero
        biases, as the book).
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    ``predict(xs (N, T)) -> (N, T, V)``; ``forward(xs, ts) -> loss``; ``backward(dout=1)``; ``reset_state()``.
    ``params = [embed_W (V, D), lstm_Wx (D, 4H), lstm_Wh (H, 4H), lstm_b (4H,), affine_W (H, V),
    affine_b (V,)]``, the order of the book's ``Rnnlm.pkl``.
    """

    def __init__(
        self,
        vocab_size: int = 10000,
        wordvec_size: int = 100,
        hidden_size: int = 100,
        *,
        seed: Seed = 0,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        V, D, H, rng, dtype = _setup(vocab_size, wordvec_size, hidden_size, seed, dtype)
        embed_W = _init(rng, (V, D), 100, dtype)
        lstm_Wx = _init(rng, (D, 4 * H), np.sqrt(D), dtype)
        lstm_Wh = _init(rng, (H, 4 * H), np.sqrt(H), dtype)
        lstm_b = _zeros(4 * H, dtype)
        affine_W = _init(rng, (H, V), np.sqrt(H), dtype)
        affine_b = _zeros(V, dtype)
        self.layers = [
            TimeEmbedding(embed_W),
            TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True),
            TimeAffine(affine_W, affine_b),
        ]
        self.lstm_layer = self.layers[1]
        self._finish(["embed_W", "lstm_Wx", "lstm_Wh", "lstm_b", "affine_W", "affine_b"])


class BetterRnnlm(_Rnnlm, LanguageModelGenerator):
    """The improved LSTM language model of chapter 6.5: two LSTM layers, dropout, weight tying.

    It also generates text (chapter 7.1.3, the book's ``BetterRnnlmGen``), with dropout off while it does: see
    :class:`~scratchnlp.models.generation.LanguageModelGenerator`.

    Layers: TimeEmbedding, TimeDropout, TimeLSTM, TimeDropout, TimeLSTM, TimeDropout, TimeAffine whose weight
    is the embedding matrix transposed (``embed_W.T``, the same memory: chapter 6.5.3's weight tying, which
    needs ``wordvec_size == hidden_size``), then the softmax loss.

    Parameters
    ----------
    vocab_size : int, default 10000
    wordvec_size : int, default 650
    hidden_size : int, default 650
        Must equal ``wordvec_size`` (the tied output layer maps H back to the D-sized word vectors).
    dropout_ratio : float, default 0.5
    seed : int or numpy.random.Generator, default 0
        For the initial weights and the dropout masks.
    dtype : float dtype, default the backend's (float32)

    Notes
    -----
    ``params = [embed_W (V, D), lstm_Wx1 (D, 4H), lstm_Wh1 (H, 4H), lstm_b1 (4H,), lstm_Wx2 (H, 4H),
    lstm_Wh2 (H, 4H), lstm_b2 (4H,), affine_W (= embed_W.T, (H, V)), affine_b (V,)]``, the book's order; the
    optimizers and trainers update the tied matrix once with the sum of both gradients.

    Dropout is on in training mode and off after ``model.eval()``. The book's ``predict(xs, train_flg=False)``
    and ``forward(xs, ts, train_flg=True)`` set the mode per call; here ``train_flg`` may still be given and
    wins for that call, but by default the model's mode decides (so call ``model.eval()`` before generating
    text, as :func:`~scratchnlp.training.eval_perplexity` does for scoring).
    """

    def __init__(
        self,
        vocab_size: int = 10000,
        wordvec_size: int = 650,
        hidden_size: int = 650,
        dropout_ratio: float = 0.5,
        *,
        seed: Seed = 0,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        V, D, H, rng, dtype = _setup(vocab_size, wordvec_size, hidden_size, seed, dtype)
        if D != H:
            raise ValueError(
                f"BetterRnnlm ties the output weights to the embedding, so wordvec_size must equal hidden_size; "
                f"got {D} and {H}"
            )
        embed_W = _init(rng, (V, D), 100, dtype)
        lstm_Wx1 = _init(rng, (D, 4 * H), np.sqrt(D), dtype)
        lstm_Wh1 = _init(rng, (H, 4 * H), np.sqrt(H), dtype)
        lstm_b1 = _zeros(4 * H, dtype)
        lstm_Wx2 = _init(rng, (H, 4 * H), np.sqrt(H), dtype)
        lstm_Wh2 = _init(rng, (H, 4 * H), np.sqrt(H), dtype)
        lstm_b2 = _zeros(4 * H, dtype)
        affine_b = _zeros(V, dtype)
        self.layers = [
            TimeEmbedding(embed_W),
            TimeDropout(dropout_ratio, seed=rng),
            TimeLSTM(lstm_Wx1, lstm_Wh1, lstm_b1, stateful=True),
            TimeDropout(dropout_ratio, seed=rng),
            TimeLSTM(lstm_Wx2, lstm_Wh2, lstm_b2, stateful=True),
            TimeDropout(dropout_ratio, seed=rng),
            TimeAffine(embed_W.T, affine_b),  # weight tying
        ]
        self.lstm_layers = [self.layers[2], self.layers[4]]
        self.drop_layers = [self.layers[1], self.layers[3], self.layers[5]]
        self._finish(["embed_W", "lstm_Wx1", "lstm_Wh1", "lstm_b1", "lstm_Wx2", "lstm_Wh2", "lstm_b2",
                      "affine_W", "affine_b"])
