"""The wording of chapter 7's page (generation and seq2seq): the sentences that read the generated text and the
addition runs.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scratchnlp._pages import md_text, times

__all__ = [
    "repetition_sentence",
    "book_accuracy_sentence",
    "build_seq2seq_sentence",
    "near_misses_sentence",
    "seed_spread_sentence",
]


def repetition_sentence(sentences: Sequence[str], setting: str) -> str:
    """Whether a generated text repeats one of its sentences word for word (chapter 7.1).

    Parameters
    ----------
    sentences : sequence of str
        The text cut into sentences (empty ones are ignored); the last may be unfinished.
    setting : str
        How the text was made, as the sentence names it, e.g. ``"temperature 0"``.
    """
    counts: dict[str, int] = {}
    for sentence in sentences:
        key = " ".join(str(sentence).split())
        if key:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        raise ValueError("no sentence to look at: the text is empty")
    most = max(counts.values())
    if most < 2:
        return f"At {setting}, no sentence of the text occurs twice."
    repeated = next(s for s, n in counts.items() if n == most)  # the first to reach the count, in text order
    return (f"At {setting}, the text goes round in a loop: the sentence \u201c{md_text(repeated)}\u201d occurs "
            f"{times(most)}.")


def book_accuracy_sentence(ours: float | None, book: float, *, experiment: str, epochs: int,
                           close: float = 0.05) -> str:
    """How a committed seq2seq run's final test accuracy compares with the one the book reports (chapter 7.4).

    Parameters
    ----------
    ours : float or None
        The committed run's test accuracy after its last epoch, a fraction; None when its results file is
        missing.
    book : float
        The book's figure, a fraction.
    experiment : str
        The experiment's name (its results file is ``results/<experiment>.json``).
    epochs : int
        The committed run's epochs.
    close : float, default 0.05
        Accuracies closer than this (5 points of percentage) count as the same result.
    """
    if not 0 <= book <= 1 or (ours is not None and not 0 <= ours <= 1):
        raise ValueError(f"accuracies are fractions in [0, 1], got {ours} and {book}")
    if ours is None:
        return (f"No results file of `{experiment}` was found when this page was built, so only the book's figure, "
                f"about {100 * book:.0f}%, can be given here.")
    head = f"The committed run of `{experiment}` ends at {100 * ours:.1f}% after {epochs} epochs"
    if abs(ours - book) <= close:
        return head + f", close to the book's {100 * book:.0f}% or so."
    if ours > book:
        return head + f", above the book's {100 * book:.0f}% or so; runs this short still depend a lot on the seed."
    return head + f", below the book's {100 * book:.0f}% or so; runs this short still depend a lot on the seed."


def build_seq2seq_sentence(accuracy: float, questions_seen: int, full_curve: Sequence[float] | None,
                           full_train: int, close: float = 0.02) -> str:
    """Compare a short build-time seq2seq run with the committed full run after as many training questions.

    Parameters
    ----------
    accuracy : float
        The build-time run's test accuracy at its end, a fraction.
    questions_seen : int
        Training questions the build-time run went through (epochs times its training questions).
    full_curve : sequence of float or None
        The committed run's test accuracy after each epoch (None: no results file).
    full_train : int
        The committed run's training questions per epoch.
    close : float, default 0.02
        Accuracies closer than this count as the same.
    """
    if questions_seen < 1 or full_train < 1 or not 0 <= accuracy <= 1:
        raise ValueError(f"need questions_seen, full_train >= 1 and an accuracy in [0, 1], got {questions_seen}, "
                         f"{full_train} and {accuracy}")
    if not full_curve:
        return "No results file of the full run was found when this page was built, so there is nothing to compare."
    whole = questions_seen // full_train  # full epochs with no more questions than the build-time run saw
    if whole == 0:
        return (f"That is less than one epoch of the full run, which is first tested after its first epoch, at "
                f"{100 * full_curve[0]:.1f}%.")
    if whole > len(full_curve):
        return (f"That is more questions than the full run saw in its {len(full_curve)} epochs, after which it "
                f"answered {100 * full_curve[-1]:.1f}%.")
    theirs = full_curve[whole - 1]
    epochs = "epoch" if whole == 1 else "epochs"
    head = (f"The full run, which reads all {full_train:,} training questions each epoch, had seen about as many "
            f"after {whole} {epochs} and then answered {100 * theirs:.1f}%")
    if abs(accuracy - theirs) <= close:
        return head + ": about the same, so repeating a smaller set of questions has not hurt yet."
    if accuracy > theirs:
        return head + (", less than the build-time run; at this stage the accuracy changes quickly from epoch to "
                       "epoch, and the build-time run had a few more steps (the comparison rounds down to whole "
                       "epochs).")
    return head + ", more than the build-time run: seeing the same few questions again teaches less than new ones."


def near_misses_sentence(examples: Sequence[Mapping[str, Any]] | None, who: str) -> str:
    """How close a seq2seq model's wrong answers are: same number of digits and same first digit (chapter 7.3.4).

    Parameters
    ----------
    examples : sequence of mappings, or None
        ``{"answer", "guess", "correct"}`` per question, as
        :func:`scratchnlp.evaluation.evaluate_seq2seq` records them (padded strings); None when the run's results
        file is missing.
    who : str
        The model, as the sentence names it, e.g. ``"the baseline"``.
    """
    if examples is None:
        return f"Without a results file for {who}, its answers cannot be shown."
    if not examples:
        raise ValueError("no examples to look at")
    wrong = [(str(e["answer"]).strip(), str(e["guess"]).strip()) for e in examples if not e["correct"]]
    if not wrong:
        return f"All {len(examples)} of {who}'s answers here are right."
    near = sum(1 for answer, guess in wrong if len(guess) == len(answer) and guess[:1] == answer[:1])
    n = len(wrong)
    if near == n:
        subject = "Its one wrong answer has" if n == 1 else f"Each of its {n} wrong answers has"
        return (f"{who[0].upper()}{who[1:]} is rarely far off. {subject} the right number of digits and the "
                "right first digit: the size of the sum is right, and the mistakes are in the digits after it.")
    if near == 0:
        return (f"None of {who}'s {n} wrong answers here has both the right number of digits and the right first "
                "digit.")
    return (f"{near} of {who}'s {n} wrong answers here have the right number of digits and the right first digit, "
            "so the size of the sum is right and the mistakes are in the digits after it.")


def seed_spread_sentence(finals: Mapping[int, float], book: float, epochs: int) -> str:
    """The spread of one experiment's final accuracy over several seeds, against the book's figure (chapter 7.4).

    Parameters
    ----------
    finals : mapping of seed to the test accuracy after the last epoch (fractions), two or more seeds
    book : the book's figure, a fraction
    epochs : the runs' epochs
    """
    if len(finals) < 2 or any(not 0 <= a <= 1 for a in finals.values()) or not 0 <= book <= 1:
        raise ValueError(f"need two or more accuracies and the book's, all fractions in [0, 1]; got {dict(finals)} "
                         f"and {book}")
    lo, hi = min(finals.values()), max(finals.values())
    mean = sum(finals.values()) / len(finals)
    where = ("inside that range" if lo <= book <= hi else
             "below all of them" if book < lo else "above all of them")
    return (f"Run with {len(finals)} different seeds (the committed files in results/ and results/seeds/), the same "
            f"experiment ends epoch {epochs} between {100 * lo:.2f}% and {100 * hi:.2f}% (mean {100 * mean:.2f}%); "
            f"the book's {100 * book:.2f}% is {where}.")
