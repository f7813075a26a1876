"""Input checks shared by the public entry points: one clear ``ValueError`` saying what was expected."""

from __future__ import annotations

from typing import Any

import numpy as np


class DeviceUnavailableError(RuntimeError):
    """The GPU was asked for (``SCRATCHNLP_DEVICE=gpu`` or ``set_device("gpu")``) but cannot be used: CuPy is
    not installed, CUDA is not usable, or there is no CUDA device. The message says which and what to do.

    Documented as :class:`scratchnlp.training.DeviceUnavailableError` (importable from ``scratchnlp.backend``
    too); it lives here, in a module without side effects, so that it can be caught even when importing the
    backend failed with it.
    """


class NonFiniteLossError(FloatingPointError):
    """Training met a NaN or infinite loss or gradient; raised before the bad values reach the parameters.

    The one error type of every training loop (:class:`scratchnlp.training.Trainer`, the word2vec-style loop,
    the language-model trainer) and of :func:`scratchnlp.optim.clip_grads`. Documented and re-exported as
    :class:`scratchnlp.training.NonFiniteLossError`.
    """


class NonFiniteScoresError(NonFiniteLossError, ValueError):
    """Scores given to a softmax or a sigmoid, or to a loss built on one, hold NaN or ``+inf``.

    The rule, the same for :func:`scratchnlp.functions.softmax`, :func:`~scratchnlp.functions.log_softmax`,
    the softmax and sigmoid losses and the attention weights: a score of ``-inf`` is a class masked out on
    purpose (its probability is exactly 0, without a warning); ``+inf`` only comes from an overflow and NaN
    from arithmetic on it, so both mean the model has diverged, and so does a row whose every score is
    ``-inf`` (no class is left to have a probability). Such scores raise this error instead of giving a NaN
    loss or NaN probabilities.

    It is a :class:`~scratchnlp.training.NonFiniteLossError`, so the training loops stop on it as on any NaN
    or infinite loss, and a ``ValueError``, the library's type for bad input.
    """


#: What every randomized function accepts as ``seed``: an int, a NumPy ``Generator`` (used as it is), or None.
Seed = int | np.random.Generator | None


def as_generator(seed: Seed) -> np.random.Generator:
    """A NumPy ``Generator`` from a seed (a Generator is returned as it is, so callers can share one)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be a non-negative int, a numpy.random.Generator or None, got {seed!r}")
    return np.random.default_rng(seed)


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int, or raise ``ValueError`` unless it is an integer >= 1 (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def check_nonempty_batch(a: Any, name: str) -> None:
    """Raise ``ValueError`` when ``a`` has no rows (a loss over an empty batch is undefined)."""
    if getattr(a, "ndim", 0) and a.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch ({describe(a)}); a mean loss needs at least one example")


def describe(a: Any) -> str:
    """A short description of an array-like for error messages: its shape and dtype."""
    shape = getattr(a, "shape", None)
    dtype = getattr(a, "dtype", None)
    if shape is None:
        return f"{type(a).__name__}"
    return f"array of shape {tuple(shape)} and dtype {dtype}"


def check_array(a: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``a`` is a NumPy or CuPy array."""
    if not hasattr(a, "shape") or not hasattr(a, "dtype"):
        raise TypeError(f"{name} must be a NumPy or CuPy array, got {type(a).__name__}")


