"""The toy sequence datasets of chapters 7 and 8: addition problems and dates, as character ids.

Each line of the book's files ``addition.txt`` and ``date.txt`` is a question padded with spaces to a fixed
width, then an ``_`` and the answer padded to a fixed width (``"16+75  _91  "``: 7 + 5 characters). The book's
loader (``dataset/sequence.py``) cuts each line at its ``_``: the question is what comes before it, the
answer *starts with* the ``_``, which the decoder later uses as its start symbol (chapter 7.3.2). Characters get
ids in order of first appearance, reading every line's question and then its answer; the lines are shuffled
with NumPy's ``RandomState(1984)`` and the last 10% are held out as the test split.

:func:`load_data` reproduces that split and those ids exactly, with one difference: the book keeps a single
global vocabulary that grows across files, so loading ``date.txt`` after ``addition.txt`` gives date ids that
depend on the addition file (a bug). Here every file has its own vocabulary, which is the book's vocabulary
whenever the file is the first one loaded. :func:`get_vocab` returns it.

The files come through the project's downloader (:func:`scratchnlp.datasets.fetch`, dataset ``"sequence"``);
:func:`load_data` also reads a local file in the same format, and :func:`make_addition` writes new addition
problems in the same format from a seed (more data, or harder problems with more digits), which
:func:`load_lines` turns into arrays the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .._checks import Seed, as_generator, check_positive_int

__all__ = ["load_data", "get_vocab", "load_lines", "make_addition", "FILES"]

#: The book's files, all in the downloader's ``"sequence"`` dataset.
FILES = ("addition.txt", "date.txt")

Vocab = tuple[dict[str, int], dict[int, str]]
Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# One vocabulary per file (the book keeps one global vocabulary; see the module docstring).
_vocabs: dict[str, Vocab] = {}
_last_loaded: str | None = None


def _parse(lines: Iterable[str], source: str) -> tuple[list[str], list[str]]:
    """Split each line at its first ``_``: question before it, answer from it on; check fixed widths."""
    questions: list[str] = []
    answers: list[str] = []
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line:
            continue
        cut = line.find("_")
        if cut < 0:
            raise ValueError(f"{source}, line {number}: no '_' separating the question from the answer: {line!r}")
        q, a = line[:cut], line[cut:]
        if questions and (len(q), len(a)) != (len(questions[0]), len(answers[0])):
            raise ValueError(
                f"{source}, line {number}: question and answer are {len(q)} and {len(a)} characters wide but the "
                f"first line's are {len(questions[0])} and {len(answers[0])}; every line must be padded to the "
                f"same widths: {line!r}"
            )
        questions.append(q)
        answers.append(a)
    if not questions:
        raise ValueError(f"{source} holds no question_answer lines")
    return questions, answers


def _vocabulary(questions: Sequence[str], answers: Sequence[str]) -> Vocab:
    """Character ids in order of first appearance, reading each line's question, then its answer."""
    char_to_id: dict[str, int] = {}
    for q, a in zip(questions, answers):
        for ch in q + a:
            if ch not in char_to_id:
                char_to_id[ch] = len(char_to_id)
    return char_to_id, {i: c for c, i in char_to_id.items()}


