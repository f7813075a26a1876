"""Training loops (chapter 1.4.4): mini-batch training with history, clipping and a divergence guard."""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np
from tqdm import tqdm

from . import backend
from ._checks import check_array, describe
from .optim import Optimizer, clip_grads, merge_shared

__all__ = ["Trainer", "NonFiniteLossError"]


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss; raised before the bad update is applied."""


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty()


class Trainer:
    """Mini-batch trainer for a model with ``forward(x, t) -> loss`` and ``backward()`` (chapter 1.4.4).

    Each epoch shuffles the data, walks it in ``len(x) // batch_size`` mini-batches (the book's convention: the
    remainder is dropped), and per batch runs forward, backward, optional gradient clipping and one optimizer
    update. A NaN or infinite loss stops training with :class:`NonFiniteLossError` naming the epoch and
    iteration, before that batch's update touches the parameters.

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
        ``"loss"`` (= ``loss_list``), ``"iteration"`` (the iteration at the end of each window),
        ``"epoch_loss"`` (mean loss of each epoch) and ``"grad_norm"`` (norm before clipping, when clipping).
    """

    def __init__(self, model: Any, optimizer: Optimizer, *, seed: int | np.random.Generator | None = 0) -> None:
        self.model = model
        self.optimizer = optimizer
        self.rng = np.random.default_rng(seed)
        self.loss_list: list[float] = []
        self.history: dict[str, list[float]] = {"loss": self.loss_list, "iteration": [], "epoch_loss": [],
                                                "grad_norm": []}
        self.current_epoch = 0
        self.iteration = 0
        self.wall_time = 0.0

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
        if batch_size < 1 or max_epoch < 0 or eval_interval < 1:
            raise ValueError(
                f"batch_size and eval_interval must be >= 1 and max_epoch >= 0, got batch_size={batch_size}, "
                f"eval_interval={eval_interval}, max_epoch={max_epoch}"
            )
        data_size = len(x)
        max_iters = data_size // batch_size
        if max_iters == 0:
            raise ValueError(f"batch_size={batch_size} is larger than the data ({data_size} samples)")
        model, optimizer = self.model, self.optimizer
        on_gpu = backend.is_gpu_array(model.params[0]) if model.params else False

        total_loss, loss_count = 0.0, 0
        start = time.perf_counter()
        bar = tqdm(total=max_epoch * max_iters, disable=not _progress_enabled(progress), unit="it",
                   leave=False, file=sys.stderr)
        try:
            for _ in range(max_epoch):
                order = self.rng.permutation(data_size)
                epoch_loss = 0.0
                for it in range(max_iters):
                    batch = order[it * batch_size:(it + 1) * batch_size]
                    bx, bt = x[batch], t[batch]
                    if on_gpu:
                        bx, bt = backend.to_gpu(bx), backend.to_gpu(bt)
                    loss = float(model.forward(bx, bt))
                    if not math.isfinite(loss):
                        raise NonFiniteLossError(
                            f"loss became {loss} at epoch {self.current_epoch + 1}, iteration {it + 1} "
                            f"(iteration {self.iteration + 1} overall); the parameters keep their values from "
                            "before this batch. Lower the learning rate or clip gradients (max_grad)."
                        )
                    model.backward()
                    params, grads = merge_shared(model.params, model.grads)
                    if max_grad is not None:
                        self.history["grad_norm"].append(clip_grads(grads, max_grad))
                    optimizer.update(params, grads)
                    total_loss += loss
                    epoch_loss += loss
                    loss_count += 1
                    self.iteration += 1
                    bar.update(1)
                    if self.iteration % eval_interval == 0:
                        avg = total_loss / loss_count
                        self.loss_list.append(avg)
                        self.history["iteration"].append(self.iteration)
                        bar.set_postfix(epoch=self.current_epoch + 1, loss=f"{avg:.3f}")
                        total_loss, loss_count = 0.0, 0
                self.history["epoch_loss"].append(epoch_loss / max_iters)
                self.current_epoch += 1
        finally:
            bar.close()
            self.wall_time += time.perf_counter() - start
        return self

    def plot(self, ax: Any = None, ylim: tuple[float, float] | None = None) -> Any:
        """Draw ``loss_list`` against iterations (the book's ``Trainer.plot``); returns the axes."""
        from .plot import loss_curve  # noqa: PLC0415 - matplotlib only when plotting

        ax = loss_curve(ax, self.loss_list, x=self.history["iteration"])
        if ylim is not None:
            ax.set_ylim(*ylim)
        return ax
