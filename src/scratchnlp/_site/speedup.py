"""The wording of the speed-up page (section 1.5 in depth) and the book map: the committed benchmark results read into
tables, and the step timings measured on the page.

The words these helpers produce come from :data:`TEMPLATES`, one set per language, through :func:`words`;
``lang=None`` follows the page's language (``SCRATCHNLP_LANG``). The rows of :func:`benchmark_ratios` are English
unless another language is asked for: the book map and ``benchmarks/summary.py`` read their English labels.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scratchnlp._pages import best_time, repo_root

from .wording import page_language, say

__all__ = [
    "gpu_available",
    "chapter_step_times",
    "training_step_time",
    "benchmarks_dir",
    "load_benchmarks",
    "seconds_text",
    "benchmark_ratios",
    "machine_text",
    "gpu_sentence",
    "TEMPLATES",
    "words",
]

#: The words of the benchmark rows, the machine descriptions and the GPU sentence, by language. The ``label.*``
#: templates are the English descriptions the benchmark scripts write into their records (see
#: :data:`_DATA_LABELS`), with their Korean counterparts.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "chapter": "{what} (ch. {chapter})",
        "row.word2vec": "{name}, {iterations} iterations of the book's settings",
        "row.scatter": "scatter-add, {case}",
        "row.adam": "one Adam step, {case} gradient",
        "row.fast": "{name}, one epoch of the fast variant",
        "row.train": "{name} training iteration",
        "row.attention": "TimeAttention forward and backward",
        "row.decode": "{name}, answering the test questions",
        "ref.python_loop": "the book's Python loop",
        "ref.book_way": "the book's way",
        "ref.gensim": "gensim, 2 threads",
        "ref.pytorch": "PyTorch, same threads",
        "ref.book_code": "the book's code",
        "ref.attention_loop": "the book's loop of Attention layers",
        "ref.decode_loop": "the book's loop, one question at a time",
        "label.ppmi": "PPMI on a {rows}x{columns} slice",
        "label.co_matrix": "co-occurrence, {tokens} tokens",
        "label.scatter_out": "{matrix}, batch {batch} (target + {negatives} negatives)",
        "label.scatter_in": "{matrix}, batch {batch} ({contexts} contexts)",
        "label.dense": "dense",
        "label.embedding_rows": "embedding rows",
        "machine.unnamed": "an unnamed CPU",
        "machine.cores": "{cores} cores",
        "gpu.built": "This page was built on a machine with a usable GPU, so the timings below were measured during "
                     "the build.",
        "gpu.none": "This page was built without a GPU, and no measurements from a GPU have been committed yet, so "
                    "this section has no GPU numbers to show; the cells below say how to produce them.",
        "gpu.committed": "This page was built without a GPU; the numbers below were measured by the same cells on a "
                         "GPU machine ({machine}) and committed to the repository.",
    },
    "ko": {
        "chapter": "{what} ({chapter}장)",
        "row.word2vec": "{name}, 책의 설정으로 {iterations}회 반복",
        "row.scatter": "scatter-add, {case}",
        "row.adam": "Adam 갱신 1회, {case} 기울기",
        "row.fast": "{name}, 빠른 버전의 1에폭",
        "row.train": "{name} 학습 1회 반복",
        "row.attention": "TimeAttention 순전파와 역전파",
        "row.decode": "{name}, 테스트 문제에 답하기",
        "ref.python_loop": "책의 파이썬 루프",
        "ref.book_way": "책의 방식",
        "ref.gensim": "gensim, 스레드 2개",
        "ref.pytorch": "PyTorch, 같은 스레드 수",
        "ref.book_code": "책의 코드",
        "ref.attention_loop": "Attention 계층을 하나씩 도는 책의 루프",
        "ref.decode_loop": "한 번에 한 문제씩 도는 책의 루프",
        "label.ppmi": "{rows}x{columns} 부분 행렬의 PPMI",
        "label.co_matrix": "동시발생 행렬, 토큰 {tokens}개",
        "label.scatter_out": "{matrix}, 배치 {batch}(타깃 + 부정적 예 {negatives}개)",
        "label.scatter_in": "{matrix}, 배치 {batch}(맥락 {contexts}개)",
        "label.dense": "밀집",
        "label.embedding_rows": "임베딩 행",
        "machine.unnamed": "이름 없는 CPU",
        "machine.cores": "{cores}코어",
        "gpu.built": "이 페이지는 쓸 수 있는 GPU가 있는 컴퓨터에서 빌드되었으므로, 아래 시간은 빌드하는 동안 측정한 "
                     "것이다.",
        "gpu.none": "이 페이지는 GPU 없이 빌드되었고 GPU에서 측정한 값도 아직 커밋되지 않았으므로, 이 절에는 보여 줄 "
                    "GPU 측정값이 없다. 측정값을 만드는 방법은 아래 셀에 있다.",
        "gpu.committed": "이 페이지는 GPU 없이 빌드되었다. 아래 값은 같은 셀을 GPU가 있는 컴퓨터({machine})에서 실행해 "
                         "측정하고 저장소에 커밋한 것이다.",
    },
}

#: The descriptions the benchmark scripts write into their records, as patterns: each match is reworded with the
#: ``label.*`` template of :data:`TEMPLATES` named beside it, filled with the pattern's groups.
_DATA_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"PPMI on a (?P<rows>\d+)x(?P<columns>\d+) slice"), "label.ppmi"),
    (re.compile(r"co-occurrence, (?P<tokens>[\d,]+) tokens"), "label.co_matrix"),
    (re.compile(r"(?P<matrix>W_\w+), batch (?P<batch>\d+) \(target \+ (?P<negatives>\d+) negatives\)"),
     "label.scatter_out"),
    (re.compile(r"(?P<matrix>W_\w+), batch (?P<batch>\d+) \((?P<contexts>\d+) contexts\)"), "label.scatter_in"),
    (re.compile(r"dense"), "label.dense"),
    (re.compile(r"embedding rows"), "label.embedding_rows"),
)


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The wording ``key`` from :data:`TEMPLATES` with ``values`` filled in; ``lang=None``: the page's language
    (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`)."""
    return say(TEMPLATES, key, lang, **values)


