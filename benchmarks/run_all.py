"""Run every benchmark in this folder with short settings and print one table of ratios (``make bench``).

Each script compares implementations in the same process and writes its numbers with ``--json``; this runs
them one after the other with settings sized to a few minutes in total, wraps each script's numbers with the
machine, the date, the command and its wall time into ``benchmarks/results/<script>.json``, and then prints
the table of :mod:`summary` (what was timed, the reference, ours, and the ratio). A script whose extra
dependency is missing (PyTorch for ``bench_rnnlm.py``, CuPy and a GPU for ``bench_gpu.py``) or that is not in
the folder is reported and skipped, and its earlier results file, if any, is kept;
a script that fails makes the run fail after the others have run.

    python benchmarks/run_all.py                          # everything, then the table
    python benchmarks/run_all.py --only bench_rnnlm       # one script (repeatable)
    python benchmarks/run_all.py --list                   # the scripts and their settings
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _method import blas_report, write_json  # (beside this script)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

#: Each script, the arguments that keep it to a minute or two on two cores, and the modules it cannot run without.
SCRIPTS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "bench_count_based": ([], ()),
    "bench_word2vec": (["--iters", "100", "--repeat", "2", "--epochs", "1", "--sg-epochs", "0"], ()),
    # both BLAS environments (a second process without the OpenBLAS variables, where they are set)
    "bench_rnnlm": (["--repeats", "12"], ("torch",)),
    # decoding is timed repeats // 5 (seq2seq) and repeats // 10 (attention) times: at least twice, so that the
    # first pass, which also allocates the decoder's buffers, is not the one kept
    "bench_seq2seq": (["--repeats", "10"], ()),
    "bench_attention": (["--repeats", "20", "--questions", "500"], ()),
    "bench_gpu": (["--repeats", "5"], ("cupy",)),
    # one BLAS thread or two for the per-step products, quiet and beside a process it keeps busy
    "bench_threads": ([], ("threadpoolctl",)),
}


def cpu_name() -> str:
    """The processor's model name (``/proc/cpuinfo`` on Linux), else what :mod:`platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    return {
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default",
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "blas": blas_report(),
    }


def run_one(name: str, args: list[str], out_dir: Path) -> str:
    """Run ``name`` with ``args`` and write its wrapped JSON; return ``"ok"``, ``"skipped: ..."`` or ``"failed"``."""
    script = HERE / f"{name}.py"
    if not script.is_file():
        return "skipped: not in benchmarks/"
    missing = [m for m in SCRIPTS[name][1] if importlib.util.find_spec(m) is None]
    if missing:
        extra = "gpu" if "cupy" in missing else "bench"
        return f"skipped: needs {', '.join(missing)} (pip install -e '.[{extra}]')"
    if name == "bench_gpu":
        from scratchnlp.benchmarking import gpu_available  # noqa: PLC0415

        if not gpu_available():
            return "skipped: no usable GPU (CuPy is installed, but no CUDA device works)"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "out.json"
        command = [sys.executable, str(script), *args, "--json", str(raw)]
        print(f"\n=== {name} {' '.join(args)}", flush=True)
        started = dt.datetime.now(dt.timezone.utc)
        start = time.perf_counter()
        code = subprocess.call(command, cwd=HERE.parent)
        wall = time.perf_counter() - start
        if code != 0 or not raw.is_file():
            print(f"=== {name} failed (exit status {code})", flush=True)
            return "failed"
        results = json.loads(raw.read_text(encoding="utf-8"))
    record = {
        "script": f"benchmarks/{name}.py",
        "arguments": args,
        "date": started.isoformat(timespec="seconds"),
        "wall_s": round(wall, 1),
        "machine": machine(),
        "results": results,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(out_dir / f"{name}.json", record)
    print(f"=== {name}: {wall:.0f} s", flush=True)
    return "ok"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", action="append", choices=sorted(SCRIPTS), help="run only this script (repeatable)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON files (default benchmarks/results)")
    ap.add_argument("--list", action="store_true", help="list the scripts and their settings, run nothing")
    args = ap.parse_args(argv)
    names = args.only or list(SCRIPTS)
    if args.list:
        for name in names:
            print(f"{name:<20} {' '.join(SCRIPTS[name][0]) or '(defaults)'}")
        return 0
    status = {name: run_one(name, SCRIPTS[name][0], args.out) for name in names}
    print()
    for name, state in status.items():
        if state != "ok":
            print(f"{name}: {state}")
    from summary import main as summary_main  # noqa: PLC0415  (beside this script)

    summary_main(["--folder", str(args.out)])
    return 1 if "failed" in status.values() else 0


if __name__ == "__main__":
    sys.exit(main())
