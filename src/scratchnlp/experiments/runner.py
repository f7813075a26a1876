"""Running an experiment and reading its results back.

:func:`run_experiment` runs one experiment by name and writes two files into an output folder:

* ``<name>.npz`` — the trained parameters through :func:`scratchnlp.checkpoint.save_params` (float16, as in
  the book's chapter on bit precision, unless a weight does not fit float16), with the configuration in its
  metadata;
* ``<name>.json`` — the results: history, configuration, scores, wall time, the machine, SHA-256 sums of the
  data files and of the checkpoint, and the package version, so a number quoted on the site can be traced to
  the run behind it.

The two files are one result and change together. Both are first written completely under temporary names
beside their destinations; only then are they renamed onto ``<name>.npz`` and ``<name>.json``, one right after
the other with SIGINT and SIGTERM held back, so an interrupted run leaves the previous pair whole (and no
temporary file). The results file records the checkpoint's SHA-256, so :func:`load_results` can tell a
checkpoint that does not belong to it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import subprocess
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__, backend
from .._io import atomic_write, check_writable_dir, sha256_file, signals_deferred, sigterm_as_interrupt
from .registry import EXPERIMENTS, Experiment, RunContext, get_experiment

__all__ = ["run_experiment", "load_results", "summary", "summarize", "ResultsError", "RESULTS_FORMAT"]

#: The ``format`` field of a results file.
RESULTS_FORMAT = "scratchnlp-results"
_FLOAT16_MAX = float(np.finfo(np.float16).max)


class ResultsError(ValueError):
    """A results file is missing, unreadable, or not the results of the experiment asked for."""


def _config(experiment: Experiment, epochs: int | None, overrides: dict[str, Any]) -> dict[str, Any]:
    config = dict(experiment.defaults)
    unknown = sorted(set(overrides) - set(config))
    if unknown:
        raise ValueError(
            f"unknown setting {unknown[0]!r} for experiment {experiment.name!r}; settings: {', '.join(config)}"
        )
    for key, value in overrides.items():
        default = config[key]
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ValueError(f"setting {key!r} must be True or False, got {value!r}")
        if isinstance(default, int) and not isinstance(default, bool) and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer))
        ):
            raise ValueError(f"setting {key!r} must be an int, got {value!r}")
        if isinstance(default, float) and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
        ):
            raise ValueError(f"setting {key!r} must be a finite number, got {value!r}")
        config[key] = value
    if epochs is not None:
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"epochs must be a positive int, got {epochs!r}")
        config["epochs"] = int(epochs)
    return config


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "device": backend.get_device(),
    }


def _non_finite(evaluation: Mapping[str, Any], prefix: str = "") -> list[tuple[str, float]]:
    """The perplexities and losses of an evaluation (nested dicts included) that are NaN or infinite: a diverged
    model. (Other scores may be NaN by nature, e.g. a correlation over too few pairs, and are stored as null.)"""
    found = []
    for key, value in evaluation.items():
        if isinstance(value, Mapping):
            found += _non_finite(value, f"{prefix}{key}.")
        elif (("perplexity" in key or "loss" in key) and isinstance(value, (float, np.floating))
              and not math.isfinite(float(value))):
            found.append((f"{prefix}{key}", float(value)))
    return found


def source_revision() -> str | None:
    """The git commit of the library's source when it runs from a checkout (``+dirty`` if ``src`` has
    uncommitted changes), else None: which code trained a result, beyond the package version."""
    src = Path(__file__).resolve().parents[2]  # .../src
    if not (src.parent / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(src.parent), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        status = ["git", "-C", str(src.parent), "status", "--porcelain", "--untracked-files=no", "--", str(src)]
        dirty = subprocess.run(status, capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head


def provenance() -> dict[str, Any]:
    """The package version, the source revision and the machine: what a result file records about its run."""
    return {"package": __version__, "source_revision": source_revision(), "machine": _machine()}


def _checksums(files: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> dict[str, str]:
    from ..datasets import fetch  # noqa: PLC0415 - the downloader only for runs that use data

    return {f"{dataset}/{name}": sha256_file(fetch(dataset, name)) for dataset, name in files}


def json_ready(x: Any) -> Any:
    """NumPy scalars and arrays as Python numbers and lists; NaN and infinities as None (strict JSON)."""
    if isinstance(x, dict):
        return {str(k): json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_ready(v) for v in x]
    if isinstance(x, np.ndarray):
        return json_ready(x.tolist())
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else None
    if isinstance(x, Path):
        return str(x)
    return x


def _storage_dtype(model: Any) -> Any:
    """float16 (the book's storage) when every parameter fits it, else float32: never store an inf."""
    for p in model.params:
        if p.size and float(backend.xp(p).abs(p).max()) > _FLOAT16_MAX:
            return np.float32
    return np.float16


def _staged(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.staged")


def run_experiment(
    name: str,
    *,
    out_dir: str | os.PathLike[str],
    epochs: int | None = None,
    progress: bool | None = None,
    seed: int = 0,
    resume: bool = False,
    snapshot: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    """Train the experiment ``name``, score it, and write its checkpoint and results files as one pair.

    Parameters
    ----------
    name : str
        A key of :data:`~scratchnlp.experiments.registry.EXPERIMENTS` (see
        :func:`~scratchnlp.experiments.registry.experiment_name` for ``--fast``).
    out_dir : path
        Folder for ``<name>.npz`` and ``<name>.json``. It is created if needed and checked writable before
        any work; the files there are replaced together at the end, or not at all.
    epochs : int, optional
        Override the number of epochs (the book's value otherwise).
    progress : bool, optional
        Show a progress bar (default: only when stderr is a terminal).
    seed : int, default 0
        Seeds the weights, the sampling and the batch order: the same seed gives the same run.
    resume : bool, default False
        Continue an interrupted run from its state file (experiments marked ``resumable`` only).
    snapshot : bool, default False
        Write the results of an interrupted run as they stand, from its state file, without training further:
        the parameters of its best epoch so far are scored and written as the pair, with ``"partial": True``,
        ``"epochs_completed"`` and ``"epochs_planned"`` in the results; the state file is kept, so the run can
        still be resumed (a long run's progress can be published between its sessions). Implies ``resume``;
        the state file must exist and match the settings.
    **overrides
        Settings of the experiment's configuration (see ``get_experiment(name).defaults``), e.g.
        ``corpus_size=5000`` to train on the first 5,000 tokens only.

    Returns
    -------
    dict
        The results written to ``<name>.json``, plus ``"paths"``: the two files written.

    Raises
    ------
    ValueError
        For an unknown experiment or setting, a setting of the wrong type, or ``resume`` on an experiment
        that cannot resume.
    OSError
        If the output folder cannot be created or written (raised before training starts).
    scratchnlp.datasets.DatasetUnavailableError
        If a data file cannot be found or downloaded (raised before training starts).
    """
    experiment = get_experiment(name)
    config = _config(experiment, epochs, overrides)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if (resume or snapshot) and not experiment.resumable:
        raise ValueError(f"experiment {name!r} cannot {'resume' if resume else 'snapshot'}; resumable: "
                         + (", ".join(n for n, e in EXPERIMENTS.items() if e.resumable) or "none"))
    resume = bool(resume or snapshot)
    out = check_writable_dir(out_dir)
    state_path = RunContext(name=name, config=config, seed=int(seed), progress=progress, out_dir=out).state_path
    if experiment.resumable and not resume and (state_path.exists() or state_path.is_symlink()):
        raise ValueError(
            f"{state_path} holds the state of an interrupted {name} run; continue it with --resume, or remove that "
            "file to start over (a run without --resume would discard it)"
        )
    if resume and state_path.exists() and not state_path.is_file():
        raise ValueError(f"cannot resume from {state_path}: it is not a file; remove it or choose another --out")
    if snapshot and not state_path.is_file():
        raise FileNotFoundError(f"nothing to snapshot: there is no state file {state_path} of an interrupted {name} "
                                "run (a snapshot reports such a run without training)")
    checkpoint, results_path = out / f"{name}.npz", out / f"{name}.json"
    for target in (checkpoint, results_path):
        if target.is_dir():
            raise IsADirectoryError(f"cannot write {target}: it is a folder; remove it or choose another --out")
    started = time.perf_counter()
    checksums = _checksums(experiment.data_files)

    train_start = time.perf_counter()
    ctx = RunContext(name=name, config=config, seed=int(seed), progress=progress, out_dir=out, resume=resume,
                     snapshot=bool(snapshot))
    output = experiment.train(ctx)
    train_time = time.perf_counter() - train_start

    evaluation: dict[str, Any] = {}
    eval_time = 0.0
    used = list(output.data_files)
    if experiment.evaluate is not None:
        eval_start = time.perf_counter()
        try:
            evaluation = experiment.evaluate(output, config)
            used += list(experiment.eval_files)
        except OSError as exc:  # e.g. the evaluation data cannot be downloaded: keep the trained run
            evaluation = {"error": " ".join(str(exc).split())}
        eval_time = time.perf_counter() - eval_start
        bad = _non_finite(evaluation)
        if bad:
            raise FloatingPointError(
                f"{name} diverged: its evaluation {bad[0][0]} is {bad[0][1]}; nothing was written"
                + (f" and the results in {out} were kept" if results_path.exists() else "")
            )
    checksums.update(_checksums([f for f in used if f"{f[0]}/{f[1]}" not in checksums]))

    from ..checkpoint import save_params  # noqa: PLC0415

    staged_npz, staged_json = _staged(checkpoint), _staged(results_path)
    try:
        with sigterm_as_interrupt():
            dtype = _storage_dtype(output.model)
            save_params(staged_npz, output.model, dtype=dtype,
                        metadata=json_ready({"experiment": name, "config": config, "seed": seed, **output.metadata}))
            results = json_ready({
                "format": RESULTS_FORMAT,
                "experiment": name,
                "description": experiment.description,
                "chapter": experiment.chapter,
                "config": config,
                "seed": seed,
                **output.info,
                "history": output.history,
                "evaluation": evaluation,
                "wall_time": {"train_s": train_time, "evaluate_s": eval_time,
                              "total_s": time.perf_counter() - started},
                "machine": _machine(),
                "data_sha256": checksums,
                "package": {"name": "scratchnlp", "version": __version__, "source_revision": source_revision()},
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "checkpoint": checkpoint.name,
                "checkpoint_dtype": np.dtype(dtype).name,
                "checkpoint_sha256": sha256_file(staged_npz),
            })
            with atomic_write(staged_json, "w", encoding="utf-8") as f:
                f.write(json.dumps(results, indent=1, allow_nan=False) + "\n")
            with signals_deferred():  # the pair changes together: no signal, in any thread, between the renames
                os.replace(staged_npz, checkpoint)
                os.replace(staged_json, results_path)
                if experiment.resumable and not snapshot:  # the run finished: its resume state is spent
                    with contextlib.suppress(OSError):
                        ctx.state_path.unlink(missing_ok=True)
    finally:
        for staged in (staged_npz, staged_json):
            with contextlib.suppress(OSError):
                staged.unlink(missing_ok=True)
    return {**results, "paths": {"checkpoint": str(checkpoint), "results": str(results_path)}}


def load_results(name: str, folder: str | os.PathLike[str], *, verify_checkpoint: bool = False) -> dict[str, Any]:
    """Read the results file ``<folder>/<name>.json`` written by :func:`run_experiment`.

    This is how the pages read the committed results of full runs (``results/`` in the repository).

    Parameters
    ----------
    name : str
        The experiment's name.
    folder : path
        The folder holding the results.
    verify_checkpoint : bool, default False
        Also check that ``<name>.npz`` beside it is the checkpoint the results describe (its SHA-256).

    Returns
    -------
    dict
        The parsed results: ``config``, ``history``, ``evaluation``, ``wall_time``, ``machine``, ...

    Raises
    ------
    ResultsError
        If the file is missing or unreadable, is not a results file, or belongs to another experiment.
    """
    path = Path(folder) / f"{name}.json"
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise ResultsError(f"results file {path} {what}; produce it with `scratchnlp run {name} --out {folder}`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"cannot read results file {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("evaluation"), dict):
        raise ResultsError(f"{path} is not a scratchnlp results file (no 'evaluation' object)")
    if data.get("experiment") != name:
        raise ResultsError(f"{path} holds the results of {data.get('experiment')!r}, not {name!r}")
    for key in ("config", "history"):
        if not isinstance(data.get(key), dict):
            raise ResultsError(f"{path} is not a scratchnlp results file (no {key!r} object)")
    if verify_checkpoint:
        npz = path.with_name(str(data.get("checkpoint", f"{name}.npz")))
        expected = data.get("checkpoint_sha256")
        if not npz.is_file():
            raise ResultsError(f"the checkpoint {npz} of {path} is missing")
        if expected is not None and sha256_file(npz) != expected:
            raise ResultsError(f"{npz} is not the checkpoint that {path} describes (SHA-256 differs)")
    return data


def summary(results: Mapping[str, Any]) -> dict[str, Any]:
    """The experiment's own summary of its results: ordered ``label -> value`` pairs.

    Every summary starts with the epochs and the training time (for a snapshot of a run in progress, the epochs
    completed and the time they took); the experiment adds its scores (its ``summarize`` function). Results of an
    experiment this version does not know get only the common part.
    """
    out: dict[str, Any] = {}
    config = results.get("config", {})
    if results.get("partial"):  # a snapshot of a run in progress: its epochs so far and the time they took
        out["epochs"] = f"{results.get('epochs_completed')} of {results.get('epochs_planned')} (run in progress)"
        out["training time (s)"] = results.get("epochs_train_s")
    else:
        if "epochs" in config:
            out["epochs"] = config["epochs"]
        out["training time (s)"] = results.get("wall_time", {}).get("train_s")
    experiment = EXPERIMENTS.get(str(results.get("experiment")))
    if experiment is not None:
        out.update(experiment.summarize(results))
    error = results.get("evaluation", {}).get("error")
    if error:
        out["evaluation skipped"] = error
    return out


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def summarize(results: Mapping[str, Any]) -> str:
    """A few human-readable lines about a run (what the CLI prints after ``scratchnlp run``)."""
    lines = [f"{results.get('experiment')}: {results.get('description', '')}"]
    lines += [f"  {label}: {_format(value)}" for label, value in summary(results).items() if value is not None]
    return "\n".join(lines)
