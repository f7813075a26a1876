"""Chapter 4's page helpers (_site.word2vec_why): the small-vocabulary corpus, the softmax CBOW trained like the
fast variant (its update is checked against chapter 3's gradients), the neighbour and pair scores, and every
branch of the decisions and their wording. Nothing here reads PTB."""

from __future__ import annotations

import math
import string
from pathlib import Path

import numpy as np
import pytest

from scratchnlp._site import word2vec_why as site
from scratchnlp.models import CBOW, SimpleCBOW
from scratchnlp.optim import SGD


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


# --- the small vocabulary -------------------------------------------------------------------------------------


def test_restrict_vocabulary_keeps_the_most_frequent_words_and_drops_the_other_tokens():
    id_to_word = {0: "a", 1: "b", 2: "c", 3: "d"}
    corpus = np.array([0, 1, 1, 2, 1, 3, 2, 0, 2])  # counts: a 2, b 3, c 3, d 1
    small, word_to_id, small_id_to_word = site.restrict_vocabulary(corpus, id_to_word, 2)
    assert small_id_to_word == {0: "b", 1: "c"}  # by count, ties in id order
    assert word_to_id == {"b": 0, "c": 1}
    assert small.tolist() == [0, 0, 1, 0, 1, 1]
    assert small.dtype == np.int32


@pytest.mark.parametrize(
    ("corpus", "size", "error", "message"),
    [
        (np.array([0, 1, 2]), 5, ValueError, "at most the vocabulary, 3 words"),
        (np.array([0, 1, 2]), 0, ValueError, "size must be an int >= 1"),
        (np.array([0, 1, 7]), 2, ValueError, r"ids in \[0, 3\)"),
        (np.array([0.0, 1.0]), 2, TypeError, "1-D integer NumPy array"),
        ([0, 1], 2, TypeError, "1-D integer NumPy array"),
    ],
)
def test_restrict_vocabulary_refuses_bad_input(corpus, size, error, message):
    with pytest.raises(error, match=message):
        site.restrict_vocabulary(corpus, {0: "a", 1: "b", 2: "c"}, size)


# --- the softmax CBOW, trained like the fast variant ----------------------------------------------------------


def test_one_softmax_batch_is_sgd_on_chapter_3s_gradient_with_word2vecs_input_update():
    """With every context slot in use, the batch adds -lr * N * dL/dW_out (the gradient of the mean loss, summed
    over the batch instead) and -lr * N * C * dL/dW_in (word2vec adds the full error to every context word)."""
    rng = np.random.default_rng(0)
    V, H, N, C, lr = 7, 4, 5, 4, 0.1
    model = SimpleCBOW(V, H, seed=1, dtype=np.float64)
    model.params[0][...] = rng.standard_normal((V, H))
    model.params[1][...] = rng.standard_normal((H, V))
    contexts = rng.integers(0, V, size=(N, C))
    target = rng.integers(0, V, size=N)
    loss = model.forward(contexts, target)
    model.backward()
    d_in, d_out = (g.copy() for g in model.grads)
    W_in, W_out = (p.copy() for p in model.params)
    batch_loss = site._softmax_cbow_batch(W_in, W_out, contexts, np.ones((N, C), dtype=bool), target, lr)
    assert batch_loss == pytest.approx(loss)
    np.testing.assert_allclose(W_out - model.params[1], -lr * N * d_out, atol=1e-12)
    np.testing.assert_allclose(W_in - model.params[0], -lr * N * C * d_in, atol=1e-12)


