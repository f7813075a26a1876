"""Chapter 4: measurements behind word2vec's choices, and the helpers the chapter's page needs.

The page measures, on the Penn Treebank, why word2vec is built the way it is:

- the power of the negative sampler (section 4.2.6): :func:`neighbour_stopword_share` scores how many of the
  nearest neighbours of ordinary words are function words, and :func:`power_verdict` says whether the
  book's 0.75 scores best, level with the best within the spread of the seeds, or behind it;
- negative sampling against the softmax (section 4.2.5): :func:`restrict_vocabulary` keeps a small vocabulary so
  that a full softmax is affordable, :func:`train_softmax_cbow` trains chapter 3's softmax CBOW with the same
  loop as :func:`scratchnlp.word2vec_fast.train_fast`, and :func:`top_neighbours` / :func:`mean_jaccard` /
  :func:`agreement_verdict` compare their nearest neighbours;
- skip-gram against CBOW for rare words (section 4.3): :func:`frequency_buckets` splits word pairs by the count
  of their rarer word, :func:`bucket_spearman` scores each bucket, :func:`paired_bootstrap` gives the spread of
  the difference, and :func:`rare_word_verdict` says which model the rarest bucket favours;
- the fast variant against the book's training (the page's "beyond the book" section): :func:`window_verdict`;
- smaller checks: :func:`direction_baseline` (do tense offsets share a direction beyond frequency-matched
  random pairs?), :func:`section_coverage` (which analogy sections can be asked on PTB), and
  :func:`exponent_reading` (what the fitted cost exponent of the softmax step says).

Decisions are language-neutral dataclasses; the sentences come from :data:`TEMPLATES` through the ``*_text``
functions, so that another language only adds templates.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator
from ..evaluation import spearman
from ..text import normalize
from ..word2vec_fast import _window_mask
from .wording import say

__all__ = [
    "TEMPLATES",
    "restrict_vocabulary",
    "train_softmax_cbow",
    "neighbour_stopword_share",
    "top_neighbours",
    "mean_jaccard",
    "similarity_agreement",
    "similarity_pairs",
    "pair_cosines",
    "PowerVerdict",
    "power_verdict",
    "power_text",
    "first_divergence",
    "divergence_text",
    "AgreementVerdict",
    "agreement_verdict",
    "agreement_text",
    "frequency_buckets",
    "bucket_spearman",
    "paired_bootstrap",
    "RareWordVerdict",
    "rare_word_verdict",
    "rare_word_text",
    "WindowVerdict",
    "window_verdict",
    "window_text",
    "DirectionBaseline",
    "direction_baseline",
    "direction_text",
    "mean_pairwise_cosine",
    "SectionCoverage",
    "section_coverage",
    "coverage_text",
    "ExponentReading",
    "exponent_reading",
    "exponent_text",
    "CommittedGap",
    "committed_gaps",
    "committed_gap_text",
    "principal_components",
    "step_time",
    "runs_table_row",
]


# --------------------------------------------------------------------------------------------------------
# Training: a small vocabulary, and chapter 3's softmax CBOW trained like the fast variant
# --------------------------------------------------------------------------------------------------------


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_corpus(corpus: Any, vocab_size: int | None = None) -> np.ndarray:
    if not isinstance(corpus, np.ndarray) or corpus.ndim != 1 or corpus.dtype.kind not in "iu":
        raise TypeError(f"corpus must be a 1-D integer NumPy array of word ids, got {type(corpus).__name__} "
                        f"{getattr(corpus, 'shape', '')} {getattr(corpus, 'dtype', '')}".rstrip())
    if corpus.size and (int(corpus.min()) < 0 or (vocab_size is not None and int(corpus.max()) >= vocab_size)):
        raise ValueError(f"corpus must hold ids in [0, {vocab_size}), got ids from {int(corpus.min())} to "
                         f"{int(corpus.max())}")
    return corpus


def restrict_vocabulary(
    corpus: np.ndarray, id_to_word: Mapping[int, str], size: int
) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Keep the ``size`` most frequent words of a corpus and drop every other token (section 4.2.5's experiment).

    Words outside the vocabulary are removed before the windows are taken, as word2vec's ``min_count`` removes
    rare words, so that the context of a kept word is its nearest kept words. The new ids are frequency ranks
    (0 is the most frequent word; ties keep the order of the old ids).

    Parameters
    ----------
    corpus : (N,) integer array
        Word ids in ``[0, len(id_to_word))``.
    id_to_word : dict of int to str
    size : int
        How many words to keep, at least 1 and at most the vocabulary.

    Returns
    -------
    corpus : (M,) int32 array, M <= N
        The kept tokens, in their order, with their new ids.
    word_to_id, id_to_word : dicts of the kept words
    """
    vocab = len(id_to_word)
    corpus = _check_corpus(corpus, vocab)
    size = _check_int(size, "size", 1)
    if size > vocab:
        raise ValueError(f"size must be at most the vocabulary, {vocab:,} words, got {size:,}")
    counts = np.bincount(corpus, minlength=vocab)
    kept = np.argsort(-counts, kind="stable")[:size]
    new_id = np.full(vocab, -1, dtype=np.int64)
    new_id[kept] = np.arange(size)
    mapped = new_id[corpus]
    small_id_to_word = {i: id_to_word[int(old)] for i, old in enumerate(kept)}
    return (mapped[mapped >= 0].astype(np.int32), {w: i for i, w in small_id_to_word.items()}, small_id_to_word)


def _softmax_cbow_batch(W_in: Any, W_out: Any, contexts: np.ndarray, mask: np.ndarray, target: np.ndarray,
                        lr: float) -> float:
    """One batch of SGD for the softmax CBOW: returns the mean cross-entropy before the update.

    ``W_in`` (V, H), ``W_out`` (H, V) (chapter 3's layout), contexts and mask (N, 2w), target (N,). A loss or
    error that is not finite raises ``FloatingPointError`` before any weight changes.
    """
    weights = (mask / mask.sum(axis=1, keepdims=True)).astype(W_in.dtype)  # (N, 2w)
    rows, slots = np.nonzero(mask)
    n = target.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged model is reported below, not warned about
        h = np.matmul(weights[:, None, :], W_in[contexts])[:, 0, :]  # (N, H): mean of the context vectors in use
        # the products go through einsum, not BLAS: for these sizes one thread is enough, and a multi-threaded
        # BLAS on a machine busy with other work can be many times slower than one thread
        score = np.einsum("nh,hv->nv", h, W_out)  # (N, V)
        score -= score.max(axis=1, keepdims=True)
        np.exp(score, out=score)
        score /= score.sum(axis=1, keepdims=True)  # now the probabilities p
        loss = float(-np.log(np.maximum(score[np.arange(n), target], 1e-30)).mean())
        g = -score  # (N, V): label - p, times the learning rate, as the fast variant's negative sampling does
        g[np.arange(n), target] += 1.0
        g *= W_in.dtype.type(lr)
        neu1e = np.einsum("nv,hv->nh", g, W_out)  # (N, H), from the weights before the update
        d_out = np.einsum("nh,nv->hv", h, g)
    if not (math.isfinite(loss) and np.isfinite(neu1e).all() and np.isfinite(d_out).all()):
        raise FloatingPointError(f"loss {loss}")
    W_out += d_out
    backend.scatter_add(W_in, contexts[rows, slots], neu1e[rows])  # the full error to every context word
    return loss


