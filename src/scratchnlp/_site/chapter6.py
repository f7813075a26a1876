"""The wording of chapter 6's page (gated RNNs): the sentences about gradients, clipping and the LSTM language models.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from scratchnlp._pages import and_join

__all__ = ["gradient_fate_sentence", "clipping_sentence", "book_weights_sentence", "better_rnnlm_sentence"]


def gradient_fate_sentence(final_ratio: Mapping[str, float], steps: int, *, low: float = 1e-3,
                           high: float = 1e3) -> str:
    """What became of a gradient sent back ``steps`` time steps, for each setting (chapter 6.1.2).

    Parameters
    ----------
    final_ratio : mapping of a setting's label to a ratio
        The gradient's norm after ``steps`` steps back divided by its norm at the start, per setting (in the
        order the sentence should name them).
    steps : int
        How many steps back the ratio was measured.
    low, high : float
        Below ``low`` the gradient counts as vanished, above ``high`` as exploded.
    """
    if not final_ratio or steps < 1 or not 0 < low < 1 < high:
        raise ValueError(f"need at least one setting, steps >= 1 and 0 < low < 1 < high, got {dict(final_ratio)}, "
                         f"{steps}, {low} and {high}")
    if any(not (math.isfinite(r) and r >= 0) for r in final_ratio.values()):
        raise ValueError(f"ratios must be finite and >= 0, got {dict(final_ratio)}")
    vanished = [k for k, r in final_ratio.items() if r < low]
    exploded = [k for k, r in final_ratio.items() if r > high]
    between = [k for k, r in final_ratio.items() if low <= r <= high]
    parts = []
    if vanished:
        parts.append(f"With {and_join(vanished)} the gradient vanishes: {steps} steps back it is less than "
                     f"{low:g} times its size at the last step.")
    if exploded:
        subject = "it" if parts else "the gradient"
        parts.append(f"With {and_join(exploded)} {subject} explodes, growing more than {high:g}-fold over "
                     f"{steps} steps.")
    if between:
        subject = "it" if parts else "the gradient"
        parts.append(f"With {and_join(between)} {subject} stays between {low:g} and {high:g} times its starting "
                     f"size over {steps} steps: neither vanished nor exploded yet.")
    return " ".join(parts)


def clipping_sentence(norms: Sequence[float], max_grad: float) -> str:
    """How often gradient clipping changed an update during a training run, and when (chapter 6.1.4).

    ``norms`` are the global gradient norms before clipping, one per iteration (``RnnlmTrainer``'s
    ``history["grad_norm"]``); an update is clipped when its norm exceeds ``max_grad``.
    """
    n = len(norms)
    if n == 0 or not max_grad > 0:
        raise ValueError(f"need at least one norm and max_grad > 0, got {n} norms and {max_grad}")
    clipped = [i for i, g in enumerate(norms) if g > max_grad]
    if not clipped:
        return (f"The gradient norm never exceeded {max_grad:g} in these {n:,} iterations, so clipping never "
                "changed an update.")
    if len(clipped) == n:
        return (f"The gradient norm exceeded {max_grad:g} in every one of the {n:,} iterations, so every update was "
                f"clipped: each step of SGD had exactly the length lr × {max_grad:g}.")
    half = n // 2
    early = sum(1 for i in clipped if i < half)
    late = len(clipped) - early
    head = (f"Clipping changed {len(clipped):,} of the {n:,} updates ({100 * len(clipped) / n:.0f}%): {early:,} "
            f"in the first half of the run and {late:,} in the second.")
    if early > late:
        return head + " It acts mostly early, while the model is still untrained and its gradients are largest."
    if late > early:
        return head + " It acts more often later in the run, as the model starts to pick up longer dependencies."
    return head


def book_weights_sentence(ours: float, book: float, tol: float = 1.0) -> str:
    """The library's test perplexity with the book's published ``Rnnlm.pkl`` against the book's figure (6.4)."""
    if not (math.isfinite(ours) and ours >= 1 and math.isfinite(book) and book >= 1) or not tol > 0:
        raise ValueError(f"perplexities are finite and >= 1 and tol > 0, got {ours}, {book} and {tol}")
    head = f"With the book's own weights, the library's `Rnnlm` scores a test perplexity of {ours:.2f}"
    if abs(ours - book) <= tol:
        return (head + f"; the book reports about {book:g}. The library's model computes what the book's code "
                "computes with these weights.")
    side = "above" if ours > book else "below"
    return (head + f", {side} the book's figure of about {book:g} by more than rounding explains: the library's model "
            "does not compute exactly what the book's code computes with these weights.")


def better_rnnlm_sentence(results: Mapping[str, Any] | None, book_epochs: int, book_ppl: float,
                          command: str) -> str:
    """What the committed ``better-rnnlm-ptb`` run shows, or that there is none yet (chapter 6.5.4).

    Parameters
    ----------
    results : mapping or None
        The committed results (``results/better-rnnlm-ptb.json``), or None when there is no such file.
    book_epochs : int
        The epochs of the book's run (40).
    book_ppl : float
        The book's test perplexity after those epochs.
    command : str
        The command that produces the results file.
    """
    if book_epochs < 1 or not book_ppl >= 1:
        raise ValueError(f"need book_epochs >= 1 and book_ppl >= 1, got {book_epochs} and {book_ppl}")
    if results is None:
        return (f"No committed run of `better-rnnlm-ptb` exists yet: there was no results file "
                "`results/better-rnnlm-ptb.json` when this page was built, so the only numbers this section can give "
                "are the book's. "
                f"`{command}` produces the file; it takes many hours on a CPU, and `--resume` continues a run that "
                "was stopped.")
    history = results["history"]
    valid = list(history["valid_perplexity"])
    epochs = len(valid)
    if epochs == 0:
        raise ValueError("the results hold no epoch")
    best = int(history["best_epoch"])
    test = float(results["evaluation"]["test_perplexity"])
    corpus_size = int(results.get("config", {}).get("corpus_size", 0) or 0)
    parts = []
    if epochs < book_epochs:
        parts.append(f"The committed run trained {epochs} of the book's {book_epochs} epochs, so it is a shorter run "
                     "than the book's.")
    elif epochs == book_epochs:
        parts.append(f"The committed run trained all {book_epochs} epochs of the book's settings.")
    else:
        parts.append(f"The committed run trained {epochs} epochs, more than the book's {book_epochs}.")
    if corpus_size:
        parts.append(f"It read only the first {corpus_size:,} words of the training set each epoch.")
    if best == epochs:
        parts.append(f"Its validation perplexity was still falling at its last epoch ({valid[-1]:.1f}), so the run "
                     "had not finished improving.")
    else:
        parts.append(f"Its best validation perplexity, {valid[best - 1]:.1f}, came at epoch {best}; the parameters "
                     "of that epoch are the ones kept and scored.")
    parts.append(f"The kept parameters score a test perplexity of {test:.1f}, against the book's {book_ppl:g} after "
                 f"{book_epochs} epochs.")
    return " ".join(parts)
