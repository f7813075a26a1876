"""Attention seq2seq learns to read dates (chapter 8); the chapter-8 experiments run and record accuracy."""

import json
import os

import numpy as np
import pytest

from scratchnlp.checkpoint import read_checkpoint
from scratchnlp.cli import main
from scratchnlp.datasets import sequence
from scratchnlp.evaluation import seq2seq_accuracy
from scratchnlp.experiments import get_experiment, run_experiment, summary
from scratchnlp.models import AttentionSeq2seq
from scratchnlp.optim import Adam
from scratchnlp.training import Trainer

NAMES = ("attention-date", "seq2seq-date", "peeky-seq2seq-date")


@pytest.fixture(scope="module")
def date_file():
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        return fetch("sequence", "date.txt", progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"date.txt is required here (SCRATCHNLP_REQUIRE_DATA) but unavailable: {exc}")
        pytest.skip(f"date.txt unavailable (set SCRATCHNLP_MIRROR or run `scratchnlp download sequence`): {exc}")


@pytest.mark.slow
def test_attention_learns_to_read_a_few_thousand_dates(date_file):
    """4,000 of the book's training dates, a smaller model and a larger step than the book's: about 10 s."""
    (x, t), (xt, tt) = sequence.load_data("date.txt")
    x, t = x[:4000, ::-1].copy(), t[:4000]
    xt, tt = xt[:300, ::-1].copy(), tt[:300]
    model = AttentionSeq2seq(59, 16, 128, seed=0)
    trainer = Trainer(model, Adam(0.005), seed=0)
    trainer.fit(x, t, 6, 32, 5.0, progress=False)
    losses = trainer.history["epoch_loss"]
    assert losses[0] > 1.0 and losses[-1] < 0.2
    assert seq2seq_accuracy(model, xt, tt) > 0.9  # 300 unseen dates, every character right
    # the attention of a right answer: "1994-10-15" for "10/15/94"; the year's last digit looks at the "4"
    ids, weights = model.generate(xt[:1], tt[0, 0], 10, return_attention=True)
    assert weights.shape == (1, 10, 29) and np.allclose(weights.sum(axis=2), 1, atol=1e-5)
    assert (ids[0] == tt[0, 1:]).all()
    in_reading_order = weights[0, :, ::-1]
    assert in_reading_order[3].argmax() == 7  # answer "1994-..."[3] = "4" at question "10/15/94"[7]


def test_the_experiments_have_the_books_settings():
    for name in NAMES:
        d = get_experiment(name).defaults
        assert (d["batch_size"], d["wordvec_size"], d["hidden_size"], d["lr"], d["max_grad"], d["epochs"]) == (
            128, 16, 256, 0.001, 5.0, 10)
        assert d["reverse"] is True
        assert (d["train_size"], d["test_size"], d["data_seed"]) == (0, 0, 1984)
        assert get_experiment(name).data_files == (("sequence", "date.txt"),)
    assert get_experiment("attention-date").defaults["bidirectional"] is False
    assert "bidirectional" not in get_experiment("seq2seq-date").defaults


def test_experiments_are_listed_in_chapter_order(capsys):
    assert main(["experiments"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(name) for name in ("peeky-seq2seq-addition", *NAMES)]
    assert positions == sorted(positions)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "overrides", "model"), [
    ("attention-date", {}, "AttentionSeq2seq"),
    ("attention-date", {"bidirectional": True}, "AttentionSeq2seq"),
    ("seq2seq-date", {}, "Seq2seq"),
    ("peeky-seq2seq-date", {}, "PeekySeq2seq"),
])
def test_each_experiment_runs_tiny_and_records_accuracy_per_epoch(date_file, tmp_path, name, overrides, model):
    results = run_experiment(name, out_dir=tmp_path, epochs=2, progress=False, train_size=256, test_size=50,
                             hidden_size=32, **overrides)
    evaluation = results["evaluation"]
    assert 0 <= evaluation["test_accuracy"] <= 1 and evaluation["total"] == 50
    assert results["history"]["test_accuracy"][-1] == evaluation["test_accuracy"]
    assert len(results["history"]["epoch_loss"]) == 2 and results["history"]["iterations"] == 2 * (256 // 128)
    example = evaluation["examples"][0]
    assert len(example["answer"]) == 10 and example["question"] == "10/15/94".ljust(29)  # reading order
    written = json.loads((tmp_path / f"{name}.json").read_text())
    assert written["evaluation"]["test_accuracy"] == evaluation["test_accuracy"]
    assert written["data_sha256"]["sequence/date.txt"]
    header, _ = read_checkpoint(tmp_path / f"{name}.npz")
    assert header["metadata"]["model"] == model and len(header["metadata"]["vocabulary"]) == 59
    if name == "attention-date":
        assert header["metadata"]["bidirectional"] == bool(overrides)
    labels = summary(results)
    assert "test accuracy (%)" in labels and "wrong answers" in labels


def test_bad_settings_fail_before_training(date_file, tmp_path):
    with pytest.raises(ValueError, match="setting 'bidirectional' must be True or False"):
        run_experiment("attention-date", out_dir=tmp_path, bidirectional=1)
    with pytest.raises(ValueError, match="unknown setting 'bidirectional'"):
        run_experiment("seq2seq-date", out_dir=tmp_path, bidirectional=True)
    with pytest.raises(ValueError, match="'test_size' must be >= 0"):
        run_experiment("attention-date", out_dir=tmp_path, test_size=-1)
    assert not list(tmp_path.glob("*.json"))
