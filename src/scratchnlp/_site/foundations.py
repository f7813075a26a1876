"""Chapters 1 to 3: the measurements behind the "why" of the review, count-based and word2vec pages.

Chapter 1 (neural networks, reviewed)

- :func:`difference_errors` and :func:`error_window`: how accurate finite-difference derivatives are, over a
  grid of steps and near the best step (section 1.3.2);
- :class:`Identity` and :func:`without_activation`: the two-layer network with its sigmoid taken out, so that the
  page can show what the non-linearity buys (sections 1.2 and 1.4); :func:`accuracy`;
- :func:`train_spiral`: one training run on the spiral data with the book's loop, or None when it diverged;
- :class:`ScaledLoss`: a model whose loss (and so every gradient) is multiplied by a constant, to show that Adam's
  steps do not depend on the gradients' scale while SGD's do (:func:`scale_verdict`);
- :func:`step_size_trace`: the per-element step multiplier ``lr / (sqrt(h) + eps)`` of AdaGrad or RMSprop after
  every iteration, and :func:`step_trend`, how it moved;
- :func:`hidden_size_verdict` and :func:`activation_verdict`: the decisions behind the chapter's sentences on the
  number of hidden units and on the sigmoid.

Chapter 2 (count-based word vectors)

- :class:`WordPairs`, :func:`known_pairs`, :func:`pair_cosines`, :func:`rho`, :func:`prefix_rhos`: Spearman's
  rho between the cosine similarities of word vectors and human similarity scores (WordSim-353, SimLex-999),
  computed from the rows that the pairs need only; :func:`rho_difference`: the paired bootstrap interval of the
  difference between two kinds of vectors; :func:`dimension_verdict`: raw counts, PPMI rows and truncated SVDs of
  growing rank compared;
- :func:`svd_products` and :func:`growth_verdict`: how the randomized SVD's time grows with the matrix, and how
  much of it the products with the big matrix take.

Chapter 3 (word2vec)

- :func:`loss_floor`: the lowest loss a model that sees only part of each sample can reach;
- :func:`context_roles`, :func:`role_groups`, :func:`group_cosines` and :func:`grouping_verdict`: which words
  play the same part in the training data, and how alike the vectors learned for them are at each hidden size;
- :func:`forward_backward`, :func:`step_seconds`, :func:`speed_comparison` and :func:`speed_verdict`: CBOW and
  skip-gram timed per training step on the toy sentence and at a real vocabulary size.

Decisions are language-neutral dataclasses; the sentences a page shows come from :data:`TEMPLATES` through the
``*_text`` functions, whose ``lang=None`` follows the page's language (``SCRATCHNLP_LANG``).
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._checks import as_generator
from ..evaluation import spearman
from ..gradcheck import numerical_gradient
from ..layers import Sigmoid
from ..layers.base import Layer
from ..optim import Optimizer
from ..training import NonFiniteLossError, Trainer, train_step
from .wording import say

__all__ = [
    # chapter 1
    "difference_errors",
    "ErrorWindow",
    "error_window",
    "Identity",
    "without_activation",
    "accuracy",
    "SpiralRun",
    "train_spiral",
    "ScaledLoss",
    "ScaleVerdict",
    "scale_verdict",
    "StepTrace",
    "step_size_trace",
    "StepTrend",
    "step_trend",
    "HiddenSizeVerdict",
    "hidden_size_verdict",
    "ActivationVerdict",
    "activation_verdict",
    # chapter 2
    "WordPairs",
    "known_pairs",
    "pair_cosines",
    "rho",
    "prefix_rhos",
    "RhoDifference",
    "rho_difference",
    "DimensionVerdict",
    "dimension_verdict",
    "svd_products",
    "GrowthVerdict",
    "growth_verdict",
    # chapter 3
    "loss_floor",
    "context_roles",
    "RoleGroups",
    "role_groups",
    "group_cosines",
    "GroupingVerdict",
    "grouping_verdict",
    "forward_backward",
    "step_seconds",
    "SpeedComparison",
    "speed_comparison",
    "SpeedVerdict",
    "speed_verdict",
    # wording
    "TEMPLATES",
    "hidden_size_text",
    "activation_text",
    "scale_text",
    "step_trend_text",
    "ppmi_gain_text",
    "dimension_text",
    "compromise_text",
    "growth_text",
    "grouping_text",
    "speed_text",
]


def _finite_positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not (math.isfinite(float(value)) and float(value) > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _vector(values: Any, name: str, *, min_size: int = 1) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size < min_size:
        raise ValueError(f"{name} must be a 1-D sequence of at least {min_size} numbers, got shape {array.shape}")
    return array


# --------------------------------------------------------------------------------------------------------
# Chapter 1: finite differences (section 1.3.2)
# --------------------------------------------------------------------------------------------------------


def difference_errors(
    f: Callable[[Any], Any],
    exact: float,
    x0: float,
    steps: Sequence[float],
    *,
    scheme: Literal["central", "forward"] = "central",
    dtype: Any = np.float64,
) -> np.ndarray:
    """Absolute error of a finite-difference derivative of ``f`` at ``x0``, one per step (chapter 1.3.2).

    Parameters
    ----------
    f : function of an array, returning an array of the same shape
        Evaluated element-wise (``scratchnlp.functions.sigmoid``, say).
    exact : float
        The exact derivative at ``x0``.
    x0 : float
    steps : (n,) sequence of float > 0
        The steps ``h``.
    scheme : ``"central"`` or ``"forward"``
        ``(f(x0 + h) - f(x0 - h)) / 2h``, computed by the library's
        :func:`scratchnlp.gradcheck.numerical_gradient`, or ``(f(x0 + h) - f(x0)) / h``.
    dtype : float dtype, default float64
        The precision of ``x0`` and of ``f``'s values.

    Returns
    -------
    (n,) float64 array
    """
    if scheme not in ("central", "forward"):
        raise ValueError(f"scheme must be 'central' or 'forward', got {scheme!r}")
    h_values = _vector(steps, "steps")
    if not np.all(np.isfinite(h_values) & (h_values > 0)):
        raise ValueError("steps must be finite numbers > 0")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype, got {dtype}")
    errors = np.empty(h_values.size)
    for i, h in enumerate(h_values):
        if scheme == "central":
            x = np.array([x0], dtype=dtype)
            derivative = numerical_gradient(lambda x=x: float(np.sum(f(x))), x, eps=float(h))[0]
        else:
            base = np.array([x0], dtype=dtype)
            moved = np.array([x0 + h], dtype=dtype)
            derivative = (float(np.sum(f(moved))) - float(np.sum(f(base)))) / float(h)
        errors[i] = abs(float(derivative) - float(exact))
    return errors


@dataclass(frozen=True)
class ErrorWindow:
    """The errors of a finite difference near its best step: the grid's smallest error ``best`` at step
    ``best_step``, and the largest error ``high`` among the ``n_points`` grid steps within a factor ``factor`` of
    ``best_step`` (the best point itself may be a lucky one; ``high`` says how good its neighbourhood is)."""

    best_step: float
    best: float
    high: float
    factor: float
    n_points: int


def error_window(steps: Sequence[float], errors: Sequence[float], factor: float = 10**0.5) -> ErrorWindow:
    """The best error over a grid of steps, and the worst error within ``factor`` of the best step.

    NaN errors (a difference that came out exactly zero, say) are ignored.

    Raises
    ------
    ValueError
        For steps and errors of different lengths, a factor below 1, or no finite error.
    """
    h = _vector(steps, "steps")
    e = _vector(errors, "errors")
    if h.shape != e.shape:
        raise ValueError(f"steps and errors must have the same length, got {h.size} and {e.size}")
    factor = _finite_positive(factor, "factor")
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    finite = np.isfinite(e)
    if not finite.any():
        raise ValueError("no finite error in errors")
    best = int(np.flatnonzero(finite)[np.argmin(e[finite])])
    near = finite & (h >= h[best] / factor * (1 - 1e-12)) & (h <= h[best] * factor * (1 + 1e-12))
    return ErrorWindow(float(h[best]), float(e[best]), float(e[near].max()), factor, int(near.sum()))


# --------------------------------------------------------------------------------------------------------
# Chapter 1: the network on the spiral
# --------------------------------------------------------------------------------------------------------


class Identity(Layer):
    """No activation at all: ``forward`` returns its input and ``backward`` its upstream gradient.

    Put in place of the sigmoid, it turns the two-layer network into two affine maps in a row, which compose into
    one affine map (chapter 1.2).
    """

    def __init__(self) -> None:
        super().__init__()
        self.shape: tuple[int, ...] | None = None

    def forward(self, x: Any) -> Any:
        self.shape = tuple(x.shape)
        return x

    def backward(self, dout: Any) -> Any:
        self._require_forward(self.shape)
        if tuple(dout.shape) != self.shape:
            raise ValueError(f"Identity dout must have the input's shape {self.shape}, got {tuple(dout.shape)}")
        return dout


def without_activation(model: Any) -> Any:
    """``model`` with every :class:`~scratchnlp.layers.Sigmoid` in ``model.layers`` replaced by :class:`Identity`.

    The model is changed in place and returned; its parameters are untouched (the sigmoid has none).

    Raises
    ------
    TypeError
        When the model has no list of ``layers``.
    ValueError
        When it has no sigmoid to replace.
    """
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list):
        raise TypeError(f"model must keep its layers in a list `layers`, got {type(model).__name__}")
    found = [i for i, layer in enumerate(layers) if isinstance(layer, Sigmoid)]
    if not found:
        raise ValueError(f"{type(model).__name__} has no Sigmoid layer to replace")
    for i in found:
        layers[i] = Identity()
    return model


def accuracy(model: Any, x: Any, t: Any) -> float:
    """The share of samples whose highest score is the right class; ``t`` is one-hot ``(N, C)`` or ids ``(N,)``."""
    scores = np.asarray(model.predict(x))
    labels = np.asarray(t)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)
    if scores.ndim != 2 or labels.ndim != 1 or labels.shape[0] != scores.shape[0]:
        raise ValueError(f"expected scores (N, C) and labels (N,) or (N, C), got {scores.shape} and {np.shape(t)}")
    if scores.shape[0] == 0:
        raise ValueError("accuracy needs at least one sample")
    return float((scores.argmax(axis=1) == labels).mean())


@dataclass(frozen=True)
class SpiralRun:
    """One training run: the trainer (its ``loss_list`` and ``history``), the training accuracy, the mean of the
    last ``tail`` recorded losses, and the first recorded iteration whose loss fell below a threshold (None: never,
    or no threshold asked)."""

    trainer: Trainer
    accuracy: float
    final_loss: float
    first_below: int | None


def train_spiral(
    model: Any,
    optimizer: Optimizer,
    x: Any,
    t: Any,
    *,
    max_epoch: int,
    batch_size: int,
    seed: int = 0,
    eval_interval: int = 10,
    threshold: float | None = None,
    tail: int = 10,
) -> SpiralRun | None:
    """Train with the book's :class:`~scratchnlp.training.Trainer` loop (chapter 1.4.4); None when it diverged.

    A learning rate so large that the loss or a gradient becomes NaN or infinite stops the run with
    :class:`~scratchnlp.training.NonFiniteLossError`; the comparison pages treat that as a run that lost.
    ``model`` may be a :class:`ScaledLoss`: the accuracy is the wrapped model's.
    """
    trainer = Trainer(model, optimizer, seed=seed)
    try:
        trainer.fit(x, t, max_epoch=max_epoch, batch_size=batch_size, eval_interval=eval_interval, progress=False)
    except NonFiniteLossError:
        return None
    losses = np.asarray(trainer.loss_list, dtype=np.float64)
    first_below = None
    if threshold is not None:
        below = np.flatnonzero(losses < threshold)
        first_below = int(trainer.history["iteration"][below[0]]) if below.size else None
    return SpiralRun(trainer, accuracy(model, x, t), float(losses[-tail:].mean()), first_below)


class ScaledLoss:
    """A model whose loss is ``scale`` times the wrapped model's, so every gradient is ``scale`` times larger.

    ``params`` and ``grads`` are the wrapped model's own lists, so training the wrapper trains the model;
    ``predict`` is the model's. Used to show which optimizers care about the scale of the gradients
    (beyond the book: Kingma and Ba's argument for Adam).

    Parameters
    ----------
    model : object with ``params``, ``grads``, ``predict``, ``forward(*batch)`` and ``backward(dout)``
    scale : float > 0
    """

    def __init__(self, model: Any, scale: float) -> None:
        if not all(hasattr(model, a) for a in ("params", "grads", "forward", "backward")):
            raise TypeError(f"model must have params, grads, forward and backward, got {type(model).__name__}")
        self.model = model
        self.scale = _finite_positive(scale, "scale")
        self.params = model.params
        self.grads = model.grads
        self.param_names = getattr(model, "param_names", None)

    def predict(self, x: Any) -> Any:
        return self.model.predict(x)

    def forward(self, *batch: Any) -> float:
        return self.scale * float(self.model.forward(*batch))

    def backward(self, dout: float = 1.0) -> Any:
        return self.model.backward(dout * self.scale)


@dataclass(frozen=True)
class ScaleVerdict:
    """How one optimizer did with the loss multiplied by each of ``scales``: the final full-data loss (of the
    unscaled model) and training accuracy, None where the run diverged. ``outcome`` is ``"indifferent"`` when
    no run diverged and the accuracies are within ``tol`` of each other, else ``"sensitive"``."""

    optimizer: str
    scales: tuple[float, ...]
    losses: tuple[float | None, ...]
    accuracies: tuple[float | None, ...]
    outcome: Literal["indifferent", "sensitive"]
    tol: float

    @property
    def diverged(self) -> tuple[float, ...]:
        return tuple(s for s, a in zip(self.scales, self.accuracies, strict=True) if a is None)


def scale_verdict(
    optimizer: str, runs: Mapping[float, tuple[float, float] | None], tol: float = 0.01
) -> ScaleVerdict:
    """Decide whether an optimizer's result depends on the scale of the loss.

    Parameters
    ----------
    optimizer : str
        Its name, as the text shows it.
    runs : mapping of scale to (final loss, accuracy), or None for a diverged run
    tol : float, default 0.01
        Accuracies within ``tol`` (one percentage point) count as the same.
    """
    if not runs:
        raise ValueError("need at least one scale")
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    scales = tuple(sorted(_finite_positive(s, "scale") for s in runs))
    losses = tuple(None if runs[s] is None else float(runs[s][0]) for s in scales)  # type: ignore[index]
    accs = tuple(None if runs[s] is None else float(runs[s][1]) for s in scales)  # type: ignore[index]
    finished = [a for a in accs if a is not None]
    indifferent = len(finished) == len(accs) and max(finished) - min(finished) <= tol
    return ScaleVerdict(optimizer, scales, losses, accs, "indifferent" if indifferent else "sensitive", float(tol))


@dataclass(frozen=True)
class StepTrace:
    """The per-element step multiplier ``lr / (sqrt(h) + eps)`` of an AdaGrad-like optimizer after each
    iteration: ``values[i, j]`` is its ``quantiles[j]`` quantile over every element of every parameter after
    iteration ``iterations[i]``."""

    name: str
    iterations: np.ndarray
    quantiles: tuple[float, ...]
    values: np.ndarray

    def quantile(self, q: float) -> np.ndarray:
        for j, known in enumerate(self.quantiles):
            if abs(known - q) < 1e-12:
                return self.values[:, j]
        raise ValueError(f"no quantile {q} in the trace; it has {self.quantiles}")


def step_size_trace(
    name: str,
    model: Any,
    optimizer: Optimizer,
    x: Any,
    t: Any,
    *,
    max_epoch: int,
    batch_size: int,
    seed: int = 0,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
) -> StepTrace:
    """Train like :class:`~scratchnlp.training.Trainer` (same shuffling for the same seed) and record, after every
    iteration, the quantiles of the step multiplier ``lr / (sqrt(h) + eps)`` over all parameter elements.

    ``h`` is the optimizer's per-element running sum (AdaGrad) or average (RMSprop) of squared gradients, read
    from its state; the actual step of an element is this multiplier times its gradient.

    Raises
    ------
    ValueError
        When the optimizer keeps no ``h`` (SGD, Momentum, Adam), for quantiles outside [0, 1], or for a batch
        size larger than the data.
    scratchnlp.training.NonFiniteLossError
        When the training diverges.
    """
    qs = tuple(float(q) for q in quantiles)
    if not qs or any(not 0 <= q <= 1 for q in qs):
        raise ValueError(f"quantiles must be numbers in [0, 1], got {quantiles!r}")
    if not hasattr(optimizer, "eps"):
        raise ValueError(f"{type(optimizer).__name__} keeps no running h of squared gradients (AdaGrad, RMSprop do)")
    n = len(x)
    if len(t) != n:
        raise ValueError(f"x and t must have the same number of samples, got {n} and {len(t)}")
    per_epoch = n // int(batch_size) if batch_size >= 1 else 0
    if per_epoch == 0:
        raise ValueError(f"batch_size must be between 1 and the number of samples {n}, got {batch_size!r}")
    rng = as_generator(seed)
    rows = []
    for _ in range(int(max_epoch)):
        order = rng.permutation(n)
        for it in range(per_epoch):
            batch = order[it * batch_size:(it + 1) * batch_size]
            train_step(model, optimizer, (x[batch], t[batch]))
            if not optimizer.state or "h" not in optimizer.state[0]:
                raise ValueError(f"{type(optimizer).__name__} keeps no running h of squared gradients")
            h = np.concatenate([np.asarray(s["h"], dtype=np.float64).ravel() for s in optimizer.state])
            rows.append(np.quantile(optimizer.lr / (np.sqrt(h) + optimizer.eps), qs))
    values = np.array(rows).reshape(-1, len(qs))
    return StepTrace(name, np.arange(1, len(rows) + 1), qs, values)


@dataclass(frozen=True)
class StepTrend:
    """How a step multiplier moved over training: its value at the first iteration (``start``), its lowest value
    (``low``, first reached at iteration ``low_iteration``) and its level at the end (``end``, the geometric mean
    of the last 5% of the iterations, so that one noisy iteration does not decide); ``fall = start / low`` and
    ``rise = end / low``; ``slope``: the slope of log(multiplier) against log(iteration) over the second half.
    ``outcome``: ``"recovers"`` when it rose again by more than ``factor`` from its lowest point, else
    ``"shrinks"`` when it ended more than ``factor`` below its start, else ``"steady"``."""

    name: str
    start: float
    low: float
    low_iteration: int
    end: float
    fall: float
    rise: float
    slope: float
    outcome: Literal["shrinks", "recovers", "steady"]
    factor: float


def step_trend(name: str, iterations: Sequence[float], values: Sequence[float], *, factor: float = 2.0) -> StepTrend:
    """Decide whether a step multiplier only shrank, shrank and recovered, or stayed within ``factor`` (see
    :class:`StepTrend`).

    Raises
    ------
    ValueError
        For series of different lengths or of fewer than 4 points, values or iterations that are not all > 0, or
        a factor below 1.
    """
    it = _vector(iterations, "iterations", min_size=4)
    v = _vector(values, "values", min_size=4)
    if it.shape != v.shape:
        raise ValueError(f"iterations and values must have the same length, got {it.size} and {v.size}")
    if not np.all((v > 0) & np.isfinite(v)) or not np.all(it > 0):
        raise ValueError("iterations and values must all be finite numbers > 0")
    factor = _finite_positive(factor, "factor")
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    lowest = int(np.argmin(v))
    start, low = float(v[0]), float(v[lowest])
    end = float(np.exp(np.log(v[-max(1, v.size // 20):]).mean()))
    half = it.size // 2
    slope = float(np.polyfit(np.log(it[half:]), np.log(v[half:]), 1)[0])
    outcome: Literal["shrinks", "recovers", "steady"] = (
        "recovers" if end / low > factor else "shrinks" if start / end > factor else "steady"
    )
    return StepTrend(name, start, low, int(it[lowest]), end, start / low, end / low, slope, outcome, factor)


@dataclass(frozen=True)
class HiddenSizeVerdict:
    """Training accuracy against the number of hidden units, over several seeds.

    ``mean``, ``low`` and ``high`` are the mean, smallest and largest accuracy of each size in ``sizes``;
    ``rising`` says whether the mean never falls by more than ``tol`` from one size to the next up to the
    ``reference`` size; ``beyond`` compares each larger size with the reference: ``"above"``, ``"level"`` (within
    ``tol``) or ``"below"``.
    """

    sizes: tuple[int, ...]
    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    n_seeds: int
    reference: int
    rising: bool
    beyond: tuple[tuple[int, Literal["above", "level", "below"]], ...]
    tol: float

    def of(self, size: int) -> tuple[float, float, float]:
        i = self.sizes.index(size)
        return self.mean[i], self.low[i], self.high[i]


def hidden_size_verdict(
    accuracies: Mapping[int, Sequence[float]], reference: int = 10, tol: float = 0.01
) -> HiddenSizeVerdict:
    """Decide how accuracy changes with the hidden size (exercise 1.1), from the accuracies of several seeds.

    Raises
    ------
    ValueError
        When ``reference`` is not among the sizes, a size has no accuracies, or the sizes have different
        numbers of seeds.
    """
    if reference not in accuracies:
        raise ValueError(f"the reference size {reference} must be among the sizes {sorted(accuracies)}")
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    sizes = tuple(sorted(int(s) for s in accuracies))
    runs = [_vector(accuracies[s], f"accuracies of size {s}") for s in sizes]
    if len({r.size for r in runs}) != 1:
        raise ValueError("every size needs the same number of seeds")
    mean = tuple(float(r.mean()) for r in runs)
    up_to = sizes.index(reference)
    rising = all(mean[i + 1] >= mean[i] - tol for i in range(up_to))
    beyond = []
    for i in range(up_to + 1, len(sizes)):
        diff = mean[i] - mean[up_to]
        beyond.append((sizes[i], "above" if diff > tol else "below" if diff < -tol else "level"))
    return HiddenSizeVerdict(sizes, mean, tuple(float(r.min()) for r in runs), tuple(float(r.max()) for r in runs),
                             int(runs[0].size), int(reference), rising, tuple(beyond), float(tol))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ActivationVerdict:
    """Training accuracies over seeds with no activation (``identity``) and with the sigmoid, beside the accuracy
    of guessing (``chance``). ``outcome``: ``"sigmoid_ahead"`` when every sigmoid run beats every run without,
    ``"identity_ahead"`` for the reverse, else ``"overlap"``."""

    identity: tuple[float, ...]
    sigmoid: tuple[float, ...]
    chance: float
    outcome: Literal["sigmoid_ahead", "identity_ahead", "overlap"]


def activation_verdict(identity: Sequence[float], sigmoid: Sequence[float], chance: float) -> ActivationVerdict:
    """Compare the network with and without its sigmoid (chapter 1.2) over the same seeds."""
    ident = _vector(identity, "identity")
    sig = _vector(sigmoid, "sigmoid")
    if not 0 < chance < 1:
        raise ValueError(f"chance must be a probability in (0, 1), got {chance!r}")
    if sig.min() > ident.max():
        outcome: Literal["sigmoid_ahead", "identity_ahead", "overlap"] = "sigmoid_ahead"
    elif ident.min() > sig.max():
        outcome = "identity_ahead"
    else:
        outcome = "overlap"
    return ActivationVerdict(tuple(map(float, ident)), tuple(map(float, sig)), float(chance), outcome)


# --------------------------------------------------------------------------------------------------------
# Chapter 2: word vectors against human similarity scores (section 2.4.5)
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordPairs:
    """The pairs of a word-similarity set whose two words are in the vocabulary: their ids (``first``,
    ``second``) and human scores, out of ``total`` pairs in the set."""

    name: str
    first: np.ndarray
    second: np.ndarray
    human: np.ndarray
    total: int

    @property
    def n(self) -> int:
        return int(self.human.size)


def known_pairs(name: str, pairs: Iterable[tuple[str, str, float]], word_to_id: Mapping[str, int]) -> WordPairs:
    """Keep the pairs (``word1, word2, score``, as :func:`scratchnlp.evaluation.load_word_pairs` reads them)
    whose two words are in ``word_to_id``.

    Raises
    ------
    ValueError
        When fewer than 3 pairs are left (a rank correlation needs a few).
    """
    pairs = list(pairs)
    kept = [(word_to_id[a], word_to_id[b], float(s)) for a, b, s in pairs if a in word_to_id and b in word_to_id]
    if len(kept) < 3:
        raise ValueError(f"only {len(kept)} of the {len(pairs)} pairs of {name} have both words in the vocabulary; "
                         "need at least 3")
    first, second, human = (np.array(column) for column in zip(*kept, strict=True))
    return WordPairs(name, first.astype(np.int64), second.astype(np.int64), human.astype(np.float64), len(pairs))


def _pair_rows(word_matrix: Any, pairs: WordPairs) -> tuple[np.ndarray, np.ndarray]:
    if getattr(word_matrix, "ndim", None) != 2:
        raise ValueError(f"word_matrix must be a (V, D) matrix, got shape {getattr(word_matrix, 'shape', None)}")
    top = int(max(pairs.first.max(), pairs.second.max()))
    if top >= word_matrix.shape[0]:
        raise ValueError(f"word_matrix has {word_matrix.shape[0]} rows, but the pairs use word id {top}")
    return (np.asarray(word_matrix[pairs.first], dtype=np.float64),
            np.asarray(word_matrix[pairs.second], dtype=np.float64))


def pair_cosines(word_matrix: Any, pairs: WordPairs) -> np.ndarray:
    """The cosine similarity of each pair's two rows (chapter 2.3.5), in float64; a zero row gives 0.

    Only the rows the pairs use are read, so a (V, V) count matrix of integers works as it is.
    """
    a, b = _pair_rows(word_matrix, pairs)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dots = (a * b).sum(axis=1)
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def rho(word_matrix: Any, pairs: WordPairs) -> float:
    """Spearman's rho between the pairs' cosine similarities and the human scores."""
    return spearman(pair_cosines(word_matrix, pairs), pairs.human)


def prefix_rhos(U: Any, ks: Sequence[int], pairs: WordPairs) -> np.ndarray:
    """Spearman's rho of the vectors ``U[:, :k]`` for each ``k``: the first ``k`` columns of a truncated SVD are the
    rank-``k`` truncation, so one decomposition gives every smaller size.

    Raises
    ------
    ValueError
        For a k outside ``1..U.shape[1]``.
    """
    a, b = _pair_rows(U, pairs)
    out = []
    for k in ks:
        if isinstance(k, bool) or int(k) != k or not 1 <= k <= a.shape[1]:
            raise ValueError(f"every k must be an int in 1..{a.shape[1]}, got {k!r}")
        ak, bk = a[:, :k], b[:, :k]
        norms = np.linalg.norm(ak, axis=1) * np.linalg.norm(bk, axis=1)
        dots = (ak * bk).sum(axis=1)
        out.append(spearman(np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0), pairs.human))
    return np.array(out)


@dataclass(frozen=True)
class RhoDifference:
    """``rho_a - rho_b`` on the same pairs, and its ``level`` bootstrap interval (``low``, ``high``) from
    resampling the pairs. ``outcome``: ``"ahead"`` when the interval lies above 0, ``"behind"`` below, else
    ``"unclear"``."""

    rho_a: float
    rho_b: float
    low: float
    high: float
    level: float

    @property
    def value(self) -> float:
        return self.rho_a - self.rho_b

    @property
    def outcome(self) -> Literal["ahead", "behind", "unclear"]:
        return "ahead" if self.low > 0 else "behind" if self.high < 0 else "unclear"


def rho_difference(
    cos_a: Sequence[float], cos_b: Sequence[float], human: Sequence[float], *, n_boot: int = 1000,
    level: float = 0.9, seed: int = 0,
) -> RhoDifference:
    """The difference of two methods' Spearman correlations with the same human scores, with a paired
    bootstrap interval: the pairs are drawn with replacement ``n_boot`` times and both correlations recomputed on
    each draw, so the interval reflects how much the difference depends on which pairs the set happens to hold.

    Raises
    ------
    ValueError
        For sequences of different lengths or of fewer than 3 pairs, ``n_boot < 10`` or a level outside (0, 1).
    """
    a, b, h = (_vector(v, name, min_size=3) for v, name in ((cos_a, "cos_a"), (cos_b, "cos_b"), (human, "human")))
    if not a.shape == b.shape == h.shape:
        raise ValueError(f"cos_a, cos_b and human must have the same length, got {a.size}, {b.size}, {h.size}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 10:
        raise ValueError(f"n_boot must be an int >= 10, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    rng = as_generator(seed)
    draws = rng.integers(0, h.size, size=(n_boot, h.size))
    diffs = np.array([spearman(a[i], h[i]) - spearman(b[i], h[i]) for i in draws])
    diffs = diffs[np.isfinite(diffs)]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return RhoDifference(spearman(a, h), spearman(b, h), float(low), float(high), float(level))


@dataclass(frozen=True)
class DimensionVerdict:
    """Raw counts, PPMI rows and truncated SVDs of growing rank ``ks`` on one similarity set.

    ``mean``, ``low``, ``high``: the SVD's rho at each k, mean and range over the seeds of the randomized SVD.
    ``plateau_k``: the smallest k whose mean is within ``tie`` of the best mean (``best`` at ``best_k``), and
    ``plateau_low``: the lowest mean from there on; ``seed_spread``: the largest range over the seeds at one k.
    ``ppmi_vs_raw``: PPMI rows minus raw counts; ``svd_vs_ppmi``: the SVD at ``reference_k`` minus PPMI rows.
    """

    dataset: str
    n_pairs: int
    total: int
    ks: tuple[int, ...]
    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    raw: float
    ppmi: float
    plateau_k: int
    plateau_low: float
    best_k: int
    best: float
    seed_spread: float
    tie: float
    reference_k: int
    ppmi_vs_raw: RhoDifference
    svd_vs_ppmi: RhoDifference
    vocab_size: int

    @property
    def wiggle(self) -> float:
        """How far the mean falls below its best beyond the start of the plateau."""
        return self.best - self.plateau_low

    @property
    def reference_position(self) -> Literal["on_plateau", "before_plateau"]:
        return "on_plateau" if self.reference_k >= self.plateau_k else "before_plateau"


def dimension_verdict(
    pairs: WordPairs,
    ks: Sequence[int],
    rhos: Any,
    *,
    raw: float,
    ppmi: float,
    ppmi_vs_raw: RhoDifference,
    svd_vs_ppmi: RhoDifference,
    reference_k: int,
    vocab_size: int,
    tie: float = 0.03,
) -> DimensionVerdict:
    """Summarise the sweep over SVD ranks (chapter 2.4.5): where the curve levels off and how it compares with
    the rows it compresses.

    Parameters
    ----------
    pairs : WordPairs
    ks : (n_k,) increasing ints
    rhos : (n_seeds, n_k) array
        Spearman's rho at each k, one row per seed of the randomized SVD.
    raw, ppmi : float
        Spearman's rho of the raw co-occurrence rows and of the PPMI rows.
    ppmi_vs_raw, svd_vs_ppmi : RhoDifference
    reference_k : int
        The book's number of dimensions; must be one of ``ks``.
    vocab_size : int
        V, the length of a PPMI row.
    tie : float, default 0.03
    """
    ks_t = tuple(int(k) for k in ks)
    if not ks_t or list(ks_t) != sorted(set(ks_t)):
        raise ValueError(f"ks must be increasing, got {ks!r}")
    table = np.asarray(rhos, dtype=np.float64)
    if table.ndim == 1:
        table = table[None, :]
    if table.ndim != 2 or table.shape[1] != len(ks_t):
        raise ValueError(f"rhos must have shape (n_seeds, {len(ks_t)}), got {np.shape(rhos)}")
    if reference_k not in ks_t:
        raise ValueError(f"reference_k {reference_k} must be one of ks {ks_t}")
    if not (isinstance(tie, (int, float)) and tie >= 0):
        raise ValueError(f"tie must be a number >= 0, got {tie!r}")
    mean = table.mean(axis=0)
    best = int(np.argmax(mean))
    plateau = int(np.flatnonzero(mean >= mean[best] - tie)[0])
    return DimensionVerdict(
        pairs.name, pairs.n, pairs.total, ks_t, tuple(map(float, mean)), tuple(map(float, table.min(axis=0))),
        tuple(map(float, table.max(axis=0))), float(raw), float(ppmi), ks_t[plateau], float(mean[plateau:].min()),
        ks_t[best], float(mean[best]), float(np.ptp(table, axis=0).max()), float(tie), int(reference_k), ppmi_vs_raw,
        svd_vs_ppmi, int(vocab_size),
    )


def svd_products(M: Any, columns: int, n_iter: int, *, seed: int = 0) -> Any:
    """The products with ``M`` that :func:`scratchnlp.text.randomized_svd` makes, without the rest of its work.

    ``randomized_svd(M, k, n_oversamples, n_iter)`` multiplies the ``(n, n)`` matrix (or its transpose) by a thin
    block of ``columns = k + n_oversamples`` columns ``2 + 2 * n_iter`` times; this makes the same products with
    one fixed random block, so that timing it separates the ``O(n^2 columns)`` products from the
    orthonormalisations and the small SVD. Returns the last product.
    """
    if getattr(M, "ndim", None) != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M must be a square matrix, got shape {getattr(M, 'shape', None)}")
    if isinstance(columns, bool) or not isinstance(columns, int) or not 1 <= columns <= M.shape[0]:
        raise ValueError(f"columns must be an int in 1..{M.shape[0]}, got {columns!r}")
    if isinstance(n_iter, bool) or not isinstance(n_iter, int) or n_iter < 0:
        raise ValueError(f"n_iter must be an int >= 0, got {n_iter!r}")
    block = as_generator(seed).standard_normal((M.shape[0], columns)).astype(M.dtype)
    out = M @ block
    for _ in range(n_iter):
        np.matmul(M.T, block, out=out)
        np.matmul(M, block, out=out)
    return block.T @ M


@dataclass(frozen=True)
class GrowthVerdict:
    """How a randomized SVD's time grew over matrix sizes ``ns``: the fitted exponent ``p`` of ``time ~ n^p``,
    against ``expected``; the same for its products with the matrix alone (``product_exponent``) and for the rest
    (``rest_exponent``); and the products' share of the time at the smallest and the largest size.
    ``outcome``: ``"noisy"`` when the times (of the whole or of the products) do not grow with n, so that no
    exponent means anything (a busy machine); else ``"slower"``, ``"faster"`` or ``"as_expected"`` (within ``tol``
    of ``expected``)."""

    ns: tuple[int, ...]
    times: tuple[float, ...]
    exponent: float
    expected: float
    product_exponent: float
    rest_exponent: float
    share_small: float
    share_large: float
    outcome: Literal["noisy", "slower", "faster", "as_expected"]
    tol: float


def _slope(ns: np.ndarray, ts: np.ndarray) -> float:
    return float(np.polyfit(np.log(ns), np.log(ts), 1)[0])


def growth_verdict(
    ns: Sequence[int], times: Sequence[float], product_times: Sequence[float], *, expected: float = 2.0,
    tol: float = 0.25,
) -> GrowthVerdict:
    """Fit ``time ~ n^p`` to the randomized SVD's times and to its products' times (see :func:`svd_products`).

    The rest is ``times - product_times``, floored at 1% of the time (a product timed slower than the whole on a
    busy machine would otherwise give a negative rest).

    Raises
    ------
    ValueError
        For fewer than 2 sizes, series of different lengths, or times that are not > 0.
    """
    n = _vector(ns, "ns", min_size=2)
    t = _vector(times, "times", min_size=2)
    p = _vector(product_times, "product_times", min_size=2)
    if not n.shape == t.shape == p.shape:
        raise ValueError(f"ns, times and product_times must have the same length, got {n.size}, {t.size}, {p.size}")
    if not (np.all(n > 0) and np.all(t > 0) and np.all(p > 0)):
        raise ValueError("sizes and times must be > 0")
    rest = np.maximum(t - p, 0.01 * t)
    exponent = _slope(n, t)
    order = np.argsort(n)
    growing = bool(np.all(np.diff(t[order]) > 0) and np.all(np.diff(p[order]) > 0))
    outcome: Literal["noisy", "slower", "faster", "as_expected"] = (
        "noisy" if not growing else
        "slower" if exponent < expected - tol else "faster" if exponent > expected + tol else "as_expected"
    )
    share = np.minimum(p / t, 1.0)
    return GrowthVerdict(tuple(int(v) for v in n), tuple(map(float, t)), exponent, float(expected), _slope(n, p),
                         _slope(n, rest), float(share[0]), float(share[-1]), outcome, float(tol))


# --------------------------------------------------------------------------------------------------------
# Chapter 3: what the toy models can learn
# --------------------------------------------------------------------------------------------------------


def loss_floor(pairs: Iterable[tuple[Hashable, Hashable]], n_samples: int) -> float:
    """The lowest mean loss over ``n_samples`` of a predictor of each pair's ``outcome`` that sees only its
    ``condition`` (chapter 3.5.1).

    ``pairs`` lists ``(condition, outcome)``. For each condition the best prediction is the empirical distribution
    of its outcomes, and the cross-entropy it reaches is their entropy; the entropies, weighted by how often each
    condition occurs, are summed and divided by ``n_samples`` (for skip-gram, every sample gives several pairs).
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be an int >= 1, got {n_samples!r}")
    outcomes: dict[Hashable, Counter[Hashable]] = defaultdict(Counter)
    for condition, outcome in pairs:
        outcomes[condition][outcome] += 1
    if not outcomes:
        raise ValueError("need at least one (condition, outcome) pair")
    total = 0.0
    for counts in outcomes.values():
        n = np.array(list(counts.values()), dtype=np.float64)
        total -= float((n * np.log(n / n.sum())).sum())
    return total / int(n_samples)


def context_roles(contexts: Any, target: Any, vocab_size: int) -> np.ndarray:
    """``R[w, t]``: how many times word ``w`` is a context word of a sample whose target is ``t`` (chapter 3.3).

    A word's row says which predictions its input vector takes part in, so words with proportional rows receive
    proportional gradients in CBOW.
    """
    ctx = np.asarray(contexts)
    tgt = np.asarray(target)
    if ctx.ndim != 2 or tgt.ndim != 1 or ctx.shape[0] != tgt.shape[0]:
        raise ValueError(f"expected contexts (N, C) and target (N,), got {ctx.shape} and {tgt.shape}")
    if ctx.dtype.kind not in "iu" or tgt.dtype.kind not in "iu":
        raise ValueError("contexts and target must be integer word ids")
    V = int(vocab_size)
    if ctx.size and (ctx.min() < 0 or ctx.max() >= V or tgt.min() < 0 or tgt.max() >= V):
        raise ValueError(f"word ids must lie in [0, {V})")
    roles = np.zeros((V, V), dtype=np.int64)
    np.add.at(roles, (ctx.ravel(), np.repeat(tgt, ctx.shape[1])), 1)
    return roles


@dataclass(frozen=True)
class RoleGroups:
    """Pairs of words (ids, smaller first) sorted by how alike their rows of :func:`context_roles` are:
    ``identical`` (cosine 1: the same predictions in the same proportions), ``shared`` (some in common) and
    ``disjoint`` (none in common). Words that are never a context are left out."""

    identical: tuple[tuple[int, int], ...]
    shared: tuple[tuple[int, int], ...]
    disjoint: tuple[tuple[int, int], ...]

    def groups(self) -> dict[str, tuple[tuple[int, int], ...]]:
        return {"identical": self.identical, "shared": self.shared, "disjoint": self.disjoint}


def role_groups(roles: Any) -> RoleGroups:
    """Sort every pair of words by the cosine of their role rows (see :class:`RoleGroups`)."""
    R = np.asarray(roles, dtype=np.float64)
    if R.ndim != 2:
        raise ValueError(f"roles must be a (V, V) matrix, got shape {R.shape}")
    used = np.flatnonzero(R.sum(axis=1) > 0)
    unit = R[used] / np.linalg.norm(R[used], axis=1, keepdims=True)
    cos = unit @ unit.T
    out: dict[str, list[tuple[int, int]]] = {"identical": [], "shared": [], "disjoint": []}
    for i in range(used.size):
        for j in range(i + 1, used.size):
            c = cos[i, j]
            key = "identical" if c > 1 - 1e-9 else "disjoint" if c < 1e-9 else "shared"
            out[key].append((int(used[i]), int(used[j])))
    return RoleGroups(tuple(out["identical"]), tuple(out["shared"]), tuple(out["disjoint"]))


def group_cosines(word_vecs: Any, groups: RoleGroups) -> dict[str, float]:
    """The mean cosine similarity of the learned vectors over the pairs of each group (NaN for an empty group)."""
    W = np.asarray(word_vecs, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"word_vecs must be a (V, H) matrix, got shape {W.shape}")
    norms = np.linalg.norm(W, axis=1)
    unit = W / np.where(norms > 0, norms, 1.0)[:, None]
    out = {}
    for name, pairs in groups.groups().items():
        out[name] = float(np.mean([unit[i] @ unit[j] for i, j in pairs])) if pairs else math.nan
    return out


@dataclass(frozen=True)
class GroupingVerdict:
    """The learned vectors' cosines per group of :class:`RoleGroups`, across hidden sizes and seeds.

    ``identical_min``: the smallest mean cosine of the identical pairs over every size and seed, and
    ``together``: whether it stays at or above ``threshold``. ``shared_first`` / ``shared_last``: the shared
    pairs' mean cosine (over seeds) at the smallest and the largest size; ``shared_outcome``: ``"falls"``,
    ``"rises"`` (by more than ``margin``) or ``"flat"``.
    """

    sizes: tuple[int, ...]
    identical_min: float
    together: bool
    threshold: float
    shared_first: float
    shared_last: float
    shared_outcome: Literal["falls", "rises", "flat"]
    disjoint_first: float
    disjoint_last: float
    margin: float


def grouping_verdict(
    sizes: Sequence[int], cosines: Mapping[str, Any], *, threshold: float = 0.99, margin: float = 0.1
) -> GroupingVerdict:
    """Decide what the hidden size does to the grouping of words (chapter 3.2).

    Parameters
    ----------
    sizes : (n_sizes,) increasing ints
    cosines : mapping with ``"identical"``, ``"shared"`` and ``"disjoint"``, each an (n_seeds, n_sizes) array
        of :func:`group_cosines` results.
    threshold : float, default 0.99
    margin : float, default 0.1
    """
    s = tuple(int(v) for v in sizes)
    if len(s) < 2 or list(s) != sorted(set(s)):
        raise ValueError(f"sizes must be at least two increasing ints, got {sizes!r}")
    tables = {}
    for key in ("identical", "shared", "disjoint"):
        if key not in cosines:
            raise ValueError(f"cosines needs {key!r}")
        table = np.asarray(cosines[key], dtype=np.float64)
        if table.ndim != 2 or table.shape[1] != len(s):
            raise ValueError(f"cosines[{key!r}] must have shape (n_seeds, {len(s)}), got {table.shape}")
        tables[key] = table
    shared = tables["shared"].mean(axis=0)
    disjoint = tables["disjoint"].mean(axis=0)
    identical_min = float(tables["identical"].min())
    change = shared[-1] - shared[0]
    outcome: Literal["falls", "rises", "flat"] = (
        "falls" if change < -margin else "rises" if change > margin else "flat"
    )
    return GroupingVerdict(s, identical_min, identical_min >= threshold, float(threshold), float(shared[0]),
                           float(shared[-1]), outcome, float(disjoint[0]), float(disjoint[-1]), float(margin))


def forward_backward(model: Any, *batch: Any) -> float:
    """One forward and one backward pass, no update; returns the loss (what a training step costs, optimizer
    aside)."""
    loss = model.forward(*batch)
    model.backward()
    return float(loss)


def step_seconds(model: Any, *batch: Any, repeat: int = 5, number: int = 1) -> float:
    """The fastest, over ``repeat`` rounds, of the mean time of ``number`` forward-backward passes, in seconds."""
    for name, value in (("repeat", repeat), ("number", number)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            forward_backward(model, *batch)
        best = min(best, (time.perf_counter() - start) / number)
    return best


@dataclass(frozen=True)
class SpeedComparison:
    """Two timings of the same work: ``ratio = seconds_b / seconds_a``; ``outcome`` says which was faster, or
    ``"level"`` when they are within ``tol`` (relative) of each other."""

    a: str
    seconds_a: float
    b: str
    seconds_b: float
    ratio: float
    outcome: Literal["a_faster", "b_faster", "level"]
    tol: float


def speed_comparison(a: str, seconds_a: float, b: str, seconds_b: float, tol: float = 0.1) -> SpeedComparison:
    """Compare two timings; differences within ``tol`` (10%) of the faster one count as level."""
    ta, tb = _finite_positive(seconds_a, "seconds_a"), _finite_positive(seconds_b, "seconds_b")
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    ratio = tb / ta
    outcome: Literal["a_faster", "b_faster", "level"] = (
        "a_faster" if ratio > 1 + tol else "b_faster" if ratio < 1 / (1 + tol) else "level"
    )
    return SpeedComparison(a, ta, b, tb, ratio, outcome, float(tol))


@dataclass(frozen=True)
class SpeedVerdict:
    """CBOW (``a``) against skip-gram (``b``) on the toy data and at a real vocabulary size. ``outcome``:
    ``"size_dependent"`` (skip-gram faster on the toy data, slower at the large size), ``"slower_when_large"``
    (level on the toy data, slower at the large size), ``"always_slower"``, or ``"never_slower"`` (skip-gram not
    slower at the large size)."""

    toy: SpeedComparison
    large: SpeedComparison
    outcome: Literal["size_dependent", "slower_when_large", "always_slower", "never_slower"]


def speed_verdict(toy: SpeedComparison, large: SpeedComparison) -> SpeedVerdict:
    """Combine the two comparisons (``b`` is skip-gram in both)."""
    if (toy.a, toy.b) != (large.a, large.b):
        raise ValueError(f"both comparisons must time the same two models, got {toy.a}/{toy.b} and "
                         f"{large.a}/{large.b}")
    outcome: Literal["size_dependent", "slower_when_large", "always_slower", "never_slower"]
    if large.outcome != "a_faster":
        outcome = "never_slower"
    elif toy.outcome == "a_faster":
        outcome = "always_slower"
    elif toy.outcome == "level":
        outcome = "slower_when_large"
    else:
        outcome = "size_dependent"
    return SpeedVerdict(toy, large, outcome)


# --------------------------------------------------------------------------------------------------------
# Wording (one template set per language)
# --------------------------------------------------------------------------------------------------------

#: The sentences of chapters 1 to 3, by language; the ``*_text`` functions fill their named placeholders.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "list.two": "{a} and {b}",
        "list.many": "{head} and {last}",
        "hidden.rising": "Over {n_seeds} seeds, the mean training accuracy rises from {first:.1%} with {first_size} "
                         "units to {ref:.1%} with {reference}.",
        "hidden.not_rising": "Over {n_seeds} seeds, the mean training accuracy does not rise steadily up to "
                             "{reference} units: {listing}.",
        "hidden.item": "{acc:.1%} with {size}",
        "hidden.above": "{size} units reach {acc:.1%} ({low:.1%} to {high:.1%}), more than the {reference}-unit "
                        "network's {ref:.1%}: the extra units still help.",
        "hidden.level": "{size} units reach {acc:.1%} ({low:.1%} to {high:.1%} over the seeds), level with the "
                        "{reference}-unit network's {ref:.1%} (the means differ by {diff_pp:+.1f} percentage "
                        "points, less than the {tol_pp:g}-point tolerance): beyond {reference} units, more units "
                        "buy nothing measurable on these {n_points} points.",
        "hidden.below": "{size} units reach {acc:.1%} ({low:.1%} to {high:.1%}), less than the {reference}-unit "
                        "network's {ref:.1%}: here the extra units did not help.",
        "activation.sigmoid_ahead": "Without the sigmoid, the network classifies {id_low:.1%} to {id_high:.1%} of "
                                    "the points over {n} seeds (guessing would give {chance:.1%}), against "
                                    "{sg_low:.1%} to {sg_high:.1%} with it.",
        "activation.overlap": "Without the sigmoid, the network classifies {id_low:.1%} to {id_high:.1%} of the "
                              "points over {n} seeds, and {sg_low:.1%} to {sg_high:.1%} with it: the ranges "
                              "overlap, so these runs do not show what the non-linearity buys.",
        "activation.identity_ahead": "Without the sigmoid, the network classifies {id_low:.1%} to {id_high:.1%} "
                                     "of the points over {n} seeds, more than the {sg_low:.1%} to {sg_high:.1%} it "
                                     "reaches with it.",
        "scale.indifferent": "{optimizer} ends at the same place whatever the scale: a training accuracy of "
                             "{low:.1%} to {high:.1%} and a loss of {loss_low:.3f} to {loss_high:.3f}.",
        "scale.indifferent_same": "{optimizer} ends at the same place whatever the scale: a training accuracy "
                                  "of {low:.1%} at every scale and a loss of {loss_low:.3f} to {loss_high:.3f}.",
        "scale.sensitive": "{optimizer}'s result depends on the scale: {items}.",
        "scale.item": "× {scale:g} gives {acc:.1%} (loss {loss:.3f})",
        "scale.diverged": "× {scale:g} makes the loss infinite",
        "step.shrinks": "{name}'s median multiplier fell by a factor of {fall:,.1f} from the first iteration to "
                        "the last",
        "step.recovers": "{name}'s median multiplier fell by a factor of {fall:,.1f} until iteration "
                         "{low_iteration:,} and then rose again by a factor of {rise:,.1f}",
        "step.steady": "{name}'s median multiplier stayed within a factor of {factor:g} of its first value (it ended "
                       "at {ratio:.2f} times that value)",
        "step.join": "{first}, while {second}.",
        "step.why": " {second_name}'s h forgets old gradients, so its multiplier follows the size of the recent "
                    "ones, which shrank as the loss fell. {first_name}'s h keeps every old gradient, so its "
                    "multiplier kept falling; over the second half of training it fell like t^{slope:.2f}, more "
                    "slowly than the t^-0.5 that gradients of constant size would give, for the same reason.",
        "ppmi.ahead": "On the {n:,} pairs of {dataset} whose two words are in the vocabulary (of {total:,}), PPMI rows "
                      "agree better with the human scores than raw counts: ρ = {ppmi:.2f} against {raw:.2f}, and "
                      "the {level:.0%} bootstrap interval of the difference, {low:+.2f} to {high:+.2f}, lies "
                      "above zero.",
        "ppmi.unclear": "On the {n:,} pairs of {dataset} whose two words are in the vocabulary (of {total:,}), PPMI "
                        "rows reach ρ = {ppmi:.2f} against {raw:.2f} for raw counts, but the {level:.0%} bootstrap "
                        "interval of the difference, {low:+.2f} to {high:+.2f}, includes zero: these pairs alone "
                        "cannot tell the two apart.",
        "ppmi.behind": "On the {n:,} pairs of {dataset} whose two words are in the vocabulary (of {total:,}), raw "
                       "counts agree better with the human scores than PPMI rows: ρ = {raw:.2f} against {ppmi:.2f} "
                       "(the {level:.0%} bootstrap interval of the difference, {low:+.2f} to {high:+.2f}, lies "
                       "below zero).",
        "dim.plateau": "The SVD vectors' ρ rises with k up to about {plateau_k} dimensions; from there to {k_max} "
                       "it stays between {low:.2f} and {best:.2f} (the best, at k = {best_k}).",
        "dim.rising": "The SVD vectors' ρ is still rising at the largest k tried, {plateau_k}, where it reaches "
                      "{best:.2f}.",
        "dim.ahead": "At the book's {k} dimensions they are ahead of the full PPMI rows ({diff:+.2f}, interval "
                     "{low:+.2f} to {high:+.2f}).",
        "dim.unclear": "At the book's {k} dimensions they are level with the full PPMI rows within the noise "
                       "({diff:+.2f}, interval {low:+.2f} to {high:+.2f}): the compression keeps what the "
                       "{vocab:,}-long rows know in {fraction:.0%} of the numbers, rather than adding to it.",
        "dim.behind": "At the book's {k} dimensions they fall below the full PPMI rows ({diff:+.2f}, interval "
                      "{low:+.2f} to {high:+.2f}): on this set the compression loses some of what the rows know.",
        "compromise.on_plateau": "By the similarity scores of {sets}, {k} is not a balance point between detail "
                                 "and noise: the curves level off from about {plateau} dimensions, and beyond that "
                                 "ρ moves by at most {wiggle:.2f}, no more than the seeds of the randomized SVD "
                                 "alone move it ({spread:.2f}). {k} sits on that plateau, where more or fewer "
                                 "dimensions make no measurable difference.",
        "compromise.uneven_plateau": "By the similarity scores of {sets}, the curves level off from about {plateau} "
                                     "dimensions, but beyond that ρ still moves by up to {wiggle:.2f}, more than the "
                                     "seeds of the randomized SVD alone move it ({spread:.2f}): {k} lies on the "
                                     "plateau, not necessarily at its best point.",
        "compromise.before_plateau": "By the similarity scores of {sets}, {k} dimensions are fewer than the curves "
                                     "need: they level off only at about {plateau}.",
        "growth.slower": "Between these sizes the randomized SVD's time grows like n^{p:.1f}, more slowly than "
                         "the n² of its products with the big matrix. Those products alone grow like n^{q:.1f}, "
                         "but they take only {share_small:.0%} of the time at n = {n_small:,} and "
                         "{share_large:.0%} at {n_large:,}; the rest (orthonormalising the n × {columns} blocks, "
                         "the small final SVD and fixed overheads) grows like n^{r:.1f}. The n² term takes over "
                         "only as n grows.",
        "growth.faster": "Between these sizes the randomized SVD's time grows like n^{p:.1f}, faster than the n² "
                         "that counting its operations predicts. Its products with the big matrix, whose work is "
                         "exactly proportional to n², alone grow like n^{q:.1f} and take {share_large:.0%} of the "
                         "time at n = {n_large:,}: each operation gets slower as the matrix grows, as happens "
                         "when it no longer fits in the processor's caches.",
        "growth.noisy": "Between these sizes the randomized SVD's times, {times} s, do not grow steadily with n "
                         "(nor do those of its products alone): other programs running on the machine while the "
                         "page was built disturbed the measurement too much to fit an exponent.",
        "growth.as_expected": "Between these sizes the randomized SVD's time grows like n^{p:.1f}, close to the n² "
                              "of its products with the big matrix, which take {share_large:.0%} of the time at "
                              "n = {n_large:,}.",
        "grouping.together": "Words with identical roles end with a cosine of at least {identical_min:.3f} at every "
                             "hidden size from {first} to {last}, the layers wider than the vocabulary included: "
                             "they receive the same gradients, so they move together whether or not the layer "
                             "must compress.",
        "grouping.apart": "Words with identical roles are not always merged: their mean cosine drops to "
                          "{identical_min:.3f} at some hidden size between {first} and {last}.",
        "grouping.falls": "What a narrow layer adds is the merging of words that are only partly alike: their mean "
                          "cosine falls from {shared_first:.2f} at H = {first} to {shared_last:.2f} at H = {last}.",
        "grouping.rises": "Words that are only partly alike grow more alike with a wider layer: their mean cosine "
                          "rises from {shared_first:.2f} at H = {first} to {shared_last:.2f} at H = {last}.",
        "grouping.flat": "For words that are only partly alike the width matters little: their mean cosine is "
                         "{shared_first:.2f} at H = {first} and {shared_last:.2f} at H = {last}.",
        "speed.toy.a_faster": "On the toy sentence SimpleCBOW's training took {a_s:.2f} s and SimpleSkipGram's "
                              "{b_s:.2f} s, {ratio:.2f} times as long.",
        "speed.toy.b_faster": "On the toy sentence SimpleSkipGram's training took {b_s:.2f} s against "
                              "SimpleCBOW's {a_s:.2f} s: skip-gram was the faster one here.",
        "speed.toy.level": "On the toy sentence the two trainings took about as long ({a_s:.2f} s for SimpleCBOW, "
                           "{b_s:.2f} s for SimpleSkipGram).",
        "speed.size_dependent": "With {V:,} words and mini-batches of {N}, it is the other way round: a "
                                "forward-backward pass of SimpleSkipGram took {b_ms:,.1f} ms against SimpleCBOW's "
                                "{a_ms:,.1f} ms ({ratio:.1f} times as long). Both models compute the V scores "
                                "h W_out once per sample, but skip-gram's loss compares them with each of the {C} "
                                "context words, so its softmax and cross-entropy handle {C} times as many rows of "
                                "V numbers. With seven words those rows cost next to nothing and a step is mostly "
                                "the fixed cost of each array operation, where skip-gram, which looks up one row "
                                "per sample instead of averaging {C}, has less to do; with a real vocabulary the "
                                "V-sized rows dominate.",
        "speed.slower_when_large": "With {V:,} words and mini-batches of {N}, skip-gram is the slower one: a "
                                   "forward-backward pass of SimpleSkipGram took {b_ms:,.1f} ms against "
                                   "SimpleCBOW's {a_ms:,.1f} ms ({ratio:.1f} times as long). Both models compute "
                                   "the V scores h W_out once per sample, but skip-gram's loss compares them with "
                                   "each of the {C} context words, so its softmax and cross-entropy handle {C} "
                                   "times as many rows of V numbers, which cost next to nothing with seven words "
                                   "and dominate with a real vocabulary.",
        "speed.always_slower": "With {V:,} words and mini-batches of {N}, SimpleSkipGram is slower too: "
                               "{b_ms:,.1f} ms per forward-backward pass against SimpleCBOW's {a_ms:,.1f} ms "
                               "({ratio:.1f} times as long). Both models compute the V scores h W_out once per "
                               "sample, but skip-gram's loss compares them with each of the {C} context words, so "
                               "its softmax and cross-entropy handle {C} times as many rows of V numbers.",
        "speed.never_slower": "With {V:,} words and mini-batches of {N}, a forward-backward pass of SimpleSkipGram "
                              "took {b_ms:,.1f} ms and SimpleCBOW's {a_ms:,.1f} ms: even there skip-gram was not "
                              "the slower one. Both models compute the V scores h W_out once per sample; the {C} "
                              "times as many rows that skip-gram's softmax handles did not outweigh that here.",
    },
    "ko": {
        "list.two": "{a} 및 {b}",
        "list.many": "{head} 및 {last}",
        "hidden.rising": "시드 {n_seeds}개의 평균 훈련 정확도는 은닉 뉴런이 {first_size}개일 때의 {first:.1%}에서 "
                         "{reference}개일 때의 {ref:.1%}까지 오른다.",
        "hidden.not_rising": "시드 {n_seeds}개의 평균 훈련 정확도는 은닉 뉴런 {reference}개까지 꾸준히 오르지 "
                             "않는다({listing}).",
        "hidden.item": "{size}개에서 {acc:.1%}",
        "hidden.above": "뉴런 {size}개는 {acc:.1%}({low:.1%}~{high:.1%})에 이르러 뉴런 {reference}개 신경망의 "
                        "{ref:.1%}보다 높다. 뉴런을 더 늘려도 아직 도움이 된다.",
        "hidden.level": "뉴런 {size}개는 {acc:.1%}(시드에 따라 {low:.1%}~{high:.1%})에 이르러 뉴런 {reference}개 "
                        "신경망의 {ref:.1%}와 같은 수준이다(평균의 차이는 {diff_pp:+.1f}%p로, 허용 오차 "
                        "{tol_pp:g}%p보다 작다). 뉴런이 {reference}개를 넘으면 이 {n_points}개의 점에서는 뉴런을 "
                        "늘려도 측정할 만한 이득이 없다.",
        "hidden.below": "뉴런 {size}개는 {acc:.1%}({low:.1%}~{high:.1%})에 그쳐 뉴런 {reference}개 신경망의 "
                        "{ref:.1%}보다 낮다. 여기서는 뉴런을 늘린 것이 도움이 되지 않았다.",
        "activation.sigmoid_ahead": "시그모이드를 빼면 신경망은 시드 {n}개에서 점의 {id_low:.1%}~{id_high:.1%}를 "
                                    "맞게 분류한다(무작위로 찍으면 {chance:.1%}). 시그모이드가 있으면 "
                                    "{sg_low:.1%}~{sg_high:.1%}이다.",
        "activation.overlap": "시그모이드를 빼면 신경망은 시드 {n}개에서 점의 {id_low:.1%}~{id_high:.1%}를, "
                              "시그모이드가 있으면 {sg_low:.1%}~{sg_high:.1%}를 맞게 분류한다. 두 범위가 겹치므로 "
                              "이 실행들로는 비선형성이 주는 이득을 보여 줄 수 없다.",
        "activation.identity_ahead": "시그모이드를 빼면 신경망은 시드 {n}개에서 점의 {id_low:.1%}~{id_high:.1%}를 "
                                     "맞게 분류하여, 시그모이드가 있을 때의 {sg_low:.1%}~{sg_high:.1%}보다 높다.",
        "scale.indifferent": "{optimizer}의 결과는 스케일과 상관없이 같다(훈련 정확도 {low:.1%}~{high:.1%}, 손실 "
                             "{loss_low:.3f}~{loss_high:.3f}).",
        "scale.indifferent_same": "{optimizer}의 결과는 스케일과 상관없이 같다(훈련 정확도는 모든 스케일에서 "
                                  "{low:.1%}, 손실은 {loss_low:.3f}~{loss_high:.3f}).",
        "scale.sensitive": "{optimizer}의 결과는 스케일에 따라 달라진다. {items}.",
        "scale.item": "× {scale:g}에서는 {acc:.1%}(손실 {loss:.3f})",
        "scale.diverged": "× {scale:g}에서는 손실이 무한대가 된다",
        "step.shrinks": "{name}의 배율 중앙값은 첫 반복에서 마지막 반복까지 {fall:,.1f}분의 1로 줄었다",
        "step.recovers": "{name}의 배율 중앙값은 {low_iteration:,}번째 반복까지 {fall:,.1f}분의 1로 줄었다가 다시 "
                         "{rise:,.1f}배로 늘었다",
        "step.steady": "{name}의 배율 중앙값은 처음 값의 {factor:g}배 범위 안에 머물렀다(마지막 값은 처음 값의 "
                       "{ratio:.2f}배)",
        "step.join": "{first}. 한편 {second}.",
        "step.why": " {second_name}의 h는 오래된 기울기를 잊으므로 배율이 최근 기울기의 크기를 따라가는데, 최근 "
                    "기울기는 손실이 줄면서 작아졌다. {first_name}의 h는 과거의 기울기를 모두 간직하므로 배율이 "
                    "계속 줄었다. 훈련 후반부에 그 배율이 t^{slope:.2f}에 비례해 줄어, 크기가 일정한 기울기에서 "
                    "나올 t^-0.5보다 느리게 줄어든 것도 같은 이유다.",
        "ppmi.ahead": "{dataset}의 쌍 {total:,}개 가운데 두 단어가 모두 어휘에 있는 {n:,}개에서, PPMI 행은 동시발생 "
                      "횟수보다 사람의 점수와 더 잘 맞는다(ρ = {ppmi:.2f} 대 {raw:.2f}). 차이의 {level:.0%} "
                      "부트스트랩 구간({low:+.2f}~{high:+.2f})도 0보다 위에 있다.",
        "ppmi.unclear": "{dataset}의 쌍 {total:,}개 가운데 두 단어가 모두 어휘에 있는 {n:,}개에서, PPMI 행의 ρ는 "
                        "{ppmi:.2f}, 동시발생 횟수의 ρ는 {raw:.2f}이다. 하지만 차이의 {level:.0%} 부트스트랩 "
                        "구간({low:+.2f}~{high:+.2f})이 0을 포함하므로 이 쌍들만으로는 둘을 가릴 수 없다.",
        "ppmi.behind": "{dataset}의 쌍 {total:,}개 가운데 두 단어가 모두 어휘에 있는 {n:,}개에서는 동시발생 횟수가 "
                       "PPMI 행보다 사람의 점수와 더 잘 맞는다(ρ = {raw:.2f} 대 {ppmi:.2f}, 차이의 {level:.0%} "
                       "부트스트랩 구간({low:+.2f}~{high:+.2f})은 0보다 아래에 있다).",
        "dim.plateau": "SVD 벡터의 ρ는 k가 약 {plateau_k}차원이 될 때까지 오르고, 거기서부터 {k_max}차원까지는 "
                       "{low:.2f}에서 {best:.2f} 사이에 머문다(최고는 k = {best_k}일 때).",
        "dim.rising": "SVD 벡터의 ρ는 시험한 가장 큰 k인 {plateau_k}에서도 여전히 오르고 있으며, 거기서 "
                      "{best:.2f}에 이른다.",
        "dim.ahead": "책의 {k}차원에서 SVD 벡터는 PPMI 행 전체보다 앞선다({diff:+.2f}, 구간 {low:+.2f}~"
                     "{high:+.2f}).",
        "dim.unclear": "책의 {k}차원에서 SVD 벡터는 잡음 범위 안에서 PPMI 행 전체와 같은 수준이다({diff:+.2f}, 구간 "
                       "{low:+.2f}~{high:+.2f}). 압축은 길이가 {vocab:,}인 행이 아는 것을 그 {fraction:.0%}에 "
                       "해당하는 숫자로 간직할 뿐, 거기에 무언가를 더하지는 않는다.",
        "dim.behind": "책의 {k}차원에서 SVD 벡터는 PPMI 행 전체보다 뒤처진다({diff:+.2f}, 구간 {low:+.2f}~"
                      "{high:+.2f}). 이 데이터셋에서는 압축이 행이 아는 것의 일부를 잃는다.",
        "compromise.on_plateau": "{sets}의 유사도 점수로 보면 {k}차원은 세부 정보와 잡음 사이의 균형점이 아니다. "
                                 "곡선은 약 {plateau}차원부터 평평해지고, 그 너머에서 ρ가 움직이는 폭은 최대 "
                                 "{wiggle:.2f}이어서 무작위 SVD의 시드만으로 생기는 변동({spread:.2f})보다 크지 "
                                 "않다. {k}차원은 그 평평한 구간 위에 있어서, 차원을 늘리거나 줄여도 측정할 만한 "
                                 "차이가 없다.",
        "compromise.uneven_plateau": "{sets}의 유사도 점수로 보면 곡선은 약 {plateau}차원부터 평평해지지만, 그 "
                                     "너머에서도 ρ가 최대 {wiggle:.2f}만큼 움직여 무작위 SVD의 시드만으로 생기는 "
                                     "변동({spread:.2f})보다 크다. {k}차원은 평평한 구간 위에 있지만, 반드시 그 "
                                     "가운데 최고점은 아니다.",
        "compromise.before_plateau": "{sets}의 유사도 점수로 보면 {k}차원은 곡선에 필요한 것보다 적다. 곡선은 약 "
                                     "{plateau}차원에 이르러서야 평평해진다.",
        "growth.slower": "이 크기들 사이에서 무작위 SVD의 시간은 n^{p:.1f}에 비례해 늘어, 큰 행렬과의 곱에 드는 "
                         "n²보다 느리게 늘어난다. 그 곱만 보면 n^{q:.1f}에 비례해 늘지만, 전체 시간에서 차지하는 "
                         "비율은 n = {n_small:,}에서 {share_small:.0%}, {n_large:,}에서 {share_large:.0%}뿐이다. "
                         "나머지(n × {columns} 블록의 정규직교화, 마지막의 작은 SVD, 고정 비용)는 n^{r:.1f}에 "
                         "비례해 는다. n²항은 n이 커져야 비로소 시간을 지배한다.",
        "growth.faster": "이 크기들 사이에서 무작위 SVD의 시간은 n^{p:.1f}에 비례해 늘어, 연산 횟수로 예측한 n²보다 "
                         "빠르게 늘어난다. 작업량이 정확히 n²에 비례하는 큰 행렬과의 곱만 보아도 n^{q:.1f}에 "
                         "비례해 늘며, n = {n_large:,}에서 전체 시간의 {share_large:.0%}를 차지한다. 행렬이 "
                         "커질수록 연산 하나하나가 느려지는 것인데, 행렬이 프로세서의 캐시에 더는 들어가지 않을 때 "
                         "이런 일이 생긴다.",
        "growth.noisy": "이 크기들 사이에서 무작위 SVD의 시간({times}초)은 n에 따라 꾸준히 늘지 않는다(곱만 잰 "
                        "시간도 마찬가지다). 페이지를 빌드하는 동안 같은 기계에서 돌던 다른 프로그램이 측정을 너무 "
                        "흔들어 지수를 맞출 수 없었다.",
        "growth.as_expected": "이 크기들 사이에서 무작위 SVD의 시간은 n^{p:.1f}에 비례해 늘어, 큰 행렬과의 곱에 "
                              "드는 n²에 가깝다. 이 곱은 n = {n_large:,}에서 전체 시간의 {share_large:.0%}를 "
                              "차지한다.",
        "grouping.together": "역할이 똑같은 단어들은 은닉층 크기 {first}부터 {last}까지 모든 크기에서 코사인 "
                             "유사도가 {identical_min:.3f} 이상으로 끝난다. 어휘보다 넓은 계층도 마찬가지다. 이 "
                             "단어들은 같은 기울기를 받으므로, 계층이 압축을 해야 하든 아니든 함께 움직인다.",
        "grouping.apart": "역할이 똑같은 단어들이 늘 하나로 합쳐지지는 않는다. {first}에서 {last} 사이의 어떤 은닉층 "
                          "크기에서는 평균 코사인 유사도가 {identical_min:.3f}까지 떨어진다.",
        "grouping.falls": "좁은 계층이 더하는 것은 일부만 닮은 단어들을 합치는 일이다. 그런 단어들의 평균 코사인 "
                          "유사도는 H = {first}일 때의 {shared_first:.2f}에서 H = {last}일 때의 {shared_last:.2f}"
                          "까지 떨어진다.",
        "grouping.rises": "일부만 닮은 단어들은 계층이 넓을수록 더 닮아 간다. 평균 코사인 유사도가 H = {first}일 "
                          "때의 {shared_first:.2f}에서 H = {last}일 때의 {shared_last:.2f}까지 오른다.",
        "grouping.flat": "일부만 닮은 단어들에는 계층의 폭이 거의 영향을 주지 않는다. 평균 코사인 유사도가 "
                         "H = {first}일 때 {shared_first:.2f}, H = {last}일 때 {shared_last:.2f}이다.",
        "speed.toy.a_faster": "예제 문장에서 SimpleCBOW의 학습에는 {a_s:.2f}초, SimpleSkipGram의 학습에는 "
                              "{b_s:.2f}초가 걸려 {ratio:.2f}배 길었다.",
        "speed.toy.b_faster": "예제 문장에서 SimpleSkipGram의 학습에는 {b_s:.2f}초가 걸려 SimpleCBOW의 {a_s:.2f}초보다 "
                              "짧았다. 여기서는 skip-gram이 더 빨랐다.",
        "speed.toy.level": "예제 문장에서 두 학습에 걸린 시간은 비슷했다(SimpleCBOW {a_s:.2f}초, SimpleSkipGram "
                           "{b_s:.2f}초).",
        "speed.size_dependent": "단어 {V:,}개, 미니배치 크기 {N}에서는 반대다. SimpleSkipGram의 순전파와 역전파 한 "
                                "번에는 {b_ms:,.1f}ms가 걸려 SimpleCBOW의 {a_ms:,.1f}ms보다 {ratio:.1f}배 길었다. "
                                "두 모델 모두 샘플마다 V개의 점수 h W_out을 한 번 계산하지만, skip-gram의 손실은 "
                                "이 점수를 맥락 단어 {C}개 각각과 비교하므로 소프트맥스와 교차 엔트로피가 V개짜리 "
                                "행을 {C}배 많이 처리한다. 단어가 일곱 개일 때는 이 행들에 드는 비용이 거의 없어 한 "
                                "단계의 시간은 대부분 배열 연산마다 드는 고정 비용이고, 맥락 {C}개를 평균하는 대신 "
                                "샘플마다 행 하나만 꺼내는 skip-gram이 할 일이 더 적다. 실제 규모의 어휘에서는 V "
                                "크기의 행이 시간을 지배한다.",
        "speed.slower_when_large": "단어 {V:,}개, 미니배치 크기 {N}에서는 skip-gram이 더 느리다. SimpleSkipGram의 "
                                   "순전파와 역전파 한 번에는 {b_ms:,.1f}ms가 걸려 SimpleCBOW의 {a_ms:,.1f}ms보다 "
                                   "{ratio:.1f}배 길었다. 두 모델 모두 샘플마다 V개의 점수 h W_out을 한 번 "
                                   "계산하지만, skip-gram의 손실은 이 점수를 맥락 단어 {C}개 각각과 비교하므로 "
                                   "소프트맥스와 교차 엔트로피가 V개짜리 행을 {C}배 많이 처리한다. 이 행들은 단어가 "
                                   "일곱 개일 때는 비용이 거의 들지 않지만, 실제 규모의 어휘에서는 시간을 지배한다.",
        "speed.always_slower": "단어 {V:,}개, 미니배치 크기 {N}에서도 SimpleSkipGram이 더 느리다. 순전파와 역전파 "
                               "한 번에 {b_ms:,.1f}ms가 걸려 SimpleCBOW의 {a_ms:,.1f}ms보다 {ratio:.1f}배 길었다. "
                               "두 모델 모두 샘플마다 V개의 점수 h W_out을 한 번 계산하지만, skip-gram의 손실은 이 "
                               "점수를 맥락 단어 {C}개 각각과 비교하므로 소프트맥스와 교차 엔트로피가 V개짜리 행을 "
                               "{C}배 많이 처리한다.",
        "speed.never_slower": "단어 {V:,}개, 미니배치 크기 {N}에서 순전파와 역전파 한 번에 SimpleSkipGram은 "
                              "{b_ms:,.1f}ms, SimpleCBOW는 {a_ms:,.1f}ms가 걸렸다. 여기서도 skip-gram이 더 느리지 "
                              "않았다. 두 모델 모두 샘플마다 V개의 점수 h W_out을 한 번 계산한다. skip-gram의 "
                              "소프트맥스가 처리하는 행이 {C}배 많다는 점이 여기서는 그 차이를 넘어서지 못했다.",
    },
}


