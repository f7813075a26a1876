"""The wording of chapter 7's page (generation and seq2seq): the sentences that read the generated text and the
addition runs, and the words of the page's figures and table.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows the
page's language (``SCRATCHNLP_LANG``). Not part of the library's API; see :mod:`scratchnlp._pages` for what every
page shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scratchnlp._pages import md_text, times
from scratchnlp._site.chapter6 import better_samples
from scratchnlp._site.wording import say, table_header

__all__ = [
    "TEMPLATES",
    "COLUMNS",
    "words",
    "header",
    "repetition_sentence",
    "better_text",
    "better_text_sentence",
    "book_accuracy_sentence",
    "build_seq2seq_sentence",
    "near_misses_sentence",
    "seed_spread_sentence",
]

#: The words of chapter 7 that its code produces (the sentences glued into the text, the figures' labels and
#: legends, the table of answers), by language. Keys ``"<table>.<column>"`` are the column headers of the tables
#: listed in :data:`COLUMNS`.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "setting.temperature": "temperature {tau:g}",
        "rep.none": "At {setting}, no sentence of the text occurs twice.",
        "better_text.missing": "No committed results of `better-rnnlm-ptb` hold a text written by its model, so this "
                               "page cannot show one.",
        "better_text.done": "The committed run kept the parameters of epoch {best} of its {done} (test perplexity "
                            "{test:.1f}); with the same rules as the text above, they wrote this from `you`:",
        "better_text.in_progress": "The committed run is still training ({done} of {planned} epochs done when its "
                                   "results were last written); the parameters it kept, those of epoch {best} (test "
                                   "perplexity {test:.1f}), wrote this from `you`, with the same rules as the text "
                                   "above:",
        "rep.loop": "At {setting}, the text goes round in a loop: the sentence \u201c{sentence}\u201d occurs {times}.",
        "book.missing": "No results file of `{experiment}` was found when this page was built, so only the book's "
                        "figure, about {book:.0f}%, can be given here.",
        "book.close": "The committed run of `{experiment}` ends at {ours:.1f}% after {epochs} epochs, close to the "
                      "book's {book:.0f}% or so.",
        "book.above": "The committed run of `{experiment}` ends at {ours:.1f}% after {epochs} epochs, above the "
                      "book's {book:.0f}% or so; runs this short still depend a lot on the seed.",
        "book.below": "The committed run of `{experiment}` ends at {ours:.1f}% after {epochs} epochs, below the "
                      "book's {book:.0f}% or so; runs this short still depend a lot on the seed.",
        "build.nothing": "No results file of the full run was found when this page was built, so there is nothing "
                         "to compare.",
        "build.less": "That is less than one epoch of the full run, which is first tested after its first epoch, at "
                      "{first:.1f}%.",
        "build.more": "That is more questions than the full run saw in its {epochs} epochs, after which it answered "
                      "{last:.1f}%.",
        "build.epoch_one": "epoch",
        "build.epoch_many": "epochs",
        "build.same": "The full run, which reads all {full_train:,} training questions each epoch, had seen about as "
                      "many after {whole} {unit} and then answered {theirs:.1f}%: about the same, so repeating a "
                      "smaller set of questions has not hurt yet.",
        "build.full_lower": "The full run, which reads all {full_train:,} training questions each epoch, had seen "
                            "about as many after {whole} {unit} and then answered {theirs:.1f}%, less than the "
                            "build-time run; at this stage the accuracy changes quickly from epoch to epoch, and the "
                            "build-time run had a few more steps (the comparison rounds down to whole epochs).",
        "build.full_higher": "The full run, which reads all {full_train:,} training questions each epoch, had seen "
                             "about as many after {whole} {unit} and then answered {theirs:.1f}%, more than the "
                             "build-time run: seeing the same few questions again teaches less than new ones.",
        "who.baseline": "the baseline",
        "near.missing": "Without a results file for {who}, its answers cannot be shown.",
        "near.all": "All {n} of {who}'s answers here are right.",
        "near.every_one": "{Who} is rarely far off. Its one wrong answer has the right number of digits and the "
                          "right first digit: the size of the sum is right, and the mistakes are in the digits "
                          "after it.",
        "near.every_many": "{Who} is rarely far off. Each of its {n} wrong answers has the right number of digits "
                           "and the right first digit: the size of the sum is right, and the mistakes are in the "
                           "digits after it.",
        "near.none": "None of {who}'s {n} wrong answers here has both the right number of digits and the right "
                     "first digit.",
        "near.some": "{near} of {who}'s {n} wrong answers here have the right number of digits and the right first "
                     "digit, so the size of the sum is right and the mistakes are in the digits after it.",
        "seeds.sentence": "Run with {n} different seeds (the committed files in results/ and results/seeds/), the "
                          "same experiment ends epoch {epochs} between {lo:.2f}% and {hi:.2f}% (mean {mean:.2f}%); "
                          "the book's {book:.2f}% is {where}.",
        "seeds.inside": "inside that range",
        "seeds.below": "below all of them",
        "seeds.above": "above all of them",
        "fig.probability": "probability of being the next word",
        "fig.temperature": "temperature τ",
        "fig.effective": "effective number of choices",
        "fig.epoch": "epoch (passes over {n:,} questions)",
        "fig.accuracy": "test accuracy (%)",
        "fig.book": "{label}, the book",
        "run.baseline": "baseline",
        "run.reversed": "reversed",
        "run.peeky": "reversed + peeky",
        "run.short": "this build (reversed + peeky, short)",
        "examples.question": "question",
        "examples.answer": "answer",
        "examples.baseline": "baseline",
        "examples.reversed": "reversed",
        "examples.peeky": "reversed + peeky",
        "examples.build": "this build",
        "examples.caption": "The first {n} test questions, their answers, and the answers of the three committed "
                            "full runs after {epochs} epochs (read from {results}) and of this page's short run; "
                            "✓ right, ✗ wrong (every character must be right).{note}",
        "examples.missing": " No results file was found for: {runs} (–).",
    },
    "ko": {
        "setting.temperature": "온도 {tau:g}",
        "rep.none": "{setting}에서는 두 번 나오는 문장이 없다.",
        "better_text.missing": "`better-rnnlm-ptb`의 커밋된 결과 가운데 모델이 쓴 글을 담은 것이 없으므로, 이 "
                               "페이지는 그 글을 보여 줄 수 없다.",
        "better_text.done": "커밋된 실행은 {done}에폭 가운데 {best}번째 에폭의 매개변수를 보존했다(테스트 "
                            "퍼플렉서티 {test:.1f}). 그 매개변수가 위 글과 같은 규칙으로 `you`에서 시작해 쓴 글은 "
                            "다음과 같다.",
        "better_text.in_progress": "커밋된 실행은 아직 학습 중이다(결과를 마지막으로 기록했을 때 {planned}에폭 가운데 "
                                   "{done}에폭을 마쳤다). 지금까지 보존한 {best}번째 에폭의 매개변수(테스트 퍼플렉서티 "
                                   "{test:.1f})가 위 글과 같은 규칙으로 `you`에서 시작해 쓴 글은 다음과 같다.",
        "rep.loop": "{setting}에서는 글이 같은 자리를 맴돈다. \u201c{sentence}\u201d라는 문장이 {times} 나온다.",
        "book.missing": "이 페이지를 빌드할 때 `{experiment}`의 결과 파일을 찾지 못했으므로, 여기서는 책의 수치인 "
                        "약 {book:.0f}%만 제시한다.",
        "book.close": "저장소에 커밋된 `{experiment}` 실행은 {epochs}에폭 뒤 정확도 {ours:.1f}%로 끝나며, 책의 "
                      "약 {book:.0f}%에 가깝다.",
        "book.above": "저장소에 커밋된 `{experiment}` 실행은 {epochs}에폭 뒤 정확도 {ours:.1f}%로 끝나며, 책의 "
                      "약 {book:.0f}%보다 높다. 이만큼 짧은 실행은 아직 시드에 따라 결과가 크게 달라진다.",
        "book.below": "저장소에 커밋된 `{experiment}` 실행은 {epochs}에폭 뒤 정확도 {ours:.1f}%로 끝나며, 책의 "
                      "약 {book:.0f}%보다 낮다. 이만큼 짧은 실행은 아직 시드에 따라 결과가 크게 달라진다.",
        "build.nothing": "이 페이지를 빌드할 때 전체 실행의 결과 파일을 찾지 못해 비교할 대상이 없다.",
        "build.less": "짧은 실행이 학습한 질문 수는 전체 실행의 1에폭에도 못 미친다. 전체 실행은 첫 에폭을 마친 "
                      "뒤에야 처음 평가되며, 그때 정확도는 {first:.1f}%였다.",
        "build.more": "짧은 실행이 학습한 질문 수는 전체 실행이 {epochs}에폭 동안 본 것보다 많다. 전체 실행은 그 "
                      "뒤 {last:.1f}%를 맞혔다.",
        "build.epoch_one": "에폭",
        "build.epoch_many": "에폭",
        "build.same": "에폭마다 학습 질문 {full_train:,}개를 모두 읽는 전체 실행은 {whole}{unit} 뒤에 짧은 실행과 "
                      "비슷한 수의 질문을 보았고, 그때 {theirs:.1f}%를 맞혔다. 거의 같으므로, 더 작은 질문 집합을 "
                      "되풀이한 것이 아직은 손해가 되지 않았다.",
        "build.full_lower": "에폭마다 학습 질문 {full_train:,}개를 모두 읽는 전체 실행은 {whole}{unit} 뒤에 "
                            "짧은 실행과 비슷한 수의 질문을 보았고, 그때 {theirs:.1f}%를 맞혀 짧은 실행보다 "
                            "낮았다. 이 단계에서는 정확도가 에폭마다 빠르게 바뀌고, 짧은 실행은 몇 스텝 더 "
                            "학습했다(비교는 에폭 단위로 내림해서 했다).",
        "build.full_higher": "에폭마다 학습 질문 {full_train:,}개를 모두 읽는 전체 실행은 {whole}{unit} 뒤에 "
                             "짧은 실행과 비슷한 수의 질문을 보았고, 그때 {theirs:.1f}%를 맞혀 짧은 실행보다 "
                             "높았다. 같은 질문 몇 개를 다시 보는 것은 새 질문을 보는 것보다 배우는 것이 적다.",
        "who.baseline": "기준 모델",
        "near.missing": "{who}의 결과 파일이 없어 답을 보여 줄 수 없다.",
        "near.all": "여기 나온 {who}의 답 {n}개는 모두 맞았다.",
        "near.every_one": "{Who}의 답은 크게 빗나가는 일이 드물다. 하나뿐인 틀린 답도 자릿수와 첫 자리 숫자는 "
                          "맞았다. 합의 크기는 맞았고, 틀린 곳은 그 뒤의 자리다.",
        "near.every_many": "{Who}의 답은 크게 빗나가는 일이 드물다. 틀린 답 {n}개 모두 자릿수와 첫 자리 숫자는 "
                           "맞았다. 합의 크기는 맞았고, 틀린 곳은 그 뒤의 자리다.",
        "near.none": "여기 나온 {who}의 틀린 답 {n}개 중 자릿수와 첫 자리 숫자가 둘 다 맞은 답은 하나도 없다.",
        "near.some": "여기 나온 {who}의 틀린 답 {n}개 중 {near}개는 자릿수와 첫 자리 숫자가 맞았다. 합의 크기는 "
                     "맞았고 틀린 곳은 그 뒤의 자리라는 뜻이다.",
        "seeds.sentence": "같은 실험을 서로 다른 시드 {n}개로 실행하면(results/와 results/seeds/에 커밋된 파일) "
                          "{epochs}에폭을 마쳤을 때의 정확도가 {lo:.2f}%에서 {hi:.2f}% 사이다(평균 {mean:.2f}%). "
                          "책의 {book:.2f}%는 {where}.",
        "seeds.inside": "이 범위 안에 든다",
        "seeds.below": "이 값들보다 모두 낮다",
        "seeds.above": "이 값들보다 모두 높다",
        "fig.probability": "다음 단어일 확률",
        "fig.temperature": "온도 τ",
        "fig.effective": "실질적인 선택지 수",
        "fig.epoch": "에폭(1에폭 = 질문 {n:,}개)",
        "fig.accuracy": "테스트 정확도(%)",
        "fig.book": "{label}(책)",
        "run.baseline": "기준 모델",
        "run.reversed": "입력 반전",
        "run.peeky": "입력 반전 + 엿보기",
        "run.short": "이번 빌드(입력 반전 + 엿보기, 짧은 실행)",
        "examples.question": "질문",
        "examples.answer": "정답",
        "examples.baseline": "기준 모델",
        "examples.reversed": "입력 반전",
        "examples.peeky": "입력 반전 + 엿보기",
        "examples.build": "이번 빌드",
        "examples.caption": "테스트 질문 중 처음 {n}개와 그 정답, 그리고 커밋된 세 전체 실행이 {epochs}에폭 뒤에 "
                            "낸 답({results}에서 읽음)과 이 페이지의 짧은 실행이 낸 답. ✓는 맞음, ✗는 틀림이다"
                            "(모든 문자가 맞아야 맞은 답이다).{note}",
        "examples.missing": " 결과 파일을 찾지 못한 실행: {runs}(–).",
    },
}

#: The columns of the page's tables, in order: their headers are the ``"<table>.<column>"`` templates.
COLUMNS: dict[str, tuple[str, ...]] = {
    "examples": ("question", "answer", "baseline", "reversed", "peeky", "build"),
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


def better_text(results: Mapping[str, Any] | None) -> str | None:
    """The text the kept model of the committed ``better-rnnlm-ptb`` run wrote from "you", the book's beginning
    (chapter 7.1.3), with each ``<eos>`` as the end of a sentence; None when the results hold none."""
    texts = dict(better_samples(results))
    return texts.get("you")


def better_text_sentence(results: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """Which model wrote :func:`better_text`: the kept epoch, its test perplexity and how far the run had got, or
    that there is no such text (chapter 7.1.3)."""
    if results is None or better_text(results) is None:
        return words("better_text.missing", lang)
    history = results["history"]
    done = len(history["valid_perplexity"])
    key = "better_text.in_progress" if results.get("partial") else "better_text.done"
    return words(key, lang, best=int(history["best_epoch"]), done=done, test=results["evaluation"]["test_perplexity"],
                 planned=int(results.get("epochs_planned") or done))


def repetition_sentence(sentences: Sequence[str], setting: str, lang: str | None = None) -> str:
    """Whether a generated text repeats one of its sentences word for word (chapter 7.1).

    Parameters
    ----------
    sentences : sequence of str
        The text cut into sentences (empty ones are ignored); the last may be unfinished.
    setting : str
        How the text was made, as the sentence names it, e.g. ``"temperature 0"`` (``words("setting.temperature",
        tau=0)`` in the page's language).
    lang : str, optional
        The sentence's language; None: the page's.
    """
    counts: dict[str, int] = {}
    for sentence in sentences:
        key = " ".join(str(sentence).split())
        if key:
            counts[key] = counts.get(key, 0) + 1
    if not counts:
        raise ValueError("no sentence to look at: the text is empty")
    most = max(counts.values())
    if most < 2:
        return words("rep.none", lang, setting=setting)
    repeated = next(s for s, n in counts.items() if n == most)  # the first to reach the count, in text order
    return words("rep.loop", lang, setting=setting, sentence=md_text(repeated), times=times(most, lang))


def book_accuracy_sentence(ours: float | None, book: float, *, experiment: str, epochs: int,
                           close: float = 0.05, lang: str | None = None) -> str:
    """How a committed seq2seq run's final test accuracy compares with the one the book reports (chapter 7.4).

    Parameters
    ----------
    ours : float or None
        The committed run's test accuracy after its last epoch, a fraction; None when its results file is
        missing.
    book : float
        The book's figure, a fraction.
    experiment : str
        The experiment's name (its results file is ``results/<experiment>.json``).
    epochs : int
        The committed run's epochs.
    close : float, default 0.05
        Accuracies closer than this (5 points of percentage) count as the same result.
    lang : str, optional
        The sentence's language; None: the page's.
    """
    if not 0 <= book <= 1 or (ours is not None and not 0 <= ours <= 1):
        raise ValueError(f"accuracies are fractions in [0, 1], got {ours} and {book}")
    if ours is None:
        return words("book.missing", lang, experiment=experiment, book=100 * book)
    key = "book.close" if abs(ours - book) <= close else "book.above" if ours > book else "book.below"
    return words(key, lang, experiment=experiment, ours=100 * ours, epochs=epochs, book=100 * book)


def build_seq2seq_sentence(accuracy: float, questions_seen: int, full_curve: Sequence[float] | None,
                           full_train: int, close: float = 0.02, lang: str | None = None) -> str:
    """Compare a short build-time seq2seq run with the committed full run after as many training questions.

    Parameters
    ----------
    accuracy : float
        The build-time run's test accuracy at its end, a fraction.
    questions_seen : int
        Training questions the build-time run went through (epochs times its training questions).
    full_curve : sequence of float or None
        The committed run's test accuracy after each epoch (None: no results file).
    full_train : int
        The committed run's training questions per epoch.
    close : float, default 0.02
        Accuracies closer than this count as the same.
    lang : str, optional
        The sentence's language; None: the page's.
    """
    if questions_seen < 1 or full_train < 1 or not 0 <= accuracy <= 1:
        raise ValueError(f"need questions_seen, full_train >= 1 and an accuracy in [0, 1], got {questions_seen}, "
                         f"{full_train} and {accuracy}")
    if not full_curve:
        return words("build.nothing", lang)
    whole = questions_seen // full_train  # full epochs with no more questions than the build-time run saw
    if whole == 0:
        return words("build.less", lang, first=100 * full_curve[0])
    if whole > len(full_curve):
        return words("build.more", lang, epochs=len(full_curve), last=100 * full_curve[-1])
    theirs = full_curve[whole - 1]
    key = ("build.same" if abs(accuracy - theirs) <= close else
           "build.full_lower" if accuracy > theirs else "build.full_higher")
    unit = words("build.epoch_one" if whole == 1 else "build.epoch_many", lang)
    return words(key, lang, full_train=full_train, whole=whole, unit=unit, theirs=100 * theirs)


def near_misses_sentence(examples: Sequence[Mapping[str, Any]] | None, who: str, lang: str | None = None) -> str:
    """How close a seq2seq model's wrong answers are: same number of digits and same first digit (chapter 7.3.4).

    Parameters
    ----------
    examples : sequence of mappings, or None
        ``{"answer", "guess", "correct"}`` per question, as
        :func:`scratchnlp.evaluation.evaluate_seq2seq` records them (padded strings); None when the run's results
        file is missing.
    who : str
        The model, as the sentence names it, e.g. ``"the baseline"`` (``words("who.baseline")`` in the page's
        language).
    lang : str, optional
        The sentence's language; None: the page's.
    """
    if examples is None:
        return words("near.missing", lang, who=who)
    if not examples:
        raise ValueError("no examples to look at")
    wrong = [(str(e["answer"]).strip(), str(e["guess"]).strip()) for e in examples if not e["correct"]]
    if not wrong:
        return words("near.all", lang, n=len(examples), who=who)
    near = sum(1 for answer, guess in wrong if len(guess) == len(answer) and guess[:1] == answer[:1])
    n = len(wrong)
    if near == n:
        key = "near.every_one" if n == 1 else "near.every_many"
        return words(key, lang, Who=f"{who[0].upper()}{who[1:]}", n=n)
    if near == 0:
        return words("near.none", lang, who=who, n=n)
    return words("near.some", lang, near=near, who=who, n=n)


def seed_spread_sentence(finals: Mapping[int, float], book: float, epochs: int, lang: str | None = None) -> str:
    """The spread of one experiment's final accuracy over several seeds, against the book's figure (chapter 7.4).

    Parameters
    ----------
    finals : mapping of seed to the test accuracy after the last epoch (fractions), two or more seeds
    book : the book's figure, a fraction
    epochs : the runs' epochs
    lang : the sentence's language; None: the page's
    """
    if len(finals) < 2 or any(not 0 <= a <= 1 for a in finals.values()) or not 0 <= book <= 1:
        raise ValueError(f"need two or more accuracies and the book's, all fractions in [0, 1]; got {dict(finals)} "
                         f"and {book}")
    lo, hi = min(finals.values()), max(finals.values())
    mean = sum(finals.values()) / len(finals)
    where = words("seeds.inside" if lo <= book <= hi else "seeds.below" if book < lo else "seeds.above", lang)
    return words("seeds.sentence", lang, n=len(finals), epochs=epochs, lo=100 * lo, hi=100 * hi, mean=100 * mean,
                 book=100 * book, where=where)
