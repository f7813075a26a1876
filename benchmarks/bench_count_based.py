"""Benchmark: the chapter-2 count-based pipeline on the Penn Treebank.

Stages, as in the book's ``ch02/count_method_big.py``: load the training split, build the co-occurrence
matrix (window 2), reweight it by PPMI, and reduce it to 100 dimensions with a truncated randomized SVD.
Prints each stage's wall time, the process's peak memory, and, measured in the same run, how much faster our
vectorised PPMI and co-occurrence counting are than the same computations written as the book's Python loops
(PPMI on a 1,000-word slice of the matrix, so the loop finishes in about a second; counting on the whole
corpus). Both counting versions first fill a 400 MB zero matrix, which bounds that ratio.

Targets (printed, not asserted): the whole pipeline under 30 s and 3 GiB on a 2-core CPU.

Run with the data mirror or network access::

    SCRATCHNLP_MIRROR=file:///path/to/mirror python benchmarks/bench_count_based.py
    python benchmarks/bench_count_based.py --json out.json   # also write the numbers
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from _method import best_of, timed, write_json  # (beside this script)

from scratchnlp.datasets import load_ptb
from scratchnlp.text import create_co_matrix, most_similar, ppmi, randomized_svd

TARGET_SECONDS = 30.0
TARGET_GIB = 3.0


def peak_memory_gib() -> float:
    """Peak resident memory of this process so far, in GiB (NaN where the resource module is missing)."""
    try:
        import resource
    except ImportError:  # Windows
        return math.nan
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes
    return peak / 2**30 if sys.platform == "darwin" else peak / 2**20


def stage(label: str, fn: Callable[[], Any], times: dict[str, float]) -> Any:
    """Run one stage of the pipeline, record its seconds in ``times`` and print them with the peak memory."""
    result, times[label] = timed(fn)
    print(f"  {label:<28} {times[label]:8.2f} s   peak memory so far {peak_memory_gib():5.2f} GiB", flush=True)
    return result


def ppmi_book_way(C: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """PPMI cell by cell in Python, the way the book writes it (eps inside the log, column sums)."""
    M = np.zeros(C.shape, dtype=np.float32)
    N = np.sum(C)
    S = np.sum(C, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):  # a slice can have all-zero columns
        for i in range(C.shape[0]):
            for j in range(C.shape[1]):
                value = np.log2(C[i, j] * N / (S[j] * S[i]) + eps)
                M[i, j] = max(0, value)
    return M


def co_matrix_book_way(corpus: np.ndarray, vocab_size: int, window_size: int) -> np.ndarray:
    """Co-occurrence counts with a Python loop over every token and offset, as the book does."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    n = len(corpus)
    for pos, word in enumerate(corpus):
        for d in range(1, window_size + 1):
            if pos - d >= 0:
                C[word, corpus[pos - d]] += 1
            if pos + d < n:
                C[word, corpus[pos + d]] += 1
    return C


def compare(
    label: str, ours: Callable[[], Any], book: Callable[[], Any], repeat: int = 3, record: dict | None = None
) -> tuple[Any, Any]:
    fast, t_ours = best_of(ours, repeat)
    slow, t_book = best_of(book, repeat)
    print(f"  {label:<36} book's loop {t_book:7.3f} s   ours {t_ours:7.4f} s   ratio {t_book / t_ours:8.0f}x")
    if record is not None:
        record.update(label=label, book_s=t_book, ours_s=t_ours, speedup=t_book / t_ours)
    return fast, slow


def pipeline(args: argparse.Namespace, times: dict[str, float]) -> tuple[np.ndarray, int, np.ndarray]:
    """Run and time the four stages into ``times``; return the corpus, the vocabulary size and a slice of the
    counts."""
    corpus, word_to_id, id_to_word = stage("load PTB train", lambda: load_ptb("train"), times)
    V = len(word_to_id)
    print(f"    {len(corpus):,} tokens, {V:,} words")
    C = stage(f"co-occurrence (window {args.window})", lambda: create_co_matrix(corpus, V, args.window), times)
    W = stage("PPMI", lambda: ppmi(C), times)
    U, S, _ = stage(
        f"randomized SVD (k={args.dim})",
        lambda: randomized_svd(W, args.dim, n_iter=args.n_iter, seed=args.seed),
        times,
    )
    total, peak = sum(times.values()), peak_memory_gib()
    print(f"  {'whole pipeline':<28} {total:8.2f} s   peak memory {peak:5.2f} GiB")
    print(
        f"    targets: < {TARGET_SECONDS:.0f} s ({'met' if total < TARGET_SECONDS else 'MISSED'}), "
        f"< {TARGET_GIB:.0f} GiB ({'met' if peak < TARGET_GIB else 'MISSED'})"
    )
    print(f"    top singular values: {np.array2string(S[:5], precision=1)}")
    for query in ("you", "year", "car", "toyota"):
        similar = most_similar(query, word_to_id, id_to_word, U, top=5)
        print(f"    {query:>7}: " + ", ".join(f"{w} {s:.3f}" for w, s in similar))
    return corpus, V, np.ascontiguousarray(C[: args.slice, : args.slice])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=2, help="co-occurrence window (default 2, the book's)")
    parser.add_argument("--dim", type=int, default=100, help="word-vector size (default 100, the book's)")
    parser.add_argument("--n-iter", type=int, default=5, help="power iterations (default 5, as the book's call)")
    parser.add_argument("--slice", type=int, default=1000, help="words in the slice for the PPMI loop")
    parser.add_argument(
        "--prefix", type=int, default=0, help="tokens for the co-occurrence loop (default 0: the whole corpus)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)

    print(f"count-based pipeline on PTB train (chapter 2); {os.cpu_count()} CPU cores, NumPy {np.__version__}")
    times: dict[str, float] = {}
    corpus, V, block = pipeline(args, times)
    out: dict[str, Any] = {"numpy": np.__version__, "stages_s": times, "peak_memory_gib": peak_memory_gib()}

    print("against the book's Python loops (same inputs, same run):")
    n = block.shape[0]
    out["ppmi"] = {}
    fast, slow = compare(
        f"PPMI on a {n}x{n} slice", lambda: ppmi(block), lambda: ppmi_book_way(block), record=out["ppmi"]
    )
    finite = np.isfinite(slow)
    print(
        f"    max |difference| {np.max(np.abs(fast[finite] - slow[finite])):.2e} on {finite.sum():,} cells; "
        f"{(~finite).sum():,} cells are NaN/inf in the book's version, 0 in ours"
    )

    prefix = corpus[: args.prefix] if args.prefix > 0 else corpus
    fast_c, slow_c = compare(
        f"co-occurrence, {len(prefix):,} tokens",
        lambda: create_co_matrix(prefix, V, args.window),
        lambda: co_matrix_book_way(prefix, V, args.window),
        repeat=1,
        record=out.setdefault("co_matrix", {}),
    )
    print(f"    identical counts: {bool(np.array_equal(fast_c, slow_c))}")
    out["co_matrix"]["identical"] = bool(np.array_equal(fast_c, slow_c))
    if args.json:
        write_json(args.json, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
