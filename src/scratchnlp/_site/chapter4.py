"""The wording of chapter 4's page (a faster word2vec): the sentences that read the build's run and the committed full
runs, and the words of the page's tables and figures.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows the
page's language (``SCRATCHNLP_LANG``). Not part of the library's API; see :mod:`scratchnlp._pages` for what every
page shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .wording import say

__all__ = ["TEMPLATES", "words", "epochs_note", "analogy_halves_sentence", "committed_runs_sentence"]

#: The words of chapter 4's page that its code produces, by language: the sentences of the ``*_sentence``
#: functions and :func:`epochs_note`, and the headers, captions, row labels, axis labels and legends of the page's
#: tables and figures (``"<table or figure>.<part>"``). Figure labels take no mathtext: Matplotlib's math fonts
#: have no Hangul.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "epochs.full": "the full length of the experiment",
        "epochs.more": "more than the {full} of the full experiment",
        "epochs.fewer": "fewer than the {full} of the full experiment, to fit the page's time budget",
        "halves.neither": "Neither half of the test has a question whose words are all in the vocabulary.",
        "halves.no_semantic": "None of the semantic questions can be asked: their words are missing from PTB's "
                              "vocabulary.",
        "halves.no_syntactic": "None of the syntactic questions can be asked: their words are missing from PTB's "
                               "vocabulary.",
        "halves.syntactic": "The syntactic questions, about word forms that a news corpus uses all the time, fare "
                            "better than the semantic ones.",
        "halves.semantic": "The semantic questions that can be asked at all fare no worse than the syntactic ones "
                           "here, but they are few: most semantic questions name cities and countries that PTB's "
                           "vocabulary lacks.",
        "committed.cbow": "In the committed runs, the book's algorithm (`cbow-ptb`) took {book_s:,.0f} s for "
                          "{epochs} epochs and the fast variant (`cbow-ptb-fast`) {fast_s:,.0f} s, {ratio:.1f} times "
                          "less, for an analogy accuracy of {acc_b:.2f}% against {acc_f:.2f}%.",
        "committed.skipgram": "For skip-gram the two took {book_s:,.0f} s and {fast_s:,.0f} s ({ratio:.1f} times "
                              "less).",
        "committed.same": "The build-time run repeats the committed `cbow-ptb-fast` run with the same settings and "
                          "seed, and reproduces its loss and its analogy score exactly; only the training time "
                          "differs.",
        "committed.differs": "The build-time run uses the same settings and seed as the committed `cbow-ptb-fast` "
                             "run, but its numbers differ from the committed ones: that run was made on another "
                             "machine, with other library versions, or both, and floating-point sums evaluated in "
                             "another order give slightly different results.",
        "committed.other_length": "The committed `cbow-ptb-fast` run trained for {fast_epochs} epochs, the "
                                  "build-time run for {build_epochs}, so their numbers differ.",
        "committed.none": "No committed results file was found when this page was built, so the table shows only "
                          "the build-time run.",
        "sampler.unigram": "unigram, power 1",
        "sampler.sampler": "sampler, power 0.75",
        "sampler.rank": "frequency rank (1 = most frequent)",
        "sampler.probability": "probability of being drawn",
        "sampler.ratio": "P(power 0.75) / P(power 1)",
        "cost.softmax": "SimpleCBOW, full softmax: forward + backward",
        "cost.ns": "CBOW, negative sampling: forward + backward",
        "cost.adam": "CBOW: forward + backward + Adam update",
        "cost.sparse": "CBOW, fast variant: forward + backward + sparse update",
        "cost.proportional": "proportional to V",
        "cost.xlabel": "vocabulary size V",
        "cost.ylabel": "milliseconds per step",
        "cost.pair": "{low:,} to {high:,}",
        "loss.window": "mean of {n} updates",
        "loss.epoch": "epoch mean",
        "loss.loss": "loss",
        "loss.iteration": "iteration",
        "loss.lr": "learning rate",
        "neighbours.query": "query",
        "neighbours.rank": "{k}.",
        "neighbours.caption": "The five nearest neighbours (cosine similarity) of the book's query words, with the "
                              "vectors trained when this page was built.",
        "analogies.question": "question",
        "analogies.expected": "expected",
        "analogies.top": "top 5 answers (expected in bold)",
        "analogies.rank": "rank of the expected answer",
        "analogies.caption": "The book's four analogies, answered by the vectors trained when this page was built.",
        "projection.months": "months",
        "projection.weekdays": "weekdays",
        "projection.companies": "companies",
        "projection.countries": "countries",
        "projection.currencies": "currencies",
        "projection.groups": "groups of words",
        "projection.tenses": "present and past tense",
        "projection.present": "present",
        "projection.past": "past",
        "projection.component": "component {n}",
        "runs.experiment": "experiment",
        "runs.epochs": "epochs",
        "runs.train_s": "training time (s)",
        "runs.loss": "final epoch loss",
        "runs.analogy": "analogy accuracy (%)",
        "runs.wordsim": "WordSim-353 ρ",
        "runs.simlex": "SimLex-999 ρ",
        "runs.cores": "cores",
        "runs.this_build": "`{name}` (**this build**)",
        "runs.committed": "`{name}` (committed)",
        "runs.caption": "The build-time run (first row) and the full runs committed as results files (the other "
                        "rows, read from [results/*.json]({results_url})). The loss is the mean negative-sampling "
                        "loss per target over the last epoch; CBOW and skip-gram losses are not comparable, since "
                        "skip-gram sums one loss per context word.",
        "power.power": "power",
        "power.top": "negatives among the {n} most frequent words (%)",
        "power.wordsim": "WordSim-353 ρ",
        "power.analogy": "analogy accuracy (%)",
        "power.function": "function-word neighbours (%)",
        "power.caption": "CBOW trained on PTB (epochs: {epochs}) with each power of the negative sampler, when this "
                         "page was built: the share of the sampler's draws that fall on the {n} most frequent "
                         "words, and the scores of the trained vectors, the mean over the seeds first and each "
                         "seed's value in brackets.",
        "power.xlabel": "power of the negative sampler",
        "metric.wordsim": "WordSim-353",
        "metric.analogy": "the analogies",
        "metric.function": "function-word neighbours",
        "softmax.model": "model",
        "softmax.time": "training time (s)",
        "softmax.jaccard": "top-10 neighbours in common (Jaccard)",
        "softmax.order": "similarity order (Spearman)",
        "softmax.human": "human scores, {n} pairs (Spearman)",
        "softmax.softmax": "softmax, seed {seed}",
        "softmax.negative": "negative sampling, k = {k}",
        "softmax.pair": "the two softmax models, with each other",
        "softmax.random": "random vectors",
        "softmax.caption": "Softmax CBOW and negative sampling on a {v}-word vocabulary, trained when this page was "
                           "built: agreement with the two softmax models (the mean over both) in the nearest "
                           "neighbours and in the order of the similarities of the {queries} most frequent words, "
                           "and the correlation with the WordSim-353 and SimLex-999 pairs whose two words are in "
                           "the vocabulary (the mean of the two sets' correlations, weighted by their numbers of "
                           "pairs).",
        "softmax.jaccard_axis": "neighbours in common\n(Jaccard)",
        "softmax.order_axis": "similarity order\n(Spearman)",
        "softmax.two": "two softmax models",
        "softmax.xlabel": "negatives k",
        "rare.count": "rarer word's count in PTB",
        "rare.pairs": "pairs",
        "rare.model": "{model}, seed {seed}",
        "rare.diff": "skip-gram − CBOW (seed 0), 95% interval",
        "rare.interval": "{diff} ({low} to {high})",
        "rare.caption": "Spearman's ρ with the human scores of the WordSim-353 and SimLex-999 pairs, by the PTB "
                        "count of the rarer word of each pair, for CBOW (power 0.75, two seeds) and skip-gram "
                        "trained on PTB (epochs: {epochs}) when this page was built; the last column is skip-gram's "
                        "ρ minus CBOW's, with a bootstrap interval over the pairs.",
        "rare.xlabel": "count of the rarer word in PTB",
        "rare.ylabel": "Spearman's ρ with human scores",
    },
    "ko": {
        "epochs.full": "실험의 원래 길이 그대로다",
        "epochs.more": "전체 실험의 {full}에폭보다 길다",
        "epochs.fewer": "페이지의 시간 예산에 맞추려고 전체 실험의 {full}에폭보다 짧게 잡았다",
        "halves.neither": "어느 쪽 절반에도 네 단어가 모두 어휘에 있는 문제가 없다.",
        "halves.no_semantic": "의미 문제는 하나도 물을 수 없다. 그 단어들이 PTB의 어휘에 없기 때문이다.",
        "halves.no_syntactic": "문법 문제는 하나도 물을 수 없다. 그 단어들이 PTB의 어휘에 없기 때문이다.",
        "halves.syntactic": "뉴스 말뭉치가 늘 쓰는 단어 형태를 묻는 문법 문제가 의미 문제보다 성적이 좋다.",
        "halves.semantic": "물을 수 있는 의미 문제의 성적은 여기서 문법 문제보다 나쁘지 않지만, 그 수가 적다. 의미 "
                           "문제 대부분은 PTB의 어휘에 없는 도시와 나라의 이름을 묻는다.",
        "committed.cbow": "커밋된 실행에서 책의 알고리즘(`cbow-ptb`)은 {epochs}에폭에 {book_s:,.0f}초, 빠른 "
                          "변형(`cbow-ptb-fast`)은 {fast_s:,.0f}초가 걸려 시간이 {ratio:.1f}배 짧았고, 유추 정확도는 "
                          "각각 {acc_b:.2f}%와 {acc_f:.2f}%였다.",
        "committed.skipgram": "skip-gram에서는 두 방식이 각각 {book_s:,.0f}초와 {fast_s:,.0f}초 걸렸다({ratio:.1f}배 "
                              "짧다).",
        "committed.same": "빌드 때의 실행은 커밋된 `cbow-ptb-fast` 실행을 같은 설정과 시드로 되풀이하며, 그 손실과 "
                          "유추 점수를 정확히 재현한다. 다른 것은 학습 시간뿐이다.",
        "committed.differs": "빌드 때의 실행은 커밋된 `cbow-ptb-fast` 실행과 설정도 시드도 같지만, 수치는 커밋된 "
                             "것과 다르다. 그 실행은 다른 컴퓨터나 다른 라이브러리 버전(또는 둘 다)에서 만들어졌고, "
                             "부동소수점 합은 더하는 순서가 다르면 결과가 조금씩 달라진다.",
        "committed.other_length": "커밋된 `cbow-ptb-fast` 실행은 {fast_epochs}에폭, 빌드 때의 실행은 "
                                  "{build_epochs}에폭 학습했으므로 수치가 서로 다르다.",
        "committed.none": "이 페이지를 빌드할 때 커밋된 결과 파일을 찾지 못해서, 표에는 빌드 때의 실행만 있다.",
        "sampler.unigram": "유니그램, 지수 1",
        "sampler.sampler": "샘플러, 지수 0.75",
        "sampler.rank": "빈도 순위(1 = 가장 빈번한 단어)",
        "sampler.probability": "뽑힐 확률",
        "sampler.ratio": "P(지수 0.75) / P(지수 1)",
        "cost.softmax": "SimpleCBOW, 전체 소프트맥스: 순전파 + 역전파",
        "cost.ns": "CBOW, 네거티브 샘플링: 순전파 + 역전파",
        "cost.adam": "CBOW: 순전파 + 역전파 + Adam 갱신",
        "cost.sparse": "CBOW, 빠른 변형: 순전파 + 역전파 + 희소 갱신",
        "cost.proportional": "V에 비례",
        "cost.xlabel": "어휘 수 V",
        "cost.ylabel": "한 단계의 시간(밀리초)",
        "cost.pair": "{low:,}~{high:,}",
        "loss.window": "갱신 {n}번의 평균",
        "loss.epoch": "에폭 평균",
        "loss.loss": "손실",
        "loss.iteration": "반복",
        "loss.lr": "학습률",
        "neighbours.query": "질의어",
        "neighbours.rank": "{k}.",
        "neighbours.caption": "책의 질의어들과 가장 가까운 이웃 다섯 개(코사인 유사도). 이 페이지를 빌드할 때 학습한 "
                              "벡터로 구했다.",
        "analogies.question": "문제",
        "analogies.expected": "정답",
        "analogies.top": "상위 5개 답(정답은 굵게)",
        "analogies.rank": "정답의 순위",
        "analogies.caption": "책의 유추 문제 네 개에 이 페이지를 빌드할 때 학습한 벡터가 낸 답.",
        "projection.months": "월",
        "projection.weekdays": "요일",
        "projection.companies": "회사",
        "projection.countries": "나라",
        "projection.currencies": "통화",
        "projection.groups": "단어 그룹",
        "projection.tenses": "현재형과 과거형",
        "projection.present": "현재형",
        "projection.past": "과거형",
        "projection.component": "주성분 {n}",
        "runs.experiment": "실험",
        "runs.epochs": "에폭",
        "runs.train_s": "학습 시간(초)",
        "runs.loss": "마지막 에폭의 손실",
        "runs.analogy": "유추 정확도(%)",
        "runs.wordsim": "WordSim-353 ρ",
        "runs.simlex": "SimLex-999 ρ",
        "runs.cores": "코어",
        "runs.this_build": "`{name}` (**이번 빌드**)",
        "runs.committed": "`{name}` (커밋됨)",
        "runs.caption": "빌드 때의 실행(첫 행)과 결과 파일로 커밋된 전체 실행(나머지 행, "
                        "[results/*.json]({results_url})에서 읽음). 손실은 마지막 에폭에서 타깃 하나당 네거티브 "
                        "샘플링 손실의 평균이다. skip-gram은 맥락 단어마다 손실을 하나씩 더하므로 CBOW의 손실과 "
                        "비교할 수 없다.",
        "power.power": "지수",
        "power.top": "빈도 상위 {n}개 단어에 떨어진 부정적 예(%)",
        "power.wordsim": "WordSim-353 ρ",
        "power.analogy": "유추 정확도(%)",
        "power.function": "기능어 이웃(%)",
        "power.caption": "네거티브 샘플러의 지수를 바꿔 가며 PTB로 학습한 CBOW(에폭: {epochs}). 이 페이지를 빌드할 때 "
                         "학습했다. 샘플러가 뽑은 단어 중 빈도 상위 {n}개 단어의 비율과 학습한 벡터의 점수를 "
                         "보인다. 점수는 시드들의 평균을 먼저, 괄호 안에 시드별 값을 적었다.",
        "power.xlabel": "네거티브 샘플러의 지수",
        "metric.wordsim": "WordSim-353",
        "metric.analogy": "유추",
        "metric.function": "기능어 이웃",
        "softmax.model": "모델",
        "softmax.time": "학습 시간(초)",
        "softmax.jaccard": "공통된 상위 10개 이웃(자카드)",
        "softmax.order": "유사도 순서(스피어먼)",
        "softmax.human": "사람의 점수, {n}쌍(스피어먼)",
        "softmax.softmax": "소프트맥스, 시드 {seed}",
        "softmax.negative": "네거티브 샘플링, k = {k}",
        "softmax.pair": "두 소프트맥스 모델끼리",
        "softmax.random": "무작위 벡터",
        "softmax.caption": "단어 {v}개의 어휘에서 학습한 소프트맥스 CBOW와 네거티브 샘플링. 이 페이지를 빌드할 때 "
                           "학습했다. 가장 빈번한 단어 {queries}개의 최근접 이웃과 유사도 순서가 두 소프트맥스 "
                           "모델과 얼마나 일치하는지(두 모델에 대한 평균), 그리고 두 단어가 모두 어휘에 있는 "
                           "WordSim-353과 SimLex-999 쌍과의 상관(두 데이터셋의 상관을 쌍의 수로 가중한 평균)을 "
                           "보인다.",
        "softmax.jaccard_axis": "공통 이웃\n(자카드)",
        "softmax.order_axis": "유사도 순서\n(스피어먼)",
        "softmax.two": "두 소프트맥스 모델",
        "softmax.xlabel": "부정적 예의 수 k",
        "rare.count": "PTB에서 더 드문 단어의 출현 횟수",
        "rare.pairs": "쌍",
        "rare.model": "{model}, 시드 {seed}",
        "rare.diff": "skip-gram − CBOW(시드 0), 95% 구간",
        "rare.interval": "{diff} ({low} ~ {high})",
        "rare.caption": "WordSim-353과 SimLex-999 쌍에서 사람의 점수와의 스피어먼 ρ를 쌍에서 더 드문 단어의 PTB "
                        "출현 횟수별로 나누어 보였다. CBOW(지수 0.75, 시드 두 개)와 skip-gram을 이 페이지를 빌드할 "
                        "때 PTB로 학습했다(에폭: {epochs}). 마지막 열은 skip-gram의 ρ에서 CBOW의 ρ를 뺀 값이며, "
                        "괄호 안은 쌍들을 다시 뽑은 부트스트랩 구간이다.",
        "rare.xlabel": "PTB에서 더 드문 단어의 출현 횟수",
        "rare.ylabel": "사람의 점수와의 스피어먼 ρ",
    },
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`).

    Raises
    ------
    ValueError
        When there is no wording ``key`` for the language.
    """
    return say(TEMPLATES, key, lang, **values)


