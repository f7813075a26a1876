"""Benchmark results and step timings, shared by the ``benchmarks/`` scripts and the companion site (section 1.5).

``make bench`` (``benchmarks/run_all.py``) writes one record per benchmark script to
``benchmarks/results/<script>.json``: ``{"script", "arguments", "date", "wall_s", "machine", "results"}``, the
script's own numbers under ``results``. This module reads those records back into what every reader needs,
without any wording, so that the console table (``benchmarks/summary.py``) and the site's page on section 1.5
(which words the rows in the page's language) show the same comparisons with the same numbers:

* :func:`load_benchmarks` reads the records of a folder;
* :func:`comparisons` turns them into :class:`Comparison` rows -- what was timed, against which reference, the
  reference's seconds and ours -- in the order of the book's chapters;
* :func:`machine_facts` picks the machine and date of a record; :func:`seconds_text` writes a duration.

It also holds what ``benchmarks/bench_gpu.py`` and the page both time: one training iteration of a chapter's
model on the CPU (NumPy) or the GPU (CuPy) (:func:`training_step_time`, :func:`chapter_step_times`,
:func:`gpu_available`).

Only NumPy and the library are imported (no IPython, no Matplotlib), so the benchmark scripts can use it in a
bare environment.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Comparison",
    "load_benchmarks",
    "comparisons",
    "PytorchRow",
    "pytorch_rows",
    "blas_facts",
    "machine_facts",
    "seconds_text",
    "gpu_available",
    "training_step_time",
    "chapter_step_times",
    "WHAT_KEYS",
    "REFERENCE_KEYS",
    "BOOK_REFERENCE_KEYS",
    "SCRIPT_LABEL_FIELDS",
]

#: The kinds of comparison :func:`comparisons` finds, each with the fields of ``Comparison.what_fields``:
#: ``label`` (a description written by the script), ``word2vec`` (a model trained ``iterations`` times with the
#: book's settings), ``scatter`` and ``adam`` (a scatter-add or an Adam step on the ``case`` the script
#: describes), ``fast`` (one epoch of the fast word2vec variant), ``train`` (one training iteration of the
#: model ``name``), ``attention`` (the attention layer's forward and backward) and ``decode`` (the model
#: ``name`` answering the test questions).
WHAT_KEYS = ("label", "word2vec", "scatter", "adam", "fast", "train", "attention", "decode")
#: What ours is timed against, in this order -- the book's Python loop, the book's way of training word2vec,
#: ``np.add.at``, the library's ``optim.Adam``, gensim, PyTorch with the same threads, the book's code, the
#: book's loop of ``Attention`` layers, and the book's decoding loop of one question at a time.
REFERENCE_KEYS = ("python_loop", "book_way", "add_at", "optim_adam", "gensim", "pytorch", "book_code",
                  "attention_loop", "decode_loop")
#: The references of :data:`REFERENCE_KEYS` that are the book's own code (the book map sets these comparisons
#: beside the book's chapters).
BOOK_REFERENCE_KEYS = ("python_loop", "book_way", "book_code", "attention_loop", "decode_loop")
#: The fields of ``Comparison.what_fields`` that hold a description a benchmark script wrote (in English);
#: a reader in another language rewords them.
SCRIPT_LABEL_FIELDS = ("label", "case")


@dataclass(frozen=True)
class Comparison:
    """One comparison a benchmark script made in a single run: ours against a reference, the same work.

    Attributes
    ----------
    script : the script's name, e.g. ``"bench_word2vec"``
    what : what was timed, one of :data:`WHAT_KEYS`
    what_fields : the values that describe it, e.g. ``{"name": "CBOW", "iterations": 100}``
    reference : what ours was timed against, one of :data:`REFERENCE_KEYS`
    chapter : the book's chapter the comparison belongs to, or None (the word2vec building blocks)
    reference_s, ours_s : the seconds each took (the best of the script's repeats), both > 0
    """

    script: str
    what: str
    what_fields: Mapping[str, Any] = field(hash=False)
    reference: str
    chapter: int | None
    reference_s: float
    ours_s: float

    @property
    def speedup(self) -> float:
        """``reference_s / ours_s``: above 1, ours is faster."""
        return self.reference_s / self.ours_s


def load_benchmarks(folder: str | Path) -> dict[str, dict[str, Any]]:
    """The records ``make bench`` wrote: ``{script name: record}`` from ``<folder>/bench_*.json``, sorted by name.

    A record holds ``script``, ``arguments``, ``date``, ``wall_s``, ``machine`` and the script's own numbers
    under ``results``. A missing folder gives an empty dict.

    Raises
    ------
    ValueError
        If a ``bench_*.json`` file is not such a record (not a JSON object with a ``results`` object).
    """
    folder = Path(folder)
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("bench_*.json")) if folder.is_dir() else []:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("results"), dict):
            raise ValueError(f"{path} is not a benchmark record written by benchmarks/run_all.py (no 'results')")
        records[path.stem] = record
    return records


def seconds_text(seconds: float) -> str:
    """A duration with three significant digits in s, ms or µs: ``"12.3 s"``, ``"792 ms"``, ``"220 µs"``.

    Raises
    ------
    ValueError
        If ``seconds`` is not positive and finite.
    """
    if not seconds > 0 or not math.isfinite(seconds):
        raise ValueError(f"a duration must be positive and finite, got {seconds!r}")
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            value = seconds / scale
            digits = max(0, 2 - int(math.floor(math.log10(value)))) if value >= 1 else 3
            return f"{value:.{digits}f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def machine_facts(record: Mapping[str, Any]) -> dict[str, Any]:
    """The machine and date of a benchmark record, each None where the record does not say.

    Returns ``{"cpu", "cpu_count", "gpu", "numpy", "cupy", "date"}``, ``date`` as ``YYYY-MM-DD``: e.g.
    ``{"cpu": "AMD EPYC", "cpu_count": 2, "gpu": None, "numpy": "2.4.6", "cupy": None, "date": "2026-12-01"}``.
    """
    m = record.get("machine") or {}
    return {
        "cpu": str(m["cpu"]) if m.get("cpu") else None,
        "cpu_count": m.get("cpu_count") or None,
        "gpu": str(m["gpu"]) if m.get("gpu") else None,
        "numpy": str(m["numpy"]) if m.get("numpy") else None,
        "cupy": str(m["cupy"]) if m.get("cupy") else None,
        "date": str(record["date"])[:10] if record.get("date") else None,
    }


# --- the comparisons each script's results hold ---------------------------------------------------------------------

#: One comparison before its times are checked: (what, its fields, reference, chapter, reference_s, ours_s).
_Row = tuple[str, dict[str, Any], str, int | None, Any, Any]


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, Mapping) or k not in d:
            return None
        d = d[k]
    return d


def _ms(value: Any) -> Any:
    return None if value is None else value / 1e3


def _rows_count_based(r: Mapping[str, Any]) -> list[_Row]:
    return [("label", {"label": str(_get(r, key, "label") or key)}, "python_loop", 2, _get(r, key, "book_s"),
             _get(r, key, "ours_s")) for key in ("ppmi", "co_matrix")]


def _rows_word2vec(r: Mapping[str, Any]) -> list[_Row]:
    rows: list[_Row] = []
    for name, run in (_get(r, "book") or {}).items():
        rows.append(("word2vec", {"name": name, "iterations": run.get("iterations")}, "book_way", 4,
                     run.get("book_way_s"), run.get("ours_fused_adam_s")))
    for case, times in (_get(r, "scatter") or {}).items():  # the script writes milliseconds
        rows.append(("scatter", {"case": case}, "add_at", None, _ms(times.get("add.at")),
                     _ms(times.get("scatter_add"))))
    for case, times in (_get(r, "adam") or {}).items():
        rows.append(("adam", {"case": case}, "optim_adam", None, _ms(times.get("optim.Adam")),
                     _ms(times.get("FusedAdam"))))
    for name, run in (_get(r, "fast") or {}).items():
        if isinstance(run, Mapping) and "ours_s_per_epoch" in run:
            rows.append(("fast", {"name": name}, "gensim", None, run.get("gensim_s_per_epoch"),
                         run.get("ours_s_per_epoch")))
    return rows


def _rows_rnnlm(r: Mapping[str, Any]) -> list[_Row]:
    rows: list[_Row] = []
    for key, name in (("rnnlm", "Rnnlm"), ("better", "BetterRnnlm")):
        rows.append(("train", {"name": name}, "pytorch", 6, _get(r, key, "best_s", "pytorch"),
                     _get(r, key, "best_s", f"scratchnlp {name}")))
    book = _get(r, "book", "best_s", "book's code way")
    if book is not None:
        rows.append(("train", {"name": "Rnnlm"}, "book_code", 6, book, _get(r, "rnnlm", "best_s", "scratchnlp Rnnlm")))
    return rows


def _rows_seq2seq(r: Mapping[str, Any], chapter: int) -> list[_Row]:
    rows: list[_Row] = []
    train = _get(r, "train") or {}
    if "best_s" in train:  # one model (attention): its numbers directly
        train = {"AttentionSeq2seq": train}
    for name, run in train.items():
        rows.append(("train", {"name": name}, "book_code", chapter, _get(run, "best_s", "book's code"),
                     _get(run, "best_s", "scratchnlp")))
        layer = _get(run, "attention_layer")
        if layer:
            rows.append(("attention", {}, "attention_loop", 8, _get(layer, "best_s", "book's code"),
                         _get(layer, "best_s", "scratchnlp")))
    decode = _get(r, "decode") or {}
    if "best_s" in decode:
        decode = {"AttentionSeq2seq": decode}
    for name, run in decode.items():
        rows.append(("decode", {"name": name}, "decode_loop", chapter, _get(run, "best_s", "book's loop"),
                     _get(run, "best_s", "scratchnlp, batched")))
    return rows


#: The scripts whose results :func:`comparisons` reads, in the order of the book's chapters.
_SCRIPT_ROWS: dict[str, Callable[[Mapping[str, Any]], list[_Row]]] = {
    "bench_count_based": _rows_count_based,
    "bench_word2vec": _rows_word2vec,
    "bench_rnnlm": _rows_rnnlm,
    "bench_seq2seq": lambda r: _rows_seq2seq(r, 7),
    "bench_attention": lambda r: _rows_seq2seq(r, 8),
}


def comparisons(records: Mapping[str, Mapping[str, Any]]) -> list[Comparison]:
    """One :class:`Comparison` per comparison in the records of :func:`load_benchmarks`, in chapter order.

    Read from ``bench_count_based`` (chapter 2: PPMI and the co-occurrence counts against the book's Python
    loops), ``bench_word2vec`` (chapter 4: training with the book's settings against the book's way, and the
    scatter-add, Adam and fast-variant building blocks), ``bench_rnnlm`` (chapter 6: ``Rnnlm`` and
    ``BetterRnnlm`` against PyTorch, ``Rnnlm`` against the book's code), ``bench_seq2seq`` (chapter 7) and
    ``bench_attention`` (chapter 8: training, the attention layer and decoding against the book's code).
    Comparisons a record lacks (a part not run, a dependency missing) or whose times are not both positive are
    left out; scripts not listed here are ignored.
    """
    if not isinstance(records, Mapping):
        raise TypeError(f"records must be a mapping of script names to records, got {type(records).__name__}")
    out = []
    for script, extract in _SCRIPT_ROWS.items():
        if script not in records:
            continue
        for what, fields, reference, chapter, ref_s, ours_s in extract(records[script].get("results", {})):
            if ref_s is None or ours_s is None or not ref_s > 0 or not ours_s > 0:
                continue
            out.append(Comparison(script, what, fields, reference, chapter, float(ref_s), float(ours_s)))
    return out


# --- the recurrent models against PyTorch (bench_rnnlm.py) ----------------------------------------------------------

#: The parts of bench_rnnlm.py in the order of the book, each as (part, model, chapter).
RNNLM_PARTS = (("rnnlm", "Rnnlm", 6), ("better", "BetterRnnlm", 6), ("seq2seq", "Seq2seq", 7),
               ("peeky", "PeekySeq2seq", 7), ("attention", "AttentionSeq2seq", 8))
#: The name bench_rnnlm.py gives its runner of the iteration's matrix products alone.
PRODUCTS_ALONE = "matrix products alone"
#: The name bench_rnnlm.py gives the PyTorch model run with oneDNN switched off: on the CPU ``nn.LSTM`` otherwise
#: hands a whole layer to oneDNN's fused LSTM kernel, and without it computes one operation at a time, as NumPy
#: code does.
PYTORCH_PER_OP = "pytorch without oneDNN"


@dataclass(frozen=True)
class PytorchRow:
    """One model's training iteration against PyTorch, from one run of ``benchmarks/bench_rnnlm.py``.

    ``ours_s``, ``pytorch_s``, ``products_s`` and ``per_op_s`` are best times in seconds (``products_s``: the
    iteration's matrix products alone, which no NumPy implementation can go below; ``per_op_s``: the PyTorch
    model with oneDNN switched off, the runner ``"pytorch without oneDNN"``; each None in records made before it
    was timed).
    ``ratio`` is ours / PyTorch, ``floor_ratio`` products / PyTorch and ``per_op_ratio`` ours / PyTorch without
    oneDNN (below 1: the first is faster).
    """

    part: str
    model: str
    chapter: int
    ours_s: float
    pytorch_s: float
    products_s: float | None
    per_op_s: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours_s / self.pytorch_s

    @property
    def floor_ratio(self) -> float | None:
        return None if self.products_s is None else self.products_s / self.pytorch_s

    @property
    def per_op_ratio(self) -> float | None:
        return None if self.per_op_s is None else self.ours_s / self.per_op_s


def pytorch_rows(record: Mapping[str, Any]) -> list[PytorchRow]:
    """The comparisons with PyTorch in a ``bench_rnnlm`` record (as :func:`load_benchmarks` reads it), in the
    order of the book's chapters; parts the run did not time are left out.

    The record's ``results`` are the run in the environment as it was; where the OpenBLAS variables were set, the
    run without them is under ``results["blas_vars_unset"]`` (pass ``{"results": that}`` to read it).
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"record must be a bench_rnnlm record (a mapping), got {type(record).__name__}")
    results = record.get("results") or {}
    rows = []
    for part, model, chapter in RNNLM_PARTS:
        best = _get(results, part, "best_s") or {}
        ours, torch_s, products = best.get(f"scratchnlp {model}"), best.get("pytorch"), best.get(PRODUCTS_ALONE)
        if not (isinstance(ours, (int, float)) and isinstance(torch_s, (int, float)) and ours > 0 and torch_s > 0):
            continue
        products, per_op = (float(x) if isinstance(x, (int, float)) and x > 0 else None
                            for x in (products, best.get(PYTORCH_PER_OP)))
        rows.append(PytorchRow(part, model, chapter, float(ours), float(torch_s), products, per_op))
    return rows


def blas_facts(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a ``bench_rnnlm`` run measured with: ``{"blas", "kernel", "threads", "torch", "numpy",
    "gemm_peak", "torch_gemm_peak", "variables"}`` (GFLOP/s for the peaks; None where the record does not say).

    ``blas`` is the BLAS library and version NumPy used (``"openblas 0.3.31"``), ``kernel`` its kernel
    (``"SkylakeX"``), ``variables`` the OpenBLAS variables that were set (``{}`` when none was).
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"record must be a bench_rnnlm record (a mapping), got {type(record).__name__}")
    results = record.get("results") or {}
    libs = [lib for lib in _get(results, "blas", "libraries") or [] if lib.get("user_api") == "blas"]
    lib = libs[0] if libs else {}
    version = str(lib.get("version") or "").split(".")
    return {
        "blas": f"{lib['internal_api']} {'.'.join(version[:3])}".strip() if lib.get("internal_api") else None,
        "kernel": lib.get("architecture"),
        "threads": results.get("threads"),
        "torch": results.get("torch"),
        "numpy": results.get("numpy"),
        "gemm_peak": results.get("gemm_peak_gflops"),
        "torch_gemm_peak": results.get("torch_gemm_peak_gflops"),
        "variables": {k: v for k, v in (_get(results, "blas", "variables") or {}).items() if v is not None},
    }


# --- timing a chapter's training iteration ---------------------------------------------------------------------------


def gpu_available() -> bool:
    """Whether :mod:`scratchnlp.backend` can use a GPU here (CuPy installed and a CUDA device present).

    The device in use is left as it was.
    """
    from scratchnlp import backend  # noqa: PLC0415

    previous = backend.get_device()
    try:
        backend.set_device("gpu")
    except RuntimeError:
        return False
    backend.set_device(previous)
    return True


def training_step_time(model: Any, optimizer: Any, xs: Any, ts: Any, *, max_grad: float | None = None,
                       repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeats`` training iterations on one batch, in seconds (after ``warmup`` untimed ones).

    One iteration is :func:`scratchnlp.training.train_step`, the step every training loop runs (chapters 1.4.4,
    6.1.4): ``model.forward(xs, ts)``, ``model.backward()``, the shared weights' gradients merged, the
    gradients clipped to ``max_grad`` (if given), the NaN/inf checks and ``optimizer.update``. On the GPU (the
    model's parameters are CuPy arrays; ``xs`` and ``ts`` are moved there) the device is synchronised before
    the clock is read, because CuPy returns before the GPU has finished (section 1.5.3).

    Parameters
    ----------
    model : a model with ``params``, ``forward(xs, ts)`` and ``backward()``
    optimizer : a :class:`scratchnlp.optim.Optimizer`
    xs, ts : the batch, e.g. word ids of shape (N, T) each
    max_grad : the global gradient norm to clip to, or None
    repeats : timed iterations, an int >= 1
    warmup : untimed iterations first

    Raises
    ------
    ValueError
        If ``repeats`` is not an int >= 1.
    """
    from scratchnlp import backend  # noqa: PLC0415
    from scratchnlp.training import train_step  # noqa: PLC0415

    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int >= 1, got {repeats!r}")
    on_gpu = backend.is_gpu_array(model.params[0])
    if on_gpu:
        xs, ts = backend.to_gpu(xs), backend.to_gpu(ts)
    xp = backend.xp(model.params[0])

    def step() -> None:
        train_step(model, optimizer, (xs, ts), max_grad)
        if on_gpu:
            xp.cuda.Device().synchronize()

    for _ in range(warmup):
        step()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def chapter_step_times(device: str = "cpu", *, repeats: int = 5, seed: int = 0,
                       models: Sequence[str] = ("Rnnlm", "BetterRnnlm", "AttentionSeq2seq")) -> dict[str, float]:
    """Seconds per training iteration of the chapter-6 and chapter-8 models with the book's settings.

    ``Rnnlm`` (V 10,000, 100/100) and ``BetterRnnlm`` (650/650, dropout 0.5, tied) on a batch of 20 x 35 word
    ids with SGD and clipping at 0.25; ``AttentionSeq2seq`` (59 characters, 16/256) on a batch of 128
    reversed-date-shaped questions (29 characters, answers of 11) with Adam and clipping at 5.0. The ids are
    random (the time does not depend on which words they are). Each model is built on ``device`` (``"cpu"``:
    NumPy, ``"gpu"``: CuPy) and timed with :func:`training_step_time`; the previous device is restored.

    Returns
    -------
    ``{model name: seconds}`` for each of ``models``, in their order.

    Raises
    ------
    ValueError
        If ``models`` names a model not listed above.
    """
    import numpy as np  # noqa: PLC0415

    from scratchnlp import backend, optim  # noqa: PLC0415
    from scratchnlp import models as m  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    specs = {
        "Rnnlm": (lambda: m.Rnnlm(10000, 100, 100, seed=seed), lambda: optim.SGD(20.0), 10000, (20, 35), (20, 35),
                  0.25),
        "BetterRnnlm": (lambda: m.BetterRnnlm(10000, 650, 650, 0.5, seed=seed), lambda: optim.SGD(20.0), 10000,
                        (20, 35), (20, 35), 0.25),
        "AttentionSeq2seq": (lambda: m.AttentionSeq2seq(59, 16, 256, seed=seed), lambda: optim.Adam(0.001), 59,
                             (128, 29), (128, 11), 5.0),
    }
    unknown = set(models) - set(specs)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; choose from {sorted(specs)}")
    previous = backend.get_device()
    backend.set_device(device)
    try:
        out = {}
        for name in models:
            make, make_opt, V, xshape, tshape, max_grad = specs[name]
            xs, ts = rng.integers(0, V, xshape), rng.integers(0, V, tshape)
            out[name] = training_step_time(make(), make_opt(), xs, ts, max_grad=max_grad, repeats=repeats)
        return out
    finally:
        backend.set_device(previous)