def train_softmax_cbow(
    model: Any,
    corpus: np.ndarray,
    window_size: int,
    *,
    epochs: int = 5,
    batch_size: int = 1024,
    lr: float = 0.025,
    min_lr: float = 0.0001,
    dynamic_window: bool = True,
    seed: Seed = 0,
) -> dict[str, Any]:
    """Train chapter 3's softmax CBOW with the loop of :func:`scratchnlp.word2vec_fast.train_fast` (section 4.2).

    Everything but the output layer is the fast variant's: the same order of targets and the same window sizes
    for the same ``seed`` (the random numbers are drawn in the same order), SGD with a learning rate falling
    linearly from ``lr`` to ``min_lr``, the full error of the mean context vector added to every context word.
    The output is a softmax over all ``V`` words instead of ``1 + k`` yes-or-no questions, so every step
    updates all of ``W_out``; this is affordable on a small vocabulary only (see :func:`restrict_vocabulary`).

    Parameters
    ----------
    model : :class:`scratchnlp.models.SimpleCBOW`
        Its ``W_in`` (V, H) and ``W_out`` (H, V), NumPy arrays, are updated in place.
    corpus : (N,) integer array of ids in ``[0, V)``
    window_size : int
        w, the context words on each side; every position with w words on both sides is a target.
    epochs, batch_size, lr, min_lr, dynamic_window, seed
        As in :func:`~scratchnlp.word2vec_fast.train_fast`.

    Returns
    -------
    dict
        ``epoch_loss`` (the mean cross-entropy of each epoch), ``iterations`` and ``wall_time`` (seconds).
    """
    from ..models import SimpleCBOW  # noqa: PLC0415 - the models only when training

    if not isinstance(model, SimpleCBOW):
        raise TypeError(f"model must be a SimpleCBOW, got {type(model).__name__}")
    W_in, W_out = model.params
    if not (isinstance(W_in, np.ndarray) and isinstance(W_out, np.ndarray)):
        raise TypeError("train_softmax_cbow trains NumPy weights only; the model's weights are on another device")
    corpus = _check_corpus(corpus, model.vocab_size).astype(np.int32, copy=False)
    w = _check_int(window_size, "window_size", 1)
    epochs = _check_int(epochs, "epochs", 0)
    batch_size = _check_int(batch_size, "batch_size", 1)
    if not (math.isfinite(lr) and 0 <= min_lr <= lr):
        raise ValueError(f"need 0 <= min_lr <= lr, got lr={lr!r}, min_lr={min_lr!r}")
    n_targets = corpus.shape[0] - 2 * w
    if n_targets < 1:
        raise ValueError(f"corpus must have more than 2 * window_size = {2 * w} words, got {corpus.shape[0]}")
    rng = as_generator(seed)  # drawn from in the order train_fast draws: the same targets and windows
    offsets = np.concatenate([np.arange(-w, 0), np.arange(1, w + 1)])
    per_epoch = math.ceil(n_targets / batch_size)
    total = max(epochs * per_epoch, 1)
    iteration, epoch_loss = 0, []
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(n_targets) + w
        losses, sizes = [], []
        for first in range(0, n_targets, batch_size):
            pos = order[first : first + batch_size]
            contexts = corpus[pos[:, None] + offsets[None, :]]
            mask = _window_mask(rng, pos.shape[0], w, dynamic_window)
            rate = lr - (lr - min_lr) * (iteration / total)
            try:
                loss = _softmax_cbow_batch(W_in, W_out, contexts, mask, corpus[pos], rate)
            except FloatingPointError as exc:
                raise FloatingPointError(f"the softmax CBOW diverged at iteration {iteration + 1} ({exc}); lower "
                                         "lr or batch_size") from None
            losses.append(loss)
            sizes.append(pos.shape[0])
            iteration += 1
        epoch_loss.append(float(np.average(losses, weights=sizes)))
    return {"epoch_loss": epoch_loss, "iterations": iteration, "wall_time": time.perf_counter() - start}


# --------------------------------------------------------------------------------------------------------
# Scoring vectors: neighbours and word pairs
# --------------------------------------------------------------------------------------------------------


def _unit(word_matrix: Any) -> np.ndarray:
    W = backend.to_cpu(word_matrix)
    if not isinstance(W, np.ndarray) or W.ndim != 2 or W.dtype.kind != "f":
        raise TypeError(f"word_matrix must be a (V, D) float array, got {type(W).__name__} "
                        f"{getattr(W, 'shape', '')} {getattr(W, 'dtype', '')}".rstrip())
    return normalize(W.astype(np.float64))


def _ids(values: Any, upper: int, name: str) -> np.ndarray:
    ids = np.asarray(values)
    if ids.ndim != 1 or ids.size == 0 or ids.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty 1-D array of word ids, got {ids.shape} {ids.dtype}")
    if int(ids.min()) < 0 or int(ids.max()) >= upper:
        raise ValueError(f"{name} must hold ids in [0, {upper}), got ids from {int(ids.min())} to {int(ids.max())}")
    return ids.astype(np.int64)


def top_neighbours(word_matrix: Any, queries: Any, candidates: Any, k: int = 10) -> np.ndarray:
    """The ``k`` nearest candidates of each query word by cosine similarity (chapter 2's ``most_similar``, batched).

    Parameters
    ----------
    word_matrix : (V, D) float array
    queries : (Q,) word ids
    candidates : (C,) word ids, C > k
        The words a neighbour may be; a query is never its own neighbour.
    k : int, default 10

    Returns
    -------
    (Q, k) int array
        Word ids, nearest first.
    """
    U = _unit(word_matrix)
    queries = _ids(queries, U.shape[0], "queries")
    candidates = _ids(candidates, U.shape[0], "candidates")
    k = _check_int(k, "k", 1)
    if candidates.size <= k:
        raise ValueError(f"need more than k = {k} candidates, got {candidates.size}")
    sims = U[queries] @ U[candidates].T  # (Q, C)
    sims[candidates[None, :] == queries[:, None]] = -np.inf
    best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sims, best, axis=1), axis=1, kind="stable")
    return candidates[np.take_along_axis(best, order, axis=1)]


def mean_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Mean Jaccard index ``|A ∩ B| / |A ∪ B|`` of two models' neighbour sets, row by row.

    ``a`` and ``b`` are (Q, k) neighbour ids of the same Q queries (:func:`top_neighbours`); 1 means the same
    neighbours, 0 none in common (order within a row does not matter).
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"a and b must be non-empty (Q, k) arrays of the same shape, got {a.shape} and {b.shape}")
    scores = []
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        sx, sy = set(x), set(y)
        scores.append(len(sx & sy) / len(sx | sy))
    return float(np.mean(scores))


def similarity_agreement(word_matrix_a: Any, word_matrix_b: Any, words: Any) -> float:
    """Spearman's rho between two models' cosine similarities of every pair of ``words`` (section 4.2.5).

    1 means the two models order all the pairs of these words the same way, from most to least similar.
    """
    Ua, Ub = _unit(word_matrix_a), _unit(word_matrix_b)
    if Ua.shape[0] != Ub.shape[0]:
        raise ValueError(f"the two matrices must have one row per word of the same vocabulary, got {Ua.shape[0]} "
                         f"and {Ub.shape[0]} rows")
    ids = _ids(words, Ua.shape[0], "words")
    if ids.size < 3:
        raise ValueError(f"need at least 3 words, got {ids.size}")
    upper = np.triu_indices(ids.size, k=1)
    return spearman((Ua[ids] @ Ua[ids].T)[upper], (Ub[ids] @ Ub[ids].T)[upper])


def neighbour_stopword_share(word_matrix: Any, counts: Any, *, n_frequent: int = 100, n_queries: int = 2000,
                             k: int = 10) -> float:
    """The share of the nearest neighbours of ordinary words that are among the most frequent words (4.2.6).

    The query words are the ``n_queries`` most frequent words after the ``n_frequent`` most frequent ones; each
    gets its ``k`` nearest neighbours among all words. A word such as "the" or "of" says little about the meaning
    of a noun or a verb, so a high share means neighbour lists filled by function words.

    Parameters
    ----------
    word_matrix : (V, D) float array
    counts : (V,) word counts in the training corpus
    n_frequent, n_queries, k : int
        ``n_frequent + n_queries`` must not exceed V.

    Returns
    -------
    float in [0, 1]
    """
    U = _unit(word_matrix)
    counts = np.asarray(counts)
    if counts.shape != (U.shape[0],):
        raise ValueError(f"counts must have one entry per word, shape ({U.shape[0]},), got {counts.shape}")
    n_frequent = _check_int(n_frequent, "n_frequent", 1)
    n_queries = _check_int(n_queries, "n_queries", 1)
    if n_frequent + n_queries > U.shape[0]:
        raise ValueError(f"n_frequent + n_queries = {n_frequent + n_queries} is more than the {U.shape[0]} words")
    order = np.argsort(-counts, kind="stable")
    frequent = np.zeros(U.shape[0], dtype=bool)
    frequent[order[:n_frequent]] = True
    neighbours = top_neighbours(U, order[n_frequent : n_frequent + n_queries], np.arange(U.shape[0]), k)
    return float(frequent[neighbours].mean())


