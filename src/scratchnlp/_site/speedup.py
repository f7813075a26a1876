"""The wording of the speed-up page (section 1.5 in depth) and the book map: the committed benchmark results read into
tables, and the step timings measured on the page.

Which comparisons the results hold and their numbers, the machine of a record, the durations and the step
timings come from :mod:`scratchnlp.benchmarking`, which ``benchmarks/summary.py`` reads too; this module words
them. The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows
the page's language (``SCRATCHNLP_LANG``). The rows of :func:`benchmark_ratios` are English unless another
language is asked for: the book map reads their English labels.

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from scratchnlp import benchmarking
from scratchnlp._pages import and_join, repo_root
from scratchnlp.benchmarking import chapter_step_times, gpu_available, seconds_text, training_step_time

from .wording import page_language, say, table_header

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
    "pytorch_header",
    "pytorch_table_rows",
    "pytorch_verdict",
    "pytorch_caption",
    "pytorch_sentence",
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
        "ref.add_at": "np.add.at",
        "ref.optim_adam": "optim.Adam",
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
        "torch.model": "{model} (ch. {chapter})",
        "torch.h_model": "model",
        "torch.pytorch": "PyTorch (ms)",
        "torch.ours": "ours (ms)",
        "torch.ratio": "ours / PyTorch",
        "torch.per_op_ratio": "ours / no oneDNN",
        "torch.floor": "products alone / PyTorch",
        "torch.caption": "One training iteration of each recurrent model of the book (the book's sizes, optimizer and "
                         "clipping) against the same architecture in PyTorch {torch}, both on {threads} threads, "
                         "best times of alternating blocks; {machine}; NumPy's BLAS: {blas} ({kernel} "
                         "kernel{variables}). No oneDNN: the same PyTorch model with oneDNN switched off. Below 1: "
                         "ours is faster. {source}",
        "torch.variables": ", {variables}",
        "torch.no_record": "No comparison with PyTorch has been committed yet (`make bench` with PyTorch installed "
                           "writes it).",
        "torch.faster": "In this run the library's iteration is faster than PyTorch's for {models}",
        "torch.faster_all": "In this run the library's iteration is faster than PyTorch's for every model.",
        "torch.slower_all": "In this run the library's iteration is slower than PyTorch's for every model.",
        "torch.slower": ", and slower for {models}.",
        "torch.slower_alone": "In this run the library's iteration is slower than PyTorch's for {models}.",
        "torch.floor_over": "For {models} the matrix products alone, timed by themselves with NumPy, already take "
                            "{ratio} times PyTorch's whole iteration: inside oneDNN's LSTM kernel PyTorch computes "
                            "the same products faster than NumPy's BLAS does, so no arrangement of the remaining work "
                            "can close the gap.",
        "torch.floor_under": "For {models} the products alone take less than PyTorch's iteration, so what is slower "
                             "is the work around them: the Python loop over time steps and the element-wise gate "
                             "functions, each a separate pass over memory in NumPy, where oneDNN's kernel does them "
                             "inside one call.",
        "torch.per_op_intro": "Against PyTorch without oneDNN, which computes the LSTM one operation at a time as "
                              "NumPy code has to,",
        "torch.per_op_all": " the library's iteration is faster for every model ({range} of that PyTorch's time).",
        "torch.per_op_some": " the library's iteration is faster for {models} ({range} of that PyTorch's time) and "
                             "slower for {slower}.",
        "torch.per_op_none": " the library's iteration is slower for every model too.",
        "torch.range": "{low} to {high}",
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
        "ref.add_at": "np.add.at",
        "ref.optim_adam": "optim.Adam",
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
        "torch.model": "{model} ({chapter}장)",
        "torch.h_model": "모델",
        "torch.pytorch": "PyTorch(ms)",
        "torch.ours": "이 라이브러리(ms)",
        "torch.ratio": "이 라이브러리 / PyTorch",
        "torch.per_op_ratio": "이 라이브러리 / oneDNN 끔",
        "torch.floor": "행렬 곱만 / PyTorch",
        "torch.caption": "책의 순환 신경망 모델마다 학습 1회 반복(책의 크기, 최적화 기법, 기울기 클리핑)을 PyTorch "
                         "{torch}로 짠 같은 구조와 비교했다. 둘 다 스레드 {threads}개를 쓰고, 번갈아 잰 블록에서 가장 "
                         "빠른 시간을 적었다. {machine}, NumPy의 BLAS는 {blas}({kernel} 커널{variables}). "
                         "‘oneDNN 끔’은 같은 PyTorch 모델을 oneDNN을 끄고 잰 시간이다. 1보다 작으면 이 라이브러리가 "
                         "빠르다. {source}",
        "torch.variables": ", {variables}",
        "torch.no_record": "PyTorch와 비교한 결과는 아직 커밋되지 않았다(PyTorch를 설치하고 `make bench`를 실행하면 "
                           "만들어진다).",
        "torch.faster": "이번 측정에서 이 라이브러리의 반복은 {models}에서 PyTorch보다 빠르고",
        "torch.faster_all": "이번 측정에서 이 라이브러리의 반복은 모든 모델에서 PyTorch보다 빠르다.",
        "torch.slower_all": "이번 측정에서 이 라이브러리의 반복은 모든 모델에서 PyTorch보다 느리다.",
        "torch.slower": " {models}에서 느리다.",
        "torch.slower_alone": "이번 측정에서 이 라이브러리의 반복은 {models}에서 PyTorch보다 느리다.",
        "torch.floor_over": "{models}에서는 NumPy로 행렬 곱만 따로 재도 벌써 PyTorch의 반복 전체의 {ratio}배가 걸린다. "
                            "PyTorch는 oneDNN의 LSTM 커널 안에서 같은 곱을 NumPy의 BLAS보다 빠르게 계산하므로, 나머지 "
                            "작업을 어떻게 배치해도 그 차이를 메울 수 없다.",
        "torch.floor_under": "{models}에서는 행렬 곱만으로는 PyTorch의 반복보다 짧게 걸리므로, 느린 것은 그 주변의 "
                             "작업이다. 시간 단계를 도는 파이썬 루프와 원소별 게이트 함수가 NumPy에서는 각각 메모리를 "
                             "따로 한 번씩 훑지만, oneDNN의 커널은 이를 한 번의 호출 안에서 처리한다.",
        "torch.per_op_intro": "oneDNN을 끄고 NumPy 코드처럼 LSTM을 연산 하나씩 계산하는 PyTorch와 비교하면",
        "torch.per_op_all": " 모든 모델에서 이 라이브러리의 반복이 더 빠르다(그 PyTorch 시간의 {range}).",
        "torch.per_op_some": " {models}에서 이 라이브러리의 반복이 더 빠르고(그 PyTorch 시간의 {range}) {slower}에서 "
                             "느리다.",
        "torch.per_op_none": " 모든 모델에서 이 라이브러리의 반복이 여전히 더 느리다.",
        "torch.range": "{low}~{high}",
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
    """The results ``make bench`` wrote: ``{script name: record}`` from ``<folder>/bench_*.json``, sorted by name
    (:func:`scratchnlp.benchmarking.load_benchmarks`); ``folder`` defaults to :func:`benchmarks_dir`.

    A record holds ``script``, ``arguments``, ``date``, ``wall_s``, ``machine`` and the script's own numbers
    under ``results``. A missing folder gives an empty dict.
    """
    return benchmarking.load_benchmarks(folder if folder is not None else benchmarks_dir())


#: How each kind of :class:`scratchnlp.benchmarking.Comparison` is described: the ``row.*`` template of
#: :data:`TEMPLATES`, or None for a description the script wrote itself (its ``label``).
_WHAT_TEMPLATES: dict[str, str | None] = {
    "label": None,
    "word2vec": "row.word2vec",
    "scatter": "row.scatter",
    "adam": "row.adam",
    "fast": "row.fast",
    "train": "row.train",
    "attention": "row.attention",
    "decode": "row.decode",
}


def _subject_text(row: benchmarking.Comparison, lang: str) -> str:
    """What a comparison timed, in ``lang``."""
    fields = {k: _data_label(str(v), lang) if k in benchmarking.SCRIPT_LABEL_FIELDS else v
              for k, v in row.what_fields.items()}
    key = _WHAT_TEMPLATES[row.what]
    return fields["label"] if key is None else words(key, lang, **fields)


def _what_text(row: benchmarking.Comparison, lang: str) -> str:
    """What a comparison timed, in ``lang``, with its chapter when it has one."""
    what = _subject_text(row, lang)
    return what if row.chapter is None else words("chapter", lang, what=what, chapter=row.chapter)


def benchmark_ratios(records: Mapping[str, Mapping[str, Any]], lang: str | None = "en") -> list[dict[str, Any]]:
    """One row per comparison in the benchmark records of :func:`load_benchmarks`, in the order of the chapters.

    Each row is ``{"script", "what", "subject", "chapter", "reference", "reference_key", "reference_s", "ours_s",
    "ratio"}``: ``what`` is ``subject`` (what was timed) with its ``chapter`` (an int, or None), ``reference_key``
    one of :data:`scratchnlp.benchmarking.REFERENCE_KEYS` and ``ratio`` the reference's time over ours (above 1:
    ours is faster). The comparisons and their numbers are those of :func:`scratchnlp.benchmarking.comparisons`
    (a part not run, a dependency missing: left out; scripts it does not know: ignored); this words them.

    ``what``, ``subject`` and ``reference`` are worded in ``lang``: English by default (the console summary's
    words); ``None``: the page's language.
    """
    lang = page_language() if lang is None else lang
    return [{"script": row.script, "what": _what_text(row, lang), "subject": _subject_text(row, lang),
             "chapter": row.chapter, "reference": words(f"ref.{row.reference}", lang), "reference_key": row.reference,
             "reference_s": row.reference_s, "ours_s": row.ours_s, "ratio": row.speedup}
            for row in benchmarking.comparisons(records)]


def machine_text(record: Mapping[str, Any], lang: str | None = None) -> str:
    """The machine and date of a benchmark record: ``"AMD EPYC 9R14, 2 cores, NumPy 2.4.6, 2026-12-01"``
    (the facts of :func:`scratchnlp.benchmarking.machine_facts`, worded in ``lang``)."""
    m = benchmarking.machine_facts(record)
    parts = [m["cpu"] or words("machine.unnamed", lang)]
    if m["cpu_count"]:
        parts.append(words("machine.cores", lang, cores=m["cpu_count"]))
    if m["gpu"]:
        parts.append(m["gpu"])
    if m["numpy"]:
        parts.append(f"NumPy {m['numpy']}")
    if m["cupy"]:
        parts.append(f"CuPy {m['cupy']}")
    if m["date"]:
        parts.append(m["date"])
    return ", ".join(parts)


def gpu_sentence(available: bool, record: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """What the GPU section of the speed-up page shows: a measurement made now, committed numbers, or neither."""
    if available:
        return words("gpu.built", lang)
    if record is None:
        return words("gpu.none", lang)
    return words("gpu.committed", lang, machine=machine_text(record, lang))


# --- the recurrent models against PyTorch ---------------------------------------------------------------------------

#: The columns of the PyTorch table: the templates ``torch.<column>``.
COLUMNS = {"torch": ("h_model", "pytorch", "ours", "ratio", "per_op_ratio", "floor")}


def pytorch_header(lang: str | None = None) -> list[str]:
    """The column headers of the table of :func:`pytorch_table_rows`."""
    return table_header(TEMPLATES, COLUMNS, "torch", lang)


def pytorch_table_rows(rows: Sequence[benchmarking.PytorchRow], lang: str | None = None) -> list[list[str]]:
    """One table row per model: the model and its chapter; PyTorch's and our best times in ms; ours / PyTorch,
    ours / PyTorch without oneDNN and the products alone / PyTorch ("-" where a record was made before that
    runner was timed; the times behind the last two are in the record and the benchmarks' README)."""

    def ms(seconds: float | None) -> str:
        return "-" if seconds is None else f"{seconds * 1e3:.1f}"

    def ratio(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    return [[words("torch.model", lang, model=r.model, chapter=r.chapter), ms(r.pytorch_s), ms(r.ours_s),
             ratio(r.ratio), ratio(r.per_op_ratio), ratio(r.floor_ratio)] for r in rows]


def pytorch_verdict(rows: Sequence[benchmarking.PytorchRow]) -> dict[str, Any]:
    """Which models are faster than PyTorch in a run, which slower, and for which of the slower ones the matrix
    products alone already take at least PyTorch's whole iteration (``floor_over``, with the largest such
    ``floor_ratio``) or less (``floor_under``).

    Returns ``{"faster", "slower", "floor_over", "floor_under", "floor_ratio", "per_op_faster",
    "per_op_slower", "per_op_range"}`` (model names; ``floor_ratio`` None when ``floor_over`` is empty). A model
    whose products were not timed is in neither floor list. ``per_op_faster`` and ``per_op_slower`` do the same
    against PyTorch without oneDNN, for the models where that was timed; ``per_op_range`` is the (lowest, highest)
    ratio of ``per_op_faster`` (None when it is empty).
    """
    faster = [r.model for r in rows if r.ratio < 1]
    slower = [r for r in rows if r.ratio >= 1]
    over = [r for r in slower if r.floor_ratio is not None and r.floor_ratio >= 1]
    under = [r for r in slower if r.floor_ratio is not None and r.floor_ratio < 1]
    per_op = [r for r in rows if r.per_op_ratio is not None]
    per_op_faster = [r for r in per_op if r.per_op_ratio < 1]
    per_op_range = None
    if per_op_faster:
        per_op_range = (min(r.per_op_ratio for r in per_op_faster), max(r.per_op_ratio for r in per_op_faster))
    return {"faster": faster, "slower": [r.model for r in slower], "floor_over": [r.model for r in over],
            "floor_under": [r.model for r in under],
            "floor_ratio": max((r.floor_ratio for r in over), default=None),
            "per_op_faster": [r.model for r in per_op_faster],
            "per_op_slower": [r.model for r in per_op if r.per_op_ratio >= 1], "per_op_range": per_op_range}


def pytorch_caption(record: Mapping[str, Any], source: str, lang: str | None = None) -> str:
    """The caption of the PyTorch table: versions, threads, machine, BLAS and kernel of the run, and ``source``."""
    facts = benchmarking.blas_facts(record)
    variables = ", ".join(f"{k}={v}" for k, v in facts["variables"].items())
    return words("torch.caption", lang, torch=facts["torch"] or "?", threads=facts["threads"] or "?",
                 machine=machine_text(record, lang), blas=facts["blas"] or "?", kernel=facts["kernel"] or "?",
                 variables=words("torch.variables", lang, variables=variables) if variables else "", source=source)


def pytorch_sentence(verdict: Mapping[str, Any], lang: str | None = None) -> str:
    """The reading of :func:`pytorch_verdict`: where ours is faster and slower, and why where it is slower."""
    faster, slower = verdict["faster"], verdict["slower"]
    if not faster and not slower:
        return words("torch.no_record", lang)
    if not slower:
        parts = [words("torch.faster_all", lang)]
    elif not faster:
        parts = [words("torch.slower_all", lang) if len(slower) > 1 else
                 words("torch.slower_alone", lang, models=slower[0])]
    else:
        parts = [words("torch.faster", lang, models=and_join(faster, lang=lang))
                 + words("torch.slower", lang, models=and_join(slower, lang=lang))]
    if verdict["floor_over"]:
        parts.append(words("torch.floor_over", lang, models=and_join(verdict["floor_over"], lang=lang),
                           ratio=f"{verdict['floor_ratio']:.2f}"))
    if verdict["floor_under"]:
        parts.append(words("torch.floor_under", lang, models=and_join(verdict["floor_under"], lang=lang)))
    per_faster, per_slower = verdict["per_op_faster"], verdict["per_op_slower"]
    if not per_faster and not per_slower:  # a record made before PyTorch without oneDNN was timed
        return " ".join(parts)
    if not per_faster:
        rest = words("torch.per_op_none", lang)
    else:
        low, high = (f"{x:.2f}" for x in verdict["per_op_range"])
        span = low if low == high else words("torch.range", lang, low=low, high=high)
        rest = (words("torch.per_op_all", lang, range=span) if not per_slower else
                words("torch.per_op_some", lang, models=and_join(per_faster, lang=lang), range=span,
                      slower=and_join(per_slower, lang=lang)))
    parts.append(words("torch.per_op_intro", lang) + rest)
    return " ".join(parts)
