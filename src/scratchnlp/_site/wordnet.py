"""Appendix B: WordNet's hypernym paths drawn as a graph, word similarity from WordNet and from word vectors,
and the comparison of both with human judgements.

- :func:`word_similarity` scores a pair of *words* with WordNet's path similarity (which compares *synsets*):
  the best score over the senses of the two words, or the score of their first senses;
- :func:`cosine_or_none` scores a pair with word vectors, or says it cannot;
- :func:`compare_similarity` puts several scorers beside one set of human scores, on the pairs each can score
  and on the pairs all of them can score, and ranks them; :func:`reference_gap` asks on which of two sets a
  reference scorer (WordNet) leads the others by more; :func:`pair_order` ranks a few pairs by one scorer;
- :func:`hypernym_layout` and :func:`draw_hypernym_graph` draw the hypernym paths of a synset as one graph,
  top to bottom; :func:`draw_similarity_comparison` draws the comparison.

Decisions are language-neutral dataclasses; the sentences a page shows come from :data:`TEMPLATES`, one set per
language (``"en"``, ``"ko"``), through the ``*_text`` functions, :func:`words`, :func:`header` and
:func:`listing`; ``lang=None`` follows the page's language (``SCRATCHNLP_LANG``). Nothing here imports NLTK: a
WordNet reader is any object with NLTK's ``synsets(word, pos=...)`` whose synsets have ``path_similarity(other)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..evaluation import spearman
from .wording import say, table_header

__all__ = [
    "word_similarity",
    "cosine_or_none",
    "MethodScore",
    "SimilarityComparison",
    "compare_similarity",
    "ReferenceGap",
    "reference_gap",
    "PairOrder",
    "pair_order",
    "TEMPLATES",
    "COLUMNS",
    "words",
    "header",
    "listing",
    "comparison_text",
    "gap_text",
    "pair_order_text",
    "pair_orders_text",
    "HypernymLayout",
    "hypernym_layout",
    "draw_hypernym_graph",
    "draw_similarity_comparison",
]

#: Colours of the figures (Okabe-Ito palette: blue, vermilion, bluish green, told apart by readers with the common
#: colour-vision deficiencies).
COLORS = ("#0072B2", "#D55E00", "#009E73")


# --------------------------------------------------------------------------------------------------------
# Scoring pairs of words
# --------------------------------------------------------------------------------------------------------


def word_similarity(
    wordnet: Any,
    word1: str,
    word2: str,
    *,
    senses: Literal["max", "first"] = "max",
    pos: Sequence[str] = ("n", "v"),
) -> float | None:
    """WordNet's path similarity of two words, from the similarity of their synsets (appendix B.4).

    Path similarity is defined between synsets, ``1 / (1 + d)`` for the shortest path of ``d`` hypernym edges
    between them. A word has several synsets (senses), so a score for a pair of words must choose:

    - ``senses="max"``: the largest score over all pairs of a synset of ``word1`` and one of ``word2`` of the same
      part of speech (the senses a person most likely compared, as in Resnik, 1995);
    - ``senses="first"``: the score of the first synset of each word (WordNet lists the most frequent sense
      first), for the first part of speech in ``pos`` that both words have.

    Parameters
    ----------
    wordnet : NLTK's WordNet reader (or anything with ``synsets(word, pos=...)``)
    word1, word2 : str
    senses : ``"max"`` or ``"first"``, default ``"max"``
    pos : sequence of WordNet parts of speech, default ``("n", "v")``
        Nouns and verbs: only they have hypernym hierarchies (adjectives and adverbs have none).

    Returns
    -------
    float or None
        In ``(0, 1]``; None when the two words share no part of speech of ``pos`` in WordNet.
    """
    if senses not in ("max", "first"):
        raise ValueError(f"senses must be 'max' or 'first', got {senses!r}")
    if isinstance(pos, str) or not pos:
        raise ValueError(f"pos must be a non-empty sequence of parts of speech such as ('n', 'v'), got {pos!r}")
    best: float | None = None
    for p in pos:
        first, second = wordnet.synsets(word1, pos=p), wordnet.synsets(word2, pos=p)
        if not first or not second:
            continue
        if senses == "first":
            return first[0].path_similarity(second[0])
        for a in first:
            for b in second:
                score = a.path_similarity(b)
                if score is not None and (best is None or score > best):
                    best = score
    return best


def cosine_or_none(word_matrix: Any, word_to_id: Mapping[str, int], word1: str, word2: str) -> float | None:
    """The cosine similarity of two words' vectors (chapter 2.3.5), or None when either is not in the vocabulary.

    A zero vector gives 0 (as :func:`scratchnlp.text.cos_similarity` does with its ``eps``).
    """
    if word1 not in word_to_id or word2 not in word_to_id:
        return None
    x = np.asarray(word_matrix[word_to_id[word1]], dtype=np.float64)
    y = np.asarray(word_matrix[word_to_id[word2]], dtype=np.float64)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y / norm) if norm > 0 else 0.0


# --------------------------------------------------------------------------------------------------------
# Comparing scorers with human judgements
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodScore:
    """How one scorer agrees with the human scores of a set: Spearman's rho on the ``scored`` pairs it could score
    (``own``) and on the ``common`` pairs every compared scorer could score (``on_common``); NaN for fewer than 2."""

    method: str
    scored: int
    own: float
    on_common: float


@dataclass(frozen=True)
class SimilarityComparison:
    """Several scorers beside the human scores of one set of word pairs, and their ranking.

    ``ranking`` groups the methods by their rho on the common pairs, best first: a group holds the methods
    within ``tie`` of the group's best, so that differences smaller than ``tie`` are not read as a ranking.
    """

    dataset: str
    total: int
    common: int
    scores: tuple[MethodScore, ...]
    ranking: tuple[tuple[str, ...], ...]
    tie: float

    def score(self, method: str) -> MethodScore:
        for s in self.scores:
            if s.method == method:
                return s
        raise ValueError(f"no method {method!r} in the comparison; it has {[s.method for s in self.scores]}")


def _rho(xs: Sequence[float], ys: Sequence[float]) -> float:
    return spearman(xs, ys) if len(xs) >= 2 else math.nan


def compare_similarity(
    dataset: str,
    human: Sequence[float],
    scores: Mapping[str, Sequence[float | None]],
    *,
    tie: float = 0.03,
) -> SimilarityComparison:
    """Rank scorers of word similarity by their Spearman correlation with human scores.

    Parameters
    ----------
    dataset : str
        The set's name, as the text should show it.
    human : sequence of n float
        The human score of each pair.
    scores : mapping of method name to a sequence of n float or None
        Each method's score of each pair, None where it cannot score the pair (a word it does not know).
    tie : float, default 0.03
        Methods whose rho on the common pairs is within ``tie`` of a better one are ranked level with it.

    Returns
    -------
    SimilarityComparison
        Spearman's rho of each method on the pairs it can score and on the pairs all methods can score; the
        ranking on the latter (a method with a NaN rho, whose scores are all equal, comes last, in a group of
        its own).

    Raises
    ------
    ValueError
        For no methods, no pairs, scores of the wrong length, a negative ``tie``, or fewer than 2 pairs that every
        method can score.
    """
    n = len(human)
    if not scores:
        raise ValueError("need at least one method's scores")
    if not n:
        raise ValueError("need at least one pair")
    for method, values in scores.items():
        if len(values) != n:
            raise ValueError(f"method {method!r} has {len(values)} scores for {n} pairs")
    if not (isinstance(tie, (int, float)) and tie >= 0):
        raise ValueError(f"tie must be a number >= 0, got {tie!r}")
    human_values = [float(h) for h in human]
    common = [i for i in range(n) if all(values[i] is not None for values in scores.values())]
    if len(common) < 2:
        raise ValueError(f"the methods can all score only {len(common)} of the {n} pairs of {dataset}; a rank "
                         "correlation needs at least 2")
    results = []
    for method, values in scores.items():
        own = [i for i in range(n) if values[i] is not None]
        results.append(MethodScore(
            method=method,
            scored=len(own),
            own=_rho([float(values[i]) for i in own], [human_values[i] for i in own]),  # type: ignore[arg-type]
            on_common=_rho([float(values[i]) for i in common], [human_values[i] for i in common]),  # type: ignore[arg-type]
        ))
    ordered = sorted(results, key=lambda s: (math.isnan(s.on_common), -s.on_common if not math.isnan(s.on_common)
                                             else 0.0))
    ranking: list[tuple[str, ...]] = []
    group: list[MethodScore] = []
    for s in ordered:
        if group and not math.isnan(s.on_common) and group[0].on_common - s.on_common <= tie:
            group.append(s)
            continue
        if group:
            ranking.append(tuple(g.method for g in group))
        group = [s]
    ranking.append(tuple(g.method for g in group))
    return SimilarityComparison(dataset, n, len(common), tuple(results), tuple(ranking), float(tie))


@dataclass(frozen=True)
class ReferenceGap:
    """How far a reference scorer (WordNet) is ahead of the best other scorer, on a set of genuine *similarity*
    judgements and on a set that also rewards *relatedness*, on each set's common pairs.

    ``outcome``: ``"behind"`` when the reference is not ahead by more than the tie on both sets (``behind_on``
    names the sets where it is not); else ``"larger_on_similarity"``, ``"larger_on_relatedness"`` or
    ``"about_equal"``, comparing the two gaps with the tie.
    """

    reference: str
    similarity_set: str
    relatedness_set: str
    similarity_gap: float
    relatedness_gap: float
    outcome: Literal["larger_on_similarity", "larger_on_relatedness", "about_equal", "behind"]
    behind_on: tuple[str, ...]
    tie: float


def _gap(comparison: SimilarityComparison, reference: str) -> float:
    ref = comparison.score(reference).on_common
    others = [s.on_common for s in comparison.scores if s.method != reference and not math.isnan(s.on_common)]
    if math.isnan(ref) or not others:
        raise ValueError(f"{comparison.dataset}: need a rho for {reference!r} and for at least one other method")
    return ref - max(others)


def reference_gap(
    similarity_set: SimilarityComparison, relatedness_set: SimilarityComparison, reference: str = "WordNet"
) -> ReferenceGap:
    """Compare the reference's lead over the other scorers on a similarity set and on a relatedness set.

    Both comparisons must hold ``reference`` and another method; the tie is the larger of their ties.
    """
    tie = max(similarity_set.tie, relatedness_set.tie)
    sim_gap, rel_gap = _gap(similarity_set, reference), _gap(relatedness_set, reference)
    behind = tuple(c.dataset for c, g in ((similarity_set, sim_gap), (relatedness_set, rel_gap)) if g <= tie)
    if behind:
        outcome = "behind"
    elif sim_gap - rel_gap > tie:
        outcome = "larger_on_similarity"
    elif rel_gap - sim_gap > tie:
        outcome = "larger_on_relatedness"
    else:
        outcome = "about_equal"
    return ReferenceGap(reference, similarity_set.dataset, relatedness_set.dataset, sim_gap, rel_gap, outcome,
                        behind, tie)


@dataclass(frozen=True)
class PairOrder:
    """The pairs one scorer could score, from the most to the least similar, and those it could not."""

    method: str
    order: tuple[str, ...]
    unscored: tuple[str, ...]


def pair_order(method: str, scores: Mapping[str, float | None]) -> PairOrder:
    """Rank a few named pairs (e.g. the book's "novel", "dog", "motorcycle" beside "car") by one scorer."""
    if not scores:
        raise ValueError("need at least one pair")
    scored = [k for k, v in scores.items() if v is not None]
    order = sorted(scored, key=lambda k: -float(scores[k]))  # type: ignore[arg-type]
    return PairOrder(method, tuple(order), tuple(k for k, v in scores.items() if v is None))


# --------------------------------------------------------------------------------------------------------
# Wording (one template set per language)
# --------------------------------------------------------------------------------------------------------

#: The words of appendix B that its code produces (sentences, table headers and captions, figure labels), by
#: language; the ``*_text`` functions, :func:`words`, :func:`header` and :func:`listing` fill their named
#: placeholders. Korean templates put no particle right after a placeholder (its form would depend on the last
#: sound of a name or number): they use 에서는, 의, 에는 and the copula 이다, which take every noun.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "list.two": "{a} and {b}",
        "list.many": "{head}, and {last}",
        "list.sep": ", ",
        "method_rho": "{method} ({rho:.2f})",
        "comparison.leader": "On the {common:,} pairs of {dataset} that every method can score, {leader} agrees "
                             "best with the human judgements (ρ = {rho:.2f}), ahead of {rest}.",
        "comparison.shared_lead": "On the {common:,} pairs of {dataset} that every method can score, {leaders} "
                                  "are level at the top (within {tie:.2f} of each other), ahead of {rest}.",
        "comparison.all_level": "On the {common:,} pairs of {dataset} that every method can score, all of them "
                                "are level: {all} are within {tie:.2f} of each other.",
        "gap.larger_on_similarity": "{reference}'s lead over the best vectors is larger on {sim} "
                                    "({sim_gap:+.2f}) than on {rel} ({rel_gap:+.2f}). That is the difference the "
                                    "two sets were built to show: {sim} asks only for similarity, which a "
                                    "hierarchy of kinds encodes, while {rel} also rewards pairs that are merely "
                                    "related, which is what co-occurrence in text captures and a taxonomy does "
                                    "not.",
        "gap.larger_on_relatedness": "{reference}'s lead over the best vectors is larger on {rel} "
                                     "({rel_gap:+.2f}) than on {sim} ({sim_gap:+.2f}), although {sim} asks only "
                                     "for similarity, which a hierarchy of kinds encodes: here the vectors, not "
                                     "the taxonomy, profit more from the difference between the sets.",
        "gap.about_equal": "{reference} leads the best vectors by about as much on {sim} ({sim_gap:+.2f}) as on "
                           "{rel} ({rel_gap:+.2f}): here the difference between similarity and relatedness does "
                           "not show.",
        "gap.behind.one": "{reference} is not clearly ahead of the best vectors on {sets} ({gaps}), while it "
                          "leads on {other} ({other_gap:+.2f}): neither a hand-made hierarchy nor vectors counted "
                          "from text wins on both kinds of judgement.",
        "gap.behind.all": "{reference} is not clearly ahead of the best vectors on {sets} ({gaps}): on this "
                          "evidence a hand-made hierarchy has no advantage over vectors counted from text.",
        "order.all": "{method} ranks {order}",
        "order.some": "{method} ranks {order} and cannot score {unscored}",
        "order.one": "{method} can score only {order} and not {unscored}",
        "order.none": "{method} can score none of them",
        "order.two": "{a} above {b}",
        "order.many": "{first} first, then {rest}",
        "order.then": ", then ",
        "order.clauses": "{clauses}.",
        "order.clause_sep": "; ",
        "figure.own": "ρ on the pairs it can score",
        "figure.common": "ρ on the pairs all can score",
        "figure.bar": "{rho} ({n:,} pairs)",
        "figure.missing": "n/a",
        "figure.title": "{dataset} ({total:,} pairs)",
        "figure.axis": "Spearman's ρ with the human scores",
        "path.synset": "synset",
        "path.definition": "definition",
        "path.meeting": "lowest common hypernym",
        "path.edges": "edges apart",
        "path.similarity": "path similarity",
        "path.caption": "The path similarity of {synset} to the three synsets of the book, with the closest "
                        "hypernym they share and the number of edges between them, computed from WordNet "
                        "{version} when this page was built.",
        "pairs.pair": "pair",
        "pairs.caption": "The book's three pairs scored by the three methods: WordNet's path similarity, best over "
                         "the senses of the two words, and the cosine similarity of the two kinds of vectors "
                         "trained on the Penn Treebank at build time; a dash marks a word without a vector.",
        "human.method": "method",
        "human.scored": "{set} pairs scored",
        "human.rho": "{set} ρ",
        "human.rho_common": "{set} ρ, {common:,} common pairs",
        "human.scored_of": "{scored:,} of {total:,}",
        "human.caption": "Spearman's ρ between each method's scores and the human ratings of {first_name} "
                         "({first}) and {second_name} ({second}): on the pairs the method can score, and on the "
                         "pairs all three methods can score. Vectors trained on the Penn Treebank at build time; "
                         "WordNet's path similarity, best over noun and verb senses.",
    },
    "ko": {
        "list.two": "{a}, {b}",
        "list.many": "{head}, {last}",
        "list.sep": ", ",
        "method_rho": "{method}({rho:.2f})",
        "comparison.leader": "{dataset}에서 모든 방법이 점수를 매길 수 있는 {common:,}쌍에서는 {leader}의 점수가 "
                             "사람의 판단과 가장 잘 일치하고(ρ = {rho:.2f}), 그 뒤로 {rest} 순이다.",
        "comparison.shared_lead": "{dataset}에서 모든 방법이 점수를 매길 수 있는 {common:,}쌍에서는 {leaders}의 "
                                  "점수가 서로 {tie:.2f} 이내로 공동 선두이고, 그 뒤로 {rest} 순이다.",
        "comparison.all_level": "{dataset}에서 모든 방법이 점수를 매길 수 있는 {common:,}쌍에서는 모든 방법이 "
                                "대등하다. {all}의 점수가 서로 {tie:.2f} 이내다.",
        "gap.larger_on_similarity": "가장 좋은 벡터에 대한 {reference}의 우위는 {rel}({rel_gap:+.2f})에서보다 "
                                    "{sim}({sim_gap:+.2f})에서 더 크다. 두 데이터셋은 바로 이 차이를 드러내려고 "
                                    "만들어졌다. {sim}에서는 유사도만 묻는데, 유사도는 종류의 계층 구조에 담겨 "
                                    "있다. 반면 {rel}에서는 관련만 있는 쌍에도 점수를 주는데, 그런 관련은 텍스트의 "
                                    "동시발생이 포착할 뿐 분류 체계에는 담겨 있지 않다.",
        "gap.larger_on_relatedness": "가장 좋은 벡터에 대한 {reference}의 우위는 {sim}({sim_gap:+.2f})에서보다 "
                                     "{rel}({rel_gap:+.2f})에서 더 크다. {sim}에서는 종류의 계층 구조에 담긴 "
                                     "유사도만 묻는데도 그렇다. 여기서는 두 데이터셋의 차이로 덕을 보는 쪽이 분류 "
                                     "체계가 아니라 벡터다.",
        "gap.about_equal": "가장 좋은 벡터에 대한 {reference}의 우위는 {sim}({sim_gap:+.2f})에서나 "
                           "{rel}({rel_gap:+.2f})에서나 비슷하다. 여기서는 유사도와 관련도의 차이가 드러나지 "
                           "않는다.",
        "gap.behind.one": "{sets}에서는 {reference}의 점수가 가장 좋은 벡터보다 뚜렷하게 앞서지 않지만({gaps}), "
                          "{other}에서는 앞선다({other_gap:+.2f}). 사람이 만든 계층 구조도, 텍스트에서 센 벡터도 "
                          "두 종류의 판단 모두에서 이기지는 못한다.",
        "gap.behind.all": "{sets}에서 {reference}의 점수는 가장 좋은 벡터보다 뚜렷하게 앞서지 않는다({gaps}). 이 "
                          "결과로 보면 사람이 만든 계층 구조가 텍스트에서 센 벡터보다 나을 것이 없다.",
        "order.all": "{method}에서는 {order} 순이다",
        "order.some": "{method}에서는 {order} 순이고, {unscored}에는 점수를 매기지 못한다",
        "order.one": "{method}에서는 {order}에만 점수를 매길 수 있고 {unscored}에는 매기지 못한다",
        "order.none": "{method}에서는 어느 쌍에도 점수를 매기지 못한다",
        "order.two": "{a}, {b}",
        "order.many": "{first}, {rest}",
        "order.then": ", ",
        "order.clauses": "{clauses}.",
        "order.clause_sep": ". ",
        "figure.own": "점수를 매길 수 있는 쌍에서의 ρ",
        "figure.common": "모두 매길 수 있는 쌍에서의 ρ",
        "figure.bar": "{rho} ({n:,}쌍)",
        "figure.missing": "없음",
        "figure.title": "{dataset} ({total:,}쌍)",
        "figure.axis": "사람의 점수와의 스피어먼 ρ",
        "path.synset": "synset",
        "path.definition": "정의",
        "path.meeting": "최소 공통 상위어",
        "path.edges": "에지 수",
        "path.similarity": "경로 유사도",
        "path.caption": "책에 나오는 세 synset 각각과 {synset} 사이의 경로 유사도, 둘이 공유하는 가장 가까운 "
                        "상위어, 둘 사이의 에지 수. 이 페이지를 빌드할 때 WordNet {version}에서 계산했다.",
        "pairs.pair": "쌍",
        "pairs.caption": "책의 세 쌍에 세 방법이 매긴 점수. WordNet의 경로 유사도(두 단어의 의미 가운데 가장 "
                         "가까운 조합의 값), 그리고 빌드할 때 Penn Treebank로 학습한 두 종류의 벡터의 코사인 "
                         "유사도다. 대시(—)는 벡터가 없는 단어를 뜻한다.",
        "human.method": "방법",
        "human.scored": "{set} 채점한 쌍",
        "human.rho": "{set} ρ",
        "human.rho_common": "{set} ρ, 공통 {common:,}쌍",
        "human.scored_of": "{total:,}쌍 중 {scored:,}쌍",
        "human.caption": "각 방법의 점수와 {first_name}({first}), {second_name}({second})의 사람 평가 "
                         "사이의 스피어먼 ρ. 각 방법이 점수를 매길 수 있는 쌍에서의 값과, 세 방법 모두 "
                         "점수를 매길 수 있는 쌍에서의 값이다. 벡터는 빌드할 때 Penn Treebank로 학습했고, "
                         "WordNet의 경로 유사도는 명사와 동사의 의미 가운데 가장 가까운 조합의 값이다.",
    },
}

