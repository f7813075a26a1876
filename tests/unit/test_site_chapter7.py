"""Unit tests of scratchnlp._site.chapter7, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site import chapter7

ROOT = Path(__file__).resolve().parents[2]


def _better_run(partial: bool) -> dict:
    run = {"history": {"valid_perplexity": [100.0, 90.0, 95.0], "best_epoch": 2},
           "evaluation": {"test_perplexity": 88.04, "samples": [
               {"prompt": "the end", "seed": [0, 1], "text": "the end is near <eos>"},
               {"prompt": "you", "seed": [0, 0], "text": "you said <eos> no"}]}}
    return run | ({"partial": True, "epochs_planned": 40} if partial else {})


def test_better_text_is_the_sample_from_you() -> None:
    assert chapter7.better_text(_better_run(False)) == "you said.\nno"
    assert chapter7.better_text(None) is None
    assert chapter7.better_text({"history": {}, "evaluation": {"test_perplexity": 80.0}}) is None


def test_better_text_sentence_every_branch() -> None:
    assert chapter7.better_text_sentence(None).startswith("No committed results of `better-rnnlm-ptb` hold a text")
    assert chapter7.better_text_sentence(_better_run(False)) == (
        "The committed run kept the parameters of epoch 2 of its 3 (test perplexity 88.0); with the same rules as "
        "the text above, they wrote this from `you`:")
    assert chapter7.better_text_sentence(_better_run(True)).startswith(
        "The committed run is still training (3 of 40 epochs done when its results were last written); the "
        "parameters it kept, those of epoch 2 (test perplexity 88.0)")
    ko = chapter7.better_text_sentence(_better_run(True), lang="ko")
    assert "40에폭 가운데 3에폭을 마쳤다" in ko and "2번째 에폭의 매개변수(테스트 퍼플렉서티 88.0)" in ko


def test_repetition_sentence_every_branch() -> None:
    looped = chapter7.repetition_sentence(
        ["the company said", "it is n't", "the  company said", "the company said", ""], "temperature 0")
    assert looped == ("At temperature 0, the text goes round in a loop: the sentence \u201cthe company said\u201d "
                      "occurs 3 times.")
    twice = chapter7.repetition_sentence(["a b", "c <unk>", "c <unk>"], "T = 0.5")
    assert "\u201cc \\<unk\\>\u201d occurs twice" in twice
    assert chapter7.repetition_sentence(["a", "b", "c"], "temperature 1") == (
        "At temperature 1, no sentence of the text occurs twice.")
    with pytest.raises(ValueError, match="empty"):
        chapter7.repetition_sentence(["", "  "], "temperature 1")


def test_book_accuracy_sentence_every_branch() -> None:
    kw = {"experiment": "seq2seq-addition-reverse", "epochs": 25}
    missing = chapter7.book_accuracy_sentence(None, 0.54, **kw)
    assert "No results file of `seq2seq-addition-reverse`" in missing and "about 54%" in missing
    assert chapter7.book_accuracy_sentence(0.561, 0.54, **kw) == (
        "The committed run of `seq2seq-addition-reverse` ends at 56.1% after 25 epochs, close to the book's 54% "
        "or so.")
    assert "above the book's 54%" in chapter7.book_accuracy_sentence(0.70, 0.54, **kw)
    assert "below the book's 54%" in chapter7.book_accuracy_sentence(0.40, 0.54, **kw)
    with pytest.raises(ValueError, match="fractions"):
        chapter7.book_accuracy_sentence(54.0, 0.54, **kw)


def test_build_seq2seq_sentence_every_branch() -> None:
    curve = [0.01, 0.05, 0.30, 0.60]
    assert "nothing to compare" in chapter7.build_seq2seq_sentence(0.1, 20000, None, 45000)
    assert "nothing to compare" in chapter7.build_seq2seq_sentence(0.1, 20000, [], 45000)
    less = chapter7.build_seq2seq_sentence(0.1, 20000, curve, 45000)
    assert less.startswith("That is less than one epoch") and "1.0%" in less
    more = chapter7.build_seq2seq_sentence(0.9, 250000, curve, 45000)
    assert "in its 4 epochs" in more and "60.0%" in more
    same = chapter7.build_seq2seq_sentence(0.31, 140000, curve, 45000)
    assert "after 3 epochs and then answered 30.0%: about the same" in same
    one = chapter7.build_seq2seq_sentence(0.05, 50000, curve, 45000)
    assert "after 1 epoch and then answered 1.0%, less than the build-time run" in one
    two = chapter7.build_seq2seq_sentence(0.0, 90000, curve, 45000)
    assert "after 2 epochs and then answered 5.0%, more than the build-time run" in two
    with pytest.raises(ValueError, match="questions_seen"):
        chapter7.build_seq2seq_sentence(0.1, 0, curve, 45000)
    with pytest.raises(ValueError, match="accuracy"):
        chapter7.build_seq2seq_sentence(10.0, 100, curve, 45000)


def test_near_misses_sentence_every_branch() -> None:
    def ex(answer, guess):
        return {"answer": answer, "guess": guess, "correct": answer == guess}

    assert chapter7.near_misses_sentence([ex("162 ", "162 ")], "the baseline") == (
        "All 1 of the baseline's answers here are right.")
    every = chapter7.near_misses_sentence([ex("162 ", "162 "), ex("1139", "1130"), ex("666 ", "668 ")],
                                        "the baseline")
    assert every.startswith("The baseline is rarely far off. Each of its 2 wrong answers has the right")
    one = chapter7.near_misses_sentence([ex("1139", "1130")], "the model")
    assert "Its one wrong answer has the right number of digits" in one
    some = chapter7.near_misses_sentence([ex("1139", "1130"), ex("666 ", "1021")], "the baseline")
    assert some.startswith("1 of the baseline's 2 wrong answers here have")
    none = chapter7.near_misses_sentence([ex("666 ", "1021"), ex("857 ", "102 ")], "the baseline")
    assert none == ("None of the baseline's 2 wrong answers here has both the right number of digits and the right "
                    "first digit.")
    assert chapter7.near_misses_sentence(None, "the baseline") == (
        "Without a results file for the baseline, its answers cannot be shown.")
    with pytest.raises(ValueError, match="no examples"):
        chapter7.near_misses_sentence([], "the baseline")


def test_seed_spread_sentence():
    s = chapter7.seed_spread_sentence({0: 0.9786, 1: 0.9866, 2: 0.9728}, 0.9814, 25)
    assert s.endswith("ends epoch 25 between 97.28% and 98.66% (mean 97.93%); the book's 98.14% is inside that range.")
    assert s.startswith("Run with 3 different seeds")
    assert "below all of them" in chapter7.seed_spread_sentence({0: 0.99, 1: 0.995}, 0.98, 25)
    assert "above all of them" in chapter7.seed_spread_sentence({0: 0.9, 1: 0.95}, 0.98, 25)
    with pytest.raises(ValueError):
        chapter7.seed_spread_sentence({0: 0.9}, 0.98, 25)


# --- wording -----------------------------------------------------------------------------------------------------

PAGE = ROOT / "book" / "ch07_seq2seq.md"
MODULE = ROOT / "src" / "scratchnlp" / "_site" / "chapter7.py"


def _fields(template):
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(chapter7.TEMPLATES) == {"en", "ko"}
    assert chapter7.TEMPLATES["en"].keys() == chapter7.TEMPLATES["ko"].keys()
    for key, english in chapter7.TEMPLATES["en"].items():
        assert _fields(chapter7.TEMPLATES["ko"][key]) == _fields(english), key


def test_every_template_is_a_column_or_used_by_the_page_or_a_sentence():
    page = PAGE.read_text(encoding="utf-8")
    module = MODULE.read_text(encoding="utf-8").split("def words(", 1)[1]  # the code after the templates
    columns = {f"{table}.{column}" for table, cols in chapter7.COLUMNS.items() for column in cols}
    assert columns <= chapter7.TEMPLATES["en"].keys()
    for table in chapter7.COLUMNS:
        assert f'chapter7.header("{table}")' in page, table
    for key in chapter7.TEMPLATES["en"].keys() - columns:
        assert f'chapter7.words("{key}"' in page or f'"{key}"' in module, f"template {key!r} is never used"


def test_words_and_headers_follow_the_page_language(monkeypatch):
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert chapter7.header("examples") == ["question", "answer", "baseline", "reversed", "reversed + peeky",
                                           "this build"]
    assert chapter7.words("fig.book", label="{}").format("baseline") == "baseline, the book"
    assert chapter7.words("fig.epoch", n=45000) == "epoch (passes over 45,000 questions)"
    assert chapter7.words("setting.temperature", tau=0.0) == "temperature 0"
    caption = chapter7.words("examples.caption", n=10, epochs=25, note="",
                             results="[results/]({{ source_url }}/results)")
    assert caption == ("The first 10 test questions, their answers, and the answers of the three committed full "
                       "runs after 25 epochs (read from [results/]({{ source_url }}/results)) and of this page's "
                       "short run; ✓ right, ✗ wrong (every character must be right).")
    assert chapter7.words("examples.missing", runs="baseline and reversed") == (
        " No results file was found for: baseline and reversed (–).")
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert chapter7.header("examples") == ["질문", "정답", "기준 모델", "입력 반전", "입력 반전 + 엿보기", "이번 빌드"]
    assert chapter7.words("fig.book", label="{}").format("기준 모델") == "기준 모델(책)"
    assert chapter7.words("fig.epoch", n=45000) == "에폭(1에폭 = 질문 45,000개)"
    assert chapter7.words("setting.temperature", tau=0.5) == "온도 0.5"
    caption = chapter7.words("examples.caption", n=10, epochs=25, note="",
                             results="[results/]({{ source_url }}/results)")
    assert "처음 10개" in caption and "25에폭" in caption and "[results/]({{ source_url }}/results)에서" in caption
    assert chapter7.words("run.short", lang="en") == "this build (reversed + peeky, short)"  # explicit wins


def test_wording_refuses_unknown_tables_keys_and_languages():
    with pytest.raises(ValueError, match="no table 'other'"):
        chapter7.header("other")
    with pytest.raises(ValueError, match="no wording 'nothing' for language 'en'"):
        chapter7.words("nothing", lang="en")
    with pytest.raises(ValueError, match="no wording 'run.short' for language 'xx'"):
        chapter7.words("run.short", lang="xx")


def test_sentences_follow_the_page_language(monkeypatch):
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    setting = chapter7.words("setting.temperature", tau=0)
    assert chapter7.repetition_sentence(["a b", "a b"], setting).endswith("문장이 2번 나온다.")
    monkeypatch.setenv("SCRATCHNLP_LANG", "en")
    assert chapter7.repetition_sentence(["a b", "a b"], "temperature 0").endswith("occurs twice.")


def test_repetition_sentence_in_korean() -> None:
    looped = chapter7.repetition_sentence(["the company said", "x", "the company said", "the company said"],
                                          "온도 0", lang="ko")
    assert looped == "온도 0에서는 글이 같은 자리를 맴돈다. \u201cthe company said\u201d라는 문장이 3번 나온다."
    assert "\u201cc \\<unk\\>\u201d라는 문장이 2번" in chapter7.repetition_sentence(["c <unk>", "c <unk>"], "온도 0.5",
                                                                                 lang="ko")
    assert chapter7.repetition_sentence(["a", "b"], "온도 1", lang="ko") == "온도 1에서는 두 번 나오는 문장이 없다."


def test_book_accuracy_sentence_in_korean() -> None:
    kw = {"experiment": "seq2seq-addition-reverse", "epochs": 25, "lang": "ko"}
    missing = chapter7.book_accuracy_sentence(None, 0.54, **kw)
    assert "`seq2seq-addition-reverse`의 결과 파일을 찾지 못했으므로" in missing and "약 54%만" in missing
    assert chapter7.book_accuracy_sentence(0.561, 0.54, **kw) == (
        "저장소에 커밋된 `seq2seq-addition-reverse` 실행은 25에폭 뒤 정확도 56.1%로 끝나며, 책의 약 54%에 가깝다.")
    assert "약 54%보다 높다. 이만큼 짧은 실행은" in chapter7.book_accuracy_sentence(0.70, 0.54, **kw)
    assert "약 54%보다 낮다. 이만큼 짧은 실행은" in chapter7.book_accuracy_sentence(0.40, 0.54, **kw)


def test_build_seq2seq_sentence_in_korean() -> None:
    curve = [0.01, 0.05, 0.30, 0.60]
    assert chapter7.build_seq2seq_sentence(0.1, 20000, None, 45000, lang="ko") == (
        "이 페이지를 빌드할 때 전체 실행의 결과 파일을 찾지 못해 비교할 대상이 없다.")
    less = chapter7.build_seq2seq_sentence(0.1, 20000, curve, 45000, lang="ko")
    assert less.startswith("짧은 실행이 학습한 질문 수는 전체 실행의 1에폭에도 못 미친다.")
    assert "정확도는 1.0%였다." in less
    more = chapter7.build_seq2seq_sentence(0.9, 250000, curve, 45000, lang="ko")
    assert "4에폭 동안" in more and "60.0%를 맞혔다." in more
    same = chapter7.build_seq2seq_sentence(0.31, 140000, curve, 45000, lang="ko")
    assert same.startswith("에폭마다 학습 질문 45,000개를 모두 읽는 전체 실행은 3에폭 뒤에")
    assert "30.0%를 맞혔다. 거의 같으므로" in same
    one = chapter7.build_seq2seq_sentence(0.05, 50000, curve, 45000, lang="ko")
    assert "1에폭 뒤에" in one and "1.0%를 맞혀 짧은 실행보다 낮았다." in one
    two = chapter7.build_seq2seq_sentence(0.0, 90000, curve, 45000, lang="ko")
    assert "2에폭 뒤에" in two and "5.0%를 맞혀 짧은 실행보다 높았다." in two


def test_near_misses_sentence_in_korean() -> None:
    def ex(answer, guess):
        return {"answer": answer, "guess": guess, "correct": answer == guess}

    who = chapter7.words("who.baseline", lang="ko")
    assert who == "기준 모델"
    assert chapter7.near_misses_sentence([ex("162 ", "162 ")], who, lang="ko") == (
        "여기 나온 기준 모델의 답 1개는 모두 맞았다.")
    every = chapter7.near_misses_sentence([ex("162 ", "162 "), ex("1139", "1130"), ex("666 ", "668 ")], who,
                                          lang="ko")
    assert every.startswith("기준 모델의 답은 크게 빗나가는 일이 드물다. 틀린 답 2개 모두")
    one = chapter7.near_misses_sentence([ex("1139", "1130")], who, lang="ko")
    assert "하나뿐인 틀린 답도 자릿수와 첫 자리 숫자는 맞았다." in one
    some = chapter7.near_misses_sentence([ex("1139", "1130"), ex("666 ", "1021")], who, lang="ko")
    assert some.startswith("여기 나온 기준 모델의 틀린 답 2개 중 1개는")
    none = chapter7.near_misses_sentence([ex("666 ", "1021"), ex("857 ", "102 ")], who, lang="ko")
    assert none == "여기 나온 기준 모델의 틀린 답 2개 중 자릿수와 첫 자리 숫자가 둘 다 맞은 답은 하나도 없다."
    assert chapter7.near_misses_sentence(None, who, lang="ko") == "기준 모델의 결과 파일이 없어 답을 보여 줄 수 없다."


def test_seed_spread_sentence_in_korean() -> None:
    s = chapter7.seed_spread_sentence({0: 0.9786, 1: 0.9866, 2: 0.9728}, 0.9814, 25, lang="ko")
    assert s.startswith("같은 실험을 서로 다른 시드 3개로 실행하면")
    assert s.endswith("25에폭을 마쳤을 때의 정확도가 97.28%에서 98.66% 사이다(평균 97.93%). 책의 98.14%는 이 범위 "
                      "안에 든다.")
    assert chapter7.seed_spread_sentence({0: 0.99, 1: 0.995}, 0.98, 25, lang="ko").endswith("이 값들보다 모두 낮다.")
    assert chapter7.seed_spread_sentence({0: 0.9, 1: 0.95}, 0.98, 25, lang="ko").endswith("이 값들보다 모두 높다.")
