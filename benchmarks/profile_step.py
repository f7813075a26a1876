"""Where the time of one training step goes: ``training.train_step`` of a recurrent model under cProfile.

Builds the model with the book's sizes (as ``bench_rnnlm.py``), runs a few untimed steps, then profiles
``--steps`` steps and prints two views, each as a share of the profiled time:

* the functions with the most time of their own (NumPy's ufuncs and BLAS calls show as ``numpy`` built-ins,
  the per-step Python work as the library's functions);
* the library's functions by cumulative time (the layers' ``forward``/``backward``, clipping, the update).

    python benchmarks/profile_step.py --model better
    python benchmarks/profile_step.py --model attention --steps 10 --top 12

cProfile adds a small cost to every Python call, so the Python-heavy parts look a little larger than they are.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ["OMP_NUM_THREADS"])

import numpy as np  # noqa: E402
from _method import blas_report, describe_blas  # noqa: E402  (beside this script)

from scratchnlp import optim  # noqa: E402
from scratchnlp.models import AttentionSeq2seq, BetterRnnlm, PeekySeq2seq, Rnnlm, Seq2seq  # noqa: E402
from scratchnlp.training import train_step  # noqa: E402

#: model name -> (build, optimizer, max_grad, batch shapes (x, t), vocabulary)
MODELS = {
    "rnnlm": (lambda: Rnnlm(10000, 100, 100), lambda: optim.SGD(20.0), 0.25, ((20, 35), (20, 35)), 10000),
    "better": (lambda: BetterRnnlm(10000, 650, 650, 0.5), lambda: optim.SGD(20.0), 0.25, ((20, 35), (20, 35)),
               10000),
    "seq2seq": (lambda: Seq2seq(13, 16, 128), lambda: optim.Adam(0.001), 5.0, ((128, 7), (128, 5)), 13),
    "peeky": (lambda: PeekySeq2seq(13, 16, 128), lambda: optim.Adam(0.001), 5.0, ((128, 7), (128, 5)), 13),
    "attention": (lambda: AttentionSeq2seq(59, 16, 256), lambda: optim.Adam(0.001), 5.0, ((128, 29), (128, 11)), 59),
}


def _name(key: tuple[str, int, str]) -> str:
    path, line, func = key
    if path == "~":
        return func  # a built-in: "<method 'dot' of 'numpy.ndarray' objects>", "<built-in method numpy...>"
    parts = path.replace("\\", "/").split("/")
    where = "/".join(parts[parts.index("scratchnlp"):]) if "scratchnlp" in parts else parts[-1]
    return f"{where}:{line} {func}"


def profile(model_name: str, steps: int, warmup: int, top: int) -> dict:
    build, make_opt, max_grad, (xs_shape, ts_shape), vocab = MODELS[model_name]
    model, opt = build(), make_opt()
    rng = np.random.default_rng(0)
    batches = [(rng.integers(0, vocab, xs_shape), rng.integers(0, vocab, ts_shape)) for _ in range(4)]
    for i in range(warmup):
        train_step(model, opt, batches[i % 4], max_grad)
    prof = cProfile.Profile()
    prof.enable()
    for i in range(steps):
        train_step(model, opt, batches[i % 4], max_grad)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = stats.stats  # type: ignore[attr-defined]  # key -> (calls, primitive calls, tottime, cumtime, callers)
    own = sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]
    ours = sorted(((k, v) for k, v in entries.items() if "scratchnlp" in k[0]), key=lambda kv: -kv[1][3])[:top]
    print(f"\n{model_name}: {steps} steps of train_step, {1e3 * total / steps:.1f} ms per step under the profiler")
    print(f"\nown time{'':<4}share  calls/step  function")
    for key, (_, calls, tt, _, _) in own:
        print(f"{1e3 * tt / steps:>7.2f} ms {100 * tt / total:>5.1f}% {calls / steps:>10.0f}  {_name(key)}")
    print(f"\ncumulative{'':<2}share  calls/step  library function")
    for key, (_, calls, _, ct, _) in ours:
        print(f"{1e3 * ct / steps:>7.2f} ms {100 * ct / total:>5.1f}% {calls / steps:>10.0f}  {_name(key)}")
    return {"step_s": total / steps,
            "own": [(_name(k), v[2] / total) for k, v in own],
            "cumulative": [(_name(k), v[3] / total) for k, v in ours]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", choices=sorted(MODELS), help="repeatable; default better, attention")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    print(describe_blas(blas_report()))
    for name in args.model or ["better", "attention"]:
        profile(name, args.steps, args.warmup, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
