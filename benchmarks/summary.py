"""Print one table of the ratios in ``benchmarks/results/*.json`` (the last part of ``make bench``).

Each row is one comparison a benchmark made in a single run: what was timed, the reference it was timed
against (the book's way of writing it, a library such as PyTorch), the reference's time, ours, and the ratio
reference / ours (above 1: ours is faster). The rows are read by :func:`scratchnlp._pages.benchmark_ratios`,
the same reader appendix D of the companion site uses.

    python benchmarks/summary.py                          # the committed results
    python benchmarks/summary.py --folder other/results
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scratchnlp._pages import benchmark_ratios, load_benchmarks, machine_text, seconds_text

HERE = Path(__file__).resolve().parent


def table(records: dict) -> str:
    """The ratios as a plain-text table, then the machine and date of each script's run."""
    rows = [(r["what"], r["reference"], seconds_text(r["reference_s"]), seconds_text(r["ours_s"]),
             f"{r['ratio']:.2f}x") for r in benchmark_ratios(records)]
    gpu = records.get("bench_gpu", {}).get("results", {})
    for name, speedup in (gpu.get("speedup") or {}).items():
        rows.append((f"{name} training iteration on the GPU", "NumPy on the CPU", seconds_text(gpu["cpu_s"][name]),
                     seconds_text(gpu["gpu_s"][name]), f"{speedup:.2f}x"))
    header = ("what", "reference", "reference time", "ours", "ratio")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    right = (False, False, True, True, True)
    lines = []
    for k, row in enumerate([header, *rows]):
        lines.append("  ".join(str(c).rjust(w) if r else str(c).ljust(w) for c, w, r in zip(row, widths, right)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("ratio = reference time / our time (above 1: ours is faster); measured on")
    for name, record in records.items():
        lines.append(f"  {name}: {machine_text(record)} ({record.get('wall_s', '?')} s)")
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