def _say(key: str, lang: str | None, **values: Any) -> str:
    return say(TEMPLATES, key, lang, **values)


def _join(items: Sequence[str], lang: str | None) -> str:
    items = list(items)
    if not items:
        raise ValueError("nothing to list")
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return _say("list.two", lang, a=items[0], b=items[1])
    return _say("list.many", lang, head=", ".join(items[:-1]), last=items[-1])


def hidden_size_text(verdict: HiddenSizeVerdict, *, n_points: int, lang: str | None = None) -> str:
    """The sentences of exercise 1.1 (see :func:`hidden_size_verdict`); ``n_points``: the size of the data."""
    ref_mean = verdict.of(verdict.reference)[0]
    if verdict.rising:
        parts = [_say("hidden.rising", lang, n_seeds=verdict.n_seeds, first=verdict.mean[0],
                      first_size=verdict.sizes[0], ref=ref_mean, reference=verdict.reference)]
    else:
        up_to = verdict.sizes.index(verdict.reference) + 1
        listing = ", ".join(_say("hidden.item", lang, acc=m, size=s)
                            for s, m in zip(verdict.sizes[:up_to], verdict.mean[:up_to], strict=True))
        parts = [_say("hidden.not_rising", lang, n_seeds=verdict.n_seeds, reference=verdict.reference,
                      listing=listing)]
    for size, outcome in verdict.beyond:
        mean, low, high = verdict.of(size)
        parts.append(_say(f"hidden.{outcome}", lang, size=size, acc=mean, low=low, high=high,
                          reference=verdict.reference, ref=ref_mean, diff_pp=100 * (mean - ref_mean),
                          tol_pp=100 * verdict.tol, n_points=n_points))
    return " ".join(parts)


