"""Evaluating word vectors (chapter 4.4.2, "evaluating distributed representations") and seq2seq answers (chapter 7).

The book checks its vectors by eye (nearest neighbours, a few analogies) and mentions the standard benchmarks;
this module runs them:

* :func:`evaluate_analogy` — the Google analogy test set of word2vec (Mikolov et al., 2013): for
  ``a : b = c : d`` the answer is the word whose vector is closest (by cosine) to ``b - a + c``, on unit-length
  vectors and with ``a``, ``b`` and ``c`` themselves excluded ("3CosAdd", Levy and Goldberg, 2014). Accuracy is
  reported overall, per section, and for the semantic and syntactic halves.
* :func:`evaluate_similarity` — WordSim-353 (Finkelstein et al., 2002) and SimLex-999 (Hill et al., 2015): the
  Spearman rank correlation between the cosine similarities of word pairs and the human scores.

Only questions and pairs whose words are all in the vocabulary are scored; the others are skipped and counted,
so a small vocabulary such as PTB's 10,000 words reports how much of each test it could take.
The files come through the project's downloader (:func:`scratchnlp.datasets.fetch`, dataset ``"analogy"``);
every function also takes the path of a local file.

For the seq2seq models of chapter 7 (an answer counts only when every character is right):

* :func:`eval_seq2seq` — the book's function: one question, printed with its answer and the model's guess,
  marked right or wrong; returns 1 or 0;
* :func:`seq2seq_accuracy` / :func:`evaluate_seq2seq` — a whole test set decoded in batches (the book loops
  over the questions one at a time, with the same answers).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import backend
from ._checks import check_array, check_ndim, check_positive_int, describe
from .text import _check_word_vectors, cos_add_scores, normalize

__all__ = [
    "ids_to_text",
    "AnalogySection",
    "AnalogyScore",
    "SimilarityResult",
    "load_analogy_questions",
    "load_word_pairs",
    "evaluate_analogy",
    "evaluate_similarity",
    "evaluate_word_vectors",
    "rankdata",
    "spearman",
    "SIMILARITY_SETS",
    "eval_seq2seq",
    "decode_answers",
    "seq2seq_accuracy",
    "evaluate_seq2seq",
]

PathLike = str | os.PathLike

ANALOGY_FILE = "questions-words.txt"
#: the word-similarity sets known by name, and their file in the ``"analogy"`` dataset
SIMILARITY_SETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


# --------------------------------------------------------------------------------------------------------
# Reading the files
# --------------------------------------------------------------------------------------------------------


def _resolve(source: PathLike | None, default: str) -> Path:
    """A local path: ``source`` itself, or the downloader's verified copy of ``default``."""
    if source is None:
        from .datasets import fetch  # noqa: PLC0415 - the downloader only when a file is needed

        return fetch("analogy", default)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"evaluation file {path} does not exist")
    return path


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a UTF-8 text file: {exc}") from None


