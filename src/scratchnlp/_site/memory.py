"""How far back a recurrent model remembers, what its gates do while it learns, and memorising a training text
against modelling text it has not seen (private helpers of appendix C and chapter 5).

Appendix C (the GRU beside the plain RNN and the LSTM):

- :class:`RecurrentLM` is the book's language-model layout with the recurrent layer swapped (RNN, LSTM or GRU);
- :func:`echo_stream`, :func:`echo_accuracy` and :func:`train_echo` set up, score and train the delayed echo,
  the task of repeating the symbol read a fixed number of steps earlier;
- :func:`memory_gate` and :func:`memory_gate_mean` read the gate that decides how much of the state is kept
  (the LSTM's forget gate ``f``, the GRU's update gate ``z``) from a layer's last forward pass;
- :func:`fit_probed` trains exactly as ``RnnlmTrainer.fit`` does and looks at a copy of the model between
  stages (the gates over training, a held-out perplexity after every epoch);
- the decisions :func:`rank_by_delay`, :func:`gate_drift`, :func:`decay_factor` and :func:`head_start`.

Chapter 5 (the RNN language model on a text it has not read):

- :func:`history_keys` (section 5.1.3's count of unseen histories), :func:`map_unknown` (words outside a
  model's vocabulary become ``<unk>``, as in the Penn Treebank), :func:`unigram_perplexity`,
  :func:`perplexities` (several texts scored at once, a probe for :func:`fit_probed`);
- the decision :func:`generalisation`.

Decisions are language-neutral dataclasses; the sentences come from :data:`TEMPLATES` through the ``*_text``
functions, and appendix C's table headers, table caption and figure labels through :func:`words`, one set of
templates per language; ``lang=None`` follows the page's language (``SCRATCHNLP_LANG``).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import as_generator, check_positive_int
from ..layers import TimeAffine, TimeEmbedding, TimeGRU, TimeLSTM, TimeRNN, TimeSoftmaxWithLoss
from ..models import BaseModel
from ..optim import Adam
from ..training import RnnlmTrainer, eval_perplexity
from .wording import page_language, say

__all__ = [
    "LAYERS",
    "RecurrentLM",
    "echo_stream",
    "echo_accuracy",
    "memory_gate",
    "memory_gate_mean",
    "fit_probed",
    "EchoRun",
    "train_echo",
    "DelayRanking",
    "rank_by_delay",
    "GateDrift",
    "gate_drift",
    "DecayFactor",
    "decay_factor",
    "HeadStart",
    "head_start",
    "history_keys",
    "map_unknown",
    "unigram_perplexity",
    "perplexities",
    "Generalisation",
    "generalisation",
    "TEMPLATES",
    "words",
    "ranking_text",
    "drift_text",
    "decay_text",
    "head_start_text",
    "generalisation_text",
]

#: The recurrent layers the comparison uses, by the name the pages print.
LAYERS: dict[str, type] = {"RNN": TimeRNN, "LSTM": TimeLSTM, "GRU": TimeGRU}

#: Blocks of weights per layer (the width of ``Wx`` and ``Wh`` is ``blocks * H``).
_BLOCKS = {TimeRNN: 1, TimeLSTM: 4, TimeGRU: 3}


def _layer_class(layer: str | type) -> type:
    if isinstance(layer, str):
        if layer not in LAYERS:
            raise ValueError(f"layer must be one of {sorted(LAYERS)}, got {layer!r}")
        return LAYERS[layer]
    if layer not in _BLOCKS:
        raise TypeError(f"layer must be TimeRNN, TimeLSTM or TimeGRU (or its name), got {layer!r}")
    return layer


# --------------------------------------------------------------------------------------------------------
# Appendix C: the model and the task
# --------------------------------------------------------------------------------------------------------


class RecurrentLM(BaseModel):
    """Embedding, one recurrent layer (``TimeRNN``, ``TimeLSTM`` or ``TimeGRU``), affine, softmax loss.

    The layout of the book's ``SimpleRnnlm`` (chapter 5.5.1) and ``Rnnlm`` (chapter 6.4), with the recurrent
    layer chosen by ``recurrent``, so that three cells can be compared with everything else equal. Weights start
    as the book's do: word vectors ``N(0, 1) / 100``, the other matrices ``N(0, 1) / sqrt(inputs)``, biases 0.

    Parameters
    ----------
    recurrent : type or str
        ``TimeRNN``, ``TimeLSTM`` or ``TimeGRU`` (or ``"RNN"``, ``"LSTM"``, ``"GRU"``).
    vocab_size, wordvec_size, hidden_size : int
        ``V``, ``D`` and ``H``.
    seed : int or numpy.random.Generator
        For the initial weights.
    keep_bias : float, default 0
        A start towards keeping the state: the LSTM's forget-gate bias starts at ``+keep_bias``, the GRU's
        update-gate bias at ``-keep_bias`` (both make the layer keep more of its state at each step at first;
        Jozefowicz et al., 2015). Must be 0 for the plain RNN, which has no gate.

    Notes
    -----
    ``predict(xs (N, T)) -> (N, T, V)`` scores; ``forward(xs, ts (N, T)) -> loss``; ``backward()``. The
    recurrent layer is stateful (truncated BPTT) until ``reset_state()``.
    """

    def __init__(self, recurrent: type | str, vocab_size: int, wordvec_size: int, hidden_size: int, *,
                 seed: Any = 0, keep_bias: float = 0.0) -> None:
        super().__init__()
        cls = _layer_class(recurrent)
        V = check_positive_int(vocab_size, "vocab_size")
        D = check_positive_int(wordvec_size, "wordvec_size")
        H = check_positive_int(hidden_size, "hidden_size")
        if not (isinstance(keep_bias, (int, float)) and math.isfinite(keep_bias)):
            raise ValueError(f"keep_bias must be a finite number, got {keep_bias!r}")
        if cls is TimeRNN and keep_bias != 0:
            raise ValueError(f"the plain RNN has no gate to bias; keep_bias must be 0, got {keep_bias!r}")
        g = _BLOCKS[cls]
        rng = as_generator(seed)

        def randn(shape: tuple[int, ...], scale: float) -> np.ndarray:
            return (rng.standard_normal(shape) / scale).astype(np.float32)

        b = np.zeros(g * H, np.float32)
        b[:H] = keep_bias if cls is TimeLSTM else -keep_bias  # f (LSTM) and z (GRU) are the first blocks
        self.embed = TimeEmbedding(randn((V, D), 100.0))
        self.rnn = cls(randn((D, g * H), math.sqrt(D)), randn((H, g * H), math.sqrt(H)), b, stateful=True)
        self.affine = TimeAffine(randn((H, V), math.sqrt(H)), np.zeros(V, np.float32))
        self.loss_layer = TimeSoftmaxWithLoss()
        self.collect(self.embed, self.rnn, self.affine)
        self.param_names = ["embed_W", "rnn_Wx", "rnn_Wh", "rnn_b", "affine_W", "affine_b"]
        self.vocab_size = V

    def predict(self, xs: Any) -> Any:
        """Scores of the next symbol at every step: ``xs (N, T)`` ids -> ``(N, T, V)``."""
        return self.affine.forward(self.rnn.forward(self.embed.forward(xs)))

    def forward(self, xs: Any, ts: Any) -> float:
        """Mean cross-entropy of the scores for ``xs (N, T)`` against ``ts (N, T)``."""
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout: float = 1) -> None:
        """Backpropagate through time from the loss; fills ``grads``."""
        dout = self.affine.backward(self.loss_layer.backward(dout))
        self.embed.backward(self.rnn.backward(dout))


def echo_stream(n_symbols: int, delay: int, length: int, seed: Any = 0) -> tuple[np.ndarray, np.ndarray]:
    """A stream of random symbols and the delayed echo to learn from it.

    Returns ``inputs (length,)`` and ``targets (length,)``, integers in ``[0, n_symbols)``, with
    ``targets[t] == inputs[t - delay]`` for every ``t >= delay`` (the first ``delay`` targets are symbols from
    before the stream, which no model can know). Read as a corpus by ``RnnlmTrainer``.
    """
    n_symbols = check_positive_int(n_symbols, "n_symbols")
    delay = check_positive_int(delay, "delay")
    length = check_positive_int(length, "length")
    stream = as_generator(seed).integers(0, n_symbols, size=length + delay)
    return stream[delay:], stream[:-delay]


def echo_accuracy(model: Any, sequences: Any, delay: int) -> float:
    """The share of steps at which ``model``'s most likely output is the symbol read ``delay`` steps earlier.

    ``sequences (N, L)`` are read from a zero state (the model's state is reset before and after); the first
    ``delay`` steps of each, which have nothing to echo, are not counted.
    """
    delay = check_positive_int(delay, "delay")
    seqs = np.asarray(sequences)
    if seqs.ndim != 2 or seqs.shape[1] <= delay:
        raise ValueError(f"sequences must be (N, L) with L > delay = {delay}, got shape {seqs.shape}")
    model.reset_state()
    guess = np.asarray(model.predict(seqs)).argmax(axis=-1)
    model.reset_state()
    return float((guess[:, delay:] == seqs[:, :-delay]).mean())


def memory_gate(layer: Any) -> np.ndarray:
    """The gate that decides how much of the state is kept, from ``layer``'s last forward pass: ``(N, T, H)``.

    For a ``TimeLSTM`` the forget gate ``f`` (1 keeps the cell), for a ``TimeGRU`` the update gate ``z``
    (0 keeps the state). Both are the first block of the layer's gate values.
    """
    if not isinstance(layer, (TimeLSTM, TimeGRU)):
        raise TypeError(f"memory_gate reads a TimeLSTM's or TimeGRU's gates, got {type(layer).__name__}")
    if layer.cache is None:
        raise ValueError(f"{type(layer).__name__} has no gate values yet: run forward first")
    H = layer.params[1].shape[0]
    return np.asarray(layer.cache["G"][:, :, :H]).transpose(1, 0, 2)


def memory_gate_mean(model: RecurrentLM, sequences: Any) -> float:
    """Mean of :func:`memory_gate` over every unit, step and sequence of ``sequences (N, L)``, read from a zero
    state (the model's state is reset before and after)."""
    model.reset_state()
    model.predict(np.asarray(sequences))
    model.reset_state()
    return float(memory_gate(model.rnn).mean())


def fit_probed(trainer: RnnlmTrainer, xs: Any, ts: Any, max_epoch: int, batch_size: int, time_size: int, *,
               probe: Callable[[Any], Any], probe_every: int, max_grad: float | None = None,
               eval_interval: int = 20) -> list[tuple[int, Any]]:
    """``trainer.fit(xs, ts, max_epoch, batch_size, time_size, ...)``, stopping every ``probe_every``
    iterations to call ``probe`` on a copy of the model.

    The training is the same as one ``fit`` call's: each stage feeds ``fit`` the words that its streams would
    read next (stream ``i`` goes on from position ``i * (len(xs) // batch_size)`` plus what it has read), and
    the model keeps its state from stage to stage, so the weights come out identical. ``probe`` gets a deep
    copy, free to reset or run it, before the first update and after every stage.

    Parameters
    ----------
    probe_every : int
        Iterations per stage; must divide the iterations of an epoch, ``len(xs) // (batch_size * time_size)``
        (each stage then closes one "epoch" in the trainer's history, as many as ``fit`` would with
        ``probe_every`` equal to the epoch).

    Returns
    -------
    list of (int, object)
        The iteration count at each probe (0 first) and what ``probe`` returned.
    """
    xs, ts = np.asarray(xs), np.asarray(ts)
    if xs.ndim != 1 or xs.shape != ts.shape:
        raise ValueError(f"xs and ts must be 1-D of one length, got shapes {xs.shape} and {ts.shape}")
    batch_size = check_positive_int(batch_size, "batch_size")
    time_size = check_positive_int(time_size, "time_size")
    probe_every = check_positive_int(probe_every, "probe_every")
    if isinstance(max_epoch, bool) or not isinstance(max_epoch, (int, np.integer)) or max_epoch < 0:
        raise ValueError(f"max_epoch must be an int >= 0, got {max_epoch!r}")
    per_epoch = len(xs) // (batch_size * time_size)
    if per_epoch == 0 or per_epoch % probe_every:
        raise ValueError(f"probe_every must divide the {per_epoch} iterations of an epoch "
                         f"(len(xs) // (batch_size * time_size)), got {probe_every}")
    jump = len(xs) // batch_size
    words = probe_every * time_size  # per stream and stage
    starts = np.arange(batch_size)[:, None] * jump
    probes = [(trainer.iteration, probe(copy.deepcopy(trainer.model)))]
    read = 0
    for _ in range(int(max_epoch) * (per_epoch // probe_every)):
        pos = ((starts + read + np.arange(words)) % len(xs)).reshape(-1)  # stream after stream
        trainer.fit(xs[pos], ts[pos], 1, batch_size, time_size, max_grad=max_grad, eval_interval=eval_interval,
                    progress=False)
        read += words
        probes.append((trainer.iteration, probe(copy.deepcopy(trainer.model))))
    return probes


@dataclass(frozen=True)
class EchoRun:
    """One model trained on the delayed echo (:func:`train_echo`).

    ``gate`` holds ``(update, mean gate)`` pairs (:func:`memory_gate_mean` on the fresh sequences) for the
    gated layers, empty for the plain RNN; ``perplexity`` the trainer's windows.
    """

    layer: str
    delay: int
    seed: int
    keep_bias: float
    accuracy: float
    updates: int
    params: int
    wall_time: float
    perplexity: list[float] = field(default_factory=list)
    gate: list[tuple[int, float]] = field(default_factory=list)


def train_echo(layer: str, *, delay: int, seed: int, n_symbols: int = 8, hidden_size: int = 32,
               wordvec_size: int = 8, batch_size: int = 8, time_size: int = 30, updates: int = 1500,
               lr: float = 0.01, max_grad: float = 1.0, keep_bias: float = 0.0, probe_every: int | None = None,
               eval_interval: int = 25, n_fresh: int = 50, fresh_length: int = 200) -> EchoRun:
    """Train a :class:`RecurrentLM` with ``layer`` on the delayed echo with Adam, and score it on fresh sequences.

    The data (training stream and ``n_fresh`` fresh sequences of ``fresh_length`` symbols) depend on ``seed``
    and ``delay`` only, so every layer sees the same data; the initial weights depend on ``seed``. With
    ``probe_every``, the memory gate's mean on the fresh sequences is recorded before training and every
    ``probe_every`` updates (gated layers only; training is unchanged, see :func:`fit_probed`).
    """
    cls = _layer_class(layer)
    name = next(k for k, v in LAYERS.items() if v is cls)
    updates = check_positive_int(updates, "updates")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    data = np.random.default_rng([int(seed), check_positive_int(delay, "delay")])
    inputs, targets = echo_stream(n_symbols, delay, batch_size * time_size * updates, data)
    fresh = data.integers(0, n_symbols, size=(n_fresh, fresh_length))
    model = RecurrentLM(cls, n_symbols, wordvec_size, hidden_size, seed=seed, keep_bias=keep_bias)
    trainer = RnnlmTrainer(model, Adam(lr=lr))
    gate: list[tuple[int, float]] = []
    if probe_every is not None and cls is not TimeRNN:
        gate = [(int(i), float(m)) for i, m in fit_probed(
            trainer, inputs, targets, 1, batch_size, time_size, probe=lambda m: memory_gate_mean(m, fresh),
            probe_every=probe_every, max_grad=max_grad, eval_interval=eval_interval)]
    else:
        trainer.fit(inputs, targets, 1, batch_size, time_size, max_grad=max_grad, eval_interval=eval_interval,
                    progress=False)
    return EchoRun(layer=name, delay=int(delay), seed=int(seed), keep_bias=float(keep_bias),
                   accuracy=echo_accuracy(model, fresh, delay), updates=trainer.iteration,
                   params=int(sum(p.size for p in model.params)), wall_time=trainer.wall_time,
                   perplexity=list(trainer.ppl_list), gate=gate)


# --------------------------------------------------------------------------------------------------------
# Appendix C: decisions
# --------------------------------------------------------------------------------------------------------


def _mean_fraction(values: Sequence[float], what: str) -> float:
    vals = [float(v) for v in values]
    if not vals or any(not 0 <= v <= 1 for v in vals):
        raise ValueError(f"{what} needs one or more accuracies in [0, 1], got {vals}")
    return sum(vals) / len(vals)


@dataclass(frozen=True)
class DelayRanking:
    """The layers ranked at each delay by their mean accuracy over seeds: ``mean[name][delay]``, ``order[delay]``
    (best first), ``level[delay]`` (True when every layer is within ``close`` of the best) and ``leader[delay]``
    (the best layer, None when level)."""

    delays: tuple[int, ...]
    close: float
    mean: dict[str, dict[int, float]]
    order: dict[int, tuple[str, ...]]
    level: dict[int, bool]
    leader: dict[int, str | None]


def rank_by_delay(accuracy: Mapping[str, Mapping[int, Sequence[float]]], *, close: float = 0.05) -> DelayRanking:
    """Rank the layers at each delay from their accuracies (fractions, one per seed).

    Every layer must have been measured at the same delays; ``close`` is in accuracy (0.05: five points).
    """
    if not 0 <= close < 1:
        raise ValueError(f"close must be in [0, 1), got {close!r}")
    if len(accuracy) < 2:
        raise ValueError(f"ranking needs two or more layers, got {list(accuracy)}")
    delays_of = {name: tuple(sorted(by_delay)) for name, by_delay in accuracy.items()}
    delays = next(iter(delays_of.values()))
    if not delays or any(d != delays for d in delays_of.values()):
        raise ValueError(f"every layer needs accuracies at the same delays, got {delays_of}")
    mean = {name: {d: _mean_fraction(by_delay[d], f"{name} at delay {d}") for d in delays}
            for name, by_delay in accuracy.items()}
    order, level, leader = {}, {}, {}
    for d in delays:
        order[d] = tuple(sorted(mean, key=lambda n: -mean[n][d]))
        level[d] = mean[order[d][0]][d] - mean[order[d][-1]][d] <= close
        leader[d] = None if level[d] else order[d][0]
    return DelayRanking(delays=delays, close=float(close), mean=mean, order=order, level=level, leader=leader)


@dataclass(frozen=True)
class GateDrift:
    """How a memory gate moved over training, in what it keeps of the state per step (``f`` for the LSTM,
    ``1 - z`` for the GRU): the mean over seeds at the start and the end, the lowest and highest seed at the end,
    and the direction, ``"keeps more"``, ``"keeps less"`` or ``"flat"`` (within ``tol``)."""

    layer: str
    start: float
    end: float
    end_low: float
    end_high: float
    direction: str


def gate_drift(layer: str, traces: Sequence[Sequence[float]], *, tol: float = 0.02) -> GateDrift:
    """Decide how ``layer``'s memory gate moved from the first to the last probe.

    ``traces`` holds one series of gate means per seed, as :func:`train_echo` records them: ``f`` for
    ``"LSTM"``, ``z`` for ``"GRU"`` (turned into ``1 - z``, the share kept).
    """
    if layer not in ("LSTM", "GRU"):
        raise ValueError(f"layer must be 'LSTM' or 'GRU', got {layer!r}")
    rows = [[float(v) for v in t] for t in traces]
    if not rows or any(len(r) < 2 for r in rows) or any(not 0 <= v <= 1 for r in rows for v in r):
        raise ValueError("traces needs one or more series of two or more gate means in [0, 1]")
    if layer == "GRU":
        rows = [[1.0 - v for v in r] for r in rows]
    start = sum(r[0] for r in rows) / len(rows)
    ends = [r[-1] for r in rows]
    end = sum(ends) / len(ends)
    direction = "flat" if abs(end - start) <= tol else ("keeps more" if end > start else "keeps less")
    return GateDrift(layer=layer, start=start, end=end, end_low=min(ends), end_high=max(ends), direction=direction)


@dataclass(frozen=True)
class DecayFactor:
    """How fast a gradient shrank per step going back in time: ``measured`` is the geometric mean of the
    step-to-step ratios, ``(norms[0] / norms[-1]) ** (1 / steps)``; ``direct`` the factor of the direct path
    alone (the mean of ``1 - z``); ``verdict`` ``"slower"`` (it shrinks less per step than the direct path
    predicts), ``"faster"``, or ``"as predicted"`` (within ``rel_tol``)."""

    measured: float
    direct: float
    steps: int
    reached: float
    verdict: str


def decay_factor(norms: Sequence[float], direct: float, *, rel_tol: float = 0.05) -> DecayFactor:
    """Decide how the per-step factor of a backpropagated gradient compares with the direct path's.

    ``norms`` are the gradient norms at each step, the earliest first and the step where the gradient was
    placed last; ``direct`` the direct path's factor per step, in (0, 1].
    """
    values = [float(n) for n in norms]
    if len(values) < 2 or any(not (math.isfinite(v) and v > 0) for v in values):
        raise ValueError(f"norms needs two or more positive finite values, got {values}")
    if not 0 < direct <= 1:
        raise ValueError(f"direct must be in (0, 1], got {direct!r}")
    steps = len(values) - 1
    reached = values[0] / values[-1]
    measured = reached ** (1.0 / steps)
    if abs(measured - direct) <= rel_tol * direct:
        verdict = "as predicted"
    else:
        verdict = "slower" if measured > direct else "faster"
    return DecayFactor(measured=measured, direct=float(direct), steps=steps, reached=reached, verdict=verdict)


@dataclass(frozen=True)
class HeadStart:
    """What starting the gates towards keeping the state changed, at one delay: for each gated layer the mean
    accuracy over seeds without and with the head start (``before``, ``after``) and ``change``, ``"up"``,
    ``"down"`` or ``"same"`` (within ``tol``); ``reference`` is the mean accuracy of a layer without gates (the
    plain RNN) and ``reference_ahead`` whether it is still above every gated layer with the head start."""

    before: dict[str, float]
    after: dict[str, float]
    change: dict[str, str]
    reference: float
    reference_ahead: bool


def head_start(before: Mapping[str, Sequence[float]], after: Mapping[str, Sequence[float]],
               reference: Sequence[float], *, tol: float = 0.02) -> HeadStart:
    """Decide what a head start of the gates did to each gated layer's accuracy (one value per seed, before and
    after), and whether the ungated ``reference`` stays ahead."""
    if not before or set(before) != set(after):
        raise ValueError(f"before and after need the same layers, got {sorted(before)} and {sorted(after)}")
    b = {k: _mean_fraction(v, f"before[{k!r}]") for k, v in before.items()}
    a = {k: _mean_fraction(after[k], f"after[{k!r}]") for k in before}
    change = {k: "same" if abs(a[k] - b[k]) <= tol else ("up" if a[k] > b[k] else "down") for k in before}
    ref = _mean_fraction(reference, "reference")
    return HeadStart(before=b, after=a, change=change, reference=ref, reference_ahead=all(ref > v for v in a.values()))


# --------------------------------------------------------------------------------------------------------
# Chapter 5: text the model has not read
# --------------------------------------------------------------------------------------------------------


def history_keys(ids: Any, k: int, vocab_size: int) -> np.ndarray:
    """One integer per position from ``k`` on: the ``k`` words before it, as the digits of a number in base
    ``vocab_size`` (chapter 5.1.3), so that equal histories get equal keys. ``ids (L,) -> (L - k,)`` int64.
    """
    k = check_positive_int(k, "k")
    V = check_positive_int(vocab_size, "vocab_size")
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size <= k:
        raise ValueError(f"ids must be 1-D and longer than k = {k}, got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"ids must lie in [0, {V}), got values from {ids.min()} to {ids.max()}")
    if k * math.log2(V) >= 63:
        raise ValueError(f"{k} digits in base {V} do not fit in an int64 key")
    keys = np.zeros(ids.size - k, dtype=np.int64)
    for j in range(k):
        keys = keys * V + ids[j:ids.size - k + j]
    return keys


def map_unknown(ids: Any, vocab_size: int, unk_id: int) -> tuple[np.ndarray, float]:
    """Word ids for a model that knows only the first ``vocab_size`` ids: every other id becomes ``unk_id``,
    as the Penn Treebank writes ``<unk>`` for the words outside its vocabulary. Returns the ids and the share
    that was replaced."""
    V = check_positive_int(vocab_size, "vocab_size")
    if isinstance(unk_id, bool) or not isinstance(unk_id, (int, np.integer)) or not 0 <= unk_id < V:
        raise ValueError(f"unk_id must be an id in [0, {V}), got {unk_id!r}")
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0 or not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0:
        raise ValueError(f"ids must be a non-empty 1-D array of ids >= 0, got {ids.dtype} of shape {ids.shape}")
    unknown = ids >= V
    return np.where(unknown, unk_id, ids), float(unknown.mean())


def unigram_perplexity(train_ids: Any, ids: Any, vocab_size: int) -> float:
    """Perplexity on ``ids`` of the unigram model of ``train_ids``: each word's probability is its share of
    ``train_ids``, whatever came before (chapter 5.5.2). Infinite when ``ids`` holds a word that
    ``train_ids`` does not."""
    V = check_positive_int(vocab_size, "vocab_size")
    train_ids, ids = np.asarray(train_ids), np.asarray(ids)
    for name, a in (("train_ids", train_ids), ("ids", ids)):
        if a.ndim != 1 or a.size == 0 or a.min() < 0 or a.max() >= V:
            raise ValueError(f"{name} must be a non-empty 1-D array of ids in [0, {V}), got shape {a.shape}")
    freq = np.bincount(train_ids, minlength=V) / train_ids.size
    with np.errstate(divide="ignore"):
        return float(np.exp(-np.log(freq[ids]).mean()))


def perplexities(model: Any, texts: Mapping[str, Any], batch_size: int, time_size: int) -> dict[str, float]:
    """``eval_perplexity(model, ids, batch_size, time_size)`` for every named text of ``texts`` (chapter 5.5.2),
    e.g. as the ``probe`` of :func:`fit_probed` through ``functools.partial``."""
    if not texts:
        raise ValueError("texts needs at least one named text")
    return {name: eval_perplexity(model, ids, batch_size, time_size) for name, ids in texts.items()}


@dataclass(frozen=True)
class Generalisation:
    """A language model's fit to its training text against its perplexity on held-out text.

    ``train`` and ``heldout`` are the final perplexities on the two texts, ``unigram_train`` and ``unigram`` the
    unigram model's on the same texts (each text against its own: a held-out text full of ``<unk>`` is easier
    to predict than the training text, for every model), ``best_epoch`` and ``best`` the epoch with the lowest
    held-out perplexity and its value. ``versus_unigram`` and ``best_versus_unigram`` compare the final and the
    best held-out perplexity with the unigram model's, ``"better"``, ``"worse"`` or ``"level"`` (within
    ``level_tol`` of it); ``rising`` says whether the held-out perplexity ended above its best by more than
    ``rel_tol``."""

    train: float
    heldout: float
    unigram_train: float
    unigram: float
    best_epoch: int
    best: float
    versus_unigram: str
    best_versus_unigram: str
    rising: bool


def _versus(value: float, reference: float, tol: float) -> str:
    if abs(value - reference) <= tol * reference:
        return "level"
    return "better" if value < reference else "worse"


def generalisation(train_curve: Sequence[float], heldout_curve: Sequence[float], *, unigram: float,
                   unigram_train: float, rel_tol: float = 0.05, level_tol: float = 0.1) -> Generalisation:
    """Decide what the gap between training and held-out perplexity says, from both curves (one value per
    epoch, scored with the weights of the end of that epoch) and the unigram model's perplexities on the
    held-out text (``unigram``) and on the training text (``unigram_train``)."""
    train = [float(v) for v in train_curve]
    held = [float(v) for v in heldout_curve]
    if not train or len(train) != len(held):
        raise ValueError(f"the curves need one value per epoch each, got {len(train)} and {len(held)}")
    if any(not (math.isfinite(v) and v >= 1) for v in [*train, *held, float(unigram), float(unigram_train)]):
        raise ValueError("perplexities are finite and >= 1")
    best_i = int(np.argmin(held))
    return Generalisation(train=train[-1], heldout=held[-1], unigram_train=float(unigram_train),
                          unigram=float(unigram), best_epoch=best_i + 1, best=held[best_i],
                          versus_unigram=_versus(held[-1], unigram, level_tol),
                          best_versus_unigram=_versus(held[best_i], unigram, level_tol),
                          rising=held[-1] > (1 + rel_tol) * held[best_i])


# --------------------------------------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------------------------------------

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "rank_level": "At a delay of {delay}, all are level, between {low:.0%} and {high:.0%}.",
        "rank_lead": "At a delay of {delay}, {leader} leads with {best:.0%}, ahead of {rest}.",
        "rank_other": "{name} ({value:.0%})",
        "drift_more": "The {layer}'s {gate} went from keeping {start:.2f} of the state per step to {end:.2f} (mean "
                      "over seeds; {low:.2f} to {high:.2f}): training taught it to keep more.",
        "drift_less": "The {layer}'s {gate} went from keeping {start:.2f} of the state per step to {end:.2f} (mean "
                      "over seeds; {low:.2f} to {high:.2f}): training taught it to keep less, and to write more.",
        "drift_flat": "The {layer}'s {gate} hardly moved: it kept {start:.2f} of the state per step at the start "
                      "and {end:.2f} at the end (mean over seeds; {low:.2f} to {high:.2f}).",
        "gate_LSTM": "forget gate",
        "gate_GRU": "update gate",
        "decay_slower": "The gradient shrinks by a factor of {measured:.2f} per step on average, not by the "
                        "{direct:.2f} of the direct path alone: the paths through the candidate state and the "
                        "gates carry part of it back too.",
        "decay_faster": "The gradient shrinks by a factor of {measured:.2f} per step on average, faster than the "
                        "{direct:.2f} of the direct path alone: the other paths partly cancel it.",
        "decay_as predicted": "The gradient shrinks by a factor of {measured:.2f} per step on average, as the "
                              "direct path alone predicts ({direct:.2f}).",
        "head_up": "the {layer}'s from {before:.0%} to {after:.0%}",
        "head_down": "the {layer}'s from {before:.0%} down to {after:.0%}",
        "head_same": "the {layer}'s hardly at all ({before:.0%} and {after:.0%})",
        "head_changes": "With the head start, the mean accuracy at a delay of {delay} changes as follows: {changes}.",
        "head_part": " The start explains part of the gap, not all of it: the plain RNN, at {reference:.0%}, stays "
                     "ahead.",
        "head_all": " The start explains the gap: the plain RNN's {reference:.0%} is no longer ahead of them all.",
        "head_none": " The start does not explain the gap: the plain RNN, at {reference:.0%}, stays ahead.",
        "head_none_behind": " The plain RNN's {reference:.0%} is not ahead of them all, with or without the start.",
        "gen_train": "On its training text the model's perplexity ends at {train:.1f}, against {unigram_train:.0f} "
                     "for the unigram model; on the held-out text it ends at {heldout:.0f}, against {unigram:.0f}: ",
        "gen_worse": "it has learned its training text rather than how the language goes on.",
        "gen_better": "part of what it learned carries over to text it has not read.",
        "gen_level": "on text it has not read it does about as well as the unigram model, and no better.",
        "gen_best_level": " Its held-out perplexity was lowest after epoch {best_epoch}, at {best:.0f}, about the "
                          "unigram model's level",
        "gen_best_better": " Its held-out perplexity was lowest after epoch {best_epoch}, at {best:.0f}, below the "
                           "unigram model's",
        "gen_best_worse": " Its held-out perplexity was lowest after epoch {best_epoch}, at {best:.0f}, still above "
                          "the unigram model's",
        "gen_rising": ", and rose from there while the training perplexity kept falling.",
        "gen_flat": ", and stayed near that level to the end.",
        "reach.xlabel": "delay (steps)",
        "reach.ylabel": "accuracy on fresh sequences",
        "gates.ylabel": "kept per step",
        "gates.title": "delay {delay}",
        "gates.xlabel": "update",
        "echo.layer": "layer",
        "echo.params": "parameters",
        "echo.delay": "delay {delay}",
        "echo.head": "delay {delay}, head start",
        "echo.seconds": "seconds per run",
        "echo.caption": "The delayed echo ({symbols} symbols) after {updates:,} updates of {batch} streams of {steps} "
                        "steps: parameters (embedding, recurrent layer and affine), the mean accuracy over three seeds "
                        "on 50 fresh 200-symbol sequences (the first steps of each, up to the delay, excluded), with "
                        "the lowest and highest seed in percent, and the training time of one run on the machine "
                        "that built this page.",
    },
    "ko": {
        "rank_level": "지연 {delay}에서는 모든 계층이 {low:.0%}에서 {high:.0%} 사이로 비슷하다.",
        "rank_lead": "지연 {delay}에서는 {leader}의 정확도가 {best:.0%}로 가장 높고, 그 뒤로 {rest} 순이다.",
        "rank_other": "{name}({value:.0%})",
        "drift_more": "{layer}의 {gate}가 단계마다 유지하는 상태의 비율은 {start:.2f}에서 {end:.2f}까지 "
                      "올라갔다(시드 평균, 마지막 값은 시드별로 {low:.2f}~{high:.2f}). 학습을 거치며 상태를 더 많이 "
                      "유지하게 된 것이다.",
        "drift_less": "{layer}의 {gate}가 단계마다 유지하는 상태의 비율은 {start:.2f}에서 {end:.2f}까지 "
                      "내려갔다(시드 평균, 마지막 값은 시드별로 {low:.2f}~{high:.2f}). 학습을 거치며 상태를 덜 "
                      "유지하고 더 많이 새로 쓰게 된 것이다.",
        "drift_flat": "{layer}의 {gate}는 거의 움직이지 않았다. 단계마다 유지하는 상태의 비율은 처음 {start:.2f}에서 "
                      "마지막 {end:.2f}까지 거의 그대로였다(시드 평균, 마지막 값은 시드별로 {low:.2f}~{high:.2f}).",
        "gate_LSTM": "forget 게이트",
        "gate_GRU": "update 게이트",
        "decay_slower": "기울기는 단계마다 평균 {measured:.2f}배가 된다. 직접 경로만 있을 때의 {direct:.2f}배보다 덜 "
                        "줄어드는 것은 후보 상태와 게이트를 지나는 경로도 기울기의 일부를 되돌려 보내기 때문이다.",
        "decay_faster": "기울기는 단계마다 평균 {measured:.2f}배가 되어, 직접 경로만 있을 때의 {direct:.2f}배보다 "
                        "빠르게 줄어든다. 다른 경로들이 기울기를 일부 상쇄하기 때문이다.",
        "decay_as predicted": "기울기는 단계마다 평균 {measured:.2f}배가 되어, 직접 경로만으로 예측한 값"
                              "({direct:.2f})과 같다.",
        "head_up": "{layer}의 정확도는 {before:.0%}에서 {after:.0%}로 올랐다",
        "head_down": "{layer}의 정확도는 {before:.0%}에서 {after:.0%}로 떨어졌다",
        "head_same": "{layer}의 정확도는 거의 그대로였다({before:.0%}, {after:.0%})",
        "head_changes": "유리한 출발점을 주자 지연 {delay}에서의 평균 정확도가 다음과 같이 달라졌다. {changes}.",
        "head_part": " 출발점이 격차의 일부는 설명하지만 전부는 아니다. 기본 RNN은 {reference:.0%}로 여전히 앞선다.",
        "head_all": " 출발점이 격차를 설명한다. 기본 RNN의 {reference:.0%}는 더 이상 모두를 앞서지 않는다.",
        "head_none": " 출발점은 격차를 설명하지 못한다. 기본 RNN은 {reference:.0%}로 여전히 앞선다.",
        "head_none_behind": " 출발점이 있든 없든 기본 RNN의 {reference:.0%}가 모두를 앞서지는 않는다.",
        "gen_train": "훈련 텍스트에서 모델의 퍼플렉서티는 {train:.1f}에서 끝나고(유니그램 모델은 {unigram_train:.0f}), "
                     "홀드아웃 텍스트에서는 {heldout:.0f}에서 끝난다(유니그램 모델은 {unigram:.0f}). ",
        "gen_worse": "모델은 언어가 어떻게 이어지는지가 아니라 훈련 텍스트 자체를 익힌 것이다.",
        "gen_better": "학습한 것의 일부가 읽지 않은 텍스트에도 통한다.",
        "gen_level": "읽지 않은 텍스트에서는 유니그램 모델과 비슷할 뿐, 그보다 낫지 않다.",
        "gen_best_level": " 홀드아웃 텍스트의 퍼플렉서티는 에폭 {best_epoch} 뒤에 가장 낮은 값 {best:.0f}에 이르러 "
                          "유니그램 모델과 비슷한 수준이었고",
        "gen_best_better": " 홀드아웃 텍스트의 퍼플렉서티는 에폭 {best_epoch} 뒤에 가장 낮은 값 {best:.0f}에 이르러 "
                           "유니그램 모델보다 낮았고",
        "gen_best_worse": " 홀드아웃 텍스트의 퍼플렉서티는 에폭 {best_epoch} 뒤에 가장 낮은 값 {best:.0f}에 "
                          "이르렀지만 여전히 유니그램 모델보다 높았고",
        "gen_rising": ", 그 뒤로는 훈련 퍼플렉서티가 계속 떨어지는 동안 오히려 올라갔다.",
        "gen_flat": ", 끝까지 그 수준 근처에 머물렀다.",
        "reach.xlabel": "지연(단계)",
        "reach.ylabel": "새 시퀀스에서의 정확도",
        "gates.ylabel": "단계마다 유지하는 비율",
        "gates.title": "지연 {delay}",
        "gates.xlabel": "갱신 횟수",
        "echo.layer": "계층",
        "echo.params": "매개변수 수",
        "echo.delay": "지연 {delay}",
        "echo.head": "지연 {delay}, 유리한 출발",
        "echo.seconds": "실행당 초",
        "echo.caption": "기호 {symbols}개로 된 지연 메아리. 스트림 {batch}개가 {steps}단계씩 읽는 갱신을 {updates:,}번 "
                        "한 뒤의 결과다. 매개변수 수(임베딩, 순환 계층, Affine 계층), 기호 200개짜리 새 시퀀스 "
                        "50개에서 잰 세 시드의 평균 정확도(각 시퀀스의 처음 지연만큼의 단계는 제외)와 가장 낮은 "
                        "시드와 가장 높은 시드의 값(퍼센트), 이 페이지를 빌드한 컴퓨터에서 한 번 실행하는 데 걸린 "
                        "학습 시간이다.",
    },
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """Appendix C's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``): its table
    headers and caption and its figure labels; ``lang=None``: the page's language (``SCRATCHNLP_LANG``).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def _join(items: Sequence[str], lang: str | None, sentences: bool = False) -> str:
    """English: "a, b and c". Korean: "a, b, c", or with ``sentences`` clauses that each end a sentence."""
    lang = page_language() if lang is None else lang
    items = list(items)
    if lang == "ko":
        return (". " if sentences else ", ").join(items)
    if lang != "en":
        raise ValueError(f"no list wording for language {lang!r}")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def ranking_text(ranking: DelayRanking, lang: str | None = None) -> str:
    """One short sentence per delay: the layers level, or which one leads and by how much."""
    t = TEMPLATES
    sentences = []
    for d in ranking.delays:
        values = {n: ranking.mean[n][d] for n in ranking.order[d]}
        if ranking.level[d]:
            sentences.append(say(t, "rank_level", lang, delay=d, low=min(values.values()), high=max(values.values())))
        else:
            first, *rest = ranking.order[d]
            others = _join([say(t, "rank_other", lang, name=n, value=values[n]) for n in rest], lang)
            sentences.append(say(t, "rank_lead", lang, delay=d, leader=first, best=values[first], rest=others))
    return " ".join(sentences)


def drift_text(drift: GateDrift, lang: str | None = None) -> str:
    """One sentence on how a memory gate moved over training."""
    key = {"keeps more": "drift_more", "keeps less": "drift_less", "flat": "drift_flat"}[drift.direction]
    return say(TEMPLATES, key, lang, layer=drift.layer, gate=say(TEMPLATES, f"gate_{drift.layer}", lang),
               start=drift.start, end=drift.end, low=drift.end_low, high=drift.end_high)


def decay_text(decay: DecayFactor, lang: str | None = None) -> str:
    """One sentence on the measured per-step factor against the direct path's."""
    return say(TEMPLATES, f"decay_{decay.verdict}", lang, measured=decay.measured, direct=decay.direct)


def head_start_text(head: HeadStart, delay: int, lang: str | None = None) -> str:
    """Two sentences: how each gated layer's accuracy changed with the head start, and what that says about the
    plain RNN's lead (part of it explained, all of it, or none)."""
    t = TEMPLATES
    changes = [say(t, f"head_{head.change[k]}", lang, layer=k, before=head.before[k], after=head.after[k])
               for k in head.before]
    helped = any(c == "up" for c in head.change.values())
    key = ("head_part" if head.reference_ahead else "head_all") if helped else (
        "head_none" if head.reference_ahead else "head_none_behind")
    return (say(t, "head_changes", lang, delay=delay, changes=_join(changes, lang, sentences=True))
            + say(t, key, lang, reference=head.reference))


def generalisation_text(gen: Generalisation, lang: str | None = None) -> str:
    """Two sentences: both texts' final perplexities against the unigram model's and what the comparison says,
    then where the held-out perplexity was best and what it did after."""
    t = TEMPLATES
    return (say(t, "gen_train", lang, train=gen.train, unigram_train=gen.unigram_train, heldout=gen.heldout,
                unigram=gen.unigram)
            + say(t, f"gen_{gen.versus_unigram}", lang)
            + say(t, f"gen_best_{gen.best_versus_unigram}", lang, best=gen.best, best_epoch=gen.best_epoch)
            + say(t, "gen_rising" if gen.rising else "gen_flat", lang))