def activation_text(verdict: ActivationVerdict, lang: str | None = None) -> str:
    """The sentence that compares the network with and without its sigmoid."""
    return _say(f"activation.{verdict.outcome}", lang, id_low=min(verdict.identity), id_high=max(verdict.identity),
                sg_low=min(verdict.sigmoid), sg_high=max(verdict.sigmoid), n=len(verdict.identity),
                chance=verdict.chance)


def scale_text(verdicts: Sequence[ScaleVerdict], lang: str | None = None) -> str:
    """One sentence per optimizer on how its result depends on the scale of the loss."""
    if not verdicts:
        raise ValueError("need at least one verdict")
    sentences = []
    for v in verdicts:
        if v.outcome == "indifferent":
            accs = [a for a in v.accuracies if a is not None]
            losses = [x for x in v.losses if x is not None]
            key = "scale.indifferent_same" if f"{min(accs):.1%}" == f"{max(accs):.1%}" else "scale.indifferent"
            sentences.append(_say(key, lang, optimizer=v.optimizer, low=min(accs), high=max(accs),
                                  loss_low=min(losses), loss_high=max(losses)))
            continue
        items = [_say("scale.diverged", lang, scale=s) if a is None else _say("scale.item", lang, scale=s, acc=a,
                                                                              loss=x)
                 for s, a, x in zip(v.scales, v.accuracies, v.losses, strict=True)]
        sentences.append(_say("scale.sensitive", lang, optimizer=v.optimizer, items="; ".join(items)))
    return " ".join(sentences)


