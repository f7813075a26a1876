"""The Penn Treebank corpus in Mikolov's preprocessing (section 2.4.4; used again in chapters 4 to 6).

The files have one sentence per line, words separated by spaces, rare words already replaced by ``<unk>``
and numbers by ``N``. Following the book's loader, each line end becomes an ``<eos>`` token and the
vocabulary (10,000 words) is built from the training split in order of first appearance, so the ids mean the
same thing in all three splits.
"""

from __future__ import annotations

import numpy as np

from ..text import UnknownWordError, Vocabulary
from .downloader import fetch

__all__ = ["load_ptb", "load_data", "vocabulary", "SPLITS"]

SPLITS = ("train", "valid", "test")
_ALIASES = {"val": "valid"}  # the book's loader accepts "val" too

# Parsed once per process; every call hands out these same vocabulary dicts.
_vocab: Vocabulary | None = None
_corpora: dict[str, np.ndarray] = {}


def _check_split(split: object) -> str:
    if isinstance(split, str) and split in _ALIASES:
        split = _ALIASES[split]
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} (or 'val'), got {split!r}")
    return str(split)


def _read_words(split: str, progress: bool | None) -> list[str]:
    path = fetch("ptb", f"ptb.{split}.txt", progress)
    # the padding spaces keep "<eos>" a token of its own whatever the line's own spacing
    return path.read_text(encoding="utf-8").replace("\n", " <eos> ").split()


def vocabulary(progress: bool | None = None) -> Vocabulary:
    """The PTB vocabulary, built from the training split on first use (downloading it if needed).

    Returns
    -------
    Vocabulary
        10,000 words; its ``word_to_id`` and ``id_to_word`` dicts are the ones :func:`load_ptb` returns.
    """
    global _vocab
    if _vocab is None:
        words = _read_words("train", progress)
        vocab = Vocabulary.from_words(words)
        _corpora["train"] = vocab.ids(words)
        _vocab = vocab
    return _vocab


def load_ptb(
    split: str = "train", *, progress: bool | None = None
) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Load one split of the Penn Treebank as word ids (section 2.4.4), like the book's ``ptb.load_data``.

    The text files are downloaded and verified on first use (see :func:`scratchnlp.datasets.fetch`) and the
    parsed arrays are kept in memory, so later calls are fast.

    Parameters
    ----------
    split : {"train", "valid", "test"}, default "train"
        ``"val"`` is accepted for ``"valid"``, as in the book.
    progress : bool, optional
        Show a download progress bar (by default only when stderr is a terminal).

    Returns
    -------
    corpus : (N,) int32 array
        A fresh copy of the word ids; N is 929,589 (train), 73,760 (valid) or 82,430 (test).
    word_to_id : dict of str to int
    id_to_word : dict of int to str
        The 10,000-word vocabulary of the training split. The same dict objects for every split and call.

    Raises
    ------
    ValueError
        For an unknown split, or a valid/test word that is not in the training vocabulary.
    scratchnlp.datasets.DatasetUnavailableError
        If the file is not cached and cannot be downloaded.
    """
    split = _check_split(split)
    vocab = vocabulary(progress)
    if split not in _corpora:
        words = _read_words(split, progress)
        try:
            _corpora[split] = vocab.ids(words)
        except UnknownWordError as exc:
            raise ValueError(
                f"ptb.{split}.txt holds the word {exc.word!r}, which is not in the training vocabulary; "
                "the PTB files should share one vocabulary, so this file is not the expected one"
            ) from None
    return _corpora[split].copy(), vocab.word_to_id, vocab.id_to_word


def load_data(data_type: str = "train") -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """The book's name for :func:`load_ptb` (``dataset/ptb.py: load_data``), with the book's argument name."""
    return load_ptb(data_type)
