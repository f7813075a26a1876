"""Text processing and count-based word vectors (the book's chapter 2, and the helpers chapter 3 reuses).

Chapter 2, "natural language and distributed representations of words", builds word vectors without any
training: split a text into word ids (:func:`preprocess`), count which words appear next to which
(:func:`create_co_matrix`), reweight the counts by positive pointwise mutual information (:func:`ppmi`), and
reduce the dimension with a singular value decomposition (:func:`svd`, :func:`randomized_svd`). Similar words
are then found by cosine similarity (:func:`cos_similarity`, :func:`most_similar`, :func:`analogy`).
Chapter 3 turns a corpus into (contexts, target) training pairs (:func:`create_contexts_target`,
:func:`convert_one_hot`).

Everything is vectorised: no Python loop runs over tokens or matrix cells. Array functions take their
namespace from their inputs (``backend.xp``), so they run on NumPy or CuPy arrays alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import backend
from ._checks import Seed, as_generator, check_indices, check_ndim, describe

__all__ = [
    "UnknownWordError",
    "UnknownIdError",
    "Vocabulary",
    "preprocess",
    "create_co_matrix",
    "cos_similarity",
    "most_similar",
    "ppmi",
    "svd",
    "randomized_svd",
    "analogy",
    "AnalogyResult",
    "cos_add_scores",
    "normalize",
    "create_contexts_target",
    "convert_one_hot",
]

_ID_DTYPE = np.int32


# --------------------------------------------------------------------------------------------------------
# Vocabulary and preprocessing (section 2.3.1)
# --------------------------------------------------------------------------------------------------------


class UnknownWordError(KeyError, ValueError):
    """A word that is not in the vocabulary.

    It is both a ``KeyError`` (a failed look-up, as ``word_to_id[word]`` would raise) and a
    ``ValueError`` (bad input, the project's convention), so either ``except`` clause catches it.
    The message names the word and suggests the closest vocabulary entries.

    Attributes
    ----------
    word : str
        The word that was looked up.
    suggestions : list of str
        Up to three vocabulary entries that are spelled most like ``word`` (may be empty).
    """

    def __init__(self, word: str, vocabulary: Iterable[str] = (), role: str = "word") -> None:
        self.word = word
        self.role = role
        self.suggestions = difflib.get_close_matches(str(word), [str(w) for w in vocabulary], n=3)
        hint = (
            "; closest entries: " + ", ".join(repr(s) for s in self.suggestions)
            if self.suggestions
            else "; no vocabulary entry is spelled like it"
        )
        self.message = f"{role} {word!r} is not in the vocabulary{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError's str() would show the message in quotes
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuild without the vocabulary (pickling, e.g. across processes) and restore the message
        return (type(self), (self.word, (), self.role), self.__dict__)


class UnknownIdError(KeyError, ValueError):
    """A word id that has no word in the vocabulary (both a ``KeyError`` and a ``ValueError``, as
    :class:`UnknownWordError`)."""

    def __init__(self, word_id: int, size: int) -> None:
        self.word_id = word_id
        ids = f"ids 0 to {size - 1}" if size else "it is empty"
        self.message = f"word id {word_id} is not in the vocabulary of {size} words ({ids})"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.word_id, 0), self.__dict__)


@dataclass
class Vocabulary:
    """The two look-up tables of section 2.3.1, ``word_to_id`` and ``id_to_word``, kept together.

    Ids are given in order of first appearance, like the book's ``preprocess``.

    Parameters
    ----------
    word_to_id : dict of str to int
    id_to_word : dict of int to str
        Its inverse. Both are plain dicts, so they can be passed wherever the book passes them.
    """

    word_to_id: dict[str, int] = field(default_factory=dict)
    id_to_word: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Vocabulary:
        """Build a vocabulary from a sequence of words; ids follow the order of first appearance."""
        # dict.fromkeys keeps insertion order and runs at C speed
        unique = list(dict.fromkeys(words))
        return cls({w: i for i, w in enumerate(unique)}, dict(enumerate(unique)))

    def __len__(self) -> int:
        return len(self.word_to_id)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_id

    def __iter__(self) -> Iterator[str]:
        """Iterate over the words in id order."""
        return iter(self.id_to_word[i] for i in range(len(self.id_to_word)))

    def id_of(self, word: str) -> int:
        """The id of one word; raises :class:`UnknownWordError` (naming close matches) if it is unknown."""
        try:
            return self.word_to_id[word]
        except KeyError:
            raise UnknownWordError(word, self.word_to_id) from None

    def ids(self, words: Iterable[str]) -> np.ndarray:
        """The ids of ``words`` as an int32 array of shape ``(N,)``.

        Raises
        ------
        UnknownWordError
            Naming the first word that is not in the vocabulary.
        """
        words = list(words)
        try:
            return np.fromiter(map(self.word_to_id.__getitem__, words), dtype=_ID_DTYPE, count=len(words))
        except KeyError:
            missing = next(w for w in words if w not in self.word_to_id)
            raise UnknownWordError(missing, self.word_to_id) from None

    def words(self, ids: Any) -> list[str]:
        """The words of a sequence or array of ids ``(N,)`` (the inverse of :meth:`ids`).

        Raises
        ------
        TypeError
            If the ids are not integers (a float id is not rounded to a word).
        ValueError
            If they are not one sequence (N,), or (:class:`UnknownIdError`, also a ``KeyError``) an id has no word.
        """
        a = backend.to_cpu(ids) if backend.is_gpu_array(ids) else np.asarray(ids)
        if a.ndim != 1:
            raise ValueError(f"ids must be one sequence of word ids, shape (N,), got shape {a.shape}")
        if a.size and (a.dtype.kind not in "iu"):
            raise TypeError(f"ids must be integer word ids, got {a.dtype} values such as {a.ravel()[0].item()!r}")
        table = self.id_to_word
        try:
            return [table[i] for i in a.tolist()]
        except KeyError as exc:
            raise UnknownIdError(exc.args[0], len(table)) from None


def _tokenize(text: str) -> list[str]:
    """Lower-case ``text``, make each '.' a token of its own, and split on whitespace."""
    return text.lower().replace(".", " .").split()


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Turn a text into a corpus of word ids and the two vocabulary tables (section 2.3.1).

    The text is lower-cased and every ``.`` becomes a token of its own, as in the book. Unlike the book,
    which splits on single spaces only (so two spaces in a row give an empty "word"), we split on any run of
    whitespace, newlines included.

    Parameters
    ----------
    text : str

    Returns
    -------
    corpus : (N,) int32 array
        The word ids of the text, in order.
    word_to_id : dict of str to int
    id_to_word : dict of int to str
        Ids follow the order of first appearance.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If ``text`` holds no words.

    Examples
    --------
    >>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    >>> corpus
    array([0, 1, 2, 3, 4, 1, 5, 6], dtype=int32)
    >>> id_to_word[1]
    'say'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    words = _tokenize(text)
    if not words:
        raise ValueError(f"text must contain at least one word, got {text!r}")
    vocab = Vocabulary.from_words(words)
    return vocab.ids(words), vocab.word_to_id, vocab.id_to_word


# --------------------------------------------------------------------------------------------------------
# Co-occurrence matrix (section 2.3.4)
# --------------------------------------------------------------------------------------------------------


def _check_window(window_size: Any) -> None:
    if isinstance(window_size, bool) or not isinstance(window_size, (int, np.integer)) or window_size < 1:
        raise ValueError(f"window_size must be a positive int, got {window_size!r}")


def _check_corpus(corpus: Any, name: str = "corpus") -> None:
    check_ndim(corpus, 1, name, "(N,) array of word ids")
    if corpus.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one word id, got an empty array")
    if np.dtype(corpus.dtype).kind not in "iu":
        raise ValueError(f"{name} must be an integer array of word ids, got {describe(corpus)}")


def _check_fits_in_memory(n_bytes: int, what: str) -> None:
    """Refuse, before allocating, an array larger than this machine's physical memory (when it can be known)."""
    import os  # noqa: PLC0415

    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not every platform reports it
        return
    if total > 0 and n_bytes > total:
        raise ValueError(
            f"{what} needs {n_bytes / 2**30:,.1f} GiB, more than this machine's {total / 2**30:,.1f} GiB of "
            "memory; use a smaller vocabulary (e.g. the most frequent words only)"
        )


def create_co_matrix(corpus: Any, vocab_size: int, window_size: int = 1) -> Any:
    """Count how often each word appears within ``window_size`` words of each other word (section 2.3.4).

    ``C[i, j]`` is the number of times word ``j`` occurs at distance ``1..window_size`` (left or right) of an
    occurrence of word ``i``. As in the book, the window is clipped at both ends of the corpus and sentence
    boundaries are ignored, so the matrix is symmetric.

    The book loops over every token in Python; here each distance ``d`` contributes the pairs
    ``(corpus[:-d], corpus[d:])`` in both directions, the pairs are encoded as flat indices ``i * V + j`` and
    counted in one :func:`numpy.unique` call. Peak memory is the ``(V, V)`` int32 result plus a few vectors
    of the corpus length.

    Parameters
    ----------
    corpus : (N,) integer array
        Word ids in ``[0, vocab_size)``; N >= 1. A corpus shorter than the window is allowed (the window is
        clipped), as in the book.
    vocab_size : int
        V, the number of rows and columns.
    window_size : int, default 1
        How many words on each side count as context.

    Returns
    -------
    C : (V, V) int32 array, on the same device as ``corpus``

    Raises
    ------
    ValueError
        For an empty or non-integer corpus, ids outside ``[0, vocab_size)``, a window size below 1, or a
        vocabulary whose ``(V, V)`` matrix would not fit in the machine's memory (checked before allocating).
    """
    _check_corpus(corpus)
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
    _check_window(window_size)
    check_indices(corpus, int(vocab_size), "corpus")
    xp = backend.xp(corpus)
    V = int(vocab_size)
    _check_fits_in_memory(V * V * np.dtype(_ID_DTYPE).itemsize, f"a ({V:,}, {V:,}) co-occurrence matrix")
    ids = corpus.astype(xp.int64)  # i * V + j overflows int32 once V > 46340
    keys = []
    for d in range(1, min(int(window_size), ids.shape[0] - 1) + 1):
        left, right = ids[:-d], ids[d:]
        keys.append(left * V + right)
        keys.append(right * V + left)
    C = xp.zeros((V, V), dtype=_ID_DTYPE)
    if keys:
        flat, counts = xp.unique(xp.concatenate(keys), return_counts=True)
        C.reshape(-1)[flat] = counts.astype(_ID_DTYPE)
    return C


# --------------------------------------------------------------------------------------------------------
# Similarity (sections 2.3.5 and 2.3.6)
# --------------------------------------------------------------------------------------------------------


def cos_similarity(x: Any, y: Any, eps: float = 1e-8) -> float:
    """Cosine similarity of two vectors (section 2.3.5).

    ``x / (||x|| + eps) . y / (||y|| + eps)``: ``eps`` keeps a zero vector from dividing by zero (its
    similarity to anything is then 0), exactly as in the book.

    Parameters
    ----------
    x, y : (D,) arrays
    eps : float, default 1e-8

    Returns
    -------
    float
        In ``[-1, 1]``.
    """
    check_ndim(x, 1, "x", "(D,) vector")
    check_ndim(y, 1, "y", "(D,) vector")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {describe(x)} and {describe(y)}")
    xp = backend.xp(x, y)
    nx = x / (xp.sqrt(xp.sum(x * x)) + eps)
    ny = y / (xp.sqrt(xp.sum(y * y)) + eps)
    return float(xp.dot(nx, ny))


def normalize(x: Any, eps: float = 1e-8) -> Any:
    """Scale each row of ``x`` (or the vector ``x``) to unit L2 norm (the book's ``normalize``).

    Parameters
    ----------
    x : (D,) or (N, D) float array
    eps : float, default 1e-8
        Added to the norm so that zero rows stay zero instead of becoming NaN.

    Returns
    -------
    Array of the same shape; float inputs keep their dtype, others become float32.
    """
    check_ndim(x, (1, 2), "x", "(D,) vector or (N, D) matrix")
    xp = backend.xp(x)
    if np.dtype(x.dtype).kind != "f":
        x = x.astype(backend.get_default_dtype())
    norm = xp.sqrt(xp.sum(x * x, axis=-1, keepdims=True))
    return x / (norm + x.dtype.type(eps))


def _check_word_vectors(word_matrix: Any, name: str = "word_matrix") -> None:
    """Raise ``ValueError`` unless ``word_matrix`` is a 2-D numeric matrix of finite word vectors.

    NaN or inf (from a diverged model) would make every cosine similarity NaN and every ranking empty, so they
    are reported instead. Shared by :func:`most_similar`, :func:`analogy` and :mod:`scratchnlp.evaluation`.
    """
    check_ndim(word_matrix, 2, name, "(V, D) matrix with one row per word")
    if np.dtype(word_matrix.dtype).kind not in "biuf":
        raise ValueError(f"{name} must hold numbers (word vectors), got {describe(word_matrix)}")
    if np.dtype(word_matrix.dtype).kind == "f":
        xp = backend.xp(word_matrix)
        finite = xp.isfinite(word_matrix)
        if not bool(finite.all()):
            bad = word_matrix.size - int(xp.count_nonzero(finite))
            raise ValueError(
                f"word vectors contain NaN/inf ({bad} of {word_matrix.size} values of {name}, "
                f"{describe(word_matrix)}); the model that produced them probably diverged: retrain it (e.g. with "
                "a smaller learning rate)"
            )


def _check_word_matrix(word_matrix: Any, id_to_word: Mapping[int, str]) -> None:
    _check_word_vectors(word_matrix)
    if word_matrix.shape[0] < len(id_to_word):
        raise ValueError(
            f"word_matrix must have one row per vocabulary word ({len(id_to_word)} rows), got {describe(word_matrix)}"
        )


def _check_top(top: Any) -> None:
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a positive int, got {top!r}")


def _lookup(word: str, word_to_id: Mapping[str, int], role: str) -> int:
    if not isinstance(word_to_id, Mapping):
        raise TypeError(f"word_to_id must be a dict of word -> id (as preprocess returns it), got "
                        f"{type(word_to_id).__name__}")
    try:
        return word_to_id[word]
    except KeyError:
        raise UnknownWordError(word, word_to_id, role=role) from None
    except TypeError:  # an unhashable query
        raise TypeError(f"{role} must be a word (str), got {type(word).__name__}") from None


def _id_table(id_to_word: Any) -> Mapping[int, str]:
    """``id_to_word`` as a mapping: a dict as it is, a list or tuple of words by position."""
    if isinstance(id_to_word, Mapping):
        return id_to_word
    if isinstance(id_to_word, (list, tuple)):
        return dict(enumerate(id_to_word))
    raise TypeError(f"id_to_word must be a dict of id -> word (as preprocess returns it) or a list of words, got "
                    f"{type(id_to_word).__name__}")


def _check_rows(ids: dict[str, Any], word_matrix: Any) -> None:
    """Every looked-up id must be a row of ``word_matrix`` (word_to_id and word_matrix from the same model)."""
    V = word_matrix.shape[0]
    for word, i in ids.items():
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < V:
            raise ValueError(f"word_to_id[{word!r}] is {i!r}, which is not a row of word_matrix (0 to {V - 1}): "
                             "word_to_id and word_matrix do not belong together")


def _ranked(scores: np.ndarray, id_to_word: Mapping[int, str], exclude: set[int], top: int) -> list:
    """The ``top`` (word, score) pairs by descending score, skipping ``exclude`` and NaN scores."""
    # a stable sort on the negated scores keeps ties in id order, so results are reproducible
    order = np.argsort(-scores, kind="stable")
    result: list[tuple[str, float]] = []
    for i in order:
        i = int(i)
        if i in exclude or i not in id_to_word or np.isnan(scores[i]):
            continue
        result.append((id_to_word[i], float(scores[i])))
        if len(result) >= top:
            break
    return result


def most_similar(
    query: str,
    word_to_id: Mapping[str, int],
    id_to_word: Mapping[int, str],
    word_matrix: Any,
    top: int = 5,
    *,
    print_results: bool = False,
) -> list[tuple[str, float]]:
    """The ``top`` words most similar to ``query`` by cosine similarity (section 2.3.6).

    The book prints the ranking; we return it (and print it in the book's format only if
    ``print_results=True``). All similarities are computed in one matrix-vector product.

    Parameters
    ----------
    query : str
    word_to_id : dict of str to int
    id_to_word : dict of int to str, or a list of the words in id order
    word_matrix : (V, D) array
        One word vector per row.
    top : int, default 5

    Returns
    -------
    list of (str, float)
        Words and their cosine similarity to ``query``, most similar first; ``query`` itself is excluded.

    Raises
    ------
    UnknownWordError
        (a ``KeyError`` and ``ValueError``) if ``query`` is not in the vocabulary; it names close matches.
    ValueError
        If ``word_matrix`` is not a (V, D) numeric matrix or holds NaN/inf ("word vectors contain NaN/inf").
    """
    query_id = _lookup(query, word_to_id, "query")
    id_to_word = _id_table(id_to_word)
    _check_word_matrix(word_matrix, id_to_word)
    _check_rows({query: query_id}, word_matrix)
    _check_top(top)
    W = normalize(word_matrix)
    # The vectors were checked finite, so a floating-point flag raised inside BLAS here is spurious (OpenBLAS
    # kernels can leave "invalid" set on finite data); the scores themselves are checked instead.
    with np.errstate(invalid="ignore"):
        scores = backend.to_cpu(W @ W[query_id])
    if not np.isfinite(scores).all():
        raise FloatingPointError(f"cosine similarities to {query!r} came out NaN or inf from finite vectors")
    result = _ranked(scores, id_to_word, {query_id}, top)
    if print_results:
        print(f"\n[query] {query}")
        for word, score in result:
            print(f" {word}: {score}")
    return result


# --------------------------------------------------------------------------------------------------------
# PPMI (section 2.4.1)
# --------------------------------------------------------------------------------------------------------


def _inverse_or_zero(xp: Any, s: Any, numerator: float = 1.0) -> Any:
    """``numerator / s`` as float32, with 0 where ``s`` is 0 (such a row or column holds only zero counts)."""
    positive = s > 0
    return xp.where(positive, numerator / xp.where(positive, s, 1.0), 0.0).astype(np.float32)


def ppmi(C: Any, verbose: bool = False, eps: float = 1e-8) -> Any:
    """Positive pointwise mutual information of a co-occurrence matrix (section 2.4.1).

    ``PPMI[i, j] = max(0, log2(C[i, j] * N / (S_i * S_j)))`` with ``N`` the sum of all counts, ``S_i`` the
    sum of row ``i`` and ``S_j`` the sum of column ``j`` (for the book's symmetric matrices the two sums
    agree, and the book uses column sums for both).

    The book loops over every cell in Python and adds ``eps`` inside the logarithm so that a zero count
    gives ``log2(eps)`` (a large negative number, clipped to 0) instead of ``log2(0)``; an all-zero row or
    column still divides by zero there. Here the whole matrix is computed at once, in place in one float32
    array: ``x = C * (N / S_i) * (1 / S_j)``, then ``log2(max(1, x))``, which equals ``max(0, log2 x)``
    and never takes the log of zero. A zero count, and every cell of an all-zero row or column, gives
    exactly 0 — never NaN or inf, and no NumPy warning. ``eps`` is therefore not needed; it is accepted so
    the book's calls still work.

    Parameters
    ----------
    C : (V, V) (or any 2-D) array of non-negative counts
    verbose : bool, default False
        Print the matrix size and how many cells are positive (the book printed a progress percentage).
    eps : float, default 1e-8
        Unused; see above.

    Returns
    -------
    M : float32 array of the same shape as ``C``, on the same device

    Raises
    ------
    ValueError
        If ``C`` is not 2-D, is empty, or holds negative or non-finite values.
    """
    del eps
    check_ndim(C, 2, "C", "(V, V) co-occurrence matrix")
    if C.size == 0:
        raise ValueError(f"C must not be empty, got {describe(C)}")
    if np.dtype(C.dtype).kind not in "iuf":
        raise ValueError(f"C must hold numeric counts, got {describe(C)}")
    xp = backend.xp(C)
    # min and max reduce without a (V, V) temporary; a NaN or inf shows up in one of them
    lo, hi = float(C.min()), float(C.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"C must hold finite counts, got NaN or inf in {describe(C)}")
    if lo < 0:
        raise ValueError(f"C must hold non-negative counts, got a minimum of {lo} in {describe(C)}")

    N = float(C.sum(dtype=xp.float64))
    row_factor = _inverse_or_zero(xp, C.sum(axis=1, dtype=xp.float64), N)
    col_factor = _inverse_or_zero(xp, C.sum(axis=0, dtype=xp.float64))
    # the one (V, V) allocation; every step after it works in place
    M = xp.multiply(C, row_factor[:, None], dtype=np.float32)
    M *= col_factor[None, :]
    # clamping before the log avoids log2(0) = -inf, which is also a slow path in NumPy's log2
    xp.maximum(M, 1.0, out=M)
    xp.log2(M, out=M)
    if verbose:
        positive = int(xp.count_nonzero(M))
        print(
            f"ppmi: {M.shape[0]}x{M.shape[1]} matrix, N={N:.0f}, {positive} positive cells "
            f"({100.0 * positive / M.size:.2f}%)"
        )
    return M


# --------------------------------------------------------------------------------------------------------
# Dimensionality reduction (sections 2.4.2-2.4.5)
# --------------------------------------------------------------------------------------------------------


def _float_matrix(M: Any, name: str = "M") -> Any:
    check_ndim(M, 2, name, "(m, n) matrix")
    if M.size == 0:
        raise ValueError(f"{name} must not be empty, got {describe(M)}")
    if np.dtype(M.dtype).kind not in "iuf":
        raise ValueError(f"{name} must be numeric, got {describe(M)}")
    if np.dtype(M.dtype).kind != "f" or M.dtype == np.float16:
        M = M.astype(np.float32)
    if not bool(backend.xp(M).isfinite(M).all()):  # LAPACK would only say "SVD did not converge"
        raise ValueError(f"{name} holds NaN or inf ({describe(M)}); an SVD needs finite values")
    return M


def _check_rank(k: Any, M: Any) -> int:
    limit = min(M.shape)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= limit:
        raise ValueError(f"k must be an int in [1, {limit}] (the smaller side of M), got {k!r}")
    return int(k)


def svd(M: Any, k: int | None = None) -> tuple[Any, Any, Any]:
    """Singular value decomposition ``M = U diag(S) Vt``, optionally truncated to ``k`` (sections 2.4.2-2.4.3).

    The book calls ``np.linalg.svd(W)`` and keeps the first columns of ``U`` as word vectors. This is the
    same (thin) decomposition, computed by :func:`numpy.linalg.svd` or :func:`cupy.linalg.svd` with
    ``full_matrices=False``. It costs ``O(m n min(m, n))``; for a large matrix and small ``k`` use
    :func:`randomized_svd`.

    Parameters
    ----------
    M : (m, n) array
        Integer inputs are converted to float32; float32 and float64 are kept.
    k : int, optional
        Keep only the ``k`` largest singular values and their vectors.

    Returns
    -------
    U : (m, r) array
    S : (r,) array, in descending order
    Vt : (r, n) array
        With ``r = k`` if given, else ``min(m, n)``.
    """
    M = _float_matrix(M)
    xp = backend.xp(M)
    U, S, Vt = xp.linalg.svd(M, full_matrices=False)
    if k is not None:
        k = _check_rank(k, M)
        U, S, Vt = U[:, :k], S[:k], Vt[:k]
    return U, S, Vt


def _orthonormal_basis(xp: Any, Y: Any) -> Any:
    """An orthonormal basis of the columns of ``Y`` (the Q of a thin QR decomposition)."""
    Q, _ = xp.linalg.qr(Y)
    return Q


def randomized_svd(
    M: Any,
    k: int,
    n_oversamples: int = 10,
    n_iter: int = 2,
    seed: Seed = 0,
) -> tuple[Any, Any, Any]:
    """Truncated SVD by random projection (Halko, Martinsson and Tropp 2011), for section 2.4.5.

    The book reduces the 10,000 x 10,000 PTB PPMI matrix with scikit-learn's ``randomized_svd``; this is our
    own version of the same algorithm, with no dependency:

    1. Draw a Gaussian test matrix ``Omega`` of shape ``(n, l)``, ``l = k + n_oversamples``.
    2. Range finder: ``Q = orth(M Omega)``, an orthonormal basis that captures most of the range of ``M``.
    3. ``n_iter`` power iterations ``Q = orth(M orth(M^T Q))`` sharpen the basis when the singular values
       decay slowly; re-orthonormalising at every step keeps float32 round-off from collapsing the columns.
    4. SVD of the small ``(l, n)`` matrix ``B = Q^T M = Ub S Vt``, and ``U = Q Ub``.

    The cost is a few products of ``M`` with thin matrices, ``O(m n l)``, instead of ``O(m n min(m, n))``.
    ``Omega`` is always drawn by NumPy from ``seed``, so the same seed gives the same result, on CPU and GPU.

    Parameters
    ----------
    M : (m, n) array
        Integer inputs are converted to float32; float32 and float64 are kept.
    k : int
        Number of singular values and vectors to return, ``1 <= k <= min(m, n)``.
    n_oversamples : int, default 10
        Extra random directions beyond ``k``; more gives a more accurate basis.
    n_iter : int, default 2
        Number of power iterations.
    seed : int or numpy.random.Generator, default 0
        Draws the random projection on the host (once per call; copied to the GPU for a CuPy ``M``), so a
        seed gives the same factors on either device.

    Returns
    -------
    U : (m, k) array
    S : (k,) array, in descending order
    Vt : (k, n) array
    """
    M = _float_matrix(M)
    k = _check_rank(k, M)
    for name, value in (("n_oversamples", n_oversamples), ("n_iter", n_iter)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    rng = as_generator(seed)
    xp = backend.xp(M)
    m, n = M.shape
    sketch = min(k + int(n_oversamples), m, n)
    omega = rng.standard_normal((n, sketch)).astype(M.dtype)
    if xp is not np:
        omega = xp.asarray(omega)

    Q = _orthonormal_basis(xp, M @ omega)
    for _ in range(int(n_iter)):
        Q = _orthonormal_basis(xp, M.T @ Q)
        Q = _orthonormal_basis(xp, M @ Q)

    B = Q.T @ M
    Ub, S, Vt = xp.linalg.svd(B, full_matrices=False)
    U = Q @ Ub
    return U[:, :k], S[:k], Vt[:k]


# --------------------------------------------------------------------------------------------------------
# Analogy (chapter 4, evaluating word vectors)
# --------------------------------------------------------------------------------------------------------


def cos_add_scores(W: Any, a: Any, b: Any, c: Any, *, exclude_question_words: bool = True) -> Any:
    """3CosAdd: the cosine of every word vector to ``b - a + c``, for a batch of analogies (chapter 4).

    The one implementation of analogy scoring, used by :func:`analogy` (one question) and
    :func:`scratchnlp.evaluation.evaluate_analogy` (thousands, in batches).

    Parameters
    ----------
    W : (V, D) float array
        Word vectors with unit-length rows (see :func:`normalize`).
    a, b, c : (B,) integer arrays
        Word ids of the questions ``a : b = c : ?``, on the same device as ``W``.
    exclude_question_words : bool, default True
        Give ``a``, ``b`` and ``c`` the score ``-inf`` in their own question's row, so that they are never the
        answer (the convention of word2vec's test).

    Returns
    -------
    scores : (B, V) array
        ``scores[i, j] = cos(W[j], W[b[i]] - W[a[i]] + W[c[i]])``.
    """
    xp = backend.xp(W)
    query = normalize(W[b] - W[a] + W[c])  # (B, D)
    scores = query @ W.T  # (B, V)
    if exclude_question_words:
        rows = xp.arange(scores.shape[0])
        for col in (a, b, c):
            scores[rows, col] = -xp.inf
    return scores


class AnalogyResult(list):
    """The ranking :func:`analogy` returns: a list of (word, score), plus the expected answer's standing.

    Attributes
    ----------
    answer : str or None
        The ``answer`` passed to :func:`analogy`.
    answer_score : float or None
        Its cosine similarity to the query vector (the number the book prints after ``==>``).
    answer_rank : int or None
        Its 1-based position among all candidates (``a``, ``b``, ``c`` excluded); 1 means solved.
    """

    answer: str | None = None
    answer_score: float | None = None
    answer_rank: int | None = None


def analogy(
    a: str,
    b: str,
    c: str,
    word_to_id: Mapping[str, int],
    id_to_word: Mapping[int, str],
    word_matrix: Any,
    top: int = 5,
    answer: str | None = None,
    *,
    print_results: bool = False,
) -> AnalogyResult:
    """Solve the analogy ``a : b = c : ?`` by vector arithmetic (chapter 4, evaluating word vectors).

    The query is ``b - a + c``, scaled to unit length like the book's; candidates are ranked by cosine
    similarity to it, with ``a``, ``b`` and ``c`` themselves excluded. The book normalises only the query
    (its scores are dot products with the raw word vectors); we normalise the word vectors too, so scores
    are cosines in ``[-1, 1]``. On an already-normalised ``word_matrix`` the two are identical.

    Parameters
    ----------
    a, b, c : str
    word_to_id : dict of str to int
    id_to_word : dict of int to str, or a list of the words in id order
    word_matrix : (V, D) array
    top : int, default 5
    answer : str, optional
        The expected word; its score and rank are reported on the result (and printed, as the book does).

    Returns
    -------
    AnalogyResult
        A list of ``top`` (word, score) pairs, best first, with ``answer``, ``answer_score`` and
        ``answer_rank`` attributes.

    Raises
    ------
    UnknownWordError
        (a ``KeyError`` and ``ValueError``) naming the first of ``a``, ``b``, ``c``, ``answer`` that is not in
        the vocabulary, with close matches.
    ValueError
        If ``word_matrix`` is not a (V, D) numeric matrix or holds NaN/inf ("word vectors contain NaN/inf").
    """
    ids = [_lookup(w, word_to_id, role) for w, role in ((a, "a"), (b, "b"), (c, "c"))]
    answer_id = None if answer is None else _lookup(answer, word_to_id, "answer")
    id_to_word = _id_table(id_to_word)
    _check_word_matrix(word_matrix, id_to_word)
    _check_rows({**dict(zip((a, b, c), ids)), **({} if answer is None else {answer: answer_id})}, word_matrix)
    _check_top(top)
    W = normalize(word_matrix)
    xp = backend.xp(W)
    a_id, b_id, c_id = (xp.asarray([i]) for i in ids)
    scores = backend.to_cpu(cos_add_scores(W, a_id, b_id, c_id, exclude_question_words=False)[0])

    result = AnalogyResult(_ranked(scores, id_to_word, set(ids), top))
    if answer_id is not None:
        result.answer = answer
        result.answer_score = float(scores[answer_id])
        candidates = np.ones(scores.shape[0], dtype=bool)
        candidates[ids] = False
        # rank = 1 + number of candidates that score strictly higher
        result.answer_rank = 1 + int(np.count_nonzero(candidates & (scores > scores[answer_id])))
    if print_results:
        print(f"\n[analogy] {a}:{b} = {c}:?")
        if answer is not None:
            print(f"==>{answer}:{result.answer_score}")
        for word, score in result:
            print(f" {word}: {score}")
    return result


# --------------------------------------------------------------------------------------------------------
# Contexts and targets (section 3.3.1)
# --------------------------------------------------------------------------------------------------------


def create_contexts_target(corpus: Any, window_size: int = 1) -> tuple[Any, Any]:
    """Cut a corpus into (contexts, target) pairs for the word2vec models (section 3.3.1).

    Every position ``t`` with a full window on both sides is a target; its contexts are the
    ``window_size`` words before it and the ``window_size`` words after it, in order. Built with one
    fancy-indexing gather instead of the book's Python loop.

    Parameters
    ----------
    corpus : (N,) integer array, with ``N > 2 * window_size``
    window_size : int, default 1

    Returns
    -------
    contexts : (N - 2w, 2w) int32 array
    target : (N - 2w,) int32 array

    Raises
    ------
    ValueError
        For an empty or non-integer corpus, negative word ids, a window below 1, or a corpus too short to hold
        one target.
    """
    _check_corpus(corpus)
    _check_window(window_size)
    lowest = int(corpus.min())
    if lowest < 0:
        raise ValueError(f"corpus must hold non-negative word ids, got {lowest} ({describe(corpus)})")
    w = int(window_size)
    n = corpus.shape[0]
    if n <= 2 * w:
        raise ValueError(
            f"corpus must have more than 2 * window_size = {2 * w} words to give at least one target, got {n}"
        )
    xp = backend.xp(corpus)
    offsets = xp.concatenate([xp.arange(-w, 0), xp.arange(1, w + 1)])
    positions = xp.arange(w, n - w)
    contexts = corpus[positions[:, None] + offsets[None, :]].astype(_ID_DTYPE)
    target = corpus[w : n - w].astype(_ID_DTYPE)
    return contexts, target


def convert_one_hot(corpus: Any, vocab_size: int) -> Any:
    """One-hot encode word ids (section 3.3.2).

    Parameters
    ----------
    corpus : (N,) or (N, C) integer array
        Word ids in ``[0, vocab_size)`` (a target vector, or a contexts matrix).
    vocab_size : int

    Returns
    -------
    (N, V) or (N, C, V) int32 array
        1 at each word id, 0 elsewhere.
    """
    check_ndim(corpus, (1, 2), "corpus", "(N,) target vector or (N, C) contexts matrix")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
    check_indices(corpus, int(vocab_size), "corpus")
    xp = backend.xp(corpus)
    one_hot = xp.zeros(corpus.shape + (int(vocab_size),), dtype=_ID_DTYPE)
    flat = one_hot.reshape(-1, int(vocab_size))
    flat[xp.arange(flat.shape[0]), corpus.reshape(-1)] = 1
    return one_hot