def _order(n: int, seed: Seed) -> np.ndarray:
    """The book's shuffle for an int seed (``RandomState(seed)``); a Generator's permutation otherwise."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0 or seed >= 2**32:
            raise ValueError(f"seed must be an int in [0, 2**32), a numpy.random.Generator or None, got {seed!r}")
        order = np.arange(n)
        np.random.RandomState(int(seed)).shuffle(order)  # the book: np.random.seed(seed); np.random.shuffle
        return order
    return as_generator(seed).permutation(n)


def load_lines(lines: Iterable[str], seed: Seed = 1984, *, source: str = "the lines") -> tuple[Split, Vocab]:
    """Turn ``question_answer`` lines into the book's train/test arrays and their character vocabulary.

    Parameters
    ----------
    lines : iterable of str
        Lines in the book's format (a trailing newline is removed; empty lines are skipped), e.g. from
        :func:`make_addition`.
    seed : int, numpy Generator or None, default 1984
        The shuffle: an int is used as the book does (``RandomState(seed).shuffle``), so 1984 gives the
        book's split; a Generator draws a permutation; None shuffles unpredictably.
    source : str
        How error messages name the lines.

    Returns
    -------
    ((x_train, t_train), (x_test, t_test)), (char_to_id, id_to_char)
        ``x : (N, Tq)`` question ids and ``t : (N, Ta)`` answer ids (int32; the answers start with the id of
        ``_``); the test split is the last ``N // 10`` shuffled lines.

    Raises
    ------
    ValueError
        For a line without ``_``, lines of different widths, or no lines at all.
    """
    questions, answers = _parse(lines, source)
    char_to_id, id_to_char = _vocabulary(questions, answers)
    x = np.array([[char_to_id[c] for c in q] for q in questions], dtype=np.int32).reshape(len(questions), -1)
    t = np.array([[char_to_id[c] for c in a] for a in answers], dtype=np.int32).reshape(len(answers), -1)
    order = _order(len(x), seed)
    x, t = x[order], t[order]
    split_at = len(x) - len(x) // 10
    return ((x[:split_at], t[:split_at]), (x[split_at:], t[split_at:])), (char_to_id, id_to_char)


def _read(file_name: str | os.PathLike[str], progress: bool | None) -> tuple[str, list[str]]:
    """The key of the file's vocabulary and its lines: a file of the ``"sequence"`` dataset, or a local path."""
    if isinstance(file_name, str) and file_name in FILES:
        from .downloader import fetch  # noqa: PLC0415

        path = fetch("sequence", file_name, progress)
        key = file_name
    else:
        if not isinstance(file_name, (str, os.PathLike)):
            raise TypeError(f"file_name must be a file name or path ({', '.join(FILES)}, or a local file), got "
                            f"{type(file_name).__name__}")
        path = Path(file_name)
        if path.is_dir():
            raise IsADirectoryError(f"sequence file {str(file_name)!r} is a folder; give the path of a file in the "
                                    "question_answer format")
        if not path.is_file():
            raise FileNotFoundError(
                f"no sequence file {str(file_name)!r}: use one of the book's files ({', '.join(FILES)}, downloaded "
                "on first use) or the path of a local file in the same format"
            )
        key = str(path.resolve())
    with open(path, encoding="utf-8") as f:  # text mode: \r\n read as \n, as the book's open() does
        return key, f.read().split("\n")


def load_data(file_name: str | os.PathLike[str] = "addition.txt", seed: Seed = 1984, *,
              progress: bool | None = None) -> Split:
    """Load a sequence dataset as the book's ``dataset/sequence.py: load_data`` does (chapter 7.2.4).

    Parameters
    ----------
    file_name : str or path, default "addition.txt"
        ``"addition.txt"`` or ``"date.txt"`` (downloaded and verified on first use; set ``SCRATCHNLP_MIRROR``
        to work offline), or the path of a local file in the same format.
    seed : int, numpy Generator or None, default 1984
        The shuffle before the split; the book's ``RandomState(1984)`` by default (see :func:`load_lines`).
    progress : bool, optional
        Show a download progress bar (by default only when stderr is a terminal).

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
        int32 character ids: questions ``(N, Tq)`` and answers ``(N, Ta)``, 45,000 / 5,000 rows for the book's
        files (``addition.txt``: Tq = 7, Ta = 5; ``date.txt``: Tq = 29, Ta = 11).

    Notes
    -----
    The ids and the split equal the book's. The vocabulary is this file's own (the book's is global; see the
    module docstring) and :func:`get_vocab` returns it.

    Raises
    ------
    FileNotFoundError
        For a name that is neither one of the book's files nor an existing local file.
    ValueError
        For a file that is not in the ``question_answer`` format.
    scratchnlp.datasets.DatasetUnavailableError
        If a book file is not cached and cannot be downloaded.
    """
    global _last_loaded
    key, lines = _read(file_name, progress)
    split, vocab = load_lines(lines, seed, source=str(file_name))
    _vocabs[key] = vocab
    _last_loaded = key
    return split


