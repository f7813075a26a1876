"""The wording of chapter 2's page (count-based methods): the sentence that reads the timings of the two SVDs, and
the words the page's code writes into its tables and figures.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words` and :func:`header`;
``lang=None`` follows the page's language (``SCRATCHNLP_LANG``).

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .wording import page_language, particle, say, table_header

__all__ = ["TEMPLATES", "COLUMNS", "words", "header", "crossover_sentence"]

#: The words of chapter 2 that its code produces (sentences, table headers and captions, figure labels), by
#: language. Keys ``"<table>.<column>"`` are the column headers of the tables listed in :data:`COLUMNS`. A Korean
#: figure label takes its formulas as plain text: Matplotlib draws a label that contains ``$...$`` wholly with
#: its math fonts, which have no Hangul. For the same reason the Korean entry of the Zipf fit's legend, to which
#: :func:`scratchnlp.plot.rank_frequency` appends the fitted law in math, is Latin only.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "crossover.always": "The {method} was the faster of the two at every size measured.",
        "crossover.never": "On the largest size measured, the {other} was still not slower than the {method}.",
        "crossover.from": "On the smallest sizes the {other} is still the faster one; the {method} was faster from "
                          "{size:,} words on.",
        "svd.full": "full SVD",
        "svd.randomized": "randomized SVD",
        "toy.context_word": "context word",
        "toy.word": "word",
        "toy.counts": "counts",
        "toy.ppmi": "PPMI",
        "toy.component1": "component 1",
        "toy.component2": "component 2",
        "zipf.words": "words",
        "zipf.fit": "Zipf fit",
        "zipf.xlabel": "rank $r$ (1 = most frequent)",
        "zipf.ylabel": "count $f(r)$",
        "car.rank": "rank",
        "car.by_count": "by count",
        "car.count": "count",
        "car.ppmi": "PPMI",
        "car.by_ppmi": "by PPMI",
        "car.caption": 'The {n} most frequent neighbours of "car" in the Penn Treebank (window {window}) and the '
                       "{n} with the highest PPMI among neighbours seen at least {min_count} times.",
        "neighbours.query": "query",
        "neighbours.1": "1st",
        "neighbours.2": "2nd",
        "neighbours.3": "3rd",
        "neighbours.4": "4th",
        "neighbours.5": "5th",
        "neighbours.caption": "Nearest neighbours (cosine similarity) of the book's queries, with {dim}-dimensional "
                              "vectors from the PPMI matrix of the Penn Treebank reduced by randomized SVD.",
        "dims.svd": "PPMI + SVD, first k columns",
        "dims.ppmi": "PPMI rows",
        "dims.raw": "raw count rows",
        "dims.table": "the table's vectors",
        "dims.title": "{label} ({n} pairs)",
        "dims.ylabel": "Spearman's ρ",
        "dims.xlabel": "dimensions k",
        "svd.n": "words n",
        "svd.t_full": "full SVD (s)",
        "svd.t_rand": "randomized, k = {k} (s)",
        "svd.speedup": "speed-up",
        "svd.err_head": "max rel. error, top {head}",
        "svd.err_all": "max rel. error, top {k}",
        "svd.caption": "Full against randomized SVD on the PPMI rows and columns of the n most frequent Penn Treebank "
                       "words, measured when this page was built. Errors compare the randomized singular values "
                       "with the exact ones.",
        "times.full": "full SVD (all singular values)",
        "times.randomized": "randomized SVD, k = {k}",
        "times.whole": "randomized SVD, whole PTB matrix",
        "times.xlabel": "words n (matrix is n × n)",
        "times.ylabel": "wall time (s)",
    },
    "ko": {
        "crossover.always": "측정한 모든 크기에서 두 방법 가운데 {method} 더 빨랐다.",
        "crossover.never": "측정한 가장 큰 크기에서도 {other} 여전히 {method}보다 느리지 않았다.",
        "crossover.from": "가장 작은 크기에서는 아직 {other} 더 빠르지만, 단어 {size:,}개부터는 {method} 더 "
                          "빨랐다.",
        "svd.full": "전체 SVD",
        "svd.randomized": "무작위 SVD",
        "toy.context_word": "맥락 단어",
        "toy.word": "단어",
        "toy.counts": "동시발생 횟수",
        "toy.ppmi": "PPMI",
        "toy.component1": "성분 1",
        "toy.component2": "성분 2",
        "zipf.words": "단어",
        "zipf.fit": "Zipf",
        "zipf.xlabel": "순위 r (1 = 가장 자주 나온 단어)",
        "zipf.ylabel": "출현 횟수 f(r)",
        "car.rank": "순위",
        "car.by_count": "횟수 순",
        "car.count": "횟수",
        "car.ppmi": "PPMI",
        "car.by_ppmi": "PPMI 순",
        "car.caption": 'Penn Treebank에서 "car"의 이웃 가운데 가장 자주 함께 나온 {n}개(윈도우 크기 {window})와, '
                       "함께 {min_count}번 이상 나온 이웃 가운데 PPMI가 가장 높은 {n}개.",
        "neighbours.query": "질의어",
        "neighbours.1": "1위",
        "neighbours.2": "2위",
        "neighbours.3": "3위",
        "neighbours.4": "4위",
        "neighbours.5": "5위",
        "neighbours.caption": "책의 질의 단어들과 가장 가까운 이웃(코사인 유사도). Penn Treebank의 PPMI 행렬을 무작위 "
                              "SVD로 줄인 {dim}차원 벡터로 구했다.",
        "dims.svd": "PPMI + SVD, 앞쪽 k개 열",
        "dims.ppmi": "PPMI 행",
        "dims.raw": "동시발생 횟수 행",
        "dims.table": "표의 벡터",
        "dims.title": "{label} ({n}쌍)",
        "dims.ylabel": "스피어먼 ρ",
        "dims.xlabel": "차원 수 k",
        "svd.n": "단어 수 n",
        "svd.t_full": "전체 SVD (초)",
        "svd.t_rand": "무작위, k = {k} (초)",
        "svd.speedup": "속도 향상",
        "svd.err_head": "최대 상대 오차, 상위 {head}개",
        "svd.err_all": "최대 상대 오차, 상위 {k}개",
        "svd.caption": "Penn Treebank에서 가장 자주 나온 단어 n개의 PPMI 행과 열에 대한 전체 SVD와 무작위 SVD의 "
                       "비교. 이 페이지를 빌드할 때 측정했다. 오차는 무작위 SVD의 특잇값을 정확한 특잇값과 "
                       "비교한 것이다.",
        "times.full": "전체 SVD (모든 특잇값)",
        "times.randomized": "무작위 SVD, k = {k}",
        "times.whole": "무작위 SVD, PTB 행렬 전체",
        "times.xlabel": "단어 수 n (행렬은 n × n)",
        "times.ylabel": "소요 시간 (초)",
    },
}

#: The columns of the page's tables, in order: their headers are the ``"<table>.<column>"`` templates.
COLUMNS: dict[str, tuple[str, ...]] = {
    "car": ("rank", "by_count", "count", "ppmi", "by_ppmi", "count", "ppmi"),
    "neighbours": ("query", "1", "2", "3", "4", "5"),
    "svd": ("n", "t_full", "t_rand", "speedup", "err_head", "err_all"),
}

#: The Korean particle that each sentence template attaches to a filled-in name (see
#: :func:`scratchnlp._site.wording.particle`); the English templates take the names as they are.
_KO_PARTICLES: dict[str, dict[str, str]] = {
    "crossover.always": {"method": "이/가"},
    "crossover.never": {"other": "은/는"},
    "crossover.from": {"other": "이/가", "method": "이/가"},
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def header(table: str, lang: str | None = None, **values: Any) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``, with ``values``
    filled into those that take any.

    Raises
    ------
    ValueError
        When ``table`` is not one of :data:`COLUMNS`.
    """
    return table_header(TEMPLATES, COLUMNS, table, lang, **values)


def _sentence(key: str, lang: str | None, **values: Any) -> str:
    lang = page_language() if lang is None else lang
    if lang == "ko":
        for name, pair in _KO_PARTICLES.get(key, {}).items():
            values[name] = particle(values[name], pair)
    return words(key, lang, **values)


def crossover_sentence(sizes: Sequence[int], faster: Sequence[bool], method: str, other: str,
                       lang: str | None = None) -> str:
    """From which measured size on ``method`` was faster than ``other`` at every larger size too.

    ``faster[k]`` says whether ``method`` was faster at ``sizes[k]`` (sizes in increasing order); ``method`` and
    ``other`` are named in the sentence's language (``words("svd.randomized")``, ``words("svd.full")``).
    ``lang=None``: the page's language.
    """
    if len(sizes) != len(faster) or not sizes:
        raise ValueError("need one flag per size, and at least one size")
    first = next((k for k in range(len(sizes)) if all(faster[k:])), None)
    if first == 0:
        return _sentence("crossover.always", lang, method=method, other=other)
    if first is None:
        return _sentence("crossover.never", lang, method=method, other=other)
    return _sentence("crossover.from", lang, method=method, other=other, size=sizes[first])
