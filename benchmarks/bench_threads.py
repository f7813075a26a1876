"""One BLAS thread or two for the recurrent layers' per-step products, on a quiet machine and beside a busy one.

A recurrent layer multiplies one small matrix per time step (``h @ Wh`` forward, ``dA @ Wh^T`` backward), one
after the other. This script times those products at the book's sizes with NumPy's BLAS limited to one thread
and to two (``threadpoolctl``): on the machine as it is, while another process keeps one core busy (a spinning
Python loop started by the script, as another user's job would), and while such processes keep every core
busy. It prints each product's time per
call, best and median of several rounds, and the ratio two threads / one thread (below 1: the second thread
helps).

    python benchmarks/bench_threads.py
    python benchmarks/bench_threads.py --json out.json

The README discusses what it shows on a 2-core machine: with a free second core, two threads are faster for all
but the smallest products; when other processes take the cores, a two-thread product waits for a thread that is
not running.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time

import numpy as np
from _method import blas_report, describe_blas, timed, write_json  # (beside this script)

#: The per-step products of the book's models: (name, (rows, inner), (inner, cols)).
PRODUCTS = (
    ("Rnnlm forward, h @ Wh (20x100 @ 100x400)", (20, 100), (100, 400)),
    ("Seq2seq forward, h @ Wh (128x128 @ 128x512)", (128, 128), (128, 512)),
    ("Seq2seq backward, dA @ Wh^T (128x512 @ 512x128)", (128, 512), (512, 128)),
    ("AttentionSeq2seq forward (128x256 @ 256x1024)", (128, 256), (256, 1024)),
    ("AttentionSeq2seq backward (128x1024 @ 1024x256)", (128, 1024), (1024, 256)),
    ("BetterRnnlm forward (20x650 @ 650x2600)", (20, 650), (650, 2600)),
    ("BetterRnnlm backward (20x2600 @ 2600x650)", (20, 2600), (2600, 650)),
)


def _spin(stop) -> None:  # pragma: no cover - runs in the competing process
    while not stop.is_set():
        pass


def _time(x, y, out, calls: int, rounds: int) -> tuple[float, float]:
    """Best and median seconds per product over ``rounds`` runs of ``calls`` products."""

    def products() -> None:
        for _ in range(calls):
            np.matmul(x, y, out=out)

    times = [timed(products)[1] / calls for _ in range(rounds)]
    return min(times), float(np.median(times))


def measure(rounds: int) -> dict:
    from threadpoolctl import threadpool_limits  # noqa: PLC0415  (the bench extra)

    rng = np.random.default_rng(0)
    result: dict = {"rounds": rounds, "products": {}}
    cores = os.cpu_count() or 1
    for load, busy in (("quiet", 0), ("one core busy", 1), ("every core busy", cores)):
        if busy > 1 and cores < 2:
            continue
        stop = mp.Event()
        spinners = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(busy)]
        for spinner in spinners:
            spinner.start()
        if spinners:
            time.sleep(0.5)
        print(f"\n{load}: best / median microseconds per product; ratio = 2 threads / 1 thread (below 1: the "
              "second thread helps)")
        print(f"{'product':<52}{'1 thread':>18}{'2 threads':>18}{'ratio (median)':>16}")
        try:
            for name, a, b in PRODUCTS:
                x, y = rng.standard_normal(a, dtype=np.float32), rng.standard_normal(b, dtype=np.float32)
                out = np.matmul(x, y)
                calls = max(3, int(2e7 / (2 * a[0] * a[1] * b[1])))
                times = {}
                for threads in (1, 2):
                    with threadpool_limits(threads, user_api="blas"):
                        _time(x, y, out, calls, 1)  # wake the threads
                        times[threads] = _time(x, y, out, calls, rounds)
                ratio = times[2][1] / times[1][1]
                print(f"{name:<52}{times[1][0] * 1e6:>8.0f} / {times[1][1] * 1e6:<7.0f}"
                      f"{times[2][0] * 1e6:>8.0f} / {times[2][1] * 1e6:<7.0f}{ratio:>16.2f}")
                result["products"].setdefault(name, {})[load] = {
                    "one_thread_best_s": times[1][0], "one_thread_median_s": times[1][1],
                    "two_threads_best_s": times[2][0], "two_threads_median_s": times[2][1],
                    "ratio_median": ratio}
        finally:
            stop.set()
            for spinner in spinners:
                spinner.join()
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7, help="timed rounds of each product (default 7)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    report = blas_report()
    print(describe_blas(report))
    result = measure(args.rounds) | {"blas": report}
    if args.json:
        write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
