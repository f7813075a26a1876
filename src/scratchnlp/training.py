"""Training loops (chapter 1.4.4 and later), the one training step they all run, and their bookkeeping.

One mini-batch of training is :func:`train_step`: forward, backward, the gradients of shared weights merged,
the global gradient norm clipped (chapter 6.1.4), the loss and gradients checked for NaN and inf, and one
optimizer update. :class:`Trainer`, :class:`RnnlmTrainer`, the pages' timings and the benchmarks all call it,
so a speed-up or a fix to the step reaches every one of them. :func:`scratchnlp.word2vec_fast.train_fast`,
whose sparse SGD update is fused into its forward pass, shares the step's checks (see its docstring).

Every loop keeps its records with one :class:`TrainingLog`: the progress bar, the mean loss over windows of
``eval_interval`` iterations, the per-epoch means and times, the wall time, and where training is for the
message of :class:`NonFiniteLossError` when a loss or a gradient is NaN or infinite.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from . import backend
from ._checks import (
    DeviceUnavailableError,
    NonFiniteLossError,
    NonFiniteScoresError,
    Seed,
    as_generator,
    check_array,
    check_positive_int,
    describe,
)
from ._progress import progress_bar
from .optim import Optimizer, grad_norm, merge_shared, shared_structure
from .optim import _first_non_finite as first_non_finite

__all__ = ["train_step", "StepResult", "Trainer", "TrainingLog", "NonFiniteLossError", "NonFiniteScoresError",
           "DeviceUnavailableError", "RnnlmTrainer",
           "eval_perplexity"]

#: What the loops' messages advise after a NaN or inf that the step caught before the update.
_ADVICE = ("the parameters keep their values from before this batch. Lower the learning rate or clip gradients "
           "(max_grad).")

_Where = str | Callable[[], str] | None


def _at(where: _Where) -> str:
    """`` at <where>`` for a message (``where`` may be a function, called only when a message is made)."""
    text = where() if callable(where) else where
    return f" at {text}" if text else ""


def _checked_loss(loss: Any, where: _Where = None, advice: str = _ADVICE) -> float:
    """``loss`` as a Python float (one scalar read from a device), or :class:`NonFiniteLossError`."""
    value = float(loss)
    if not math.isfinite(value):
        raise NonFiniteLossError(f"loss became {value}{_at(where)}" + (f"; {advice}" if advice else ""))
    return value


def _grad_error(index: int, names: Sequence[str] | None, where: _Where, advice: str) -> NonFiniteLossError:
    label = names[index] if names is not None and index < len(names) else f"grads[{index}]"
    return NonFiniteLossError(f"the gradient of {label} holds NaN or inf{_at(where)}; {advice}")


def _checked_grads(grads: list[Any], max_grad: float | None, *, check: bool = True,
                   names: Sequence[str] | Callable[[], Sequence[str] | None] | None = None, where: _Where = None,
                   advice: str = _ADVICE) -> float | None:
    """Clip ``grads`` in place to the global norm ``max_grad`` and check them for NaN and inf.

    The norm is computed when clipping, or when ``check`` asks for the finite check here (a caller whose
    optimizer makes that check anyway passes False). Returns the norm before clipping, or None when it was
    not computed. Raises :class:`NonFiniteLossError` naming the first bad gradient, nothing scaled.
    """
    if max_grad is None and not check:
        return None
    norm = grad_norm(grads)
    if not math.isfinite(norm):
        bad = first_non_finite(grads)
        raise _grad_error(0 if bad is None else bad, names() if callable(names) else names, where, advice)
    if max_grad is not None and norm > max_grad:  # the book's clip_grads (scratchnlp.optim.clip_grads)
        rate = max_grad / (norm + 1e-6)
        for g in grads:
            g *= rate
    return norm


def _check_max_grad(max_grad: Any) -> float | None:
    """``max_grad`` as given (None or a positive finite number), or one ValueError saying so."""
    if max_grad is None:
        return None
    number = isinstance(max_grad, (int, float, np.integer, np.floating)) and not isinstance(max_grad, bool)
    if not (number and math.isfinite(max_grad) and max_grad > 0):
        raise ValueError(f"max_grad must be a positive finite number or None, got {max_grad!r}")
    return max_grad


def _check_model_and_optimizer(model: Any, optimizer: Any) -> None:
    if not all(hasattr(model, a) for a in ("params", "grads", "forward", "backward")):
        raise TypeError(f"model must have params, grads, forward and backward, got {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a scratchnlp.optim.Optimizer, got {type(optimizer).__name__}")


class StepResult(NamedTuple):
    """What :func:`train_step` returns: ``loss, grad_norm = train_step(...)``.

    Attributes
    ----------
    loss : float
        The mini-batch's loss, from the forward pass (before the update).
    grad_norm : float or None
        The global L2 norm of the (merged) gradients before clipping; computed when clipping, or when the
        optimizer does not check its gradients for NaN itself; None otherwise.
    """

    loss: float
    grad_norm: float | None


def train_step(
    model: Any,
    optimizer: Optimizer,
    batch: Sequence[Any],
    max_grad: float | None = None,
    *,
    where: _Where = None,
) -> StepResult:
    """One training iteration on one mini-batch: what every training loop runs (chapters 1.4.4, 5.5.3, 6.1.4).

    1. ``loss = model.forward(*batch)``; a NaN or infinite loss stops here (so does a loss layer's own
       :class:`NonFiniteLossError` for NaN scores, re-raised saying ``where``).
    2. ``model.backward()`` fills ``model.grads``.
    3. The gradients of shared (tied) weights are summed, so each shared array is updated once
       (:func:`scratchnlp.optim.merge_shared`; chapter 6.5.3).
    4. With ``max_grad``, the global L2 norm of all gradients is computed and, when above ``max_grad``, every
       gradient is scaled by ``max_grad / (norm + 1e-6)`` (the book's ``clip_grads``, chapter 6.1.4).
    5. ``optimizer.update(params, grads)``.

    A NaN or inf in the gradients stops the step before the update: the norm of step 4 is that check when
    clipping, else the optimizer's own all-or-nothing check (every :class:`~scratchnlp.optim.Optimizer` has
    one; for one without it, ``checks_finite_grads = False``, the norm is computed here). The error names the
    first bad parameter (by ``model.param_names`` where the model has them) and ``where``.

    On the GPU (CuPy parameters) the step copies nothing to the host but the loss and, when computed, the
    norm: one scalar each.

    Parameters
    ----------
    model : object with ``params``, ``grads``, ``forward(*batch) -> loss`` and ``backward()``
        Any model of the library (``TwoLayerNet``, ``CBOW``, ``Rnnlm``, ``BetterRnnlm``, ``Seq2seq``,
        ``PeekySeq2seq``, ``AttentionSeq2seq``, ...).
    optimizer : :class:`~scratchnlp.optim.Optimizer`
    batch : tuple of arrays
        The inputs of ``model.forward``, on the model's device: ``(x, t)`` with ``x`` (N, ...) and ``t`` (N,
        ...) for the chapter-1 and word2vec models, ``(xs, ts)`` (N, T) word ids for a language model,
        ``(xs, ts)`` (N, T_enc) and (N, T_dec + 1) for a seq2seq model.
    max_grad : float, optional
        Clip the global gradient norm to this value (None: no clipping).
    where : str or function returning str, optional
        Where training is, for the message of an error (``"epoch 2, iteration 1 (iteration 11 overall)"``);
        a function is called only when a message is made.

    Returns
    -------
    StepResult
        ``(loss, grad_norm)``: the batch's loss as a float and the gradient norm before clipping (None when
        not computed: no clipping and an optimizer that checks its gradients itself).

    Raises
    ------
    NonFiniteLossError
        When the loss or a gradient is NaN or infinite; no parameter and no optimizer state has changed.
    TypeError, ValueError
        For a model without the layer protocol, an optimizer that is not a scratchnlp one, a batch that is
        not a tuple or list, or a ``max_grad`` that is not a positive finite number.
    """
    _check_model_and_optimizer(model, optimizer)
    if not isinstance(batch, (tuple, list)):
        raise TypeError(f"batch must be a tuple of the inputs of model.forward, e.g. (xs, ts), got "
                        f"{type(batch).__name__}")
    max_grad = _check_max_grad(max_grad)
    try:
        value = model.forward(*batch)
    except NonFiniteLossError as err:  # a loss layer refusing NaN scores: say where, and that nothing changed
        raise NonFiniteLossError(f"the loss is not finite{_at(where)}: {err}; {_ADVICE}") from err
    loss = _checked_loss(value, where)
    model.backward()
    params, grads = merge_shared(model.params, model.grads)
    names = partial(_unique_names, model)
    norm = _checked_grads(grads, max_grad, check=not getattr(optimizer, "checks_finite_grads", False),
                          names=names, where=where)
    try:
        optimizer.update(params, grads)
    except NonFiniteLossError as err:  # nothing was changed; name the bad gradient and where
        index = getattr(err, "index", None)
        if index is None:
            index = first_non_finite(grads) or 0
        raise _grad_error(index, names(), where, _ADVICE) from err
    return StepResult(loss, norm)


class TrainingLog:
    """The records of a training run, shared by every training loop.

    A loop calls :meth:`running` once around its work (the progress bar and the wall time), :meth:`check`
    on each loss before using it, :meth:`record` after each iteration and :meth:`end_epoch` after each
    epoch. The log outlives one call of a trainer's ``fit``: fitting again continues the same records, as the
    book's ``Trainer`` keeps appending to its ``loss_list``.

    Parameters
    ----------
    eval_interval : int
        Record the mean loss every this many iterations.

    Attributes
    ----------
    loss_list : list of float
        Mean loss over each window of ``eval_interval`` iterations (the book's ``loss_list``).
    history : dict of lists
        ``"loss"`` (= ``loss_list``), ``"iteration"`` (the iteration that closed each window),
        ``"epoch_loss"`` (mean loss of each epoch), ``"epoch_time"`` (seconds per epoch), and any extra
        series passed to :meth:`record` (e.g. ``"lr"``, ``"grad_norm"``).
    iteration : int
        Iterations done so far.
    epoch : int
        Epochs completed so far.
    wall_time : float
        Seconds spent inside :meth:`running`.
    """

    def __init__(self, eval_interval: int = 20) -> None:
        self.eval_interval = check_positive_int(eval_interval, "eval_interval")
        self.loss_list: list[float] = []
        self.history: dict[str, list[Any]] = {"loss": self.loss_list, "iteration": [], "epoch_loss": [],
                                               "epoch_time": []}
        self.iteration = 0
        self.epoch = 0
        self.wall_time = 0.0
        self._window_sum = 0.0
        self._window_count = 0
        self._epoch_sum = 0.0
        self._epoch_count = 0
        self._epoch_start = 0.0
        self._bar: Any = None

    @contextmanager
    def running(self, total: int, progress: bool | None = None, *, unit: str = "it") -> Iterator[TrainingLog]:
        """Time the run and show a progress bar of ``total`` iterations (when asked, or when stderr is a terminal)."""
        start = time.perf_counter()
        self._epoch_start = start
        self._bar = progress_bar(total, progress, unit=unit)
        try:
            yield self
        finally:
            self._bar.close()
            self._bar = None
            self.wall_time += time.perf_counter() - start

    def where(self, epoch_iteration: int | None = None) -> str:
        """Where training is, for messages: ``"epoch E, iteration I (iteration K overall)"``."""
        inner = f", iteration {epoch_iteration}" if epoch_iteration is not None else ""
        return f"epoch {self.epoch + 1}{inner} (iteration {self.iteration + 1} overall)"

    def check(self, loss: float, *, epoch_iteration: int | None = None, advice: str = "") -> float:
        """Return ``loss`` as a float, or raise :class:`NonFiniteLossError` naming where it happened."""
        return _checked_loss(loss, partial(self.where, epoch_iteration), advice)

    def check_grads(self, grads: list[Any], *, epoch_iteration: int | None = None, names: Any = None) -> float:
        """The global gradient norm; raise :class:`NonFiniteLossError` (naming the first bad one) when not finite."""
        norm = _checked_grads(grads, None, names=names, where=partial(self.where, epoch_iteration))
        return float(norm)  # (always computed: check=True)

    def record(self, loss: float, **series: Any) -> float | None:
        """Count one iteration of ``loss``; every ``eval_interval`` iterations close a window.

        Returns the window's mean loss when this iteration closed one (and appends it, the iteration, and the
        values of ``series`` to the history), else None.
        """
        self.iteration += 1
        self._window_sum += loss
        self._window_count += 1
        self._epoch_sum += loss
        self._epoch_count += 1
        if self._bar is not None:
            self._bar.update(1)
        if self.iteration % self.eval_interval:
            return None
        mean = self._window_sum / self._window_count
        self.loss_list.append(mean)
        self.history["iteration"].append(self.iteration)
        for key, value in series.items():
            self.history.setdefault(key, []).append(value)
        if self._bar is not None:
            self._bar.set_postfix(epoch=self.epoch + 1, loss=f"{mean:.3f}")
        self._window_sum, self._window_count = 0.0, 0
        return mean

    def track(self, key: str, value: Any) -> None:
        """Append ``value`` to the series ``history[key]`` now (for per-iteration series such as gradient norms)."""
        self.history.setdefault(key, []).append(value)

    def end_epoch(self) -> float | None:
        """Close an epoch: append its mean loss and duration; returns the mean (None for an empty epoch)."""
        now = time.perf_counter()
        mean = None
        if self._epoch_count:
            mean = self._epoch_sum / self._epoch_count
            self.history["epoch_loss"].append(mean)
            self.history["epoch_time"].append(now - self._epoch_start)
        self.epoch += 1
        self._epoch_sum, self._epoch_count, self._epoch_start = 0.0, 0, now
        return mean


class _TrainerBase:
    """What both trainers share: a model and optimizer checked once, and the book's record names read from
    the :class:`TrainingLog` (``loss_list``, ``history``, ``current_epoch``, ``iteration``, ``wall_time``)."""

    log: TrainingLog

    def __init__(self, model: Any, optimizer: Optimizer) -> None:
        _check_model_and_optimizer(model, optimizer)
        self.model = model
        self.optimizer = optimizer
        self.log = TrainingLog()

    @property
    def loss_list(self) -> list[float]:
        return self.log.loss_list

    @property
    def history(self) -> dict[str, list[Any]]:
        return self.log.history

    @property
    def current_epoch(self) -> int:
        return self.log.epoch

    @property
    def iteration(self) -> int:
        return self.log.iteration

    @property
    def wall_time(self) -> float:
        return self.log.wall_time


class Trainer(_TrainerBase):
    """Mini-batch trainer for a model with ``forward(x, t) -> loss`` and ``backward()`` (chapter 1.4.4).

    Each epoch shuffles the data, walks it in ``len(x) // batch_size`` mini-batches (the book's convention: the
    remainder is dropped), and per batch runs forward, backward, optional gradient clipping and one optimizer
    update. A NaN or infinite loss or gradient stops training with :class:`NonFiniteLossError` naming the
    epoch and iteration, before that batch's update touches the parameters.

    Parameters
    ----------
    model : object with ``params``, ``grads``, ``forward(x, t)`` and ``backward()``
    optimizer : an :class:`~scratchnlp.optim.Optimizer`
    seed : int or numpy Generator for the shuffling

    Attributes
    ----------
    loss_list : list of float
        Mean loss over each window of ``eval_interval`` iterations (the book's ``loss_list``).
    history : dict
        ``"loss"`` (= ``loss_list``), ``"iteration"``, ``"epoch_loss"``, ``"epoch_time"`` and, when clipping,
        ``"grad_norm"`` (the norm before clipping, every iteration). See :class:`TrainingLog`.
    log : TrainingLog
    """

    def __init__(self, model: Any, optimizer: Optimizer, *, seed: Seed = 0) -> None:
        super().__init__(model, optimizer)
        self.rng = as_generator(seed)

    def fit(
        self,
        x: Any,
        t: Any,
        max_epoch: int = 10,
        batch_size: int = 32,
        max_grad: float | None = None,
        eval_interval: int = 20,
        *,
        progress: bool | None = None,
    ) -> Trainer:
        """Train for ``max_epoch`` epochs.

        Parameters
        ----------
        x : (N, ...) inputs
        t : (N, ...) targets, aligned with ``x``
        max_epoch, batch_size : as in the book
        max_grad : clip the global gradient norm to this value (None: no clipping)
        eval_interval : record the mean loss every this many iterations
        progress : show a progress bar; None shows it only when stderr is a terminal

        Returns
        -------
        self, so ``Trainer(m, o).fit(x, t).loss_list`` works.
        """
        check_array(x, "x")
        check_array(t, "t")
        if len(x) != len(t):
            raise ValueError(f"x and t must have the same number of samples, got {describe(x)} and {describe(t)}")
        batch_size = check_positive_int(batch_size, "batch_size")
        self.log.eval_interval = check_positive_int(eval_interval, "eval_interval")
        if isinstance(max_epoch, bool) or not isinstance(max_epoch, int) or max_epoch < 0:
            raise ValueError(f"max_epoch must be an int >= 0, got {max_epoch!r}")
        max_grad = _check_max_grad(max_grad)
        data_size = len(x)
        max_iters = data_size // batch_size
        if max_iters == 0:
            raise ValueError(f"batch_size={batch_size} is larger than the data ({data_size} samples)")
        model, optimizer, log = self.model, self.optimizer, self.log
        on_gpu = backend.is_gpu_array(model.params[0]) if model.params else False

        with log.running(max_epoch * max_iters, progress):
            for _ in range(max_epoch):
                order = self.rng.permutation(data_size)
                for it in range(max_iters):
                    batch = order[it * batch_size:(it + 1) * batch_size]
                    bx, bt = x[batch], t[batch]
                    if on_gpu:
                        bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
                    loss, norm = train_step(model, optimizer, (bx, bt), max_grad,
                                            where=partial(log.where, it + 1))
                    if max_grad is not None:
                        log.track("grad_norm", norm)
                    log.record(loss)
                log.end_epoch()
        return self

    def plot(self, ax: Any = None, ylim: tuple[float, float] | None = None) -> Any:
        """Draw ``loss_list`` against iterations (the book's ``Trainer.plot``); returns the axes."""
        from .plot import loss_curve  # noqa: PLC0415 - matplotlib only when plotting

        ax = loss_curve(ax, self.loss_list, x=self.history["iteration"])
        if ylim is not None:
            ax.set_ylim(*ylim)
        return ax


# --------------------------------------------------------------------------------------------------------
# Language models (chapters 5 and 6)
# --------------------------------------------------------------------------------------------------------


def _perplexity(mean_loss: float) -> float:
    """``exp(mean cross-entropy)``; inf rather than an OverflowError for a diverged loss."""
    return math.exp(mean_loss) if mean_loss < 709.0 else math.inf


def _check_corpus(corpus: Any, name: str, vocab_size: int | None) -> Any:
    """A 1-D integer array of word ids on the CPU, in ``[0, vocab_size)`` when the model's V is known."""
    check_array(corpus, name)
    corpus = backend.to_cpu(corpus)
    if corpus.ndim != 1 or corpus.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-D array of integer word ids, got {describe(corpus)}")
    if vocab_size is not None and corpus.size:
        lo, hi = int(corpus.min()), int(corpus.max())
        if lo < 0 or hi >= vocab_size:
            raise ValueError(
                f"{name} must hold word ids in [0, {vocab_size}) (the model's vocabulary), got {lo if lo < 0 else hi}"
            )
    return corpus


def _vocab_size(model: Any) -> int | None:
    size = getattr(model, "vocab_size", None)
    return int(size) if isinstance(size, (int, np.integer)) else None


def _unique_names(model: Any) -> list[str] | None:
    """The names of ``merge_shared(model.params, ...)``'s entries (a tied weight under its first name)."""
    names = getattr(model, "param_names", None)
    if not names:
        return None
    return [names[i] for i, (owner, _) in enumerate(shared_structure(model.params)) if owner == i]


class RnnlmTrainer(_TrainerBase):
    """Trainer for the recurrent language models (chapter 5.5.3; the book's ``RnnlmTrainer``).

    The corpus is read as ``batch_size`` parallel streams: stream ``i`` starts at position ``i * (len(xs) //
    batch_size)`` and each iteration takes the next ``time_size`` words of every stream, so the hidden state a
    stateful model carries from one mini-batch to the next belongs to the same stream (truncated BPTT,
    chapter 5.5.1). Each iteration runs forward, backward, optional gradient clipping (the global norm,
    chapter 6.1.4) and one optimizer update. Every ``eval_interval`` iterations the perplexity of that window,
    ``exp(mean loss)``, is recorded in ``ppl_list`` (the book's name).

    The records are kept by the shared :class:`TrainingLog` (progress bar, windows, epoch means and times,
    wall time), and a NaN or infinite loss or gradient stops training with :class:`NonFiniteLossError` before
    that batch's update.

    Parameters
    ----------
    model : a language model (``forward(xs, ts) -> loss``, ``backward()``, ``params``, ``grads``)
    optimizer : an :class:`~scratchnlp.optim.Optimizer`

    Attributes
    ----------
    ppl_list : list of float
        Perplexity of each window of ``eval_interval`` iterations (``history["perplexity"]``).
    history : dict
        The :class:`TrainingLog` history plus ``"perplexity"``, ``"epoch_perplexity"`` and, when clipping,
        ``"grad_norm"`` (before clipping, every iteration).
    time_idx : int
        How far the streams have advanced in the current ``fit`` (the book's attribute).
    log : TrainingLog
    """

    def __init__(self, model: Any, optimizer: Optimizer) -> None:
        super().__init__(model, optimizer)
        self.time_idx: int | None = None
        self.log.history.setdefault("perplexity", [])
        self.log.history.setdefault("epoch_perplexity", [])

    @property
    def ppl_list(self) -> list[float]:
        return self.log.history["perplexity"]

    @property
    def eval_interval(self) -> int:
        return self.log.eval_interval

    def get_batch(self, x: Any, t: Any, batch_size: int, time_size: int) -> tuple[Any, Any]:
        """The next ``(batch_size, time_size)`` inputs and targets of the parallel streams; advances ``time_idx``."""
        data_size = len(x)
        jump = data_size // batch_size
        if self.time_idx is None:
            self.time_idx = 0
        offsets = np.arange(batch_size) * jump + self.time_idx  # each stream's read position
        pos = (offsets[:, None] + np.arange(time_size)) % data_size  # (batch_size, time_size)
        self.time_idx += time_size
        return x[pos], t[pos]

    def fit(
        self,
        xs: Any,
        ts: Any,
        max_epoch: int = 10,
        batch_size: int = 20,
        time_size: int = 35,
        max_grad: float | None = None,
        eval_interval: int = 20,
        *,
        progress: bool | None = None,
    ) -> RnnlmTrainer:
        """Train for ``max_epoch`` passes over the corpus.

        Parameters
        ----------
        xs : (L,) integer array
            Input word ids (the book passes ``corpus[:-1]``).
        ts : (L,) integer array
            Target word ids, aligned with ``xs`` (``corpus[1:]``).
        max_epoch : int
            An epoch is ``L // (batch_size * time_size)`` iterations; the streams restart at their beginning
            with every call of ``fit`` (as the book's).
        batch_size, time_size : int
            Streams read in parallel, and words per stream per iteration (the BPTT length).
        max_grad : float, optional
            Clip the global gradient norm to this value.
        eval_interval : int
            Record the perplexity every this many iterations.
        progress : bool, optional
            Show a progress bar (None: only when stderr is a terminal).

        The model is in training mode (dropout on) during ``fit`` and back in its previous mode afterwards.

        Raises
        ------
        ValueError
            For ids outside the model's vocabulary, ``xs`` and ``ts`` of different lengths, bad sizes, or a
            corpus shorter than one ``batch_size x time_size`` block.
        NonFiniteLossError
            When the loss or a gradient becomes NaN or infinite.
        """
        vocab = _vocab_size(self.model)
        xs = _check_corpus(xs, "xs", vocab)
        ts = _check_corpus(ts, "ts", vocab)
        if len(xs) != len(ts):
            raise ValueError(f"xs and ts must have the same length, got {describe(xs)} and {describe(ts)}")
        batch_size = check_positive_int(batch_size, "batch_size")
        time_size = check_positive_int(time_size, "time_size")
        self.log.eval_interval = check_positive_int(eval_interval, "eval_interval")
        if isinstance(max_epoch, bool) or not isinstance(max_epoch, (int, np.integer)) or max_epoch < 0:
            raise ValueError(f"max_epoch must be an int >= 0, got {max_epoch!r}")
        max_grad = _check_max_grad(max_grad)
        data_size = len(xs)
        max_iters = data_size // (batch_size * time_size)
        if max_iters == 0:
            raise ValueError(
                f"batch_size x time_size = {batch_size} x {time_size} = {batch_size * time_size} words is larger "
                f"than the corpus ({data_size} words); use a smaller batch_size or time_size"
            )
        model, optimizer, log = self.model, self.optimizer, self.log
        on_gpu = backend.is_gpu_array(model.params[0]) if model.params else False
        self.time_idx = 0
        was_training = getattr(model, "training", True)
        if hasattr(model, "train"):
            model.train()
        try:
            with log.running(int(max_epoch) * max_iters, progress):
                for _ in range(int(max_epoch)):
                    for it in range(max_iters):
                        bx, bt = self.get_batch(xs, ts, batch_size, time_size)
                        if on_gpu:
                            bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
                        loss, norm = train_step(model, optimizer, (bx, bt), max_grad,
                                                where=partial(log.where, it + 1))
                        if max_grad is not None:
                            log.track("grad_norm", norm)
                        mean = log.record(loss)
                        if mean is not None:
                            log.track("perplexity", _perplexity(mean))
                    epoch_mean = log.end_epoch()
                    if epoch_mean is not None:
                        log.track("epoch_perplexity", _perplexity(epoch_mean))
        finally:
            if hasattr(model, "train"):
                model.train(was_training)
        return self

    def plot(self, ax: Any = None, ylim: tuple[float, float] | None = None) -> Any:
        """Draw ``ppl_list`` against iterations (the book's ``RnnlmTrainer.plot``); returns the axes."""
        from .plot import loss_curve  # noqa: PLC0415 - matplotlib only when plotting

        its = self.history["iteration"][-len(self.ppl_list):] if self.ppl_list else []
        ax = loss_curve(ax, self.ppl_list, x=its, ylabel="perplexity")
        if ylim is not None:
            ax.set_ylim(*ylim)
        return ax


def eval_perplexity(
    model: Any, corpus: Any, batch_size: int = 10, time_size: int = 35, *, progress: bool | None = None
) -> float:
    """Perplexity of a language model on a corpus (chapter 6.4; the book's ``eval_perplexity``).

    The corpus is read as ``batch_size`` parallel streams of ``time_size``-word blocks, as in training, with
    the hidden state carried from block to block; the perplexity is ``exp`` of the mean cross-entropy over the
    ``(len(corpus) - 1) // (batch_size * time_size)`` blocks of predicting each next word.

    Parameters
    ----------
    model : a language model with ``forward(xs, ts)`` and ``reset_state()``
    corpus : (L,) integer array of word ids
    batch_size, time_size : int, default 10 and 35 (the book's)
    progress : bool, optional
        Show a progress bar (None: only when stderr is a terminal).

    Returns
    -------
    float
        The perplexity (the vocabulary size for a model that predicts uniformly; lower is better).

    The model is put in evaluation mode (dropout off) and its state reset before and after; its previous
    mode is restored.

    Raises
    ------
    ValueError
        For ids outside the model's vocabulary or a corpus shorter than ``batch_size * time_size + 1`` words.
    TypeError
        For an encoder-decoder (seq2seq) model, which :func:`scratchnlp.evaluation.eval_seq2seq` scores.
    NonFiniteLossError
        When a block's loss is NaN or infinite (weights holding NaN or inf): no perplexity is returned.
    """
    if hasattr(model, "encoder") and hasattr(model, "decoder"):
        raise TypeError(
            f"eval_perplexity scores a language model (next-word prediction), got {type(model).__name__}, an "
            "encoder-decoder; score a seq2seq model with scratchnlp.evaluation.eval_seq2seq"
        )
    corpus = _check_corpus(corpus, "corpus", _vocab_size(model))
    batch_size = check_positive_int(batch_size, "batch_size")
    time_size = check_positive_int(time_size, "time_size")
    corpus_size = len(corpus)
    max_iters = (corpus_size - 1) // (batch_size * time_size)
    if max_iters <= 0:
        raise ValueError(
            f"batch_size x time_size = {batch_size} x {time_size} = {batch_size * time_size} words is larger than "
            f"the corpus less its last word ({corpus_size} words); use a smaller batch_size or time_size"
        )
    jump = (corpus_size - 1) // batch_size
    on_gpu = backend.is_gpu_array(model.params[0]) if getattr(model, "params", None) else False
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    model.reset_state()
    total = 0.0
    bar = progress_bar(max_iters, progress, unit="it")
    try:
        steps = np.arange(time_size)
        for it in range(max_iters):
            offsets = it * time_size + np.arange(batch_size) * jump
            pos = (offsets[:, None] + steps) % corpus_size
            xs, ts = corpus[pos], corpus[(pos + 1) % corpus_size]
            if on_gpu:
                xs, ts = backend.to_gpu(xs), backend.to_gpu(ts)
            try:
                loss = float(model.forward(xs, ts))
                cause = ""
            except NonFiniteLossError as err:  # the loss layer refused NaN scores (whose loss would be nan)
                loss, cause = math.nan, f" ({err})"
            if not math.isfinite(loss):
                raise NonFiniteLossError(
                    f"eval_perplexity: the loss of block {it + 1} of {max_iters} is {loss}; the model's weights "
                    f"probably hold NaN or inf (a diverged run?), so no perplexity can be given{cause}"
                )
            total += loss
            bar.update(1)
    finally:
        bar.close()
        if hasattr(model, "train"):
            model.train(was_training)
        model.reset_state()
    return _perplexity(total / max_iters)