def epochs_note(build_epochs: int, full_epochs: int, lang: str | None = None) -> str:
    """Whether a build-time run is the full experiment or a shortened one."""
    if build_epochs == full_epochs:
        return words("epochs.full", lang)
    if build_epochs > full_epochs:
        return words("epochs.more", lang, full=full_epochs)
    return words("epochs.fewer", lang, full=full_epochs)


def analogy_halves_sentence(semantic_accuracy: float | None, syntactic_accuracy: float | None,
                            lang: str | None = None) -> str:
    """Compare the semantic and syntactic halves of the analogy test (None: no question could be asked)."""
    if semantic_accuracy is None and syntactic_accuracy is None:
        return words("halves.neither", lang)
    if semantic_accuracy is None:
        return words("halves.no_semantic", lang)
    if syntactic_accuracy is None:
        return words("halves.no_syntactic", lang)
    if syntactic_accuracy > semantic_accuracy:
        return words("halves.syntactic", lang)
    return words("halves.semantic", lang)


def _train_s(run: Mapping[str, Any]) -> float:
    return float(run["wall_time"]["train_s"])


def committed_runs_sentence(committed: Mapping[str, Mapping[str, Any]], build_run: Mapping[str, Any],
                            lang: str | None = None) -> str:
    """Chapter 4's comparison of the committed full runs, and of the build-time run with the committed one.

    Parameters
    ----------
    committed : mapping of experiment name to its results
        The committed results files found (any of ``cbow-ptb``, ``cbow-ptb-fast``, ``skipgram-ptb``,
        ``skipgram-ptb-fast``).
    build_run : mapping
        The results of the ``cbow-ptb-fast`` run made when the page was built.
    lang : str, optional
        The language of the sentences (None: the page's).
    """
    parts = []
    if "cbow-ptb" in committed and "cbow-ptb-fast" in committed:
        book, fast = committed["cbow-ptb"], committed["cbow-ptb-fast"]
        acc_b = book["evaluation"]["analogy"]["accuracy"]
        acc_f = fast["evaluation"]["analogy"]["accuracy"]
        parts.append(words("committed.cbow", lang, book_s=_train_s(book), epochs=book["config"]["epochs"],
                           fast_s=_train_s(fast), ratio=_train_s(book) / _train_s(fast), acc_b=100 * acc_b,
                           acc_f=100 * acc_f))
    if "skipgram-ptb" in committed and "skipgram-ptb-fast" in committed:
        book, fast = committed["skipgram-ptb"], committed["skipgram-ptb-fast"]
        parts.append(words("committed.skipgram", lang, book_s=_train_s(book), fast_s=_train_s(fast),
                           ratio=_train_s(book) / _train_s(fast)))
    if "cbow-ptb-fast" in committed:
        fast = committed["cbow-ptb-fast"]
        same_settings = fast["config"]["epochs"] == build_run["config"]["epochs"]
        same_numbers = (
            fast["evaluation"]["analogy"]["correct"] == build_run["evaluation"]["analogy"]["correct"]
            and abs(fast["history"]["epoch_loss"][-1] - build_run["history"]["epoch_loss"][-1]) < 1e-9
        )
        if same_settings and same_numbers:
            parts.append(words("committed.same", lang))
        elif same_settings:
            parts.append(words("committed.differs", lang))
        else:
            parts.append(words("committed.other_length", lang, fast_epochs=fast["config"]["epochs"],
                               build_epochs=build_run["config"]["epochs"]))
    if not parts:
        parts.append(words("committed.none", lang))
    return " ".join(parts)
