"""The benchmarks' shared method (``benchmarks/_method.py``): alternating timings and their ratios, the BLAS
report, the bookkeeping of the two BLAS environments, the timing helpers (on a stand-in clock) and the atomic
JSON writing; and ``summary.py`` and ``run_all.py``, which read and write the results without the site's
helpers. No timing is asserted, only what is recorded."""

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def method():
    spec = importlib.util.spec_from_file_location("bench_method", ROOT / "benchmarks" / "_method.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_alternate_runs_blocks_in_turn_and_reports_ours_over_the_reference(method):
    order = []

    def runner(name):
        def step(xs, ts):
            order.append(name)
        return step

    result = method.alternate({"ours": runner("ours"), "pytorch": runner("pytorch")}, [(1, 2), (3, 4)], repeats=3,
                              warmup=1, block=2, pause=0.0)
    # one warm-up each, then blocks of 1 uncounted + 2 counted, in turn, until each has 3 counted
    assert order == ["ours", "pytorch"] + ["ours"] * 3 + ["pytorch"] * 3 + ["ours"] * 3 + ["pytorch"] * 3
    assert {k: len(v) for k, v in result["times_s"].items()} == {"ours": 4, "pytorch": 4}
    for k in ("ours", "pytorch"):
        assert result["best_s"][k] == min(result["times_s"][k])
        assert result["ratio_best"][k] == result["best_s"][k] / result["best_s"]["pytorch"]
        assert result["ratio_median"][k] == result["median_s"][k] / result["median_s"]["pytorch"]
    assert result["ratio_best"]["pytorch"] == 1.0
    assert method.alternate({"a": runner("a")}, [(1, 2)], 1, pause=0.0)["ratio_best"] is None
    with pytest.raises(ValueError, match="repeats and block must be >= 1"):
        method.alternate({"a": runner("a")}, [(1, 2)], 0)


def test_blas_report_names_the_library_kernel_and_variables(method):
    pytest.importorskip("threadpoolctl")
    import numpy  # noqa: F401  (loads the BLAS)

    report = method.blas_report()
    blas = [lib for lib in report["libraries"] if lib["user_api"] == "blas"]
    assert blas and all(lib["internal_api"] and lib["num_threads"] >= 1 for lib in blas)
    assert set(report["variables"]) == {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    text = method.describe_blas(report)
    assert blas[0]["internal_api"] in text and "OPENBLAS_CORETYPE" in text


def test_one_environment_is_recorded_with_the_reason(method, tmp_path):
    out = tmp_path / "r.json"
    result = method.in_both_blas_environments(lambda: {"x": 1}, [], str(out), both=False)
    assert result["x"] == 1 and result["blas_vars_unset"] is None
    assert "one-environment" in result["blas_vars_unset_note"]
    assert json.loads(out.read_text())["x"] == 1
    if not any(os.environ.get(v) for v in method.BLAS_VARS):  # this environment already is the unset one
        result = method.in_both_blas_environments(lambda: {"x": 2}, [], None)
        assert result["blas_vars_unset"] is None and "already is" in result["blas_vars_unset_note"]


def test_the_json_argument_is_removed_for_the_second_process(method):
    assert method.strip_json_argument(["--model", "better", "--json", "a.json", "--repeats", "2"]) == [
        "--model", "better", "--repeats", "2"]
    assert method.strip_json_argument(["--json=a.json", "--one"]) == ["--one"]


# --- the timing and writing every script shares ---------------------------------------------------------------------


class _Clock:
    """A stand-in for the ``time`` module whose clock moves only when a timed call says so."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now

    def sleep(self, seconds):
        pass


def test_timed_gives_the_result_and_the_seconds(method, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(method, "time", clock)

    def work():
        clock.now += 0.25
        return "done"

    assert method.timed(work) == ("done", 0.25)


def test_best_of_keeps_the_fastest_run_per_call_and_the_last_result(method, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(method, "time", clock)
    durations = iter([1.0, 2.0, 3.0, 1.0, 0.5, 0.5])  # runs of two calls: 3, 4 and 1 seconds
    calls = []

    def work():
        clock.now += next(durations)
        calls.append(1)
        return len(calls)

    result, seconds = method.best_of(work, 3, number=2)
    assert len(calls) == 6 and result == 6 and seconds == 0.5
    clock2 = iter([0.3, 0.1, 0.2])

    def once():
        clock.now += next(clock2)

    assert method.best_of(once, 3) == (None, pytest.approx(0.1))
    for repeats, number in ((0, 1), (1, 0), (True, 1)):
        with pytest.raises(ValueError, match="repeats and number must be >= 1"):
            method.best_of(once, repeats, number=number)


def test_interleave_gives_every_runner_the_same_inputs_in_turn(method, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(method, "time", clock)
    order, drawn = [], []

    def inputs():
        drawn.append(len(drawn))
        return (drawn[-1], 10 * drawn[-1])

    def runner(name, seconds):
        def run(x, y):
            order.append((name, x, y))
            clock.now += seconds
            return f"{name}{x}"
        return run

    times, results = method.interleave({"book": runner("book", 2.0), "ours": runner("ours", 1.0)}, 2, warmup=1,
                                       inputs=inputs)
    assert drawn == [0, 1, 2]  # one draw per round, warm-up included
    assert order == [("book", 0, 0), ("ours", 0, 0), ("book", 1, 10), ("ours", 1, 10), ("book", 2, 20),
                     ("ours", 2, 20)]
    assert times == {"book": [2.0, 2.0], "ours": [1.0, 1.0]}  # the warm-up round is not timed
    assert results == {"book": ["book0", "book1", "book2"], "ours": ["ours0", "ours1", "ours2"]}
    times, results = method.interleave({"a": lambda: 7}, 3)
    assert len(times["a"]) == 3 and results["a"] == [7, 7, 7]
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        method.interleave({"a": lambda: 7}, 0)


def test_write_json_replaces_the_file_whole_or_not_at_all(method, tmp_path):
    path = tmp_path / "out.json"
    method.write_json(path, {"best_s": {"ours": 0.5}, "n": [1, 2]})
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == {"best_s": {"ours": 0.5}, "n": [1, 2]} and text.endswith("}\n")
    assert text.startswith('{\n "best_s"')  # indented by one, as the committed files
    method.write_json(str(path), {"n": 3})
    assert json.loads(path.read_text(encoding="utf-8")) == {"n": 3}
    with pytest.raises(TypeError):
        method.write_json(path, {"n": object()})  # JSON cannot hold it: the earlier file stays
    assert json.loads(path.read_text(encoding="utf-8")) == {"n": 3}
    with pytest.raises(FileNotFoundError):
        method.write_json(tmp_path / "missing" / "out.json", {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary file left behind


# --- summary.py and run_all.py --------------------------------------------------------------------------------------

BENCH = ROOT / "benchmarks"


def _script(name):
    """One of the scripts in benchmarks/, imported as the scripts import each other (their folder on the path)."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_script_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def _record(results, **extra):
    return {"script": "benchmarks/x.py", "date": "2026-12-01T08:00:00+00:00", "wall_s": 12.0,
            "machine": {"cpu": "Some CPU", "cpu_count": 2, "numpy": "2.4.6"}, "results": results, **extra}


#: Every kind of row the table has: the site's comparisons, bench_rnnlm's other PyTorch rows, and the GPU's.
RECORDS = {
    "bench_count_based": _record({"ppmi": {"label": "PPMI on a 1000x1000 slice", "book_s": 0.8, "ours_s": 0.002}}),
    "bench_word2vec": _record({
        "book": {"CBOW": {"iterations": 150, "book_way_s": 10.0, "ours_fused_adam_s": 1.0}},
        "scatter": {"W_in, batch 100 (10 contexts)": {"add.at": 0.6, "scatter_add": 0.2}},
        "adam": {"embedding rows": {"optim.Adam": 4.0, "FusedAdam": 3.2}},
        "fast": {"CBOW": {"gensim_s_per_epoch": 10.0, "ours_s_per_epoch": 5.0}}}),
    "bench_rnnlm": _record({
        "rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.04, "pytorch": 0.05}},
        "seq2seq": {"best_s": {"scratchnlp Seq2seq": 0.01, "pytorch": 0.02}},
        "book": {"best_s": {"book's code way": 0.06}},
        "blas": {"libraries": [{"user_api": "blas", "architecture": "Haswell"}]},
        "blas_vars_unset": {"rnnlm": {"best_s": {"scratchnlp Rnnlm": 0.03, "pytorch": 0.06}},
                            "blas": {"libraries": [{"user_api": "blas", "architecture": "SkylakeX"}]}}}),
    "bench_attention": _record({"train": {"best_s": {"book's code": 0.1, "scratchnlp": 0.05},
                                          "attention_layer": {"best_s": {"book's code": 0.01, "scratchnlp": 0.002}}},
                                "decode": {"best_s": {"book's loop": 4.0, "scratchnlp, batched": 0.2}}}),
    "bench_gpu": _record({"cpu_s": {"Rnnlm": 0.05}, "gpu_s": {"Rnnlm": 0.005}, "speedup": {"Rnnlm": 10.0}},
                         machine={"cpu": "X", "cpu_count": 16, "gpu": "NVIDIA H100", "cupy": "13.6.0"}),
}


def test_the_summary_table_has_every_row_with_ours_over_the_reference():
    summary = _script("summary")
    lines = summary.table(RECORDS).splitlines()
    rows = lines[2:lines.index("")]  # under the header and its rule, up to the blank line
    expected = [
        ("PPMI on a 1000x1000 slice (ch. 2)", "the book's Python loop", "800 ms", "2.00 ms", "0.0025"),
        ("CBOW, 150 iterations of the book's settings (ch. 4)", "the book's way", "10.0 s", "1.00 s", "0.10"),
        ("scatter-add, W_in, batch 100 (10 contexts)", "np.add.at", "600 µs", "200 µs", "0.33"),
        ("one Adam step, embedding rows gradient", "optim.Adam", "4.00 ms", "3.20 ms", "0.80"),
        ("CBOW, one epoch of the fast variant", "gensim, 2 threads", "10.0 s", "5.00 s", "0.50"),
        ("Rnnlm training iteration (ch. 6)", "PyTorch, same threads", "50.0 ms", "40.0 ms", "0.80"),
        ("Rnnlm training iteration (ch. 6)", "the book's code", "60.0 ms", "40.0 ms", "0.67"),
        ("AttentionSeq2seq training iteration (ch. 8)", "the book's code", "100 ms", "50.0 ms", "0.50"),
        ("TimeAttention forward and backward (ch. 8)", "the book's loop of Attention layers", "10.0 ms", "2.00 ms",
         "0.20"),
        ("AttentionSeq2seq, answering the test questions (ch. 8)", "the book's loop, one question at a time",
         "4.00 s", "200 ms", "0.05"),
        ("Seq2seq training iteration (ch. 7)", "PyTorch, same threads", "20.0 ms", "10.0 ms", "0.50"),
        ("Rnnlm training iteration (ch. 6), OpenBLAS variables unset (SkylakeX)", "PyTorch, same threads",
         "60.0 ms", "30.0 ms", "0.50"),
        ("Rnnlm training iteration on the GPU", "NumPy on the CPU", "50.0 ms", "5.00 ms", "0.1"),
    ]
    assert [tuple(c.strip() for c in line.split("  ") if c.strip()) for line in rows] == expected
    assert "ratio = ours / reference (below 1: ours is faster); measured on" in lines
    assert "  bench_gpu: X, 16 cores, NVIDIA H100, CuPy 13.6.0, 2026-12-01 (12.0 s)" in lines
    assert "  bench_rnnlm: Some CPU, 2 cores, NumPy 2.4.6, 2026-12-01 (12.0 s, BLAS kernel Haswell)" in lines
    assert summary.machine_text({}) == "an unnamed CPU"


def test_the_summary_words_the_comparisons_as_the_site_does_in_english():
    from scratchnlp._site import speedup
    from scratchnlp.benchmarking import REFERENCE_KEYS, WHAT_KEYS, comparisons, load_benchmarks

    summary = _script("summary")
    assert set(summary.WHAT) == set(WHAT_KEYS) and set(summary.REFERENCE) == set(REFERENCE_KEYS)
    for records in (RECORDS, load_benchmarks(BENCH / "results")):
        ours = [(what, ref) for what, ref, _, _ in summary.comparison_rows(comparisons(records))]
        assert ours == [(r["what"], r["reference"]) for r in speedup.benchmark_ratios(records, lang="en")]
        for record in records.values():
            assert summary.machine_text(record) == speedup.machine_text(record, lang="en")


def test_summary_runs_without_ipython_and_without_the_site(tmp_path):
    for name, record in RECORDS.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")
    code = (
        "import runpy, sys\n"
        "sys.modules['IPython'] = None  # importing IPython now fails\n"
        f"sys.path.insert(0, {str(BENCH)!r})\n"
        f"sys.argv = ['summary.py', '--folder', {str(tmp_path)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(BENCH / 'summary.py')!r}, run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    status = stop.code\n"
        "loaded = sorted(m for m, mod in sys.modules.items() if mod is not None and (m.split('.')[0] in\n"
        "                ('IPython', 'matplotlib') or m.startswith(('scratchnlp._site', 'scratchnlp._pages'))))\n"
        "print('LOADED', loaded)\n"
        "sys.exit(status)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "LOADED []"
    assert "Rnnlm training iteration on the GPU" in out.stdout and "ours / reference" in out.stdout
    assert "PPMI on a 1000x1000 slice (ch. 2)" in out.stdout


def test_no_benchmark_script_imports_the_site():
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(("scratchnlp._site", "scratchnlp._pages")), f"{path.name} imports {name}"


def test_run_all_wraps_a_scripts_numbers_into_its_record(tmp_path, monkeypatch):
    run_all = _script("run_all")
    from scratchnlp.benchmarking import load_benchmarks

    scripts = tmp_path / "benchmarks"
    scripts.mkdir()
    (scripts / "bench_count_based.py").write_text(
        "import json, sys\n"
        "path = sys.argv[sys.argv.index('--json') + 1]\n"
        "json.dump({'ppmi': {'book_s': 0.8, 'ours_s': 0.002}, 'args': sys.argv[1:-2]}, open(path, 'w'))\n",
        encoding="utf-8")
    (scripts / "bench_word2vec.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    monkeypatch.setattr(run_all, "HERE", scripts)
    out = tmp_path / "results"
    assert run_all.run_one("bench_count_based", ["--slice", "10"], out) == "ok"
    record = load_benchmarks(out)["bench_count_based"]
    assert record["script"] == "benchmarks/bench_count_based.py" and record["arguments"] == ["--slice", "10"]
    assert record["results"] == {"ppmi": {"book_s": 0.8, "ours_s": 0.002}, "args": ["--slice", "10"]}
    assert {"cpu", "cpu_count", "numpy", "blas"} <= set(record["machine"]) and record["wall_s"] >= 0
    (out / "bench_word2vec.json").write_text('{"results": {"kept": 1}}', encoding="utf-8")
    assert run_all.run_one("bench_word2vec", [], out) == "failed"
    assert load_benchmarks(out)["bench_word2vec"]["results"] == {"kept": 1}  # the earlier file is kept
    assert run_all.run_one("bench_seq2seq", [], out).startswith("skipped")  # not in the folder
    assert sorted(p.name for p in out.iterdir()) == ["bench_count_based.json", "bench_word2vec.json"]
