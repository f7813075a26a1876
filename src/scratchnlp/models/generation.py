"""Generating text with a language model (chapter 7.1): sampling the next word again and again.

:class:`LanguageModelGenerator` is a mixin for the recurrent language models of chapters 5-6 (the book's
``RnnlmGen`` and ``BetterRnnlmGen``, chapter 7.1.2-7.1.3): ``generate(start_id, skip_ids=None,
sample_size=100)`` feeds a word, samples the next from the softmax of the scores, feeds that, and so on;
``get_state()`` / ``set_state(state)`` read and restore the LSTM state, so a text can be continued or
re-sampled from the same point. It needs only what the book's models have: ``predict(xs (N, T)) -> (N, T, V)``
scores, stateful recurrent layers with ``h`` (and ``c``) and ``set_state``, and ``reset_state()``.

:func:`with_generation` gives a model class with the mixin (the book's ``RnnlmGen`` is
``with_generation(Rnnlm)``). Reading a trained model back with its vocabulary (``scratchnlp generate``) is
:func:`scratchnlp.models.loading.load_language_model`. This module imports no model, so the language models
may take the mixin among their own bases.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator, check_positive_int
from ..layers import TimeGRU, TimeLSTM, TimeRNN

__all__ = ["LanguageModelGenerator", "with_generation", "sample_next", "BOOK_SKIP_WORDS"]

#: The words the book's text generators (``ch07/generate_text.py``, ``generate_better_text.py``) never write: the
#: number token, the unknown-word token and the dollar sign.
BOOK_SKIP_WORDS: tuple[str, ...] = ("N", "<unk>", "$")


def sample_next(scores: Any, rng: np.random.Generator, *, temperature: float = 1.0, top_k: int | None = None,
                banned: Any = None) -> int:
    """Draw one id from ``softmax(scores / temperature)``, limited to the ``top_k`` best and without ``banned``.

    Parameters
    ----------
    scores : (V,) float array, NumPy or CuPy
        Copied to the host, where the draw is made (host-only by design: one id per call, decided by one
        uniform number of ``rng``, so a seed gives the same text on either device).
    rng : numpy Generator
    temperature : float, default 1.0
        Below 1 sharpens the distribution, above 1 flattens it; 0 picks the best id (greedy).
    top_k : int, optional
        Sample among the ``top_k`` highest-scoring ids only (after removing ``banned``).
    banned : (V,) bool array, optional
        Ids that may not be drawn (their probability is set to zero and the rest renormalised).

    Returns
    -------
    int
        The drawn id. Exactly one uniform number is drawn per call (none when greedy), so the same Generator
        state always gives the same id.

    Raises
    ------
    ValueError
        If the scores are not one row, hold NaN or +inf (-inf is a word that cannot be drawn), or every id is
        banned.
    """
    s = backend.to_cpu(scores)
    if s.ndim == 0 or any(n != 1 for n in s.shape[:-1]):
        raise ValueError(f"scores must be one row of V scores, shape (V,), got shape {tuple(s.shape)}")
    if s.dtype.kind not in "fiu":
        raise TypeError(f"scores must be numbers, got dtype {s.dtype}")
    s = s.astype(np.float64).reshape(-1)
    if np.isnan(s).any() or np.isposinf(s).any():
        what = "NaN" if np.isnan(s).any() else "+inf"
        raise ValueError(f"the scores hold {what}: the model's weights hold NaN or inf (a diverged run?); "
                         "nothing can be sampled from them")
    if not np.isfinite(s).any():
        raise ValueError("every score is -inf: the model gives no word a probability (its weights hold -inf?); "
                         "nothing can be sampled")
    if banned is not None:
        banned = backend.to_cpu(banned)
        if banned.shape != s.shape or banned.dtype != bool:
            raise ValueError(f"banned must be a bool array of shape {s.shape}, got {banned.dtype} {banned.shape}")
        s = np.where(banned, -np.inf, s)
        if not np.isfinite(s).any():
            what = "the whole vocabulary" if banned.all() else "every word whose score is not -inf"
            raise ValueError(f"every word is excluded (skip_ids cover {what}): nothing to sample")
    if top_k is not None and top_k < s.size:
        kth = np.partition(s, s.size - top_k)[s.size - top_k]
        s = np.where(s >= kth, s, -np.inf)  # ties at the threshold stay in
    if temperature == 0:
        return int(np.argmax(s))
    with np.errstate(over="ignore"):  # a score far below the best one may become -inf: probability 0
        s = (s - s[np.isfinite(s)].max()) / temperature
    p = np.exp(s)
    cdf = np.cumsum(p)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), s.size - 1))


def _recurrent_layers(model: Any) -> list[Any]:
    """The model's recurrent layers, in order (``lstm_layers`` / ``lstm_layer`` when the model names them)."""
    layers = getattr(model, "lstm_layers", None)
    if layers is None:
        single = getattr(model, "lstm_layer", None)
        layers = [single] if single is not None else [
            layer for layer in model.walk() if isinstance(layer, (TimeLSTM, TimeRNN, TimeGRU))]
    if not layers:
        raise TypeError(f"{type(model).__name__} has no recurrent layer whose state could be read")
    return list(layers)


