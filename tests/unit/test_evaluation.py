"""Word-vector evaluation: analogies by 3CosAdd, Spearman with ties, file errors."""

import numpy as np
import pytest

from scratchnlp import evaluation, text
from scratchnlp.evaluation import (
    AnalogyScore,
    evaluate_analogy,
    evaluate_similarity,
    load_analogy_questions,
    load_word_pairs,
    rankdata,
    spearman,
)

# Hand-made vectors: "king - man + woman" lands exactly on "queen", "paris - france + italy" on "rome", and
# "big - small + short" is closest to "tall"; one question has an unknown word.
WORDS = ["man", "woman", "king", "queen", "france", "paris", "italy", "rome", "big", "small", "tall", "short"]
WORD_TO_ID = {w: i for i, w in enumerate(WORDS)}
VECS = np.array(
    [
        [1, 0, 0, 0, 0],  # man
        [0, 1, 0, 0, 0],  # woman
        [1, 0, 1, 0, 0],  # king
        [0, 1, 1, 0, 0],  # queen
        [0, 0, 0, 1, 0],  # france
        [0, 0, 0, 1, 1],  # paris
        [0, 0, 0, 0, 0.1],  # italy
        [0, 0, 0, 0.1, 1.1],  # rome: not paris, though paris is close to the query too
        [0, 0, 1, 1, 1],  # big
        [1, 1, 0, 0, 0],  # small
        [0, 0, 1, 0, 0],  # tall: an answer that is wrong for the last question
        [1, 1, 1, 1, -1],  # short
    ],
    dtype=np.float32,
)

ANALOGIES = """\
: capital-common-countries
France Paris Italy Rome
Paris France Rome Italy
France Paris Spain Madrid
: family
man woman king queen
MAN KING WOMAN QUEEN
: gram-opposite
big small tall short
"""


