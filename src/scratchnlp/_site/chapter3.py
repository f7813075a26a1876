"""The wording of chapter 3's page (word2vec): the sentence that reads the toy model's predictions.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

__all__ = ["best_guess_sentence"]


def best_guess_sentence(n_right: int, n_rows: int) -> str:
    """How many of the unambiguous rows of chapter 3's prediction table put the right word first (no full stop:
    the page continues the sentence)."""
    if not 0 <= n_right <= n_rows:
        raise ValueError(f"need 0 <= n_right <= n_rows, got {n_right} and {n_rows}")
    if n_right == n_rows:
        return f"In each of the {n_rows} other rows the right word gets the largest probability"
    return f"In the other rows the right word gets the largest probability in {n_right} of {n_rows}"
