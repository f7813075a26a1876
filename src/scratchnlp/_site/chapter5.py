"""The wording of chapter 5's page (RNNs): the sentences about truncated BPTT's batches and the language model's
perplexity, and the page's table headers, table captions and figure labels.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows the
page's language (``SCRATCHNLP_LANG``). Not part of the library's API; see :mod:`scratchnlp._pages` for what every
page shares.
"""

from __future__ import annotations

import math
from typing import Any

from .wording import say, table_header

__all__ = ["TEMPLATES", "COLUMNS", "words", "header", "unread_tail_sentence", "book_perplexity_sentence",
           "fixed_weights_sentence"]


#: The page's wording, one set per language: sentences, table headers and captions, figure labels.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "unread.whole": "One epoch's {iterations} iterations of {time_size} words read each stream's segment of "
                        "{segment:,} words to its end, so the next epoch continues each stream in its neighbour's "
                        "segment.",
        "unread.last_one": "the last word of every segment stays",
        "unread.last": "the last {left} words of every segment stay",
        "unread.some": "Each stream's segment is {segment:,} words long, but one epoch's {iterations} iterations of "
                       "{time_size} words read {read:,} of them: {last} unread in the first epoch. They are not "
                       "lost: the next epoch goes on where each stream stopped, and starts with them.",
        "book.close": "That is close to the book's figure: the same model and settings learn the same thing here.",
        "book.lower": "That is lower than the book's figure; with a different random initialisation and this little "
                      "data, the run memorises the text faster, which says more about the seed than about the "
                      "model.",
        "book.higher": "That is higher than the book's figure; with a different random initialisation and this "
                       "little data, the run memorises the text more slowly, and more epochs would bring it down "
                       "further.",
        "fixed.agree": "The two agree closely: by the end of training, the weights hardly change from one step to the "
                       "next.",
        "fixed.worse": "The fixed weights score worse than the training curve suggests. Two things favour the curve: "
                       "each of its batches was scored by weights that had just been trained on the text right "
                       "before it, and its streams always carried a state, where the evaluation starts every stream "
                       "from zeros, with no history to go on.",
        "fixed.better": "The fixed weights score better than the training curve: the curve averages over the whole "
                        "last epoch, during which the weights were still improving.",
        "unseen.k": "context length $k$",
        "unseen.distinct": "distinct contexts in the training text",
        "unseen.after": "validation words after an unseen context",
        "unseen.caption": "Histories of $k$ words in the Penn Treebank: how many different ones the training text "
                          "holds, and how often the $k$ words before a word of the validation text never occur "
                          "together in the training text.",
        "layout.epoch": "epoch {epoch}",
        "layout.xlabel": "position in the corpus",
        "layout.ylabel": "stream (row of the batch)",
        "layout.colorbar": "iteration",
        "batches.stream": "stream",
        "batches.start": "starts at",
        "batches.first": "mini-batch 1",
        "batches.second": "mini-batch 2",
        "batches.caption": "The first two mini-batches of {streams} streams of {steps} words on the first "
                           "{words:,} words of PTB, as words. Each row of mini-batch 2 continues the same row of "
                           "mini-batch 1; the targets are the same words shifted by one.",
        "gradcheck.layer": "layer",
        "gradcheck.checked": "gradients checked",
        "gradcheck.largest": "largest relative error",
        "gradcheck.caption": "Gradient checks of the chapter's layers: the backward pass against central differences, "
                             "in float64, as relative errors (params[i] are the layer's weights in the order of its "
                             "params list, input[k] its float inputs).",
        "curve.xlabel": "epoch",
        "curve.ylabel": "perplexity",
        "curve.label": "SimpleRnnlm, epoch mean",
        "curve.uniform": "uniform model ({vocab})",
        "curve.unigram": "unigram model",
        "predictions.input": "input word",
        "predictions.next": "next word",
        "predictions.best": "model's most probable next word",
        "predictions.probability": "probability of the next word",
        "predictions.caption": "The trained SimpleRnnlm reading the first sentence of the training text (after the "
                               "words before it, from a zero state at the start of the text): at each step, the word "
                               "that really comes next, the word the model rates most probable, and the probability "
                               "it gives the real one.",
        "text.training": "training text",
        "text.next": "next words",
        "text.validation": "validation text",
        "heldout.text": "text",
        "heldout.unk": "words that are `<unk>`",
        "heldout.final": "SimpleRnnlm, final",
        "heldout.best": "SimpleRnnlm, best epoch",
        "heldout.unigram": "unigram model",
        "heldout.uniform": "uniform model",
        "heldout.best_cell": "{value:.1f} (epoch {epoch})",
        "heldout.caption": "Perplexity of SimpleRnnlm ({epochs} epochs on the first {words:,} words of PTB) on its "
                           "training text and on two held-out texts of {words:,} words: the words that follow in "
                           "PTB's training text and the start of PTB's validation text, with every word outside the "
                           "model's vocabulary written as \\<unk> (the training text has only PTB's own \\<unk>). "
                           "Beside it the unigram model of the training words and the uniform model, on the same "
                           "texts.",
    },
    "ko": {
        "unread.whole": "한 에폭의 반복 {iterations}번이 {time_size}단어씩 읽으면 각 스트림의 구간 {segment:,}단어를 "
                        "끝까지 읽는다. 그래서 다음 에폭에서는 각 스트림이 이웃 스트림의 구간으로 이어진다.",
        "unread.last_one": "각 구간의 마지막 단어 하나는",
        "unread.last": "각 구간의 마지막 {left}단어는",
        "unread.some": "각 스트림의 구간은 {segment:,}단어이지만, 한 에폭의 반복 {iterations}번이 {time_size}단어씩 "
                       "읽는 것은 그중 {read:,}단어다. 그래서 {last} 첫 에폭에서 읽히지 않는다. 그렇다고 버려지는 "
                       "것은 아니다. 다음 에폭은 각 스트림이 멈춘 곳에서 이어 가므로 그 단어들부터 읽는다.",
        "book.close": "책의 수치와 가깝다. 같은 모델과 설정이 여기서도 같은 것을 학습한다.",
        "book.lower": "책의 수치보다 낮다. 무작위 초기화가 다르고 데이터가 이렇게 적으면 텍스트를 더 빨리 외우기도 "
                      "하는데, 이는 모델보다는 시드에 관한 이야기다.",
        "book.higher": "책의 수치보다 높다. 무작위 초기화가 다르고 데이터가 이렇게 적으면 텍스트를 더 천천히 외우기도 "
                       "하며, 에폭을 늘리면 더 내려갈 것이다.",
        "fixed.agree": "두 값은 거의 같다. 학습이 끝날 무렵에는 가중치가 한 단계에서 다음 단계로 넘어가도 거의 변하지 "
                       "않는다.",
        "fixed.worse": "고정된 가중치의 점수는 학습 곡선이 짐작하게 하는 것보다 나쁘다. 곡선에 유리한 점이 두 가지 "
                       "있다. 곡선의 각 배치는 바로 앞의 텍스트로 막 학습한 가중치가 점수를 매겼고, 곡선의 스트림은 "
                       "늘 상태를 이어받았다. 반면 평가는 모든 스트림을 0에서 시작하므로 기댈 이력이 없다.",
        "fixed.better": "고정된 가중치의 점수가 학습 곡선보다 좋다. 곡선은 마지막 에폭 전체의 평균인데, 그동안에도 "
                        "가중치는 계속 나아지고 있었다.",
        "unseen.k": "맥락 길이 $k$",
        "unseen.distinct": "훈련 텍스트의 서로 다른 맥락 수",
        "unseen.after": "처음 보는 맥락 뒤에 오는 검증 단어의 비율",
        "unseen.caption": "펜 트리뱅크의 $k$단어 이력. 훈련 텍스트에 서로 다른 이력이 몇 가지 있는지, 그리고 검증 "
                          "텍스트의 단어 앞에 놓인 $k$개 단어가 훈련 텍스트에서 한 번도 함께 나오지 않는 경우가 얼마나 "
                          "되는지 셌다.",
        "layout.epoch": "에폭 {epoch}",
        "layout.xlabel": "말뭉치 안의 위치",
        "layout.ylabel": "스트림(배치의 행)",
        "layout.colorbar": "반복",
        "batches.stream": "스트림",
        "batches.start": "시작 위치",
        "batches.first": "미니배치 1",
        "batches.second": "미니배치 2",
        "batches.caption": "PTB의 처음 {words:,}단어에서 스트림 {streams}개가 {steps}단어씩 읽는 처음 두 미니배치를 "
                           "단어로 나타냈다. 미니배치 2의 각 행은 미니배치 1의 같은 행에 이어지며, 타깃은 같은 "
                           "단어들을 한 칸씩 민 것이다.",
        "gradcheck.layer": "계층",
        "gradcheck.checked": "확인한 기울기",
        "gradcheck.largest": "최대 상대 오차",
        "gradcheck.caption": "이 장의 계층들의 기울기 확인. float64에서 역전파를 중심 차분과 비교한 상대 오차다"
                             "(params[i]는 계층의 params 리스트 순서대로 본 가중치, input[k]는 실수 입력).",
        "curve.xlabel": "에폭",
        "curve.ylabel": "퍼플렉서티",
        "curve.label": "SimpleRnnlm, 에폭 평균",
        "curve.uniform": "균등 모델({vocab})",
        "curve.unigram": "유니그램 모델",
        "predictions.input": "입력 단어",
        "predictions.next": "다음 단어",
        "predictions.best": "모델이 가장 높게 본 다음 단어",
        "predictions.probability": "다음 단어의 확률",
        "predictions.caption": "학습을 마친 SimpleRnnlm이 훈련 텍스트의 첫 문장을 읽는 모습(텍스트 맨 앞의 영 상태에서 "
                               "시작해 그 앞의 단어들을 읽은 뒤). 단계마다 실제로 다음에 오는 단어, 모델이 확률을 가장 "
                               "높게 준 단어, 그리고 모델이 실제 단어에 준 확률이다.",
        "text.training": "훈련 텍스트",
        "text.next": "다음 단어들",
        "text.validation": "검증 텍스트",
        "heldout.text": "텍스트",
        "heldout.unk": "`<unk>`인 단어",
        "heldout.final": "SimpleRnnlm, 최종",
        "heldout.best": "SimpleRnnlm, 최적 에폭",
        "heldout.unigram": "유니그램 모델",
        "heldout.uniform": "균등 모델",
        "heldout.best_cell": "{value:.1f}(에폭 {epoch})",
        "heldout.caption": "SimpleRnnlm(PTB의 처음 {words:,}단어로 {epochs}에폭 학습)의 퍼플렉서티. 훈련 텍스트와 "
                           "{words:,}단어짜리 홀드아웃 텍스트 두 개에서 쟀다. 홀드아웃 텍스트는 PTB 훈련 텍스트에서 "
                           "이어지는 단어들과 PTB 검증 텍스트의 앞부분이며, 모델의 어휘에 없는 단어는 모두 \\<unk>로 "
                           "바꿨다(훈련 텍스트에는 PTB 자체의 \\<unk>만 있다). 옆에는 같은 텍스트에서 잰 훈련 단어의 "
                           "유니그램 모델과 균등 모델의 퍼플렉서티를 실었다.",
    },
}

