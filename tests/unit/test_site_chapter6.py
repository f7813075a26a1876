"""Unit tests of scratchnlp._site.chapter6, the wording of one page of the site."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from scratchnlp._site import chapter6

ROOT = Path(__file__).resolve().parents[2]


def test_gradient_fate_sentence_every_branch() -> None:
    all_three = chapter6.gradient_fate_sentence({"a": 1e-6, "b": 0.5, "c": 1e5, "d": 1e-4}, 40)
    assert all_three == (
        "With a and d the gradient vanishes: 40 steps back it is less than 0.001 times its size at the last step. "
        "With c it explodes, growing more than 1000-fold over 40 steps. "
        "With b it stays between 0.001 and 1000 times its starting size over 40 steps: neither vanished nor "
        "exploded yet.")
    assert chapter6.gradient_fate_sentence({"a": 1e-9}, 5).startswith("With a the gradient vanishes")
    assert chapter6.gradient_fate_sentence({"a": 1e9}, 5).startswith("With a the gradient explodes")
    steady = chapter6.gradient_fate_sentence({"a": 1.0, "b": 2.0}, 5)
    assert steady.startswith("With a and b the gradient stays between")
    assert "With b it stays" in chapter6.gradient_fate_sentence({"a": 1e9, "b": 2.0}, 5)
    with pytest.raises(ValueError, match="at least one setting"):
        chapter6.gradient_fate_sentence({}, 5)
    with pytest.raises(ValueError, match="at least one setting"):
        chapter6.gradient_fate_sentence({"a": 1.0}, 0)
    with pytest.raises(ValueError, match="finite"):
        chapter6.gradient_fate_sentence({"a": float("inf")}, 5)


def test_clipping_sentence_every_branch() -> None:
    assert chapter6.clipping_sentence([0.1, 0.2], 0.25) == (
        "The gradient norm never exceeded 0.25 in these 2 iterations, so clipping never changed an update.")
    assert "in every one of the 3 iterations" in chapter6.clipping_sentence([1.0, 2.0, 3.0], 0.25)
    early = chapter6.clipping_sentence([5.0, 1.0, 0.1, 0.1], 0.25)
    assert early.startswith("Clipping changed 2 of the 4 updates (50%): 2 in the first half of the run and 0 in "
                            "the second.") and "mostly early" in early
    late = chapter6.clipping_sentence([0.1, 0.1, 0.1, 1.0], 0.25)
    assert "1 of the 4 updates (25%): 0 in the first half" in late and "later in the run" in late
    even = chapter6.clipping_sentence([1.0, 0.1, 1.0, 0.1], 0.25)
    assert even.endswith("1 in the first half of the run and 1 in the second.")
    with pytest.raises(ValueError, match="at least one norm"):
        chapter6.clipping_sentence([], 0.25)
    with pytest.raises(ValueError, match="max_grad > 0"):
        chapter6.clipping_sentence([1.0], 0.0)


def test_book_weights_sentence_every_branch() -> None:
    same = chapter6.book_weights_sentence(136.08, 136)
    assert same.startswith("With the book's own weights, the library's `Rnnlm` scores a test perplexity of 136.08; "
                           "the book reports about 136.")
    assert "above the book's figure of about 136" in chapter6.book_weights_sentence(140.0, 136)
    assert "below the book's figure of about 136" in chapter6.book_weights_sentence(120.0, 136)
    with pytest.raises(ValueError, match="finite"):
        chapter6.book_weights_sentence(float("nan"), 136)


def _better(valid: list[float], best: int, test: float = 80.0, corpus_size: int = 0) -> dict:
    return {"history": {"valid_perplexity": valid, "best_epoch": best},
            "evaluation": {"test_perplexity": test}, "config": {"corpus_size": corpus_size}}


def test_better_rnnlm_sentence_every_branch() -> None:
    cmd = "scratchnlp run better-rnnlm-ptb"
    missing = chapter6.better_rnnlm_sentence(None, 40, 75.8, cmd)
    assert missing.startswith("No committed run of `better-rnnlm-ptb` exists yet") and f"`{cmd}`" in missing
    short = chapter6.better_rnnlm_sentence(_better([120.0, 100.0, 95.0], 3), 40, 75.8, cmd)
    assert short == (
        "The committed run trained 3 of the book's 40 epochs, so it is a shorter run than the book's. "
        "Its validation perplexity was still falling at its last epoch (95.0), so the run had not finished "
        "improving. The kept parameters score a test perplexity of 80.0, against the book's 75.8 after 40 epochs.")
    full = chapter6.better_rnnlm_sentence(_better([120.0, 90.0, 95.0], 2), 3, 75.8, cmd)
    assert full.startswith("The committed run trained all 3 epochs of the book's settings.")
    assert "Its best validation perplexity, 90.0, came at epoch 2" in full
    more = chapter6.better_rnnlm_sentence(_better([120.0, 90.0], 2, corpus_size=5000), 1, 75.8, cmd)
    assert "trained 2 epochs, more than the book's 1" in more and "first 5,000 words" in more
    partial = _better([120.0, 100.0, 95.0], 3) | {"partial": True, "epochs_completed": 3, "epochs_planned": 40}
    progress = chapter6.better_rnnlm_sentence(partial, 40, 75.8, cmd)
    assert progress.startswith("The committed run is a 40-epoch run still in progress: 3 of its 40 epochs were "
                               "done when its results were last written")
    assert progress.endswith("against the book's 75.8 after 40 epochs.")
    assert "단어" not in chapter6.better_rnnlm_sentence(partial, 40, 75.8, cmd, lang="ko")
    assert "40에폭 가운데 3에폭을 마쳤으며" in chapter6.better_rnnlm_sentence(partial, 40, 75.8, cmd, lang="ko")
    with pytest.raises(ValueError, match="no epoch"):
        chapter6.better_rnnlm_sentence(_better([], 1), 40, 75.8, cmd)
    with pytest.raises(ValueError, match="book_epochs"):
        chapter6.better_rnnlm_sentence(None, 0, 75.8, cmd)


def test_better_rnnlm_sentence_tells_a_flat_last_epoch_from_a_falling_one() -> None:
    cmd = "scratchnlp run better-rnnlm-ptb"
    flat = _better([120.0, 80.0584, 80.0570], 3)
    flat["history"]["lr"] = [20.0, 0.078125, 0.01953125]
    sentence = chapter6.better_rnnlm_sentence(flat, 3, 75.8, cmd)
    assert ("Its validation perplexity still fell at its last epoch, but only by 0.001, to 80.06: with the "
            "learning rate down to 0.0195, the run had all but stopped improving.") in sentence
    assert "그 폭은 0.001(80.06까지)에 그쳤다" in chapter6.better_rnnlm_sentence(flat, 3, 75.8, cmd, lang="ko")
    # the same gain is a fall worth the name when the threshold is lower
    assert "was still falling at its last epoch (80.1)" in chapter6.better_rnnlm_sentence(flat, 3, 75.8, cmd,
                                                                                          flat=1e-6)
    # a run that records no learning rates gets the plain sentence
    del flat["history"]["lr"]
    assert "was still falling" in chapter6.better_rnnlm_sentence(flat, 3, 75.8, cmd)


def test_better_rnnlm_sentence_says_the_median_epoch_time_and_the_machine() -> None:
    cpu = {"device": "cpu", "cpu_count": 2, "machine": "x86_64", "numpy": "2.4.6"}
    timed = _better([120.0, 100.0, 95.0], 3)
    timed["history"] |= {"epoch_time": [480.0, 6000.0, 540.0],
                         "epoch_log": [{"epoch": e, "machine": cpu} for e in (1, 2, 3)]}
    cmd = "scratchnlp run better-rnnlm-ptb"
    # the median: an epoch paused or slowed by other work does not move it
    assert chapter6.better_rnnlm_sentence(timed, 40, 75.8, cmd).endswith(
        "75.8 after 40 epochs. On a 2-core x86_64 CPU with NumPy 2.4.6, an epoch took a median of 9.0 minutes.")
    assert chapter6.better_rnnlm_sentence(timed, 40, 75.8, cmd, lang="ko").endswith(
        "2코어 x86_64 CPU(NumPy 2.4.6)에서 에폭 하나에 걸린 시간의 중앙값은 9.0분이다.")
    timed["history"]["epoch_log"][2]["machine"] = cpu | {"device": "gpu"}
    assert "On more than one machine (the results file records which one" in chapter6.better_rnnlm_sentence(
        timed, 40, 75.8, cmd)
    timed["history"]["epoch_log"] = []
    timed["machine"] = cpu | {"device": "gpu"}
    assert chapter6.better_rnnlm_sentence(timed, 40, 75.8, cmd).endswith("On a GPU with CuPy, an epoch took a "
                                                                          "median of 9.0 minutes.")
    assert "On " not in chapter6.better_rnnlm_sentence(_better([120.0], 1), 40, 75.8, cmd)


def test_better_summary_sentence_every_branch() -> None:
    assert chapter6.better_summary_sentence(None) == ""
    done = _better([120.0, 90.0, 95.0], 2, test=76.84)
    assert chapter6.better_summary_sentence(done) == "The library's committed run reaches 76.8 after 3 epochs."
    assert chapter6.better_summary_sentence(done, lang="ko") == "라이브러리의 커밋된 실행은 3에폭 학습한 뒤 76.8에 " \
                                                                "이른다."
    partial = done | {"partial": True}
    assert chapter6.better_summary_sentence(partial) == ("The library's run, still in progress, reaches 76.8 with the "
                                                         "best of its first 3 epochs (epoch 2).")
    assert "처음 3에폭 가운데 가장 좋은 2번째 에폭" in chapter6.better_summary_sentence(partial, lang="ko")
    with pytest.raises(ValueError, match="no epoch"):
        chapter6.better_summary_sentence(_better([], 1))


def _with_samples(texts: list[tuple[str, str]], best: int = 7) -> dict:
    return _better([90.0] * best, best) | {"evaluation": {"test_perplexity": 80.0, "samples": [
        {"prompt": prompt, "seed": [0, i], "text": text} for i, (prompt, text) in enumerate(texts)]}}


def test_better_samples_write_each_eos_as_the_end_of_a_sentence() -> None:
    run = _with_samples([("you", "you say so <eos> he did <eos>"), ("the meaning", "the meaning of it <eos> no")])
    assert chapter6.better_samples(run) == [("you", "you say so.\nhe did."), ("the meaning", "the meaning of it.\nno")]
    assert chapter6.better_samples(None) == [] and chapter6.better_samples(_better([90.0], 1)) == []
    with pytest.raises(ValueError, match="starts with it"):
        chapter6.better_samples(_with_samples([("you", "we say")]))


def test_better_samples_sentence_every_branch() -> None:
    assert chapter6.better_samples_sentence(None) == ""
    none = chapter6.better_samples_sentence(_better([90.0], 1))
    assert none.startswith("The committed results hold no text written by the model")
    same = chapter6.better_samples_sentence(_with_samples([("you", "you a b"), ("the end", "the end c")]))
    assert same.startswith("The kept parameters (epoch 7) continue the book's beginnings `you` and `the end` below, "
                           "3 words each, the beginning included.")
    mixed = chapter6.better_samples_sentence(_with_samples([("you", "you a b"), ("the end", "the end")]))
    assert "words each" not in mixed and "`you` and `the end` below." in mixed
    with_eos = chapter6.better_samples_sentence(_with_samples([("you", "you a <eos>"), ("the end", "the end c")]))
    assert "3 words each" in with_eos  # <eos> is one of the model's words
    with pytest.raises(ValueError, match="starts with it"):
        chapter6.better_samples_sentence(_with_samples([("you", "we a b")]))
    ko = chapter6.better_samples_sentence(_with_samples([("you", "you a b"), ("the end", "the end c")]), lang="ko")
    assert ko.startswith("아래는 보존한 매개변수(7번째 에폭)가 책의 시작 문구 `you` 및 `the end`에 이어 쓴 글이다.")
    assert "각각 3단어다" in ko


# --- the Korean wording ------------------------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_in_both_languages_with_the_same_placeholders() -> None:
    en, ko = chapter6.TEMPLATES["en"], chapter6.TEMPLATES["ko"]
    assert set(en) == set(ko)
    for key in en:
        assert _fields(en[key]) == _fields(ko[key]), key
        assert ko[key].strip(), key


def test_headers_in_both_languages() -> None:
    for table, columns in chapter6.COLUMNS.items():
        assert len(chapter6.header(table, "en")) == len(chapter6.header(table, "ko")) == len(columns)
    assert chapter6.header("runs", "ko") == ["실행", "학습", "테스트 퍼플렉서티", "수치의 출처"]
    with pytest.raises(ValueError, match="no table"):
        chapter6.header("nope")
    assert chapter6.words("better.best_epoch", "ko").format(3) == "최고 에폭(3)"
    assert chapter6.words("better.best_epoch", "en").format(3) == "best epoch (3)"


def test_page_wording_follows_the_page_language(monkeypatch) -> None:
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert chapter6.words("variant.base") == "세 가지 모두"
    assert chapter6.clipping_sentence([0.1], 0.25).startswith("기울기 노름은")
    monkeypatch.setenv("SCRATCHNLP_LANG", "en")
    assert chapter6.words("variant.base") == "all three"


def _hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def test_gradient_fate_sentence_in_korean() -> None:
    all_three = chapter6.gradient_fate_sentence({"a": 1e-6, "b": 0.5, "c": 1e5, "d": 1e-4}, 40, lang="ko")
    assert all_three == (
        "a 및 d에서는 기울기가 소실된다. 40시각 거슬러 올라가면 마지막 시각에서의 크기의 0.001배보다도 작다. "
        "c에서는 기울기가 폭발하여 40시각 동안 1000배 넘게 커진다. "
        "b에서는 기울기가 40시각 동안 처음 크기의 0.001배에서 1000배 사이에 머문다. 아직 소실되지도 폭발하지도 "
        "않았다.")
    assert chapter6.gradient_fate_sentence({"a": 1e9}, 5, lang="ko").startswith("a에서는 기울기가 폭발하여")
    assert chapter6.gradient_fate_sentence({"a": 1.0, "b": 2.0}, 5, lang="ko").startswith("a 및 b에서는 기울기가 5시각")


def test_clipping_sentence_in_korean() -> None:
    assert chapter6.clipping_sentence([0.1, 0.2], 0.25, lang="ko") == (
        "기울기 노름은 이번 2회의 반복 동안 한 번도 0.25보다 커지지 않았다. 따라서 클리핑이 갱신을 바꾼 적은 없다.")
    assert "3회의 반복 모두에서 0.25보다 컸으므로" in chapter6.clipping_sentence([1.0, 2.0, 3.0], 0.25, lang="ko")
    early = chapter6.clipping_sentence([5.0, 1.0, 0.1, 0.1], 0.25, lang="ko")
    assert early.startswith("클리핑은 갱신 4회 가운데 2회(50%)를 바꿨다. 학습의 전반부에 2회, 후반부에 0회다. ")
    assert "주로 초반에" in early
    assert "학습 후반에 더 자주" in chapter6.clipping_sentence([0.1, 0.1, 0.1, 1.0], 0.25, lang="ko")
    assert chapter6.clipping_sentence([1.0, 0.1, 1.0, 0.1], 0.25, lang="ko").endswith("후반부에 1회다.")


def test_book_weights_sentence_in_korean() -> None:
    same = chapter6.book_weights_sentence(136.08, 136, lang="ko")
    assert same.startswith("책이 학습한 가중치를 라이브러리의 `Rnnlm`에 넣으면 테스트 퍼플렉서티가 136.08에 이른다. "
                           "책이 보고한 값(약 136)과 같은 수준이다.")
    assert "약 136)보다 높으며," in chapter6.book_weights_sentence(140.0, 136, lang="ko")
    assert "약 136)보다 낮으며," in chapter6.book_weights_sentence(120.0, 136, lang="ko")


def test_better_rnnlm_sentence_in_korean() -> None:
    cmd = "scratchnlp run better-rnnlm-ptb"
    missing = chapter6.better_rnnlm_sentence(None, 40, 75.8, cmd, lang="ko")
    assert missing.startswith("`better-rnnlm-ptb`의 커밋된 실행은 아직 없다.") and f"`{cmd}` 명령이" in missing
    short = chapter6.better_rnnlm_sentence(_better([120.0, 100.0, 95.0], 3), 40, 75.8, cmd, lang="ko")
    assert short == (
        "커밋된 실행은 책의 40에폭 가운데 3에폭만 학습했으므로 책보다 짧은 실행이다. 검증 퍼플렉서티가 마지막 "
        "에폭에서도 계속 내려가고 있었으므로(95.0) 이 실행은 아직 개선을 다 마치지 않은 상태다. 보존한 매개변수의 "
        "테스트 퍼플렉서티는 80.0에 이른다. 책은 40에폭 학습한 뒤 75.8에 이르렀다.")
    full = chapter6.better_rnnlm_sentence(_better([120.0, 90.0, 95.0], 2), 3, 75.8, cmd, lang="ko")
    assert full.startswith("커밋된 실행은 책의 설정대로 3에폭을 모두 학습했다.")
    assert "가장 좋은 검증 퍼플렉서티(90.0)는 2번째 에폭에서" in full
    more = chapter6.better_rnnlm_sentence(_better([120.0, 90.0], 2, corpus_size=5000), 1, 75.8, cmd, lang="ko")
    assert "책의 1에폭보다 많은 2에폭을" in more and "처음 5,000단어만" in more
    for text in (missing, short, full, more):
        assert _hangul(text) and "**" not in text