def load_analogy_questions(
    path: PathLike | None = None, *, lowercase: bool = True
) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Read an analogy file in word2vec's ``questions-words.txt`` format.

    A line ``: name`` starts a section; every other non-blank line is one question of four words,
    ``a b c d``, meaning ``a : b = c : d``. Questions before the first section header go to a section named
    ``"questions"``.

    Parameters
    ----------
    path : str or path-like, optional
        The file; by default the Google analogy set, through the downloader.
    lowercase : bool, default True
        Lower-case the words (the PTB vocabulary is lower-case).

    Returns
    -------
    list of (section name, list of (a, b, c, d))
        In file order.

    Raises
    ------
    ValueError
        For a malformed line (a question without exactly four words, a header without a name), naming the
        file and the line number.
    """
    path = _resolve(path, ANALOGY_FILE)
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for number, line in enumerate(_lines(path), start=1):
        text = line.strip()
        if not text:
            continue
        if text.startswith(":"):
            name = text[1:].strip()
            if not name:
                raise ValueError(f"{path}, line {number}: a section header needs a name after ':', got {line!r}")
            sections.append((name, []))
            continue
        words = text.lower().split() if lowercase else text.split()
        if len(words) != 4:
            raise ValueError(
                f"{path}, line {number}: an analogy question needs exactly 4 words 'a b c d', got "
                f"{len(words)}: {line!r}"
            )
        if not sections:
            sections.append(("questions", []))
        sections[-1][1].append((words[0], words[1], words[2], words[3]))
    return sections


def load_word_pairs(path: PathLike, *, lowercase: bool = True) -> list[tuple[str, str, float]]:
    """Read a word-similarity file: one ``word1 word2 score`` per line (tabs or spaces).

    Blank lines and lines starting with ``#`` are skipped.

    Returns
    -------
    list of (word1, word2, score)

    Raises
    ------
    ValueError
        For a line without exactly three fields or with a score that is not a finite number, naming the file
        and the line number.
    """
    path = Path(path)
    pairs: list[tuple[str, str, float]] = []
    for number, line in enumerate(_lines(path), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        fields = text.split()
        if len(fields) != 3:
            raise ValueError(
                f"{path}, line {number}: expected 3 fields 'word1 word2 score', got {len(fields)}: {line!r}"
            )
        try:
            score = float(fields[2])
        except ValueError:
            score = float("nan")
        if not np.isfinite(score):
            raise ValueError(f"{path}, line {number}: the score must be a finite number, got {fields[2]!r}")
        w1, w2 = (fields[0].lower(), fields[1].lower()) if lowercase else (fields[0], fields[1])
        pairs.append((w1, w2, score))
    return pairs


# --------------------------------------------------------------------------------------------------------
# Analogies
# --------------------------------------------------------------------------------------------------------


@dataclass
class AnalogySection:
    """The score of one section of an analogy test.

    ``total`` questions in the file, ``evaluated`` of them with all four words in the vocabulary (the others
    are ``skipped``), ``correct`` of those answered right; ``accuracy = correct / evaluated`` (NaN when none
    was evaluated).
    """

    name: str
    total: int = 0
    evaluated: int = 0
    correct: int = 0

    @property
    def skipped(self) -> int:
        return self.total - self.evaluated

    @property
    def accuracy(self) -> float:
        return self.correct / self.evaluated if self.evaluated else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "skipped": self.skipped, "accuracy": _json_float(self.accuracy)}


@dataclass
class AnalogyScore:
    """The result of :func:`evaluate_analogy`: accuracies on a whole analogy test.

    (Named ``AnalogyResult`` before; that name now belongs only to :class:`scratchnlp.text.AnalogyResult`, the
    ranking :func:`scratchnlp.text.analogy` returns for one question.)

    Attributes
    ----------
    overall : AnalogySection
        All questions.
    semantic, syntactic : AnalogySection
        The Google set's two halves: sections whose name starts with ``gram`` are syntactic, the others
        semantic.
    sections : list of AnalogySection
        One per section, in file order.
    unknown_words : int
        How many distinct words of the file are not in the vocabulary.
    """

    overall: AnalogySection
    semantic: AnalogySection
    syntactic: AnalogySection
    sections: list[AnalogySection] = field(default_factory=list)
    unknown_words: int = 0

    @property
    def accuracy(self) -> float:
        return self.overall.accuracy

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "accuracy": _json_float(self.overall.accuracy),
            "evaluated": self.overall.evaluated,
            "skipped": self.overall.skipped,
            "total": self.overall.total,
            "correct": self.overall.correct,
            "unknown_words": self.unknown_words,
            "semantic": self.semantic.to_dict(),
            "syntactic": self.syntactic.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
        }


def _json_float(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _unit_rows(word_matrix: Any) -> Any:
    """Rows scaled to unit length (zero rows stay zero) by :func:`scratchnlp.text.normalize`, in float32 or
    float64 (float16 is widened first: its squares overflow)."""
    W = word_matrix if word_matrix.dtype in (np.float32, np.float64) else word_matrix.astype(np.float32)
    return normalize(W)


def _check_vectors(word_matrix: Any, word_to_id: Mapping[str, int]) -> None:
    check_ndim(word_matrix, 2, "word_matrix", "(V, D) matrix with one row per word")
    if np.dtype(word_matrix.dtype).kind != "f":
        raise ValueError(f"word_matrix must be a float array, got {describe(word_matrix)}")
    _check_word_vectors(word_matrix)
    if word_to_id and max(word_to_id.values()) >= word_matrix.shape[0]:
        raise ValueError(
            f"word_matrix has {word_matrix.shape[0]} rows but word_to_id holds id {max(word_to_id.values())}"
        )


def evaluate_analogy(
    word_matrix: Any,
    word_to_id: Mapping[str, int],
    questions: PathLike | list[tuple[str, list[tuple[str, str, str, str]]]] | None = None,
    *,
    lowercase: bool = True,
    batch_size: int = 512,
) -> AnalogyScore:
    """Accuracy on an analogy test by 3CosAdd (section 4.4.2).

    For each question ``a : b = c : d`` with all four words in the vocabulary, the prediction is
    ``argmax_x cos(x, b^ - a^ + c^)`` over every word except ``a``, ``b`` and ``c`` (``^``: unit length), and
    the question counts as correct when the prediction is ``d``. Questions are scored in batches with one
    matrix product each, by :func:`scratchnlp.text.cos_add_scores` (the same scoring as
    :func:`scratchnlp.text.analogy`).

    Parameters
    ----------
    word_matrix : (V, D) float array (NumPy or CuPy)
        Row ``i`` is the vector of the word with id ``i``.
    word_to_id : dict of str to int
    questions : path, parsed sections, or None
        A file in ``questions-words.txt`` format, the output of :func:`load_analogy_questions`, or None for
        the Google analogy set through the downloader.
    lowercase : bool, default True
        Lower-case the questions when reading a file.
    batch_size : int, default 512
        Questions per matrix product.

    Returns
    -------
    AnalogyScore

    Raises
    ------
    ValueError
        If ``word_matrix`` is not a (V, D) float matrix, holds NaN/inf ("word vectors contain NaN/inf"), or
        has fewer rows than ``word_to_id`` needs.
    """
    _check_vectors(word_matrix, word_to_id)
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size!r}")
    sections = (
        questions if isinstance(questions, list) else load_analogy_questions(questions, lowercase=lowercase)
    )
    xp = backend.xp(word_matrix)
    W = _unit_rows(word_matrix)  # (V, D)

    overall, semantic, syntactic = AnalogySection("all"), AnalogySection("semantic"), AnalogySection("syntactic")
    results: list[AnalogySection] = []
    unknown: set[str] = set()
    for name, items in sections:
        section = AnalogySection(name, total=len(items))
        known = [q for q in items if all(w in word_to_id for w in q)]
        unknown.update(w for q in items for w in q if w not in word_to_id)
        section.evaluated = len(known)
        if known:
            ids = np.array([[word_to_id[w] for w in q] for q in known], dtype=np.int64)  # (Q, 4)
            for first in range(0, ids.shape[0], batch_size):
                chunk = ids[first : first + batch_size]
                a, b, c = (xp.asarray(chunk[:, j]) for j in range(3))
                scores = cos_add_scores(W, a, b, c)  # (B, V); the question words score -inf
                predicted = backend.to_cpu(scores.argmax(axis=1))
                section.correct += int((predicted == chunk[:, 3]).sum())
        results.append(section)
        group = syntactic if name.startswith("gram") else semantic
        for agg in (overall, group):
            agg.total += section.total
            agg.evaluated += section.evaluated
            agg.correct += section.correct
    return AnalogyScore(overall, semantic, syntactic, results, len(unknown))


# --------------------------------------------------------------------------------------------------------
# Word similarity
# --------------------------------------------------------------------------------------------------------


def rankdata(x: Any) -> np.ndarray:
    """Ranks ``1..n`` of the values of ``x``, ties given the average of the ranks they span.

    ``rankdata([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]``.

    Parameters
    ----------
    x : (n,) array-like of numbers

    Returns
    -------
    (n,) float64 array
    """
    x = np.asarray(backend.to_cpu(x) if backend.is_gpu_array(x) else x, dtype=np.float64)
    check_ndim(x, 1, "x", "(n,) vector")
    n = x.shape[0]
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    # a new group of equal values starts where the sorted value changes
    new_group = np.concatenate(([True], sorted_x[1:] != sorted_x[:-1]))
    group = np.cumsum(new_group) - 1  # group number of each sorted position, (n,)
    bounds = np.concatenate((np.flatnonzero(new_group), [n]))  # first position of each group, and n
    # positions first..last-1 (0-based) hold ranks first+1..last: their average is (first + 1 + last) / 2
    average = (bounds[:-1] + 1 + bounds[1:]) / 2.0
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = average[group]
    return ranks


def spearman(x: Any, y: Any) -> float:
    """Spearman's rank correlation: the Pearson correlation of the average ranks of ``x`` and ``y``.

    Parameters
    ----------
    x, y : (n,) array-likes, n >= 2

    Returns
    -------
    float
        In ``[-1, 1]``; NaN when either input is constant (its ranks have no variance).
    """
    rx, ry = rankdata(x), rankdata(y)
    if rx.shape != ry.shape:
        raise ValueError(f"x and y must have the same length, got {rx.shape[0]} and {ry.shape[0]}")
    if rx.shape[0] < 2:
        raise ValueError(f"spearman needs at least 2 pairs, got {rx.shape[0]}")
    rx -= rx.mean()
    ry -= ry.mean()
    denom = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / denom) if denom > 0 else float("nan")


@dataclass
class SimilarityResult:
    """The result of :func:`evaluate_similarity`: ``spearman`` over the ``evaluated`` pairs whose two words are
    in the vocabulary, out of ``total`` in the file (the others are ``skipped``)."""

    name: str
    spearman: float
    evaluated: int
    total: int

    @property
    def skipped(self) -> int:
        return self.total - self.evaluated

    def to_dict(self) -> dict[str, Any]:
        return {"spearman": _json_float(self.spearman), "evaluated": self.evaluated, "skipped": self.skipped,
                "total": self.total}


def evaluate_similarity(
    word_matrix: Any,
    word_to_id: Mapping[str, int],
    source: PathLike = "wordsim353",
    *,
    lowercase: bool = True,
) -> SimilarityResult:
    """Spearman correlation between cosine similarities and human similarity scores.

    Parameters
    ----------
    word_matrix : (V, D) float array
    word_to_id : dict of str to int
    source : ``"wordsim353"``, ``"simlex999"`` or a path, default ``"wordsim353"``
        A named set is read through the downloader; a path is read as it is (see :func:`load_word_pairs`).
    lowercase : bool, default True

    Returns
    -------
    SimilarityResult
        NaN correlation when fewer than two pairs are in the vocabulary.
    """
    _check_vectors(word_matrix, word_to_id)
    if isinstance(source, str) and source in SIMILARITY_SETS:
        name, path = source, _resolve(None, SIMILARITY_SETS[source])
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(
                f"similarity set {str(source)!r} is neither a known set ({', '.join(SIMILARITY_SETS)}) nor a file"
            )
        name = path.name
    pairs = load_word_pairs(path, lowercase=lowercase)
    known = [(a, b, s) for a, b, s in pairs if a in word_to_id and b in word_to_id]
    if len(known) < 2:
        return SimilarityResult(name, float("nan"), len(known), len(pairs))
    W = _unit_rows(word_matrix)
    xp = backend.xp(W)
    a = xp.asarray(np.array([word_to_id[p[0]] for p in known]))
    b = xp.asarray(np.array([word_to_id[p[1]] for p in known]))
    cosine = backend.to_cpu((W[a] * W[b]).sum(axis=1))
    human = np.array([p[2] for p in known])
    return SimilarityResult(name, spearman(cosine, human), len(known), len(pairs))


def evaluate_word_vectors(word_matrix: Any, word_to_id: Mapping[str, int]) -> dict[str, Any]:
    """Run the Google analogies, WordSim-353 and SimLex-999 and return a JSON-ready summary.

    Returns
    -------
    dict
        ``{"analogy": AnalogyScore.to_dict(), "wordsim353": {...}, "simlex999": {...}}``.
    """
    summary: dict[str, Any] = {"analogy": evaluate_analogy(word_matrix, word_to_id).to_dict()}
    for name in SIMILARITY_SETS:
        summary[name] = evaluate_similarity(word_matrix, word_to_id, name).to_dict()
    return summary


# --------------------------------------------------------------------------------------------------------
# seq2seq answers (chapter 7)
# --------------------------------------------------------------------------------------------------------

_COLORS = {"ok": "\033[92m", "fail": "\033[91m", "close": "\033[0m"}


def _check_pairs(questions: Any, answers: Any) -> tuple[np.ndarray, np.ndarray]:
    """Questions (N, T) and answers (N, T') as 2-D integer NumPy arrays of the same N, answers >= 2 wide."""
    out = []
    for a, name in ((questions, "questions"), (answers, "answers")):
        check_array(a, name)
        a = backend.to_cpu(a)
        if a.ndim == 1:
            a = a[None, :]  # one question, as the book passes it flattened or as x[[i]]
        if a.ndim != 2 or a.dtype.kind not in "iu":
            raise ValueError(f"{name} must be a 2-D integer array of character ids, got {describe(a)}")
        out.append(a)
    q, t = out
    if q.shape[0] != t.shape[0]:
        raise ValueError(f"questions and answers must have the same number of rows, got {describe(q)} and "
                         f"{describe(t)}")
    if q.shape[0] == 0:
        raise ValueError("no questions to answer: questions and answers are empty")
    if t.shape[1] < 2:
        raise ValueError(f"answers need the start character and at least one more column, got {describe(t)}")
    return q, t


def decode_answers(model: Any, questions: Any, answers: Any, *, batch_size: int | None = None) -> np.ndarray:
    """The model's greedy answers to ``questions``, as long as ``answers`` less their start character.

    Parameters
    ----------
    model : a seq2seq model with ``generate(xs, start_id, sample_size)``
    questions : (N, T) int array
    answers : (N, T') int array
        The correct answers; column 0 is the start character (the book's ``_``), used as ``start_id``.
    batch_size : int, optional
        Decode this many questions per call (None: all at once).

    Returns
    -------
    (N, T' - 1) int NumPy array: ``model.generate(questions, answers[:, 0], T' - 1)``.
    """
    q, t = _check_pairs(questions, answers)
    n = q.shape[0]
    size = n if batch_size is None else check_positive_int(batch_size, "batch_size")
    return np.concatenate([backend.to_cpu(model.generate(q[i:i + size], t[i:i + size, 0], t.shape[1] - 1))
                           for i in range(0, n, size)])


def seq2seq_accuracy(model: Any, questions: Any, answers: Any, *, batch_size: int | None = None) -> float:
    """The share of questions whose every answer character the model gets right (chapter 7.3.4), batched.

    The same number as the book's loop ``sum(eval_seq2seq(model, x[[i]], t[[i]], ...)) / len(x)``: the
    batched :meth:`~scratchnlp.models.Seq2seq.generate` gives each question the answer it gets alone.

    Parameters
    ----------
    model : a seq2seq model with ``generate(xs, start_id, sample_size)``
    questions : (N, T) int array (reversed if the model was trained on reversed questions)
    answers : (N, T') int array, start character first
    batch_size : int, optional
        Questions per decoding call (None: all at once).

    Returns
    -------
    float in [0, 1]
    """
    _, t = _check_pairs(questions, answers)
    guesses = decode_answers(model, questions, answers, batch_size=batch_size)
    return float((guesses == t[:, 1:]).all(axis=1).mean())


def ids_to_text(ids: Any, id_to_char: Mapping[int, str]) -> str:
    """The characters of a row of ids, joined (chapter 7.2.4): ``ids_to_text([3, 1], {1: "b", 3: "a"})`` is ``"ab"``.

    Raises
    ------
    ValueError
        For an id that ``id_to_char`` does not hold.
    """
    chars = []
    for c in np.asarray(backend.to_cpu(ids)).ravel():
        if int(c) not in id_to_char:
            raise ValueError(f"id {int(c)} is not in the vocabulary ({len(id_to_char)} characters)")
        chars.append(id_to_char[int(c)])
    return "".join(chars)



def evaluate_seq2seq(
    model: Any,
    questions: Any,
    answers: Any,
    id_to_char: Mapping[int, str] | None = None,
    *,
    is_reverse: bool = False,
    examples: int = 10,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Accuracy over a test set and a few examples, JSON-ready (what the chapter-7 experiments record).

    Returns
    -------
    dict
        ``test_accuracy`` (float), ``correct`` and ``total`` (ints), and, when ``id_to_char`` is given,
        ``examples``: the first ``examples`` questions as ``{"question", "answer", "guess", "correct"}``
        strings (the question read in its original order when ``is_reverse``), as the book prints them.
    """
    q, t = _check_pairs(questions, answers)
    guesses = decode_answers(model, q, t, batch_size=batch_size)
    right = (guesses == t[:, 1:]).all(axis=1)
    result: dict[str, Any] = {"test_accuracy": float(right.mean()), "correct": int(right.sum()),
                              "total": int(right.size)}
    if id_to_char is not None:
        shown = []
        for i in range(min(int(examples), len(q))):
            question = ids_to_text(q[i], id_to_char)
            shown.append({"question": question[::-1] if is_reverse else question,
                          "answer": ids_to_text(t[i, 1:], id_to_char),
                          "guess": ids_to_text(guesses[i], id_to_char),
                          "correct": bool(right[i])})
        result["examples"] = shown
    return result


def eval_seq2seq(
    model: Any,
    question: Any,
    correct: Any,
    id_to_char: Mapping[int, str],
    verbos: bool = False,
    is_reverse: bool = False,
    *,
    file: IO[str] | None = None,
    color: bool | None = None,
) -> int:
    """Score one answer and optionally print it, as the book's ``eval_seq2seq`` (chapter 7.3.4).

    Parameters
    ----------
    model : a seq2seq model with ``generate(xs, start_id, sample_size)``
    question : (1, T) int array (the book passes ``x_test[[i]]``)
    correct : (1, T') int array, the start character first
    id_to_char : dict of int to str
    verbos : bool, default False
        Print the question (``Q``), the answer (``T``), and the guess marked ☑ (right) or ☒ (wrong), then
        ``---`` (the book's argument name, spelling included).
    is_reverse : bool, default False
        The question was fed reversed: print it back in reading order.
    file : text stream, default sys.stdout
    color : bool, optional
        Colour the mark green or red with ANSI codes (None: only when ``file`` is a terminal).

    Returns
    -------
    int
        1 if every character of the guess is right, else 0.
    """
    q, t = _check_pairs(question, correct)
    if q.shape[0] != 1:
        raise ValueError(f"eval_seq2seq scores one question (1, T); got {describe(q)}: use seq2seq_accuracy for "
                         "a batch")
    guess_ids = decode_answers(model, q, t)
    question_text = ids_to_text(q, id_to_char)
    correct_text, guess_text = ids_to_text(t[0, 1:], id_to_char), ids_to_text(guess_ids, id_to_char)
    ok = correct_text == guess_text
    if verbos:
        out = sys.stdout if file is None else file
        if color is None:
            color = bool(getattr(out, "isatty", lambda: False)())
        mark = "\u2611" if ok else "\u2612"
        if color:
            mark = _COLORS["ok" if ok else "fail"] + mark + _COLORS["close"]
        print("Q", question_text[::-1] if is_reverse else question_text, file=out)
        print("T", correct_text, file=out)
        print(mark + " " + guess_text, file=out)
        print("---", file=out)
    return 1 if ok else 0