def _toy_corpus(n: int = 3000, seed: int = 0) -> np.ndarray:
    """Two 'topics' of 5 words each, alternating in blocks: a word's context is its own topic."""
    rng = np.random.default_rng(seed)
    blocks = [rng.integers(0, 5, size=20) + 5 * (b % 2) for b in range(n // 20)]
    return np.concatenate(blocks).astype(np.int32)


def test_train_softmax_cbow_learns_and_is_reproducible():
    corpus = _toy_corpus()
    runs = []
    for _ in range(2):
        model = SimpleCBOW(10, 8, seed=0)
        history = site.train_softmax_cbow(model, corpus, 2, epochs=3, batch_size=64, lr=0.1, seed=3)
        runs.append((model.word_vecs.copy(), history))
    (vecs, history), (vecs2, _) = runs
    np.testing.assert_array_equal(vecs, vecs2)
    assert history["epoch_loss"][-1] < history["epoch_loss"][0] < math.log(10) + 0.01
    assert history["iterations"] == 3 * math.ceil((corpus.size - 4) / 64)
    # words of one topic end up nearer each other than words of the other topic
    U = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    sims = U @ U.T
    same = np.add.outer(np.arange(10) // 5, np.arange(10) // 5) != 1
    off = ~np.eye(10, dtype=bool)
    assert sims[same & off].mean() > sims[~same].mean() + 0.2


def test_train_softmax_cbow_refuses_other_models_and_bad_settings():
    corpus = _toy_corpus(200)
    with pytest.raises(TypeError, match="must be a SimpleCBOW"):
        site.train_softmax_cbow(CBOW(10, 4, 2, corpus), corpus, 2)
    model = SimpleCBOW(10, 4)
    with pytest.raises(ValueError, match="need 0 <= min_lr <= lr"):
        site.train_softmax_cbow(model, corpus, 2, lr=0.01, min_lr=0.1)
    with pytest.raises(ValueError, match="more than 2 \\* window_size = 4 words"):
        site.train_softmax_cbow(model, corpus[:4], 2)
    with pytest.raises(ValueError, match=r"ids in \[0, 10\)"):
        site.train_softmax_cbow(model, corpus + 5, 2)
    with pytest.raises(ValueError, match="window_size must be an int >= 1"):
        site.train_softmax_cbow(model, corpus, 0)


def test_train_softmax_cbow_says_when_it_diverges():
    with pytest.raises(FloatingPointError, match="diverged .* lower lr"):
        site.train_softmax_cbow(SimpleCBOW(10, 4, seed=0), _toy_corpus(400), 2, lr=1e30, min_lr=1e30)


# --- neighbours and pairs ----------------------------------------------------------------------------------


def test_top_neighbours_ranks_by_cosine_and_never_returns_the_query():
    W = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.7, 0.7], [-1.0, 0.0]])
    got = site.top_neighbours(W, np.array([0, 2]), np.arange(5), k=2)
    assert got.tolist() == [[1, 3], [3, 1]]
    only = site.top_neighbours(W, np.array([0]), np.array([0, 2, 4]), k=1)
    assert only.tolist() == [[2]]


@pytest.mark.parametrize(
    ("queries", "candidates", "k", "message"),
    [
        (np.array([0]), np.array([1, 2]), 2, "more than k = 2 candidates"),
        (np.array([9]), np.arange(5), 1, r"queries must hold ids in \[0, 5\)"),
        (np.array([], dtype=int), np.arange(5), 1, "non-empty 1-D array"),
        (np.array([0]), np.arange(5), 0, "k must be an int >= 1"),
    ],
)
def test_top_neighbours_refuses_bad_input(queries, candidates, k, message):
    with pytest.raises(ValueError, match=message):
        site.top_neighbours(np.eye(5), queries, candidates, k)


def test_top_neighbours_wants_a_float_matrix():
    with pytest.raises(TypeError, match=r"\(V, D\) float array"):
        site.top_neighbours(np.ones((3, 2), dtype=int), np.array([0]), np.arange(3), 1)


def test_mean_jaccard():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    b = np.array([[3, 2, 1], [4, 7, 8]])
    assert site.mean_jaccard(a, b) == pytest.approx((1.0 + 1 / 5) / 2)
    with pytest.raises(ValueError, match="same shape"):
        site.mean_jaccard(a, b[:1])


def test_neighbour_stopword_share_counts_frequent_neighbours_of_ordinary_words():
    # words 0 and 1 are frequent; 2 and 3 are close to each other and nearer 0 than 1, 4 and 5 the other way
    W = np.array([[1.0, 0, 0], [0, 0, 1.0], [0.7, 0.7, 0], [0.6, 0.8, 0], [0, 0.6, 0.8], [0, 0.5, 0.85]])
    counts = np.array([100, 90, 30, 30, 30, 30])
    share = site.neighbour_stopword_share(W, counts, n_frequent=2, n_queries=4, k=1)
    assert share == pytest.approx(0.0)  # each ordinary word's nearest is another ordinary word
    share2 = site.neighbour_stopword_share(W, counts, n_frequent=2, n_queries=4, k=2)
    assert share2 == pytest.approx(4 / 8)  # the second neighbour of each is a frequent word
    only_two = site.neighbour_stopword_share(W, counts, n_frequent=2, n_queries=2, k=2)
    assert only_two == pytest.approx(2 / 4)  # words 2 and 3 only
    with pytest.raises(ValueError, match="n_frequent \\+ n_queries = 7 is more than the 6 words"):
        site.neighbour_stopword_share(W, counts, n_frequent=2, n_queries=5)
    with pytest.raises(ValueError, match="one entry per word"):
        site.neighbour_stopword_share(W, counts[:3])


def test_similarity_pairs_and_pair_cosines():
    word_to_id = {"a": 0, "b": 1, "c": 2}
    first, second, human = site.similarity_pairs([("a", "b", 3.0), ("a", "zz", 1.0), ("c", "b", 2.0)], word_to_id)
    assert first.tolist() == [0, 2] and second.tolist() == [1, 1] and human.tolist() == [3.0, 2.0]
    W = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    np.testing.assert_allclose(site.pair_cosines(W, first, second), [1 / math.sqrt(2), 1 / math.sqrt(2)])
    with pytest.raises(ValueError, match="only 1 of the 2 pairs"):
        site.similarity_pairs([("a", "b", 1.0), ("a", "zz", 1.0)], word_to_id)
    with pytest.raises(ValueError, match="same length"):
        site.pair_cosines(W, first, second[:1])


