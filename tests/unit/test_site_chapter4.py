"""Unit tests of scratchnlp._site.chapter4, the wording of one page of the site."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from scratchnlp._site.chapter4 import (
    TEMPLATES,
    analogy_halves_sentence,
    committed_runs_sentence,
    epochs_note,
    words,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


def test_epochs_note_every_branch() -> None:
    assert epochs_note(10, 10) == "the full length of the experiment"
    assert epochs_note(5, 10) == "fewer than the 10 of the full experiment, to fit the page's time budget"
    assert epochs_note(12, 10) == "more than the 10 of the full experiment"


def test_analogy_halves_sentence_every_branch() -> None:
    assert analogy_halves_sentence(0.01, 0.05).startswith("The syntactic questions")
    assert analogy_halves_sentence(0.05, 0.01).startswith("The semantic questions that can be asked")
    assert analogy_halves_sentence(0.05, 0.05).startswith("The semantic questions that can be asked")
    assert analogy_halves_sentence(None, 0.05).startswith("None of the semantic questions")
    assert analogy_halves_sentence(0.05, None).startswith("None of the syntactic questions")
    assert analogy_halves_sentence(None, None).startswith("Neither half")


def _run(train_s: float, epochs: int = 10, correct: int = 40, accuracy: float = 0.02, loss: float = 2.5) -> dict:
    return {
        "wall_time": {"train_s": train_s},
        "config": {"epochs": epochs},
        "evaluation": {"analogy": {"accuracy": accuracy, "correct": correct}},
        "history": {"epoch_loss": [3.0, loss]},
    }


def test_committed_runs_sentence_every_branch() -> None:
    build = _run(30.0)
    everything = {
        "cbow-ptb": _run(400.0, accuracy=0.03),
        "cbow-ptb-fast": _run(40.0),
        "skipgram-ptb": _run(900.0),
        "skipgram-ptb-fast": _run(90.0),
    }
    text = committed_runs_sentence(everything, build)
    assert "took 400 s for 10 epochs and the fast variant (`cbow-ptb-fast`) 40 s, 10.0 times less" in text
    assert "3.00% against 2.00%" in text
    assert "For skip-gram the two took 900 s and 90 s (10.0 times less)." in text
    assert "reproduces its loss and its analogy score exactly" in text

    differs = committed_runs_sentence({"cbow-ptb-fast": _run(40.0, correct=41)}, build)
    assert differs.startswith("The build-time run uses the same settings and seed") and "took" not in differs
    other_length = committed_runs_sentence({"cbow-ptb-fast": _run(40.0, epochs=20)}, build)
    assert other_length == ("The committed `cbow-ptb-fast` run trained for 20 epochs, the build-time run for 10, "
                            "so their numbers differ.")
    only_book = committed_runs_sentence({"cbow-ptb": _run(400.0)}, build)
    assert only_book.startswith("No committed results file was found")
    assert committed_runs_sentence({}, build).startswith("No committed results file was found")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_template_has_english_and_korean_with_the_same_placeholders() -> None:
    assert set(TEMPLATES["ko"]) == set(TEMPLATES["en"])
    for key, english in TEMPLATES["en"].items():
        assert _fields(TEMPLATES["ko"][key]) == _fields(english), key
        assert not any(end in TEMPLATES["ko"][key] for end in ("습니다", "니다.", "세요")), key
    with pytest.raises(ValueError, match="no wording 'nope'"):
        words("nope", lang="ko")


def test_page_words_follow_the_page_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert words("cost.pair", low=1_000, high=3_000) == "1,000 to 3,000"
    assert words("runs.caption", results_url="{{ source_url }}/results").count("({{ source_url }}/results)") == 1
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert words("cost.pair", low=1_000, high=3_000) == "1,000~3,000"
    assert words("rare.model", model="CBOW", seed=1) == "CBOW, 시드 1"
    assert "(**이번 빌드**)" in words("runs.this_build", name="cbow-ptb-fast")
    assert "({{ source_url }}/results)" in words("runs.caption", results_url="{{ source_url }}/results")


def test_every_sentence_branch_in_korean() -> None:
    assert epochs_note(10, 10, lang="ko") == "실험의 원래 길이 그대로다"
    assert epochs_note(5, 10, lang="ko") == "페이지의 시간 예산에 맞추려고 전체 실험의 10에폭보다 짧게 잡았다"
    assert epochs_note(12, 10, lang="ko") == "전체 실험의 10에폭보다 길다"
    assert analogy_halves_sentence(0.01, 0.05, lang="ko").startswith("뉴스 말뭉치가 늘 쓰는")
    assert analogy_halves_sentence(0.05, 0.01, lang="ko").startswith("물을 수 있는 의미 문제의")
    assert analogy_halves_sentence(None, 0.05, lang="ko").startswith("의미 문제는 하나도")
    assert analogy_halves_sentence(0.05, None, lang="ko").startswith("문법 문제는 하나도")
    assert analogy_halves_sentence(None, None, lang="ko").startswith("어느 쪽 절반에도")
    build = _run(30.0)
    everything = {"cbow-ptb": _run(400.0, accuracy=0.03), "cbow-ptb-fast": _run(40.0),
                  "skipgram-ptb": _run(900.0), "skipgram-ptb-fast": _run(90.0)}
    text = committed_runs_sentence(everything, build, lang="ko")
    assert "10에폭에 400초, 빠른 변형(`cbow-ptb-fast`)은 40초가 걸려 시간이 10.0배 짧았고" in text
    assert "3.00%와 2.00%였다." in text
    assert "각각 900초와 90초 걸렸다(10.0배 짧다)." in text
    assert "정확히 재현한다" in text
    differs = committed_runs_sentence({"cbow-ptb-fast": _run(40.0, correct=41)}, build, lang="ko")
    assert differs.startswith("빌드 때의 실행은 커밋된 `cbow-ptb-fast` 실행과 설정도 시드도 같지만")
    other_length = committed_runs_sentence({"cbow-ptb-fast": _run(40.0, epochs=20)}, build, lang="ko")
    assert other_length == ("커밋된 `cbow-ptb-fast` 실행은 20에폭, 빌드 때의 실행은 10에폭 학습했으므로 수치가 "
                            "서로 다르다.")
    assert committed_runs_sentence({}, build, lang="ko").startswith("이 페이지를 빌드할 때 커밋된 결과 파일을")
