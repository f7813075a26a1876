"""The chapter-4 experiments on the real PTB, cut short (a few thousand tokens, one epoch)."""

from __future__ import annotations

import json

import pytest

from scratchnlp.experiments import load_results, load_word_vectors, run_experiment, summary

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["cbow-ptb", "skipgram-ptb-fast"])
def test_tiny_word2vec_run_on_ptb(ptb_files, tmp_path, name):
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
    assert {"final loss", "analogy accuracy (%)", "WordSim-353 Spearman"} <= set(summary(load_results(name, tmp_path)))


@pytest.mark.parametrize("name", ["cbow-ptb", "cbow-ptb-fast", "skipgram-ptb", "skipgram-ptb-fast"])
def test_committed_results_read_back(name):
    from pathlib import Path

    data = load_results(name, Path(__file__).resolve().parents[2] / "results")
    assert data["config"]["epochs"] >= 1
    assert summary(data)["analogy accuracy (%)"] > 0