class LanguageModelGenerator:
    """Text generation for a recurrent language model (chapter 7.1; the book's ``RnnlmGen`` / ``BetterRnnlmGen``).

    A mixin: ``class RnnlmGen(Rnnlm, LanguageModelGenerator)``. The model needs ``predict(xs (N, T)) ->
    (N, T, V)`` scores, stateful recurrent layers (``lstm_layer`` or ``lstm_layers``, else any found by
    ``walk()``) and ``params[0]`` the ``(V, D)`` embedding.
    """

    def _vocab(self) -> int:
        size = getattr(self, "vocab_size", None)
        return int(size) if isinstance(size, (int, np.integer)) else int(self.params[0].shape[0])  # type: ignore[attr-defined]

    def generate(
        self,
        start_id: int,
        skip_ids: Iterable[int] | None = None,
        sample_size: int = 100,
        *,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: Seed = None,
    ) -> list[int]:
        """Sample a text of ``sample_size`` word ids that starts with ``start_id`` (chapter 7.1.2).

        Each step feeds the last word (batch of one, continuing the model's state) and draws the next from
        ``softmax(scores / temperature)``.

        Parameters
        ----------
        start_id : int
            The first word; the list returned starts with it.
        skip_ids : iterable of int, optional
            Words never to generate (the book skips ``<unk>``, ``N`` and ``$``).
        sample_size : int, default 100
            Length of the list returned, ``start_id`` included.
        temperature : float, default 1.0
            Keyword addition: below 1 is more conservative, above 1 more varied, 0 always takes the most
            likely word.
        top_k : int, optional
            Keyword addition: sample among the ``top_k`` most likely words only.
        seed : int or numpy Generator, optional
            Keyword addition: same seed, same text (from the same state). None: unpredictable, as the book.

        Returns
        -------
        list of int, ``sample_size`` ids.

        Notes
        -----
        The model's state carries on from whatever it was (call ``reset_state()`` first for a fresh start, or
        feed a prompt with ``predict`` as chapter 7.1.3 does) and is left after the last word fed. A state
        carried from a batch of several streams (right after training) cannot continue one text: it is reset,
        so training and then generating just works. Dropout is
        off while generating (evaluation mode), and the previous mode is restored.

        The book draws a word, and when it is one of ``skip_ids`` draws again *after* feeding the same word
        once more, which moves the LSTM state on by a word that is not in the text. Here the skipped words
        get probability zero and the draw is renormalised: the same distribution over the kept words, with
        the state matching the text.

        Raises
        ------
        ValueError
            For ids outside ``[0, V)`` (``start_id`` or ``skip_ids``), ``sample_size < 1``, a negative or
            non-finite temperature, ``top_k < 1``, or ``skip_ids`` covering every word.
        """
        V = self._vocab()
        if isinstance(start_id, bool) or not isinstance(start_id, (int, np.integer)) or not 0 <= start_id < V:
            raise ValueError(f"start_id must be a word id in [0, {V}), got {start_id!r}")
        sample_size = check_positive_int(sample_size, "sample_size")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating)) \
                or not np.isfinite(temperature) or temperature < 0:
            raise ValueError(f"temperature must be a finite number >= 0, got {temperature!r}")
        if top_k is not None:
            top_k = check_positive_int(top_k, "top_k")
        banned = None
        if skip_ids is not None:
            skip = [int(i) for i in skip_ids]
            bad = [i for i in skip if not 0 <= i < V]
            if bad:
                raise ValueError(f"skip_ids must be word ids in [0, {V}), got {bad[0]}")
            banned = np.zeros(V, dtype=bool)
            banned[skip] = True
        rng = as_generator(seed)
        if any(layer.h is not None and layer.h.shape[0] != 1 for layer in _recurrent_layers(self)):
            self.reset_state()  # type: ignore[attr-defined]  # the state of a training batch, not of one text
        xp = backend.xp(self.params[0])  # type: ignore[attr-defined]
        was_training = getattr(self, "training", False)
        self.eval()  # type: ignore[attr-defined]
        word_ids = [int(start_id)]
        try:
            while len(word_ids) < sample_size:
                x = xp.asarray(np.array([[word_ids[-1]]]))
                score = self.predict(x)  # type: ignore[attr-defined]
                word_ids.append(sample_next(score.reshape(-1), rng, temperature=float(temperature), top_k=top_k,
                                            banned=banned))
        finally:
            self.train(was_training)  # type: ignore[attr-defined]
        return word_ids

    def get_state(self) -> Any:
        """The recurrent state: ``(h, c)`` for a model with one LSTM (the book's ``RnnlmGen``), a list of
        ``(h, c)`` per layer for several (``BetterRnnlmGen``); copies, or None entries before any input."""
        states = [tuple(None if s is None else s.copy() for s in (layer.h, getattr(layer, "c", None)))
                  for layer in _recurrent_layers(self)]
        return states[0] if len(states) == 1 and getattr(self, "lstm_layers", None) is None else states

    def set_state(self, state: Any) -> None:
        """Restore a state from :meth:`get_state` (``(h, c)``, or a list of them, one per layer)."""
        layers = _recurrent_layers(self)
        states = [state] if isinstance(state, tuple) else list(state)
        if len(states) != len(layers):
            raise ValueError(f"the state holds {len(states)} layer states but {type(self).__name__} has "
                             f"{len(layers)} recurrent layers")
        for layer, st in zip(layers, states):
            h, c = (tuple(st) + (None,))[:2]
            if h is None:
                layer.reset_state()
            elif isinstance(layer, TimeLSTM):
                layer.set_state(h, c)
            else:
                layer.set_state(h)


_generators: dict[type, type] = {}


def with_generation(cls: type) -> type:
    """``cls`` itself when it already generates text, else a subclass with :class:`LanguageModelGenerator`.

    ``with_generation(Rnnlm)`` is the book's ``RnnlmGen`` (chapter 7.1.2) and ``with_generation(BetterRnnlm)``
    its ``BetterRnnlmGen`` (chapter 7.1.3); the subclass is made once per class.
    """
    if issubclass(cls, LanguageModelGenerator):
        return cls
    if cls not in _generators:
        _generators[cls] = type(f"{cls.__name__}Gen", (cls, LanguageModelGenerator), {
            "__doc__": f"{cls.__name__} with text generation (:class:`LanguageModelGenerator`).",
            "__module__": __name__})
    return _generators[cls]
