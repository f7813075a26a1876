"""The wording of chapter 8's page (attention): the sentences that read the attention maps and the date runs,
and the words of the page's tables and figures.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows the
page's language (``SCRATCHNLP_LANG``). Not part of the library's API; see :mod:`scratchnlp._pages` for what every
page shares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from scratchnlp._pages import and_join

from .wording import page_language, particle, say

__all__ = [
    "TEMPLATES",
    "words",
    "model_label",
    "with_model_names",
    "training_overlap_text",
    "question_words",
    "attention_reading",
    "attention_reading_sentence",
    "date_runs_sentence",
    "bidirectional_sentence",
    "reading_agreement_sentence",
    "diffuse_positions_sentence",
]


_WORD = re.compile(r"[A-Za-z]+|[0-9]+")


def question_words(question: str) -> list[tuple[str, int, int]]:
    """The words of a question as written: each run of letters and each run of digits, ``(text, start, stop)``.

    ``"september 27, 1994"`` gives ``[("september", 0, 9), ("27", 10, 12), ("1994", 14, 18)]``; spaces,
    punctuation and padding belong to no word.
    """
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(question)]


def attention_reading(weights: Any, question: str,
                      parts: Mapping[str, tuple[int, int]]) -> dict[str, tuple[str, float]]:
    """Where each part of an answer looked in the question (chapter 8.3.3): the word with most of its attention.

    Parameters
    ----------
    weights : (A, Q) array
        Attention of answer character ``a`` on question character ``q``, the question in reading order (for a
        model fed reversed questions, reverse the last axis first); each row sums to 1.
    question : str
        The question as written, ``Q`` characters (padding included).
    parts : mapping of name to (start, stop)
        The answer's parts as row ranges, e.g. ``{"year": (0, 4), "month": (5, 7), "day": (8, 10)}``.

    Returns
    -------
    dict of name to (word, share)
        The question word (:func:`question_words`) on which the part's rows put the largest share of their
        attention, and that share (the mean over the part's rows of the weight on the word's characters).
    """
    import numpy as np  # noqa: PLC0415  (the page helpers import NumPy only where they need it)

    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != len(question):
        raise ValueError(f"weights must be (A, {len(question)}) for a question of {len(question)} characters, "
                         f"got shape {w.shape}")
    words = question_words(question)
    if not words:
        raise ValueError(f"the question {question!r} has no words (runs of letters or digits)")
    out: dict[str, tuple[str, float]] = {}
    for name, (start, stop) in parts.items():
        if not 0 <= start < stop <= w.shape[0]:
            raise ValueError(f"part {name!r} must be rows [start, stop) within the answer's {w.shape[0]}, "
                             f"got ({start}, {stop})")
        row = w[start:stop].mean(axis=0)
        shares = [float(row[a:b].sum()) for _, a, b in words]
        best = int(np.argmax(shares))
        out[name] = (words[best][0], shares[best])
    return out



#: The page's wording, one set per language (:func:`words`).
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        # the models compared on the page, as legends, tables and sentences name them
        "model.attention": "attention",
        "model.peeky": "peeky seq2seq",
        "model.seq2seq": "seq2seq",
        "model.chapter7": "{model} (chapter 7)",
        "model.this_build": "attention, this build",
        # the parts of an answer "yyyy-mm-dd"
        "part.year": "year",
        "part.month": "month",
        "part.day": "day",
        # section 8.2.3's gradient checks
        "gradcheck.layer": "layer or model",
        "gradcheck.arrays": "arrays checked",
        "gradcheck.error": "largest relative error",
        "gradcheck.caption": "Gradient checks of chapter 8's layers and model: the largest relative error between "
                             "the backward pass and central differences (float64) over the parameters and float "
                             "inputs.",
        # section 8.3.1's dates
        "dates.question": "question",
        "dates.answer": "answer",
        "dates.caption": "The first twelve training dates of the book's date.txt.",
        # section 8.3.2's accuracy curves
        "accuracy.xlabel": "epoch (passes over {n:,} dates)",
        "accuracy.ylabel": "test accuracy (%)",
        "runs.none": "No results file of the three runs was found when this page was built.",
        "runs.missing": " No results file was found for {missing}.",
        "runs.after": "After {epochs} epochs",
        "runs.at_end": "At the end of their runs",
        "runs.final": "{model} {accuracy:.1f}%",
        "runs.sentence": "{after} the test accuracies are: {finals}.{crossing}{note}",
        "runs.never": " None of them reached {threshold:.0f}%.",
        "runs.crossed": " The {model} model was above {threshold:.0f}% from epoch {first} on{dips}.",
        "runs.dips": " (with dips below it later)",
        # section 8.3.3's attention maps
        "maps.ours": "The library's model, {epochs} epochs",
        "maps.book": "The book's published weights",
        "train.none": "none of them is in the training data",
        "train.one": "{questions} is in the training data, the others not",
        "train.many": "{questions} are in the training data, the others not",
        "reading.part": "its {part} from “{word}” ({share:.0f}% of its attention)",
        "reading.sentence": "For “{question}”, the answer took {parts}.",
        "agreement.all": "In all {n_parts} parts of these answers, the question word with most of the attention is "
                         "the one a person would read that part from.",
        "agreement.none": "In none of the {n_parts} parts of these answers is the word with most of the attention "
                          "the one a person would read that part from.",
        "agreement.some": "In {n_agree} of the {n_parts} parts of these answers, the question word with most of the "
                          "attention is the one a person would read that part from.",
        "diffuse.position": "{position} (“{label}”, {bits:.2f} bits)",
        "diffuse.head": "The attention is most spread out at answer positions {positions}, against {mean:.2f} bits "
                        "on average for the others.",
        "diffuse.constant": " Those characters are the same in every answer: nothing in the question decides them, "
                            "so where the model looks while writing them does not matter to the loss.",
        # beyond the book: the dates by length
        "lengths.length": "question length (characters)",
        "lengths.count": "test dates",
        "lengths.right": "{model}: dates right",
        "lengths.caption": "The test dates grouped by the length of the question. Attention: the committed "
                           "attention-date model, scored on this page. Peeky seq2seq and seq2seq: what the totals "
                           "in the committed results files imply for every group (all of the test dates right, or "
                           "none).",
        # section 8.4.1
        "bi.head": "With the same training, the bidirectional encoder reaches {both:.2f}% against {one:.2f}% for "
                   "one direction",
        "bi.close": "{head}: within {close:.1f} points, no difference that one short run could show.",
        "bi.helps": "{head}: reading the question both ways helps here, in this one short run.",
        "bi.hurts": "{head}: in this one short run it does not help; half the units per direction may cost more "
                    "than it gains.",
        # exercise 1
        "mistake.title": "{question}\nanswer {answer}, guess {guess}",
    },
    "ko": {
        "model.attention": "어텐션",
        "model.peeky": "엿보기 seq2seq",
        "model.seq2seq": "seq2seq",
        "model.chapter7": "{model}(7장)",
        "model.this_build": "어텐션(이번 빌드)",
        "part.year": "연도",
        "part.month": "월",
        "part.day": "일",
        "gradcheck.layer": "계층 또는 모델",
        "gradcheck.arrays": "확인한 배열 수",
        "gradcheck.error": "최대 상대 오차",
        "gradcheck.caption": "8장의 계층과 모델의 기울기 확인: 매개변수와 실수 입력 전체에서 역전파와 중심 "
                             "차분(float64) 사이의 최대 상대 오차.",
        "dates.question": "질문",
        "dates.answer": "답",
        "dates.caption": "책의 date.txt에 있는 처음 12개의 학습용 날짜.",
        "accuracy.xlabel": "에폭(1에폭 = 날짜 {n:,}개)",
        "accuracy.ylabel": "테스트 정확도(%)",
        "runs.none": "이 페이지를 빌드할 때 세 실행의 결과 파일을 하나도 찾지 못했다.",
        "runs.missing": " {missing}의 결과 파일은 찾지 못했다.",
        "runs.after": "{epochs}에폭 후",
        "runs.at_end": "실행을 마쳤을 때",
        "runs.final": "{model} {accuracy:.1f}%",
        "runs.sentence": "{after} 테스트 정확도는 {finals}.{crossing}{note}",
        "runs.never": " 어느 모델도 {threshold:.0f}%에 이르지 못했다.",
        "runs.crossed": " {model} 모델은 에폭 {first}부터 {threshold:.0f}% 이상이었다{dips}.",
        "runs.dips": "(이후 그 아래로 내려간 에폭도 있다)",
        "maps.ours": "라이브러리의 모델, {epochs}에폭",
        "maps.book": "책이 공개한 가중치",
        "train.none": "학습 데이터에 있는 날짜는 하나도 없다",
        "train.one": "{questions}만 학습 데이터에 있고 나머지는 없다",
        "train.many": "{questions}만 학습 데이터에 있고 나머지는 없다",
        "reading.part": "{part} “{word}”에서(어텐션의 {share:.0f}%)",
        "reading.sentence": "“{question}”의 답은 {parts} 가져왔다.",
        "agreement.all": "이 답들의 {n_parts}개 부분 모두에서 어텐션을 가장 많이 받은 질문 단어는 사람이 그 부분을 "
                         "읽어 낼 단어와 같다.",
        "agreement.none": "이 답들의 {n_parts}개 부분 중 어느 것에서도 어텐션을 가장 많이 받은 단어가 사람이 그 "
                          "부분을 읽어 낼 단어와 같지 않다.",
        "agreement.some": "이 답들의 {n_parts}개 부분 중 {n_agree}개에서 어텐션을 가장 많이 받은 질문 단어가 사람이 "
                          "그 부분을 읽어 낼 단어와 같다.",
        "diffuse.position": "{position}(“{label}”, {bits:.2f}비트)",
        "diffuse.head": "어텐션이 가장 넓게 퍼진 답의 위치는 {positions}로, 나머지 위치는 평균 {mean:.2f}비트다.",
        "diffuse.constant": " 이 위치의 문자는 모든 답에서 같다. 질문의 어느 부분도 이 문자를 정하지 않으므로, 이 "
                            "문자를 쓰는 동안 모델이 어디를 보든 손실과는 상관이 없다.",
        "lengths.length": "질문 길이",
        "lengths.count": "날짜 수",
        "lengths.right": "{model}",
        "lengths.caption": "테스트 날짜를 질문 길이(문자 수)별로 묶고, 모델마다 맞힌 날짜의 비율을 적었다. "
                           "어텐션: 커밋된 attention-date 모델을 이 페이지에서 채점한 값. 엿보기 seq2seq와 "
                           "seq2seq: 커밋된 결과 파일의 합계로부터 모든 묶음에 대해 알 수 있는 값(테스트 날짜를 "
                           "모두 맞혔거나 하나도 못 맞혔다).",
        "bi.head": "같은 학습으로 양방향 인코더는 {both:.2f}%, 단방향 인코더는 {one:.2f}%에 이른다",
        "bi.close": "{head}. 차이가 {close:.1f}%p 이내라서, 짧은 실행 한 번으로는 가려낼 수 없는 차이다.",
        "bi.helps": "{head}. 이 짧은 실행 한 번에서는 질문을 양쪽 방향으로 읽는 것이 도움이 된다.",
        "bi.hurts": "{head}. 이 짧은 실행 한 번에서는 도움이 되지 않는다. 방향마다 유닛이 절반이라 잃는 것이 "
                    "얻는 것보다 클 수 있다.",
        "mistake.title": "{question}\n정답 {answer}, 예측 {guess}",
    },
}

#: The committed runs the page compares, by experiment name: the template of each one's model name.
_RUN_MODELS = {"attention-date": "model.attention", "peeky-seq2seq-date": "model.peeky",
               "seq2seq-date": "model.seq2seq"}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def _lang(lang: str | None) -> str:
    return page_language() if lang is None else lang


def _ko(word: object, pair: str, lang: str) -> str:
    """``word`` with the Korean particle ``pair`` attached in Korean, as it is in English."""
    return particle(word, pair) if lang == "ko" else str(word)


def model_label(run: str, *, chapter: bool = True, lang: str | None = None) -> str:
    """The name of the model of a committed run (``"attention-date"``, ``"peeky-seq2seq-date"``,
    ``"seq2seq-date"``) in the page's legends and tables; chapter 7's models say so when ``chapter`` is true.

    Raises
    ------
    ValueError
        For a run the page does not compare.
    """
    if run not in _RUN_MODELS:
        raise ValueError(f"no model name for the run {run!r}; known: {sorted(_RUN_MODELS)}")
    name = words(_RUN_MODELS[run], lang)
    if chapter and run != "attention-date":
        return words("model.chapter7", lang, model=name)
    return name


def with_model_names(results: Mapping[str, Any], lang: str | None = None) -> dict[str, Any]:
    """``results`` keyed by the models' names in ``lang`` instead of their English names (``"attention"``,
    ``"peeky seq2seq"``, ``"seq2seq"``), for a legend; other keys stay as they are."""
    names = {words(key, "en"): words(key, lang) for key in _RUN_MODELS.values()}
    return {names.get(key, key): value for key, value in results.items()}


def training_overlap_text(questions: Sequence[str], unseen: Sequence[str], lang: str | None = None) -> str:
    """Which of ``questions`` are in the training data (all but ``unseen``), as a clause of a sentence."""
    seen = [q for q in questions if q not in unseen]
    if not seen:
        return words("train.none", lang)
    listed = and_join((f"“{q}”" for q in seen), lang=_lang(lang))
    return words("train.one" if len(seen) == 1 else "train.many", lang, questions=listed)


def attention_reading_sentence(question: str, reading: Mapping[str, tuple[str, float]],
                               lang: str | None = None) -> str:
    """One sentence saying which question word each answer part read, from :func:`attention_reading`.

    A part named ``year``, ``month`` or ``day`` is named in ``lang``; any other name is used as it is."""
    if not reading:
        raise ValueError("nothing to describe: reading is empty")
    lang = _lang(lang)
    known = TEMPLATES["en"].keys()
    parts = [words("reading.part", lang, word=word, share=100 * share,
                   part=_ko(words(f"part.{name}", lang) if f"part.{name}" in known else name, "을/를", lang))
             for name, (word, share) in reading.items()]
    joined = ", ".join(parts) if lang == "ko" else and_join(parts, lang=lang)
    return words("reading.sentence", lang, question=question.strip(), parts=joined)


def date_runs_sentence(curves: Mapping[str, Sequence[float]], missing: Sequence[str] = (),
                       threshold: float = 0.99, lang: str | None = None) -> str:
    """Compare committed runs on the dates by their final accuracy, and when the best passed ``threshold``.

    Parameters
    ----------
    curves : mapping of model label to its test accuracy after each epoch (fractions)
    missing : labels of runs whose results file was not found
    threshold : the accuracy whose first crossing is reported for the best run
    lang : the language of the sentence (``None``: the page's)
    """
    if any(not len(c) for c in curves.values()):
        raise ValueError("every curve needs at least one epoch")
    lang = _lang(lang)
    note = words("runs.missing", lang, missing=and_join(missing, lang=lang)) if missing else ""
    if not curves:
        return words("runs.none", lang) + note
    order = sorted(curves, key=lambda k: -curves[k][-1])
    epochs = {len(curves[k]) for k in order}
    after = words("runs.after", lang, epochs=epochs.pop()) if len(epochs) == 1 else words("runs.at_end", lang)
    finals = and_join((words("runs.final", lang, model=k, accuracy=100 * curves[k][-1]) for k in order), lang=lang)
    finals = _ko(finals, "이다/다", lang)
    best = curves[order[0]]
    first = next((e + 1 for e, a in enumerate(best) if a >= threshold), None)
    if first is None:
        crossing = words("runs.never", lang, threshold=100 * threshold)
    else:
        dips = "" if all(a >= threshold for a in best[first - 1:]) else words("runs.dips", lang)
        crossing = words("runs.crossed", lang, model=order[0], threshold=100 * threshold, first=first, dips=dips)
    return words("runs.sentence", lang, after=after, finals=finals, crossing=crossing, note=note)


def bidirectional_sentence(one_way: float, both_ways: float, close: float = 0.005, lang: str | None = None) -> str:
    """Compare a bidirectional encoder's test accuracy with the unidirectional one's (chapter 8.4.1)."""
    for a in (one_way, both_ways):
        if not 0 <= a <= 1:
            raise ValueError(f"accuracies are fractions in [0, 1], got {one_way} and {both_ways}")
    head = words("bi.head", lang, both=100 * both_ways, one=100 * one_way)
    if abs(both_ways - one_way) <= close:
        return words("bi.close", lang, head=head, close=100 * close)
    return words("bi.helps" if both_ways > one_way else "bi.hurts", lang, head=head)


def reading_agreement_sentence(n_agree: int, n_parts: int, lang: str | None = None) -> str:
    """How many answer parts took most of their attention from the question word a person would read them from."""
    if not 0 <= n_agree <= n_parts or n_parts < 1:
        raise ValueError(f"need 0 <= n_agree <= n_parts and n_parts >= 1, got {n_agree} of {n_parts}")
    case = "all" if n_agree == n_parts else "none" if n_agree == 0 else "some"
    return words(f"agreement.{case}", lang, n_agree=n_agree, n_parts=n_parts)


def diffuse_positions_sentence(entropy_bits: Sequence[float], labels: str, constant: Sequence[bool],
                               k: int = 2, lang: str | None = None) -> str:
    """Which answer positions spread their attention most (highest mean entropy), and whether they are fixed.

    Parameters
    ----------
    entropy_bits : (A,) mean entropy of each answer position's attention, in bits
    labels : A characters naming the positions (e.g. ``"yyyy-mm-dd"``)
    constant : (A,) whether the position holds the same character in every answer
    k : how many of the most diffuse positions to name
    lang : the language of the sentence (``None``: the page's)
    """
    if not len(entropy_bits) == len(labels) == len(constant) or not 1 <= k < len(labels):
        raise ValueError(f"entropy_bits, labels and constant must have one entry per position and 1 <= k < "
                         f"{len(labels)}; got {len(entropy_bits)}, {len(labels)}, {len(constant)} and k={k}")
    lang = _lang(lang)
    order = sorted(range(len(labels)), key=lambda i: -entropy_bits[i])
    top, rest = order[:k], order[k:]
    mean_rest = sum(entropy_bits[i] for i in rest) / len(rest)
    named = and_join((words("diffuse.position", lang, position=i, label=labels[i], bits=entropy_bits[i])
                      for i in sorted(top)), lang=lang)
    head = words("diffuse.head", lang, positions=named, mean=mean_rest)
    if all(constant[i] for i in top):
        return head + words("diffuse.constant", lang)
    return head
