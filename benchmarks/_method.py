"""How the recurrent-model benchmarks measure: the machine's BLAS, its GEMM peak, alternating timings, and the
two BLAS environments.

* :func:`blas_report` names the BLAS library and kernel NumPy uses (``threadpoolctl``: ``internal_api``,
  ``architecture``, ``num_threads``, ``version``), the OpenBLAS variables that choose the kernel, and the load
  average, so every result says what it was measured with.
* :func:`gemm_peak` is the float32 GFLOP/s of a 2000 x 2000 x 2000 product, best of a few, measured in the
  same run as the iterations it is compared with.
* :func:`alternate` times implementations in alternating blocks (ours, reference, ours, reference, ...), each
  block after a pause and without its first iteration, and reports each one's best and median and the ratio
  **ours / reference** (below 1: ours is faster). That one convention is used by every table in this folder.
* :func:`in_both_blas_environments` measures twice: with the environment as it is, and in a fresh process
  with ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` removed. OpenBLAS reads them once, when it is loaded, so
  only a new process sees the change. Some machines set them (pinning a slower Haswell kernel, for one); a
  user's NumPy on the same CPU picks its own kernel (SkylakeX on an AVX-512 CPU). Nothing else changes the
  environment: tests and CI never do.

And the timing and writing every script here shares:

* :func:`timed` is one call and its wall time; :func:`best_of` the fastest of a few timings of ``number``
  calls each, per call;
* :func:`interleave` runs implementations one after the other on the same inputs, round after round, and
  keeps every round's times and results (each script takes the best, and the median where it reports one);
* :func:`write_json` writes a script's numbers, atomically (a temporary file in the same folder, renamed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scratchnlp._io import atomic_write

#: The variables that choose OpenBLAS's kernel and cache blocking when the library loads.
BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
#: Set in the re-executed process, which measures once and writes its JSON (no further re-execution).
_CHILD = "SCRATCHNLP_BENCH_BLAS_CHILD"
#: The ratio every benchmark here reports.
RATIO = "ours / reference (below 1: ours is faster)"


def blas_report() -> dict[str, Any]:
    """The BLAS (and OpenMP) libraries loaded in this process, the OpenBLAS variables, and the load average."""
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415
    except ImportError:  # the bench extra installs it
        libraries: list[dict[str, Any]] = [{"error": "threadpoolctl is not installed (pip install -e '.[bench]')"}]
    else:
        libraries = [
            {key: lib.get(key) for key in ("user_api", "internal_api", "architecture", "num_threads", "version",
                                           "threading_layer")} | {"file": os.path.basename(lib.get("filepath", ""))}
            for lib in threadpool_info()
        ]
    return {
        "libraries": libraries,
        "variables": {name: os.environ.get(name) for name in BLAS_VARS},
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def describe_blas(report: dict[str, Any]) -> str:
    """One line per library: ``openblas 0.3.31 SkylakeX, 2 threads``; then the variables and the load."""
    lines = []
    for lib in report["libraries"]:
        if "error" in lib:
            lines.append(lib["error"])
            continue
        arch = f" {lib['architecture']}" if lib.get("architecture") else ""
        lines.append(f"{lib['user_api']}: {lib['internal_api']} {lib.get('version') or ''}{arch}, "
                     f"{lib['num_threads']} threads ({lib['file']})")
    variables = ", ".join(f"{k}={v}" if v is not None else f"{k} unset" for k, v in report["variables"].items())
    load = report["load_average"]
    lines.append(f"{variables}; load average {', '.join(f'{x:.2f}' for x in load) if load else 'unknown'}")
    return "\n".join(lines)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()``'s result and the seconds the call took."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _timed(f: Callable[[], Any]) -> float:
    return timed(f)[1]


def best_of(fn: Callable[[], Any], repeats: int, number: int = 1) -> tuple[Any, float]:
    """Time ``repeats`` runs of ``number`` calls of ``fn``; return its last result and the best run's seconds per
    call (the least disturbed run, divided by ``number``)."""
    if isinstance(repeats, bool) or isinstance(number, bool) or repeats < 1 or number < 1:
        raise ValueError(f"repeats and number must be >= 1, got {repeats!r} and {number!r}")
    best = float("inf")
    result: Any = None
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            result = fn()
        best = min(best, (time.perf_counter() - start) / number)
    return result, best


def interleave(
    runners: Mapping[str, Callable[..., Any]],
    rounds: int,
    *,
    warmup: int = 0,
    inputs: Callable[[], Sequence[Any]] | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[Any]]]:
    """Run every runner once per round, one after the other, for ``warmup + rounds`` rounds.

    Each round first draws its arguments, ``inputs()`` (none without ``inputs``), and gives the same ones to
    every runner, timing each call. Returns ``(times, results)``: per runner, the seconds of the last
    ``rounds`` rounds (the ``warmup`` rounds are not timed) and the results of every round, warm-up included.
    """
    if rounds < 1 or warmup < 0:
        raise ValueError(f"rounds must be >= 1 and warmup >= 0, got {rounds} and {warmup}")
    times: dict[str, list[float]] = {k: [] for k in runners}
    results: dict[str, list[Any]] = {k: [] for k in runners}
    for i in range(warmup + rounds):
        args = tuple(inputs()) if inputs is not None else ()
        for name, run in runners.items():
            start = time.perf_counter()
            result = run(*args)
            seconds = time.perf_counter() - start
            results[name].append(result)
            if i >= warmup:
                times[name].append(seconds)
    return times, results


def write_json(path: str | os.PathLike[str], result: Any, *, indent: int = 1) -> None:
    """Write ``result`` as JSON to ``path`` (ending in a newline), atomically: it goes to a temporary file in the
    same folder, which is renamed onto ``path`` when complete, so a reader never sees half a file and a failed
    write leaves an existing file as it was. The folder must exist."""
    text = json.dumps(result, indent=indent) + "\n"  # a value JSON cannot hold fails here, before any file
    with atomic_write(Path(path), "w", encoding="utf-8") as f:
        f.write(text)


def gemm_peak(size: int = 2000, repeats: int = 5, matmul: Callable[..., Any] | None = None) -> float:
    """Float32 GFLOP/s of a ``size``-cubed matrix product, best of ``repeats`` (after one untimed product).

    ``matmul(a, b, out)`` defaults to NumPy's; pass another library's to measure its peak in the same run.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    mm = matmul or (lambda x, y, o: np.matmul(x, y, out=o))
    mm(a, b, out)
    best = min(_timed(lambda: mm(a, b, out)) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def alternate(
    runners: dict[str, Callable[[Any, Any], Any]],
    batches: Sequence[tuple[Any, Any]],
    repeats: int,
    *,
    reference: str = "pytorch",
    warmup: int = 2,
    block: int = 4,
    pause: float = 0.3,
) -> dict[str, Any]:
    """Time ``repeats`` iterations of each runner, alternating between them in blocks.

    Every runner first runs ``warmup`` untimed iterations (first calls allocate and fault in memory). Then,
    until each has ``repeats`` timed iterations, each runner in turn sleeps ``pause`` seconds (the spinning
    worker threads of the previous library's BLAS/OpenMP pool go to sleep instead of stealing the cores)
    and runs ``block + 1`` iterations on the batches, the first not counted (it wakes its own threads).

    Returns ``{"best_s", "median_s", "times_s", "ratio_best", "ratio_median"}``: per runner, the ratios being
    the runner's time over the ``reference``'s (:data:`RATIO`; None without a reference).
    """
    if repeats < 1 or block < 1:
        raise ValueError(f"repeats and block must be >= 1, got {repeats} and {block}")
    times: dict[str, list[float]] = {k: [] for k in runners}
    for step in runners.values():
        for i in range(warmup):
            step(*batches[i % len(batches)])
    while min(len(v) for v in times.values()) < repeats:
        for name, step in runners.items():
            time.sleep(pause)
            for i in range(block + 1):
                xs, ts = batches[i % len(batches)]
                dt = _timed(lambda step=step, xs=xs, ts=ts: step(xs, ts))
                if i:
                    times[name].append(dt)
    best = {k: min(v) for k, v in times.items()}
    median = {k: float(np.median(v)) for k, v in times.items()}
    ref = reference if reference in runners else None
    return {
        "best_s": best,
        "median_s": median,
        "times_s": times,
        "ratio_best": {k: best[k] / best[ref] for k in best} if ref else None,
        "ratio_median": {k: median[k] / median[ref] for k in median} if ref else None,
    }


def in_both_blas_environments(measure: Callable[[], dict[str, Any]], argv: Sequence[str],
                              json_path: str | None, *, both: bool = True) -> dict[str, Any]:
    """Run ``measure()`` here, then (``both``) again in a fresh process without :data:`BLAS_VARS`; merge.

    The script is re-executed as ``python SCRIPT *argv`` with the variables removed and its JSON sent to a
    temporary file; that process only measures. Returns ``measure()``'s dict with ``"blas"`` (this
    process's :func:`blas_report`) and ``"blas_vars_unset"``: the second run's dict, or None with
    ``"blas_vars_unset_note"`` saying why there was none (neither variable is set, so this run already is
    that environment; or ``both`` is False). In the re-executed process, returns ``measure()``'s dict with
    its ``"blas"`` only. Writes the result to ``json_path`` when given.
    """
    result = measure()
    result["blas"] = blas_report()
    child = bool(os.environ.get(_CHILD))
    if not child:
        set_vars = [name for name in BLAS_VARS if os.environ.get(name) is not None]
        result["blas_vars_unset"] = None
        if not both:
            result["blas_vars_unset_note"] = "not measured (--one-environment)"
        elif not set_vars:
            result["blas_vars_unset_note"] = (f"neither {' nor '.join(BLAS_VARS)} is set: the run above already is "
                                              "that environment")
        else:
            env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS} | {_CHILD: "1"}
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "unset.json")
                print(f"\n=== again in a fresh process without {', '.join(set_vars)} (OpenBLAS picks its own "
                      "kernel)", flush=True)
                code = subprocess.call([sys.executable, sys.argv[0], *argv, "--json", out], env=env)
                if code != 0 or not os.path.isfile(out):
                    raise RuntimeError(f"the run without {', '.join(set_vars)} failed (exit status {code})")
                with open(out, encoding="utf-8") as f:
                    result["blas_vars_unset"] = json.load(f)
    if json_path:
        write_json(json_path, result)
    return result


def strip_json_argument(argv: Sequence[str]) -> list[str]:
    """``argv`` without ``--json PATH`` / ``--json=PATH`` (the re-executed process gets its own)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--json":
            skip = True
            continue
        if arg.startswith("--json="):
            continue
        out.append(arg)
    return out