#: The columns of the page's tables, in order: their headers are the ``"<table>.<column>"`` templates.
COLUMNS: dict[str, tuple[str, ...]] = {
    "unseen": ("k", "distinct", "after"),
    "batches": ("stream", "start", "first", "second"),
    "gradcheck": ("layer", "checked", "largest"),
    "predictions": ("input", "next", "best", "probability"),
    "heldout": ("text", "unk", "final", "best", "unigram", "uniform"),
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


def header(table: str, lang: str | None = None) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``.

    Raises
    ------
    ValueError
        When ``table`` is not one of :data:`COLUMNS`.
    """
    return table_header(TEMPLATES, COLUMNS, table, lang)


def unread_tail_sentence(segment: int, iterations: int, time_size: int, lang: str | None = None) -> str:
    """What one epoch of truncated-BPTT mini-batches leaves unread of each stream's segment (chapter 5.2.5).

    Parameters
    ----------
    segment : int
        The words between two streams' starting points (``len(xs) // batch_size``).
    iterations : int
        The iterations of one epoch (``len(xs) // (batch_size * time_size)``).
    time_size : int
        The words each stream reads per iteration.
    lang : str, optional
        The sentence's language; None: the page's.
    """
    read = iterations * time_size
    if segment < 1 or iterations < 1 or time_size < 1 or read > segment:
        raise ValueError(f"need 1 <= iterations * time_size <= segment, got {iterations} x {time_size} and {segment}")
    if read == segment:
        return words("unread.whole", lang, iterations=iterations, time_size=time_size, segment=segment)
    left = segment - read
    last = words("unread.last_one", lang) if left == 1 else words("unread.last", lang, left=left)
    return words("unread.some", lang, segment=segment, iterations=iterations, time_size=time_size, read=read,
                 last=last)


def book_perplexity_sentence(ours: float, book: float, rel_tol: float = 0.3, lang: str | None = None) -> str:
    """How the perplexity reached on the page compares with the one the book reports (chapter 5.5.3).

    ``ours`` and ``book`` count as close when they differ by at most ``rel_tol`` of the book's value. The
    sentence does not repeat either number (the page glues them).
    """
    if not (math.isfinite(ours) and ours >= 1.0 and book >= 1.0 and rel_tol >= 0):
        raise ValueError(f"perplexities are finite and >= 1, got {ours} and {book}")
    if abs(ours - book) <= rel_tol * book:
        return words("book.close", lang)
    return words("book.lower" if ours < book else "book.higher", lang)


def fixed_weights_sentence(training: float, fixed: float, rel_tol: float = 0.1, lang: str | None = None) -> str:
    """Compare the last epoch's training perplexity with the fixed final weights' (chapter 5.5.3).

    ``training`` is the mean over the last epoch, scored while the weights changed at every step; ``fixed`` is
    :func:`scratchnlp.training.eval_perplexity` of the final weights, every stream starting from a zero state.
    """
    if not (math.isfinite(training) and math.isfinite(fixed) and training >= 1.0 and fixed >= 1.0):
        raise ValueError(f"perplexities are finite and >= 1, got {training} and {fixed}")
    if abs(fixed - training) <= rel_tol * training:
        return words("fixed.agree", lang)
    return words("fixed.worse" if fixed > training else "fixed.better", lang)