def _data_label(label: str, lang: str) -> str:
    """A description written by a benchmark script (English) in ``lang``; one no pattern knows stays as written."""
    if lang == "en":
        return label
    for pattern, key in _DATA_LABELS:
        match = pattern.fullmatch(label)
        if match:
            return words(key, lang, **match.groupdict())
    return label


def gpu_available() -> bool:
    """Whether :mod:`scratchnlp.backend` can use a GPU here (CuPy installed and a CUDA device present)."""
    from scratchnlp import backend  # noqa: PLC0415

    previous = backend.get_device()
    try:
        backend.set_device("gpu")
    except RuntimeError:
        return False
    backend.set_device(previous)
    return True


def chapter_step_times(device: str = "cpu", *, repeats: int = 5, seed: int = 0,
                       models: Sequence[str] = ("Rnnlm", "BetterRnnlm", "AttentionSeq2seq")) -> dict[str, float]:
    """Seconds per training iteration of the chapter-6 and chapter-8 models with the book's settings.

    ``Rnnlm`` (V 10,000, 100/100) and ``BetterRnnlm`` (650/650, dropout 0.5, tied) on a batch of 20 x 35 word
    ids with SGD and clipping at 0.25; ``AttentionSeq2seq`` (59 characters, 16/256) on a batch of 128
    reversed-date-shaped questions (29 characters, answers of 11) with Adam and clipping at 5.0. The ids are
    random (the time does not depend on which words they are). Each model is built on ``device`` (``"cpu"``:
    NumPy, ``"gpu"``: CuPy) and timed with :func:`training_step_time`; the previous device is restored.
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


def training_step_time(model: Any, optimizer: Any, xs: Any, ts: Any, *, max_grad: float | None = None,
                       repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of ``repeats`` training iterations on one batch, in seconds (after ``warmup`` untimed ones).

    One iteration is :func:`scratchnlp.training.train_step`, the step every training loop runs:
    ``model.forward(xs, ts)``, ``model.backward()``, the shared weights' gradients merged, the gradients clipped
    to ``max_grad`` (if given), the NaN/inf checks and ``optimizer.update``. On the GPU (the model's parameters
    are CuPy arrays; ``xs`` and ``ts`` are moved there) the device is synchronised before the clock is read,
    because CuPy returns before the GPU has finished.
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
    return best_time(step, repeats)[1]


def benchmarks_dir(root: str | Path | None = None) -> Path:
    """The folder of the committed benchmark results, ``<repository>/benchmarks/results`` (``make bench``).

    Raises
    ------
    FileNotFoundError
        When the page does not run inside a checkout of the repository.
    """
    base = Path(root) if root is not None else repo_root()
    if base is None:
        raise FileNotFoundError(
            "the benchmark results are read from the repository's benchmarks/results/ folder, and this page is not "
            "running inside a checkout of the repository: clone it and run the page from there"
        )
    return base / "benchmarks" / "results"


def load_benchmarks(folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The results ``make bench`` wrote: ``{script name: record}`` from ``<folder>/bench_*.json``, sorted by name.

    A record holds ``script``, ``arguments``, ``date``, ``wall_s``, ``machine`` and the script's own numbers
    under ``results``. A missing folder gives an empty dict.
    """
    import json  # noqa: PLC0415

    folder = Path(folder) if folder is not None else benchmarks_dir()
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("bench_*.json")) if folder.is_dir() else []:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("results"), dict):
            raise ValueError(f"{path} is not a benchmark record written by benchmarks/run_all.py (no 'results')")
        records[path.stem] = record
    return records