def _step_clause(trend: StepTrend, lang: str | None) -> str:
    return _say(f"step.{trend.outcome}", lang, name=trend.name, fall=trend.fall, rise=trend.rise,
                low_iteration=trend.low_iteration, ratio=trend.end / trend.start, factor=trend.factor)


def step_trend_text(first: StepTrend, second: StepTrend, lang: str | None = None) -> str:
    """How two optimizers' step multipliers moved (AdaGrad's, then RMSprop's); when the first only shrank and the
    second recovered, the reason follows."""
    text = _say("step.join", lang, first=_step_clause(first, lang), second=_step_clause(second, lang))
    if (first.outcome, second.outcome) == ("shrinks", "recovers"):
        text += _say("step.why", lang, first_name=first.name, second_name=second.name, slope=first.slope)
    return text


def ppmi_gain_text(verdict: DimensionVerdict, lang: str | None = None) -> str:
    """The sentence on PPMI rows against raw counts for one similarity set."""
    d = verdict.ppmi_vs_raw
    return _say(f"ppmi.{d.outcome}", lang, n=verdict.n_pairs, total=verdict.total, dataset=verdict.dataset,
                ppmi=verdict.ppmi, raw=verdict.raw, level=d.level, low=d.low, high=d.high)


def dimension_text(verdict: DimensionVerdict, lang: str | None = None) -> str:
    """The sentences on the SVD curve of one similarity set and on the book's number of dimensions."""
    shape = "dim.rising" if verdict.plateau_k == verdict.ks[-1] and verdict.best_k == verdict.ks[-1] else \
        "dim.plateau"
    first = _say(shape, lang, plateau_k=verdict.plateau_k, k_max=verdict.ks[-1], low=verdict.plateau_low,
                 best=verdict.best, best_k=verdict.best_k)
    d = verdict.svd_vs_ppmi
    second = _say(f"dim.{d.outcome}", lang, k=verdict.reference_k, diff=d.value, low=d.low, high=d.high,
                  vocab=verdict.vocab_size, fraction=verdict.reference_k / verdict.vocab_size)
    return f"{first} {second}"


