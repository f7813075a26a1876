"""The experiment registry and run_experiment: files written atomically, loaded back, bad settings."""

import json

import numpy as np
import pytest

from scratchnlp import experiments
from scratchnlp.checkpoint import read_checkpoint
from scratchnlp.datasets import DatasetUnavailableError, fetch
from scratchnlp.experiments import (
    EXPERIMENTS,
    Experiment,
    TrainOutput,
    experiment_name,
    get_experiment,
    list_experiments,
    load_word_vectors,
    run_experiment,
    similar_words,
    summarize,
)
from scratchnlp.text import UnknownWordError


def _ptb_available() -> bool:
    try:
        fetch("ptb", "ptb.train.txt")
        fetch("analogy", "questions-words.txt")
    except DatasetUnavailableError:
        return False
    return True


needs_ptb = pytest.mark.skipif(not _ptb_available(), reason="PTB not cached or reachable (set SCRATCHNLP_MIRROR)")


class _Toy:
    """A 'model' with one (3, 2) parameter and word vectors."""

    param_names = ["W_in"]

    def __init__(self) -> None:
        self.params = [np.arange(6, dtype=np.float32).reshape(3, 2)]
        self.word_vecs = self.params[0]


def _toy_train(config, seed, progress):
    if config["fail"]:
        raise RuntimeError("training failed")
    return TrainOutput(
        model=_Toy(),
        history={"loss": [2.0, 1.0], "epoch_loss": [1.5] * config["epochs"]},
        metadata={"word_vecs": "W_in", "vocabulary": ["a", "b", "c"]},
        info={"note": np.float32(0.5)},
    )


def _toy_evaluate(output, config):
    if config["eval_error"]:
        raise OSError("evaluation data unavailable")
    return {"score": np.float64(0.25), "nan": float("nan")}


@pytest.fixture
def toy(monkeypatch):
    experiment = Experiment("toy", "a toy experiment", "0", {"epochs": 2, "fail": False, "eval_error": False,
                                                             "rate": 0.1, "batch": 4}, _toy_train, _toy_evaluate)
    monkeypatch.setitem(EXPERIMENTS, "toy", experiment)
    return experiment


def test_registry_has_the_word2vec_experiments():
    names = [e.name for e in list_experiments()]
    for name in ("cbow-ptb", "skipgram-ptb", "cbow-ptb-fast", "skipgram-ptb-fast"):
        assert name in names
    book = get_experiment("cbow-ptb").defaults
    assert (book["window_size"], book["hidden_size"], book["batch_size"], book["epochs"]) == (5, 100, 100, 10)
    assert experiment_name("cbow-ptb", fast=True) == "cbow-ptb-fast"
    assert experiment_name("cbow-ptb-fast", fast=True) == "cbow-ptb-fast"
    assert experiment_name("skipgram-ptb") == "skipgram-ptb"
    with pytest.raises(ValueError, match="unknown experiment 'nope'.*cbow-ptb"):
        get_experiment("nope")
    with pytest.raises(ValueError, match="already registered"):
        experiments.register(get_experiment("cbow-ptb"))


def test_run_writes_results_and_checkpoint_atomically(toy, tmp_path):
    out = tmp_path / "runs"
    results = run_experiment("toy", out_dir=out, epochs=3, rate=0.5)
    assert sorted(p.name for p in out.iterdir()) == ["toy.json", "toy.npz"]  # no temporary file left
    saved = json.loads((out / "toy.json").read_text())
    assert saved["config"] == {"epochs": 3, "fail": False, "eval_error": False, "rate": 0.5, "batch": 4}
    assert saved["history"]["epoch_loss"] == [1.5, 1.5, 1.5]
    assert saved["evaluation"] == {"score": 0.25, "nan": None}  # strict JSON: NaN becomes null
    assert saved["note"] == 0.5 and saved["checkpoint"] == "toy.npz"
    assert set(saved["machine"]) >= {"platform", "cpu_count", "numpy"}
    assert saved["package"]["name"] == "scratchnlp" and saved["wall_time"]["total_s"] >= 0
    assert results["paths"]["results"].endswith("toy.json")
    header, arrays = read_checkpoint(out / "toy.npz")
    assert arrays[0].dtype == np.float16 and header["metadata"]["config"]["epochs"] == 3
    W, word_to_id, id_to_word = load_word_vectors(out / "toy.npz")
    np.testing.assert_array_equal(W, np.arange(6).reshape(3, 2))
    assert word_to_id == {"a": 0, "b": 1, "c": 2} and id_to_word[2] == "c"
    assert similar_words("a", out / "toy.npz", top=1)[0][0] in {"b", "c"}
    with pytest.raises(UnknownWordError):
        similar_words("zzz", out / "toy.npz")
    assert "toy: a toy experiment" in summarize(results)


def test_failed_training_writes_nothing(toy, tmp_path):
    with pytest.raises(RuntimeError, match="training failed"):
        run_experiment("toy", out_dir=tmp_path, fail=True)
    assert list(tmp_path.iterdir()) == []


def test_unavailable_evaluation_data_keeps_the_run(toy, tmp_path):
    results = run_experiment("toy", out_dir=tmp_path, eval_error=True)
    assert results["evaluation"] == {"error": "evaluation data unavailable"}
    assert (tmp_path / "toy.json").is_file()
    assert "evaluation skipped" in summarize(results)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"colour": 1}, "unknown setting 'colour'"),
        ({"fail": 1}, "True or False"),
        ({"batch": 2.5}, "must be an int"),
        ({"rate": "fast"}, "must be a number"),
    ],
)
def test_bad_settings(toy, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_experiment("toy", out_dir=tmp_path, **kwargs)


def test_bad_epochs(toy, tmp_path):
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        run_experiment("toy", out_dir=tmp_path, epochs=0)


def test_load_word_vectors_rejects_other_checkpoints(tmp_path):
    from scratchnlp.checkpoint import save_params

    save_params(tmp_path / "p.npz", [np.zeros((2, 2), dtype=np.float32)])
    with pytest.raises(ValueError, match="no word vectors"):
        load_word_vectors(tmp_path / "p.npz")


@needs_ptb
@pytest.mark.parametrize("name", ["cbow-ptb", "skipgram-ptb-fast"])
def test_tiny_word2vec_run_on_ptb(tmp_path, name):
    results = run_experiment(name, out_dir=tmp_path, epochs=1, corpus_size=3000, seed=1)
    saved = json.loads((tmp_path / f"{name}.json").read_text())
    assert saved["corpus_tokens"] == 3000 and saved["vocab_size"] == 10000
    ptb_sha = "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf"
    assert saved["data_sha256"]["ptb/ptb.train.txt"] == ptb_sha
    assert "analogy/questions-words.txt" in saved["data_sha256"]
    analogy = saved["evaluation"]["analogy"]
    assert analogy["evaluated"] + analogy["skipped"] == analogy["total"] == 19544
    assert {"semantic", "syntactic", "sections"} <= set(analogy)
    assert saved["evaluation"]["wordsim353"]["evaluated"] > 0
    assert len(saved["history"]["epoch_loss"]) == 1
    W, word_to_id, _ = load_word_vectors(tmp_path / f"{name}.npz")
    assert W.shape == (10000, 100) and word_to_id["<eos>"] >= 0
    assert results["seed"] == 1
