"""Print one table of the ratios in ``benchmarks/results/*.json`` (the last part of ``make bench``).

Each row is one comparison a benchmark made in a single run: what was timed, the reference it was timed
against (the book's way of writing it, a library such as PyTorch), the reference's time, ours, and the ratio
**ours / reference** (below 1: ours is faster), the convention of every benchmark in this folder
(``_method.RATIO``). The rows are read by :func:`scratchnlp._site.speedup.benchmark_ratios`, the same reader the
companion site's page on section 1.5 uses (which gives the inverse, reference / ours, as a speed-up), plus the
PyTorch comparisons of the seq2seq models and those measured without the OpenBLAS variables
(``bench_rnnlm.py``), and the GPU's.

    python benchmarks/summary.py                          # the committed results
    python benchmarks/summary.py --folder other/results
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from _method import RATIO

from scratchnlp._site.speedup import benchmark_ratios, load_benchmarks, machine_text, seconds_text

HERE = Path(__file__).resolve().parent

#: bench_rnnlm.py's parts: (key, what was timed)
_RNNLM_PARTS = (
    ("rnnlm", "Rnnlm training iteration (ch. 6)"),
    ("better", "BetterRnnlm training iteration (ch. 6)"),
    ("seq2seq", "Seq2seq training iteration (ch. 7)"),
    ("peeky", "PeekySeq2seq training iteration (ch. 7)"),
    ("attention", "AttentionSeq2seq training iteration (ch. 8)"),
)


def _kernel(results: Mapping[str, Any]) -> str:
    """The BLAS kernel a run used (``SkylakeX``, ``Haswell``, ...), or ``"?"`` for an older file."""
    libs = (results.get("blas") or {}).get("libraries") or []
    return ", ".join(str(lib.get("architecture")) for lib in libs if lib.get("user_api") == "blas") or "?"


def _pytorch_rows(results: Mapping[str, Any], known: set[str]) -> list[tuple[str, str, float, float]]:
    """bench_rnnlm.py's comparisons with PyTorch that :func:`benchmark_ratios` does not list: the seq2seq
    models, and every part again as measured without the OpenBLAS variables."""
    rows = []
    runs = [(results, "")]
    if results.get("blas_vars_unset"):
        runs.append((results["blas_vars_unset"], f", OpenBLAS variables unset ({_kernel(results['blas_vars_unset'])})"))
    for run, suffix in runs:
        for key, what in _RNNLM_PARTS:
            part = run.get(key) or {}
            best = part.get("best_s") or {}
            ours = next((v for k, v in best.items() if k.startswith("scratchnlp")), None)
            label = what + suffix
            if ours is None or "pytorch" not in best or (not suffix and what in known):
                continue
            rows.append((label, "PyTorch, same threads", float(best["pytorch"]), float(ours)))
    return rows


def _ratio_text(ratio: float) -> str:
    """Two decimals, or two significant digits below 0.1 (``0.66``, ``1.20``, ``0.0031``)."""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def table(records: dict) -> str:
    """The ratios (ours / reference) as a plain-text table, then the machine and date of each script's run."""
    found = [(r["what"], r["reference"], r["reference_s"], r["ours_s"]) for r in benchmark_ratios(records)]
    rnnlm = records.get("bench_rnnlm", {}).get("results", {})
    found += _pytorch_rows(rnnlm, {what for what, ref, _, _ in found if ref.startswith("PyTorch")})
    rows = [(what, ref, seconds_text(ref_s), seconds_text(ours_s), _ratio_text(ours_s / ref_s))
            for what, ref, ref_s, ours_s in found]
    gpu = records.get("bench_gpu", {}).get("results", {})
    for name in gpu.get("speedup") or {}:
        cpu_s, gpu_s = gpu["cpu_s"][name], gpu["gpu_s"][name]
        rows.append((f"{name} training iteration on the GPU", "NumPy on the CPU", seconds_text(cpu_s),
                     seconds_text(gpu_s), _ratio_text(gpu_s / cpu_s)))
    header = ("what", "reference", "reference time", "ours", "ours / reference")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    right = (False, False, True, True, True)
    lines = []
    for k, row in enumerate([header, *rows]):
        lines.append("  ".join(str(c).rjust(w) if r else str(c).ljust(w) for c, w, r in zip(row, widths, right)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"ratio = {RATIO}; measured on")
    for name, record in records.items():
        kernel = _kernel(record.get("results", {}))
        lines.append(f"  {name}: {machine_text(record)} ({record.get('wall_s', '?')} s"
                     + (f", BLAS kernel {kernel}" if kernel != "?" else "") + ")")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", type=Path, default=HERE / "results", help="where the JSON files are")
    args = ap.parse_args(argv)
    records = load_benchmarks(args.folder)
    if not records:
        print(f"no benchmark results in {args.folder}; run `make bench` first", file=sys.stderr)
        return 1
    print(table(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