def compromise_text(verdicts: Sequence[DimensionVerdict], lang: str | None = None) -> str:
    """The sentence on the book's choice of dimensions, from the curves of every similarity set: on the plateau
    when the reference lies at or beyond the latest plateau of the sets; a plateau counts as flat when its ups and
    downs (:attr:`DimensionVerdict.wiggle`) are no larger than the spread between seeds."""
    if not verdicts:
        raise ValueError("need at least one verdict")
    if len({v.reference_k for v in verdicts}) != 1:
        raise ValueError("the verdicts must share one reference_k")
    plateau = max(v.plateau_k for v in verdicts)
    k = verdicts[0].reference_k
    sets = _join([v.dataset for v in verdicts], lang)
    wiggle = max(v.wiggle for v in verdicts)
    spread = max(v.seed_spread for v in verdicts)
    if k < plateau:
        key = "compromise.before_plateau"
    else:
        key = "compromise.on_plateau" if wiggle <= spread else "compromise.uneven_plateau"
    return _say(key, lang, sets=sets, k=k, plateau=plateau, wiggle=wiggle, spread=spread)


def growth_text(verdict: GrowthVerdict, *, columns: int, lang: str | None = None) -> str:
    """The sentences on how the randomized SVD's time grew (``columns``: k plus the oversampling)."""
    times = _join([f"{t:.2f}" for t in verdict.times], lang)
    return _say(f"growth.{verdict.outcome}", lang, times=times, p=verdict.exponent, q=verdict.product_exponent,
                r=verdict.rest_exponent, share_small=verdict.share_small, share_large=verdict.share_large,
                n_small=verdict.ns[0], n_large=verdict.ns[-1], columns=columns)


def grouping_text(verdict: GroupingVerdict, lang: str | None = None) -> str:
    """The sentences on what the hidden size does to the grouping of the toy words."""
    values = {"identical_min": verdict.identical_min, "first": verdict.sizes[0], "last": verdict.sizes[-1],
              "shared_first": verdict.shared_first, "shared_last": verdict.shared_last}
    first = _say("grouping.together" if verdict.together else "grouping.apart", lang, **values)
    return f"{first} {_say(f'grouping.{verdict.shared_outcome}', lang, **values)}"


def speed_text(verdict: SpeedVerdict, *, vocab_size: int, batch_size: int, n_contexts: int,
               lang: str | None = None) -> str:
    """The sentences comparing CBOW's and skip-gram's speed on the toy data and at a real vocabulary size."""
    toy, large = verdict.toy, verdict.large
    first = _say(f"speed.toy.{toy.outcome}", lang, a_s=toy.seconds_a, b_s=toy.seconds_b, ratio=toy.ratio)
    second = _say(f"speed.{verdict.outcome}", lang, V=vocab_size, N=batch_size, C=n_contexts,
                  a_ms=1e3 * large.seconds_a, b_ms=1e3 * large.seconds_b, ratio=large.ratio)
    return f"{first} {second}"
