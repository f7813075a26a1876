"""Unit tests of scratchnlp._site.chapter8, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site import chapter8

ROOT = Path(__file__).resolve().parents[2]


def test_question_words_splits_letters_and_digits():
    assert chapter8.question_words("september 27, 1994   ") == [("september", 0, 9), ("27", 10, 12), ("1994", 14, 18)]
    assert chapter8.question_words("10/15/94") == [("10", 0, 2), ("15", 3, 5), ("94", 6, 8)]
    assert chapter8.question_words("  ,  ") == []


def test_attention_reading_sentence():
    """attention_reading finds the word each part looked at; the sentence names them."""
    import numpy as np

    question = "JUN 17, 2013"
    w = np.zeros((10, len(question)))
    w[0:4, 8:12] = 0.2  # the year's rows: 80% on "2013", the rest on the padding-free gap
    w[0:4, 7] = 0.2
    w[5:7, 0:3] = 1 / 3  # the month's rows: all on "JUN"
    w[8:10, 4:6] = 0.5  # the day's rows: all on "17"
    reading = chapter8.attention_reading(w, question, {"year": (0, 4), "month": (5, 7), "day": (8, 10)})
    assert reading["year"] == ("2013", pytest.approx(0.8))
    assert reading["month"] == ("JUN", pytest.approx(1.0))
    assert reading["day"] == ("17", pytest.approx(1.0))
    sentence = chapter8.attention_reading_sentence(question, reading)
    assert sentence == ("For “JUN 17, 2013”, the answer took its year from “2013” (80% of its attention), its month "
                        "from “JUN” (100% of its attention) and its day from “17” (100% of its attention).")


def test_attention_reading_rejects_bad_shapes():
    import numpy as np

    with pytest.raises(ValueError, match=r"weights must be \(A, 4\)"):
        chapter8.attention_reading(np.zeros((3, 5)), "1 2 ", {"a": (0, 1)})
    with pytest.raises(ValueError, match="no words"):
        chapter8.attention_reading(np.zeros((3, 2)), ", ", {"a": (0, 1)})
    with pytest.raises(ValueError, match="part 'a'"):
        chapter8.attention_reading(np.zeros((3, 2)), "12", {"a": (2, 5)})
    with pytest.raises(ValueError, match="empty"):
        chapter8.attention_reading_sentence("12", {})


def test_date_runs_sentence():
    s = chapter8.date_runs_sentence({"seq2seq": [0.0, 0.01], "attention": [0.95, 0.999], "peeky": [0.1, 0.6]})
    assert s == ("After 2 epochs the test accuracies are: attention 99.9%, peeky 60.0% and seq2seq 1.0%. "
                 "The attention model was above 99% from epoch 2 on.")
    s = chapter8.date_runs_sentence({"a": [0.995, 0.98, 0.999]}, missing=["b"])
    assert "from epoch 1 on (with dips below it later)." in s and s.endswith("No results file was found for b.")
    assert "None of them reached 99%" in chapter8.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]})
    assert "At the end of their runs" in chapter8.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]})
    assert chapter8.date_runs_sentence({}, missing=["a"]).startswith("No results file of the three runs")
    with pytest.raises(ValueError):
        chapter8.date_runs_sentence({"a": []})


def test_bidirectional_sentence():
    assert "no difference" in chapter8.bidirectional_sentence(0.99, 0.992)
    assert "helps here" in chapter8.bidirectional_sentence(0.90, 0.99)
    assert "does not help" in chapter8.bidirectional_sentence(0.99, 0.90)
    with pytest.raises(ValueError):
        chapter8.bidirectional_sentence(1.5, 0.9)


def test_reading_agreement_sentence():
    assert chapter8.reading_agreement_sentence(12, 12).startswith("In all 12 parts")
    assert chapter8.reading_agreement_sentence(0, 12).startswith("In none of the 12")
    assert chapter8.reading_agreement_sentence(7, 12).startswith("In 7 of the 12")
    with pytest.raises(ValueError):
        chapter8.reading_agreement_sentence(3, 2)


def test_diffuse_positions_sentence():
    labels = "yyyy-mm-dd"
    entropy = [0.1, 0.2, 0.1, 0.1, 2.0, 0.1, 0.1, 1.5, 0.3, 0.1]
    constant = [c == "-" for c in labels]
    s = chapter8.diffuse_positions_sentence(entropy, labels, constant)
    assert s.startswith("The attention is most spread out at answer positions 4 (“-”, 2.00 bits) and "
                        "7 (“-”, 1.50 bits)")
    assert "nothing in the question decides them" in s
    entropy[0] = 3.0
    assert "nothing in the question" not in chapter8.diffuse_positions_sentence(entropy, labels, constant)
    with pytest.raises(ValueError):
        chapter8.diffuse_positions_sentence(entropy, labels[:-1], constant)


def _fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(chapter8.TEMPLATES) == {"en", "ko"}
    assert chapter8.TEMPLATES["en"].keys() == chapter8.TEMPLATES["ko"].keys()
    for key, english in chapter8.TEMPLATES["en"].items():
        assert _fields(chapter8.TEMPLATES["ko"][key]) == _fields(english), key


def test_every_template_is_used():
    sources = (ROOT / "book" / "ch08_attention.md").read_text(encoding="utf-8") + Path(
        chapter8.__file__).read_text(encoding="utf-8")
    for key in chapter8.TEMPLATES["en"]:
        family = key.split(".")[0]
        assert f'"{key}"' in sources or f'f"{family}.' in sources, key


def test_words_follow_the_page_language(monkeypatch):
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert chapter8.words("dates.question") == "질문"
    assert chapter8.model_label("seq2seq-date") == "seq2seq(7장)"
    monkeypatch.setenv("SCRATCHNLP_LANG", "en")
    assert chapter8.words("dates.question") == "question"


def test_model_labels():
    assert chapter8.model_label("attention-date", lang="en") == "attention"
    assert chapter8.model_label("peeky-seq2seq-date", lang="en") == "peeky seq2seq (chapter 7)"
    assert chapter8.model_label("peeky-seq2seq-date", chapter=False, lang="en") == "peeky seq2seq"
    assert chapter8.model_label("attention-date", lang="ko") == "어텐션"
    assert chapter8.model_label("peeky-seq2seq-date", lang="ko") == "엿보기 seq2seq(7장)"
    assert chapter8.model_label("seq2seq-date", chapter=False, lang="ko") == "seq2seq"
    with pytest.raises(ValueError, match="no model name"):
        chapter8.model_label("lstm-ptb")
    results = {"peeky seq2seq": 1, "attention": 2, "other": 3}
    assert chapter8.with_model_names(results, lang="en") == results
    assert chapter8.with_model_names(results, lang="ko") == {"엿보기 seq2seq": 1, "어텐션": 2, "other": 3}


def test_training_overlap_text():
    qs = ["a 1", "b 2", "c 3"]
    assert chapter8.training_overlap_text(qs, qs, lang="en") == "none of them is in the training data"
    assert chapter8.training_overlap_text(qs, ["a 1", "c 3"], lang="en") == (
        "“b 2” is in the training data, the others not")
    assert chapter8.training_overlap_text(qs, ["c 3"], lang="en") == (
        "“a 1” and “b 2” are in the training data, the others not")
    assert chapter8.training_overlap_text(qs, qs, lang="ko") == "학습 데이터에 있는 날짜는 하나도 없다"
    assert chapter8.training_overlap_text(qs, ["a 1", "c 3"], lang="ko") == "“b 2”만 학습 데이터에 있고 나머지는 없다"
    assert chapter8.training_overlap_text(qs, ["c 3"], lang="ko") == "“a 1” 및 “b 2”만 학습 데이터에 있고 나머지는 없다"


def test_attention_reading_sentence_in_korean():
    reading = {"year": ("2013", 0.8), "month": ("JUN", 1.0), "day": ("17", 1.0)}
    assert chapter8.attention_reading_sentence("JUN 17, 2013  ", reading, lang="ko") == (
        "“JUN 17, 2013”의 답은 연도를 “2013”에서(어텐션의 80%), 월을 “JUN”에서(어텐션의 100%), "
        "일을 “17”에서(어텐션의 100%) 가져왔다.")
    assert chapter8.attention_reading_sentence("12", {"x": ("12", 0.5)}, lang="ko") == (
        "“12”의 답은 x를 “12”에서(어텐션의 50%) 가져왔다.")
    assert chapter8.attention_reading_sentence("12", {"x": ("12", 0.5)}, lang="en") == (
        "For “12”, the answer took its x from “12” (50% of its attention).")


def test_date_runs_sentence_in_korean():
    s = chapter8.date_runs_sentence({"seq2seq": [0.0, 0.01], "어텐션": [0.95, 0.999], "엿보기": [0.1, 0.6]},
                                    lang="ko")
    assert s == ("2에폭 후 테스트 정확도는 어텐션 99.9%, 엿보기 60.0% 및 seq2seq 1.0%다. "
                 "어텐션 모델은 에폭 2부터 99% 이상이었다.")
    s = chapter8.date_runs_sentence({"a": [0.995, 0.98, 0.999]}, missing=["b"], lang="ko")
    assert s == ("3에폭 후 테스트 정확도는 a 99.9%다. a 모델은 에폭 1부터 99% 이상이었다(이후 그 아래로 내려간 "
                 "에폭도 있다). b의 결과 파일은 찾지 못했다.")
    s = chapter8.date_runs_sentence({"a": [0.5], "b": [0.4, 0.7]}, lang="ko")
    assert s == "실행을 마쳤을 때 테스트 정확도는 b 70.0% 및 a 50.0%다. 어느 모델도 99%에 이르지 못했다."
    assert chapter8.date_runs_sentence({}, missing=["a"], lang="ko") == (
        "이 페이지를 빌드할 때 세 실행의 결과 파일을 하나도 찾지 못했다. a의 결과 파일은 찾지 못했다.")


def test_bidirectional_sentence_in_korean():
    head = "같은 학습으로 양방향 인코더는 99.20%, 단방향 인코더는 99.00%에 이른다. "
    assert chapter8.bidirectional_sentence(0.99, 0.992, lang="ko") == (
        head + "차이가 0.5%p 이내라서, 짧은 실행 한 번으로는 가려낼 수 없는 차이다.")
    assert chapter8.bidirectional_sentence(0.90, 0.99, lang="ko").endswith("양쪽 방향으로 읽는 것이 도움이 된다.")
    assert "도움이 되지 않는다" in chapter8.bidirectional_sentence(0.99, 0.90, lang="ko")
    assert chapter8.bidirectional_sentence(0.99, 0.992, lang="en") == (
        "With the same training, the bidirectional encoder reaches 99.20% against 99.00% for one direction: within "
        "0.5 points, no difference that one short run could show.")


def test_reading_agreement_sentence_in_korean():
    assert chapter8.reading_agreement_sentence(12, 12, lang="ko").startswith("이 답들의 12개 부분 모두에서")
    assert chapter8.reading_agreement_sentence(0, 12, lang="ko").startswith("이 답들의 12개 부분 중 어느 것에서도")
    assert chapter8.reading_agreement_sentence(7, 12, lang="ko").startswith("이 답들의 12개 부분 중 7개에서")


def test_diffuse_positions_sentence_in_korean():
    labels = "yyyy-mm-dd"
    entropy = [0.1, 0.2, 0.1, 0.1, 2.0, 0.1, 0.1, 1.5, 0.3, 0.1]
    constant = [c == "-" for c in labels]
    s = chapter8.diffuse_positions_sentence(entropy, labels, constant, lang="ko")
    assert s == ("어텐션이 가장 넓게 퍼진 답의 위치는 4(“-”, 2.00비트) 및 7(“-”, 1.50비트)로, 나머지 위치는 평균 "
                 "0.14비트다. 이 위치의 문자는 모든 답에서 같다. 질문의 어느 부분도 이 문자를 정하지 않으므로, 이 "
                 "문자를 쓰는 동안 모델이 어디를 보든 손실과는 상관이 없다.")
    entropy[0] = 3.0
    assert "모든 답에서 같다" not in chapter8.diffuse_positions_sentence(entropy, labels, constant, lang="ko")