#: The columns of the page's tables whose headers come from :data:`TEMPLATES` (``"<table>.<column>"`` keys).
COLUMNS: dict[str, tuple[str, ...]] = {
    "path": ("synset", "definition", "meeting", "edges", "similarity"),
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in; ``lang=None``: the page's
    language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`)."""
    return say(TEMPLATES, key, lang, **values)


def header(table: str, lang: str | None = None) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``."""
    return table_header(TEMPLATES, COLUMNS, table, lang)


def _say(key: str, lang: str | None = None, **values: Any) -> str:
    return say(TEMPLATES, key, lang, **values)


def listing(items: Sequence[Any], lang: str | None = None) -> str:
    """Items (written with ``str``) as a list in running text: ``"a, b, and c"`` in English, ``"a, b, c"`` in
    Korean (where a conjunction's particle would depend on the sound the last item ends with)."""
    items = [str(x) for x in items]
    if not items:
        raise ValueError("nothing to list")
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return _say("list.two", lang, a=items[0], b=items[1])
    return _say("list.many", lang, head=_say("list.sep", lang).join(items[:-1]), last=items[-1])


def comparison_text(comparison: SimilarityComparison, lang: str | None = None) -> str:
    """The sentence that ranks the methods of one comparison (see :func:`compare_similarity`)."""

    def named(methods: Sequence[str]) -> list[str]:
        return [_say("method_rho", lang, method=m, rho=comparison.score(m).on_common) for m in methods]

    groups = comparison.ranking
    rest = [m for g in groups[1:] for m in g]
    values = {"dataset": comparison.dataset, "common": comparison.common, "tie": comparison.tie}
    if len(groups) == 1:
        return _say("comparison.all_level", lang, all=listing(named(groups[0]), lang), **values)
    if len(groups[0]) > 1:
        return _say("comparison.shared_lead", lang, leaders=listing(named(groups[0]), lang),
                    rest=listing(named(rest), lang), **values)
    leader = groups[0][0]
    return _say("comparison.leader", lang, leader=leader, rho=comparison.score(leader).on_common,
                rest=listing(named(rest), lang), **values)


def gap_text(gap: ReferenceGap, lang: str | None = None) -> str:
    """The sentence that says on which set the reference leads by more (see :func:`reference_gap`)."""
    values = {"reference": gap.reference, "sim": gap.similarity_set, "rel": gap.relatedness_set,
              "sim_gap": gap.similarity_gap, "rel_gap": gap.relatedness_gap}
    if gap.outcome == "behind":
        by = {gap.similarity_set: gap.similarity_gap, gap.relatedness_set: gap.relatedness_gap}
        sets, gaps = listing(list(gap.behind_on), lang), listing([f"{by[s]:+.2f}" for s in gap.behind_on], lang)
        ahead = [s for s in by if s not in gap.behind_on]
        if ahead:
            return _say("gap.behind.one", lang, sets=sets, gaps=gaps, other=ahead[0], other_gap=by[ahead[0]],
                        **values)
        return _say("gap.behind.all", lang, sets=sets, gaps=gaps, **values)
    return _say(f"gap.{gap.outcome}", lang, **values)


def _ranked(items: Sequence[str], lang: str | None) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return _say("order.two", lang, a=items[0], b=items[1])
    return _say("order.many", lang, first=items[0], rest=_say("order.then", lang).join(items[1:]))


def pair_order_text(order: PairOrder, lang: str | None = None) -> str:
    """A clause such as "word2vec ranks dog above novel and cannot score motorcycle" (no full stop)."""
    values = {"method": order.method, "order": _ranked(order.order, lang) if order.order else "",
              "unscored": listing(list(order.unscored), lang) if order.unscored else ""}
    if not order.order:
        return _say("order.none", lang, **values)
    if not order.unscored:
        return _say("order.all", lang, **values)
    if len(order.order) == 1:
        return _say("order.one", lang, **values)
    return _say("order.some", lang, **values)


def pair_orders_text(orders: Sequence[PairOrder], lang: str | None = None) -> str:
    """One sentence of :func:`pair_order_text` clauses, one per scorer."""
    if not orders:
        raise ValueError("need at least one ranking")
    clauses = _say("order.clause_sep", lang).join(pair_order_text(o, lang) for o in orders)
    return _say("order.clauses", lang, clauses=clauses)


# --------------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HypernymLayout:
    """Where each synset of some hypernym paths goes: ``positions[name] = (x, y)`` with the root at the top
    (``y = 0``) and one row per level below it (``y = -level``); ``edges`` are (hyponym, hypernym) pairs."""

    positions: dict[str, tuple[float, float]]
    edges: tuple[tuple[str, str], ...]
    levels: int


def hypernym_layout(paths: Sequence[Sequence[str]]) -> HypernymLayout:
    """Lay out hypernym paths (each from the root down to the synset, as NLTK's ``hypernym_paths()`` gives them,
    here as names) as one graph, top to bottom.

    A synset's level is the length of the longest path from the root to it, so every edge points one or more
    rows up; synsets on the same level are spread evenly across ``x`` in ``[-1, 1]``, in order of first
    appearance. A synset alone on its level sits below its hypernym when it has exactly one (so a branch stays
    in its column), else at ``x = 0``.
    """
    if not paths or any(not p for p in paths):
        raise ValueError(f"need one or more non-empty paths, got {paths!r}")
    roots = {p[0] for p in paths}
    if len(roots) != 1:
        raise ValueError(f"the paths must start at one root, got {sorted(roots)}")
    level: dict[str, int] = {}
    order: list[str] = []
    edges: list[tuple[str, str]] = []
    for path in paths:
        for depth, name in enumerate(path):
            if name not in level:
                order.append(name)
            level[name] = max(level.get(name, 0), depth)
            if depth and (name, path[depth - 1]) not in edges:
                edges.append((name, path[depth - 1]))
    changed = True
    while changed:  # a synset sits below every one of its hypernyms
        changed = False
        for child, parent in edges:
            if level[child] <= level[parent]:
                level[child] = level[parent] + 1
                changed = True
                if level[child] > len(order):
                    raise ValueError("the paths contain a cycle")
    rows: dict[int, list[str]] = {}
    for name in order:
        rows.setdefault(level[name], []).append(name)
    parents: dict[str, list[str]] = {}
    for child, parent in edges:
        parents.setdefault(child, []).append(parent)
    positions: dict[str, tuple[float, float]] = {}
    for lvl in sorted(rows):
        names = rows[lvl]
        if len(names) == 1:
            above = parents.get(names[0], [])
            xs = [positions[above[0]][0] if len(above) == 1 else 0.0]
        else:
            xs = list(np.linspace(-1.0, 1.0, len(names)))
        for name, x in zip(names, xs, strict=True):
            positions[name] = (float(x), -float(lvl))
    return HypernymLayout(positions, tuple(edges), max(level.values()) + 1)


def draw_hypernym_graph(ax: Any, paths: Sequence[Sequence[str]], *, highlight: Sequence[str] = (),
                        fontsize: float = 9.0) -> HypernymLayout:
    """Draw hypernym paths as one graph, the root at the top, an arrow from each synset up to its hypernym
    ("is a kind of"); the synsets in ``highlight`` get a coloured box. Returns the layout drawn."""
    layout = hypernym_layout(paths)
    highlighted = set(highlight)
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-(layout.levels - 1) - 0.6, 0.6)
    ax.axis("off")
    boxes = {}
    for name, (x, y) in layout.positions.items():
        special = name in highlighted
        boxes[name] = ax.text(x, y, name, ha="center", va="center", fontsize=fontsize,
                              color="white" if special else "black",
                              bbox={"boxstyle": "round,pad=0.3", "facecolor": COLORS[0] if special else "#f2f2f2",
                                    "edgecolor": COLORS[0] if special else "0.6"})
    for child, parent in layout.edges:
        # from the top of the hyponym's box to the bottom of the hypernym's, whatever the angle
        ax.annotate("", xy=(0.5, 0.0), xycoords=boxes[parent], xytext=(0.5, 1.0), textcoords=boxes[child],
                    arrowprops={"arrowstyle": "-|>", "color": "0.45", "lw": 1.0, "shrinkA": 2, "shrinkB": 2})
    return layout


def draw_similarity_comparison(axes: Sequence[Any], comparisons: Sequence[SimilarityComparison],
                               lang: str | None = None) -> None:
    """One panel per comparison: each method's Spearman rho on the pairs it can score and on the common pairs,
    as horizontal bars labelled with their values and pair counts (words from :data:`TEMPLATES`).

    The legend goes below the panels, outside them (a figure legend; with ``layout="constrained"`` the figure
    makes room for it), so that it covers no bar or label whatever the values and the language."""
    if len(axes) != len(comparisons):
        raise ValueError(f"need one axes per comparison, got {len(axes)} axes for {len(comparisons)} comparisons")
    from matplotlib.patches import Patch  # noqa: PLC0415 - Matplotlib only where a figure is drawn

    height = 0.38
    kinds = (("own", "figure.own", "////", 0.45), ("on_common", "figure.common", "", 1.0))
    for ax, comparison in zip(axes, comparisons, strict=True):
        methods = [s.method for s in comparison.scores]
        y = np.arange(len(methods))[::-1].astype(float)
        for k, s in enumerate(comparison.scores):
            for (attr, _, hatch, alpha), offset in zip(kinds, (height / 2, -height / 2), strict=True):
                value = getattr(s, attr)
                n = s.scored if attr == "own" else comparison.common
                shown = 0.0 if math.isnan(value) else value
                ax.barh(y[k] + offset, shown, height=height, facecolor=COLORS[k % len(COLORS)], alpha=alpha,
                        hatch=hatch, edgecolor="white" if hatch else "none")
                rho = _say("figure.missing", lang) if math.isnan(value) else f"{value:.2f}"
                ax.text(max(shown, 0.0) + 0.01, y[k] + offset, _say("figure.bar", lang, rho=rho, n=n), va="center")
        ax.set_yticks(y, methods)
        ax.set_xlim(min(0.0, min((s.on_common for s in comparison.scores if not math.isnan(s.on_common)),
                                 default=0.0)) - 0.02, 1.0)
        ax.axvline(0.0, color="0.3", lw=0.8)
        ax.set_title(_say("figure.title", lang, dataset=comparison.dataset, total=comparison.total))
        ax.grid(True, axis="x", alpha=0.3)
    axes[-1].set_xlabel(_say("figure.axis", lang))
    legend = [Patch(facecolor="0.4", alpha=alpha, hatch=hatch, edgecolor="white", label=_say(key, lang))
              for _, key, hatch, alpha in kinds]
    axes[-1].figure.legend(handles=legend, loc="outside lower center")
