"""Unit tests of scratchnlp._site.chapter1, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from scratchnlp._site.chapter1 import first_below_sentence, lowest_loss_sentence, tuned_rate_sentence

ROOT = Path(__file__).resolve().parents[2]


def test_lowest_loss_sentence_names_the_best_and_the_reference() -> None:
    # the bug of issue 8: the best optimizer was also listed as the comparison ("... for Adam and 0.018 for Adam")
    text = lowest_loss_sentence({"SGD": 0.076, "Adam": 0.018, "Momentum": 0.05})
    assert text == "The lowest final loss, 0.018, comes from Adam, against 0.076 for tuned SGD."
    assert text.count("Adam") == 1


def test_lowest_loss_sentence_when_the_reference_wins() -> None:
    text = lowest_loss_sentence({"SGD": 0.01, "Adam": 0.018, "Momentum": 0.05})
    assert text == "The lowest final loss, 0.010, comes from tuned SGD itself; the next lowest, 0.018, from Adam."


def test_lowest_loss_sentence_needs_the_reference() -> None:
    with pytest.raises(ValueError):
        lowest_loss_sentence({"Adam": 0.1, "Momentum": 0.2})
    with pytest.raises(ValueError):
        lowest_loss_sentence({"SGD": 0.1})


def test_first_below_sentence_every_branch() -> None:
    assert first_below_sentence({"SGD": 900, "Adam": 300}, 0.3) == (
        "The first to bring the loss below 0.3 is Adam, after 300 iterations, where SGD needs 900."
    )
    assert first_below_sentence({"SGD": 200, "Adam": 300}, 0.3) == (
        "The first to bring the loss below 0.3 is SGD, after 200 iterations."
    )
    assert first_below_sentence({"SGD": None, "Adam": 1300}, 0.3) == (
        "The first to bring the loss below 0.3 is Adam, after 1,300 iterations; SGD never gets there."
    )
    assert first_below_sentence({"SGD": None, "Adam": None}, 0.3) == (
        "None of them brings the recorded loss below 0.3."
    )
    with pytest.raises(ValueError):
        first_below_sentence({"Adam": 1}, 0.3)


def test_tuned_rate_sentence_both_branches() -> None:
    assert tuned_rate_sentence(1.0, 1.0) == "The book's SGD learning rate, 1, is also the best of the grid here."
    assert "the best rate in the grid is 3, not the book's 1" in tuned_rate_sentence(3.0, 1.0)


def _fields(template: str) -> list[str]:
    import string  # noqa: PLC0415

    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_every_template_has_korean_with_the_same_placeholders() -> None:
    from scratchnlp._site.chapter1 import TEMPLATES  # noqa: PLC0415

    assert set(TEMPLATES) == {"en", "ko"}
    assert TEMPLATES["en"].keys() == TEMPLATES["ko"].keys()
    for key, english in TEMPLATES["en"].items():
        assert _fields(TEMPLATES["ko"][key]) == _fields(english), key


def test_every_sentence_in_korean() -> None:
    assert lowest_loss_sentence({"SGD": 0.076, "Adam": 0.018}, lang="ko") == (
        "최종 손실이 가장 낮은 것은 Adam의 0.018이다. 튜닝한 SGD의 최종 손실은 0.076이다.")
    assert lowest_loss_sentence({"SGD": 0.01, "Adam": 0.018}, lang="ko") == (
        "최종 손실이 가장 낮은 것은 튜닝한 SGD 자신(0.010)이고, 그다음은 Adam(0.018)이다.")
    assert first_below_sentence({"SGD": 900, "Adam": 300}, 0.3, lang="ko") == (
        "손실을 가장 먼저 0.3 아래로 낮춘 옵티마이저는 300번 반복 만에 도달한 Adam이다. SGD에서는 900번이 걸린다.")
    assert first_below_sentence({"SGD": 200, "Adam": 300}, 0.3, lang="ko") == (
        "손실을 가장 먼저 0.3 아래로 낮춘 옵티마이저는 200번 반복 만에 도달한 SGD이다.")
    assert "SGD에서는 손실이 끝내" in first_below_sentence({"SGD": None, "Adam": 1300}, 0.3, lang="ko")
    assert first_below_sentence({"SGD": None}, 0.3, lang="ko") == (
        "기록된 손실을 0.3 아래로 낮춘 옵티마이저는 하나도 없다.")
    assert tuned_rate_sentence(1.0, 1.0, lang="ko") == "책에 나온 SGD의 학습률(1)이 여기서도 후보 가운데 가장 좋다."
    assert "책의 값(1)이 아니라 3이다" in tuned_rate_sentence(3.0, 1.0, lang="ko")


def test_the_page_words_follow_the_page_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from scratchnlp._site.chapter1 import words  # noqa: PLC0415

    assert words("opt.first_below", "en", threshold=0.3) == "iterations to loss < 0.3"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert words("fig.class", k=2) == "클래스 2"
    assert words("scale.cell", acc=0.5, loss=1.25) == "50.0% (손실 1.250)"


def test_class_legend_names_the_classes_in_the_page_language() -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from scratchnlp import plot  # noqa: PLC0415
    from scratchnlp._site.chapter1 import class_legend  # noqa: PLC0415

    fig, ax = plt.subplots()
    plot.spiral_scatter(ax, np.zeros((3, 2)), np.array([0, 1, 2]))
    legend = class_legend(ax, lang="ko")
    assert [t.get_text() for t in legend.get_texts()] == ["클래스 0", "클래스 1", "클래스 2"]
    assert [t.get_text() for t in class_legend(ax, lang="en").get_texts()] == ["class 0", "class 1", "class 2"]
    with pytest.raises(ValueError, match="no labelled artist"):
        class_legend(plt.subplots()[1])
    plt.close("all")