def check_real(a: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``a`` is a NumPy or CuPy array, ``ValueError`` unless it holds ints or floats."""
    check_array(a, name)
    if np.dtype(a.dtype).kind not in "iuf":
        raise ValueError(f"{name} must hold numbers (an int or float dtype), got {describe(a)}")


def check_shape(a: Any, shape: tuple[int, ...], name: str, what: str = "") -> None:
    """Raise ``TypeError`` unless ``a`` is an array, ``ValueError`` unless its shape is ``shape``.

    ``what`` says where the expected shape comes from (e.g. "the shape of forward's output").
    """
    check_array(a, name)
    if tuple(a.shape) != tuple(shape):
        because = f" ({what})" if what else ""
        raise ValueError(f"{name} must be {tuple(shape)}{because}, got {describe(a)}")


def check_grad(d: Any, shape: tuple[int, ...], name: str) -> None:
    """A gradient arriving in ``backward``: a float array of the shape ``shape`` of what ``forward`` returned.

    ``TypeError`` for something that is not an array, ``ValueError`` for another dtype or shape, one line that
    names ``name`` and the shape expected (NumPy would broadcast a wrong shape, or fail inside an operation).
    """
    check_float(d, name)
    check_shape(d, shape, name, "the shape of what forward returned")


def check_scalar(value: Any, name: str) -> float:
    """Return ``value`` as a float, or raise ``TypeError`` unless it is a real number (a 0-d array counts)."""
    if isinstance(value, (bool, np.bool_)) or not (
        isinstance(value, (int, float, np.integer, np.floating))
        or (hasattr(value, "shape") and tuple(value.shape) == () and np.dtype(value.dtype).kind in "iuf")
    ):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def check_score_maxes(xp: Any, maxes: Any, name: str) -> None:
    """Raise :class:`NonFiniteScoresError` unless every row maximum of some scores is finite.

    ``maxes`` holds the maximum of each row of scores (any shape; the softmax computes them anyway, so the
    check reads one number per row, never the scores themselves), ``xp`` its array namespace. ``max``
    propagates NaN, so a row with a NaN has a NaN maximum, a row with ``+inf`` an infinite one, and a row of
    ``-inf`` only a maximum of ``-inf``; a row with some ``-inf`` (masked classes) next to finite scores passes.
    """
    if bool(xp.isfinite(maxes).all()):
        return
    m = (np.asarray(maxes) if xp is np else maxes.get()).ravel()
    rows = f"of {m.size} row(s)"
    nan, pos = int(np.isnan(m).sum()), int(np.isposinf(m).sum())
    if nan:
        raise NonFiniteScoresError(
            f"{name} hold NaN in {nan} {rows} (the model's weights or inputs hold NaN: a diverged run?); expected "
            "finite scores, or -inf for a class masked out"
        )
    if pos:
        raise NonFiniteScoresError(
            f"{name} hold +inf in {pos} {rows} (a score overflowed: a diverged run?); expected finite scores, or "
            "-inf for a class masked out"
        )
    neg = int(np.isneginf(m).sum())
    raise NonFiniteScoresError(
        f"{name}: every score is -inf in {neg} {rows}, so no class is left to have a probability; expected at "
        "least one finite score per row"
    )


def check_ndim(a: Any, ndims: int | tuple[int, ...], name: str, shape_hint: str = "") -> None:
    """Raise ``ValueError`` unless ``a.ndim`` is one of ``ndims``."""
    check_array(a, name)
    allowed = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if a.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        hint = f" {shape_hint}" if shape_hint else ""
        raise ValueError(f"{name} must be {want}{hint}, got {describe(a)}")


def check_float(a: Any, name: str) -> None:
    """Raise ``ValueError`` unless ``a`` has a floating dtype."""
    check_array(a, name)
    if np.dtype(a.dtype).kind != "f":
        raise ValueError(f"{name} must have a float dtype (float16/32/64), got {describe(a)}")


def check_last_dim(a: Any, size: int, name: str, what: str) -> None:
    """Raise ``ValueError`` unless ``a.shape[-1] == size``."""
    if a.shape[-1] != size:
        raise ValueError(f"{name} must have last dimension {size} ({what}), got {describe(a)}")


def check_indices(idx: Any, upper: int, name: str) -> None:
    """Raise ``ValueError`` unless ``idx`` is an integer array with values in ``[0, upper)``."""
    check_array(idx, name)
    kind = np.dtype(idx.dtype).kind
    if kind not in "iu":
        raise ValueError(f"{name} must be an integer array of ids in [0, {upper}), got {describe(idx)}")
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= upper:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{name} must hold ids in [0, {upper}), got {bad} ({describe(idx)})")


def check_same_leading(a: Any, b: Any, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same first dimension (batch size)."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same batch size, got {a.shape[0]} and {b.shape[0]} "
            f"({name_a}: {describe(a)}; {name_b}: {describe(b)})"
        )
