"""The wording of chapter 3's page (word2vec): the sentence that reads the toy model's predictions, and the words of
the page's tables and figures.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows the
page's language (``SCRATCHNLP_LANG``). Not part of the library's API; see :mod:`scratchnlp._pages` for what every
page shares.
"""

from __future__ import annotations

from typing import Any

from .wording import say

__all__ = ["TEMPLATES", "words", "best_guess_sentence"]

#: The page's sentences, table headers and captions, and figure labels, by language.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "guess.all": "In each of the {n_rows} other rows the right word gets the largest probability",
        "guess.some": "In the other rows the right word gets the largest probability in {n_right} of {n_rows}",
        "samples.sample": "sample",
        "samples.left": "left context",
        "samples.target": "target",
        "samples.right": "right context",
        "samples.context_ids": "context ids",
        "samples.target_id": "target id",
        "samples.caption": "The training samples of the toy sentence with a window of one word on each side.",
        "fig.iteration": "iteration",
        "fig.loss": "loss",
        "vectors.xlabel": "hidden unit",
        "vectors.ylabel": "word",
        "sweep.label": "{group} roles",
        "sweep.identical": "identical",
        "sweep.shared": "shared",
        "sweep.disjoint": "disjoint",
        "sweep.xlabel": "hidden size H",
        "sweep.ylabel": "mean cosine similarity",
        "predictions.xlabel": "predicted word",
        "predictions.ylabel": "sample",
        "floor.ylabel": "loss above the floor",
        "floor.loss_title": "training loss",
        "floor.gap_title": "distance from the lowest reachable loss",
        "scatter.xlabel": "component 1",
        "scatter.ylabel": "component 2",
        "cost.vocab": "vocabulary V",
        "cost.work": "output-side multiply-adds (CBOW)",
        "cost.one_hot": "one-hot @ W_in (ms)",
        "cost.lookup": "row lookup (ms)",
        "cost.cbow": "SimpleCBOW forward + backward (ms)",
        "cost.skipgram": "SimpleSkipGram forward + backward (ms)",
        "cost.caption": "Cost per mini-batch of {n} samples with a hidden size of {h}: the multiply-adds of CBOW's "
                        "output side, and times measured when this page was built for the book's one-hot input (one "
                        "context position), a row lookup, and a forward and backward pass of SimpleCBOW and of "
                        "SimpleSkipGram, which both score all V words.",
    },
    "ko": {
        "guess.all": "나머지 {n_rows}개 행에서는 모두 정답 단어가 가장 큰 확률을 받는다",
        "guess.some": "나머지 행에서는 {n_rows}개 가운데 {n_right}개에서 정답 단어가 가장 큰 확률을 받는다",
        "samples.sample": "샘플",
        "samples.left": "왼쪽 맥락",
        "samples.target": "타깃",
        "samples.right": "오른쪽 맥락",
        "samples.context_ids": "맥락 ID",
        "samples.target_id": "타깃 ID",
        "samples.caption": "예제 문장의 학습 샘플(윈도우 크기는 좌우 한 단어씩).",
        "fig.iteration": "반복",
        "fig.loss": "손실",
        "vectors.xlabel": "은닉 뉴런",
        "vectors.ylabel": "단어",
        "sweep.label": "{group}",
        "sweep.identical": "역할이 같은 쌍",
        "sweep.shared": "역할이 일부 같은 쌍",
        "sweep.disjoint": "역할이 겹치지 않는 쌍",
        "sweep.xlabel": "은닉층 크기 H",
        "sweep.ylabel": "평균 코사인 유사도",
        "predictions.xlabel": "예측 단어",
        "predictions.ylabel": "샘플",
        "floor.ylabel": "하한을 넘는 손실",
        "floor.loss_title": "학습 손실",
        "floor.gap_title": "도달 가능한 최저 손실과의 거리",
        "scatter.xlabel": "성분 1",
        "scatter.ylabel": "성분 2",
        "cost.vocab": "어휘 수 V",
        "cost.work": "출력 쪽 곱셈-덧셈 수(CBOW)",
        "cost.one_hot": "원핫 @ W_in (ms)",
        "cost.lookup": "행 추출 (ms)",
        "cost.cbow": "SimpleCBOW 순전파 + 역전파 (ms)",
        "cost.skipgram": "SimpleSkipGram 순전파 + 역전파 (ms)",
        "cost.caption": "은닉층 크기 {h}, 샘플 {n}개짜리 미니배치 하나의 비용. CBOW 출력 쪽의 곱셈-덧셈 수와, 이 "
                        "페이지를 빌드할 때 잰 시간이다. 시간은 책의 원핫 입력(맥락 위치 하나), 행 추출, 그리고 "
                        "SimpleCBOW와 SimpleSkipGram의 순전파와 역전파 한 번에 대한 것이며, 두 모델 모두 V개 단어 "
                        "전부의 점수를 계산한다.",
    },
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def best_guess_sentence(n_right: int, n_rows: int, lang: str | None = None) -> str:
    """How many of the unambiguous rows of chapter 3's prediction table put the right word first (no full stop:
    the page continues the sentence)."""
    if not 0 <= n_right <= n_rows:
        raise ValueError(f"need 0 <= n_right <= n_rows, got {n_right} and {n_rows}")
    if n_right == n_rows:
        return words("guess.all", lang, n_rows=n_rows)
    return words("guess.some", lang, n_right=n_right, n_rows=n_rows)
