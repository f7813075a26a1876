"""scratchnlp.benchmarking: the benchmark records read into comparisons, the machine of a record, durations in
words, and the step timings, with nothing the site's pages need (no IPython, no Matplotlib)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scratchnlp import benchmarking as bm

ROOT = Path(__file__).resolve().parents[2]


def _record(results, **extra):
    return {"script": "benchmarks/x.py", "date": "2026-12-01T08:00:00+00:00", "wall_s": 12.0,
            "machine": {"cpu": "Some CPU", "cpu_count": 2, "numpy": "2.4.6"}, "results": results, **extra}


RESULTS = {
    "bench_count_based": {"ppmi": {"label": "PPMI on a 1000x1000 slice", "book_s": 0.8, "ours_s": 0.002},
                          "co_matrix": {"book_s": 2.0, "ours_s": 0.5}},  # no label: the key stands for it
    "bench_word2vec": {
        "book": {"CBOW": {"iterations": 150, "book_way_s": 10.0, "ours_fused_adam_s": 1.0}},
        "scatter": {"W_in, batch 100 (10 contexts)": {"loop": 0.5, "add.at": 0.6, "scatter_add": 0.2}},
        "adam": {"dense": {"optim.Adam": 4.0, "FusedAdam(exact=True)": 3.5, "FusedAdam": 3.2}},
        "fast": {"CBOW": {"gensim_s_per_epoch": 10.0, "ours_s_per_epoch": 5.0}, "gensim_version": "4.3"},
    },
    "bench_rnnlm": {"rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.04, "pytorch": 0.05}},
                    "better": {"best_s": {"scratchnlp BetterRnnlm": 0.4}},  # no PyTorch: left out
                    "book": {"best_s": {"book's code way": 0.06, "pytorch": 0.05}}},
    "bench_seq2seq": {"train": {"Seq2seq": {"best_s": {"book's code": 0.012, "scratchnlp": 0.011}},
                                "PeekySeq2seq": {"best_s": {"book's code": 0.015, "scratchnlp": 0.0}}},  # not > 0
                      "decode": {"Seq2seq": {"best_s": {"book's loop": 1.9, "scratchnlp, batched": 0.14}}}},
    "bench_attention": {"train": {"best_s": {"book's code": 0.1, "scratchnlp": 0.05},
                                  "attention_layer": {"best_s": {"book's code": 0.01, "scratchnlp": 0.002}}},
                        "decode": {"best_s": {"book's loop": 4.0, "scratchnlp, batched": 0.2}}},
    "bench_unknown": {"x": 1},
}


def _records():
    return {name: _record(results) for name, results in RESULTS.items()}


def test_comparisons_one_per_comparison_in_chapter_order():
    rows = bm.comparisons(_records())
    assert [(r.script, r.what, r.reference, r.chapter) for r in rows] == [
        ("bench_count_based", "label", "python_loop", 2),
        ("bench_count_based", "label", "python_loop", 2),
        ("bench_word2vec", "word2vec", "book_way", 4),
        ("bench_word2vec", "scatter", "add_at", None),
        ("bench_word2vec", "adam", "optim_adam", None),
        ("bench_word2vec", "fast", "gensim", None),
        ("bench_rnnlm", "train", "pytorch", 6),
        ("bench_rnnlm", "train", "book_code", 6),
        ("bench_seq2seq", "train", "book_code", 7),
        ("bench_seq2seq", "decode", "decode_loop", 7),
        ("bench_attention", "train", "book_code", 8),
        ("bench_attention", "attention", "attention_loop", 8),
        ("bench_attention", "decode", "decode_loop", 8),
    ]
    assert [r.what_fields for r in rows[:6]] == [
        {"label": "PPMI on a 1000x1000 slice"}, {"label": "co_matrix"},
        {"name": "CBOW", "iterations": 150}, {"case": "W_in, batch 100 (10 contexts)"}, {"case": "dense"},
        {"name": "CBOW"}]
    assert {r.what for r in rows} <= set(bm.WHAT_KEYS) and {r.reference for r in rows} <= set(bm.REFERENCE_KEYS)
    ppmi = rows[0]
    assert (ppmi.reference_s, ppmi.ours_s) == (0.8, 0.002) and ppmi.speedup == pytest.approx(400)
    # the word2vec script writes milliseconds for the building blocks; the comparisons hold seconds
    assert rows[3].reference_s == pytest.approx(0.6e-3) and rows[3].ours_s == pytest.approx(0.2e-3)
    assert rows[4].speedup == pytest.approx(4.0 / 3.2)  # FusedAdam, not the exact variant
    assert rows[7].reference_s == 0.06 and rows[7].ours_s == 0.04  # the book's code against our Rnnlm
    assert rows[11].speedup == pytest.approx(5)
    assert bm.comparisons({}) == []


def test_comparisons_of_the_committed_records():
    records = bm.load_benchmarks(ROOT / "benchmarks" / "results")
    if not records:
        pytest.skip("no benchmark results committed")
    rows = bm.comparisons(records)
    assert rows and all(r.reference_s > 0 and r.ours_s > 0 and math.isfinite(r.speedup) for r in rows)
    assert {r.script for r in rows} <= set(records)


def test_comparisons_refuse_what_is_no_mapping_of_records():
    with pytest.raises(TypeError, match="records must be a mapping"):
        bm.comparisons([_record({})])


def test_load_benchmarks_reads_the_records(tmp_path):
    for name, results in RESULTS.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(_record(results)), encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # not a bench_*.json: ignored
    records = bm.load_benchmarks(tmp_path)
    assert list(records) == sorted(RESULTS)
    assert records["bench_rnnlm"]["results"] == RESULTS["bench_rnnlm"]
    assert bm.load_benchmarks(str(tmp_path / "missing")) == {}
    (tmp_path / "bench_bad.json").write_text('{"results": [1]}', encoding="utf-8")
    with pytest.raises(ValueError, match="bench_bad.json"):
        bm.load_benchmarks(tmp_path)


def test_machine_facts():
    assert bm.machine_facts(_record({})) == {"cpu": "Some CPU", "cpu_count": 2, "gpu": None, "numpy": "2.4.6",
                                              "cupy": None, "date": "2026-12-01"}
    gpu = _record({}, machine={"cpu": "C", "gpu": "NVIDIA H100", "cupy": "13.6.0", "cpu_count": 0})
    assert bm.machine_facts(gpu) == {"cpu": "C", "cpu_count": None, "gpu": "NVIDIA H100", "numpy": None,
                                     "cupy": "13.6.0", "date": "2026-12-01"}
    assert set(bm.machine_facts({}).values()) == {None}


@pytest.mark.parametrize("seconds, text", [(0.7916, "792 ms"), (12.34, "12.3 s"), (0.04138, "41.4 ms"),
                                            (0.00022, "220 µs"), (3e-7, "0.300 µs"), (1.0, "1.00 s"),
                                            (123.4, "123 s")])
def test_seconds_text(seconds, text):
    assert bm.seconds_text(seconds) == text


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_seconds_text_refuses_what_is_no_duration(bad):
    with pytest.raises(ValueError, match="positive and finite"):
        bm.seconds_text(bad)


def test_training_step_time_trains_the_model_and_returns_the_best_time():
    from scratchnlp import optim
    from scratchnlp.models import Rnnlm

    model = Rnnlm(30, 4, 5, seed=0)
    before = model.params[0].copy()
    xs = np.random.default_rng(0).integers(0, 30, (2, 3))
    seconds = bm.training_step_time(model, optim.SGD(0.1), xs, xs, max_grad=1.0, repeats=2)
    assert 0 < seconds < 10 and not np.array_equal(before, model.params[0])
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="repeats must be an int >= 1"):
            bm.training_step_time(model, optim.SGD(0.1), xs, xs, repeats=bad)


def test_chapter_step_times_on_the_cpu():
    times = bm.chapter_step_times("cpu", repeats=1, models=("Rnnlm", "AttentionSeq2seq"))
    assert set(times) == {"Rnnlm", "AttentionSeq2seq"} and all(t > 0 for t in times.values())


def test_chapter_step_times_refuse_an_unknown_model_and_leave_the_device():
    from scratchnlp import backend

    with pytest.raises(ValueError, match="unknown models"):
        bm.chapter_step_times("cpu", models=("Rnnlm", "GPT"))
    assert isinstance(bm.gpu_available(), bool)
    assert backend.get_device() == "cpu"


def test_the_site_words_every_kind_of_comparison():
    from scratchnlp._site import speedup

    assert set(speedup._WHAT_TEMPLATES) == set(bm.WHAT_KEYS)
    for key in bm.REFERENCE_KEYS:
        assert f"ref.{key}" in speedup.TEMPLATES["en"], key


def test_importing_it_loads_nothing_of_the_site():
    code = ("import sys, scratchnlp.benchmarking\n"
            "print(sorted(m for m in ('IPython', 'matplotlib', 'scratchnlp._site', 'scratchnlp._pages')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# --- the recurrent models against PyTorch --------------------------------------------------------------------------


def _torch_record():
    libs = [{"user_api": "blas", "internal_api": "openblas", "version": "0.3.31.188.0", "architecture": "SkylakeX"},
            {"user_api": "openmp", "internal_api": "openmp", "version": None, "architecture": None}]
    return _record({
        "threads": 2, "torch": "2.13.0+cpu", "numpy": "2.4.6", "gemm_peak_gflops": 200.0,
        "blas": {"libraries": libs, "variables": {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None}},
        "rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.04, "pytorch": 0.05, bm.PRODUCTS_ALONE: 0.03,
                             bm.PYTORCH_PER_OP: 0.08}},
        "better": {"best_s": {"scratchnlp BetterRnnlm": 0.4, "pytorch": 0.4}},  # made before products were timed
        "seq2seq": {"best_s": {"scratchnlp Seq2seq": 0.0, "pytorch": 0.01}},  # not > 0: left out
        "attention": {"best_s": {"scratchnlp AttentionSeq2seq": 0.09, "pytorch": 0.06, bm.PRODUCTS_ALONE: 0.07}},
    })


def test_pytorch_rows_in_chapter_order_with_the_floor():
    rows = bm.pytorch_rows(_torch_record())
    assert [(r.model, r.chapter) for r in rows] == [("Rnnlm", 6), ("BetterRnnlm", 6), ("AttentionSeq2seq", 8)]
    rnnlm, better, attention = rows
    assert rnnlm.ratio == pytest.approx(0.8) and rnnlm.floor_ratio == pytest.approx(0.6)
    assert rnnlm.per_op_s == 0.08 and rnnlm.per_op_ratio == pytest.approx(0.5)
    assert better.products_s is None and better.floor_ratio is None and better.ratio == pytest.approx(1.0)
    assert better.per_op_s is None and better.per_op_ratio is None
    assert attention.floor_ratio == pytest.approx(0.07 / 0.06)
    assert bm.pytorch_rows({"results": {}}) == []
    with pytest.raises(TypeError, match="bench_rnnlm record"):
        bm.pytorch_rows([1, 2])


def test_blas_facts_name_library_kernel_and_set_variables():
    facts = bm.blas_facts(_torch_record())
    assert facts["blas"] == "openblas 0.3.31" and facts["kernel"] == "SkylakeX" and facts["threads"] == 2
    assert facts["torch"] == "2.13.0+cpu" and facts["variables"] == {} and facts["gemm_peak"] == 200.0
    record = _torch_record()
    record["results"]["blas"]["variables"]["OPENBLAS_CORETYPE"] = "Haswell"
    assert bm.blas_facts(record)["variables"] == {"OPENBLAS_CORETYPE": "Haswell"}
    assert bm.blas_facts({"results": {}})["blas"] is None
    with pytest.raises(TypeError, match="bench_rnnlm record"):
        bm.blas_facts("bench_rnnlm.json")


def test_the_committed_rnnlm_record_compares_every_model_with_pytorch():
    records = bm.load_benchmarks(ROOT / "benchmarks" / "results")
    rows = bm.pytorch_rows(records["bench_rnnlm"])
    assert [r.model for r in rows] == [m for _, m, _ in bm.RNNLM_PARTS]
    assert all(r.products_s is not None and r.products_s < r.ours_s for r in rows)
    assert all(r.per_op_s is not None for r in rows)  # PyTorch without oneDNN, for the page's column and sentence