def similarity_pairs(
    pairs: Sequence[tuple[str, str, float]], word_to_id: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of a similarity set whose two words are in the vocabulary, as arrays.

    Returns
    -------
    first, second : (P,) int arrays of word ids
    human : (P,) float array of the human scores
    """
    known = [(word_to_id[a], word_to_id[b], float(s)) for a, b, s in pairs if a in word_to_id and b in word_to_id]
    if len(known) < 2:
        raise ValueError(f"only {len(known)} of the {len(pairs)} pairs have both words in the vocabulary; need 2")
    first, second, human = zip(*known, strict=True)
    return np.array(first), np.array(second), np.array(human)


def pair_cosines(word_matrix: Any, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """(P,) cosine similarities of the word pairs ``(first[i], second[i])``."""
    U = _unit(word_matrix)
    first, second = _ids(first, U.shape[0], "first"), _ids(second, U.shape[0], "second")
    if first.shape != second.shape:
        raise ValueError(f"first and second must have the same length, got {first.size} and {second.size}")
    return (U[first] * U[second]).sum(axis=1)


# --------------------------------------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------------------------------------

#: The sentences of the page, per language; the ``*_text`` functions fill them in.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "power_best": "On {metric}, the power {ref:g} scores best ({ref_value}), ahead of the next best, {runner:g} "
                      "({runner_value}), by more than the spread between seeds ({spread}).",
        "power_level": "On {metric}, the power {ref:g} ({ref_value}) is level with the best, {best:g} "
                       "({best_value}): the difference is within the spread between seeds ({spread}).",
        "power_behind": "On {metric}, the power {best:g} scores best ({best_value}) and {ref:g} is behind it "
                        "({ref_value}), by more than the spread between seeds ({spread}).",
        "diverged": "A first try with the batches of {batch:,} targets used above shows why: with power {power:g} "
                    "the run stopped at update {iteration:,} with a non-finite loss. At that power a batch draws "
                    "\"{word}\" about {draws:,.0f} times as a negative (at power {ref_power:g}, about "
                    "{ref_draws:,.0f} times), and the fast variant adds all those updates into its row at once.",
        "not_diverged": "A first try with the batches of {batch:,} targets used above ran its {iteration:,} updates "
                        "with power {power:g} without diverging on this build; the smaller batches are kept so that "
                        "every run of this section uses one setting.",
        "agree_rises": "The overlap grows with the number of negatives, and with k = {best_k} the neighbours "
                       "agree with the softmax models' {frac:.0%} of the way from random vectors to a second "
                       "softmax model.",
        "agree_rises_full": "The overlap grows with the number of negatives, and with k = {best_k} the neighbours "
                            "agree with the softmax models' as well as two softmax models agree with each other.",
        "agree_mixed": "The overlap does not grow steadily with the number of negatives; the closest is k = "
                       "{best_k}, {frac:.0%} of the way from random vectors to a second softmax model.",
        "agree_mixed_full": "The overlap does not grow steadily with the number of negatives, but with k = "
                            "{best_k} the neighbours agree with the softmax models' as well as two softmax models "
                            "agree with each other.",
        "rare_sg": "In the bucket of the rarest words, skip-gram is ahead of CBOW by {diff:.3f} (95% bootstrap "
                   "interval {low:.3f} to {high:.3f}), as the book says it should be.",
        "rare_cbow": "In the bucket of the rarest words, CBOW is ahead of skip-gram by {neg_diff:.3f} (95% "
                     "bootstrap interval {neg_high:.3f} to {neg_low:.3f}): on this budget the book's claim "
                     "does not hold.",
        "rare_none": "In the bucket of the rarest words, skip-gram minus CBOW is {diff:.3f}, with a 95% bootstrap "
                     "interval from {low:.3f} to {high:.3f} that includes zero: this measurement cannot tell the "
                     "two apart on rare words.",
        "window_raises": "Without the dynamic window, WordSim-353 rises from {dyn:.3f} to {full:.3f}, more than "
                         "the spread between seeds ({spread:.3f}), and SimLex-999 goes from {dyn_sl:.3f} to "
                         "{full_sl:.3f}: the dynamic window accounts for at least part of the difference.",
        "window_lowers": "Without the dynamic window, WordSim-353 falls from {dyn:.3f} to {full:.3f}, more than "
                         "the spread between seeds ({spread:.3f}): the dynamic window does not explain the "
                         "difference.",
        "window_none": "Without the dynamic window, WordSim-353 goes from {dyn:.3f} to {full:.3f}, within the "
                       "spread between seeds ({spread:.3f}): on this budget the dynamic window does not explain "
                       "the difference.",
        "direction_shared_none": "The tense differences share a direction beyond what frequency explains: none "
                                 "of the {n_draws:,} frequency-matched draws is as aligned.",
        "direction_shared_some": "The tense differences share a direction beyond what frequency explains: only "
                                 "{n_above:,} of the {n_draws:,} frequency-matched draws are as aligned.",
        "direction_not": "The tense differences are no more aligned than pairs of a present form and a random word "
                         "of about the same frequency as its past form: {n_above:,} of the {n_draws:,} draws are at "
                         "least as aligned, so these vectors do not show a shared tense direction.",
        "coverage_missing": "Capital cities are mostly missing from its vocabulary: {cap_eval:,} of the "
                            "{cap_total:,} \"{cap_name}\" questions can be asked.",
        "coverage_present": "Most capital-city questions can be asked: {cap_eval:,} of the {cap_total:,} "
                            "\"{cap_name}\" questions.",
        "family_more": "Family relations are not missing in the same way: {fam_eval:,} of {fam_total:,} questions "
                       "can be asked, and the words of those occur more often in PTB than the words of all askable "
                       "questions do (a median of {fam_median:,.0f} occurrences against {all_median:,.0f}).",
        "family_same": "Family relations are not missing in the same way: {fam_eval:,} of {fam_total:,} questions "
                       "can be asked, and the words of those occur about as often in PTB as the words of all "
                       "askable questions do (a median of {fam_median:,.0f} occurrences against "
                       "{all_median:,.0f}).",
        "family_less": "Family relations are not missing in the same way: {fam_eval:,} of {fam_total:,} questions "
                       "can be asked, although the words of those occur less often in PTB than the words of all "
                       "askable questions do (a median of {fam_median:,.0f} occurrences against "
                       "{all_median:,.0f}).",
        "exponent_super": "Over the larger sizes the time grows faster than the work: the measured multiply-adds "
                          "per nanosecond fell from {rate_lo:.2f} at {v_lo:,} words to {rate_hi:.2f} at "
                          "{v_hi:,}, so each word of the vocabulary cost more when there were more of them.",
        "exponent_linear": "Over the larger sizes the time grows as the work does: the measured multiply-adds per "
                           "nanosecond were {rate_lo:.2f} at {v_lo:,} words and {rate_hi:.2f} at {v_hi:,}.",
        "exponent_sub": "Over the larger sizes the time grows more slowly than the work: the measured multiply-adds "
                        "per nanosecond rose from {rate_lo:.2f} at {v_lo:,} words to {rate_hi:.2f} at {v_hi:,}, so "
                        "at the smaller size much of the time went to something other than the products over the "
                        "vocabulary.",
        "gap_cbow_differs": "The analogy scores hide a difference in word similarity: from the book's training to "
                            "the fast variant, CBOW's WordSim-353 score goes from {book_ws:.3f} to {fast_ws:.3f}, "
                            "and its SimLex-999 score from {book_sl:.3f} to {fast_sl:.3f}.",
        "gap_cbow_level": "Word similarity agrees too: from the book's training to the fast variant, CBOW's "
                          "WordSim-353 score goes from {book_ws:.3f} to {fast_ws:.3f}, and its SimLex-999 score "
                          "from {book_sl:.3f} to {fast_sl:.3f}.",
        "gap_skipgram_differs": "Skip-gram's scores change too between its two committed runs: from "
                                "{book_ws:.3f} to {fast_ws:.3f} on WordSim-353, and from {book_sl:.3f} to "
                                "{fast_sl:.3f} on SimLex-999.",
        "gap_skipgram_level": "Skip-gram's WordSim-353 score hardly moves between its two committed runs, from "
                              "{book_ws:.3f} to {fast_ws:.3f} (SimLex-999: {book_sl:.3f} to {fast_sl:.3f}).",
    },
    "ko": {
        "power_best": "{metric}에서는 지수 {ref:g}의 점수가 가장 좋고({ref_value}), 두 번째로 좋은 지수 {runner:g}의 "
                      "점수({runner_value})를 시드 간 편차({spread})보다 큰 차이로 앞선다.",
        "power_level": "{metric}에서는 지수 {ref:g}의 점수({ref_value})가 가장 좋은 지수 {best:g}의 "
                       "점수({best_value})와 대등하다. 그 차이가 시드 간 편차({spread}) 안에 든다.",
        "power_behind": "{metric}에서는 지수 {best:g}의 점수가 가장 좋고({best_value}), 지수 {ref:g}의 "
                        "점수({ref_value})는 그보다 시드 간 편차({spread})보다 큰 차이로 뒤진다.",
        "diverged": "앞에서 쓴 타깃 {batch:,}개짜리 배치로 먼저 해 보면 그 이유가 보인다. 지수 {power:g}에서는 "
                    "{iteration:,}번째 갱신에서 손실이 유한하지 않은 값이 되어 학습이 멈췄다. 이 지수에서는 "
                    "\"{word}\" 한 단어만 해도 한 배치에서 부정적 예로 약 {draws:,.0f}번 뽑히는데(지수 "
                    "{ref_power:g}에서는 약 {ref_draws:,.0f}번), 빠른 변형은 그 갱신을 모두 한꺼번에 그 단어의 행에 "
                    "더한다.",
        "not_diverged": "앞에서 쓴 타깃 {batch:,}개짜리 배치로 먼저 해 본 학습은 이번 빌드에서 지수 {power:g}에서도 "
                        "발산하지 않고 갱신 {iteration:,}번을 모두 마쳤다. 그래도 이 절의 모든 학습이 같은 설정을 "
                        "쓰도록 작은 배치를 그대로 쓴다.",
        "agree_rises": "부정적 예의 수가 늘수록 겹침이 커지며, k = {best_k}일 때 소프트맥스 모델의 이웃과 일치하는 "
                       "정도가 무작위 벡터에서 두 번째 소프트맥스 모델까지 거리의 {frac:.0%}에 이른다.",
        "agree_rises_full": "부정적 예의 수가 늘수록 겹침이 커지며, k = {best_k}일 때는 이웃이 소프트맥스 모델의 "
                            "이웃과, 두 소프트맥스 모델이 서로 일치하는 만큼 일치한다.",
        "agree_mixed": "겹침은 부정적 예의 수에 따라 꾸준히 커지지는 않는다. 가장 가까운 것은 k = {best_k}일 때로, "
                       "무작위 벡터에서 두 번째 소프트맥스 모델까지 거리의 {frac:.0%}에 이른다.",
        "agree_mixed_full": "겹침은 부정적 예의 수에 따라 꾸준히 커지지는 않지만, k = {best_k}일 때는 이웃이 "
                            "소프트맥스 모델의 이웃과, 두 소프트맥스 모델이 서로 일치하는 만큼 일치한다.",
        "rare_sg": "가장 드문 단어의 그룹에서 skip-gram이 CBOW보다 {diff:.3f} 앞선다(95% 부트스트랩 구간: "
                   "{low:.3f}에서 {high:.3f}까지). 책의 말대로다.",
        "rare_cbow": "가장 드문 단어의 그룹에서 CBOW가 skip-gram보다 {neg_diff:.3f} 앞선다(95% 부트스트랩 구간: "
                     "{neg_high:.3f}에서 {neg_low:.3f}까지). 이 정도의 학습량에서는 책의 주장이 성립하지 않는다.",
        "rare_none": "가장 드문 단어의 그룹에서 skip-gram의 점수에서 CBOW의 점수를 뺀 차이는 {diff:.3f}, 95% "
                     "부트스트랩 구간은 {low:.3f}에서 {high:.3f}까지로 0을 포함한다. 이 측정으로는 드문 단어에서 두 "
                     "모델을 구별할 수 없다.",
        "window_raises": "동적 윈도우를 끄면 WordSim-353 점수가 {dyn:.3f}에서 {full:.3f}까지 올라 시드 간 "
                         "편차({spread:.3f})보다 크게 변하고, SimLex-999 점수도 바뀐다({dyn_sl:.3f} → "
                         "{full_sl:.3f}). 동적 윈도우가 차이의 적어도 일부를 설명한다.",
        "window_lowers": "동적 윈도우를 끄면 WordSim-353 점수가 {dyn:.3f}에서 {full:.3f}까지 떨어져 시드 간 "
                         "편차({spread:.3f})보다 크게 변한다. 동적 윈도우로는 차이를 설명할 수 없다.",
        "window_none": "동적 윈도우를 꺼도 WordSim-353 점수의 변화({dyn:.3f} → {full:.3f})는 시드 간 "
                       "편차({spread:.3f}) 안에 든다. 이 정도의 학습량에서는 동적 윈도우로 차이를 설명할 수 없다.",
        "direction_shared_none": "시제의 차이 벡터들은 빈도로 설명되는 것 이상으로 방향을 공유한다. 빈도를 맞춰 "
                                 "{n_draws:,}번 뽑은 비교 쌍 가운데 이만큼 정렬된 것은 하나도 없다.",
        "direction_shared_some": "시제의 차이 벡터들은 빈도로 설명되는 것 이상으로 방향을 공유한다. 빈도를 맞춰 "
                                 "{n_draws:,}번 뽑은 비교 쌍 가운데 이만큼 정렬된 것은 {n_above:,}번뿐이다.",
        "direction_not": "시제의 차이 벡터들은 현재형과, 그 과거형과 빈도가 비슷한 무작위 단어로 만든 쌍보다 더 "
                         "정렬되어 있지 않다. {n_draws:,}번 뽑은 비교 쌍 가운데 {n_above:,}번이 적어도 이만큼 "
                         "정렬되어 있으므로, 이 벡터들에서는 공통된 시제 방향이 보이지 않는다.",
        "coverage_missing": "PTB의 어휘에는 수도 이름이 대부분 없다. \"{cap_name}\" 문제 {cap_total:,}개 가운데 "
                            "물을 수 있는 것은 {cap_eval:,}개다.",
        "coverage_present": "수도 문제는 대부분 물을 수 있다. \"{cap_name}\" 문제 {cap_total:,}개 가운데 "
                            "{cap_eval:,}개다.",
        "family_more": "가족 관계 문제는 그렇게 빠지지 않는다. {fam_total:,}개 가운데 {fam_eval:,}개를 물을 수 있고, "
                       "그 단어들은 물을 수 있는 전체 문제의 단어보다 PTB에 더 자주 나온다(출현 횟수의 중앙값 "
                       "{fam_median:,.0f} 대 {all_median:,.0f}).",
        "family_same": "가족 관계 문제는 그렇게 빠지지 않는다. {fam_total:,}개 가운데 {fam_eval:,}개를 물을 수 있고, "
                       "그 단어들은 물을 수 있는 전체 문제의 단어와 비슷한 빈도로 PTB에 나온다(출현 횟수의 중앙값 "
                       "{fam_median:,.0f} 대 {all_median:,.0f}).",
        "family_less": "가족 관계 문제는 그렇게 빠지지 않는다. {fam_total:,}개 가운데 {fam_eval:,}개를 물을 수 있다. "
                       "다만 그 단어들은 물을 수 있는 전체 문제의 단어보다 PTB에 덜 나온다(출현 횟수의 중앙값 "
                       "{fam_median:,.0f} 대 {all_median:,.0f}).",
        "exponent_super": "큰 어휘에서는 시간이 작업량보다 빠르게 는다. 나노초당 곱셈-덧셈 횟수가 단어 {v_lo:,}개일 "
                          "때 {rate_lo:.2f}에서 {v_hi:,}개일 때 {rate_hi:.2f}까지 떨어졌다. 단어가 많을수록 어휘의 "
                          "단어 하나하나가 더 비싸졌다는 뜻이다.",
        "exponent_linear": "큰 어휘에서는 시간이 작업량만큼 는다. 측정한 나노초당 곱셈-덧셈 횟수(단어 {v_lo:,}개일 "
                           "때 {rate_lo:.2f}, {v_hi:,}개일 때 {rate_hi:.2f})가 거의 그대로였다.",
        "exponent_sub": "큰 어휘에서는 시간이 작업량보다 느리게 는다. 나노초당 곱셈-덧셈 횟수가 단어 {v_lo:,}개일 때 "
                        "{rate_lo:.2f}에서 {v_hi:,}개일 때 {rate_hi:.2f}까지 올랐다. 작은 크기에서는 시간의 상당 "
                        "부분이 어휘 전체에 걸친 곱셈이 아닌 다른 일에 쓰였다는 뜻이다.",
        "gap_cbow_differs": "유추 점수에 가려진 단어 유사도의 차이가 있다. 책의 학습 방식에서 빠른 변형으로 바꾸면 "
                            "CBOW의 점수가 달라진다(WordSim-353: {book_ws:.3f} → {fast_ws:.3f}, SimLex-999: "
                            "{book_sl:.3f} → {fast_sl:.3f}).",
        "gap_cbow_level": "단어 유사도도 일치한다. 책의 학습 방식에서 빠른 변형으로 바꿔도 CBOW의 점수는 "
                          "비슷하다(WordSim-353: {book_ws:.3f} → {fast_ws:.3f}, SimLex-999: {book_sl:.3f} → "
                          "{fast_sl:.3f}).",
        "gap_skipgram_differs": "skip-gram의 점수도 커밋된 두 실행 사이에서 달라진다(WordSim-353: {book_ws:.3f} → "
                                "{fast_ws:.3f}, SimLex-999: {book_sl:.3f} → {fast_sl:.3f}).",
        "gap_skipgram_level": "skip-gram의 WordSim-353 점수는 커밋된 두 실행 사이에서 거의 움직이지 "
                              "않는다(WordSim-353: {book_ws:.3f} → {fast_ws:.3f}, SimLex-999: {book_sl:.3f} → "
                              "{fast_sl:.3f}).",
    },
}


def _say(key: str, lang: str | None, **values: Any) -> str:
    """``TEMPLATES[lang][key]`` filled in by :func:`scratchnlp._site.wording.say` (``lang=None``: the page's
    language; a language without templates here yet speaks English)."""
    return say(TEMPLATES, key, lang, **values)


# --------------------------------------------------------------------------------------------------------
# Claim 1: the sampler's power
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerVerdict:
    """How the reference power (0.75) fares on one metric against the other powers, with the seeds' spread.

    ``means`` maps each power to its mean over seeds; ``spread`` is the largest range (max - min over seeds)
    of any power; ``outcome`` is ``"best"`` (the reference leads the runner-up by more than ``spread``),
    ``"level"`` (within ``spread`` of the best, ahead or behind) or ``"behind"`` (the best leads it by more).
    """

    metric: str
    reference: float
    best: float
    runner_up: float
    means: Mapping[float, float]
    spread: float
    higher_is_better: bool
    outcome: str


def power_verdict(metric: str, values: Mapping[float, Sequence[float]], *, reference: float = 0.75,
                  higher_is_better: bool = True) -> PowerVerdict:
    """Decide whether ``reference`` is the best power on ``metric`` (section 4.2.6).

    Parameters
    ----------
    metric : str
        The metric's name, as the text should show it.
    values : mapping of power to the metric's values, one per seed
        At least two powers, the reference among them, each with at least one finite value.
    reference : float, default 0.75
    higher_is_better : bool, default True
        False for a metric where lower is better (the share of function-word neighbours).
    """
    if reference not in values or len(values) < 2:
        raise ValueError(f"values must hold at least two powers, the reference {reference:g} among them; got "
                         f"{sorted(values)}")
    means: dict[float, float] = {}
    spread = 0.0
    for power, seeds in values.items():
        v = np.asarray(seeds, dtype=np.float64)
        if v.ndim != 1 or v.size == 0 or not np.isfinite(v).all():
            raise ValueError(f"power {power:g} needs one or more finite values, got {list(seeds)!r}")
        means[float(power)] = float(v.mean())
        spread = max(spread, float(v.max() - v.min()))
    sign = 1.0 if higher_is_better else -1.0
    ranked = sorted(means, key=lambda p: -sign * means[p])
    best, runner = ranked[0], ranked[1]
    ref = float(reference)
    if best == ref:
        outcome = "best" if sign * (means[ref] - means[runner]) > spread else "level"
    else:
        outcome = "behind" if sign * (means[best] - means[ref]) > spread else "level"
    return PowerVerdict(metric, ref, best, runner, means, spread, higher_is_better, outcome)


def power_text(verdict: PowerVerdict, fmt: str = ".3f", lang: str | None = None) -> str:
    """The sentence of a :class:`PowerVerdict`; ``fmt`` formats the metric's values (``".1%"`` for shares)."""
    m = verdict.means
    return _say(f"power_{verdict.outcome}", lang, metric=verdict.metric, ref=verdict.reference, best=verdict.best,
                runner=verdict.runner_up, ref_value=format(m[verdict.reference], fmt),
                best_value=format(m[verdict.best], fmt), runner_value=format(m[verdict.runner_up], fmt),
                spread=format(verdict.spread, fmt))


def first_divergence(model: Any, corpus: Any, **train_kwargs: Any) -> int | None:
    """Train ``model`` with :func:`scratchnlp.word2vec_fast.train_fast` and return the update at which the loss
    became non-finite, or None when the run ended normally (``train_kwargs`` go to ``train_fast``)."""
    from ..training import NonFiniteLossError  # noqa: PLC0415
    from ..word2vec_fast import train_fast  # noqa: PLC0415

    done: list[int] = []
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the finding, reported as a number
            train_fast(model, corpus, callback=lambda iteration, loss: done.append(iteration), **train_kwargs)
    except NonFiniteLossError:
        return len(done) + 1
    return None


def divergence_text(iteration: int | None, *, batch_size: int, power: float, updates: int, word: str = "",
                    draws: float = 0.0, ref_power: float = 0.75, ref_draws: float = 0.0,
                    lang: str | None = None) -> str:
    """Whether a run with large batches diverged: ``iteration`` is the update at which it stopped with a
    non-finite loss, or None when it ran all its ``updates``. ``draws`` is how often one batch draws ``word`` as
    a negative at ``power`` (``ref_draws`` at ``ref_power``)."""
    if iteration is None:
        return _say("not_diverged", lang, batch=batch_size, power=power, iteration=updates)
    return _say("diverged", lang, batch=batch_size, power=power, iteration=iteration, word=word, draws=draws,
                ref_power=ref_power, ref_draws=ref_draws)


# --------------------------------------------------------------------------------------------------------
# Claim 2: negative sampling against the softmax
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementVerdict:
    """How close negative sampling's neighbours come to the softmax model's, for each number of negatives k.

    ``overlap`` maps k to the mean Jaccard index with the softmax model's neighbours; ``ceiling`` is the same
    for a second softmax model (another seed), ``floor`` for random vectors. ``fraction`` is
    ``(overlap[best_k] - floor) / (ceiling - floor)``; ``rises`` whether the overlap never falls as k grows.
    """

    overlap: Mapping[int, float]
    ceiling: float
    floor: float
    best_k: int
    fraction: float
    rises: bool


def agreement_verdict(overlap: Mapping[int, float], ceiling: float, floor: float) -> AgreementVerdict:
    """Decide which k agrees best with the softmax model and whether agreement grows with k (section 4.2.5)."""
    if len(overlap) < 2:
        raise ValueError(f"need the overlap of at least two values of k, got {dict(overlap)}")
    if not (math.isfinite(ceiling) and math.isfinite(floor) and ceiling > floor):
        raise ValueError(f"need finite ceiling > floor, got ceiling={ceiling!r}, floor={floor!r}")
    ks = sorted(int(k) for k in overlap)
    values = [float(overlap[k]) for k in ks]
    best_k = ks[int(np.argmax(values))]
    rises = all(b >= a for a, b in zip(values, values[1:], strict=False))
    fraction = (float(overlap[best_k]) - floor) / (ceiling - floor)
    return AgreementVerdict({k: float(overlap[k]) for k in ks}, float(ceiling), float(floor), best_k, fraction,
                            rises)


def agreement_text(verdict: AgreementVerdict, lang: str | None = None) -> str:
    """The sentence of an :class:`AgreementVerdict`."""
    key = ("agree_rises" if verdict.rises else "agree_mixed") + ("_full" if verdict.fraction >= 1 else "")
    return _say(key, lang, best_k=verdict.best_k, frac=verdict.fraction)


# --------------------------------------------------------------------------------------------------------
# Claim 3: skip-gram and CBOW on rare words
# --------------------------------------------------------------------------------------------------------


def frequency_buckets(rarer_counts: Any, n_buckets: int = 3) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Split word pairs into ``n_buckets`` groups of about equal size by the count of their rarer word.

    Parameters
    ----------
    rarer_counts : (P,) integer array
        For each pair, the corpus count of its rarer word.
    n_buckets : int, default 3

    Returns
    -------
    bucket : (P,) int array
        0 for the rarest pairs, ``n_buckets - 1`` for the most frequent.
    ranges : list of (lowest count, highest count), one per bucket
    """
    counts = np.asarray(rarer_counts)
    n_buckets = _check_int(n_buckets, "n_buckets", 1)
    if counts.ndim != 1 or counts.size < n_buckets:
        raise ValueError(f"rarer_counts must be a 1-D array of at least n_buckets = {n_buckets} counts, got "
                         f"shape {counts.shape}")
    order = np.argsort(counts, kind="stable")
    bucket = np.empty(counts.size, dtype=np.int64)
    for b, part in enumerate(np.array_split(order, n_buckets)):
        bucket[part] = b
    ranges = [(int(counts[bucket == b].min()), int(counts[bucket == b].max())) for b in range(n_buckets)]
    return bucket, ranges


def _bucket_rhos(cosine: np.ndarray, human: np.ndarray, group: np.ndarray, bucket: np.ndarray,
                 n_buckets: int) -> np.ndarray:
    """(n_buckets,) the pair-weighted mean over groups (similarity sets) of Spearman's rho within each bucket."""
    out = np.full(n_buckets, np.nan)
    for b in range(n_buckets):
        rhos, weights = [], []
        for g in np.unique(group):
            sel = (bucket == b) & (group == g)
            if sel.sum() >= 3:
                rhos.append(spearman(cosine[sel], human[sel]))
                weights.append(sel.sum())
        if rhos:
            out[b] = float(np.average(rhos, weights=weights))
    return out


def _pair_arrays(cosine: Any, human: Any, group: Any, bucket: Any) -> tuple[np.ndarray, ...]:
    arrays = [np.asarray(a) for a in (cosine, human, group, bucket)]
    n = arrays[0].shape
    if len(n) != 1 or any(a.shape != n for a in arrays):
        raise ValueError(f"cosine, human, group and bucket must be 1-D of one length, got "
                         f"{[a.shape for a in arrays]}")
    return tuple(arrays)


def bucket_spearman(cosine: Any, human: Any, group: Any, bucket: Any) -> np.ndarray:
    """Spearman's rho between cosines and human scores within each frequency bucket.

    Pairs of different similarity sets (``group``: WordSim-353 or SimLex-999) are scored on different scales
    and for different things, so rho is taken within each set and bucket and averaged over the sets, weighted
    by their number of pairs.

    Parameters
    ----------
    cosine, human : (P,) float arrays
    group : (P,) labels of the set each pair comes from
    bucket : (P,) int array, 0 to B - 1 (:func:`frequency_buckets`)

    Returns
    -------
    (B,) float array
        NaN for a bucket without 3 pairs of one set.
    """
    cosine, human, group, bucket = _pair_arrays(cosine, human, group, bucket)
    return _bucket_rhos(cosine.astype(np.float64), human.astype(np.float64), group, bucket, int(bucket.max()) + 1)


def paired_bootstrap(cosine_a: Any, cosine_b: Any, human: Any, group: Any, bucket: Any, *, n_boot: int = 1000,
                     seed: Seed = 0) -> np.ndarray:
    """95% bootstrap intervals of ``rho_b - rho_a`` in each bucket (:func:`bucket_spearman`), pairs resampled.

    The same resampled pairs score both models, so the interval measures how much the difference depends on
    which pairs the similarity sets happen to contain.

    Returns
    -------
    (B, 2) float array
        The 2.5th and 97.5th percentiles of the difference in each bucket.
    """
    cosine_a, human, group, bucket = _pair_arrays(cosine_a, human, group, bucket)
    cosine_b = np.asarray(cosine_b)
    if cosine_b.shape != cosine_a.shape:
        raise ValueError(f"cosine_a and cosine_b must have one shape, got {cosine_a.shape} and {cosine_b.shape}")
    n_boot = _check_int(n_boot, "n_boot", 10)
    rng = as_generator(seed)
    n_buckets = int(bucket.max()) + 1
    diffs = np.empty((n_boot, n_buckets))
    cells = [np.flatnonzero((bucket == b) & (group == g)) for b in range(n_buckets) for g in np.unique(group)]
    for i in range(n_boot):
        idx = np.concatenate([rng.choice(c, size=c.size) for c in cells if c.size])
        diffs[i] = (_bucket_rhos(cosine_b[idx], human[idx], group[idx], bucket[idx], n_buckets)
                    - _bucket_rhos(cosine_a[idx], human[idx], group[idx], bucket[idx], n_buckets))
    return np.nanpercentile(diffs, [2.5, 97.5], axis=0).T


@dataclass(frozen=True)
class RareWordVerdict:
    """Skip-gram against CBOW in the rarest frequency bucket.

    ``diff`` is skip-gram's rho minus CBOW's there, ``low``/``high`` its 95% bootstrap interval; ``outcome`` is
    ``"skipgram"`` (the interval lies above 0), ``"cbow"`` (below 0) or ``"none"`` (it includes 0).
    ``frequent_diff`` is the same difference in the most frequent bucket.
    """

    diff: float
    low: float
    high: float
    frequent_diff: float
    outcome: str


def rare_word_verdict(cbow: Sequence[float], skipgram: Sequence[float], intervals: Any) -> RareWordVerdict:
    """Decide from per-bucket rhos (rarest first) and the bootstrap intervals of skip-gram minus CBOW."""
    cbow, skipgram, intervals = np.asarray(cbow, float), np.asarray(skipgram, float), np.asarray(intervals, float)
    if cbow.ndim != 1 or cbow.size < 2 or skipgram.shape != cbow.shape or intervals.shape != (cbow.size, 2):
        raise ValueError(f"need cbow and skipgram rhos of at least 2 buckets and (B, 2) intervals, got shapes "
                         f"{cbow.shape}, {skipgram.shape}, {intervals.shape}")
    if not (np.isfinite(cbow).all() and np.isfinite(skipgram).all() and np.isfinite(intervals).all()):
        raise ValueError("every bucket needs finite rhos and intervals")
    low, high = float(intervals[0, 0]), float(intervals[0, 1])
    outcome = "skipgram" if low > 0 else "cbow" if high < 0 else "none"
    return RareWordVerdict(float(skipgram[0] - cbow[0]), low, high, float(skipgram[-1] - cbow[-1]), outcome)


def rare_word_text(verdict: RareWordVerdict, lang: str | None = None) -> str:
    """The sentence of a :class:`RareWordVerdict`."""
    key = {"skipgram": "rare_sg", "cbow": "rare_cbow", "none": "rare_none"}[verdict.outcome]
    return _say(key, lang, diff=verdict.diff, low=verdict.low, high=verdict.high, neg_diff=-verdict.diff,
                neg_low=-verdict.low, neg_high=-verdict.high)


# --------------------------------------------------------------------------------------------------------
# The fast variant's word similarity: the dynamic window
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowVerdict:
    """WordSim-353 (and SimLex-999) with word2vec's dynamic window and with the full window for every target.

    Means over seeds; ``spread`` is the largest range over seeds of either setting's WordSim-353; ``outcome``
    is ``"raises"``, ``"lowers"`` (the full window changes WordSim-353 by more than ``spread``) or ``"none"``.
    """

    dynamic: float
    full: float
    dynamic_simlex: float
    full_simlex: float
    spread: float
    outcome: str


def window_verdict(dynamic: Sequence[float], full: Sequence[float], dynamic_simlex: Sequence[float],
                   full_simlex: Sequence[float]) -> WindowVerdict:
    """Decide whether turning the dynamic window off moves WordSim-353 by more than the seeds' spread."""
    arrays = [np.asarray(a, dtype=np.float64) for a in (dynamic, full, dynamic_simlex, full_simlex)]
    if any(a.ndim != 1 or a.size == 0 or not np.isfinite(a).all() for a in arrays):
        raise ValueError("each setting needs one or more finite scores, one per seed")
    dyn, ful, dyn_sl, ful_sl = arrays
    spread = max(float(np.ptp(dyn)), float(np.ptp(ful)))
    change = float(ful.mean() - dyn.mean())
    outcome = "raises" if change > spread else "lowers" if change < -spread else "none"
    return WindowVerdict(float(dyn.mean()), float(ful.mean()), float(dyn_sl.mean()), float(ful_sl.mean()), spread,
                         outcome)


def window_text(verdict: WindowVerdict, lang: str | None = None) -> str:
    """The sentence of a :class:`WindowVerdict`."""
    return _say(f"window_{verdict.outcome}", lang, dyn=verdict.dynamic, full=verdict.full,
                dyn_sl=verdict.dynamic_simlex, full_sl=verdict.full_simlex, spread=verdict.spread)


@dataclass(frozen=True)
class CommittedGap:
    """Word similarity of a committed book-way run and its fast variant (``evaluation`` of the results files).

    ``book_ws``/``fast_ws`` are WordSim-353's rho, ``book_sl``/``fast_sl`` SimLex-999's; ``outcome`` is
    ``"differs"`` when WordSim-353 moves by more than ``tie``, else ``"level"``.
    """

    model: str
    book_ws: float
    fast_ws: float
    book_sl: float
    fast_sl: float
    outcome: str


def committed_gaps(committed: Mapping[str, Mapping[str, Any]], *, tie: float = 0.03) -> list[CommittedGap]:
    """The :class:`CommittedGap` of CBOW (``cbow-ptb`` against ``cbow-ptb-fast``) and of skip-gram, for each
    model whose two results files are both in ``committed`` (experiment name to results)."""
    gaps = []
    for model, book_name, fast_name in (("cbow", "cbow-ptb", "cbow-ptb-fast"),
                                        ("skipgram", "skipgram-ptb", "skipgram-ptb-fast")):
        if book_name not in committed or fast_name not in committed:
            continue
        book, fast = committed[book_name]["evaluation"], committed[fast_name]["evaluation"]
        b_ws, f_ws = float(book["wordsim353"]["spearman"]), float(fast["wordsim353"]["spearman"])
        gaps.append(CommittedGap(model, b_ws, f_ws, float(book["simlex999"]["spearman"]),
                                 float(fast["simlex999"]["spearman"]),
                                 "differs" if abs(f_ws - b_ws) > tie else "level"))
    return gaps


def committed_gap_text(gaps: Sequence[CommittedGap], lang: str | None = None) -> str:
    """Sentences on the committed runs' word similarity (empty when no pair of files was found)."""
    parts = []
    for gap in gaps:
        key = f"gap_{gap.model}_{gap.outcome}"
        parts.append(_say(key, lang, book_ws=gap.book_ws, fast_ws=gap.fast_ws, book_sl=gap.book_sl,
                          fast_sl=gap.fast_sl))
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------------
# Do the tense offsets share a direction? A frequency-matched baseline
# --------------------------------------------------------------------------------------------------------


def mean_pairwise_cosine(vectors: Any) -> float:
    """The mean cosine similarity over all pairs of distinct rows of ``vectors`` (n, D), n >= 2."""
    D = np.asarray(vectors, dtype=np.float64)
    if D.ndim != 2 or D.shape[0] < 2:
        raise ValueError(f"vectors must be (n, D) with n >= 2, got shape {D.shape}")
    D = normalize(D)
    G = D @ D.T
    return float(G[~np.eye(D.shape[0], dtype=bool)].mean())


@dataclass(frozen=True)
class DirectionBaseline:
    """The alignment of a relation's offsets against frequency-matched random offsets.

    ``observed``: the mean pairwise cosine of the offsets ``v(second) - v(first)`` of the given pairs;
    ``draws``: the same statistic with each second word replaced by a random word of about its frequency;
    ``share_above``: the share of draws at least as aligned as the observed offsets; ``outcome`` is
    ``"shared"`` when that share is below 5%, else ``"not_shared"``.
    """

    observed: float
    baseline_mean: float
    baseline_q95: float
    share_above: float
    n_draws: int
    outcome: str


def direction_baseline(word_matrix: Any, pairs: Sequence[tuple[int, int]], counts: Any, *, n_draws: int = 200,
                       neighbourhood: int = 20, seed: Seed = 0) -> DirectionBaseline:
    """Do the offsets of word pairs share a direction beyond what word frequency alone gives? (section 4.3.3)

    The offset of a pair ``(a, b)`` is ``u_b - u_a`` for unit vectors ``u``. Offsets whose second words are all
    frequent may align simply because frequency leaves a trace in word vectors, so the baseline keeps each
    first word and replaces each second word by a word drawn at random among the ``neighbourhood`` words
    closest to it in frequency rank (the pairs' own words excluded), ``n_draws`` times.

    Parameters
    ----------
    word_matrix : (V, D) float array
    pairs : sequence of (first id, second id), at least 2
    counts : (V,) word counts of the training corpus
    n_draws, neighbourhood : int
    seed : int or numpy.random.Generator
    """
    U = _unit(word_matrix)
    counts = np.asarray(counts)
    if counts.shape != (U.shape[0],):
        raise ValueError(f"counts must have one entry per word, shape ({U.shape[0]},), got {counts.shape}")
    pairs_arr = np.asarray(pairs)
    if pairs_arr.ndim != 2 or pairs_arr.shape[1] != 2 or pairs_arr.shape[0] < 2:
        raise ValueError(f"pairs must be at least 2 (first, second) id pairs, got shape {pairs_arr.shape}")
    first, second = _ids(pairs_arr[:, 0], U.shape[0], "pairs"), _ids(pairs_arr[:, 1], U.shape[0], "pairs")
    n_draws = _check_int(n_draws, "n_draws", 20)
    neighbourhood = _check_int(neighbourhood, "neighbourhood", 1)
    rng = as_generator(seed)
    order = np.argsort(-counts, kind="stable")
    used = set(first.tolist()) | set(second.tolist())
    pool_order = np.array([w for w in order if w not in used])  # other words, most frequent first
    rank_in_pool = np.searchsorted(-counts[pool_order], -counts[second], side="left")  # where each second word sits
    lo = np.clip(rank_in_pool - neighbourhood // 2, 0, max(pool_order.size - neighbourhood, 0))
    observed = mean_pairwise_cosine(U[second] - U[first])
    draws = np.empty(n_draws)
    for i in range(n_draws):
        picks = pool_order[lo + rng.integers(0, neighbourhood, size=second.size)]
        draws[i] = mean_pairwise_cosine(U[picks] - U[first])
    share = float((draws >= observed).mean())
    return DirectionBaseline(observed, float(draws.mean()), float(np.percentile(draws, 95)), share, n_draws,
                             "shared" if share < 0.05 else "not_shared")


def direction_text(baseline: DirectionBaseline, lang: str | None = None) -> str:
    """The sentence of a :class:`DirectionBaseline`."""
    n_above = int(round(baseline.share_above * baseline.n_draws))
    if baseline.outcome == "shared":
        key = "direction_shared_none" if n_above == 0 else "direction_shared_some"
    else:
        key = "direction_not"
    return _say(key, lang, n_above=n_above, n_draws=baseline.n_draws)


# --------------------------------------------------------------------------------------------------------
# Which analogy sections PTB can ask
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionCoverage:
    """One section of the analogy test on a vocabulary: how many questions can be asked, how well they are
    answered, how frequent the words of the askable questions are, and whether it is the best section (among
    those with at least the minimum number of askable questions)."""

    name: str
    total: int
    evaluated: int
    accuracy: float | None
    median_count: float | None
    best: bool


def section_coverage(questions: Sequence[tuple[str, Sequence[tuple[str, str, str, str]]]],
                     scores: Sequence[Mapping[str, Any]], word_counts: Mapping[str, int], *,
                     min_questions: int = 50) -> tuple[dict[str, SectionCoverage], float]:
    """Coverage of each analogy section (section 4.4.2).

    Parameters
    ----------
    questions : the sections of :func:`scratchnlp.evaluation.load_analogy_questions`
    scores : the ``sections`` of an analogy score's ``to_dict()``, in the same order
    word_counts : mapping of word to its count in the training corpus (the vocabulary)
    min_questions : int, default 50

    Returns
    -------
    coverages : dict of section name to :class:`SectionCoverage`
    overall_median : float
        The median count of the words of all askable questions.
    """
    if len(questions) != len(scores):
        raise ValueError(f"questions has {len(questions)} sections, scores {len(scores)}")
    eligible = [s for s in scores if s["evaluated"] >= min_questions and s["accuracy"] is not None]
    best = max(eligible, key=lambda s: s["accuracy"])["name"] if eligible else None
    out, every = {}, []
    for (name, items), score in zip(questions, scores, strict=True):
        if name != score["name"]:
            raise ValueError(f"questions and scores disagree on the section order: {name!r} against "
                             f"{score['name']!r}")
        askable = [q for q in items if all(w in word_counts for w in q)]
        words = [word_counts[w] for q in askable for w in q]
        every += words
        out[name] = SectionCoverage(name, int(score["total"]), int(score["evaluated"]), score["accuracy"],
                                    float(np.median(words)) if words else None, name == best)
    if not every:
        raise ValueError("no question of any section can be asked with this vocabulary")
    return out, float(np.median(every))


def coverage_text(coverages: Mapping[str, SectionCoverage], overall_median: float, *,
                  capitals: str = "capital-world", family: str = "family", ratio: float = 1.5,
                  lang: str | None = None) -> str:
    """How few capital-city questions can be asked, and how many family questions can (section 4.4.2).

    The family words count as more (less) frequent than those of all askable questions when their median count
    is more than ``ratio`` times (less than 1 / ``ratio`` times) the overall median.
    """
    cap, fam = coverages[capitals], coverages[family]
    key = "coverage_missing" if cap.evaluated < cap.total / 2 else "coverage_present"
    text = _say(key, lang, cap_eval=cap.evaluated, cap_total=cap.total, cap_name=cap.name)
    if fam.evaluated == 0 or fam.median_count is None:
        return text
    if fam.median_count > ratio * overall_median:
        freq = "more"
    elif fam.median_count < overall_median / ratio:
        freq = "less"
    else:
        freq = "same"
    return " ".join([text, _say(f"family_{freq}", lang, fam_eval=fam.evaluated, fam_total=fam.total,
                                fam_median=fam.median_count, all_median=overall_median)])


# --------------------------------------------------------------------------------------------------------
# The cost exponent of the softmax step
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExponentReading:
    """A fitted power law ``time ~ V^p`` and what it says.

    ``p_all`` is fitted over every size, ``p_large`` over the sizes from ``large_from`` on, ``p_sizes`` over
    the sizes asked for (chapter 3's); ``local`` holds the slope between each pair of neighbouring sizes.
    ``rate_lo``/``rate_hi`` are multiply-adds per nanosecond at the first large size and the last one.
    ``outcome`` reads ``p_large``: ``"super"`` (above 1 + tol), ``"linear"`` or ``"sub"`` (below 1 - tol).
    """

    p_all: float
    p_large: float
    p_sizes: float
    local: tuple[float, ...]
    v_lo: int
    v_hi: int
    rate_lo: float
    rate_hi: float
    outcome: str


def exponent_reading(sizes: Sequence[int], times: Sequence[float], work: Sequence[float], *,
                     large_from: int = 10_000, fit_sizes: Sequence[int] = (1_000, 10_000, 100_000),
                     tol: float = 0.1) -> ExponentReading:
    """Fit ``time ~ V^p`` to measured step times (section 4.2.1) and read the exponent.

    Parameters
    ----------
    sizes : vocabulary sizes, increasing, at least 3
    times : seconds per step at each size
    work : multiply-adds per step at each size
    large_from : the first size of the "large" fit
    fit_sizes : sizes of a second fit, to compare with a fit made elsewhere over them (all must be measured)
    tol : how far from 1 the large-size exponent may be and still read as linear
    """
    v = np.asarray(sizes, dtype=np.float64)
    t = np.asarray(times, dtype=np.float64)
    w = np.asarray(work, dtype=np.float64)
    if v.ndim != 1 or v.size < 3 or t.shape != v.shape or w.shape != v.shape:
        raise ValueError(f"sizes, times and work must be 1-D of one length >= 3, got {v.shape}, {t.shape}, "
                         f"{w.shape}")
    if not (np.all(np.diff(v) > 0) and np.all(t > 0) and np.all(w > 0)):
        raise ValueError("sizes must increase and times and work must be positive")
    large = v >= large_from
    if large.sum() < 2:
        raise ValueError(f"need at least 2 sizes >= large_from = {large_from:,}")
    chosen = np.isin(v, np.asarray(fit_sizes, dtype=np.float64))
    if chosen.sum() != len(fit_sizes) or chosen.sum() < 2:
        raise ValueError(f"fit_sizes {list(fit_sizes)} must all be among the sizes {v.astype(int).tolist()}")
    lv, lt = np.log(v), np.log(t)
    p_all = float(np.polyfit(lv, lt, 1)[0])
    p_large = float(np.polyfit(lv[large], lt[large], 1)[0])
    p_sizes = float(np.polyfit(lv[chosen], lt[chosen], 1)[0])
    local = tuple(float(x) for x in np.diff(lt) / np.diff(lv))
    rate = w / (t * 1e9)
    first = int(np.flatnonzero(large)[0])
    outcome = "super" if p_large > 1 + tol else "sub" if p_large < 1 - tol else "linear"
    return ExponentReading(p_all, p_large, p_sizes, local, int(v[first]), int(v[-1]), float(rate[first]),
                           float(rate[-1]), outcome)


def exponent_text(reading: ExponentReading, lang: str | None = None) -> str:
    """The sentence of an :class:`ExponentReading`."""
    return _say(f"exponent_{reading.outcome}", lang, rate_lo=reading.rate_lo, rate_hi=reading.rate_hi,
                v_lo=reading.v_lo, v_hi=reading.v_hi)


# --------------------------------------------------------------------------------------------------------
# What the page's cells would otherwise define
# --------------------------------------------------------------------------------------------------------


def principal_components(word_matrix: Any, word_to_id: Mapping[str, int], words: Sequence[str]
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of ``words`` on the first two principal components of their unit vectors (section 4.3.3).

    The unit vectors are centred and decomposed by chapter 2's SVD.

    Returns
    -------
    xy : (n, 2) coordinates
    unit : (n, D) the unit vectors of the words
    singular_values : (min(n, D),) of the centred unit vectors
    """
    from ..text import svd  # noqa: PLC0415

    missing = [w for w in words if w not in word_to_id]
    if missing or len(words) < 2:
        raise ValueError(f"need at least 2 words, all in the vocabulary; missing: {missing}")
    X = _unit(backend.to_cpu(word_matrix)[[word_to_id[w] for w in words]])
    U, S, _ = svd(X - X.mean(axis=0))
    return U[:, :2] * S[:2], X, S


def step_time(model: Any, contexts: Any, target: Any, *, optimizer: Any = None, repeat: int = 5) -> float:
    """The best of ``repeat`` timings of one forward and backward pass, and an optimizer update if one is given.

    With an optimizer, one step is made before timing, so that the optimizer's state is allocated already.
    """
    from .._pages import best_time  # noqa: PLC0415

    def run() -> None:
        model.forward(contexts, target)
        model.backward()
        if optimizer is not None:
            optimizer.update(model.params, model.grads)

    repeat = _check_int(repeat, "repeat", 1)
    if optimizer is not None:
        run()
    return best_time(run, repeat)[1]


def runs_table_row(label: str, results: Mapping[str, Any], columns: Mapping[str, str]) -> list[str]:
    """One row of the page's table of runs: ``label``, each column of ``experiments.summary(results)`` formatted
    with its format string (a dash where the summary has none), and the kind and count of processors."""
    from ..experiments import summary  # noqa: PLC0415

    values = summary(results)
    cells = [label] + ["–" if values.get(c) is None else spec.format(values[c]) for c, spec in columns.items()]
    machine = results.get("machine", {})
    device = "CPU" if str(machine.get("device", "cpu")).lower() == "cpu" else "GPU"
    return [*cells, f"{device} × {machine.get('cpu_count', '?')}"]
