"""The language models learn; the chapter 5-6 experiments run, score and resume; the book's weights score 136."""

import json
import math

import numpy as np
import pytest

from scratchnlp import optim
from scratchnlp.checkpoint import read_checkpoint
from scratchnlp.experiments import get_experiment, language_models, load_results, run_experiment, summary
from scratchnlp.models import BetterRnnlm, Rnnlm, SimpleRnnlm
from scratchnlp.training import RnnlmTrainer, eval_perplexity


@pytest.mark.parametrize("cls", [SimpleRnnlm, Rnnlm, BetterRnnlm])
def test_a_tiny_model_overfits_a_short_sequence(cls):
    rng = np.random.default_rng(0)
    corpus = np.tile(rng.integers(0, 12, 25), 40)  # a 25-word sequence, repeated
    model = cls(12, 16, 16, seed=0, **({"dropout_ratio": 0.1} if cls is BetterRnnlm else {}))
    trainer = RnnlmTrainer(model, optim.Adam(0.01))
    trainer.fit(corpus[:-1], corpus[1:], 30, 4, 10, max_grad=1.0, progress=False)
    assert trainer.history["epoch_perplexity"][0] > 5
    assert trainer.history["epoch_perplexity"][-1] < 1.2
    assert eval_perplexity(model, corpus, 4, 10) < 1.2  # the next word is (almost) certain


def test_the_experiments_have_the_books_settings():
    simple = get_experiment("simple-rnnlm-ptb").defaults
    assert (simple["batch_size"], simple["time_size"], simple["lr"], simple["epochs"], simple["corpus_size"]) == (
        10, 5, 0.1, 100, 1000)
    rnnlm = get_experiment("rnnlm-ptb").defaults
    assert (rnnlm["batch_size"], rnnlm["wordvec_size"], rnnlm["hidden_size"], rnnlm["time_size"], rnnlm["lr"],
            rnnlm["max_grad"], rnnlm["epochs"]) == (20, 100, 100, 35, 20.0, 0.25, 4)
    better = get_experiment("better-rnnlm-ptb")
    d = better.defaults
    assert (d["wordvec_size"], d["hidden_size"], d["dropout"], d["lr"], d["lr_decay"], d["epochs"]) == (
        650, 650, 0.5, 20.0, 4.0, 40)
    assert better.resumable and not get_experiment("rnnlm-ptb").resumable


def test_tiny_language_model_runs_on_ptb(ptb_files, tmp_path):
    results = run_experiment("rnnlm-ptb", out_dir=tmp_path, epochs=1, corpus_size=8000, eval_size=1500,
                             wordvec_size=16, hidden_size=16, batch_size=5, time_size=10, lr=5.0, progress=False)
    ev = results["evaluation"]
    assert set(ev) == {"test_perplexity", "valid_perplexity"}
    assert 10 < ev["test_perplexity"] < 10000 and 10 < ev["valid_perplexity"] < 10000
    saved = json.loads((tmp_path / "rnnlm-ptb.json").read_text())
    assert saved["evaluation"] == ev
    header, arrays = read_checkpoint(tmp_path / "rnnlm-ptb.npz")
    assert [e["name"] for e in header["params"]] == ["embed_W", "lstm_Wx", "lstm_Wh", "lstm_b", "affine_W",
                                                     "affine_b"]
    assert len(header["metadata"]["vocabulary"]) == 10000
    labels = summary(results)
    assert labels["test perplexity"] == ev["test_perplexity"]
    simple = run_experiment("simple-rnnlm-ptb", out_dir=tmp_path, epochs=2, progress=False)
    assert simple["vocab_size"] == 418  # the ids of the first 1,000 words, as the book's max(corpus) + 1
    assert "train_perplexity" in simple["evaluation"]


_TINY_BETTER = {"corpus_size": 1500, "eval_size": 400, "wordvec_size": 8, "hidden_size": 8, "batch_size": 4,
                "time_size": 8, "lr": 50.0, "lr_decay": 4.0}


