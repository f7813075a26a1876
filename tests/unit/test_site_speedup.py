"""Unit tests of scratchnlp._site.speedup, the wording of one page of the site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scratchnlp import benchmarking
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


def test_the_step_timings_and_durations_are_the_librarys_own():
    """The page words what scratchnlp.benchmarking measures and writes (tested in test_benchmarking.py)."""
    for name in ("seconds_text", "training_step_time", "chapter_step_times", "gpu_available"):
        assert getattr(speedup, name) is getattr(benchmarking, name), name


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


def test_benchmarks_dir_is_in_the_repository():
    root = repo_root()
    assert root is not None
    assert speedup.benchmarks_dir() == root / "benchmarks" / "results"
    assert speedup.benchmarks_dir(Path("/x")) == Path("/x/benchmarks/results")


# --- Korean -------------------------------------------------------------------------------------------------------


def _fields(template):
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(speedup.TEMPLATES) == {"en", "ko"}
    assert speedup.TEMPLATES["en"].keys() == speedup.TEMPLATES["ko"].keys()
    for key, english in speedup.TEMPLATES["en"].items():
        assert _fields(speedup.TEMPLATES["ko"][key]) == _fields(english), key


def test_the_english_label_templates_read_what_the_scripts_write():
    # each pattern matches the English template it stands for, filled in, and gives it back unchanged
    for pattern, key in speedup._DATA_LABELS:
        values = {name: "W_in" if name == "matrix" else "100" for name in _fields(speedup.TEMPLATES["en"][key])}
        english = speedup.words(key, "en", **values)
        assert pattern.fullmatch(english), key


def test_benchmark_ratios_stay_english_unless_asked(monkeypatch):
    records = {name: _bench_record(results) for name, results in BENCH_RESULTS.items()}
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    english = speedup.benchmark_ratios(records)  # the book map's and the console summary's call
    assert english == speedup.benchmark_ratios(records, lang="en")
    assert english[0]["what"] == "PPMI on a 1000x1000 slice (ch. 2)"
    korean = speedup.benchmark_ratios(records, lang=None)  # the page's language
    assert korean == speedup.benchmark_ratios(records, lang="ko")
    assert [(r["script"], r["ratio"]) for r in korean] == [(r["script"], r["ratio"]) for r in english]
    by_what = {r["what"]: r["reference"] for r in korean}
    assert by_what == {
        "1000x1000 부분 행렬의 PPMI (2장)": "책의 파이썬 루프",
        "co-occurrence (2장)": "책의 파이썬 루프",  # a description no pattern knows stays as written
        "CBOW, 책의 설정으로 150회 반복 (4장)": "책의 방식",
        "scatter-add, W_in, batch 100": "np.add.at",  # nor this one
        "Adam 갱신 1회, 밀집 기울기": "optim.Adam",
        "Rnnlm 학습 1회 반복 (6장)": "책의 코드",
        "Seq2seq 학습 1회 반복 (7장)": "책의 코드",
        "Seq2seq, 테스트 문제에 답하기 (7장)": "한 번에 한 문제씩 도는 책의 루프",
        "AttentionSeq2seq 학습 1회 반복 (8장)": "책의 코드",
        "TimeAttention 순전파와 역전파 (8장)": "Attention 계층을 하나씩 도는 책의 루프",
        "AttentionSeq2seq, 테스트 문제에 답하기 (8장)": "한 번에 한 문제씩 도는 책의 루프",
    }


def test_benchmark_ratios_word_every_row_in_korean():
    results = {
        "bench_count_based": {"co_matrix": {"label": "co-occurrence, 929,589 tokens", "book_s": 2.0, "ours_s": 0.5}},
        "bench_word2vec": {
            "scatter": {"W_out, batch 1024 (target + 5 negatives)": {"add.at": 0.6, "scatter_add": 0.2}},
            "adam": {"embedding rows": {"optim.Adam": 4.0, "FusedAdam": 3.2}},
            "fast": {"CBOW": {"gensim_s_per_epoch": 10.0, "ours_s_per_epoch": 5.0}},
        },
        "bench_rnnlm": {"rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.04, "pytorch": 0.05}},
                        "better": {"best_s": {"scratchnlp BetterRnnlm": 0.4, "pytorch": 0.5}}},
    }
    rows = speedup.benchmark_ratios({name: _bench_record(r) for name, r in results.items()}, lang="ko")
    assert [(r["what"], r["reference"]) for r in rows] == [
        ("동시발생 행렬, 토큰 929,589개 (2장)", "책의 파이썬 루프"),
        ("scatter-add, W_out, 배치 1024(타깃 + 부정적 예 5개)", "np.add.at"),
        ("Adam 갱신 1회, 임베딩 행 기울기", "optim.Adam"),
        ("CBOW, 빠른 버전의 1에폭", "gensim, 스레드 2개"),
        ("Rnnlm 학습 1회 반복 (6장)", "PyTorch, 같은 스레드 수"),
        ("BetterRnnlm 학습 1회 반복 (6장)", "PyTorch, 같은 스레드 수"),
    ]
    english = speedup.benchmark_ratios({name: _bench_record(r) for name, r in results.items()})
    assert [r["what"] for r in english][3:] == ["CBOW, one epoch of the fast variant",
                                                "Rnnlm training iteration (ch. 6)",
                                                "BetterRnnlm training iteration (ch. 6)"]
    assert english[3]["reference"] == "gensim, 2 threads"


def test_machine_text_and_gpu_sentence_in_korean(monkeypatch):
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)
    assert speedup.machine_text(_bench_record({}), lang="ko") == "Some CPU, 2코어, NumPy 2.4.6, 2026-12-01"
    assert speedup.machine_text({}, lang="ko") == "이름 없는 CPU"
    assert speedup.gpu_sentence(True, None, lang="ko").startswith("이 페이지는 쓸 수 있는 GPU가 있는 컴퓨터에서")
    assert "측정값이 없다" in speedup.gpu_sentence(False, None, lang="ko")
    committed = speedup.gpu_sentence(False, _bench_record({}, machine={"cpu": "C", "gpu": "NVIDIA H100"}), lang="ko")
    assert "GPU가 있는 컴퓨터(C, NVIDIA H100, 2026-12-01)에서 실행해" in committed
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")  # the page's language when none is given
    assert speedup.machine_text(_bench_record({})) == "Some CPU, 2코어, NumPy 2.4.6, 2026-12-01"
    assert speedup.gpu_sentence(True, None) == speedup.gpu_sentence(True, None, lang="ko")
    assert speedup.words("gpu.built", lang="en").startswith("This page was built on a machine")


def _torch_rows(*rows):
    return [benchmarking.PytorchRow(model.lower(), model, 6, *times) for model, *times in rows]


def test_pytorch_sentence_every_branch():
    rows = _torch_rows(("Rnnlm", 0.04, 0.05, 0.03), ("Seq2seq", 0.011, 0.008, 0.005),
                       ("AttentionSeq2seq", 0.09, 0.06, 0.07), ("PeekySeq2seq", 0.012, 0.009, None))
    v = speedup.pytorch_verdict(rows)
    assert v["faster"] == ["Rnnlm"] and v["slower"] == ["Seq2seq", "AttentionSeq2seq", "PeekySeq2seq"]
    assert v["floor_over"] == ["AttentionSeq2seq"] and v["floor_under"] == ["Seq2seq"]
    assert v["floor_ratio"] == pytest.approx(0.07 / 0.06)
    en = speedup.pytorch_sentence(v, lang="en")
    assert en.startswith("In this run the library's iteration is faster than PyTorch's for Rnnlm, and slower for ")
    assert "For AttentionSeq2seq the matrix products alone" in en and "1.17 times" in en
    assert "For Seq2seq the products alone take less" in en
    ko = speedup.pytorch_sentence(v, lang="ko")
    assert "Rnnlm에서 PyTorch보다 빠르고" in ko and "1.17배" in ko
    only_faster = speedup.pytorch_verdict(_torch_rows(("Rnnlm", 0.04, 0.05, 0.03)))
    assert speedup.pytorch_sentence(only_faster, lang="en").endswith("faster than PyTorch's for every model.")
    one_slower = speedup.pytorch_verdict(_torch_rows(("Seq2seq", 0.011, 0.008, 0.005)))
    assert speedup.pytorch_sentence(one_slower, lang="en").startswith(
        "In this run the library's iteration is slower than PyTorch's for Seq2seq.")
    assert speedup.pytorch_sentence(speedup.pytorch_verdict([]), lang="en").startswith("No comparison with PyTorch")
    assert "switched off" not in en and v["per_op_range"] is None  # records made before that runner was timed


def test_pytorch_sentence_against_pytorch_without_onednn():
    rows = _torch_rows(("Rnnlm", 0.04, 0.041, 0.027, 0.045), ("Seq2seq", 0.011, 0.009, 0.006, 0.014),
                       ("AttentionSeq2seq", 0.09, 0.06, 0.065, 0.108), ("PeekySeq2seq", 0.013, 0.01, 0.007, None))
    v = speedup.pytorch_verdict(rows)
    assert v["per_op_faster"] == ["Rnnlm", "Seq2seq", "AttentionSeq2seq"] and v["per_op_slower"] == []
    assert v["per_op_range"] == pytest.approx((0.011 / 0.014, 0.04 / 0.045))
    en = speedup.pytorch_sentence(v, lang="en")
    assert en.endswith("Against PyTorch without oneDNN, which computes the LSTM one operation at a time as NumPy "
                       "code has to, the library's iteration is faster for every model (0.79 to 0.89 of that "
                       "PyTorch's time).")
    assert speedup.pytorch_sentence(v, lang="ko").endswith("비교하면 모든 모델에서 이 라이브러리의 반복이 더 빠르다(그 "
                                                           "PyTorch 시간의 0.79~0.89).")
    some = speedup.pytorch_verdict(_torch_rows(("Rnnlm", 0.04, 0.041, 0.027, 0.045),
                                               ("Seq2seq", 0.011, 0.009, 0.006, 0.010)))
    assert speedup.pytorch_sentence(some, lang="en").endswith(
        "faster for Rnnlm (0.89 of that PyTorch's time) and slower for Seq2seq.")
    assert "Rnnlm에서 이 라이브러리의 반복이 더 빠르고(그 PyTorch 시간의 0.89) Seq2seq에서 느리다." in \
        speedup.pytorch_sentence(some, lang="ko")
    none = speedup.pytorch_verdict(_torch_rows(("Seq2seq", 0.011, 0.009, 0.006, 0.010)))
    assert speedup.pytorch_sentence(none, lang="en").endswith("the library's iteration is slower for every model "
                                                              "too.")


def test_pytorch_table_and_caption():
    rows = _torch_rows(("Rnnlm", 0.04, 0.05, 0.03, 0.05), ("BetterRnnlm", 0.4, 0.42, None))
    assert speedup.pytorch_header(lang="en") == ["model", "PyTorch (ms)", "ours (ms)", "ours / PyTorch",
                                                 "ours / no oneDNN", "products alone / PyTorch"]
    table = speedup.pytorch_table_rows(rows, lang="en")
    assert table[0] == ["Rnnlm (ch. 6)", "50.0", "40.0", "0.80", "0.80", "0.60"]
    assert table[1][4] == table[1][5] == "-"
    assert len(speedup.pytorch_header(lang="ko")) == len(table[0])
    record = {"date": "2026-12-07T01:00:00+00:00", "machine": {"cpu": "AMD EPYC", "cpu_count": 2, "numpy": "2.4.6"},
              "results": {"threads": 2, "torch": "2.13.0+cpu",
                          "blas": {"libraries": [{"user_api": "blas", "internal_api": "openblas",
                                                  "version": "0.3.31.188.0", "architecture": "SkylakeX"}],
                                   "variables": {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": None}}}}
    caption = speedup.pytorch_caption(record, "Read from x.json.", lang="en")
    assert "PyTorch 2.13.0+cpu, both on 2 threads" in caption and "NumPy's BLAS: openblas 0.3.31 (SkylakeX kernel, " \
        "OPENBLAS_CORETYPE=Haswell)" in caption and caption.endswith("Read from x.json.")
    assert "스레드 2개" in speedup.pytorch_caption(record, "x", lang="ko")
