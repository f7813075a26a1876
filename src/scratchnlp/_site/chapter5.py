"""The wording of chapter 5's page (RNNs): the sentences about truncated BPTT's batches and the language model's
perplexity.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import math

__all__ = ["unread_tail_sentence", "book_perplexity_sentence", "fixed_weights_sentence"]


def unread_tail_sentence(segment: int, iterations: int, time_size: int) -> str:
    """What one epoch of truncated-BPTT mini-batches leaves unread of each stream's segment (chapter 5.2.5).

    Parameters
    ----------
    segment : int
        The words between two streams' starting points (``len(xs) // batch_size``).
    iterations : int
        The iterations of one epoch (``len(xs) // (batch_size * time_size)``).
    time_size : int
        The words each stream reads per iteration.
    """
    read = iterations * time_size
    if segment < 1 or iterations < 1 or time_size < 1 or read > segment:
        raise ValueError(f"need 1 <= iterations * time_size <= segment, got {iterations} x {time_size} and {segment}")
    if read == segment:
        return (f"One epoch's {iterations} iterations of {time_size} words read each stream's segment of "
                f"{segment:,} words to its end, so the next epoch continues each stream in its neighbour's segment.")
    left = segment - read
    last = "the last word of every segment stays" if left == 1 else f"the last {left} words of every segment stay"
    return (f"Each stream's segment is {segment:,} words long, but one epoch's {iterations} iterations of "
            f"{time_size} words read {read:,} of them: {last} unread in the first epoch. They are not lost: the "
            "next epoch goes on where each stream stopped, and starts with them.")


def book_perplexity_sentence(ours: float, book: float, rel_tol: float = 0.3) -> str:
    """How the perplexity reached on the page compares with the one the book reports (chapter 5.5.3).

    ``ours`` and ``book`` count as close when they differ by at most ``rel_tol`` of the book's value. The
    sentence does not repeat either number (the page glues them).
    """
    if not (math.isfinite(ours) and ours >= 1.0 and book >= 1.0 and rel_tol >= 0):
        raise ValueError(f"perplexities are finite and >= 1, got {ours} and {book}")
    if abs(ours - book) <= rel_tol * book:
        return "That is close to the book's figure: the same model and settings learn the same thing here."
    if ours < book:
        return ("That is lower than the book's figure; with a different random initialisation and this little "
                "data, the run memorises the text faster, which says more about the seed than about the model.")
    return ("That is higher than the book's figure; with a different random initialisation and this little data, "
            "the run memorises the text more slowly, and more epochs would bring it down further.")


def fixed_weights_sentence(training: float, fixed: float, rel_tol: float = 0.1) -> str:
    """Compare the last epoch's training perplexity with the fixed final weights' (chapter 5.5.3).

    ``training`` is the mean over the last epoch, scored while the weights changed at every step; ``fixed`` is
    :func:`scratchnlp.training.eval_perplexity` of the final weights, every stream starting from a zero state.
    """
    if not (math.isfinite(training) and math.isfinite(fixed) and training >= 1.0 and fixed >= 1.0):
        raise ValueError(f"perplexities are finite and >= 1, got {training} and {fixed}")
    if abs(fixed - training) <= rel_tol * training:
        return "The two agree closely: by the end of training, the weights hardly change from one step to the next."
    if fixed > training:
        return ("The fixed weights score worse than the training curve suggests. Two things favour the curve: each "
                "of its batches was scored by weights that had just been trained on the text right before it, and "
                "its streams always carried a state, where the evaluation starts every stream from zeros, with no "
                "history to go on.")
    return ("The fixed weights score better than the training curve: the curve averages over the whole last epoch, "
            "during which the weights were still improving.")
