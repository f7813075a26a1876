"""Unit tests of scratchnlp._site.chapter4, the wording of one page of the site."""

from __future__ import annotations

from pathlib import Path

from scratchnlp._site.chapter4 import analogy_halves_sentence, committed_runs_sentence, epochs_note

ROOT = Path(__file__).resolve().parents[2]


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