def get_vocab(file_name: str | os.PathLike[str] | None = None) -> Vocab:
    """The character vocabulary of a sequence file: ``(char_to_id, id_to_char)`` (the book's ``get_vocab``).

    Parameters
    ----------
    file_name : str or path, optional
        Whose vocabulary. None (the book's call, ``get_vocab()``): the file :func:`load_data` loaded last, or
        ``addition.txt`` if nothing was loaded yet. A file not loaded yet is read (not shuffled) to build it.

    Returns
    -------
    char_to_id : dict of str to int
    id_to_char : dict of int to str
    """
    key: str | os.PathLike[str] = file_name if file_name is not None else (_last_loaded or "addition.txt")
    if isinstance(key, str) and key in _vocabs:
        return _vocabs[key]
    resolved, lines = _read(key, None)
    if resolved not in _vocabs:
        _vocabs[resolved] = _vocabulary(*_parse(lines, str(key)))
    return _vocabs[resolved]


def _numbers_with_digits(rng: np.random.Generator, k: np.ndarray) -> np.ndarray:
    """Uniform random integers with exactly ``k`` digits (``k == 1`` includes 0)."""
    low = np.where(k == 1, 0, 10 ** (k - 1))
    high = 10**k
    return low + (rng.random(k.shape) * (high - low)).astype(np.int64)


def make_addition(size: int = 50000, digits: int = 3, *, seed: Seed = 0, unique: bool = True) -> list[str]:
    """New addition problems in the format of the book's ``addition.txt`` (chapter 7.2.4), from a seed.

    Each operand first gets a number of digits, uniform in ``1..digits``, then a value uniform among the
    numbers with that many digits (so short and long operands are equally common, as in the book's file).
    A line is the question ``"a+b"`` padded to ``2 * digits + 1`` characters, ``_``, and the sum padded to
    ``digits + 1`` characters: ``digits=3`` gives lines exactly as wide as the book's.

    Parameters
    ----------
    size : int, default 50000
        Number of problems.
    digits : int, default 3
        The most digits of an operand (harder problems: more digits, longer answers).
    seed : int or numpy Generator, default 0
        Same seed, same lines.
    unique : bool, default True
        No ordered pair ``(a, b)`` appears twice.

    Returns
    -------
    list of str
        ``size`` lines without newline; :func:`load_lines` turns them into arrays, and writing them to a file
        (one per line) makes a file :func:`load_data` reads.

    Raises
    ------
    ValueError
        For a bad size or digits, or more unique problems than there are pairs of operands.
    """
    size = check_positive_int(size, "size")
    digits = check_positive_int(digits, "digits")
    if digits > 9:
        raise ValueError(f"digits must be at most 9 (the sums must fit int64 comfortably), got {digits}")
    pairs = (10**digits) ** 2
    if unique and size > pairs:
        raise ValueError(f"only {pairs} distinct problems have operands of at most {digits} digits; asked for {size}")
    if unique and size > pairs // 2:
        raise ValueError(
            f"asked for {size} distinct problems out of {pairs} possible; ask for at most half of them "
            "(or unique=False)"
        )
    rng = as_generator(seed)
    seen: set[tuple[int, int]] = set()
    problems: list[tuple[int, int]] = []
    while len(problems) < size:
        n = size - len(problems)
        a = _numbers_with_digits(rng, rng.integers(1, digits + 1, size=n))
        b = _numbers_with_digits(rng, rng.integers(1, digits + 1, size=n))
        for pair in zip(a.tolist(), b.tolist()):
            if unique:
                if pair in seen:
                    continue
                seen.add(pair)
            problems.append(pair)
    qw, aw = 2 * digits + 1, digits + 1
    return [f"{a}+{b}".ljust(qw) + "_" + str(a + b).ljust(aw) for a, b in problems]
