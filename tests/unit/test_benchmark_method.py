"""The benchmarks' shared method (``benchmarks/_method.py``): alternating timings and their ratios, the BLAS
report, and the bookkeeping of the two BLAS environments. No timing is asserted, only what is recorded."""

import importlib.util
import json
import os
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
