"""Print one table of the ratios in ``benchmarks/results/*.json`` (the last part of ``make bench``).

Each row is one comparison a benchmark made in a single run: what was timed, the reference it was timed
against (the book's way of writing it, a library such as PyTorch), the reference's time, ours, and the ratio
**ours / reference** (below 1: ours is faster), the convention of every benchmark in this folder
(``_method.RATIO``). The comparisons are those of :func:`scratchnlp.benchmarking.comparisons`, the same reader the
companion site's page on section 1.5 uses (which gives the inverse, reference / ours, as a speed-up), worded
here in English, plus the PyTorch comparisons of the seq2seq models and those measured without the OpenBLAS
variables (``bench_rnnlm.py``), and the GPU's.

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

from scratchnlp.benchmarking import Comparison, comparisons, load_benchmarks, machine_facts, seconds_text

HERE = Path(__file__).resolve().parent

#: What each kind of comparison (:data:`scratchnlp.benchmarking.WHAT_KEYS`) timed, in words; a comparison with a
#: chapter gets ``CHAPTER`` around it. The site's page words the same comparisons in each edition's language; a
#: test checks that its English rows read as these.
WHAT = {
    "label": "{label}",
    "word2vec": "{name}, {iterations} iterations of the book's settings",
    "scatter": "scatter-add, {case}",
    "adam": "one Adam step, {case} gradient",
    "fast": "{name}, one epoch of the fast variant",
    "train": "{name} training iteration",
    "attention": "TimeAttention forward and backward",
    "decode": "{name}, answering the test questions",
}
CHAPTER = "{what} (ch. {chapter})"
#: Each reference (:data:`scratchnlp.benchmarking.REFERENCE_KEYS`) in words.
REFERENCE = {
    "python_loop": "the book's Python loop",
    "book_way": "the book's way",
    "add_at": "np.add.at",
    "optim_adam": "optim.Adam",
    "gensim": "gensim, 2 threads",
    "pytorch": "PyTorch, same threads",
    "book_code": "the book's code",
    "attention_loop": "the book's loop of Attention layers",
    "decode_loop": "the book's loop, one question at a time",
}

#: bench_rnnlm.py's parts: (key, model, chapter)
_RNNLM_PARTS = (
    ("rnnlm", "Rnnlm", 6),
    ("better", "BetterRnnlm", 6),
    ("seq2seq", "Seq2seq", 7),
    ("peeky", "PeekySeq2seq", 7),
    ("attention", "AttentionSeq2seq", 8),
)


def describe(what: str, fields: Mapping[str, Any], chapter: int | None) -> str:
    """What a comparison timed, in words: ``describe("train", {"name": "Rnnlm"}, 6)`` is
    ``"Rnnlm training iteration (ch. 6)"``."""
    text = WHAT[what].format(**fields)
    return text if chapter is None else CHAPTER.format(what=text, chapter=chapter)


def comparison_rows(found: list[Comparison]) -> list[tuple[str, str, float, float]]:
    """``(what, reference, reference seconds, our seconds)`` for each comparison, in words."""
    return [(describe(c.what, c.what_fields, c.chapter), REFERENCE[c.reference], c.reference_s, c.ours_s)
            for c in found]


def _kernel(results: Mapping[str, Any]) -> str:
    """The BLAS kernel a run used (``SkylakeX``, ``Haswell``, ...), or ``"?"`` for an older file."""
    libs = (results.get("blas") or {}).get("libraries") or []
    return ", ".join(str(lib.get("architecture")) for lib in libs if lib.get("user_api") == "blas") or "?"


def _pytorch_rows(results: Mapping[str, Any], found: list[Comparison]) -> list[tuple[str, str, float, float]]:
    """bench_rnnlm.py's comparisons with PyTorch that :func:`scratchnlp.benchmarking.comparisons` does not list:
    the seq2seq models, and every part again as measured without the OpenBLAS variables."""
    known = {c.what_fields.get("name") for c in found
             if c.script == "bench_rnnlm" and c.what == "train" and c.reference == "pytorch"}
    rows = []
    runs = [(results, "")]
    if results.get("blas_vars_unset"):
        runs.append((results["blas_vars_unset"], f", OpenBLAS variables unset ({_kernel(results['blas_vars_unset'])})"))
    for run, suffix in runs:
        for key, name, chapter in _RNNLM_PARTS:
            part = run.get(key) or {}
            best = part.get("best_s") or {}
            ours = next((v for k, v in best.items() if k.startswith("scratchnlp")), None)
            if ours is None or "pytorch" not in best or (not suffix and name in known):
                continue
            rows.append((describe("train", {"name": name}, chapter) + suffix, REFERENCE["pytorch"],
                         float(best["pytorch"]), float(ours)))
    return rows


def machine_text(record: Mapping[str, Any]) -> str:
    """The machine and date of a record: ``"AMD EPYC, 2 cores, NumPy 2.4.6, 2026-12-01"``."""
    m = machine_facts(record)
    parts = [m["cpu"] or "an unnamed CPU"]
    if m["cpu_count"]:
        parts.append(f"{m['cpu_count']} cores")
    parts += [m["gpu"]] if m["gpu"] else []
    parts += [f"NumPy {m['numpy']}"] if m["numpy"] else []
    parts += [f"CuPy {m['cupy']}"] if m["cupy"] else []
    parts += [m["date"]] if m["date"] else []
    return ", ".join(parts)


def _ratio_text(ratio: float) -> str:
    """Two decimals, or two significant digits below 0.1 (``0.66``, ``1.20``, ``0.0031``)."""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def table(records: dict) -> str:
    """The ratios (ours / reference) as a plain-text table, then the machine and date of each script's run."""
    compared = comparisons(records)
    found = comparison_rows(compared) + _pytorch_rows(records.get("bench_rnnlm", {}).get("results", {}), compared)
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
