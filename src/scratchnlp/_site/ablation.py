"""Chapter 6.5 and chapter 8.1 measured: each improvement of the language model against its absence, and the
fixed-length vector of seq2seq against attention by input length (private helpers of the chapter 6 and 8 pages).

- :class:`VariantLm` is ``BetterRnnlm`` with each of its three improvements (a second LSTM layer, dropout,
  weight tying) switchable; with all three on it *is* ``BetterRnnlm`` (same weights, same masks, same loss);
  :func:`train_variant` trains one on a slice of PTB and scores it after every pass, with dropout off, on
  training and validation text; :func:`shrink_vocabulary` and :func:`unigram_perplexity` size the task;
  :func:`removal` and :func:`fit_gap` decide what removing an improvement did and whether a model overfits;
- :func:`digit_copies` makes the copying task whose inputs carry more the longer they are;
  :func:`accuracy_by_length` scores decoded answers by input length, :func:`implied_share` says what a test
  set's total implies for every subset, and :func:`bottleneck_verdict` decides whether the fixed-length vector
  lost more with length than attention did.

Decisions are language-neutral dataclasses; the sentences and the figures' labels come from :data:`TEMPLATES`, one
set per language, through the ``*_text`` functions and :func:`words`; ``lang=None`` follows the page's language
(``SCRATCHNLP_LANG``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import Seed, as_generator, check_positive_int
from .._pages import and_join
from ..layers import TimeAffine, TimeDropout, TimeEmbedding, TimeLSTM
from ..models.rnnlm import _init, _Rnnlm, _setup, _zeros
from .wording import say

__all__ = [
    "VariantLm",
    "VariantRun",
    "train_variant",
    "shrink_vocabulary",
    "unigram_perplexity",
    "Removal",
    "removal",
    "FitGap",
    "fit_gap",
    "draw_variant_curves",
    "COPY_CHARS",
    "CopyTask",
    "digit_copies",
    "LengthAccuracy",
    "accuracy_by_length",
    "implied_share",
    "LengthEffect",
    "length_effect",
    "BottleneckVerdict",
    "bottleneck_verdict",
    "draw_accuracy_by_length",
    "TEMPLATES",
    "words",
    "improvement_name",
    "removal_text",
    "gap_text",
    "length_effect_text",
    "bottleneck_text",
    "bottleneck_conclusion",
]


#: Line colours (Okabe-Ito: blue, vermilion, bluish green, reddish purple), told apart with the common
#: colour-vision deficiencies.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


# --------------------------------------------------------------------------------------------------------
# Chapter 6.5: the language model with each improvement switchable
# --------------------------------------------------------------------------------------------------------


class VariantLm(_Rnnlm):
    """``BetterRnnlm`` with its improvements switchable (chapter 6.5), for measuring each against its absence.

    Layers: TimeEmbedding, then ``num_layers`` stateful TimeLSTM layers, with a TimeDropout before each LSTM and
    before the output TimeAffine when ``dropout_ratio > 0`` (none otherwise), the affine's weight the embedding
    transposed when ``tie_weights`` (chapter 6.5.3) or a matrix of its own, then the softmax loss.

    Parameters
    ----------
    vocab_size : int
        V.
    hidden_size : int
        H, also the size D of the word vectors (as ``BetterRnnlm``, which needs D = H for tying).
    num_layers : int, default 2
        Stacked LSTM layers (chapter 6.5.1).
    dropout_ratio : float, default 0.5
        Dropout between layers (chapter 6.5.2), in [0, 1); 0 means no dropout layers at all.
    tie_weights : bool, default True
        Share the embedding matrix with the output layer (chapter 6.5.3).
    seed : int or numpy.random.Generator, default 0
        Weights are drawn in ``BetterRnnlm``'s order (embedding, each LSTM's Wx and Wh, then the untied output
        matrix), and the dropout masks from the same generator, so ``VariantLm(V, H)`` equals
        ``BetterRnnlm(V, H, H, seed=seed)``.

    Notes
    -----
    ``forward(xs (N, T), ts (N, T)) -> loss``; ``predict(xs) -> (N, T, V)``; ``params`` lists the embedding,
    each LSTM's ``Wx, Wh, b``, then ``affine_W`` (the embedding's transpose when tied) and ``affine_b``.
    """

    def __init__(self, vocab_size: int, hidden_size: int, *, num_layers: int = 2, dropout_ratio: float = 0.5,
                 tie_weights: bool = True, seed: Seed = 0, dtype: Any = None) -> None:
        super().__init__()
        V, D, H, rng, dtype = _setup(vocab_size, hidden_size, hidden_size, seed, dtype)
        L = check_positive_int(num_layers, "num_layers")
        if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, (int, float)) \
                or not 0.0 <= dropout_ratio < 1.0:
            raise ValueError(f"dropout_ratio must be a number in [0, 1), got {dropout_ratio!r}")
        if not isinstance(tie_weights, bool):
            raise TypeError(f"tie_weights must be True or False, got {tie_weights!r}")
        embed_W = _init(rng, (V, D), 100, dtype)
        lstm_weights = []
        for _ in range(L):
            Wx = _init(rng, (H, 4 * H), np.sqrt(H), dtype)
            Wh = _init(rng, (H, 4 * H), np.sqrt(H), dtype)
            lstm_weights.append((Wx, Wh, _zeros(4 * H, dtype)))
        affine_W = embed_W.T if tie_weights else _init(rng, (H, V), np.sqrt(H), dtype)
        affine_b = _zeros(V, dtype)

        def drop() -> list[Any]:
            return [TimeDropout(float(dropout_ratio), seed=rng)] if dropout_ratio > 0 else []

        self.layers = [TimeEmbedding(embed_W)]
        names = ["embed_W"]
        for i, (Wx, Wh, b) in enumerate(lstm_weights, start=1):
            self.layers += [*drop(), TimeLSTM(Wx, Wh, b, stateful=True)]
            names += [f"lstm_Wx{i}", f"lstm_Wh{i}", f"lstm_b{i}"]
        self.layers += [*drop(), TimeAffine(affine_W, affine_b)]
        self.lstm_layers = [layer for layer in self.layers if isinstance(layer, TimeLSTM)]
        self.num_layers, self.dropout_ratio, self.tie_weights = L, float(dropout_ratio), tie_weights
        self._finish([*names, "affine_W", "affine_b"])


@dataclass(frozen=True)
class VariantRun:
    """One variant trained on the page: its switches, its perplexities after every pass over the training
    slice (dropout off, on the slice itself and on validation text), its size and its training time."""

    name: str
    num_layers: int
    dropout_ratio: float
    tie_weights: bool
    train_ppl: tuple[float, ...]
    valid_ppl: tuple[float, ...]
    iterations_per_epoch: int
    parameters: int
    train_s: float

    @property
    def best_valid(self) -> float:
        return min(self.valid_ppl)

    @property
    def best_epoch(self) -> int:
        """The pass (1-based) with the lowest validation perplexity."""
        return int(np.argmin(self.valid_ppl)) + 1

    @property
    def gap(self) -> float:
        """Validation minus training perplexity after the last pass: how much the model fits its own text
        better than new text."""
        return self.valid_ppl[-1] - self.train_ppl[-1]


def train_variant(name: str, train_ids: np.ndarray, valid_ids: np.ndarray, *, vocab_size: int, hidden_size: int,
                  num_layers: int = 2, dropout_ratio: float = 0.5, tie_weights: bool = True, epochs: int = 5,
                  lr: float = 20.0, lr_decay: float | None = None, max_grad: float = 0.25, batch_size: int = 20,
                  time_size: int = 35, seed: Seed = 0) -> VariantRun:
    """Train :class:`VariantLm` for ``epochs`` passes over ``train_ids`` with the book's chapter 6 settings
    (SGD, gradient clipping) and score it after every pass with dropout off, on ``train_ids`` and on
    ``valid_ids`` (:func:`scratchnlp.training.eval_perplexity`)."""
    from ..optim import SGD, merge_shared  # noqa: PLC0415
    from ..training import RnnlmTrainer, eval_perplexity  # noqa: PLC0415

    epochs = check_positive_int(epochs, "epochs")
    model = VariantLm(vocab_size, hidden_size, num_layers=num_layers, dropout_ratio=dropout_ratio,
                      tie_weights=tie_weights, seed=seed)
    optimizer = SGD(lr)
    trainer = RnnlmTrainer(model, optimizer)
    train_ppl, valid_ppl, spent = [], [], 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        trainer.fit(train_ids[:-1], train_ids[1:], 1, batch_size, time_size, max_grad, progress=False)
        spent += time.perf_counter() - start
        train_ppl.append(eval_perplexity(model, train_ids[:len(valid_ids)], batch_size, time_size, progress=False))
        valid_ppl.append(eval_perplexity(model, valid_ids, batch_size, time_size, progress=False))
        if lr_decay is not None and len(valid_ppl) > 1 and valid_ppl[-1] > min(valid_ppl[:-1]):
            optimizer.lr /= lr_decay
    unique, _ = merge_shared(model.params, model.grads)
    return VariantRun(name, model.num_layers, model.dropout_ratio, model.tie_weights, tuple(train_ppl),
                      tuple(valid_ppl), len(train_ids[:-1]) // (batch_size * time_size),
                      int(sum(p.size for p in unique)), spent)


def shrink_vocabulary(train_ids: np.ndarray, keep: int, unk_id: int) -> np.ndarray:
    """A map from word ids to a smaller vocabulary: the ``keep`` most frequent words of ``train_ids`` (ties by
    id) get the ids ``0 .. keep - 1`` in order of frequency, every other word the new id of ``unk_id``.

    Returns
    -------
    (V,) int64 array ``new_id``, for ``V = max(train_ids.max(), unk_id) + 1``: apply it as ``new_id[ids]``.

    Raises
    ------
    ValueError
        When ``keep`` is not a positive int, ``train_ids`` holds no words, or ``unk_id`` is not among the
        words kept (it must be, to stand for the others).
    """
    keep = check_positive_int(keep, "keep")
    ids = np.asarray(train_ids)
    if ids.ndim != 1 or ids.size == 0 or ids.dtype.kind not in "iu":
        raise ValueError(f"train_ids must be a non-empty 1-D array of word ids, got {ids.shape} {ids.dtype}")
    counts = np.bincount(ids, minlength=max(int(ids.max()), int(unk_id)) + 1)
    order = np.argsort(-counts, kind="stable")[:keep]
    if unk_id not in set(order.tolist()):
        raise ValueError(f"the unknown-word id {unk_id} is not among the {keep} most frequent words; keep more")
    new_id = np.empty(counts.size, dtype=np.int64)
    new_id[:] = -1
    new_id[order] = np.arange(order.size)
    new_id[new_id < 0] = new_id[unk_id]
    return new_id


def unigram_perplexity(train_ids: np.ndarray, eval_ids: np.ndarray, vocab_size: int) -> float:
    """Perplexity on ``eval_ids`` of the model that ignores context and predicts every word with its frequency
    in ``train_ids`` (add-one-half smoothing): what a language model scores before it uses any context."""
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size).astype(np.float64) + 0.5
    p = counts / counts.sum()
    return float(np.exp(-np.log(p[np.asarray(eval_ids)[1:]]).mean()))


@dataclass(frozen=True)
class Removal:
    """What removing one improvement did, seed by seed: the best validation perplexity of the base model (all
    three improvements) and of the model without ``improvement``, trained with the same seeds, and the verdict.

    ``verdict`` is ``"helps"`` when the model without the improvement is worse on every seed by at least
    ``tolerance`` (relative), ``"hurts"`` when it is better on every seed by at least as much, and ``"unclear"``
    otherwise (the seeds disagree, or the difference is smaller than the tolerance).
    """

    improvement: str
    base_best: tuple[float, ...]
    without_best: tuple[float, ...]
    tolerance: float
    verdict: str

    @property
    def base_mean(self) -> float:
        return float(np.mean(self.base_best))

    @property
    def without_mean(self) -> float:
        return float(np.mean(self.without_best))

    @property
    def differences(self) -> tuple[float, ...]:
        """Without minus with, per seed: positive where the improvement lowered the perplexity."""
        return tuple(w - b for w, b in zip(self.without_best, self.base_best))


def removal(improvement: str, base: Sequence[VariantRun], without: Sequence[VariantRun], *,
            tolerance: float = 0.02) -> Removal:
    """Compare the base runs with the runs without ``improvement``, seed by seed (the ``i``-th run of each
    list shares its seed), on their best validation perplexity; see :class:`Removal` for the verdict.

    Raises
    ------
    ValueError
        For empty lists, lists of different lengths, or a negative tolerance.
    """
    if not base or len(base) != len(without):
        raise ValueError(f"need the same number (at least one) of runs with and without {improvement}, "
                         f"got {len(base)} and {len(without)}")
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    base_best = tuple(r.best_valid for r in base)
    without_best = tuple(r.best_valid for r in without)
    relative = [(w - b) / b for w, b in zip(without_best, base_best)]
    if all(d >= tolerance for d in relative):
        verdict = "helps"
    elif all(d <= -tolerance for d in relative):
        verdict = "hurts"
    else:
        verdict = "unclear"
    return Removal(improvement, base_best, without_best, float(tolerance), verdict)


@dataclass(frozen=True)
class FitGap:
    """How much worse two sets of runs score on validation text than on their own training text after the
    last pass (``valid / train - 1``, the mean over seeds), with dropout and without, and which of them fit
    their training text better than new text by at least ``threshold`` (taken as the sign of overfitting).

    ``case`` is ``"neither"``, ``"without_only"``, ``"with_only"`` or ``"both"``.
    """

    with_dropout: float
    without_dropout: float
    threshold: float

    @property
    def case(self) -> str:
        with_, without = self.with_dropout >= self.threshold, self.without_dropout >= self.threshold
        return {(False, False): "neither", (False, True): "without_only", (True, False): "with_only",
                (True, True): "both"}[(with_, without)]


def fit_gap(with_dropout: Sequence[VariantRun], without_dropout: Sequence[VariantRun], *,
            threshold: float = 0.1) -> FitGap:
    """The training/validation gap of the runs with and without dropout (see :class:`FitGap`).

    Raises
    ------
    ValueError
        For an empty list of runs.
    """
    if not with_dropout or not without_dropout:
        raise ValueError("need at least one run with dropout and one without")

    def gap(runs: Sequence[VariantRun]) -> float:
        return float(np.mean([r.valid_ppl[-1] / r.train_ppl[-1] - 1 for r in runs]))

    return FitGap(gap(with_dropout), gap(without_dropout), float(threshold))


def draw_variant_curves(runs: Mapping[str, Sequence[VariantRun]], *, unigram: float | None = None,
                        width: float = 5.6, lang: str | None = None) -> Any:
    """Two panels, stacked: the validation perplexity after every pass (one colour per variant, one line per
    seed, the first solid and the others dashed), with the unigram model's perplexity for reference; and the
    gap between validation and training perplexity (``valid / train - 1``, in percent), mean over seeds."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, (ax_v, ax_g) = plt.subplots(2, 1, figsize=(width, 7.4), layout="constrained", sharex=True,
                                     gridspec_kw={"height_ratios": [3, 2]})
    styles = ["-", "--", ":", "-."]
    for k, (label, variant_runs) in enumerate(runs.items()):
        color = COLORS[k % len(COLORS)]
        for s, run in enumerate(variant_runs):
            passes = np.arange(1, len(run.valid_ppl) + 1)
            ax_v.plot(passes, run.valid_ppl, color=color, linestyle=styles[s % len(styles)], linewidth=1.6,
                      label=label if s == 0 else None)
        gaps = np.mean([np.array(r.valid_ppl) / np.array(r.train_ppl) - 1 for r in variant_runs], axis=0)
        ax_g.plot(np.arange(1, gaps.size + 1), 100 * gaps, color=color, marker="o", markersize=4, label=label)
    if unigram is not None:
        ax_v.axhline(unigram, color="0.4", linestyle=(0, (1, 2)), linewidth=1.2,
                     label=words("curves.unigram", lang))
    ax_v.set_ylabel(words("curves.valid", lang))
    ax_v.grid(True, alpha=0.3)
    ax_v.legend(loc="upper right", frameon=True)
    ax_g.axhline(0, color="0.5", linewidth=0.8)
    ax_g.set_xlabel(words("curves.pass", lang))
    ax_g.set_ylabel(words("curves.gap", lang))
    ax_g.grid(True, alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------------------
# Chapter 8.1: the fixed-length vector against attention, by the length of the input
# --------------------------------------------------------------------------------------------------------

#: The characters of the digit-copying task: digits, the padding space and the decoder's start mark.
COPY_CHARS = "0123456789 _"


@dataclass(frozen=True)
class CopyTask:
    """Questions that are strings of random digits, answers that are the same digits (chapter 8.1's test of the
    fixed-length vector): ``questions (N, max_length)`` ids padded with spaces, ``answers (N, max_length + 1)``
    ids starting with ``_``, ``lengths (N,)`` the number of digits."""

    questions: np.ndarray
    answers: np.ndarray
    lengths: np.ndarray
    char_to_id: dict[str, int] = field(repr=False)
    id_to_char: dict[int, str] = field(repr=False)


def digit_copies(n: int, min_length: int, max_length: int, *, seed: Seed = 0) -> CopyTask:
    """``n`` digit strings with lengths drawn uniformly from ``min_length .. max_length`` and their copies.

    Raises
    ------
    ValueError
        For a non-positive ``n`` or lengths with ``min_length > max_length``.
    """
    n = check_positive_int(n, "n")
    lo, hi = check_positive_int(min_length, "min_length"), check_positive_int(max_length, "max_length")
    if lo > hi:
        raise ValueError(f"min_length must not exceed max_length, got {lo} and {hi}")
    rng = as_generator(seed)
    char_to_id = {c: i for i, c in enumerate(COPY_CHARS)}
    lengths = rng.integers(lo, hi + 1, n)
    digits = rng.integers(0, 10, (n, hi))
    filled = np.arange(hi) < lengths[:, None]
    questions = np.where(filled, digits, char_to_id[" "])
    answers = np.full((n, hi + 1), char_to_id[" "])
    answers[:, 0] = char_to_id["_"]
    answers[:, 1:] = questions
    return CopyTask(questions, answers, lengths, char_to_id, dict(enumerate(COPY_CHARS)))


@dataclass(frozen=True)
class LengthAccuracy:
    """Accuracy by input length: for each group (``lo``, ``hi``) of lengths, how many items it holds, the share
    of whole answers right, and the share of the scored answer characters right."""

    groups: tuple[tuple[int, int], ...]
    counts: tuple[int, ...]
    answers: tuple[float, ...]
    characters: tuple[float, ...]


def accuracy_by_length(guesses: np.ndarray, answers: np.ndarray, lengths: np.ndarray, *,
                       groups: Sequence[tuple[int, int]] | None = None,
                       scored: np.ndarray | None = None) -> LengthAccuracy:
    """Score decoded answers by the length of their input.

    Parameters
    ----------
    guesses, answers : (N, A) int arrays
        The model's answers and the right ones (without the start character).
    lengths : (N,) ints
        The length of each item's input.
    groups : sequence of (lo, hi), optional
        Inclusive ranges of lengths to pool; default one group per length present. Empty groups are dropped.
    scored : (N,) ints, optional
        How many leading answer characters count for the character accuracy (e.g. the digits of a copy,
        not its padding); default all ``A``.

    Raises
    ------
    ValueError
        For shapes that do not match.
    """
    g, a, n = np.asarray(guesses), np.asarray(answers), np.asarray(lengths)
    if g.shape != a.shape or g.ndim != 2 or n.shape != (g.shape[0],):
        raise ValueError(f"guesses and answers must be (N, A) and lengths (N,), got {g.shape}, {a.shape}, {n.shape}")
    k = np.full(n.shape, g.shape[1]) if scored is None else np.asarray(scored)
    if k.shape != n.shape:
        raise ValueError(f"scored must be (N,) like lengths, got {k.shape}")
    right = g == a
    counted = np.arange(g.shape[1]) < k[:, None]
    if groups is None:
        groups = [(int(v), int(v)) for v in np.unique(n)]
    kept, counts, whole, chars = [], [], [], []
    for lo, hi in groups:
        member = (n >= lo) & (n <= hi)
        if not member.any():
            continue
        kept.append((int(lo), int(hi)))
        counts.append(int(member.sum()))
        whole.append(float(right[member].all(axis=1).mean()))
        chars.append(float(right[member][counted[member]].mean()))
    return LengthAccuracy(tuple(kept), tuple(counts), tuple(whole), tuple(chars))


def implied_share(correct: int, total: int) -> float | None:
    """The accuracy every subset of a test set must have when the whole set scored ``correct`` of ``total``:
    1.0 when all were right, 0.0 when none was, and None (unknown) otherwise."""
    if total <= 0 or not 0 <= correct <= total:
        raise ValueError(f"need 0 <= correct <= total and total > 0, got {correct} of {total}")
    return 1.0 if correct == total else 0.0 if correct == 0 else None


@dataclass(frozen=True)
class LengthEffect:
    """For each model, its lowest and highest accuracy over the length groups from ``short`` to ``long``, and
    which models vary by at least ``margin`` between their groups (``varying``) and which do not (``flat``)."""

    short: int
    long: int
    spans: dict[str, tuple[float, float]]
    margin: float

    @property
    def varying(self) -> tuple[str, ...]:
        return tuple(name for name, (lo, hi) in self.spans.items() if hi - lo >= self.margin)

    @property
    def flat(self) -> tuple[str, ...]:
        return tuple(name for name in self.spans if name not in self.varying)


def length_effect(shares: Mapping[str, Sequence[float | None]], groups: Sequence[tuple[int, int]], *,
                  margin: float = 0.05) -> LengthEffect:
    """Whether each model's accuracy changes with the length of its input: ``shares[name]`` holds its accuracy
    in each of ``groups`` (None where unknown; a model with no known value is left out).

    Raises
    ------
    ValueError
        For no groups, or a model whose shares do not match the groups.
    """
    if not groups:
        raise ValueError("need at least one length group")
    spans = {}
    for name, values in shares.items():
        if len(values) != len(groups):
            raise ValueError(f"{name} has {len(values)} shares for {len(groups)} length groups")
        known = [v for v in values if v is not None]
        if known:
            spans[name] = (float(min(known)), float(max(known)))
    return LengthEffect(int(groups[0][0]), int(groups[-1][1]), spans, float(margin))


@dataclass(frozen=True)
class BottleneckVerdict:
    """The character accuracy of a fixed-length-vector model and of an attention model on the shortest and
    the longest inputs (means over seeds, and the range over seeds on the longest), and the verdict:

    - ``"fixed_falls"``: the fixed-vector model loses at least ``margin`` more than attention from the shortest
      to the longest inputs, and on the longest its best seed is below attention's worst;
    - ``"flat"``: neither loses ``margin`` or more;
    - ``"attention_falls"``: attention loses at least ``margin`` more than the fixed-vector model;
    - ``"unclear"``: anything else (both fall alike, or the seeds overlap).
    """

    short: int
    long: int
    fixed_short: float
    fixed_long: float
    fixed_long_range: tuple[float, float]
    attention_short: float
    attention_long: float
    attention_long_range: tuple[float, float]
    margin: float
    verdict: str


def bottleneck_verdict(fixed: Sequence[LengthAccuracy], attention: Sequence[LengthAccuracy], *,
                       margin: float = 0.1) -> BottleneckVerdict:
    """Decide whether the fixed-length vector loses more with input length than attention does, from one
    :class:`LengthAccuracy` per seed for each model (all with the same groups); see :class:`BottleneckVerdict`.

    Raises
    ------
    ValueError
        For no results or results whose groups differ.
    """
    every = [*fixed, *attention]
    if not fixed or not attention:
        raise ValueError("need at least one result for each model")
    if any(r.groups != every[0].groups for r in every):
        raise ValueError("every result must have the same length groups")
    short, long = every[0].groups[0][0], every[0].groups[-1][1]

    def ends(results: Sequence[LengthAccuracy]) -> tuple[float, float, tuple[float, float]]:
        firsts = [r.characters[0] for r in results]
        lasts = [r.characters[-1] for r in results]
        return float(np.mean(firsts)), float(np.mean(lasts)), (float(min(lasts)), float(max(lasts)))

    f_short, f_long, f_range = ends(fixed)
    a_short, a_long, a_range = ends(attention)
    f_drop, a_drop = f_short - f_long, a_short - a_long
    if f_drop - a_drop >= margin and f_range[1] < a_range[0]:
        verdict = "fixed_falls"
    elif f_drop < margin and a_drop < margin:
        verdict = "flat"
    elif a_drop - f_drop >= margin:
        verdict = "attention_falls"
    else:
        verdict = "unclear"
    return BottleneckVerdict(short, long, f_short, f_long, f_range, a_short, a_long, a_range, float(margin),
                             verdict)


def draw_accuracy_by_length(results: Mapping[str, Sequence[LengthAccuracy]], *, width: float = 5.6,
                            lang: str | None = None) -> Any:
    """Two panels, stacked: the share of answer characters right and of whole answers right, against the input
    length, one colour per model and one line per seed (the first solid, the others dashed)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, axes = plt.subplots(2, 1, figsize=(width, 6.6), layout="constrained", sharex=True)
    styles = ["-", "--", ":", "-."]
    for k, (label, per_seed) in enumerate(results.items()):
        for s, r in enumerate(per_seed):
            x = [(lo + hi) / 2 for lo, hi in r.groups]
            for ax, values in zip(axes, (r.characters, r.answers)):
                ax.plot(x, 100 * np.asarray(values), color=COLORS[k % len(COLORS)], marker="o", markersize=4,
                        linestyle=styles[s % len(styles)], label=label if s == 0 else None)
    axes[0].set_ylabel(words("length.characters", lang))
    axes[1].set_ylabel(words("length.answers", lang))
    axes[1].set_xlabel(words("length.input", lang))
    for ax in axes:
        ax.set_ylim(-4, 104)
        ax.grid(True, alpha=0.3)
    axes[1].legend(loc="lower left")
    return fig


# --------------------------------------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------------------------------------

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "stacking": "the second LSTM layer",
        "dropout": "dropout",
        "tying": "weight tying",
        "removal_helps": "Without {name}, the best validation perplexity is {without:.0f} against {base:.0f} "
                         "(the mean over the seeds), higher on every seed: on this budget, {name} helps.",
        "removal_hurts": "Without {name}, the best validation perplexity is {without:.0f} against {base:.0f} "
                         "(the mean over the seeds), lower on every seed: on this budget, {name} hurts.",
        "removal_unclear": "Without {name}, the best validation perplexity is {without:.0f} against {base:.0f} "
                           "(the mean over the seeds), but the seeds disagree or differ by less than "
                           "{tolerance:.0f}%: this budget cannot tell whether {name} helps.",
        "gap_lead": "After the last pass, the models without dropout score {without:.0f}% worse on validation text "
                    "than on their own training text, those with dropout {with_:.0f}%",
        "gap_neither": "{lead}: both stay below the {threshold:.0f}% taken here as the sign of overfitting, so "
                       "there is nothing yet for dropout to correct.",
        "gap_without_only": "{lead}: without dropout the models have begun to overfit (a gap of {threshold:.0f}% "
                            "or more), with dropout they have not.",
        "gap_with_only": "{lead}: only the models with dropout fit their training text better than new text by "
                         "{threshold:.0f}% or more, so dropout has not kept that gap closed.",
        "gap_both": "{lead}: with and without dropout, the models fit their training text better than new text "
                    "by {threshold:.0f}% or more.",
        "length_flat": "From {short} to {long} characters, no model's share of right answers changes with the "
                       "length of the question by {margin:.0f} points or more: {spans}.",
        "length_varies": "The share of right answers changes with the length of the question by {margin:.0f} "
                         "points or more for {varying}: {spans}.",
        "span": "{name} {lo:.0f}–{hi:.0f}%",
        "and": "and",
        "span_equal": "{name} {value:.0f}% in every group",
        "conclusion_fixed_falls": "The bottleneck of section 8.1.1 is real, but it depends on how much the input "
                                  "carries rather than on how many characters spell it out: a date of any length "
                                  "fits into one vector, a long enough string of digits does not.",
        "conclusion_flat": "At these lengths and sizes, neither task shows the bottleneck of section 8.1.1.",
        "conclusion_attention_falls": "On this budget, the copying task does not show the bottleneck of section "
                                      "8.1.1 either.",
        "conclusion_unclear": "On this budget, the copying task does not show the bottleneck of section 8.1.1 "
                              "either.",
        "seed_range": "{lo:.0f}–{hi:.0f}% over the seeds",
        "seed_same": "on every seed",
        "bottleneck_fixed_falls": "The fixed-length vector is the bottleneck: the peeky seq2seq writes "
                                  "{fixed_short:.0f}% of the characters right for inputs of {short} digits but "
                                  "{fixed_long:.0f}% for {long} digits ({fixed_range}), while the attention model "
                                  "keeps {attention_long:.0f}% ({attention_range}) at {long} digits.",
        "bottleneck_flat": "Neither model loses {margin:.0f} points or more from {short} to {long} digits (the "
                           "peeky seq2seq {fixed_short:.0f}% and {fixed_long:.0f}% of the characters, the attention "
                           "model {attention_short:.0f}% and {attention_long:.0f}%): at these lengths the "
                           "fixed-length vector is not a bottleneck.",
        "bottleneck_attention_falls": "Here the attention model loses more with length than the fixed vector: "
                                      "from {short} to {long} digits it falls from {attention_short:.0f}% to "
                                      "{attention_long:.0f}% of the characters, the peeky seq2seq from "
                                      "{fixed_short:.0f}% to {fixed_long:.0f}%.",
        "bottleneck_unclear": "Both models lose accuracy with length, and the seeds overlap: from {short} to "
                              "{long} digits the peeky seq2seq falls from {fixed_short:.0f}% to "
                              "{fixed_long:.0f}% of the characters ({fixed_range}), the attention model from "
                              "{attention_short:.0f}% to {attention_long:.0f}% ({attention_range}); this budget "
                              "does not separate them.",
        "curves.unigram": "unigram model",
        "curves.valid": "validation perplexity",
        "curves.pass": "pass over the training slice",
        "curves.gap": "validation over\ntraining (%)",
        "length.characters": "characters right (%)",
        "length.answers": "answers right (%)",
        "length.input": "input length (characters)",
    },
    "ko": {
        "stacking": "두 번째 LSTM 계층",
        "dropout": "드롭아웃",
        "tying": "가중치 공유",
        "removal_helps": "{name} 없이 학습하면 최고 검증 퍼플렉서티(시드 평균)가 {base:.0f}에서 {without:.0f}까지 "
                         "올라가고, 모든 시드에서 높아진다. 이 학습 규모에서는 {name}의 효과가 있다.",
        "removal_hurts": "{name} 없이 학습하면 최고 검증 퍼플렉서티(시드 평균)가 {base:.0f}에서 {without:.0f}까지 "
                         "내려가고, 모든 시드에서 낮아진다. 이 학습 규모에서는 {name}의 역효과가 나타난다.",
        "removal_unclear": "{name} 없이 학습했을 때 최고 검증 퍼플렉서티(시드 평균)의 변화({base:.0f} → "
                           "{without:.0f})는 시드마다 방향이 다르거나 {tolerance:.0f}%보다 작다. 이 학습 규모로는 "
                           "{name}의 효과를 가릴 수 없다.",
        "gap_lead": "마지막 패스를 마친 뒤 드롭아웃이 없는 모델은 검증 텍스트에서 자신의 훈련 텍스트보다 "
                    "{without:.0f}% 나쁜 퍼플렉서티를 보이고, 드롭아웃이 있는 모델은 {with_:.0f}% 나쁜 퍼플렉서티를 "
                    "보인다",
        "gap_neither": "{lead}. 둘 다 여기서 과적합의 징후로 삼는 {threshold:.0f}%보다 작으므로, 드롭아웃이 "
                       "바로잡을 것이 아직 없다.",
        "gap_without_only": "{lead}. 드롭아웃이 없는 모델은 과적합이 시작되었고(차이 {threshold:.0f}% 이상), "
                            "드롭아웃이 있는 모델은 아직 그렇지 않다.",
        "gap_with_only": "{lead}. 드롭아웃이 있는 모델만 새 텍스트보다 훈련 텍스트에 {threshold:.0f}% 이상 더 잘 "
                         "맞으므로, 드롭아웃이 그 차이를 막지 못했다.",
        "gap_both": "{lead}. 드롭아웃이 있든 없든 모델은 새 텍스트보다 훈련 텍스트에 {threshold:.0f}% 이상 더 잘 "
                    "맞는다.",
        "length_flat": "{short}자에서 {long}자까지, 질문의 길이에 따라 정답 비율이 {margin:.0f}%포인트 이상 "
                       "달라지는 모델은 없다(모델별 범위: {spans}).",
        "length_varies": "{varying}에서는 질문의 길이에 따라 정답 비율이 {margin:.0f}%포인트 이상 달라진다"
                         "(모델별 범위: {spans}).",
        "span": "{name} {lo:.0f}–{hi:.0f}%",
        "and": "및",
        "span_equal": "{name} 모든 구간에서 {value:.0f}%",
        "conclusion_fixed_falls": "8.1.1절의 병목은 실재한다. 다만 그것은 입력을 적는 문자의 수가 아니라 입력이 "
                                  "담은 정보의 양에 달려 있다. 날짜는 길이와 상관없이 벡터 하나에 들어가지만, "
                                  "충분히 긴 숫자열은 들어가지 않는다.",
        "conclusion_flat": "이 길이와 크기에서는 두 과제 모두 8.1.1절의 병목을 보이지 않는다.",
        "conclusion_attention_falls": "이 학습 규모에서는 복사 과제도 8.1.1절의 병목을 보여 주지 않는다.",
        "conclusion_unclear": "이 학습 규모에서는 복사 과제도 8.1.1절의 병목을 보여 주지 않는다.",
        "seed_range": "시드에 따라 {lo:.0f}–{hi:.0f}%",
        "seed_same": "모든 시드에서",
        "bottleneck_fixed_falls": "고정 길이 벡터가 병목이다. 엿보기 seq2seq는 {short}자리 입력에서는 문자의 "
                                  "{fixed_short:.0f}%를 맞게 쓰지만 {long}자리 입력에서는 {fixed_long:.0f}%에 "
                                  "그친다({fixed_range}). 반면 어텐션 모델은 {long}자리에서도 "
                                  "{attention_long:.0f}%를 유지한다({attention_range}).",
        "bottleneck_flat": "{short}자리에서 {long}자리까지 {margin:.0f}%포인트 이상 정확도를 잃는 모델은 없다"
                           "(맞게 쓴 문자의 비율이 엿보기 seq2seq는 {fixed_short:.0f}%와 {fixed_long:.0f}%, "
                           "어텐션 모델은 {attention_short:.0f}%와 {attention_long:.0f}%). 이 길이에서는 고정 "
                           "길이 벡터가 병목이 아니다.",
        "bottleneck_attention_falls": "여기서는 어텐션 모델이 고정 벡터보다 길이에 따라 정확도를 더 많이 잃는다. "
                                      "{short}자리에서 {long}자리로 가면서 어텐션 모델이 맞게 쓴 문자의 비율은 "
                                      "{attention_short:.0f}%에서 {attention_long:.0f}%로, 엿보기 seq2seq는 "
                                      "{fixed_short:.0f}%에서 {fixed_long:.0f}%로 떨어진다.",
        "bottleneck_unclear": "두 모델 모두 길이에 따라 정확도를 잃고, 시드 사이의 범위도 겹친다. {short}자리에서 "
                              "{long}자리로 가면서 엿보기 seq2seq가 맞게 쓴 문자의 비율은 {fixed_short:.0f}%에서 "
                              "{fixed_long:.0f}%로({fixed_range}), 어텐션 모델은 {attention_short:.0f}%에서 "
                              "{attention_long:.0f}%로({attention_range}) 떨어진다. 이 학습 규모로는 두 모델을 "
                              "가려낼 수 없다.",
        "curves.unigram": "유니그램 모델",
        "curves.valid": "검증 퍼플렉서티",
        "curves.pass": "훈련 구간을 읽은 횟수",
        "curves.gap": "훈련 대비 검증의\n초과분(%)",
        "length.characters": "맞게 쓴 문자(%)",
        "length.answers": "맞힌 답(%)",
        "length.input": "입력 길이(문자 수)",
    },
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``); ``lang=None``: the
    page's language (``SCRATCHNLP_LANG``).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def improvement_name(improvement: str, lang: str | None = None) -> str:
    """The name of an improvement (``"stacking"``, ``"dropout"``, ``"tying"``) in ``lang``."""
    return say(TEMPLATES, improvement, lang)


def removal_text(r: Removal, lang: str | None = None) -> str:
    """The sentence for one :class:`Removal`."""
    return say(TEMPLATES, f"removal_{r.verdict}", lang, name=improvement_name(r.improvement, lang),
               without=r.without_mean, base=r.base_mean, tolerance=100 * r.tolerance)


def gap_text(g: FitGap, lang: str | None = None) -> str:
    """The sentence for a :class:`FitGap`."""
    lead = say(TEMPLATES, "gap_lead", lang, without=100 * g.without_dropout, with_=100 * g.with_dropout)
    return say(TEMPLATES, f"gap_{g.case}", lang, lead=lead, threshold=100 * g.threshold)


def length_effect_text(e: LengthEffect, lang: str | None = None) -> str:
    """The sentence for a :class:`LengthEffect`."""
    spans = []
    for name, (lo, hi) in e.spans.items():
        if round(100 * lo) == round(100 * hi):
            spans.append(say(TEMPLATES, "span_equal", lang, name=name, value=100 * lo))
        else:
            spans.append(say(TEMPLATES, "span", lang, name=name, lo=100 * lo, hi=100 * hi))
    if not e.varying:
        return say(TEMPLATES, "length_flat", lang, short=e.short, long=e.long, margin=100 * e.margin,
                   spans="; ".join(spans))
    return say(TEMPLATES, "length_varies", lang, margin=100 * e.margin, spans="; ".join(spans),
               varying=and_join(e.varying, say(TEMPLATES, "and", lang), lang=lang))


def bottleneck_conclusion(v: BottleneckVerdict, lang: str | None = None) -> str:
    """What chapter 8's page concludes about section 8.1.1's claim from a :class:`BottleneckVerdict` on the
    copying task (the page checks that the dates showed no length effect)."""
    return say(TEMPLATES, f"conclusion_{v.verdict}", lang)


def bottleneck_text(v: BottleneckVerdict, lang: str | None = None) -> str:
    """The sentence for a :class:`BottleneckVerdict`."""
    def spread(lo: float, hi: float) -> str:
        if round(100 * lo) == round(100 * hi):
            return say(TEMPLATES, "seed_same", lang)
        return say(TEMPLATES, "seed_range", lang, lo=100 * lo, hi=100 * hi)

    return say(TEMPLATES, f"bottleneck_{v.verdict}", lang, short=v.short, long=v.long,
               fixed_short=100 * v.fixed_short, fixed_long=100 * v.fixed_long,
               fixed_range=spread(*v.fixed_long_range), attention_short=100 * v.attention_short,
               attention_long=100 * v.attention_long, attention_range=spread(*v.attention_long_range),
               margin=100 * v.margin)
