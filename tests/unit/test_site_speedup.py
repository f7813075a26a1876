"""Unit tests of scratchnlp._site.speedup, the wording of one page of the site."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from scratchnlp._pages import repo_root
from scratchnlp._site import speedup

ROOT = Path(__file__).resolve().parents[2]


def _bench_record(results, **extra):
    return {"script": "benchmarks/x.py", "date": "2026-12-01T08:00:00+00:00", "wall_s": 12.0,
            "machine": {"cpu": "Some CPU", "cpu_count": 2, "numpy": "2.4.6"}, "results": results, **extra}


BENCH_RESULTS = {
    "bench_count_based": {"ppmi": {"label": "PPMI on a 1000x1000 slice", "book_s": 0.8, "ours_s": 0.002},
                          "co_matrix": {"label": "co-occurrence", "book_s": 2.0, "ours_s": 0.5}},
    "bench_word2vec": {
        "scatter": {"W_in, batch 100": {"loop": 0.5, "add.at": 0.6, "scatter_add": 0.2}},
        "adam": {"dense": {"optim.Adam": 4.0, "FusedAdam(exact=True)": 3.5, "FusedAdam": 3.2}},
        "book": {"CBOW": {"iterations": 150, "book_way_s": 10.0, "ours_fused_adam_s": 1.0}},
        "fast": {"skipped": "gensim not installed"},
    },
    "bench_rnnlm": {"rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.04, "pytorch": 0.05}},
                    "book": {"best_s": {"book's code way": 0.06, "pytorch": 0.05}}},
    "bench_seq2seq": {"train": {"Seq2seq": {"best_s": {"book's code": 0.012, "scratchnlp": 0.011}}},
                      "decode": {"Seq2seq": {"best_s": {"book's loop": 1.9, "scratchnlp, batched": 0.14}}}},
    "bench_attention": {"train": {"best_s": {"book's code": 0.1, "scratchnlp": 0.05},
                                  "attention_layer": {"best_s": {"book's code": 0.01, "scratchnlp": 0.002}}},
                        "decode": {"best_s": {"book's loop": 4.0, "scratchnlp, batched": 0.2}}},
    "bench_unknown": {"x": 1},
}


def test_load_benchmarks_reads_the_records(tmp_path):
    for name, results in BENCH_RESULTS.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(_bench_record(results)), encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # not a bench_*.json: ignored
    records = speedup.load_benchmarks(tmp_path)
    assert list(records) == sorted(BENCH_RESULTS)
    assert speedup.load_benchmarks(tmp_path / "missing") == {}
    (tmp_path / "bench_bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="bench_bad.json"):
        speedup.load_benchmarks(tmp_path)


def test_benchmark_ratios_one_row_per_comparison_in_chapter_order():
    records = {name: _bench_record(results) for name, results in BENCH_RESULTS.items()}
    rows = speedup.benchmark_ratios(records)
    assert [r["script"] for r in rows] == (["bench_count_based"] * 2 + ["bench_word2vec"] * 3 + ["bench_rnnlm"] * 2
                                           + ["bench_seq2seq"] * 2 + ["bench_attention"] * 3)
    by_what = {r["what"]: r for r in rows}
    assert by_what["PPMI on a 1000x1000 slice (ch. 2)"]["ratio"] == pytest.approx(400)
    assert by_what["scatter-add, W_in, batch 100"]["reference_s"] == pytest.approx(0.6e-3)
    assert by_what["one Adam step, dense gradient"]["ratio"] == pytest.approx(4.0 / 3.2)
    rnnlm = [r for r in rows if r["script"] == "bench_rnnlm"]
    assert [r["reference"] for r in rnnlm] == ["PyTorch, same threads", "the book's code"]  # no BetterRnnlm run
    assert rnnlm[1]["ratio"] == pytest.approx(0.06 / 0.04)
    assert by_what["TimeAttention forward and backward (ch. 8)"]["ratio"] == pytest.approx(5)
    assert by_what["AttentionSeq2seq, answering the test questions (ch. 8)"]["ratio"] == pytest.approx(20)
    assert by_what["Seq2seq training iteration (ch. 7)"]["reference"] == "the book's code"
    assert speedup.benchmark_ratios({}) == []


def test_the_committed_benchmark_records_give_rows():
    records = speedup.load_benchmarks()
    if not records:
        pytest.skip("no benchmark results committed")
    rows = speedup.benchmark_ratios(records)
    assert rows and all(r["ratio"] > 0 for r in rows)


@pytest.mark.parametrize("seconds, text", [(0.7916, "792 ms"), (12.34, "12.3 s"), (0.04138, "41.4 ms"),
                                            (0.00022, "220 µs"), (3e-7, "0.300 µs"), (1.0, "1.00 s")])
def test_seconds_text(seconds, text):
    assert speedup.seconds_text(seconds) == text


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_seconds_text_refuses_what_is_no_duration(bad):
    with pytest.raises(ValueError, match="positive"):
        speedup.seconds_text(bad)


def test_machine_text():
    assert speedup.machine_text(_bench_record({})) == "Some CPU, 2 cores, NumPy 2.4.6, 2026-12-01"
    gpu = _bench_record({}, machine={"cpu": "C", "gpu": "NVIDIA H100", "cupy": "13.6.0"})
    assert speedup.machine_text(gpu) == "C, NVIDIA H100, CuPy 13.6.0, 2026-12-01"
    assert speedup.machine_text({}) == "an unnamed CPU"


def test_gpu_sentence_every_branch():
    assert "measured during the build" in speedup.gpu_sentence(True, None)
    assert "no measurements from a GPU have been committed" in speedup.gpu_sentence(False, None)
    committed = speedup.gpu_sentence(False, _bench_record({}, machine={"cpu": "C", "gpu": "NVIDIA H100"}))
    assert "(C, NVIDIA H100, 2026-12-01)" in committed


def test_training_step_time_trains_the_model_and_returns_a_time():
    import numpy as np

    from scratchnlp import optim
    from scratchnlp.models import Rnnlm

    model = Rnnlm(30, 4, 5, seed=0)
    before = model.params[0].copy()
    xs = np.random.default_rng(0).integers(0, 30, (2, 3))
    seconds = speedup.training_step_time(model, optim.SGD(0.1), xs, xs, max_grad=1.0, repeats=2)
    assert seconds > 0 and not np.array_equal(before, model.params[0])
    with pytest.raises(ValueError, match="repeats"):
        speedup.training_step_time(model, optim.SGD(0.1), xs, xs, repeats=0)


def test_chapter_step_times_on_the_cpu():
    times = speedup.chapter_step_times("cpu", repeats=1, models=("Rnnlm", "AttentionSeq2seq"))
    assert set(times) == {"Rnnlm", "AttentionSeq2seq"} and all(t > 0 for t in times.values())
    with pytest.raises(ValueError, match="unknown models"):
        speedup.chapter_step_times("cpu", models=("GPT",))


def test_gpu_available_leaves_the_device_alone():
    from scratchnlp import backend

    assert isinstance(speedup.gpu_available(), bool)
    assert backend.get_device() == "cpu"


def test_benchmarks_dir_is_in_the_repository():
    root = repo_root()
    assert root is not None
    assert speedup.benchmarks_dir() == root / "benchmarks" / "results"
    assert speedup.benchmarks_dir(Path("/x")) == Path("/x/benchmarks/results")
