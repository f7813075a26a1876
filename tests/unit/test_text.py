"""Tests of scratchnlp.text: known answers computed by hand, reference loops written the book's way, errors."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.text import (
    AnalogyResult,
    UnknownIdError,
    UnknownWordError,
    Vocabulary,
    analogy,
    convert_one_hot,
    cos_add_scores,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    most_similar,
    normalize,
    ppmi,
    preprocess,
    randomized_svd,
    svd,
)

TOY = "You say goodbye and I say hello."
# ids in order of first appearance
YOU, SAY, GOODBYE, AND, I, HELLO, DOT = range(7)


@pytest.fixture
def toy():
    return preprocess(TOY)


# ---------------------------------------------------------------------------------------------------------
# reference implementations, written as plain loops over tokens / cells (the book's way)
# ---------------------------------------------------------------------------------------------------------


def co_matrix_loop(corpus, vocab_size, window_size):
    C = np.zeros((vocab_size, vocab_size), dtype=np.int64)
    n = len(corpus)
    for pos, word in enumerate(corpus):
        for d in range(1, window_size + 1):
            if pos - d >= 0:
                C[word, corpus[pos - d]] += 1
            if pos + d < n:
                C[word, corpus[pos + d]] += 1
    return C


def ppmi_loop(C):
    N = C.sum()
    rows, cols = C.sum(axis=1), C.sum(axis=0)
    M = np.zeros(C.shape)
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            if C[i, j] > 0:
                M[i, j] = max(0.0, math.log2(C[i, j] * N / (rows[i] * cols[j])))
    return M


# ---------------------------------------------------------------------------------------------------------
# preprocess and Vocabulary
# ---------------------------------------------------------------------------------------------------------


def test_preprocess_toy_corpus(toy):
    corpus, word_to_id, id_to_word = toy
    assert corpus.dtype == np.int32
    np.testing.assert_array_equal(corpus, [0, 1, 2, 3, 4, 1, 5, 6])
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5, ".": 6}
    assert id_to_word == {i: w for w, i in word_to_id.items()}


def test_preprocess_splits_periods_and_any_whitespace():
    corpus, word_to_id, _ = preprocess("A  cat.\nA dog.")
    assert list(word_to_id) == ["a", "cat", ".", "dog"]
    np.testing.assert_array_equal(corpus, [0, 1, 2, 0, 3, 2])


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_preprocess_empty_text_is_a_clear_error(text):
    with pytest.raises(ValueError, match="at least one word"):
        preprocess(text)


def test_preprocess_rejects_non_strings():
    with pytest.raises(TypeError, match="must be a str, got list"):
        preprocess(["you", "say"])


def test_vocabulary_lookups():
    vocab = Vocabulary.from_words(["b", "a", "b", "c"])
    assert len(vocab) == 3
    assert "a" in vocab and "z" not in vocab
    assert list(vocab) == ["b", "a", "c"]
    ids = vocab.ids(["c", "b"])
    assert ids.dtype == np.int32
    np.testing.assert_array_equal(ids, [2, 0])
    assert vocab.words(np.array([1, 2])) == ["a", "c"]
    assert vocab.id_of("a") == 1


def test_vocabulary_unknown_word_names_it_and_suggests():
    vocab = Vocabulary.from_words(["hello", "goodbye", "help"])
    with pytest.raises(UnknownWordError) as info:
        vocab.ids(["hello", "helo"])
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, ValueError)
    assert err.word == "helo"
    assert "hello" in err.suggestions
    assert "'helo' is not in the vocabulary" in str(err)
    assert "'hello'" in str(err)
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == str(err) and copy.suggestions == err.suggestions


@pytest.mark.parametrize("bad", [[0, 3], [-1], np.array([2, 7])])
def test_vocabulary_words_of_an_unknown_id_is_one_clear_error(bad):
    vocab = Vocabulary.from_words(["b", "a", "c"])
    with pytest.raises(UnknownIdError) as info:
        vocab.words(bad)
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, ValueError)
    wrong = [i for i in np.asarray(bad).tolist() if not 0 <= i < 3][0]
    assert str(err) == f"word id {wrong} is not in the vocabulary of 3 words (ids 0 to 2)"
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        ([1.7], TypeError, "ids must be integer word ids, got float64 values such as 1.7"),
        (["a"], TypeError, "ids must be integer word ids, got <U1 values such as 'a'"),
        (np.array([[0, 1]]), ValueError, r"one sequence of word ids, shape \(N,\), got shape \(1, 2\)"),
        (2, ValueError, r"one sequence of word ids, shape \(N,\), got shape \(\)"),
    ],
)
def test_vocabulary_words_refuses_what_is_not_a_sequence_of_ids(ids, error, message):
    vocab = Vocabulary.from_words(["b", "a", "c"])
    with pytest.raises(error, match=message):
        vocab.words(ids)
    assert vocab.words([]) == [] and vocab.words(np.array([2, 0], dtype=np.uint8)) == ["c", "b"]


# ---------------------------------------------------------------------------------------------------------
# co-occurrence matrix
# ---------------------------------------------------------------------------------------------------------


def test_co_matrix_toy_window_1_by_hand(xp, toy):
    corpus, word_to_id, _ = toy
    C = create_co_matrix(xp.asarray(corpus), len(word_to_id), window_size=1)
    assert backend.xp(C) is xp
    C = backend.to_cpu(C)
    assert C.dtype == np.int32 and C.shape == (7, 7)
    expected = np.array(
        [
            # you say goodbye and i hello .
            [0, 1, 0, 0, 0, 0, 0],  # you
            [1, 0, 1, 0, 1, 1, 0],  # say
            [0, 1, 0, 1, 0, 0, 0],  # goodbye
            [0, 0, 1, 0, 1, 0, 0],  # and
            [0, 1, 0, 1, 0, 0, 0],  # i
            [0, 1, 0, 0, 0, 0, 1],  # hello
            [0, 0, 0, 0, 0, 1, 0],  # .
        ]
    )
    np.testing.assert_array_equal(C, expected)
    assert C[YOU, SAY] == 1 and C[SAY, YOU] == 1


def test_co_matrix_toy_window_2_by_hand(toy):
    corpus, word_to_id, _ = toy
    C = create_co_matrix(corpus, len(word_to_id), window_size=2)
    # "say" at positions 1 and 5: {you, goodbye, and} and {and, i, hello, .}
    np.testing.assert_array_equal(C[SAY], [1, 0, 1, 2, 1, 1, 1])
    # "." at the end only sees two words to its left
    np.testing.assert_array_equal(C[DOT], [0, 1, 0, 0, 0, 1, 0])
    np.testing.assert_array_equal(C, C.T)


@pytest.mark.parametrize("window_size", [1, 2, 3, 5])
@pytest.mark.parametrize("n", [1, 2, 4, 50])
def test_co_matrix_matches_the_token_loop(window_size, n):
    rng = np.random.default_rng(n * 10 + window_size)
    corpus = rng.integers(0, 6, size=n).astype(np.int32)
    C = create_co_matrix(corpus, 6, window_size)
    np.testing.assert_array_equal(C, co_matrix_loop(corpus, 6, window_size))


def test_co_matrix_accepts_int64_and_unused_vocabulary():
    C = create_co_matrix(np.array([0, 2, 0], dtype=np.int64), 5)
    assert C.shape == (5, 5)
    assert C[0, 2] == 2 and C[2, 0] == 2 and C.sum() == 4


@pytest.mark.parametrize(
    ("corpus", "vocab_size", "window", "message"),
    [
        (np.array([], dtype=np.int32), 3, 1, "at least one word id"),
        (np.array([0, 3]), 3, 1, r"ids in \[0, 3\), got 3"),
        (np.array([0, -1]), 3, 1, r"ids in \[0, 3\), got -1"),
        (np.array([0.0, 1.0]), 3, 1, "integer array"),
        (np.zeros((2, 2), dtype=np.int32), 3, 1, "1-D"),
        (np.array([0, 1]), 3, 0, "window_size must be a positive int"),
        (np.array([0, 1]), 0, 1, "vocab_size must be a positive int"),
    ],
)
def test_co_matrix_bad_input(corpus, vocab_size, window, message):
    with pytest.raises(ValueError, match=message):
        create_co_matrix(corpus, vocab_size, window)


# ---------------------------------------------------------------------------------------------------------
# similarity
# ---------------------------------------------------------------------------------------------------------


def test_cos_similarity_by_hand(xp, toy):
    corpus, word_to_id, _ = toy
    C = create_co_matrix(xp.asarray(corpus), len(word_to_id))
    # you = [0,1,0,0,0,0,0], i = [0,1,0,1,0,0,0]: 1 / (1 * sqrt 2)
    assert cos_similarity(C[YOU], C[I]) == pytest.approx(1 / math.sqrt(2), abs=1e-7)
    # say shares no context word with you
    assert cos_similarity(C[YOU], C[SAY]) == 0.0
    assert cos_similarity(xp.zeros(3), xp.ones(3)) == 0.0
    assert cos_similarity(xp.asarray([3.0, 4.0]), xp.asarray([-6.0, -8.0])) == pytest.approx(-1.0)


def test_cos_similarity_shape_mismatch():
    with pytest.raises(ValueError, match="same shape"):
        cos_similarity(np.ones(3), np.ones(4))


def test_normalize_rows_and_zero_rows(xp):
    x = xp.asarray([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    n = normalize(x)
    assert n.dtype == np.float32
    np.testing.assert_allclose(backend.to_cpu(n), [[0.6, 0.8], [0.0, 0.0]], atol=1e-7)


def test_most_similar_toy_like_the_book(xp, toy, capsys):
    corpus, word_to_id, id_to_word = toy
    C = create_co_matrix(xp.asarray(corpus), len(word_to_id))
    result = most_similar("you", word_to_id, id_to_word, C, top=5)
    assert capsys.readouterr().out == ""
    words = [w for w, _ in result]
    # goodbye, i and hello tie at 1/sqrt(2); ties keep id order
    assert words == ["goodbye", "i", "hello", "say", "and"]
    np.testing.assert_allclose([s for _, s in result], [2**-0.5] * 3 + [0.0, 0.0], atol=1e-6)
    assert "you" not in words


def _embedding(rows: dict[str, list[float]]):
    word_to_id = {w: i for i, w in enumerate(rows)}
    id_to_word = dict(enumerate(rows))
    return word_to_id, id_to_word, np.array(list(rows.values()), dtype=np.float32)


def test_most_similar_constructed_embedding(capsys):
    w2i, i2w, W = _embedding(
        {
            "cat": [1.0, 0.0, 0.0],
            "car": [0.0, 0.0, 1.0],
            "kitten": [0.9, 0.1, 0.0],
            "dog": [0.7, 0.7, 0.0],
            "truck": [0.0, 0.1, 0.9],
        }
    )
    result = most_similar("cat", w2i, i2w, W, top=2, print_results=True)
    assert [w for w, _ in result] == ["kitten", "dog"]
    assert result[0][1] == pytest.approx(0.9 / math.sqrt(0.82), abs=1e-6)
    assert result[1][1] == pytest.approx(1 / math.sqrt(2), abs=1e-6)
    out = capsys.readouterr().out
    assert "[query] cat" in out and " kitten: " in out


def test_most_similar_unknown_word_suggests(toy):
    corpus, word_to_id, id_to_word = toy
    C = create_co_matrix(corpus, len(word_to_id))
    with pytest.raises(UnknownWordError, match=r"'yuo' is not in the vocabulary.*'you'") as info:
        most_similar("yuo", word_to_id, id_to_word, C)
    assert isinstance(info.value, KeyError)


def test_most_similar_bad_arguments(toy):
    corpus, word_to_id, id_to_word = toy
    C = create_co_matrix(corpus, len(word_to_id))
    with pytest.raises(ValueError, match="top must be a positive int"):
        most_similar("you", word_to_id, id_to_word, C, top=0)
    with pytest.raises(ValueError, match="one row per vocabulary word"):
        most_similar("you", word_to_id, id_to_word, C[:3])
    with pytest.raises(ValueError, match="2-D"):
        most_similar("you", word_to_id, id_to_word, C[0])


def test_most_similar_and_analogy_check_the_vocabulary_tables(toy, royal):
    corpus, word_to_id, id_to_word = toy
    C = create_co_matrix(corpus, len(word_to_id))
    for bad in (None, ["you", "say"], np.arange(3)):
        with pytest.raises(TypeError, match="word_to_id must be a dict of word -> id"):
            most_similar("you", bad, id_to_word, C)
    for bad in (None, 3, np.array(["you"])):
        with pytest.raises(TypeError, match="id_to_word must be a dict of id -> word .* or a list of words"):
            most_similar("you", word_to_id, bad, C)
    with pytest.raises(TypeError, match="query must be a word"):
        most_similar(["you"], word_to_id, id_to_word, C)
    listed = [id_to_word[i] for i in range(len(id_to_word))]  # a list of words in id order works like the dict
    assert most_similar("you", word_to_id, listed, C) == most_similar("you", word_to_id, id_to_word, C)
    with pytest.raises(ValueError, match=r"word_to_id\['you'\] is 99, which is not a row of word_matrix"):
        most_similar("you", {**word_to_id, "you": 99}, id_to_word, C)
    w2i, i2w, W = royal
    with pytest.raises(ValueError, match=r"word_to_id\['queen'\] is -1, which is not a row"):
        analogy("man", "king", "woman", {**w2i, "queen": -1}, i2w, W, answer="queen")


# ---------------------------------------------------------------------------------------------------------
# PPMI
# ---------------------------------------------------------------------------------------------------------


def test_ppmi_toy_by_hand(xp, toy):
    corpus, word_to_id, _ = toy
    C = create_co_matrix(corpus, len(word_to_id))
    M = ppmi(xp.asarray(C))
    assert backend.xp(M) is xp
    M = backend.to_cpu(M)
    assert M.dtype == np.float32 and M.shape == C.shape
    # N = 14 (7 neighbouring pairs, counted both ways); S = you 1, say 4, goodbye 2, and 2, i 2, hello 2, . 1
    assert M[YOU, SAY] == pytest.approx(math.log2(14 / (1 * 4)), abs=1e-5)  # 1.807
    assert M[SAY, GOODBYE] == pytest.approx(math.log2(14 / (4 * 2)), abs=1e-5)  # 0.807
    assert M[HELLO, DOT] == pytest.approx(math.log2(14 / (2 * 1)), abs=1e-5)  # 2.807
    assert M[GOODBYE, AND] == pytest.approx(math.log2(14 / (2 * 2)), abs=1e-5)  # 1.807
    assert M[YOU, YOU] == 0.0 and M[YOU, GOODBYE] == 0.0
    np.testing.assert_allclose(M, M.T)


def test_ppmi_matches_the_cell_loop(xp):
    rng = np.random.default_rng(3)
    C = rng.poisson(0.7, size=(12, 9)).astype(np.int32)
    np.testing.assert_allclose(backend.to_cpu(ppmi(xp.asarray(C))), ppmi_loop(C), rtol=1e-5, atol=1e-5)


def test_ppmi_zero_rows_and_columns_give_zero_without_warnings():
    C = np.array([[0, 0, 0], [0, 2, 1], [0, 1, 0]], dtype=np.int32)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        M = ppmi(C)
        Z = ppmi(np.zeros((3, 3), dtype=np.int32))
    assert np.isfinite(M).all() and np.isfinite(Z).all()
    np.testing.assert_array_equal(M[0], 0)
    np.testing.assert_array_equal(M[:, 0], 0)
    np.testing.assert_array_equal(Z, 0)


def test_ppmi_does_not_modify_its_input_and_accepts_floats(capsys):
    C = np.array([[0.0, 2.0], [2.0, 1.0]])
    before = C.copy()
    M = ppmi(C, verbose=True)
    np.testing.assert_array_equal(C, before)
    assert M.dtype == np.float32
    assert "ppmi: 2x2" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("C", "message"),
    [
        (np.array([[1, -1], [0, 1]]), "non-negative"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "finite"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), "finite"),
        (np.ones(3), "2-D"),
        (np.zeros((0, 0)), "empty"),
    ],
)
def test_ppmi_bad_input(C, message):
    with pytest.raises(ValueError, match=message):
        ppmi(C)


# ---------------------------------------------------------------------------------------------------------
# SVD
# ---------------------------------------------------------------------------------------------------------


def low_rank_plus_noise(m=300, n=200, rank=10, noise=1e-4, seed=0):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((m, rank)))
    V, _ = np.linalg.qr(rng.standard_normal((n, rank)))
    s = np.linspace(100.0, 10.0, rank)
    return (U * s) @ V.T + noise * rng.standard_normal((m, n)), s


def test_svd_full_and_truncated(xp):
    A, _ = low_rank_plus_noise()
    A32 = A.astype(np.float32)
    U, S, Vt = (backend.to_cpu(a) for a in svd(xp.asarray(A32)))
    assert (U.shape, S.shape, Vt.shape) == ((300, 200), (200,), (200, 200))
    assert U.dtype == np.float32
    np.testing.assert_allclose((U * S) @ Vt, A32, atol=1e-3)
    Uk, Sk, Vtk = (backend.to_cpu(a) for a in svd(xp.asarray(A32), k=10))
    assert (Uk.shape, Sk.shape, Vtk.shape) == ((300, 10), (10,), (10, 200))
    np.testing.assert_allclose(Sk, S[:10])
    assert svd(xp.eye(3, dtype=np.int32))[1].dtype == np.float32


def test_randomized_svd_recovers_top_singular_values():
    A, s = low_rank_plus_noise()
    A = A.astype(np.float32)
    exact = np.linalg.svd(A.astype(np.float64), compute_uv=False)[:10]
    U, S, Vt = randomized_svd(A, 10, seed=1)
    assert (U.shape, S.shape, Vt.shape) == ((300, 10), (10,), (10, 200))
    assert U.dtype == S.dtype == Vt.dtype == np.float32
    np.testing.assert_allclose(S, exact, rtol=1e-3)
    np.testing.assert_allclose(S, s, rtol=1e-3)
    # orthonormal factors that reconstruct the low-rank part
    np.testing.assert_allclose(U.T @ U, np.eye(10), atol=1e-4)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(10), atol=1e-4)
    np.testing.assert_allclose((U * S) @ Vt, A, atol=5e-3)


def test_randomized_svd_is_deterministic_for_a_seed(xp):
    A, _ = low_rank_plus_noise(noise=1e-2)
    first = [backend.to_cpu(a) for a in randomized_svd(xp.asarray(A), 5, seed=7)]
    second = [backend.to_cpu(a) for a in randomized_svd(xp.asarray(A), 5, seed=7)]
    for x, y in zip(first, second, strict=True):
        np.testing.assert_array_equal(x, y)
    # the projection is drawn on the host: the same singular values on either device
    np.testing.assert_allclose(first[1], randomized_svd(A, 5, seed=7)[1], rtol=1e-6)
    from_generator = randomized_svd(xp.asarray(A), 5, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(backend.to_cpu(from_generator[1]), first[1])


def test_randomized_svd_sketch_never_exceeds_the_matrix():
    A = np.random.default_rng(0).standard_normal((8, 5))
    _, S, _ = randomized_svd(A, 5, n_oversamples=10, seed=0)
    np.testing.assert_allclose(S, np.linalg.svd(A, compute_uv=False), rtol=1e-6)


@pytest.mark.parametrize("k", [0, 201, 2.5, True])
def test_svd_bad_rank(k):
    A = np.ones((300, 200), dtype=np.float32)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 200\]"):
        randomized_svd(A, k)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 200\]"):
        svd(A, k)


def test_randomized_svd_bad_options():
    A = np.ones((4, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="n_iter must be a non-negative int"):
        randomized_svd(A, 2, n_iter=-1)
    for seed in ("x", -1, True, 1.5):  # the project's one seed check (_checks.as_generator)
        with pytest.raises(ValueError, match="seed must be a non-negative int"):
            randomized_svd(A, 2, seed=seed)
    with pytest.raises(ValueError, match="2-D"):
        randomized_svd(np.ones(4), 1)


# ---------------------------------------------------------------------------------------------------------
# analogy
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def royal():
    # axes: male, female, royal, fruit
    return _embedding(
        {
            "man": [1.0, 0.0, 0.0, 0.0],
            "woman": [0.0, 1.0, 0.0, 0.0],
            "king": [1.0, 0.0, 1.0, 0.0],
            "queen": [0.0, 1.0, 1.0, 0.0],
            "prince": [0.8, 0.0, 1.0, 0.3],
            "apple": [0.0, 0.0, 0.0, 1.0],
        }
    )


def test_analogy_constructed_embedding(xp, royal, capsys):
    w2i, i2w, W = royal
    result = analogy("man", "king", "woman", w2i, i2w, xp.asarray(W), top=3, answer="queen")
    assert isinstance(result, AnalogyResult)
    words = [w for w, _ in result]
    assert words[0] == "queen"
    assert not {"man", "king", "woman"} & set(words)
    assert len(result) == 3
    # the query is king - man + woman on unit rows
    Wn = W / np.linalg.norm(W, axis=1, keepdims=True)
    q = Wn[w2i["king"]] - Wn[w2i["man"]] + Wn[w2i["woman"]]
    q /= np.linalg.norm(q)
    assert result[0][1] == pytest.approx(float(Wn[w2i["queen"]] @ q), abs=1e-6)
    assert result.answer == "queen" and result.answer_rank == 1
    assert result.answer_score == pytest.approx(result[0][1])
    assert capsys.readouterr().out == ""


def test_analogy_prints_like_the_book(royal, capsys):
    w2i, i2w, W = royal
    analogy("man", "king", "woman", w2i, i2w, W, top=1, answer="apple", print_results=True)
    out = capsys.readouterr().out
    assert "[analogy] man:king = woman:?" in out
    assert "==>apple:" in out and " queen: " in out


def test_analogy_answer_rank_counts_better_candidates(royal):
    w2i, i2w, W = royal
    result = analogy("man", "king", "woman", w2i, i2w, W, answer="apple")
    assert result.answer_rank == 3  # queen and prince score higher


def test_analogy_unknown_words(royal):
    w2i, i2w, W = royal
    with pytest.raises(UnknownWordError, match=r"c 'wman' is not in the vocabulary.*'woman'"):
        analogy("man", "king", "wman", w2i, i2w, W)
    with pytest.raises(UnknownWordError, match="answer 'queeen'"):
        analogy("man", "king", "woman", w2i, i2w, W, answer="queeen")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_word_vectors_are_one_clear_error(royal, bad):
    w2i, i2w, W = royal
    W = W.copy()
    W[w2i["apple"], 0] = bad
    with pytest.raises(ValueError, match=r"word vectors contain NaN/inf \(1 of 24 values of word_matrix"):
        most_similar("man", w2i, i2w, W)
    with pytest.raises(ValueError, match="word vectors contain NaN/inf"):
        analogy("man", "king", "woman", w2i, i2w, W)
    with pytest.raises(ValueError, match="word vectors contain NaN/inf"):
        most_similar("man", w2i, i2w, np.full_like(W, np.nan))


def test_word_vectors_must_be_numeric(royal):
    w2i, i2w, W = royal
    with pytest.raises(ValueError, match="word_matrix must hold numbers"):
        most_similar("man", w2i, i2w, W.astype(object))


def test_cos_add_scores_is_the_analogy_scoring(xp, royal):
    w2i, i2w, W = royal
    Wn = normalize(xp.asarray(W))
    a, b, c = (xp.asarray([w2i[w]]) for w in ("man", "king", "woman"))
    scores = backend.to_cpu(cos_add_scores(Wn, a, b, c))
    assert scores.shape == (1, len(w2i))
    assert np.isneginf(scores[0, [w2i["man"], w2i["king"], w2i["woman"]]]).all()
    result = analogy("man", "king", "woman", w2i, i2w, xp.asarray(W), top=len(w2i))
    for word, score in result:
        assert scores[0, w2i[word]] == pytest.approx(score, abs=1e-6)
    batch = backend.to_cpu(cos_add_scores(Wn, xp.asarray([0, 0]), xp.asarray([2, 2]), xp.asarray([1, 1]),
                                          exclude_question_words=False))
    np.testing.assert_allclose(batch[0], batch[1])
    assert np.isfinite(batch).all()


# ---------------------------------------------------------------------------------------------------------
# contexts, target and one-hot
# ---------------------------------------------------------------------------------------------------------


def test_contexts_target_toy(xp, toy):
    corpus, _, _ = toy
    contexts, target = (backend.to_cpu(a) for a in create_contexts_target(xp.asarray(corpus), window_size=1))
    assert contexts.dtype == np.int32 and target.dtype == np.int32
    np.testing.assert_array_equal(contexts, [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    np.testing.assert_array_equal(target, [1, 2, 3, 4, 1, 5])


def test_contexts_target_window_2_matches_loop():
    corpus = np.arange(10, dtype=np.int32) * 3
    contexts, target = create_contexts_target(corpus, window_size=2)
    assert contexts.shape == (6, 4) and target.shape == (6,)
    for row, t in enumerate(range(2, 8)):
        assert list(contexts[row]) == [corpus[t - 2], corpus[t - 1], corpus[t + 1], corpus[t + 2]]
        assert target[row] == corpus[t]


@pytest.mark.parametrize(("n", "window"), [(2, 1), (4, 2), (1, 1)])
def test_contexts_target_corpus_too_short(n, window):
    with pytest.raises(ValueError, match=f"more than 2 \\* window_size = {2 * window} words.*got {n}"):
        create_contexts_target(np.arange(n, dtype=np.int32), window)


def test_contexts_target_negative_ids():
    with pytest.raises(ValueError, match=r"non-negative word ids, got -3"):
        create_contexts_target(np.array([0, 1, -3, 2], dtype=np.int32))


def test_contexts_target_empty_corpus():
    with pytest.raises(ValueError, match="at least one word id"):
        create_contexts_target(np.array([], dtype=np.int32))


def test_convert_one_hot_1d_and_2d(xp, toy):
    corpus, word_to_id, _ = toy
    contexts, target = create_contexts_target(corpus)
    t = backend.to_cpu(convert_one_hot(xp.asarray(target), len(word_to_id)))
    c = backend.to_cpu(convert_one_hot(xp.asarray(contexts), len(word_to_id)))
    assert t.shape == (6, 7) and c.shape == (6, 2, 7)
    assert t.dtype == np.int32
    np.testing.assert_array_equal(t.argmax(axis=-1), target)
    np.testing.assert_array_equal(c.argmax(axis=-1), contexts)
    np.testing.assert_array_equal(t.sum(axis=-1), 1)
    np.testing.assert_array_equal(c.sum(axis=-1), 1)


def test_convert_one_hot_bad_ids():
    with pytest.raises(ValueError, match=r"ids in \[0, 3\)"):
        convert_one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        convert_one_hot(np.zeros((1, 1, 1), dtype=np.int32), 3)


def test_create_co_matrix_refuses_a_matrix_larger_than_memory_before_allocating():
    corpus = np.array([0, 1, 2, 1_000_000 - 1])
    with pytest.raises(ValueError, match=r"a \(1,000,000, 1,000,000\) co-occurrence matrix needs 3,725.3 GiB, more "
                                         r"than this machine's .* GiB of memory"):
        create_co_matrix(corpus, 1_000_000)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_svd_refuses_non_finite_input_in_words(bad):
    from scratchnlp.text import randomized_svd, svd

    M = np.eye(4, dtype=np.float32)
    M[1, 2] = bad
    with pytest.raises(ValueError, match="M holds NaN or inf .* an SVD needs finite values"):
        svd(M)
    with pytest.raises(ValueError, match="holds NaN or inf"):
        randomized_svd(M, 2)
