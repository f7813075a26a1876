"""The wording of chapter 1's page (a review of neural networks): the sentences that compare the optimizers' training
runs.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["lowest_loss_sentence", "first_below_sentence", "tuned_rate_sentence"]


def lowest_loss_sentence(final_loss: Mapping[str, float], reference: str = "SGD") -> str:
    """Which optimizer ends with the lowest loss, compared with ``reference`` (chapter 1's comparison).

    Parameters
    ----------
    final_loss : mapping of optimizer name to its final loss
        Must contain ``reference`` and at least one other optimizer.
    reference : str
        The optimizer the others are measured against.
    """
    if reference not in final_loss or len(final_loss) < 2:
        raise ValueError(f"need {reference!r} and at least one other optimizer, got {sorted(final_loss)}")
    ranked = sorted(final_loss, key=final_loss.__getitem__)
    best = ranked[0]
    if best == reference:
        runner_up = ranked[1]
        return (f"The lowest final loss, {final_loss[best]:.3f}, comes from tuned {reference} itself; the next "
                f"lowest, {final_loss[runner_up]:.3f}, from {runner_up}.")
    return (f"The lowest final loss, {final_loss[best]:.3f}, comes from {best}, against "
            f"{final_loss[reference]:.3f} for tuned {reference}.")


def first_below_sentence(first_below: Mapping[str, int | None], threshold: float, reference: str = "SGD") -> str:
    """Which optimizer first brings the loss below ``threshold``, and when ``reference`` does.

    ``first_below`` maps each optimizer to the first iteration at which its recorded loss was below the
    threshold, or None if it never was.
    """
    if reference not in first_below:
        raise ValueError(f"need {reference!r} among the optimizers, got {sorted(first_below)}")
    reached = {name: it for name, it in first_below.items() if it is not None}
    if not reached:
        return f"None of them brings the recorded loss below {threshold:g}."
    fastest = min(reached, key=reached.__getitem__)
    head = f"The first to bring the loss below {threshold:g} is {fastest}, after {reached[fastest]:,} iterations"
    if fastest == reference:
        return head + "."
    if reference not in reached:
        return head + f"; {reference} never gets there."
    return head + f", where {reference} needs {reached[reference]:,}."


def tuned_rate_sentence(best_lr: float, book_lr: float, name: str = "SGD") -> str:
    """Whether the grid search agrees with the book's learning rate."""
    if math.isclose(best_lr, book_lr):
        return f"The book's {name} learning rate, {book_lr:g}, is also the best of the grid here."
    return (f"Tuning helps {name} too: the best rate in the grid is {best_lr:g}, not the book's {book_lr:g}, "
            "for this network and seed.")
