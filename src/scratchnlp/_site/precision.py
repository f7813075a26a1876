"""The speed-up page (the book's section 1.5 in depth): what float16 storage does to a model, why SGD with
float16 weights loses updates, and what the batch size does to speed and to learning.

- :func:`stored_as` writes a model's weights in one precision and reads them back into a fresh model;
- :func:`noise_curve` scores a model with every weight multiplied by ``1 + u``, ``u`` uniform in ``[-r, r]``,
  for several relative noise levels ``r``; :func:`noise_tolerance` decides how far float16's rounding
  (:data:`FLOAT16_ROUNDING`) lies from the noise that starts to hurt;
- :func:`fan_in_errors` measures the relative error of a sum of ``n`` products whose weights are rounded to
  float16, for zero-mean and for same-sign terms; :func:`fan_in_trend` says how it changes with ``n``;
- :class:`Float16StoredSGD` is SGD whose weights are kept as float16 values (float32 arithmetic);
  :func:`clipped_gradients` and :func:`lost_updates` count the updates that rounding to float16 throws away;
  :func:`compare_runs` compares the loss curves of two training runs;
- :func:`matmul_rates` times the recurrent product ``h @ Wh`` at several batch sizes and :func:`rate_gain`
  summarises the curve; :func:`compare_batches` compares training runs with different batch sizes per epoch
  and per second.

Decisions are language-neutral dataclasses; the sentences and figure labels come from :data:`TEMPLATES`, one
set per language (``"en"`` now), through the ``*_text`` and ``draw_*`` functions.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._checks import Seed, as_generator
from ..optim import SGD, clip_grads, merge_shared
from .wording import say, table_header

__all__ = [
    "FLOAT16_ROUNDING",
    "stored_as",
    "NoiseCurve",
    "noise_curve",
    "NoiseTolerance",
    "noise_tolerance",
    "fan_in_errors",
    "FanInTrend",
    "fan_in_trend",
    "Float16StoredSGD",
    "clipped_gradients",
    "LostUpdates",
    "lost_updates",
    "RunComparison",
    "compare_runs",
    "COLD_BYTES",
    "matmul_rates",
    "RateGain",
    "rate_gain",
    "BatchComparison",
    "compare_batches",
    "TEMPLATES",
    "COLUMNS",
    "words",
    "header",
    "StorageEffect",
    "storage_effect",
    "storage_text",
    "throughput_text",
    "noise_text",
    "fan_in_text",
    "lost_updates_text",
    "source_text",
    "runs_text",
    "rate_gain_text",
    "rates_explanation",
    "batches_text",
    "draw_noise_curve",
    "draw_fan_in",
    "draw_matmul_rates",
    "draw_batch_runs",
    "draw_runs",
    "draw_throughput",
]

#: float16's largest relative rounding error for a number in its normal range: half the spacing between
#: neighbours, ``2**-11`` of the number (about 4.9e-4), since float16 keeps 10 fraction bits.
FLOAT16_ROUNDING = 2.0 ** -11

#: Colours of the figures (Okabe-Ito: blue, vermilion, bluish green, reddish purple), told apart by readers
#: with the common colour-vision deficiencies.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


def _positive_float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _positive_ints(values: Any, name: str) -> list[int]:
    out = list(values)
    if not out:
        raise ValueError(f"{name} must hold at least one value, got none")
    for v in out:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be positive ints, got {v!r}")
    if sorted(set(out)) != out:
        raise ValueError(f"{name} must be increasing and without repeats, got {out}")
    return [int(v) for v in out]


# --------------------------------------------------------------------------------------------------------
# Weights stored in a precision
# --------------------------------------------------------------------------------------------------------


def stored_as(model: Any, dtype: Any, make: Callable[[], Any], folder: str | Path) -> Any:
    """``model``'s weights written in ``dtype`` to a checkpoint in ``folder`` and read back into ``make()``, a
    fresh model of the same shape (section 1.5.1: the book's save and load do this round trip).

    Returns the fresh model, whose parameters keep their own dtype (a float32 model reads float16 weights as
    float32 numbers).
    """
    from ..checkpoint import load_params, save_params  # noqa: PLC0415

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing folder for the checkpoint, got {folder}")
    path = save_params(folder / f"{type(model).__name__}-{np.dtype(dtype).name}.npz", model, dtype=dtype)
    copy = make()
    load_params(path, copy)
    return copy


# --------------------------------------------------------------------------------------------------------
# How much weight noise a trained model tolerates
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseCurve:
    """A model's score with relative noise on its weights.

    ``scores[i, j]`` is the score at noise level ``levels[i]`` with noise seed ``seeds[j]``; ``baseline`` is
    the score without noise; ``higher_is_better`` says which way the score improves.
    """

    levels: tuple[float, ...]
    seeds: tuple[int, ...]
    scores: np.ndarray
    baseline: float
    higher_is_better: bool

    @property
    def worsening(self) -> np.ndarray:
        """``(levels, seeds)``: how much worse each score is than the baseline, as a fraction of it (positive:
        worse, whichever way the score improves)."""
        change = (self.scores - self.baseline) / abs(self.baseline)
        return -change if self.higher_is_better else change


def noise_curve(model: Any, score: Callable[[Any], float], levels: Sequence[float], *,
                seeds: Sequence[int] = (0, 1, 2), higher_is_better: bool = False) -> NoiseCurve:
    """Score ``model`` with every weight ``w`` replaced by ``w * (1 + u)``, ``u`` drawn uniformly from
    ``[-r, r]`` for each weight, at each relative noise level ``r`` in ``levels`` and each noise seed.

    Rounding a weight to float16 is such a change with ``r`` = :data:`FLOAT16_ROUNDING` (for weights in
    float16's normal range), so the curve shows where float16 storage lies on the way from harmless to harmful
    noise (section 1.5.1). Each seed draws its ``u / r`` once and scales it to every level, so that each draw's
    scores change smoothly with ``r``. ``score(model)`` computes the score (e.g. a perplexity); the weights are
    restored afterwards, even when ``score`` raises.

    Parameters
    ----------
    model : a model with ``params`` (float arrays, changed in place while scoring)
    score : function of the model returning a float
    levels : increasing relative noise levels, each > 0
    seeds : the noise draws at each level
    higher_is_better : True for an accuracy, False for a loss or a perplexity
    """
    levels = [_positive_float(r, "each noise level") for r in levels]
    if not levels or sorted(set(levels)) != levels:
        raise ValueError(f"levels must be increasing and without repeats, got {levels}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    params = list({id(p): p for p in model.params}.values())  # tied weights perturbed once
    originals = [p.copy() for p in params]
    try:
        baseline = float(score(model))
        scores = np.empty((len(levels), len(seeds)))
        for j, seed in enumerate(seeds):
            rng = as_generator(seed)
            draws = [rng.uniform(-1.0, 1.0, size=w.shape) for w in originals]  # one draw per seed, scaled by r
            for i, r in enumerate(levels):
                for p, w, u in zip(params, originals, draws):
                    p[...] = w * (1.0 + r * u).astype(w.dtype)
                scores[i, j] = float(score(model))
    finally:
        for p, w in zip(params, originals):
            p[...] = w
    return NoiseCurve(tuple(levels), tuple(int(s) for s in seeds), scores, baseline, higher_is_better)


@dataclass(frozen=True)
class NoiseTolerance:
    """Where float16's rounding lies on a :class:`NoiseCurve`.

    ``verdict`` is ``"below"`` (the noise that makes the score ``rise`` worse, ``threshold``, is ``margin``
    times the rounding ``reference``), ``"never"`` (no level tried made it that much worse: ``margin`` is the
    largest level over the reference, ``largest_change`` its mean worsening) or ``"above"`` (noise at the
    reference level already does). ``at_reference`` is the mean worsening at the reference level (interpolated
    on a logarithmic noise axis), ``spread`` the range over the seeds at the nearest level tried.
    """

    verdict: Literal["below", "never", "above"]
    reference: float
    rise: float
    at_reference: float
    spread: tuple[float, float]
    threshold: float | None
    margin: float
    largest_level: float
    largest_change: float


def noise_tolerance(curve: NoiseCurve, *, rise: float = 0.01,
                    reference: float = FLOAT16_ROUNDING) -> NoiseTolerance:
    """Decide how far the rounding ``reference`` lies below the noise that makes the score ``rise`` worse
    (a fraction of the baseline: 0.01 is 1%), from the mean over the seeds of ``curve``."""
    rise = _positive_float(rise, "rise")
    reference = _positive_float(reference, "reference")
    levels = np.log(np.asarray(curve.levels))
    mean = curve.worsening.mean(axis=1)
    if not levels[0] <= math.log(reference) <= levels[-1]:
        raise ValueError(f"the reference {reference:.3g} lies outside the levels tried "
                         f"({curve.levels[0]:.3g} to {curve.levels[-1]:.3g})")
    at_reference = float(np.interp(math.log(reference), levels, mean))
    nearest = int(np.argmin(np.abs(levels - math.log(reference))))
    spread = (float(curve.worsening[nearest].min()), float(curve.worsening[nearest].max()))
    above = np.nonzero(mean >= rise)[0]
    largest = curve.levels[-1]
    if at_reference >= rise:
        return NoiseTolerance("above", reference, rise, at_reference, spread, reference, 1.0, largest,
                              float(mean[-1]))
    if above.size == 0:
        return NoiseTolerance("never", reference, rise, at_reference, spread, None, largest / reference, largest,
                              float(mean[-1]))
    k = int(above[0])
    # the crossing, on a logarithmic noise axis, between the last level below ``rise`` and the first above
    x0, x1, y0, y1 = levels[k - 1], levels[k], mean[k - 1], mean[k]
    threshold = float(math.exp(x0 + (rise - y0) * (x1 - x0) / (y1 - y0)))
    return NoiseTolerance("below", reference, rise, at_reference, spread, threshold, threshold / reference,
                          largest, float(mean[-1]))


# --------------------------------------------------------------------------------------------------------
# Rounding errors in a sum of products
# --------------------------------------------------------------------------------------------------------

Terms = Literal["zero_mean", "same_sign"]


def fan_in_errors(fan_ins: Sequence[int], *, terms: Terms, trials: int = 200, seed: Seed = 0) -> np.ndarray:
    """The relative error of a sum of products ``sum_i w_i x_i`` when the weights ``w`` are rounded to
    float16 and everything else is exact (float64), for each number of terms (fan-in) in ``fan_ins``.

    ``terms="zero_mean"``: ``w`` and ``x`` standard normal, so the terms have both signs and the sum grows
    like ``sqrt(n)``; ``terms="same_sign"``: both uniform on ``[0, 1]``, so every term is positive and the sum
    grows like ``n``. The error of each of ``trials`` sums is compared with the sum by their root mean squares
    over the trials (a ratio of single sums would explode where a zero-mean sum happens to be near 0).

    Returns
    -------
    numpy.ndarray
        ``(len(fan_ins),)``: the relative root-mean-square error at each fan-in.
    """
    fan_ins = _positive_ints(fan_ins, "fan_ins")
    if terms not in ("zero_mean", "same_sign"):
        raise ValueError(f"terms must be 'zero_mean' or 'same_sign', got {terms!r}")
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 2:
        raise ValueError(f"trials must be an int >= 2, got {trials!r}")
    rng = as_generator(seed)
    out = np.empty(len(fan_ins))
    for k, n in enumerate(fan_ins):
        if terms == "zero_mean":
            w, x = rng.standard_normal((2, trials, n))
        else:
            w, x = rng.uniform(0.0, 1.0, (2, trials, n))
        rounded = w.astype(np.float16).astype(np.float64)
        total = (w * x).sum(axis=1)
        error = ((rounded - w) * x).sum(axis=1)
        out[k] = math.sqrt(float(np.mean(error**2)) / float(np.mean(total**2)))
    return out


@dataclass(frozen=True)
class FanInTrend:
    """How a relative error changes with the fan-in: ``slope`` of ``log(error)`` against ``log(n)`` (least
    squares), the errors at the smallest and largest fan-in, and ``verdict``: ``"flat"`` (``|slope|`` below
    ``flat``), ``"falls_sqrt"`` (within ``sqrt_band`` of -1/2, i.e. like ``1/sqrt(n)``), ``"falls"`` or
    ``"rises"``."""

    terms: Terms
    verdict: Literal["flat", "falls_sqrt", "falls", "rises"]
    slope: float
    first_n: int
    last_n: int
    first: float
    last: float


def fan_in_trend(fan_ins: Sequence[int], errors: Sequence[float], *, terms: Terms, flat: float = 0.1,
                 sqrt_band: float = 0.15) -> FanInTrend:
    """Decide whether the relative errors of :func:`fan_in_errors` stay flat, fall like ``1/sqrt(n)``, or
    otherwise fall or rise with the fan-in."""
    fan_ins = _positive_ints(fan_ins, "fan_ins")
    errors = np.asarray(errors, dtype=float)
    if errors.shape != (len(fan_ins),):
        raise ValueError(f"need one error per fan-in: {len(fan_ins)} fan-ins, errors of shape {errors.shape}")
    if len(fan_ins) < 2 or not np.all(errors > 0):
        raise ValueError("need at least two fan-ins and positive errors to fit a slope")
    slope = float(np.polyfit(np.log(fan_ins), np.log(errors), 1)[0])
    if abs(slope) < flat:
        verdict: Literal["flat", "falls_sqrt", "falls", "rises"] = "flat"
    elif abs(slope + 0.5) <= sqrt_band:
        verdict = "falls_sqrt"
    else:
        verdict = "falls" if slope < 0 else "rises"
    return FanInTrend(terms, verdict, slope, fan_ins[0], fan_ins[-1], float(errors[0]), float(errors[-1]))


# --------------------------------------------------------------------------------------------------------
# Updates lost when the weights are float16
# --------------------------------------------------------------------------------------------------------


class Float16StoredSGD(SGD):
    """SGD ``W -= lr * dW`` on weights kept as float16 values: after each update every parameter is rounded to
    the nearest float16 number (the arrays stay float32, so the arithmetic of the model is float32's).

    This isolates what float16 *storage* of the weights does to training (section 1.5.1): an update smaller
    than half the float16 spacing around its weight is rounded away.
    """

    def step(self, p: Any, g: Any, state: dict[str, Any]) -> None:
        super().step(p, g, state)
        p[...] = p.astype(np.float16)


def clipped_gradients(model: Any, batch: Sequence[Any], max_grad: float | None = None,
                      ) -> tuple[list[Any], list[Any]]:
    """The parameters of ``model`` and copies of their gradients on ``batch`` (``model.forward(*batch)``,
    ``model.backward()``), tied weights merged and the global norm clipped to ``max_grad`` as a training step
    does (chapter 6.1.4); nothing is updated."""
    model.forward(*batch)
    model.backward()
    params, grads = merge_shared(model.params, model.grads)
    grads = [g.copy() for g in grads]
    if max_grad is not None:
        clip_grads(grads, max_grad)
    return params, grads


@dataclass(frozen=True)
class LostUpdates:
    """What rounding to float16 does to one SGD update ``-lr * grad`` of float16-stored weights: ``n`` nonzero
    updates, the share ``lost`` of them that leave their weight unchanged, and the share ``length_lost`` of the
    update's length (its L2 norm) that those lost updates carry."""

    lr: float
    n: int
    lost: float
    length_lost: float


def lost_updates(params: Sequence[Any], grads: Sequence[Any], lr: float) -> LostUpdates:
    """Apply ``W16 - lr * grad`` to the float16 roundings ``W16`` of ``params`` and round the result to float16:
    count the nonzero updates after which the weight is unchanged (too small against half the float16 spacing
    of their weight), and the share of the update's length they carry."""
    lr = _positive_float(lr, "lr")
    if len(params) != len(grads):
        raise ValueError(f"params and grads must pair up, got {len(params)} and {len(grads)}")
    n = lost = 0
    total_sq = lost_sq = 0.0
    for p, g in zip(params, grads):
        if np.shape(p) != np.shape(g):
            raise ValueError(f"a parameter of shape {np.shape(p)} got a gradient of shape {np.shape(g)}")
        w16 = np.asarray(p).astype(np.float16)
        step = -lr * np.asarray(g, dtype=np.float32)
        new = (w16.astype(np.float32) + step).astype(np.float16)
        moved = step != 0
        gone = moved & (new == w16)
        n += int(moved.sum())
        lost += int(gone.sum())
        s64 = step.astype(np.float64)
        total_sq += float(np.sum(s64**2))
        lost_sq += float(np.sum(s64[gone] ** 2))
    if n == 0:
        raise ValueError("every gradient is zero: there is no update to lose")
    return LostUpdates(lr, n, lost / n, math.sqrt(lost_sq / total_sq))


@dataclass(frozen=True)
class RunComparison:
    """Two training runs compared by their loss at the end: the mean of the last ``window`` recorded losses of
    each (``reference``, ``other``), their relative difference, and ``verdict``: ``"same"`` (within
    ``tolerance``), ``"behind"`` (the other run's loss is higher) or ``"ahead"``."""

    verdict: Literal["same", "behind", "ahead"]
    reference: float
    other: float
    difference: float
    window: int
    tolerance: float


def compare_runs(reference: Sequence[float], other: Sequence[float], *, window: int = 3,
                 tolerance: float = 0.01) -> RunComparison:
    """Compare the loss curves of two runs (same data, same iterations) by their last ``window`` points."""
    reference, other = list(map(float, reference)), list(map(float, other))
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    if len(reference) < window or len(other) < window:
        raise ValueError(f"each curve needs at least {window} points, got {len(reference)} and {len(other)}")
    tolerance = _positive_float(tolerance, "tolerance")
    a, b = float(np.mean(reference[-window:])), float(np.mean(other[-window:]))
    if not (math.isfinite(a) and math.isfinite(b)):
        return RunComparison("behind" if math.isfinite(a) else "ahead", a, b, math.inf, window, tolerance)
    diff = (b - a) / abs(a)
    verdict: Literal["same", "behind", "ahead"] = (
        "same" if abs(diff) <= tolerance else ("behind" if diff > 0 else "ahead"))
    return RunComparison(verdict, a, b, diff, window, tolerance)


# --------------------------------------------------------------------------------------------------------
# Batch size: the speed of the recurrent product, and learning per epoch and per second
# --------------------------------------------------------------------------------------------------------


#: Bytes of distinct weight copies a "from memory" measurement cycles through: several times the last-level
#: cache of today's processors (tens of MiB), so that every product finds its weights evicted.
COLD_BYTES = 256 * 2**20


#: The environment variables that set the number of threads of the BLAS libraries NumPy may use.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def matmul_rates(batch_sizes: Sequence[int], hidden: int, *, from_memory: bool = False, repeats: int = 5,
                 min_seconds: float = 2e-3, seed: int = 0, blas_threads: int | None = 1) -> dict[int, float]:
    """GFLOP/s of the float32 recurrent product ``h @ Wh`` of an LSTM, ``(N, H) @ (H, 4H)``, for each batch
    size ``N``.

    The product does ``2 * N * H * 4H`` floating-point operations and reads the ``H * 4H`` weights once however
    large ``N`` is. With ``from_memory=False`` the same product is repeated, so the weights stay in the
    processor's cache once they fit; with ``from_memory=True`` each product uses the next of several copies of
    the weights, :data:`COLD_BYTES` in all, so that they come from main memory every time. Each time is the best
    of ``repeats`` runs of a loop long enough to last ``min_seconds``.

    With ``blas_threads`` (default 1) the products run in a separate Python process whose BLAS library uses that
    many threads: a multi-threaded product on a machine whose cores other programs keep busy waits for its
    threads, and its speed then says more about the other programs than about the product. ``None`` measures
    in this process, with the BLAS threads it has.
    """
    batch_sizes = _positive_ints(batch_sizes, "batch_sizes")
    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)) or hidden < 1:
        raise ValueError(f"hidden must be a positive int, got {hidden!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    min_seconds = _positive_float(min_seconds, "min_seconds")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if blas_threads is not None:
        if isinstance(blas_threads, bool) or not isinstance(blas_threads, (int, np.integer)) or blas_threads < 1:
            raise ValueError(f"blas_threads must be a positive int or None, got {blas_threads!r}")
        import json  # noqa: PLC0415
        import os  # noqa: PLC0415
        import subprocess  # noqa: PLC0415
        import sys  # noqa: PLC0415

        args = json.dumps([batch_sizes, int(hidden), bool(from_memory), repeats, min_seconds, int(seed)])
        code = ("import json, sys\n"
                "from scratchnlp._site.precision import matmul_rates\n"
                "n, h, m, r, s, seed = json.loads(sys.argv[1])\n"
                "rates = matmul_rates(n, h, from_memory=m, repeats=r, min_seconds=s, seed=seed, blas_threads=None)\n"
                "print(json.dumps(sorted(rates.items())))\n")
        env = dict(os.environ, **{name: str(int(blas_threads)) for name in _BLAS_THREADS})
        done = subprocess.run([sys.executable, "-c", code, args], env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the timing process failed: {done.stderr.strip()[-2000:]}")
        return {int(n): float(rate) for n, rate in json.loads(done.stdout.strip().splitlines()[-1])}
    rng = as_generator(seed)
    dtype = np.float32
    Wh = rng.standard_normal((hidden, 4 * hidden)).astype(dtype)
    copies = [Wh] + ([Wh.copy() for _ in range(max(1, -(-COLD_BYTES // Wh.nbytes)) - 1)] if from_memory else [])
    rates = {}
    for n in batch_sizes:
        h = rng.standard_normal((n, hidden)).astype(dtype)
        out = np.empty((n, 4 * hidden), dtype)
        start = time.perf_counter()
        np.matmul(h, Wh, out=out)
        once = max(time.perf_counter() - start, 1e-7)
        number = max(1, int(min_seconds / once))
        best = math.inf
        k = 0
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(number):
                np.matmul(h, copies[k], out=out)
                k = (k + 1) % len(copies)
            best = min(best, (time.perf_counter() - start) / number)
        rates[n] = 2.0 * n * hidden * 4 * hidden / best / 1e9
    return rates


@dataclass(frozen=True)
class RateGain:
    """A speed curve against the batch size: ``first`` and ``last`` batch sizes and their rates, ``gain`` (the
    last rate over the first), the ``peak`` rate, the smallest batch ``half_batch`` that reaches half of it, and
    ``verdict``: ``"rises"`` (``gain`` at least ``same``), ``"falls"`` (at most ``1 / same``) or ``"flat"``."""

    verdict: Literal["rises", "flat", "falls"]
    first: int
    last: int
    first_rate: float
    last_rate: float
    gain: float
    peak: float
    half_batch: int


def rate_gain(rates: Mapping[int, float], *, same: float = 1.5) -> RateGain:
    """Summarise a curve of :func:`matmul_rates` (batch size -> rate); gains within a factor ``same`` of 1
    count as flat."""
    same = _positive_float(same, "same")
    if same < 1:
        raise ValueError(f"same is a factor of at least 1, got {same}")
    if not rates:
        raise ValueError("rates is empty: need the rate of at least one batch size")
    sizes = sorted(rates)
    values = [float(rates[n]) for n in sizes]
    if not all(v > 0 and math.isfinite(v) for v in values):
        raise ValueError(f"rates must be positive and finite, got {values}")
    peak = max(values)
    half = next(n for n, v in zip(sizes, values) if v >= peak / 2)
    gain = values[-1] / values[0]
    verdict: Literal["rises", "flat", "falls"] = "rises" if gain >= same else "falls" if gain <= 1 / same else "flat"
    return RateGain(verdict, sizes[0], sizes[-1], values[0], values[-1], gain, peak, half)


@dataclass(frozen=True)
class BatchComparison:
    """Training runs with several batch sizes, the same data, learning rate and number of epochs.

    ``final`` maps each batch size to its loss after the last epoch (mean over the seeds) and ``spread`` to the
    range over the seeds; ``seconds`` to its median time per epoch; ``best_per_epoch`` is the batch size with
    the lowest final loss. ``budget`` is the training time of the fastest run (mean over its seeds) and
    ``within_budget`` each batch size's loss when that much time had passed (its mean loss curve against its
    mean clock, interpolated between the ends of epochs); ``per_second`` is ``"same"`` when those losses lie
    within ``tolerance`` of each other (relative to the lowest), else ``"differ"``, with ``best_per_second`` the
    batch size lowest there.
    """

    epochs: int
    final: dict[int, float]
    spread: dict[int, tuple[float, float]]
    seconds: dict[int, float]
    best_per_epoch: int
    budget: float
    within_budget: dict[int, float]
    per_second: Literal["same", "differ"]
    best_per_second: int
    tolerance: float


def compare_batches(epoch_losses: Mapping[int, Sequence[Sequence[float]]],
                    epoch_seconds: Mapping[int, Sequence[Sequence[float]]], *,
                    tolerance: float = 0.1) -> BatchComparison:
    """Compare runs by batch size, per epoch and per second: ``epoch_losses[b][s]`` is the mean loss of each
    epoch of the run with batch size ``b`` and seed ``s``, ``epoch_seconds[b][s]`` the time each epoch took."""
    if not epoch_losses or set(epoch_losses) != set(epoch_seconds):
        raise ValueError("epoch_losses and epoch_seconds must have the same, non-empty, batch sizes")
    tolerance = _positive_float(tolerance, "tolerance")
    losses = {b: np.asarray(v, dtype=float) for b, v in sorted(epoch_losses.items())}
    seconds = {b: np.asarray(epoch_seconds[b], dtype=float) for b in losses}
    shapes = {v.shape for v in losses.values()} | {v.shape for v in seconds.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2 or 0 in next(iter(shapes)):
        raise ValueError(f"every batch size needs the same seeds and epochs, as (seeds, epochs); got {shapes}")
    if any(np.any(v < 0) for v in seconds.values()):
        raise ValueError("epoch_seconds must not be negative")
    epochs = next(iter(shapes))[1]
    final = {b: float(v[:, -1].mean()) for b, v in losses.items()}
    spread = {b: (float(v[:, -1].min()), float(v[:, -1].max())) for b, v in losses.items()}
    per_epoch = {b: float(np.median(v)) for b, v in seconds.items()}
    clocks = {b: np.cumsum(v, axis=1).mean(axis=0) for b, v in seconds.items()}
    budget = min(float(c[-1]) for c in clocks.values())
    # before its first epoch ends a run is counted at its first epoch's loss
    within = {b: float(np.interp(budget, clocks[b], losses[b].mean(axis=0))) for b in losses}
    low, high = min(within.values()), max(within.values())
    per_second: Literal["same", "differ"] = "same" if high - low <= tolerance * abs(low) else "differ"
    return BatchComparison(epochs, final, spread, per_epoch, min(final, key=final.__getitem__), budget, within,
                           per_second, min(within, key=within.__getitem__), tolerance)


# --------------------------------------------------------------------------------------------------------
# Wording (one template set per language)
# --------------------------------------------------------------------------------------------------------

#: The words of the page's computed sentences and figure labels, by language.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "noise.below": "At float16's rounding level ({reference:.1e}) the noise makes the {metric} worse by "
                       "{at_reference:.3%} on average (from {low:+.3%} to {high:+.3%} over the noise draws); it "
                       "takes relative noise of {threshold:.1e}, {margin:.0f} times as large, to make it "
                       "{rise:.0%} worse.",
        "noise.never": "At float16's rounding level ({reference:.1e}) the noise makes the {metric} worse by "
                       "{at_reference:.3%} on average, and even the largest noise tried ({largest:.0e}, "
                       "{margin:.0f} times float16's rounding) makes it only {largest_change:.2%} worse.",
        "noise.above": "Noise at float16's rounding level ({reference:.1e}) already makes the {metric} "
                       "{at_reference:.2%} worse: float16 storage is not harmless for this model.",
        "fanin.zero_mean": "zero-mean terms",
        "fanin.same_sign": "same-sign terms",
        "fanin.flat": "For {terms} the relative error stays flat, {first:.1e} at a fan-in of {first_n:,} and "
                      "{last:.1e} at {last_n:,} (slope {slope:+.2f} on the log-log plot).",
        "fanin.falls_sqrt": "For {terms} it falls like 1/√n, from {first:.1e} at a fan-in of {first_n:,} to "
                            "{last:.1e} at {last_n:,} (slope {slope:+.2f}).",
        "fanin.falls": "For {terms} it falls from {first:.1e} at a fan-in of {first_n:,} to {last:.1e} at "
                       "{last_n:,} (slope {slope:+.2f}).",
        "fanin.rises": "For {terms} it rises from {first:.1e} at a fan-in of {first_n:,} to {last:.1e} at "
                       "{last_n:,} (slope {slope:+.2f}).",
        "lost.small": "At a learning rate of {lr:g}, {lost:.0%} of the {n:,} nonzero updates are rounded away, "
                      "but they carry only {length_lost:.2%} of the update's length.",
        "lost.large": "At a learning rate of {lr:g}, {lost:.0%} of the {n:,} nonzero updates are rounded away, "
                      "and they carry {length_lost:.0%} of the update's length.",
        "rates.why": "With one row, each weight read serves one multiplication and one addition, so the product "
                     "runs at the speed the weights arrive: slowly from main memory, faster from the cache (and "
                     "each call also pays NumPy's fixed cost). With N rows the same bytes feed N times the "
                     "arithmetic, until the product runs at the speed of the arithmetic itself.",
        "rates.other": "With one row, each weight read serves one multiplication and one addition; with N rows the "
                       "same bytes feed N times the arithmetic. Not every curve with the weights read from main "
                       "memory rises here, though: on this machine, while the page was built, reading the weights "
                       "did not limit every product at small batches.",
        "source.built": "Computed when this page was built.",
        "source.committed": "Read from the committed file {path}, not recomputed when this page was built.",
        "runs.same": "After {iterations} iterations the loss of the run with float16 weights is {other:.3f} "
                     "against {reference:.3f} in float32 (mean of the last {window} records): the lost updates did "
                     "not slow this training down.",
        "runs.behind": "After {iterations} iterations the loss of the run with float16 weights is {other:.3f} "
                       "against {reference:.3f} in float32 (mean of the last {window} records): the run with "
                       "float16 weights fell behind.",
        "runs.ahead": "After {iterations} iterations the loss of the run with float16 weights is {other:.3f} "
                      "against {reference:.3f} in float32 (mean of the last {window} records): it happens to be "
                      "lower, so the lost updates did not slow this training down.",
        "rate.rises": "With the weights {where} at H = {hidden}, the product does {gain:.1f} times as many GFLOP/s "
                      "at batch {last} as at batch {first} ({first_rate:.3g} against {last_rate:.3g}), and half its "
                      "peak from batch {half_batch} on.",
        "rate.flat": "With the weights {where} at H = {hidden}, the product runs at about the same speed from batch "
                     "{first} to batch {last} ({first_rate:.3g} and {last_rate:.3g} GFLOP/s).",
        "rate.falls": "With the weights {where} at H = {hidden}, the product does fewer GFLOP/s at batch {last} "
                      "than at batch {first} ({last_rate:.3g} against {first_rate:.3g}).",
        "where.memory": "read from main memory",
        "where.cache": "in the cache",
        "batches.smallest": "After {epochs} epochs the smallest batch, {best_per_epoch}, reaches the lowest loss "
                            "({best_loss:.3f}, against {largest_loss:.3f} for batch {largest}), but an epoch takes it "
                            "{slowdown:.0f} times as long as with batch {largest}.",
        "batches.other": "After {epochs} epochs batch {best_per_epoch} reaches the lowest loss ({best_loss:.3f}, "
                         "against {largest_loss:.3f} for batch {largest}); an epoch with batch {smallest} takes "
                         "{slowdown:.0f} times as long as with batch {largest}.",
        "batches.time_same": "In the time the fastest run needed for its epochs ({budget:.2g} s), every batch size "
                             "got about equally far (losses from {low:.3f} to {high:.3f}).",
        "batches.time_differ": "In the time the fastest run needed for its epochs ({budget:.2g} s), batch "
                               "{best_per_second} got furthest (loss {best_time_loss:.3f}; the others from "
                               "{others_low:.3f} to {others_high:.3f}).",
        # figure labels
        "fig.noise.x": "relative weight noise r",
        "fig.noise.y": "{metric}",
        "fig.noise.seeds": "each noise draw",
        "fig.noise.mean": "mean",
        "fig.noise.none": "no noise",
        "fig.noise.f16": "float16 rounding",
        "fig.fanin.x": "fan-in n (terms in the sum)",
        "fig.fanin.y": "relative error of the sum",
        "fig.rates.x": "batch size N",
        "fig.rates.y": "GFLOP/s",
        "fig.rates.line": "H = {hidden}, {where}",
        # tables: column headers and captions ({source}: where the numbers come from)
        "formats.format": "format",
        "formats.bits": "bits",
        "formats.layout": "sign + exponent + fraction",
        "formats.spacing": "spacing just above 1",
        "formats.digits": "decimal digits",
        "formats.largest": "largest",
        "formats.smallest": "smallest normal",
        "formats.caption": "The three IEEE 754 binary formats as NumPy reports them (numpy.finfo). The spacing just "
                           "above 1 is the distance from 1 to the next number the format can hold. {source}",
        "memory.model": "model",
        "memory.parameters": "parameters",
        "memory.float64": "float64",
        "memory.float32": "float32",
        "memory.float16": "float16",
        "memory.mib": "{mib:.1f} MiB",
        "memory.caption": "The memory the parameters of the chapter-6 language models take in each format "
                          "(V = {vocab:,} words; BetterRnnlm shares its embedding with the output layer, counted "
                          "once). Training needs several times more: gradients, the optimizer's state and the "
                          "activations of a batch. {source}",
        "storage.model": "model",
        "storage.score": "score",
        "storage.float64": "computed in float64",
        "storage.float32": "float32 (as trained)",
        "storage.float16": "stored in float16",
        "storage.caption": "The same float32-trained weights scored three ways: read into a float64 model and "
                           "computed in float64; as trained; and written in float16, read back and computed in "
                           "float32. Short runs (see the text for their sizes). {source}",
        "lost.lr": "learning rate",
        "lost.lost": "updates rounded away",
        "lost.length": "share of the update's length they carry",
        "lost.book": "{lr:g} (the book's)",
        "lost.caption": "One SGD update of the book's trained chapter-6 language model applied to its float16 "
                        "weights: the share of the nonzero updates after which the float16 weight is unchanged, and "
                        "the share of the update's length (its L2 norm) that those lost updates carry. Gradients on "
                        "{batches} batches of training text, clipped as in training; means over the batches. "
                        "{source}",
        "gpu.model": "model (book's settings)",
        "gpu.cpu": "NumPy on the CPU",
        "gpu.gpu": "CuPy on the GPU",
        "gpu.ratio": "ratio",
        "gpu.caption": "One training iteration of the chapter-6 and chapter-8 models with the book's sizes and "
                       "batches, with the library's NumPy arrays on the CPU and CuPy arrays on the GPU "
                       "(scratchnlp._site.speedup.chapter_step_times). {source}",
        "gpu.none": "No GPU numbers: run `make bench` (or `python benchmarks/bench_gpu.py --json ...`) on a machine "
                    "with an NVIDIA GPU and CuPy (`pip install 'scratchnlp[gpu]'`); it writes "
                    "`benchmarks/results/bench_gpu.json`, which this section then shows, with the machine named.",
        "bench.what": "what",
        "bench.reference": "reference",
        "bench.reference_s": "reference's time",
        "bench.ours": "ours",
        "bench.ratio": "ratio",
        "bench.no_machine": "no machine",
        "bench.never": "never",
        "bench.caption": "The comparisons of the committed benchmark results, one run of make bench: the "
                         "reference's time over ours (above 1: ours is faster). Both sides were timed in the same "
                         "process, interleaved, best of several runs. {source}",
        # the models of the storage test
        "model.Rnnlm": "chapter 6 language model",
        "model.AttentionSeq2seq": "chapter 8 date reader",
        "model.CBOW": "chapter 4 word vectors",
        "metric.Rnnlm": "test perplexity",
        "metric.AttentionSeq2seq": "share of test dates answered right",
        "metric.CBOW": "share of analogies answered right",
        "short.Rnnlm": "test perplexity (lower is better)",
        "short.AttentionSeq2seq": "test dates right",
        "short.CBOW": "analogies right",
        "points": "{x} percentage points",
        "storage.same": "For the {model}, float16 storage leaves the {metric} exactly as it was: {full}.",
        "storage.negligible": "For the {model}, float16 storage changes the {metric} by {diff}, which is nothing "
                              "({full} with float32 weights and {half} with float16 weights).",
        "storage.worse": "For the {model}, float16 storage makes the {metric} worse by {diff}, {relative:.2g}% of "
                         "it ({full} with float32 weights and {half} with float16 weights).",
        "storage.better": "For the {model}, float16 storage happens to improve the {metric} by {diff}, "
                          "{relative:.2g}% of it ({full} with float32 weights and {half} with float16 weights).",
        "storage.broken": "For the {model}, float16 storage broke the model: its {metric} is {half} against {full}.",
        # throughput against the batch size
        "throughput.Rnnlm": "the language model",
        "throughput.AttentionSeq2seq": "the date reader",
        "unit.Rnnlm": "words",
        "unit.AttentionSeq2seq": "dates",
        "throughput.rises": "From batch {first} to batch {last}, {model} processes {gain:.1f} times as many {unit} "
                            "per second.",
        "throughput.flat": "From batch {first} to batch {last}, {model} processes about as many {unit} per second "
                           "({gain:.2f} times as many).",
        "throughput.falls": "From batch {first} to batch {last}, {model} processes fewer {unit} per second "
                            "({gain:.2f} times as many).",
        "fig.throughput.x": "batch size",
        "fig.throughput.y": "{unit} per second",
        "fig.runs.x": "iteration",
        "fig.runs.y": "training loss",
        "fig.runs.float32": "float32 weights",
        "fig.runs.float16": "weights rounded to float16 after each update",
        "fig.batches.epoch": "epoch",
        "fig.batches.seconds": "seconds of training",
        "fig.batches.loss": "training loss",
        "fig.batches.line": "batch {batch}",
        # words the page's cells pass in
        "noise.metric": "perplexity",
        "times": "{ratio:.1f}x",
    },
    "ko": {
        "noise.below": "float16의 반올림 수준({reference:.1e})의 잡음은 {metric} 값을 평균 {at_reference:.3%} 나쁘게 "
                       "만든다(잡음 표본에 따라 {low:+.3%}에서 {high:+.3%}까지). {metric} 값을 {rise:.0%} 나쁘게 "
                       "만들려면 그 {margin:.0f}배인 {threshold:.1e}의 상대 잡음이 필요하다.",
        "noise.never": "float16의 반올림 수준({reference:.1e})의 잡음은 {metric} 값을 평균 {at_reference:.3%} 나쁘게 "
                       "만들 뿐이고, 시험한 가장 큰 잡음({largest:.0e}, float16 반올림의 {margin:.0f}배)으로도 "
                       "{largest_change:.2%}밖에 나빠지지 않는다.",
        "noise.above": "float16의 반올림 수준({reference:.1e})의 잡음만으로도 {metric} 값이 {at_reference:.2%} "
                       "나빠진다. 이 모델에서는 float16으로 저장하는 것이 무해하지 않다.",
        "fanin.zero_mean": "평균이 0인 항",
        "fanin.same_sign": "부호가 같은 항",
        "fanin.flat": "{terms}에서는 상대 오차가 거의 일정하다. 팬인 {first_n:,}에서 {first:.1e}, 팬인 "
                      "{last_n:,}에서도 {last:.1e} 수준이다(로그-로그 그래프에서 기울기 {slope:+.2f}).",
        "fanin.falls_sqrt": "{terms}에서는 상대 오차가 1/√n처럼 줄어, 팬인 {first_n:,}의 {first:.1e}에서 팬인 "
                            "{last_n:,}의 {last:.1e}까지 내려간다(기울기 {slope:+.2f}).",
        "fanin.falls": "{terms}에서는 상대 오차가 팬인 {first_n:,}의 {first:.1e}에서 팬인 {last_n:,}의 {last:.1e}까지 "
                       "줄어든다(기울기 {slope:+.2f}).",
        "fanin.rises": "{terms}에서는 상대 오차가 팬인 {first_n:,}의 {first:.1e}에서 팬인 {last_n:,}의 {last:.1e}까지 "
                       "커진다(기울기 {slope:+.2f}).",
        "lost.small": "학습률 {lr:g}에서는 0이 아닌 갱신 {n:,}개 가운데 {lost:.0%}가 반올림으로 사라지지만, 그 "
                      "갱신들은 갱신 전체 길이의 {length_lost:.2%}만 차지한다.",
        "lost.large": "학습률 {lr:g}에서는 0이 아닌 갱신 {n:,}개 가운데 {lost:.0%}가 반올림으로 사라지고, 그 갱신들이 "
                      "갱신 전체 길이의 {length_lost:.0%}를 차지한다.",
        "rates.why": "행이 하나이면 가중치를 하나 읽을 때마다 곱셈 한 번과 덧셈 한 번만 하므로, 곱은 가중치가 "
                     "도착하는 속도로 진행된다. 주 메모리에서 읽으면 느리고 캐시에서 읽으면 더 빠르다(게다가 호출마다 "
                     "NumPy의 고정 비용도 든다). 행이 N개이면 같은 바이트로 N배의 연산을 하므로, 결국 곱은 연산 "
                     "자체의 속도로 진행된다.",
        "rates.other": "행이 하나이면 가중치를 하나 읽을 때마다 곱셈과 덧셈을 한 번씩 하고, 행이 N개이면 같은 "
                       "바이트로 N배의 연산을 한다. 그런데 여기서는 가중치를 주 메모리에서 읽는 곡선이 모두 "
                       "올라가지는 않는다. 이 페이지를 빌드할 때 이 컴퓨터에서는 작은 배치에서도 가중치를 읽는 일이 "
                       "모든 곱의 속도를 제한하지는 않았다.",
        "source.built": "이 페이지를 빌드할 때 계산했다.",
        "source.committed": "저장소에 커밋된 파일 {path}에서 읽었으며, 이 페이지를 빌드할 때 다시 계산하지 않았다.",
        "runs.same": "{iterations}번 반복한 뒤 float16 가중치로 학습한 손실과 float32로 학습한 손실은 거의 "
                     "같다(float16 쪽 {other:.3f}, float32 쪽 {reference:.3f}, 마지막 기록 {window}개의 평균). 사라진 "
                     "갱신이 이 학습을 늦추지 않았다.",
        "runs.behind": "{iterations}번 반복한 뒤 float16 가중치로 학습한 손실이 float32로 학습한 손실보다 "
                       "높다(float16 쪽 {other:.3f}, float32 쪽 {reference:.3f}, 마지막 기록 {window}개의 평균). "
                       "float16 가중치로 학습한 쪽이 뒤처졌다.",
        "runs.ahead": "{iterations}번 반복한 뒤 float16 가중치로 학습한 손실이 float32로 학습한 손실보다 우연히 "
                      "낮다(float16 쪽 {other:.3f}, float32 쪽 {reference:.3f}, 마지막 기록 {window}개의 평균). "
                      "사라진 갱신이 이 학습을 늦추지 않은 것이다.",
        "rate.rises": "가중치를 {where}에서 읽는 H = {hidden}의 곱은 배치 {last}에서 배치 {first}보다 {gain:.1f}배 "
                      "많은 GFLOP/s를 내고({first_rate:.3g} 대 {last_rate:.3g}), 배치 {half_batch}부터는 최고 속도의 "
                      "절반에 이른다.",
        "rate.flat": "가중치를 {where}에서 읽는 H = {hidden}의 곱은 배치 {first}부터 배치 {last}까지 거의 같은 속도로 "
                     "진행된다({first_rate:.3g} GFLOP/s와 {last_rate:.3g} GFLOP/s).",
        "rate.falls": "가중치를 {where}에서 읽는 H = {hidden}의 곱은 배치 {last}에서 배치 {first}보다 GFLOP/s가 "
                      "낮다({last_rate:.3g} 대 {first_rate:.3g}).",
        "where.memory": "주 메모리",
        "where.cache": "캐시",
        "batches.smallest": "{epochs}에폭 뒤에는 가장 작은 배치인 배치 {best_per_epoch}에서 손실이 가장 "
                            "낮지만({best_loss:.3f}, 배치 {largest}에서는 {largest_loss:.3f}), 한 에폭에 배치 "
                            "{largest}의 {slowdown:.0f}배나 되는 시간이 걸린다.",
        "batches.other": "{epochs}에폭 뒤에는 배치 {best_per_epoch}에서 손실이 가장 낮다({best_loss:.3f}, 배치 "
                         "{largest}에서는 {largest_loss:.3f}). 배치 {smallest}의 한 에폭은 배치 {largest}의 "
                         "{slowdown:.0f}배나 걸린다.",
        "batches.time_same": "가장 빠른 실행이 모든 에폭을 마친 시간({budget:.2g}초) 안에서는 모든 배치 크기가 거의 "
                             "같은 지점까지 나아갔다(손실 {low:.3f}~{high:.3f}).",
        "batches.time_differ": "가장 빠른 실행이 모든 에폭을 마친 시간({budget:.2g}초) 안에서는 배치 "
                               "{best_per_second}의 실행이 가장 멀리 나아갔다(손실 {best_time_loss:.3f}, 나머지는 "
                               "{others_low:.3f}~{others_high:.3f}).",
        # figure labels
        "fig.noise.x": "상대 가중치 잡음 r",
        "fig.noise.y": "{metric}",
        "fig.noise.seeds": "잡음 표본 하나",
        "fig.noise.mean": "평균",
        "fig.noise.none": "잡음 없음",
        "fig.noise.f16": "float16 반올림",
        "fig.fanin.x": "팬인 n (합의 항 개수)",
        "fig.fanin.y": "합의 상대 오차",
        "fig.rates.x": "배치 크기 N",
        "fig.rates.y": "GFLOP/s",
        "fig.rates.line": "H = {hidden}, {where}",
        # tables: column headers and captions ({source}: where the numbers come from)
        "formats.format": "형식",
        "formats.bits": "비트 수",
        "formats.layout": "부호 + 지수 + 가수",
        "formats.spacing": "1 바로 위의 간격",
        "formats.digits": "십진 자릿수",
        "formats.largest": "최댓값",
        "formats.smallest": "가장 작은 정규수",
        "formats.caption": "NumPy가 알려 주는(numpy.finfo) IEEE 754의 세 가지 이진 형식. 1 바로 위의 간격은 1에서 그 "
                           "형식이 나타낼 수 있는 다음 수까지의 거리다. {source}",
        "memory.model": "모델",
        "memory.parameters": "매개변수 수",
        "memory.float64": "float64",
        "memory.float32": "float32",
        "memory.float16": "float16",
        "memory.mib": "{mib:.1f} MiB",
        "memory.caption": "6장 언어 모델의 매개변수가 각 형식에서 차지하는 메모리(V = {vocab:,}단어. BetterRnnlm은 "
                          "임베딩을 출력 계층과 공유하므로 한 번만 셌다). 학습에는 기울기, 옵티마이저의 상태, 배치의 "
                          "활성화 값 때문에 몇 배 더 많은 메모리가 필요하다. {source}",
        "storage.model": "모델",
        "storage.score": "점수",
        "storage.float64": "float64로 계산",
        "storage.float32": "float32(학습한 그대로)",
        "storage.float16": "float16으로 저장",
        "storage.caption": "float32로 학습한 같은 가중치를 세 가지 방식으로 평가한 점수. float64 모델에 읽어 들여 "
                           "float64로 계산한 것, 학습한 그대로인 것, float16으로 저장했다가 다시 읽어 float32로 "
                           "계산한 것이다. 짧은 학습이다(크기는 본문 참고). {source}",
        "lost.lr": "학습률",
        "lost.lost": "반올림으로 사라진 갱신",
        "lost.length": "그 갱신이 차지하는 갱신 길이의 몫",
        "lost.book": "{lr:g}(책의 값)",
        "lost.caption": "책이 학습한 6장 언어 모델의 float16 가중치에 SGD 갱신을 한 번 적용한 결과. 0이 아닌 갱신 "
                        "가운데 적용한 뒤에도 float16 가중치가 그대로인 갱신의 비율과, 그렇게 사라진 갱신이 갱신 전체 "
                        "길이(L2 노름)에서 차지하는 비율이다. 학습 텍스트의 배치 {batches}개에서 구한 기울기를 학습 "
                        "때처럼 클리핑했고, 배치들의 평균을 냈다. {source}",
        "gpu.model": "모델(책의 설정)",
        "gpu.cpu": "CPU의 NumPy",
        "gpu.gpu": "GPU의 CuPy",
        "gpu.ratio": "배율",
        "gpu.caption": "책의 크기와 배치로 6장과 8장의 모델을 1회 반복 학습하는 데 걸린 시간. CPU에서는 라이브러리의 "
                       "NumPy 배열로, GPU에서는 CuPy 배열로 계산했다(scratchnlp._site.speedup.chapter_step_times). "
                       "{source}",
        "gpu.none": "GPU 측정값이 없다. NVIDIA GPU와 CuPy(`pip install 'scratchnlp[gpu]'`)가 있는 컴퓨터에서 `make "
                    "bench`(또는 `python benchmarks/bench_gpu.py --json ...`)를 실행하면 "
                    "`benchmarks/results/bench_gpu.json` 파일이 만들어지고, 이 절은 그 측정값을 측정한 컴퓨터의 "
                    "이름과 함께 보여 준다.",
        "bench.what": "측정 대상",
        "bench.reference": "비교 대상",
        "bench.reference_s": "비교 대상의 시간",
        "bench.ours": "이 라이브러리",
        "bench.ratio": "배율",
        "bench.no_machine": "측정한 컴퓨터 없음",
        "bench.never": "측정한 적 없음",
        "bench.caption": "커밋된 벤치마크 결과(make bench 한 번 실행)의 비교. 배율은 비교 대상의 시간을 이 "
                         "라이브러리의 시간으로 나눈 값이다(1보다 크면 이 라이브러리가 더 빠르다). 두 쪽 모두 같은 "
                         "프로세스에서 번갈아 여러 번 측정해 가장 좋은 값을 택했다. {source}",
        # the models of the storage test
        "model.Rnnlm": "6장 언어 모델",
        "model.AttentionSeq2seq": "8장 날짜 변환 모델",
        "model.CBOW": "4장 단어 벡터",
        "metric.Rnnlm": "테스트 퍼플렉서티",
        "metric.AttentionSeq2seq": "테스트 날짜 정답률",
        "metric.CBOW": "유추 문제 정답률",
        "short.Rnnlm": "테스트 퍼플렉서티(낮을수록 좋다)",
        "short.AttentionSeq2seq": "테스트 날짜 정답률",
        "short.CBOW": "유추 정답률",
        "points": "{x}퍼센트포인트",
        "storage.same": "{model}에서는 float16으로 저장해도 {metric} 값이 {full} 그대로다.",
        "storage.negligible": "{model}에서는 float16으로 저장하면 {metric} 값이 {diff}만큼 바뀌는데, 이는 없는 것과 "
                              "같다(float32 가중치로 {full}, float16 가중치로 {half}).",
        "storage.worse": "{model}에서는 float16으로 저장하면 {metric} 값이 {diff}, 즉 {relative:.2g}%만큼 "
                         "나빠진다(float32 가중치로 {full}, float16 가중치로 {half}).",
        "storage.better": "{model}에서는 float16으로 저장하면 {metric} 값이 우연히 {diff}, 즉 {relative:.2g}%만큼 "
                          "좋아진다(float32 가중치로 {full}, float16 가중치로 {half}).",
        "storage.broken": "{model}에서는 float16으로 저장하자 모델이 망가졌다({metric} 값이 float32 가중치로 {full}, "
                          "float16 가중치로 {half}).",
        # throughput against the batch size
        "throughput.Rnnlm": "언어 모델",
        "throughput.AttentionSeq2seq": "날짜 변환 모델",
        "unit.Rnnlm": "단어",
        "unit.AttentionSeq2seq": "날짜",
        "throughput.rises": "배치를 {first}에서 {last}까지 키우면 {model}이 1초에 처리하는 {unit} 수가 {gain:.1f}배로 "
                            "늘어난다.",
        "throughput.flat": "배치를 {first}에서 {last}까지 키워도 {model}이 1초에 처리하는 {unit} 수는 거의 "
                           "그대로다({gain:.2f}배).",
        "throughput.falls": "배치를 {first}에서 {last}까지 키우면 {model}이 1초에 처리하는 {unit} 수가 오히려 "
                            "줄어든다({gain:.2f}배).",
        "fig.throughput.x": "배치 크기",
        "fig.throughput.y": "초당 처리한 {unit} 수",
        "fig.runs.x": "반복",
        "fig.runs.y": "학습 손실",
        "fig.runs.float32": "float32 가중치",
        "fig.runs.float16": "갱신할 때마다 float16으로 반올림한 가중치",
        "fig.batches.epoch": "에폭",
        "fig.batches.seconds": "학습 시간(초)",
        "fig.batches.loss": "학습 손실",
        "fig.batches.line": "배치 {batch}",
        # words the page's cells pass in
        "noise.metric": "퍼플렉서티",
        "times": "{ratio:.1f}배",
    },
}


#: The columns of the page's tables, by table; each column's header is the template ``"<table>.<column>"``.
COLUMNS: dict[str, tuple[str, ...]] = {
    "formats": ("format", "bits", "layout", "spacing", "digits", "largest", "smallest"),
    "memory": ("model", "parameters", "float64", "float32", "float16"),
    "storage": ("model", "score", "float64", "float32", "float16"),
    "lost": ("lr", "lost", "length"),
    "gpu": ("model", "cpu", "gpu", "ratio"),
    "bench": ("what", "reference", "reference_s", "ours", "ratio"),
}


def _say(key: str, lang: str | None = None, **values: Any) -> str:
    return say(TEMPLATES, key, lang, **values)


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in; ``lang=None``: the page's
    language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`)."""
    return _say(key, lang, **values)


def header(table: str, lang: str | None = None) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``."""
    return table_header(TEMPLATES, COLUMNS, table, lang)


@dataclass(frozen=True)
class StorageEffect:
    """What float16 storage did to a model's score: ``full`` (float32 weights) and ``half`` (after a round trip
    through float16), the difference ``diff = half - full`` and ``relative = |diff| / |full|``, and ``verdict``:
    ``"same"`` (identical), ``"negligible"`` (within ``tolerance``), ``"worse"``, ``"better"`` or ``"broken"``
    (a score that is not finite)."""

    verdict: Literal["same", "negligible", "worse", "better", "broken"]
    full: float
    half: float
    diff: float
    relative: float


def storage_effect(full: float, half: float, *, higher_is_better: bool, tolerance: float = 0.0) -> StorageEffect:
    """Decide whether storing a model's weights in float16 changed its score (``full`` with float32 weights,
    ``half`` with the float16 round trip); differences within ``tolerance`` count as none."""
    full, half = float(full), float(half)
    if not (math.isfinite(full) and math.isfinite(half)):
        return StorageEffect("broken", full, half, math.nan, math.nan)
    diff = half - full
    relative = abs(diff) / abs(full) if full else math.inf
    if diff == 0:
        verdict: Literal["same", "negligible", "worse", "better", "broken"] = "same"
    elif abs(diff) <= tolerance:
        verdict = "negligible"
    else:
        verdict = "worse" if (diff < 0) == higher_is_better else "better"
    return StorageEffect(verdict, full, half, diff, relative)


def storage_text(effect: StorageEffect, model: str, *, digits: int = 1, unit: str = "",
                 lang: str | None = None) -> str:
    """The sentence of a :class:`StorageEffect` of ``model`` (``"Rnnlm"``, ``"AttentionSeq2seq"`` or ``"CBOW"``),
    scores written with ``digits`` decimals and ``unit`` (a difference of scores in ``"%"`` is written in
    percentage points)."""

    def score(x: float) -> str:
        return f"{x:.{digits}f}{unit}"

    def amount(x: float, spec: str) -> str:
        return _say("points", lang, x=f"{x:{spec}}") if unit == "%" else f"{x:{spec}}{unit}"

    spec = f".{digits + 1}g" if effect.verdict == "negligible" else f".{digits}f"
    return _say(f"storage.{effect.verdict}", lang, model=_say(f"model.{model}", lang),
                metric=_say(f"metric.{model}", lang), full=score(effect.full),
                half=score(effect.half) if math.isfinite(effect.half) else str(effect.half),
                diff=amount(abs(effect.diff), spec) if math.isfinite(effect.diff) else "",
                relative=100 * effect.relative)


def throughput_text(gains: Mapping[str, RateGain], lang: str | None = None) -> str:
    """How much more a model processed per second at its largest batch than at its smallest, one sentence per
    model (``gains`` maps ``"Rnnlm"`` and ``"AttentionSeq2seq"`` to the :func:`rate_gain` of its throughput)."""
    if not gains:
        raise ValueError("need at least one model's gain")
    return " ".join(
        _say(f"throughput.{g.verdict}", lang, first=g.first, last=g.last, model=_say(f"throughput.{name}", lang),
             unit=_say(f"unit.{name}", lang), gain=g.gain)
        for name, g in gains.items())


def noise_text(tolerance: NoiseTolerance, metric: str, lang: str | None = None) -> str:
    """The sentence of a :class:`NoiseTolerance` (``metric`` names the score: "perplexity")."""
    low, high = tolerance.spread
    return _say(f"noise.{tolerance.verdict}", lang, metric=metric, reference=tolerance.reference,
                at_reference=tolerance.at_reference, low=low, high=high, threshold=tolerance.threshold or math.nan,
                margin=tolerance.margin, rise=tolerance.rise, largest=tolerance.largest_level,
                largest_change=tolerance.largest_change)


def fan_in_text(trend: FanInTrend, lang: str | None = None) -> str:
    """The sentence of a :class:`FanInTrend`."""
    return _say(f"fanin.{trend.verdict}", lang, terms=_say(f"fanin.{trend.terms}", lang), first=trend.first,
                last=trend.last, first_n=trend.first_n, last_n=trend.last_n, slope=trend.slope)


def lost_updates_text(lost: LostUpdates, *, small: float = 0.05, lang: str | None = None) -> str:
    """The sentence of a :class:`LostUpdates`; lost updates carrying less than ``small`` of the update's length
    are called a small part of it."""
    key = "lost.small" if lost.length_lost < small else "lost.large"
    return _say(key, lang, lr=lost.lr, lost=lost.lost, n=lost.n, length_lost=lost.length_lost)


def source_text(computed: bool, path: str | None = None, lang: str | None = None) -> str:
    """Where a table's or figure's numbers come from: computed when the page was built, or read from the
    committed file ``path``."""
    if computed:
        return _say("source.built", lang)
    if not path:
        raise ValueError("a committed source needs the path of its file")
    return _say("source.committed", lang, path=path)


def runs_text(comparison: RunComparison, iterations: int, lang: str | None = None) -> str:
    """The sentence of a :class:`RunComparison` of a float32 run (reference) and a float16-weights run."""
    return _say(f"runs.{comparison.verdict}", lang, iterations=iterations, other=comparison.other,
                reference=comparison.reference, window=comparison.window)


def rates_explanation(gains: Sequence[RateGain], lang: str | None = None) -> str:
    """Why the curves of :func:`matmul_rates` look as they do: the explanation by the bytes each weight read
    feeds when every curve rises, and what the curves that do not rise mean otherwise."""
    if not gains:
        raise ValueError("need at least one RateGain")
    return _say("rates.why" if all(g.verdict == "rises" for g in gains) else "rates.other", lang)


def rate_gain_text(gain: RateGain, hidden: int, *, from_memory: bool, lang: str | None = None) -> str:
    """The sentence of a :class:`RateGain` of the product at hidden size ``hidden``, with the weights read from
    main memory or from the cache."""
    where = _say("where.memory" if from_memory else "where.cache", lang)
    return _say(f"rate.{gain.verdict}", lang, first=gain.first, last=gain.last, gain=gain.gain,
                first_rate=gain.first_rate, last_rate=gain.last_rate, hidden=hidden, half_batch=gain.half_batch,
                where=where)


def batches_text(comparison: BatchComparison, lang: str | None = None) -> str:
    """The sentences of a :class:`BatchComparison`: per epoch, then per second of training."""
    sizes = sorted(comparison.final)
    smallest, largest = sizes[0], sizes[-1]
    per_epoch = _say("batches.smallest" if comparison.best_per_epoch == smallest else "batches.other", lang,
                     epochs=comparison.epochs, best_per_epoch=comparison.best_per_epoch,
                     best_loss=comparison.final[comparison.best_per_epoch], largest=largest,
                     largest_loss=comparison.final[largest], smallest=smallest,
                     slowdown=comparison.seconds[smallest] / comparison.seconds[largest])
    within = comparison.within_budget
    others = [v for b, v in within.items() if b != comparison.best_per_second] or [within[comparison.best_per_second]]
    per_second = _say(f"batches.time_{comparison.per_second}", lang, budget=comparison.budget,
                      low=min(within.values()), high=max(within.values()),
                      best_per_second=comparison.best_per_second,
                      best_time_loss=within[comparison.best_per_second], others_low=min(others),
                      others_high=max(others))
    return f"{per_epoch} {per_second}"


# --------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------

_WIDTH = 5.6  # inches: the widest figure whose 11 pt text stays readable on a phone


def draw_noise_curve(curve: NoiseCurve, metric: str, *, reference: float = FLOAT16_ROUNDING,
                     lang: str | None = None) -> Any:
    """The score against the relative noise level (logarithmic), each noise draw as a point, their mean as a
    line, the noise-free score as a dotted line and float16's rounding level as a dashed vertical line."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(_WIDTH, 3.6), layout="constrained")
    levels = np.asarray(curve.levels)
    for j in range(len(curve.seeds)):
        ax.plot(levels, curve.scores[:, j], "o", color=COLORS[0], alpha=0.45, markersize=5,
                label=_say("fig.noise.seeds", lang) if j == 0 else None)
    ax.plot(levels, curve.scores.mean(axis=1), "-", color=COLORS[0], label=_say("fig.noise.mean", lang))
    ax.axhline(curve.baseline, color="0.4", linestyle=":", label=_say("fig.noise.none", lang))
    ax.axvline(reference, color=COLORS[1], linestyle="--", label=_say("fig.noise.f16", lang))
    ax.set_xscale("log")
    ax.set_xlabel(_say("fig.noise.x", lang))
    ax.set_ylabel(_say("fig.noise.y", lang, metric=metric))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def draw_fan_in(fan_ins: Sequence[int], errors: Mapping[str, Sequence[float]], *,
                reference: float = FLOAT16_ROUNDING, lang: str | None = None) -> Any:
    """The relative error of the sum against the fan-in, one line per kind of terms (``errors`` maps
    ``"zero_mean"``/``"same_sign"`` to the errors of :func:`fan_in_errors`), both axes logarithmic, with
    float16's largest relative rounding error of one weight as a dashed line."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(_WIDTH, 3.4), layout="constrained")
    for color, (terms, errs) in zip(COLORS, errors.items()):
        ax.plot(fan_ins, errs, "o-", color=color, label=_say(f"fanin.{terms}", lang))
    ax.axhline(reference, color="0.4", linestyle="--", label=_say("fig.noise.f16", lang))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_say("fig.fanin.x", lang))
    ax.set_ylabel(_say("fig.fanin.y", lang))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left")
    return fig


def draw_matmul_rates(rates: Mapping[tuple[int, bool], Mapping[int, float]], *, lang: str | None = None) -> Any:
    """GFLOP/s of :func:`matmul_rates` against the batch size, one line per hidden size and source of the
    weights (``rates`` maps ``(H, from_memory)`` to its curve): one colour per H, solid for weights read from
    main memory and dashed for weights in the cache; both axes logarithmic."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(_WIDTH, 3.8), layout="constrained")
    colors = {h: COLORS[k % len(COLORS)] for k, h in enumerate(dict.fromkeys(h for h, _ in rates))}
    for (hidden, from_memory), curve in rates.items():
        sizes = sorted(curve)
        where = _say("where.memory" if from_memory else "where.cache", lang)
        ax.plot(sizes, [curve[n] for n in sizes], "o-" if from_memory else "s--", color=colors[hidden],
                label=_say("fig.rates.line", lang, hidden=hidden, where=where))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(_say("fig.rates.x", lang))
    ax.set_ylabel(_say("fig.rates.y", lang))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def draw_batch_runs(epoch_losses: Mapping[int, Sequence[Sequence[float]]],
                    epoch_seconds: Mapping[int, Sequence[Sequence[float]]], *, lang: str | None = None) -> Any:
    """Two panels, stacked: the training loss against the epoch and against the seconds of training, one line
    per batch size (the mean over the seeds, with their range shaded in the top panel)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(_WIDTH, 6.4), layout="constrained")
    for color, batch in zip(COLORS, sorted(epoch_losses)):
        losses = np.asarray(epoch_losses[batch], dtype=float)
        clock = np.cumsum(np.asarray(epoch_seconds[batch], dtype=float), axis=1).mean(axis=0)
        epochs = np.arange(1, losses.shape[1] + 1)
        label = _say("fig.batches.line", lang, batch=batch)
        top.plot(epochs, losses.mean(axis=0), color=color, label=label)
        top.fill_between(epochs, losses.min(axis=0), losses.max(axis=0), color=color, alpha=0.2, linewidth=0)
        bottom.plot(clock, losses.mean(axis=0), color=color, label=label)
    top.set_xlabel(_say("fig.batches.epoch", lang))
    bottom.set_xlabel(_say("fig.batches.seconds", lang))
    bottom.set_xscale("log")
    for ax in (top, bottom):
        ax.set_ylabel(_say("fig.batches.loss", lang))
        ax.grid(True, alpha=0.3)
    top.legend(loc="upper right")
    return fig


def draw_runs(iterations: Sequence[int], curves: Mapping[str, Sequence[float]], *, lang: str | None = None) -> Any:
    """Loss curves of training runs against the iteration, one line per run; ``curves`` maps ``"float32"`` and
    ``"float16"`` (the run whose weights were rounded to float16 after each update) to their losses."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    unknown = set(curves) - {"float32", "float16"}
    if unknown:
        raise ValueError(f"curves are named 'float32' and 'float16', got {sorted(unknown)}")
    fig, ax = plt.subplots(figsize=(_WIDTH, 3.4), layout="constrained")
    styles = {"float32": ("-", COLORS[0]), "float16": ("--", COLORS[1])}
    for name, losses in curves.items():
        if len(losses) != len(iterations):
            raise ValueError(f"the {name} curve has {len(losses)} points for {len(iterations)} iterations")
        style, color = styles[name]
        ax.plot(iterations, losses, style, color=color, label=_say(f"fig.runs.{name}", lang))
    ax.set_xlabel(_say("fig.runs.x", lang))
    ax.set_ylabel(_say("fig.runs.y", lang))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right")
    return fig


def draw_throughput(throughput: Mapping[str, Mapping[int, float]], *, lang: str | None = None) -> Any:
    """Throughput against the batch size, one panel per model, stacked (``throughput`` maps ``"Rnnlm"`` and
    ``"AttentionSeq2seq"`` to batch size -> samples per second); both axes logarithmic."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, axes = plt.subplots(len(throughput), 1, figsize=(_WIDTH, 3.1 * len(throughput)), layout="constrained",
                             squeeze=False)
    for ax, (name, by_batch) in zip(axes[:, 0], throughput.items()):
        sizes = sorted(by_batch)
        ax.plot(sizes, [by_batch[n] for n in sizes], "o-", color=COLORS[0])
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(_say("fig.throughput.x", lang))
        ax.set_ylabel(_say("fig.throughput.y", lang, unit=_say(f"unit.{name}", lang)))
        ax.set_title(name)
        ax.grid(True, which="both", alpha=0.3)
    return fig