def test_better_rnnlm_resume_equals_an_uninterrupted_run(ptb_files, tmp_path, monkeypatch):
    whole = run_experiment("better-rnnlm-ptb", out_dir=tmp_path / "whole", epochs=3, progress=False, seed=2,
                           **_TINY_BETTER)
    assert whole["history"]["lr"][0] == 50.0
    # the kept model's texts from the book's beginnings, without the book's skipped words
    samples = whole["evaluation"]["samples"]
    assert [s["prompt"] for s in samples] == list(language_models.SAMPLE_PROMPTS)
    for index, sample in enumerate(samples):
        words = sample["text"].split()
        assert len(words) == language_models.SAMPLE_WORDS and sample["text"].startswith(sample["prompt"] + " ")
        assert not set(words) & {"N", "<unk>", "$"} and sample["seed"] == [2, index]
    assert samples[0]["text"] != samples[1]["text"]
    assert not (tmp_path / "whole" / "better-rnnlm-ptb.state.npz").exists()  # spent when the run finished

    calls = {"n": 0}
    validate = language_models._validate

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the third epoch's validation never happens
            raise KeyboardInterrupt
        return validate(*args, **kwargs)

    monkeypatch.setattr(language_models, "_validate", interrupted)
    out = tmp_path / "parts"
    with pytest.raises(KeyboardInterrupt):
        run_experiment("better-rnnlm-ptb", out_dir=out, epochs=3, progress=False, seed=2, **_TINY_BETTER)
    assert (out / "better-rnnlm-ptb.state.npz").is_file() and not (out / "better-rnnlm-ptb.json").exists()
    monkeypatch.setattr(language_models, "_validate", validate)
    state = (out / "better-rnnlm-ptb.state.npz").read_bytes()
    with pytest.raises(ValueError, match="holds the state of an interrupted better-rnnlm-ptb run; continue it with "
                                         "--resume, or remove that file"):
        run_experiment("better-rnnlm-ptb", out_dir=out, epochs=3, progress=False, seed=2, **_TINY_BETTER)
    assert (out / "better-rnnlm-ptb.state.npz").read_bytes() == state  # kept, untouched
    with pytest.raises(ValueError, match="other settings"):
        run_experiment("better-rnnlm-ptb", out_dir=out, epochs=3, progress=False, seed=3, resume=True,
                       **_TINY_BETTER)
    # a snapshot reports the two completed epochs without training, and keeps the state for the resumed run
    snap = run_experiment("better-rnnlm-ptb", out_dir=out, epochs=3, progress=False, seed=2, snapshot=True,
                          **_TINY_BETTER)
    assert snap["partial"] is True and snap["epochs_completed"] == 2 and snap["epochs_planned"] == 3
    assert snap["history"]["valid_perplexity"] == whole["history"]["valid_perplexity"][:2]
    assert snap["epochs_train_s"] > 0 and "resumed_from_epoch" not in snap
    assert math.isfinite(snap["evaluation"]["test_perplexity"])
    assert (out / "better-rnnlm-ptb.state.npz").read_bytes() == state
    assert load_results("better-rnnlm-ptb", out)["partial"] is True
    assert summary(snap)["epochs"] == "2 of 3 (run in progress)"
    assert summary(snap)["training time (s)"] == snap["epochs_train_s"]
    resumed = run_experiment("better-rnnlm-ptb", out_dir=out, epochs=3, progress=False, seed=2, resume=True,
                             **_TINY_BETTER)
    assert "partial" not in resumed
    assert resumed["resumed_from_epoch"] == 2
    assert resumed["evaluation"] == whole["evaluation"]
    for key in ("loss", "perplexity", "epoch_loss", "valid_perplexity", "lr", "best_epoch", "iteration"):
        assert resumed["history"][key] == whole["history"][key], key
    # which code on which machine trained each epoch, across the interruption
    log = resumed["history"]["epoch_log"]
    assert [e["epoch"] for e in log] == [1, 2, 3]
    assert [e["valid_perplexity"] for e in log] == resumed["history"]["valid_perplexity"]
    for entry in log:
        assert entry["package"] and entry["train_s"] > 0 and entry["machine"]["cpu_count"]
        assert "source_revision" in entry and entry["finished"].endswith("+00:00")
    _, a = read_checkpoint(tmp_path / "whole" / "better-rnnlm-ptb.npz")
    _, b = read_checkpoint(out / "better-rnnlm-ptb.npz")
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_better_rnnlm_long_run_stopped_early_is_scored_with_fewer_epochs(ptb_files, tmp_path, monkeypatch):
    """A long run interrupted after two epochs is finished with ``--resume --epochs 2``: scored, not retrained."""
    calls = {"n": 0}
    validate = language_models._validate

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return validate(*args, **kwargs)

    monkeypatch.setattr(language_models, "_validate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_experiment("better-rnnlm-ptb", out_dir=tmp_path, epochs=40, progress=False, **_TINY_BETTER)
    monkeypatch.setattr(language_models, "_validate", validate)
    with pytest.raises(ValueError, match="already trained 2 epochs; resume with --epochs 2 or more"):
        run_experiment("better-rnnlm-ptb", out_dir=tmp_path, epochs=1, progress=False, resume=True, **_TINY_BETTER)
    done = run_experiment("better-rnnlm-ptb", out_dir=tmp_path, epochs=2, progress=False, resume=True,
                          **_TINY_BETTER)
    assert len(done["history"]["valid_perplexity"]) == 2 and done["resumed_from_epoch"] == 2
    assert done["history"]["train_wall_time_s"] > 0 and "test_perplexity" in done["evaluation"]


def test_better_rnnlm_keeps_the_best_epoch_and_decays_the_learning_rate(ptb_files, tmp_path, monkeypatch):
    scores = iter([300.0, 200.0, 250.0, 260.0])
    monkeypatch.setattr(language_models, "_validate", lambda *a, **k: next(scores))
    results = run_experiment("better-rnnlm-ptb", out_dir=tmp_path, epochs=4, progress=False, **_TINY_BETTER)
    history = results["history"]
    assert history["valid_perplexity"] == [300.0, 200.0, 250.0, 260.0]
    assert history["lr"] == [50.0, 50.0, 50.0, 12.5]
    assert history["best_epoch"] == 2 and summary(results)["best validation epoch"] == 2


@pytest.mark.slow
def test_the_books_trained_rnnlm_scores_its_test_perplexity(ptb_files):
    """Chapter 6's ``Rnnlm.pkl`` loaded into our Rnnlm: the book's ch06/eval.py reports about 136."""
    from scratchnlp import checkpoint
    from scratchnlp.datasets import DatasetUnavailableError, fetch, load_ptb

    if not hasattr(checkpoint, "load_book_params"):
        pytest.skip("scratchnlp.checkpoint.load_book_params is not there yet")
    try:
        path = fetch("book-weights", "Rnnlm.pkl", progress=False)
    except DatasetUnavailableError as exc:
        pytest.skip(f"the book's weights are unavailable: {exc}")
    model = Rnnlm()
    model.load_book_params(path)
    corpus_test, _, _ = load_ptb("test")
    ppl = eval_perplexity(model, corpus_test)
    assert 130 < ppl < 140
