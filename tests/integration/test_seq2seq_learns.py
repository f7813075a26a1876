"""Seq2seq learns to add (chapter 7); the chapter-7 experiments run, record per-epoch accuracy and repeat."""

import json
import os

import numpy as np
import pytest

from scratchnlp.checkpoint import read_checkpoint
from scratchnlp.datasets import sequence
from scratchnlp.evaluation import seq2seq_accuracy
from scratchnlp.experiments import get_experiment, run_experiment, summary
from scratchnlp.models import PeekySeq2seq, Seq2seq
from scratchnlp.optim import Adam
from scratchnlp.training import Trainer

NAMES = ("seq2seq-addition", "seq2seq-addition-reverse", "peeky-seq2seq-addition")


@pytest.fixture(scope="module")
def addition_file():
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        return fetch("sequence", "addition.txt", progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"addition.txt is required here (SCRATCHNLP_REQUIRE_DATA) but unavailable: {exc}")
        pytest.skip(f"addition.txt unavailable (set SCRATCHNLP_MIRROR or run `scratchnlp download sequence`): {exc}")


def _train(cls, reverse, epochs=15):
    lines = sequence.make_addition(4000, digits=2, seed=0)
    ((x, t), (xt, tt)), (char_to_id, _) = sequence.load_lines(lines, seed=0)
    if reverse:
        x, xt = x[:, ::-1].copy(), xt[:, ::-1].copy()
    model = cls(len(char_to_id), 16, 64, seed=0)
    trainer = Trainer(model, Adam(0.01), seed=0)
    trainer.fit(x, t, epochs, 64, 5.0, progress=False)
    return trainer, seq2seq_accuracy(model, xt, tt)


@pytest.mark.slow
def test_peeky_seq2seq_with_reversed_questions_learns_two_digit_addition():
    trainer, accuracy = _train(PeekySeq2seq, True)
    losses = trainer.history["epoch_loss"]
    assert losses[0] > 1.5 and losses[-1] < 0.3
    assert accuracy > 0.8  # 400 new problems, every character right
    _, plain = _train(Seq2seq, False)
    assert plain < accuracy - 0.3  # chapter 7.4: reversing and peeking are what make it work


def test_the_experiments_have_the_books_settings():
    for name in NAMES:
        d = get_experiment(name).defaults
        assert (d["batch_size"], d["wordvec_size"], d["hidden_size"], d["lr"], d["max_grad"], d["epochs"]) == (
            128, 16, 128, 0.001, 5.0, 25)
        assert d["reverse"] == (name != "seq2seq-addition")
        assert (d["train_size"], d["test_size"], d["data_seed"]) == (0, 0, 1984)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_each_experiment_runs_tiny_and_records_accuracy_per_epoch(addition_file, tmp_path, name):
    results = run_experiment(name, out_dir=tmp_path, epochs=2, progress=False, train_size=512, test_size=100)
    evaluation = results["evaluation"]
    assert 0 <= evaluation["test_accuracy"] <= 1 and evaluation["total"] == 100
    assert len(results["history"]["test_accuracy"]) == 2
    assert results["history"]["test_accuracy"][-1] == evaluation["test_accuracy"]
    assert len(results["history"]["epoch_loss"]) == 2 and results["history"]["iterations"] == 2 * (512 // 128)
    assert len(evaluation["examples"]) == 10
    example = evaluation["examples"][0]
    assert "+" in example["question"] and example["question"][0].isdigit()  # read back in order when reversed
    written = json.loads((tmp_path / f"{name}.json").read_text())
    assert written["evaluation"]["test_accuracy"] == evaluation["test_accuracy"]
    assert written["data_sha256"]["sequence/addition.txt"]
    header, _ = read_checkpoint(tmp_path / f"{name}.npz")
    meta = header["metadata"]
    assert meta["model"] == ("PeekySeq2seq" if name.startswith("peeky") else "Seq2seq")
    assert len(meta["vocabulary"]) == 13 and meta["vocabulary"][6] == "_"
    labels = summary(results)
    assert "test accuracy (%)" in labels and "best epoch" in labels


@pytest.mark.slow
def test_same_seed_same_run(addition_file, tmp_path):
    kwargs = {"epochs": 1, "progress": False, "train_size": 256, "test_size": 50}
    a = run_experiment("peeky-seq2seq-addition", out_dir=tmp_path / "a", **kwargs)
    b = run_experiment("peeky-seq2seq-addition", out_dir=tmp_path / "b", **kwargs)
    c = run_experiment("peeky-seq2seq-addition", out_dir=tmp_path / "c", seed=1, **kwargs)
    assert a["history"]["loss"] == b["history"]["loss"] and a["history"]["epoch_loss"] == b["history"]["epoch_loss"]
    assert a["evaluation"] == b["evaluation"]
    assert a["history"]["epoch_loss"] != c["history"]["epoch_loss"]


def test_bad_settings_fail_before_training(addition_file, tmp_path):
    with pytest.raises(ValueError, match="'train_size' must be >= 0"):
        run_experiment("seq2seq-addition", out_dir=tmp_path, train_size=-1)
    with pytest.raises(ValueError, match="unknown setting 'peeky'"):
        run_experiment("seq2seq-addition", out_dir=tmp_path, peeky=True)
    assert not list(tmp_path.glob("*.json"))


def test_results_accuracy_matches_decoding_one_by_one(addition_file):
    """The book's per-question loop and the batched accuracy agree on the book's test questions."""
    (x, t), (xt, tt) = sequence.load_data("addition.txt")
    model = PeekySeq2seq(13, 16, 32, seed=0)
    rng = np.random.default_rng(0)
    for p in model.params:
        p[...] = rng.standard_normal(p.shape) * 0.5
    xt, tt = xt[:300, ::-1].copy(), tt[:300]
    one_by_one = np.concatenate([model.generate(xt[[i]], int(tt[i, 0]), 4) for i in range(len(xt))])
    np.testing.assert_array_equal(model.generate(xt, tt[:, 0], 4), one_by_one)
