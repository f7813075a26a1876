"""The wording of chapter 4's page (a faster word2vec): the sentences that read the build's run and the committed full
runs.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["epochs_note", "analogy_halves_sentence", "committed_runs_sentence"]


def epochs_note(build_epochs: int, full_epochs: int) -> str:
    """Whether a build-time run is the full experiment or a shortened one."""
    if build_epochs == full_epochs:
        return "the full length of the experiment"
    if build_epochs > full_epochs:
        return f"more than the {full_epochs} of the full experiment"
    return f"fewer than the {full_epochs} of the full experiment, to fit the page's time budget"


def analogy_halves_sentence(semantic_accuracy: float | None, syntactic_accuracy: float | None) -> str:
    """Compare the semantic and syntactic halves of the analogy test (None: no question could be asked)."""
    if semantic_accuracy is None and syntactic_accuracy is None:
        return "Neither half of the test has a question whose words are all in the vocabulary."
    if semantic_accuracy is None:
        return "None of the semantic questions can be asked: their words are missing from PTB's vocabulary."
    if syntactic_accuracy is None:
        return "None of the syntactic questions can be asked: their words are missing from PTB's vocabulary."
    if syntactic_accuracy > semantic_accuracy:
        return ("The syntactic questions, about word forms that a news corpus uses all the time, fare better than "
                "the semantic ones.")
    return ("The semantic questions that can be asked at all fare no worse than the syntactic ones here, but they "
            "are few: most semantic questions name cities and countries that PTB's vocabulary lacks.")


def _train_s(run: Mapping[str, Any]) -> float:
    return float(run["wall_time"]["train_s"])


def committed_runs_sentence(committed: Mapping[str, Mapping[str, Any]], build_run: Mapping[str, Any]) -> str:
    """Chapter 4's comparison of the committed full runs, and of the build-time run with the committed one.

    Parameters
    ----------
    committed : mapping of experiment name to its results
        The committed results files found (any of ``cbow-ptb``, ``cbow-ptb-fast``, ``skipgram-ptb``,
        ``skipgram-ptb-fast``).
    build_run : mapping
        The results of the ``cbow-ptb-fast`` run made when the page was built.
    """
    parts = []
    if "cbow-ptb" in committed and "cbow-ptb-fast" in committed:
        book, fast = committed["cbow-ptb"], committed["cbow-ptb-fast"]
        acc_b = book["evaluation"]["analogy"]["accuracy"]
        acc_f = fast["evaluation"]["analogy"]["accuracy"]
        parts.append(
            f"In the committed runs, the book's algorithm (`cbow-ptb`) took {_train_s(book):,.0f} s for "
            f"{book['config']['epochs']} epochs and the fast variant (`cbow-ptb-fast`) {_train_s(fast):,.0f} s, "
            f"{_train_s(book) / _train_s(fast):.1f} times less, for an analogy accuracy of {100 * acc_b:.2f}% "
            f"against {100 * acc_f:.2f}%."
        )
    if "skipgram-ptb" in committed and "skipgram-ptb-fast" in committed:
        book, fast = committed["skipgram-ptb"], committed["skipgram-ptb-fast"]
        parts.append(
            f"For skip-gram the two took {_train_s(book):,.0f} s and {_train_s(fast):,.0f} s "
            f"({_train_s(book) / _train_s(fast):.1f} times less)."
        )
    if "cbow-ptb-fast" in committed:
        fast = committed["cbow-ptb-fast"]
        same_settings = fast["config"]["epochs"] == build_run["config"]["epochs"]
        same_numbers = (
            fast["evaluation"]["analogy"]["correct"] == build_run["evaluation"]["analogy"]["correct"]
            and abs(fast["history"]["epoch_loss"][-1] - build_run["history"]["epoch_loss"][-1]) < 1e-9
        )
        if same_settings and same_numbers:
            parts.append(
                "The build-time run repeats the committed `cbow-ptb-fast` run with the same settings and seed, and "
                "reproduces its loss and its analogy score exactly; only the training time differs."
            )
        elif same_settings:
            parts.append(
                "The build-time run uses the same settings and seed as the committed `cbow-ptb-fast` run, but its "
                "numbers differ from the committed ones: that run was made on another machine, with other library "
                "versions, or both, and floating-point sums evaluated in another order give slightly different "
                "results."
            )
        else:
            parts.append(
                f"The committed `cbow-ptb-fast` run trained for {fast['config']['epochs']} epochs, the build-time "
                f"run for {build_run['config']['epochs']}, so their numbers differ."
            )
    if not parts:
        parts.append("No committed results file was found when this page was built, so the table shows only the "
                     "build-time run.")
    return " ".join(parts)