# --- claim 1: the power --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "higher", "outcome", "best"),
    [
        ({0.0: [0.1, 0.12], 0.75: [0.3, 0.31], 1.0: [0.2, 0.21]}, True, "best", 0.75),
        ({0.0: [0.1, 0.12], 0.75: [0.3, 0.31], 1.0: [0.29, 0.3]}, True, "level", 0.75),
        ({0.0: [0.1, 0.12], 0.75: [0.28, 0.31], 1.0: [0.3, 0.31]}, True, "level", 1.0),
        ({0.0: [0.1, 0.12], 0.75: [0.2, 0.21], 1.0: [0.3, 0.31]}, True, "behind", 1.0),
        ({0.0: [0.1, 0.11], 0.75: [0.02, 0.03], 1.0: [0.2, 0.2]}, False, "best", 0.75),
    ],
)
def test_power_verdict_every_outcome(values, higher, outcome, best):
    verdict = site.power_verdict("a metric", values, higher_is_better=higher)
    assert verdict.outcome == outcome
    assert verdict.best == best
    text = site.power_text(verdict)
    assert text.startswith("On a metric, the power")
    assert f"{verdict.means[0.75]:.3f}" in text and f"{verdict.spread:.3f}" in text


def test_power_verdict_with_one_seed_has_no_spread():
    verdict = site.power_verdict("m", {0.5: [0.2], 0.75: [0.21]})
    assert verdict.spread == 0.0 and verdict.outcome == "best" and verdict.runner_up == 0.5
    assert "(21.0%)" in site.power_text(verdict, ".1%")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({0.5: [0.2], 1.0: [0.3]}, "the reference 0.75 among them"),
        ({0.75: [0.2]}, "at least two powers"),
        ({0.5: [0.2], 0.75: []}, "power 0.75 needs one or more finite values"),
        ({0.5: [float("nan")], 0.75: [0.1]}, "power 0.5 needs"),
    ],
)
def test_power_verdict_refuses_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        site.power_verdict("m", values)


def test_first_divergence_reports_the_update_that_failed():
    corpus = _toy_corpus(2000)
    assert site.first_divergence(CBOW(10, 4, 2, corpus, seed=0), corpus, epochs=1, batch_size=64, lr=0.05,
                                 progress=False) is None
    failed = site.first_divergence(CBOW(10, 4, 2, corpus, seed=0), corpus, epochs=1, batch_size=64, lr=1e30,
                                   min_lr=1e30, progress=False)
    assert isinstance(failed, int) and failed >= 1


def test_divergence_text_both_branches():
    text = site.divergence_text(99, batch_size=1024, power=1.0, updates=900, word="the", draws=279.6,
                                ref_draws=90.4)
    assert text.startswith("A first try with the batches of 1,024 targets used above shows why: with power 1 the run "
                           "stopped at update 99 with a non-finite loss.")
    assert 'a batch draws "the" about 280 times as a negative (at power 0.75, about 90 times)' in text
    assert "ran its 900 updates with power 1 without diverging" in site.divergence_text(
        None, batch_size=1024, power=1.0, updates=900)


# --- claim 2: agreement with the softmax ---------------------------------------------------------------------


def test_similarity_agreement():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((20, 5))
    Q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    assert site.similarity_agreement(W, W @ Q, np.arange(10)) == pytest.approx(1.0)  # a rotation keeps cosines
    assert abs(site.similarity_agreement(W, rng.standard_normal((20, 5)), np.arange(20))) < 0.2
    with pytest.raises(ValueError, match="at least 3 words"):
        site.similarity_agreement(W, W, np.arange(2))
    with pytest.raises(ValueError, match="same vocabulary"):
        site.similarity_agreement(W, W[:5], np.arange(3))


def test_agreement_text_when_negative_sampling_reaches_a_second_softmax_model():
    full = site.agreement_verdict({1: 0.2, 5: 0.3, 20: 0.45}, ceiling=0.42, floor=0.0)
    assert full.fraction > 1
    assert site.agreement_text(full).endswith("with k = 20 the neighbours agree with the softmax models' as well as "
                                              "two softmax models agree with each other.")
    mixed = site.agreement_verdict({1: 0.2, 5: 0.5, 20: 0.45}, ceiling=0.42, floor=0.0)
    assert site.agreement_text(mixed).startswith("The overlap does not grow steadily with the number of negatives, "
                                                 "but with k = 5")


def test_agreement_verdict_rising_and_mixed():
    rising = site.agreement_verdict({20: 0.4, 1: 0.2, 5: 0.3}, ceiling=0.5, floor=0.0)
    assert rising.rises and rising.best_k == 20 and rising.fraction == pytest.approx(0.8)
    assert list(rising.overlap) == [1, 5, 20]
    assert site.agreement_text(rising).startswith("The overlap grows with the number of negatives, and with k = 20")
    assert "80%" in site.agreement_text(rising)
    mixed = site.agreement_verdict({1: 0.2, 5: 0.35, 20: 0.3}, ceiling=0.6, floor=0.1)
    assert not mixed.rises and mixed.best_k == 5 and mixed.fraction == pytest.approx(0.5)
    assert site.agreement_text(mixed).startswith("The overlap does not grow steadily")