@pytest.fixture
def analogy_file(tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(ANALOGIES)
    return path


def test_analogy_by_hand(xp, analogy_file):
    result = evaluate_analogy(xp.asarray(VECS), WORD_TO_ID, analogy_file)
    sections = {s.name: s for s in result.sections}
    assert [s.name for s in result.sections] == ["capital-common-countries", "family", "gram-opposite"]
    assert (sections["capital-common-countries"].total, sections["capital-common-countries"].evaluated) == (3, 2)
    assert sections["capital-common-countries"].skipped == 1 and result.unknown_words == 2  # spain, madrid
    assert sections["family"].correct == 2  # lower-cased, and the question words are excluded
    # paris : france = rome : ? is answered "big" (by hand: query (0, 0, 0, 0.383, 0.289), cosine 0.39 with big
    # against 0.29 with italy), so only the first capital question is right
    assert sections["capital-common-countries"].correct == 1
    assert sections["gram-opposite"].evaluated == 1
    assert result.overall.evaluated == 5 and result.overall.total == 6
    assert result.semantic.evaluated == 4 and result.syntactic.evaluated == 1
    summary = result.to_dict()
    assert summary["evaluated"] == 5 and summary["skipped"] == 1
    assert summary["accuracy"] == pytest.approx(result.overall.correct / 5)


def test_analogy_excludes_question_words():
    # b - a + c is c itself here; without the exclusion the answer would always be a question word
    vecs = np.array([[1.0, 0], [1.0, 0], [0, 1.0], [0.1, 1.0]], dtype=np.float32)
    w2i = {"a": 0, "b": 1, "c": 2, "d": 3}
    result = evaluate_analogy(vecs, w2i, [("s", [("a", "b", "c", "d")])])
    assert result.overall.correct == 1


def test_result_class_name_is_unique():
    result = evaluate_analogy(VECS, WORD_TO_ID, [("s", [("man", "woman", "king", "queen")])])
    assert isinstance(result, AnalogyScore)
    assert not hasattr(evaluation, "AnalogyResult")  # that name is text.AnalogyResult's alone
    assert set(evaluation.__all__).isdisjoint(text.__all__)


def test_evaluate_analogy_agrees_with_text_analogy(xp):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    w2i = {w: i for i, w in enumerate(words)}
    i2w = dict(enumerate(words))
    W = rng.standard_normal((40, 8)).astype(np.float32)
    questions = [tuple(words[j] for j in rng.choice(40, 4, replace=False)) for _ in range(30)]
    expected = sum(text.analogy(a, b, c, w2i, i2w, W, top=1)[0][0] == d for a, b, c, d in questions)
    result = evaluate_analogy(xp.asarray(W), w2i, [("s", questions)], batch_size=7)
    assert result.overall.correct == expected
    # float16 vectors are widened, not overflowed
    assert evaluate_analogy(xp.asarray(W.astype(np.float16)), w2i, [("s", questions)]).overall.evaluated == 30


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_vectors_are_refused(analogy_file, tmp_path, bad):
    vecs = VECS.copy()
    vecs[3, 1] = bad
    with pytest.raises(ValueError, match="word vectors contain NaN/inf"):
        evaluate_analogy(vecs, WORD_TO_ID, analogy_file)
    pairs = tmp_path / "sim.tsv"
    pairs.write_text("king queen 9\nman woman 5\n")
    with pytest.raises(ValueError, match="word vectors contain NaN/inf"):
        evaluate_similarity(vecs, WORD_TO_ID, pairs)


def test_analogy_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text(": s\na b c d\na b c\n")
    with pytest.raises(ValueError, match=r"bad\.txt, line 3: .*exactly 4 words"):
        load_analogy_questions(path)
    path.write_text(":\n")
    with pytest.raises(ValueError, match="line 1"):
        load_analogy_questions(path)


def test_analogy_questions_without_header_and_blank_lines(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("\nA B C D\n\n: x\nE F G H\n")
    assert load_analogy_questions(path) == [("questions", [("a", "b", "c", "d")]), ("x", [("e", "f", "g", "h")])]
    assert load_analogy_questions(path, lowercase=False)[0][1] == [("A", "B", "C", "D")]


def test_analogy_nothing_in_vocabulary_gives_nan(analogy_file):
    result = evaluate_analogy(VECS, {"zzz": 0}, analogy_file)
    assert result.overall.evaluated == 0 and np.isnan(result.accuracy)
    assert result.to_dict()["accuracy"] is None


def test_analogy_bad_vectors(analogy_file):
    with pytest.raises(ValueError, match="2-D"):
        evaluate_analogy(VECS[0], WORD_TO_ID, analogy_file)
    with pytest.raises(ValueError, match="holds id 11"):
        evaluate_analogy(VECS[:5], WORD_TO_ID, analogy_file)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        evaluate_analogy(VECS, WORD_TO_ID, analogy_file.parent / "missing.txt")


def test_rankdata_averages_ties():
    np.testing.assert_array_equal(rankdata([10, 20, 20, 30]), [1, 2.5, 2.5, 4])
    np.testing.assert_array_equal(rankdata([3, 1, 3, 3, 2]), [4, 1, 4, 4, 2])


def test_spearman_with_ties_by_hand():
    x = [1, 2, 2, 3, 4]
    y = [2, 1, 3, 3, 5]
    # average ranks: x -> 1, 2.5, 2.5, 4, 5 and y -> 2, 1, 3.5, 3.5, 5, both with mean 3;
    # centred: (-2, -0.5, -0.5, 1, 2) and (-1, -2, 0.5, 0.5, 2); products sum to 2 + 1 - 0.25 + 0.5 + 4 = 7.25,
    # squares to 9.5 and 9.5, so rho = 7.25 / 9.5
    assert spearman(x, y) == pytest.approx(7.25 / 9.5)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError, match="same length"):
        spearman([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="at least 2"):
        spearman([1], [1])


def test_similarity_by_hand(xp, tmp_path):
    path = tmp_path / "sim.tsv"
    path.write_text("# comment\nKing\tqueen\t9\nman woman 5.5\nman rome 1\nfoo bar 3\n\nking tall 5.5\n")
    result = evaluate_similarity(xp.asarray(VECS), WORD_TO_ID, path)
    assert (result.evaluated, result.total, result.skipped) == (4, 5, 1)
    W = VECS / np.linalg.norm(VECS, axis=1, keepdims=True)
    cos = [W[2] @ W[3], W[0] @ W[1], W[0] @ W[7], W[2] @ W[10]]
    assert result.spearman == pytest.approx(spearman(cos, [9, 5.5, 1, 5.5]))
    assert result.to_dict()["evaluated"] == 4


def test_similarity_malformed_lines(tmp_path):
    path = tmp_path / "sim.tsv"
    path.write_text("a b 1\na b\n")
    with pytest.raises(ValueError, match=r"sim\.tsv, line 2: expected 3 fields"):
        load_word_pairs(path)
    path.write_text("a b 1\n\na b high\n")
    with pytest.raises(ValueError, match="line 3: the score must be a finite number"):
        load_word_pairs(path)
    with pytest.raises(FileNotFoundError, match="neither a known set"):
        evaluate_similarity(VECS, WORD_TO_ID, "wordsim")


def test_similarity_too_few_pairs_gives_nan(tmp_path):
    path = tmp_path / "sim.tsv"
    path.write_text("king queen 9\nfoo bar 1\n")
    result = evaluate_similarity(VECS, WORD_TO_ID, path)
    assert result.evaluated == 1 and np.isnan(result.spearman) and result.to_dict()["spearman"] is None


def test_ids_to_text_joins_characters_and_rejects_unknown_ids():
    from scratchnlp.evaluation import ids_to_text

    assert ids_to_text(np.array([3, 1, 3]), {1: "b", 3: "a"}) == "aba"
    with pytest.raises(ValueError, match="id 2 is not in the vocabulary"):
        ids_to_text([1, 2], {1: "b"})
