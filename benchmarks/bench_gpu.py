"""Benchmark: the chapter-6 and chapter-8 training iterations on the GPU (CuPy) against the CPU (NumPy).

The same library code runs on both (the book's chapter 1.5.3 and its appendix on the GPU): ``Rnnlm`` and
``BetterRnnlm`` with the book's sizes on a batch of 20 x 35 word ids (SGD, clipping), and ``AttentionSeq2seq``
with the book's sizes on a batch of 128 dates (Adam, clipping), each built once with NumPy arrays and once
with CuPy arrays and timed by :func:`scratchnlp.benchmarking.chapter_step_times` (the device is synchronised before
the clock is read). Prints seconds per iteration on each and the ratio CPU / GPU. The companion site's page on
section 1.5 shows the numbers of ``benchmarks/results/bench_gpu.json`` (written by ``make bench`` on a machine
with a GPU) when it is built without one.

    python benchmarks/bench_gpu.py                       # needs CuPy and a CUDA device
    python benchmarks/bench_gpu.py --repeats 10 --json out.json
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from _method import write_json  # (beside this script)

from scratchnlp.benchmarking import chapter_step_times, gpu_available


def gpu_name() -> str:
    """The CUDA device's name, as CuPy reports it."""
    import cupy  # noqa: PLC0415  (only on a machine with a GPU)

    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed iterations per model and device (best is kept)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    if not gpu_available():
        print("no usable GPU (CuPy and a CUDA device are needed); nothing measured", file=sys.stderr)
        return 2
    import cupy  # noqa: PLC0415

    gpu = chapter_step_times("gpu", repeats=args.repeats)
    cpu = chapter_step_times("cpu", repeats=args.repeats)
    print(f"GPU: {gpu_name()}, CuPy {cupy.__version__}; CPU: {os.cpu_count()} cores, NumPy {np.__version__}")
    print(f"{'model':<20}{'NumPy s/iter':>14}{'CuPy s/iter':>14}{'ratio':>9}")
    for name in gpu:
        print(f"{name:<20}{cpu[name]:>14.4f}{gpu[name]:>14.4f}{cpu[name] / gpu[name]:>8.1f}x")
    out = {"gpu": gpu_name(), "cupy": cupy.__version__, "numpy": np.__version__, "cpu_s": cpu, "gpu_s": gpu,
           "speedup": {k: cpu[k] / gpu[k] for k in gpu}}
    if args.json:
        write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