@pytest.mark.parametrize(
    ("overlap", "ceiling", "floor", "message"),
    [({1: 0.2}, 0.5, 0.0, "at least two values of k"), ({1: 0.2, 5: 0.3}, 0.1, 0.2, "ceiling > floor")],
)
def test_agreement_verdict_refuses_bad_input(overlap, ceiling, floor, message):
    with pytest.raises(ValueError, match=message):
        site.agreement_verdict(overlap, ceiling, floor)


# --- claim 3: rare words -------------------------------------------------------------------------------------


def test_frequency_buckets_split_by_the_rarer_words_count():
    bucket, ranges = site.frequency_buckets(np.array([50, 3, 7, 400, 20, 1]), 3)
    assert bucket.tolist() == [2, 0, 1, 2, 1, 0]
    assert ranges == [(1, 3), (7, 20), (50, 400)]
    with pytest.raises(ValueError, match="at least n_buckets = 3"):
        site.frequency_buckets(np.array([1, 2]), 3)


def _pairs(n_per_cell: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 4 * n_per_cell
    human = rng.uniform(0, 10, size=n)
    group = np.repeat(["ws", "sl"], n // 2)
    bucket = np.tile(np.repeat([0, 1], n_per_cell), 2)
    return human, group, bucket, rng


def test_bucket_spearman_scores_each_bucket_within_each_set():
    human, group, bucket, rng = _pairs()
    cosine = np.where(bucket == 1, human, rng.uniform(size=human.size))  # perfect in bucket 1 only
    rhos = site.bucket_spearman(cosine, human, group, bucket)
    assert rhos[1] == pytest.approx(1.0)
    assert abs(rhos[0]) < 0.3
    # scores on different scales in the two sets do not mix: shifting one set changes nothing
    shifted = np.where(group == "sl", cosine + 100, cosine)
    np.testing.assert_allclose(site.bucket_spearman(shifted, human, group, bucket), rhos)
    with pytest.raises(ValueError, match="1-D of one length"):
        site.bucket_spearman(cosine[:-1], human, group, bucket)


def test_paired_bootstrap_interval_excludes_zero_only_where_one_model_is_better():
    human, group, bucket, rng = _pairs(60)
    noise = rng.normal(size=human.size)
    a = human + 8 * noise  # weak everywhere
    b = np.where(bucket == 0, human + 0.5 * noise, a)  # much better in bucket 0, the same in bucket 1
    intervals = site.paired_bootstrap(a, b, human, group, bucket, n_boot=200, seed=0)
    assert intervals.shape == (2, 2)
    assert intervals[0, 0] > 0
    assert intervals[1, 0] == pytest.approx(0.0) and intervals[1, 1] == pytest.approx(0.0)
    again = site.paired_bootstrap(a, b, human, group, bucket, n_boot=200, seed=0)
    np.testing.assert_array_equal(intervals, again)
    with pytest.raises(ValueError, match="one shape"):
        site.paired_bootstrap(a, b[:-1], human, group, bucket)


@pytest.mark.parametrize(
    ("diff", "interval", "outcome", "start"),
    [
        (0.1, (0.02, 0.2), "skipgram", "In the bucket of the rarest words, skip-gram is ahead of CBOW by 0.100"),
        (-0.1, (-0.2, -0.01), "cbow", "In the bucket of the rarest words, CBOW is ahead of skip-gram by 0.100"),
        (0.1, (-0.05, 0.2), "none", "In the bucket of the rarest words, skip-gram minus CBOW is 0.100"),
    ],
)
def test_rare_word_verdict_every_outcome(diff, interval, outcome, start):
    verdict = site.rare_word_verdict([0.2, 0.3], [0.2 + diff, 0.35], [interval, (0.0, 0.1)])
    assert verdict.outcome == outcome
    assert verdict.diff == pytest.approx(diff)
    assert verdict.frequent_diff == pytest.approx(0.05)
    assert site.rare_word_text(verdict).startswith(start)


def test_rare_word_text_for_cbow_states_positive_numbers():
    verdict = site.rare_word_verdict([0.3, 0.3], [0.2, 0.3], [(-0.2, -0.05), (0.0, 0.0)])
    assert site.rare_word_text(verdict) == (
        "In the bucket of the rarest words, CBOW is ahead of skip-gram by 0.100 (95% bootstrap interval 0.050 to "
        "0.200): on this budget the book's claim does not hold."
    )


def test_rare_word_verdict_refuses_bad_shapes():
    with pytest.raises(ValueError, match="at least 2 buckets"):
        site.rare_word_verdict([0.2], [0.3], [(0.0, 0.1)])
    with pytest.raises(ValueError, match="finite"):
        site.rare_word_verdict([0.2, float("nan")], [0.3, 0.3], [(0.0, 0.1), (0.0, 0.1)])


# --- the dynamic window ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "outcome", "start"),
    [
        ([0.30, 0.31], "raises", "Without the dynamic window, WordSim-353 rises from 0.205 to 0.305"),
        ([0.10, 0.11], "lowers", "Without the dynamic window, WordSim-353 falls from 0.205 to 0.105"),
        ([0.21, 0.22], "none", "Without the dynamic window, WordSim-353 goes from 0.205 to 0.215, within"),
    ],
)
def test_window_verdict_every_outcome(full, outcome, start):
    verdict = site.window_verdict([0.2, 0.21], full, [0.1, 0.1], [0.05, 0.05])
    assert verdict.outcome == outcome
    assert verdict.spread == pytest.approx(0.01)
    assert site.window_text(verdict).startswith(start)


def test_window_verdict_refuses_missing_scores():
    with pytest.raises(ValueError, match="one or more finite scores"):
        site.window_verdict([], [0.1], [0.1], [0.1])


def _evaluation(ws: float, sl: float) -> dict:
    return {"evaluation": {"wordsim353": {"spearman": ws}, "simlex999": {"spearman": sl}}}


def test_committed_gaps_and_their_sentences():
    committed = {"cbow-ptb": _evaluation(0.296, 0.096), "cbow-ptb-fast": _evaluation(0.195, 0.110),
                 "skipgram-ptb": _evaluation(0.30, 0.09), "skipgram-ptb-fast": _evaluation(0.31, 0.14)}
    gaps = site.committed_gaps(committed)
    assert [(g.model, g.outcome) for g in gaps] == [("cbow", "differs"), ("skipgram", "level")]
    text = site.committed_gap_text(gaps)
    assert text.startswith("The analogy scores hide a difference in word similarity: from the book's training to "
                           "the fast variant, CBOW's WordSim-353 score goes from 0.296 to 0.195, and its SimLex-999 "
                           "score from 0.096 to 0.110.")
    assert "Skip-gram's WordSim-353 score hardly moves between its two committed runs, from 0.300 to 0.310" in text
    committed["skipgram-ptb-fast"] = _evaluation(0.20, 0.14)
    committed["cbow-ptb-fast"] = _evaluation(0.30, 0.10)
    text = site.committed_gap_text(site.committed_gaps(committed))
    assert text.startswith("Word similarity agrees too")
    assert "Skip-gram's scores change too between its two committed runs: from 0.300 to 0.200" in text
    assert site.committed_gaps({"cbow-ptb": committed["cbow-ptb"]}) == []
    assert site.committed_gap_text([]) == ""


# --- the tense direction -----------------------------------------------------------------------------------


def test_mean_pairwise_cosine_of_cyclic_differences_is_forced_negative():
    """The statistic the page no longer uses as a baseline: differences taken in a cycle sum to zero, so for
    orthonormal vectors their mean pairwise cosine is exactly -1/(n - 1)."""
    n = 6
    E = np.eye(n)
    assert site.mean_pairwise_cosine(np.roll(E, -1, axis=0) - E) == pytest.approx(-1 / (n - 1))
    with pytest.raises(ValueError, match="n >= 2"):
        site.mean_pairwise_cosine(np.ones((1, 3)))


def _direction_world(shared: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    V, D = 200, 20
    W = rng.standard_normal((V, D))
    counts = np.arange(V, 0, -1) * 10  # word i is the (i+1)-th most frequent
    pairs = [(20 + 2 * i, 21 + 2 * i) for i in range(8)]
    if shared:
        direction = np.zeros(D)
        direction[0] = 6.0
        for a, b in pairs:
            W[b] = W[a] + direction + 0.3 * rng.standard_normal(D)
    return W, pairs, counts


def test_direction_baseline_finds_a_shared_direction_and_its_absence():
    W, pairs, counts = _direction_world(shared=True)
    shared = site.direction_baseline(W, pairs, counts, n_draws=100, seed=0)
    assert shared.outcome == "shared" and shared.share_above == 0.0
    assert shared.observed > shared.baseline_q95 > shared.baseline_mean
    assert site.direction_text(shared) == ("The tense differences share a direction beyond what frequency explains: "
                                           "none of the 100 frequency-matched draws is as aligned.")
    W, pairs, counts = _direction_world(shared=False)
    random = site.direction_baseline(W, pairs, counts, n_draws=100, seed=0)
    assert random.outcome == "not_shared" and random.share_above >= 0.05
    n_above = round(100 * random.share_above)
    assert site.direction_text(random).startswith("The tense differences are no more aligned than pairs")
    assert f": {n_above} of the 100 draws are at least as aligned" in site.direction_text(random)


def test_direction_text_when_a_few_draws_are_as_aligned():
    few = site.DirectionBaseline(0.4, 0.1, 0.3, 0.03, 200, "shared")
    assert site.direction_text(few).endswith("only 6 of the 200 frequency-matched draws are as aligned.")


def test_direction_baseline_refuses_bad_input():
    W, pairs, counts = _direction_world(shared=False)
    with pytest.raises(ValueError, match="at least 2"):
        site.direction_baseline(W, pairs[:1], counts)
    with pytest.raises(ValueError, match="one entry per word"):
        site.direction_baseline(W, pairs, counts[:5])
    with pytest.raises(ValueError, match="n_draws must be an int >= 20"):
        site.direction_baseline(W, pairs, counts, n_draws=5)


# --- analogy sections ----------------------------------------------------------------------------------------


def _sections(family_accuracy: float):
    questions = [
        ("capital-world", [("athens", "greece", "paris", "france"), ("oslo", "norway", "rome", "italy")]),
        ("family", [("he", "she", "his", "her"), ("boy", "girl", "king", "queen")]),
        ("gram1", [("cheap", "cheaper", "big", "bigger"), ("fast", "faster", "old", "older")]),
    ]
    scores = [
        {"name": "capital-world", "total": 4, "evaluated": 1, "accuracy": 0.0},
        {"name": "family", "total": 2, "evaluated": 1, "accuracy": family_accuracy},
        {"name": "gram1", "total": 2, "evaluated": 2, "accuracy": 0.2},
    ]
    counts = {"paris": 50, "france": 40, "athens": 2, "greece": 3, "he": 900, "she": 300, "his": 800, "her": 200,
              "cheap": 20, "cheaper": 10, "big": 100, "bigger": 15, "fast": 30, "faster": 5, "old": 200, "older": 10}
    return questions, scores, counts


def test_section_coverage_and_every_family_sentence():
    questions, scores, counts = _sections(0.5)
    cov, overall = site.section_coverage(questions, scores, counts, min_questions=1)
    assert cov["family"].best and not cov["gram1"].best
    assert cov["family"].median_count == 550.0
    assert overall == pytest.approx(float(np.median([2, 3, 50, 40, 900, 300, 800, 200, 20, 10, 100, 15, 30, 5,
                                                     200, 10])))
    text = site.coverage_text(cov, overall)
    assert text.startswith('Capital cities are mostly missing from its vocabulary: 1 of the 4 "capital-world"')
    assert text.endswith("and the words of those occur more often in PTB than the words of all askable questions do "
                         "(a median of 550 occurrences against 35).")
    cov, overall = site.section_coverage(*_sections(0.1), min_questions=1)
    assert not cov["family"].best and cov["gram1"].best
    assert "about as often" in site.coverage_text(cov, 500.0)
    assert "although the words of those occur less often" in site.coverage_text(cov, 5000.0)


def test_coverage_text_when_capitals_can_be_asked():
    questions, scores, counts = _sections(0.5)
    scores[0]["evaluated"] = 2
    cov, overall = site.section_coverage(questions, scores, counts, min_questions=1)
    assert site.coverage_text(cov, overall).startswith('Most capital-city questions can be asked: 2 of the 4 '
                                                       '"capital-world" questions.')


def test_section_coverage_refuses_mismatched_sections():
    questions, scores, counts = _sections(0.5)
    with pytest.raises(ValueError, match="questions has 3 sections, scores 2"):
        site.section_coverage(questions, scores[:2], counts)
    with pytest.raises(ValueError, match="disagree on the section order"):
        site.section_coverage(questions, scores[::-1], counts)
    with pytest.raises(ValueError, match="no question of any section"):
        site.section_coverage(questions, scores, {})


# --- the cost exponent ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("power", "outcome", "start"),
    [(1.3, "super", "Over the larger sizes the time grows faster than the work"),
     (1.0, "linear", "Over the larger sizes the time grows as the work does"),
     (0.7, "sub", "Over the larger sizes the time grows more slowly than the work")],
)
def test_exponent_reading_every_outcome(power, outcome, start):
    sizes = [1_000, 3_000, 10_000, 30_000, 100_000]
    times = [1e-3 * (v / 1_000) ** power for v in sizes]
    work = [3 * 100 * 100 * v for v in sizes]
    reading = site.exponent_reading(sizes, times, work)
    assert reading.outcome == outcome
    assert reading.p_all == pytest.approx(power) and reading.p_large == pytest.approx(power)
    assert reading.p_sizes == pytest.approx(power)
    assert reading.local == pytest.approx((power,) * 4)
    assert (reading.v_lo, reading.v_hi) == (10_000, 100_000)
    assert reading.rate_lo == pytest.approx(work[2] / (times[2] * 1e9))
    assert site.exponent_text(reading).startswith(start)


def test_exponent_reading_with_a_fixed_cost_reads_lower_at_small_sizes():
    sizes = [1_000, 3_000, 10_000, 30_000, 100_000]
    times = [5e-3 + 1e-6 * v for v in sizes]  # a fixed cost, then linear
    reading = site.exponent_reading(sizes, times, [float(v) for v in sizes])
    assert reading.local[0] < reading.local[-1] < 1.0
    assert reading.p_all < reading.p_large


@pytest.mark.parametrize(
    ("sizes", "times", "kwargs", "message"),
    [
        ([1, 2], [1.0, 2.0], {}, "length >= 3"),
        ([3, 2, 1], [1.0, 2.0, 3.0], {}, "sizes must increase"),
        ([1_000, 2_000, 10_000], [1.0, 2.0, 3.0], {}, "at least 2 sizes >= large_from"),
        ([1_000, 10_000, 20_000], [1.0, 2.0, 3.0], {}, "must all be among the sizes"),
    ],
)
def test_exponent_reading_refuses_bad_input(sizes, times, kwargs, message):
    with pytest.raises(ValueError, match=message):
        site.exponent_reading(sizes, times, [1.0] * len(sizes), **kwargs)


# --- the page's other helpers --------------------------------------------------------------------------------


def test_principal_components_of_two_groups():
    W = np.array([[1.0, 0.1, 0.0], [1.0, -0.1, 0.0], [0.0, 0.1, 1.0], [0.0, -0.1, 1.0]])
    words = ["a", "b", "c", "d"]
    xy, unit, S = site.principal_components(W, {w: i for i, w in enumerate(words)}, words)
    assert xy.shape == (4, 2) and unit.shape == (4, 3)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0)
    assert np.sign(xy[0, 0]) == np.sign(xy[1, 0]) != np.sign(xy[2, 0])  # the first component separates the groups
    assert S[0] >= S[1]
    with pytest.raises(ValueError, match="missing: \\['zz'\\]"):
        site.principal_components(W, {w: i for i, w in enumerate(words)}, ["a", "zz"])


