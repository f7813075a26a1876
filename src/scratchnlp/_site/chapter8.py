"""The wording of chapter 8's page (attention): the sentences that read the attention maps and the date runs.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from scratchnlp._pages import and_join

__all__ = [
    "question_words",
    "attention_reading",
    "attention_reading_sentence",
    "date_runs_sentence",
    "bidirectional_sentence",
    "reading_agreement_sentence",
    "diffuse_positions_sentence",
]


_WORD = re.compile(r"[A-Za-z]+|[0-9]+")


def question_words(question: str) -> list[tuple[str, int, int]]:
    """The words of a question as written: each run of letters and each run of digits, ``(text, start, stop)``.

    ``"september 27, 1994"`` gives ``[("september", 0, 9), ("27", 10, 12), ("1994", 14, 18)]``; spaces,
    punctuation and padding belong to no word.
    """
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(question)]


def attention_reading(weights: Any, question: str,
                      parts: Mapping[str, tuple[int, int]]) -> dict[str, tuple[str, float]]:
    """Where each part of an answer looked in the question (chapter 8.3.3): the word with most of its attention.

    Parameters
    ----------
    weights : (A, Q) array
        Attention of answer character ``a`` on question character ``q``, the question in reading order (for a
        model fed reversed questions, reverse the last axis first); each row sums to 1.
    question : str
        The question as written, ``Q`` characters (padding included).
    parts : mapping of name to (start, stop)
        The answer's parts as row ranges, e.g. ``{"year": (0, 4), "month": (5, 7), "day": (8, 10)}``.

    Returns
    -------
    dict of name to (word, share)
        The question word (:func:`question_words`) on which the part's rows put the largest share of their
        attention, and that share (the mean over the part's rows of the weight on the word's characters).
    """
    import numpy as np  # noqa: PLC0415  (the page helpers import NumPy only where they need it)

    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != len(question):
        raise ValueError(f"weights must be (A, {len(question)}) for a question of {len(question)} characters, "
                         f"got shape {w.shape}")
    words = question_words(question)
    if not words:
        raise ValueError(f"the question {question!r} has no words (runs of letters or digits)")
    out: dict[str, tuple[str, float]] = {}
    for name, (start, stop) in parts.items():
        if not 0 <= start < stop <= w.shape[0]:
            raise ValueError(f"part {name!r} must be rows [start, stop) within the answer's {w.shape[0]}, "
                             f"got ({start}, {stop})")
        row = w[start:stop].mean(axis=0)
        shares = [float(row[a:b].sum()) for _, a, b in words]
        best = int(np.argmax(shares))
        out[name] = (words[best][0], shares[best])
    return out


def attention_reading_sentence(question: str, reading: Mapping[str, tuple[str, float]]) -> str:
    """One sentence saying which question word each answer part read, from :func:`attention_reading`."""
    if not reading:
        raise ValueError("nothing to describe: reading is empty")
    parts = [f"its {name} from “{word}” ({100 * share:.0f}% of its attention)"
             for name, (word, share) in reading.items()]
    return f"For “{question.strip()}”, the answer took {and_join(parts)}."


def date_runs_sentence(curves: Mapping[str, Sequence[float]], missing: Sequence[str] = (),
                       threshold: float = 0.99) -> str:
    """Compare committed runs on the dates by their final accuracy, and when the best passed ``threshold``.

    Parameters
    ----------
    curves : mapping of model label to its test accuracy after each epoch (fractions)
    missing : labels of runs whose results file was not found
    threshold : the accuracy whose first crossing is reported for the best run
    """
    if any(not len(c) for c in curves.values()):
        raise ValueError("every curve needs at least one epoch")
    note = f" No results file was found for {and_join(missing)}." if missing else ""
    if not curves:
        return "No results file of the three runs was found when this page was built." + note
    order = sorted(curves, key=lambda k: -curves[k][-1])
    epochs = {len(curves[k]) for k in order}
    after = f"After {epochs.pop()} epochs" if len(epochs) == 1 else "At the end of their runs"
    finals = and_join(f"{k} {100 * curves[k][-1]:.1f}%" for k in order)
    best = curves[order[0]]
    first = next((e + 1 for e, a in enumerate(best) if a >= threshold), None)
    if first is None:
        crossing = f" None of them reached {100 * threshold:.0f}%."
    else:
        dips = "" if all(a >= threshold for a in best[first - 1:]) else " (with dips below it later)"
        crossing = f" The {order[0]} model was above {100 * threshold:.0f}% from epoch {first} on{dips}."
    return f"{after} the test accuracies are: {finals}.{crossing}{note}"


def bidirectional_sentence(one_way: float, both_ways: float, close: float = 0.005) -> str:
    """Compare a bidirectional encoder's test accuracy with the unidirectional one's (chapter 8.4.1)."""
    for a in (one_way, both_ways):
        if not 0 <= a <= 1:
            raise ValueError(f"accuracies are fractions in [0, 1], got {one_way} and {both_ways}")
    head = (f"With the same training, the bidirectional encoder reaches {100 * both_ways:.2f}% against "
            f"{100 * one_way:.2f}% for one direction")
    if abs(both_ways - one_way) <= close:
        return head + f": within {100 * close:.1f} points, no difference that one short run could show."
    if both_ways > one_way:
        return head + ": reading the question both ways helps here, in this one short run."
    return head + ": in this one short run it does not help; half the units per direction may cost more than it gains."


def reading_agreement_sentence(n_agree: int, n_parts: int) -> str:
    """How many answer parts took most of their attention from the question word a person would read them from."""
    if not 0 <= n_agree <= n_parts or n_parts < 1:
        raise ValueError(f"need 0 <= n_agree <= n_parts and n_parts >= 1, got {n_agree} of {n_parts}")
    if n_agree == n_parts:
        return (f"In all {n_parts} parts of these answers, the question word with most of the attention is the one "
                "a person would read that part from.")
    if n_agree == 0:
        return (f"In none of the {n_parts} parts of these answers is the word with most of the attention the one a "
                "person would read that part from.")
    return (f"In {n_agree} of the {n_parts} parts of these answers, the question word with most of the attention is "
            "the one a person would read that part from.")


def diffuse_positions_sentence(entropy_bits: Sequence[float], labels: str, constant: Sequence[bool],
                               k: int = 2) -> str:
    """Which answer positions spread their attention most (highest mean entropy), and whether they are fixed.

    Parameters
    ----------
    entropy_bits : (A,) mean entropy of each answer position's attention, in bits
    labels : A characters naming the positions (e.g. ``"yyyy-mm-dd"``)
    constant : (A,) whether the position holds the same character in every answer
    k : how many of the most diffuse positions to name
    """
    if not len(entropy_bits) == len(labels) == len(constant) or not 1 <= k < len(labels):
        raise ValueError(f"entropy_bits, labels and constant must have one entry per position and 1 <= k < "
                         f"{len(labels)}; got {len(entropy_bits)}, {len(labels)}, {len(constant)} and k={k}")
    order = sorted(range(len(labels)), key=lambda i: -entropy_bits[i])
    top, rest = order[:k], order[k:]
    mean_rest = sum(entropy_bits[i] for i in rest) / len(rest)
    named = and_join(f"{i} (“{labels[i]}”, {entropy_bits[i]:.2f} bits)" for i in sorted(top))
    head = (f"The attention is most spread out at answer positions {named}, against {mean_rest:.2f} bits on average "
            "for the others.")
    if all(constant[i] for i in top):
        return head + (" Those characters are the same in every answer: nothing in the question decides them, so "
                       "where the model looks while writing them does not matter to the loss.")
    return head
