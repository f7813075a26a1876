"""`scratchnlp run`, `experiments` and `similar` end to end on the real PTB (one fast epoch)."""

from __future__ import annotations

import json

import pytest

from scratchnlp.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("ptb_files")]


def test_experiments_lists_the_word2vec_runs(capsys):
    assert main(["experiments"]) == 0
    out = capsys.readouterr().out
    for name in ("cbow-ptb", "cbow-ptb-fast", "skipgram-ptb", "skipgram-ptb-fast"):
        assert name in out


def test_run_fast_cbow_one_epoch_then_query_it(tmp_path, capsys):
    out_dir = tmp_path / "results"
    assert main(["run", "cbow-ptb", "--fast", "--epochs", "1", "--out", str(out_dir), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "analogy accuracy" in printed
    results = json.loads((out_dir / "cbow-ptb-fast.json").read_text())
    assert results["config"]["epochs"] == 1
    assert results["corpus_tokens"] == 929589
    assert set(results["data_sha256"]) >= {"ptb/ptb.train.txt", "analogy/questions-words.txt"}
    assert sorted(p.name for p in out_dir.iterdir()) == ["cbow-ptb-fast.json", "cbow-ptb-fast.npz"]

    assert main(["similar", "year", "--vectors", str(out_dir / "cbow-ptb-fast.npz"), "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[query] year"
    assert len(lines) == 4


def test_run_and_similar_errors(tmp_path, capsys):
    assert main(["run", "no-such-experiment", "--out", str(tmp_path)]) == 2
    assert "unknown experiment 'no-such-experiment'" in capsys.readouterr().err
    assert main(["run", "cbow-ptb", "--epochs", "0", "--out", str(tmp_path)]) == 2
    assert main(["similar", "you", "--vectors", str(tmp_path / "missing.npz")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