def seconds_text(seconds: float) -> str:
    """A duration with three significant digits in s, ms or µs: ``"12.3 s"``, ``"792 ms"``, ``"220 µs"``."""
    if not seconds > 0 or not math.isfinite(seconds):
        raise ValueError(f"a duration must be positive and finite, got {seconds!r}")
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            value = seconds / scale
            digits = max(0, 2 - int(math.floor(math.log10(value)))) if value >= 1 else 3
            return f"{value:.{digits}f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _get(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, Mapping) or k not in d:
            return None
        d = d[k]
    return d


def _bench_rows_count_based(r: Mapping[str, Any], lang: str = "en") -> list[tuple[str, str, Any, Any]]:
    return [
        (words("chapter", lang, what=_data_label(str(_get(r, key, "label") or key), lang), chapter=2),
         words("ref.python_loop", lang), _get(r, key, "book_s"), _get(r, key, "ours_s"))
        for key in ("ppmi", "co_matrix")
    ]


def _bench_rows_word2vec(r: Mapping[str, Any], lang: str = "en") -> list[tuple[str, str, Any, Any]]:
    rows = []
    for name, run in (_get(r, "book") or {}).items():
        what = words("row.word2vec", lang, name=name, iterations=run.get("iterations"))
        rows.append((words("chapter", lang, what=what, chapter=4), words("ref.book_way", lang),
                     run.get("book_way_s"), run.get("ours_fused_adam_s")))
    for case, times in (_get(r, "scatter") or {}).items():
        rows.append((words("row.scatter", lang, case=_data_label(case, lang)), "np.add.at", _ms(times.get("add.at")),
                     _ms(times.get("scatter_add"))))
    for case, times in (_get(r, "adam") or {}).items():
        rows.append((words("row.adam", lang, case=_data_label(case, lang)), "optim.Adam",
                     _ms(times.get("optim.Adam")), _ms(times.get("FusedAdam"))))
    for name, run in (_get(r, "fast") or {}).items():
        if isinstance(run, Mapping) and "ours_s_per_epoch" in run:
            rows.append((words("row.fast", lang, name=name), words("ref.gensim", lang),
                         run.get("gensim_s_per_epoch"), run.get("ours_s_per_epoch")))
    return rows


def _ms(value: Any) -> Any:
    return None if value is None else value / 1e3


def _bench_rows_rnnlm(r: Mapping[str, Any], lang: str = "en") -> list[tuple[str, str, Any, Any]]:
    rows = []
    for key, name, ours in (("rnnlm", "Rnnlm", "scratchnlp Rnnlm"),
                            ("better", "BetterRnnlm", "scratchnlp BetterRnnlm")):
        rows.append((words("chapter", lang, what=words("row.train", lang, name=name), chapter=6),
                     words("ref.pytorch", lang), _get(r, key, "best_s", "pytorch"), _get(r, key, "best_s", ours)))
    book = _get(r, "book", "best_s", "book's code way")
    if book is not None:
        rows.append((words("chapter", lang, what=words("row.train", lang, name="Rnnlm"), chapter=6),
                     words("ref.book_code", lang), book, _get(r, "rnnlm", "best_s", "scratchnlp Rnnlm")))
    return rows


