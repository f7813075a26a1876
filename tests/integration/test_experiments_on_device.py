"""Every chapter's experiments run unchanged with the weights on the device: on the CuPy stand-in everywhere
(tests/fakecupy.py, whose arrays refuse NumPy), and on CuPy where a GPU is usable. Cut tiny; the NumPy runs and
what they should learn are the other integration tests'."""

import json

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.checkpoint import read_checkpoint
from scratchnlp.datasets import DatasetUnavailableError, fetch
from scratchnlp.experiments import language_models, run_experiment

pytestmark = pytest.mark.slow

_TINY_BETTER = {"corpus_size": 1500, "eval_size": 400, "wordvec_size": 8, "hidden_size": 8, "batch_size": 4,
                "time_size": 8, "lr": 50.0, "lr_decay": 4.0}
RUNS = [
    ("cbow-ptb", ("ptb", "ptb.train.txt"), {"epochs": 1, "corpus_size": 3000}),
    ("skipgram-ptb-fast", ("ptb", "ptb.train.txt"), {"epochs": 1, "corpus_size": 3000}),
    ("rnnlm-ptb", ("ptb", "ptb.train.txt"), {"epochs": 1, "corpus_size": 4000, "eval_size": 1000, "wordvec_size": 8,
                                              "hidden_size": 8, "batch_size": 5, "time_size": 10, "lr": 5.0}),
    ("peeky-seq2seq-addition", ("sequence", "addition.txt"), {"epochs": 1, "train_size": 256, "test_size": 50}),
    ("attention-date", ("sequence", "date.txt"), {"epochs": 1, "train_size": 128, "test_size": 20,
                                                   "hidden_size": 16, "bidirectional": True}),
]


def _data(folder, name):
    try:
        fetch(folder, name, progress=False)
    except DatasetUnavailableError as exc:
        pytest.skip(f"{folder}/{name} unavailable (set SCRATCHNLP_MIRROR): {exc}")


@pytest.mark.parametrize(("name", "data", "settings"), RUNS, ids=[r[0] for r in RUNS])
def test_the_experiment_runs_on_the_device(device_xp, tmp_path, name, data, settings):
    _data(*data)
    results = run_experiment(name, out_dir=tmp_path, progress=False, seed=1, **settings)
    assert results["evaluation"]
    saved = json.loads((tmp_path / f"{name}.json").read_text())
    assert saved["machine"]["device"] == "gpu"
    _, arrays = read_checkpoint(tmp_path / f"{name}.npz")  # saved from the device, read on the host
    assert arrays and all(isinstance(a, np.ndarray) and np.isfinite(a).all() for a in arrays)


def test_better_rnnlm_resumes_on_the_device(device_xp, tmp_path, monkeypatch):
    _data("ptb", "ptb.train.txt")
    validate, calls = language_models._validate, {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second epoch's validation never happens
            raise KeyboardInterrupt
        return validate(*args, **kwargs)

    monkeypatch.setattr(language_models, "_validate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_experiment("better-rnnlm-ptb", out_dir=tmp_path, epochs=2, progress=False, **_TINY_BETTER)
    monkeypatch.setattr(language_models, "_validate", validate)
    resumed = run_experiment("better-rnnlm-ptb", out_dir=tmp_path, epochs=2, progress=False, resume=True,
                             **_TINY_BETTER)
    assert resumed["resumed_from_epoch"] == 1 and len(resumed["history"]["valid_perplexity"]) == 2
    assert [s["prompt"] for s in resumed["evaluation"]["samples"]] == list(language_models.SAMPLE_PROMPTS)
    assert backend.get_device() == "gpu"