def test_step_time_runs_the_step_and_updates_with_an_optimizer():
    corpus = _toy_corpus(200)
    model = CBOW(10, 4, 2, corpus, seed=0)
    before = model.params[0].copy()
    contexts = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
    seconds = site.step_time(model, contexts, np.array([1, 2]), repeat=2)
    assert seconds > 0
    np.testing.assert_array_equal(model.params[0], before)
    site.step_time(model, contexts, np.array([1, 2]), optimizer=SGD(0.1), repeat=1)
    assert not np.array_equal(model.params[0], before)


def test_runs_table_row_formats_the_summary():
    results = {"experiment": "not-registered", "config": {"epochs": 3}, "wall_time": {"train_s": 12.5},
               "machine": {"device": "cpu", "cpu_count": 2}}
    row = site.runs_table_row("`x`", results, {"epochs": "{:d}", "training time (s)": "{:,.1f}", "loss": "{:.3f}"})
    assert row == ["`x`", "3", "12.5", "–", "CPU × 2"]


# --- wording -------------------------------------------------------------------------------------------------


def test_every_template_is_used_and_the_page_language_picks_the_templates(monkeypatch):
    source = Path(site.__file__).read_text(encoding="utf-8")
    for key in site.TEMPLATES["en"]:  # every key is named in the code, whole or as the prefix of an f-string
        assert f'"{key}"' in source or f'f"{key.split("_")[0]}_' in source, key
    fields = {name for t in site.TEMPLATES["en"].values() for _, name, _, _ in string.Formatter().parse(t) if name}
    assert "n_above" in fields and "metric" in fields
    verdict = site.window_verdict([0.2], [0.3], [0.1], [0.1])
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert site.window_text(verdict).startswith("동적 윈도우를 끄면")
    assert site.window_text(verdict, lang="en").startswith("Without the dynamic window")
    with pytest.raises(ValueError, match="no wording 'window_raises' for language 'fr'"):
        site.window_text(verdict, lang="fr")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_korean_templates_have_every_key_with_the_same_placeholders():
    assert set(site.TEMPLATES["ko"]) == set(site.TEMPLATES["en"])
    for key, english in site.TEMPLATES["en"].items():
        assert _fields(site.TEMPLATES["ko"][key]) == _fields(english), key
        assert not any(end in site.TEMPLATES["ko"][key] for end in ("습니다", "니다.", "세요")), key


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_every_sentence_branch_in_korean():
    texts = []
    for values, higher in [({0.0: [0.1, 0.12], 0.75: [0.3, 0.31], 1.0: [0.2, 0.21]}, True),
                           ({0.0: [0.1, 0.12], 0.75: [0.3, 0.31], 1.0: [0.29, 0.3]}, True),
                           ({0.0: [0.1, 0.12], 0.75: [0.2, 0.21], 1.0: [0.3, 0.31]}, True),
                           ({0.0: [0.1, 0.11], 0.75: [0.02, 0.03], 1.0: [0.2, 0.2]}, False)]:
        texts.append(site.power_text(site.power_verdict("유추", values, higher_is_better=higher), lang="ko"))
    assert texts[0].startswith("유추에서는 지수 0.75의 점수가 가장 좋고(0.305)")
    assert "대등하다" in texts[1] and "뒤진다" in texts[2]
    diverged = site.divergence_text(99, batch_size=1024, power=1.0, updates=900, word="the", draws=279.6,
                                    ref_draws=90.4, lang="ko")
    assert "99번째 갱신" in diverged and '"the" 한 단어만 해도' in diverged and "약 280번" in diverged
    assert "갱신 900번을 모두 마쳤다" in site.divergence_text(None, batch_size=1024, power=1.0, updates=900,
                                                            lang="ko")
    for overlap, ceiling in [({1: 0.1, 5: 0.2, 20: 0.3}, 0.5), ({1: 0.1, 5: 0.2, 20: 0.3}, 0.3),
                             ({1: 0.2, 5: 0.1, 20: 0.15}, 0.5), ({1: 0.2, 5: 0.1, 20: 0.15}, 0.2)]:
        texts.append(site.agreement_text(site.agreement_verdict(overlap, ceiling, 0.0), lang="ko"))
    assert "60%에 이른다" in texts[-4] and "서로 일치하는 만큼" in texts[-3]
    assert texts[-2].startswith("겹침은") and "40%" in texts[-2] and "서로 일치하는 만큼" in texts[-1]
    for diff, interval in [(0.1, (0.02, 0.2)), (-0.1, (-0.2, -0.01)), (0.1, (-0.05, 0.2))]:
        verdict = site.rare_word_verdict([0.2, 0.3], [0.2 + diff, 0.35], [interval, (0.0, 0.1)])
        texts.append(site.rare_word_text(verdict, lang="ko"))
    assert "skip-gram이 CBOW보다 0.100 앞선다" in texts[-3]
    assert "CBOW가 skip-gram보다 0.100 앞선다(95% 부트스트랩 구간: 0.010에서 0.200까지)" in texts[-2]
    assert "0을 포함한다" in texts[-1]
    for full in ([0.30, 0.31], [0.10, 0.11], [0.21, 0.22]):
        texts.append(site.window_text(site.window_verdict([0.2, 0.21], full, [0.1, 0.1], [0.05, 0.05]), lang="ko"))
    assert "0.205에서 0.305까지 올라" in texts[-3] and "0.205에서 0.105까지 떨어져" in texts[-2]
    assert "(0.205 → 0.215)" in texts[-1]
    for baseline in (site.DirectionBaseline(0.4, 0.1, 0.3, 0.0, 200, "shared"),
                     site.DirectionBaseline(0.4, 0.1, 0.3, 0.03, 200, "shared"),
                     site.DirectionBaseline(0.1, 0.1, 0.3, 0.4, 200, "not_shared")):
        texts.append(site.direction_text(baseline, lang="ko"))
    assert "하나도 없다" in texts[-3] and "6번뿐이다" in texts[-2] and "80번이" in texts[-1]
    questions, scores, counts = _sections(0.5)
    cov, overall = site.section_coverage(questions, scores, counts, min_questions=1)
    texts.append(site.coverage_text(cov, overall, lang="ko"))
    assert texts[-1].startswith('PTB의 어휘에는 수도 이름이 대부분 없다. "capital-world" 문제 4개 가운데 물을 수 '
                                "있는 것은 1개다.")
    assert "더 자주 나온다(출현 횟수의 중앙값 550 대 35)" in texts[-1]
    assert "비슷한 빈도로" in site.coverage_text(cov, 500.0, lang="ko")
    assert "덜 나온다" in site.coverage_text(cov, 5000.0, lang="ko")
    scores[0]["evaluated"] = 3
    cov, overall = site.section_coverage(questions, scores, counts, min_questions=1)
    assert site.coverage_text(cov, overall, lang="ko").startswith("수도 문제는 대부분 물을 수 있다")
    sizes, work = [1_000, 10_000, 100_000], [1e6, 1e7, 1e8]
    for times, word in [([1e-3, 1e-2, 2e-1], "떨어졌다"), ([1e-3, 1e-2, 1e-1], "거의 그대로였다"),
                        ([1e-2, 2e-2, 1e-1], "올랐다")]:
        reading = site.exponent_reading(sizes, times, work, fit_sizes=sizes)
        texts.append(site.exponent_text(reading, lang="ko"))
        assert word in texts[-1] and "단어 10,000개일 때" in texts[-1]
    committed = {"cbow-ptb": _evaluation(0.296, 0.096), "cbow-ptb-fast": _evaluation(0.195, 0.110),
                 "skipgram-ptb": _evaluation(0.30, 0.09), "skipgram-ptb-fast": _evaluation(0.31, 0.14)}
    text = site.committed_gap_text(site.committed_gaps(committed), lang="ko")
    assert "CBOW의 점수가 달라진다(WordSim-353: 0.296 → 0.195, SimLex-999: 0.096 → 0.110)" in text
    assert "거의 움직이지 않는다(WordSim-353: 0.300 → 0.310" in text
    committed["skipgram-ptb-fast"] = _evaluation(0.20, 0.14)
    committed["cbow-ptb-fast"] = _evaluation(0.30, 0.10)
    text = site.committed_gap_text(site.committed_gaps(committed), lang="ko")
    assert text.startswith("단어 유사도도 일치한다") and "skip-gram의 점수도" in text
    texts.append(text)
    assert all(_hangul(t) and "{" not in t for t in texts)