def _bench_rows_seq2seq(r: Mapping[str, Any], chapter: str, lang: str = "en") -> list[tuple[str, str, Any, Any]]:
    rows = []
    train = _get(r, "train") or {}
    if "best_s" in train:  # one model (attention): its numbers directly
        train = {"AttentionSeq2seq": train}
    for name, run in train.items():
        rows.append((words("chapter", lang, what=words("row.train", lang, name=name), chapter=chapter),
                     words("ref.book_code", lang), _get(run, "best_s", "book's code"),
                     _get(run, "best_s", "scratchnlp")))
        layer = _get(run, "attention_layer")
        if layer:
            rows.append((words("chapter", lang, what=words("row.attention", lang), chapter=8),
                         words("ref.attention_loop", lang), _get(layer, "best_s", "book's code"),
                         _get(layer, "best_s", "scratchnlp")))
    decode = _get(r, "decode") or {}
    if "best_s" in decode:
        decode = {"AttentionSeq2seq": decode}
    for name, run in decode.items():
        rows.append((words("chapter", lang, what=words("row.decode", lang, name=name), chapter=chapter),
                     words("ref.decode_loop", lang), _get(run, "best_s", "book's loop"),
                     _get(run, "best_s", "scratchnlp, batched")))
    return rows


_BENCH_ROWS: dict[str, Callable[..., list[tuple[str, str, Any, Any]]]] = {
    "bench_count_based": _bench_rows_count_based,
    "bench_word2vec": _bench_rows_word2vec,
    "bench_rnnlm": _bench_rows_rnnlm,
    "bench_seq2seq": lambda r, lang="en": _bench_rows_seq2seq(r, "7", lang),
    "bench_attention": lambda r, lang="en": _bench_rows_seq2seq(r, "8", lang),
}


def benchmark_ratios(records: Mapping[str, Mapping[str, Any]], lang: str | None = "en") -> list[dict[str, Any]]:
    """One row per comparison in the benchmark records of :func:`load_benchmarks`, in the order of the chapters.

    Each row is ``{"script", "what", "reference", "reference_s", "ours_s", "ratio"}``, where ``ratio`` is the
    reference's time over ours (above 1: ours is faster). Comparisons a record lacks (a part not run, a
    dependency missing) are left out; scripts this function does not know are ignored.

    ``what`` and ``reference`` are worded in ``lang``: English by default, because the book map and the console
    summary read the English labels (``"(ch. N)"``, ``"the book's ..."``); ``None``: the page's language.
    """
    lang = page_language() if lang is None else lang
    rows = []
    for script, extract in _BENCH_ROWS.items():
        if script not in records:
            continue
        for what, reference, ref_s, ours_s in extract(records[script].get("results", {}), lang):
            if ref_s is None or ours_s is None or not ref_s > 0 or not ours_s > 0:
                continue
            rows.append({"script": script, "what": what, "reference": reference, "reference_s": float(ref_s),
                         "ours_s": float(ours_s), "ratio": float(ref_s) / float(ours_s)})
    return rows


def machine_text(record: Mapping[str, Any], lang: str | None = None) -> str:
    """The machine and date of a benchmark record: ``"AMD EPYC 9R14, 2 cores, NumPy 2.4.6, 2026-12-01"``."""
    m = record.get("machine") or {}
    parts = [str(m.get("cpu") or words("machine.unnamed", lang))]
    if m.get("cpu_count"):
        parts.append(words("machine.cores", lang, cores=m["cpu_count"]))
    if m.get("gpu"):
        parts.append(str(m["gpu"]))
    if m.get("numpy"):
        parts.append(f"NumPy {m['numpy']}")
    if m.get("cupy"):
        parts.append(f"CuPy {m['cupy']}")
    if record.get("date"):
        parts.append(str(record["date"])[:10])
    return ", ".join(parts)


def gpu_sentence(available: bool, record: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """What the GPU section of the speed-up page shows: a measurement made now, committed numbers, or neither."""
    if available:
        return words("gpu.built", lang)
    if record is None:
        return words("gpu.none", lang)
    return words("gpu.committed", lang, machine=machine_text(record, lang))
