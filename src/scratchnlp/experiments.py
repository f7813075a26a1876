"""The book's runnable experiments, by name, with the book's hyperparameters as defaults.

An :class:`Experiment` says what to train and how (a ``train`` function and its default configuration) and,
optionally, how to score the result. :func:`run_experiment` runs one by name and writes two files into an
output folder, each atomically (a temporary file, then a rename):

* ``<name>.npz`` — the trained parameters through :func:`scratchnlp.checkpoint.save_params` (float16, as in
  the book's chapter on bit precision), with the configuration and the vocabulary in its metadata;
* ``<name>.json`` — the results: loss history, configuration, scores, wall time, the machine, SHA-256 sums of
  the data files and the package version, so a number quoted on the site can be traced to the run behind it.

Registered experiments (``scratchnlp run NAME``):

``cbow-ptb``, ``skipgram-ptb``
    Chapter 4.3: CBOW / skip-gram with negative sampling on the PTB training set, with the book's settings:
    window 5, 100-dimensional vectors, batches of 100, 10 epochs, Adam (lr 0.001), 5 negatives drawn from the
    unigram distribution to the power 0.75.
``cbow-ptb-fast``, ``skipgram-ptb-fast``
    The same models trained the way the original word2vec trains them (see :mod:`scratchnlp.word2vec_fast`):
    sparse SGD on the touched rows, batches of 1024 targets (256 for skip-gram), learning rate decaying
    linearly from 0.025 to 0.0001, dynamic window, 10 epochs. A departure from the book, for speed.

Later chapters add their experiments (language models, seq2seq) with :func:`register`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, backend
from .checkpoint import read_checkpoint, save_params

__all__ = [
    "Experiment",
    "TrainOutput",
    "EXPERIMENTS",
    "register",
    "get_experiment",
    "experiment_name",
    "list_experiments",
    "run_experiment",
    "load_word_vectors",
    "similar_words",
    "summarize",
]

Seed = int | np.random.Generator | None


@dataclass
class TrainOutput:
    """What an experiment's ``train`` function hands back to :func:`run_experiment`.

    Attributes
    ----------
    model : object with ``params`` (and ``param_names``)
        Saved as the checkpoint.
    history : dict
        JSON-ready training history (``loss``, ``iteration``, ``epoch_loss``, ...).
    metadata : dict
        JSON-ready facts stored in the checkpoint header (e.g. ``vocabulary``, ``word_vecs``).
    data_files : list of (dataset, filename)
        The downloaded files the run used; their SHA-256 sums go into the results.
    info : dict
        Extra JSON-ready facts for the results file (corpus size, ...).
    context : dict
        Anything the experiment's ``evaluate`` needs (not written anywhere).
    """

    model: Any
    history: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    data_files: list[tuple[str, str]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """A named, runnable experiment.

    Attributes
    ----------
    name : str
        The registry key (``scratchnlp run NAME``).
    description : str
        One line, shown by the CLI.
    chapter : str
        Where the book describes it (e.g. ``"4.3"``).
    defaults : mapping
        The configuration (the book's hyperparameters); ``run_experiment`` overrides may change these keys only.
    train : function (config: dict, seed, progress) -> TrainOutput
    evaluate : function (output: TrainOutput, config: dict) -> dict, optional
        Scores written under ``"evaluation"`` in the results.
    data_files : tuple of (dataset, filename)
        Files to fetch before training, so a missing dataset fails before any work is done.
    eval_files : tuple of (dataset, filename)
        Files ``evaluate`` reads; their sums are recorded when the evaluation ran.
    """

    name: str
    description: str
    chapter: str
    defaults: Mapping[str, Any]
    train: Callable[[dict[str, Any], Seed, bool | None], TrainOutput]
    evaluate: Callable[[TrainOutput, dict[str, Any]], dict[str, Any]] | None = None
    data_files: tuple[tuple[str, str], ...] = ()
    eval_files: tuple[tuple[str, str], ...] = ()


#: Every registered experiment, by name.
EXPERIMENTS: dict[str, Experiment] = {}


def register(experiment: Experiment) -> Experiment:
    """Add an experiment to :data:`EXPERIMENTS` (a name may be registered once) and return it."""
    if experiment.name in EXPERIMENTS:
        raise ValueError(f"an experiment named {experiment.name!r} is already registered")
    EXPERIMENTS[experiment.name] = experiment
    return experiment


def experiment_name(name: str, fast: bool = False) -> str:
    """The registry name for ``scratchnlp run NAME [--fast]``: ``NAME-fast`` when ``fast`` (and it exists)."""
    if fast and not name.endswith("-fast"):
        if f"{name}-fast" not in EXPERIMENTS:
            raise ValueError(f"experiment {name!r} has no fast variant; fast variants: "
                             + ", ".join(n for n in EXPERIMENTS if n.endswith("-fast")))
        return f"{name}-fast"
    return name


def get_experiment(name: str) -> Experiment:
    """The experiment registered as ``name``; an unknown name is a ``ValueError`` listing the known ones."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise ValueError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}") from None


def list_experiments() -> list[Experiment]:
    """All registered experiments, in registration order."""
    return list(EXPERIMENTS.values())


# --------------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------------


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
        if isinstance(default, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"setting {key!r} must be a number, got {value!r}")
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


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _checksums(files: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> dict[str, str]:
    from .datasets import fetch  # noqa: PLC0415 - the downloader only for runs that use data

    return {f"{dataset}/{name}": _file_sha256(fetch(dataset, name)) for dataset, name in files}


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` through a temporary file in the same folder and a rename."""
    text = json.dumps(data, indent=1, allow_nan=False)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _json_ready(x: Any) -> Any:
    """NumPy scalars and arrays as Python numbers and lists; NaN and infinities as None (strict JSON)."""
    if isinstance(x, dict):
        return {str(k): _json_ready(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_ready(v) for v in x]
    if isinstance(x, np.ndarray):
        return _json_ready(x.tolist())
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else None
    return x


def run_experiment(
    name: str,
    *,
    out_dir: str | os.PathLike[str],
    epochs: int | None = None,
    progress: bool | None = None,
    seed: int = 0,
    **overrides: Any,
) -> dict[str, Any]:
    """Train the experiment ``name``, score it, and write its checkpoint and results files.

    Parameters
    ----------
    name : str
        A key of :data:`EXPERIMENTS` (see :func:`experiment_name` for ``--fast``).
    out_dir : path
        Folder for ``<name>.npz`` and ``<name>.json`` (created if needed; files there are replaced).
    epochs : int, optional
        Override the number of epochs (the book's value otherwise).
    progress : bool, optional
        Show a progress bar (default: only when stderr is a terminal).
    seed : int, default 0
        Seeds the weights, the negative samples and the batch order: the same seed gives the same run.
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
        For an unknown experiment or setting, or a setting of the wrong type.
    scratchnlp.datasets.DatasetUnavailableError
        If a data file cannot be found or downloaded (raised before training starts).
    """
    experiment = get_experiment(name)
    config = _config(experiment, epochs, overrides)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    checksums = _checksums(experiment.data_files)

    train_start = time.perf_counter()
    output = experiment.train(config, seed, progress)
    train_time = time.perf_counter() - train_start

    checkpoint = out / f"{name}.npz"
    save_params(checkpoint, output.model, dtype=np.float16,
                metadata=_json_ready({"experiment": name, "config": config, "seed": seed, **output.metadata}))

    evaluation: dict[str, Any] = {}
    eval_time = 0.0
    if experiment.evaluate is not None:
        eval_start = time.perf_counter()
        try:
            evaluation = experiment.evaluate(output, config)
            used = list(output.data_files) + list(experiment.eval_files)
        except OSError as exc:  # e.g. the evaluation data cannot be downloaded: keep the trained run
            evaluation = {"error": " ".join(str(exc).split())}
            used = list(output.data_files)
        eval_time = time.perf_counter() - eval_start
    else:
        used = list(output.data_files)
    checksums.update(_checksums([f for f in used if f"{f[0]}/{f[1]}" not in checksums]))

    results = _json_ready({
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
        "package": {"name": "scratchnlp", "version": __version__},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "checkpoint": checkpoint.name,
    })
    results_path = out / f"{name}.json"
    _write_json_atomic(results_path, results)
    return {**results, "paths": {"checkpoint": str(checkpoint), "results": str(results_path)}}


def summarize(results: Mapping[str, Any]) -> str:
    """A few human-readable lines about a run (what the CLI prints after ``scratchnlp run``)."""
    lines = [f"{results['experiment']}: {results['description']}"]
    history = results.get("history", {})
    if history.get("epoch_loss"):
        losses = history["epoch_loss"]
        lines.append(f"  loss: {losses[0]:.4f} (epoch 1) -> {losses[-1]:.4f} (epoch {len(losses)})")
    wall = results.get("wall_time", {})
    lines.append(f"  training time: {wall.get('train_s', 0.0):.1f} s")
    evaluation = results.get("evaluation", {})
    if "error" in evaluation:
        lines.append(f"  evaluation skipped: {evaluation['error']}")
    analogy = evaluation.get("analogy")
    if analogy and analogy.get("accuracy") is not None:
        lines.append(f"  analogy accuracy: {100 * analogy['accuracy']:.2f}% of {analogy['evaluated']} questions "
                     f"({analogy['skipped']} skipped: words not in the vocabulary)")
    for key, label in (("wordsim353", "WordSim-353"), ("simlex999", "SimLex-999")):
        sim = evaluation.get(key)
        if sim and sim.get("spearman") is not None:
            lines.append(f"  {label} Spearman: {sim['spearman']:.3f} over {sim['evaluated']} pairs")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# Word vectors from a checkpoint (for `scratchnlp similar`)
# --------------------------------------------------------------------------------------------------------


def load_word_vectors(path: str | os.PathLike[str]) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """The word vectors and vocabulary stored by a word2vec experiment's checkpoint.

    Returns
    -------
    word_matrix : (V, D) float32 array
    word_to_id : dict of str to int
    id_to_word : dict of int to str

    Raises
    ------
    scratchnlp.checkpoint.CheckpointError
        If the file is unreadable or corrupted.
    ValueError
        If the checkpoint holds no vocabulary or word vectors (it was not written by a word-vector experiment).
    """
    header, arrays = read_checkpoint(path)
    metadata = header.get("metadata", {})
    vocabulary = metadata.get("vocabulary")
    vec_name = metadata.get("word_vecs")
    names = [entry["name"] for entry in header["params"]]
    if not isinstance(vocabulary, list) or vec_name not in names:
        raise ValueError(f"{path} holds no word vectors with a vocabulary (not a word2vec experiment checkpoint)")
    W = arrays[names.index(vec_name)].astype(np.float32)
    if W.ndim != 2 or W.shape[0] != len(vocabulary):
        raise ValueError(f"{path}: {vec_name} has shape {W.shape} but the vocabulary has {len(vocabulary)} words")
    return W, {w: i for i, w in enumerate(vocabulary)}, dict(enumerate(vocabulary))


def similar_words(word: str, vectors: str | os.PathLike[str], top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` nearest words to ``word`` by cosine similarity, from a checkpoint file (chapter 2.3.6).

    Raises :class:`scratchnlp.text.UnknownWordError` (a ``KeyError`` and ``ValueError``, naming close
    matches) for a word outside the vocabulary.
    """
    from .text import most_similar  # noqa: PLC0415

    W, word_to_id, id_to_word = load_word_vectors(vectors)
    return most_similar(word, word_to_id, id_to_word, W, top=top)


# --------------------------------------------------------------------------------------------------------
# word2vec on PTB (chapter 4.3)
# --------------------------------------------------------------------------------------------------------

_PTB_TRAIN = ("ptb", "ptb.train.txt")
_EVAL_FILES = (("analogy", "questions-words.txt"), ("analogy", "wordsim353.tsv"), ("analogy", "simlex999.txt"))

#: The book's settings for chapter 4's CBOW and skip-gram (ch04/train.py).
BOOK_WORD2VEC = {
    "window_size": 5,
    "hidden_size": 100,
    "batch_size": 100,
    "epochs": 10,
    "lr": 0.001,
    "sample_size": 5,
    "power": 0.75,
    "eval_interval": 100,
    "corpus_size": 0,
}


def _ptb_corpus(config: dict[str, Any]) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    from .datasets import load_ptb  # noqa: PLC0415

    corpus, word_to_id, id_to_word = load_ptb("train")
    size = int(config["corpus_size"])
    if size < 0:
        raise ValueError(f"setting 'corpus_size' must be >= 0 (0: the whole corpus), got {size}")
    if size:
        corpus = corpus[:size]
    return corpus, word_to_id, id_to_word


def _word2vec_model(arch: str, config: dict[str, Any], corpus: np.ndarray, vocab_size: int, seed: Seed) -> Any:
    from .models import CBOW, SkipGram  # noqa: PLC0415

    cls = CBOW if arch == "cbow" else SkipGram
    return cls(vocab_size, config["hidden_size"], config["window_size"], corpus, power=config["power"],
               sample_size=config["sample_size"], seed=seed)


def _word2vec_output(model: Any, history: dict[str, Any], corpus: np.ndarray, id_to_word: dict[int, str],
                     word_to_id: dict[str, int]) -> TrainOutput:
    return TrainOutput(
        model=model,
        history=history,
        metadata={"word_vecs": "W_in", "vocabulary": [id_to_word[i] for i in range(len(id_to_word))]},
        data_files=[_PTB_TRAIN],
        info={"corpus_tokens": int(corpus.shape[0]), "vocab_size": len(word_to_id)},
        context={"word_to_id": word_to_id},
    )


def _train_book(arch: str) -> Callable[[dict[str, Any], Seed, bool | None], TrainOutput]:
    def train(config: dict[str, Any], seed: Seed, progress: bool | None) -> TrainOutput:
        from .text import create_contexts_target  # noqa: PLC0415
        from .training import Trainer  # noqa: PLC0415
        from .word2vec_fast import FusedAdam  # noqa: PLC0415

        corpus, word_to_id, id_to_word = _ptb_corpus(config)
        model = _word2vec_model(arch, config, corpus, len(word_to_id), seed)
        contexts, target = create_contexts_target(corpus, config["window_size"])  # the Trainer moves batches to a GPU
        # FusedAdam: the book's Adam, bitwise, with less memory traffic
        trainer = Trainer(model, FusedAdam(config["lr"]), seed=seed)
        trainer.fit(contexts, target, max_epoch=config["epochs"], batch_size=config["batch_size"],
                    eval_interval=config["eval_interval"], progress=progress)
        history = {"loss": trainer.loss_list, "iteration": trainer.history["iteration"],
                   "epoch_loss": trainer.history["epoch_loss"], "iterations": trainer.iteration,
                   "iterations_per_second": trainer.iteration / trainer.wall_time if trainer.wall_time else None}
        return _word2vec_output(model, history, corpus, id_to_word, word_to_id)

    return train


def _train_fast(arch: str) -> Callable[[dict[str, Any], Seed, bool | None], TrainOutput]:
    def train(config: dict[str, Any], seed: Seed, progress: bool | None) -> TrainOutput:
        from .word2vec_fast import train_fast  # noqa: PLC0415

        corpus, word_to_id, id_to_word = _ptb_corpus(config)
        model = _word2vec_model(arch, config, corpus, len(word_to_id), seed)
        history = train_fast(model, corpus, epochs=config["epochs"], batch_size=config["batch_size"],
                             lr=config["lr"], min_lr=config["min_lr"], dynamic_window=config["dynamic_window"],
                             seed=seed, progress=progress, eval_interval=config["eval_interval"],
                             max_iters=config["max_iters"] or None)
        return _word2vec_output(model, history, corpus, id_to_word, word_to_id)

    return train


def _evaluate_word_vectors(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    from .evaluation import evaluate_word_vectors  # noqa: PLC0415

    return evaluate_word_vectors(output.model.word_vecs, output.context["word_to_id"])


FAST_WORD2VEC = {
    **BOOK_WORD2VEC,
    "batch_size": 1024,
    "lr": 0.025,
    "min_lr": 0.0001,
    "dynamic_window": True,
    "max_iters": 0,
}

# Skip-gram turns each target into about 2 * 3 (target, context) pairs (the dynamic window averages 3 words a
# side), so its batches hold 256 targets: about as many pairs as CBOW's 1024 targets hold context words.
# Larger batches sum too many updates into the rows of frequent words at once and diverge at lr 0.025.
_FAST_BATCH = {"cbow": 1024, "skipgram": 256}

for _arch, _label in (("cbow", "CBOW"), ("skipgram", "skip-gram")):
    register(Experiment(
        name=f"{_arch}-ptb",
        description=f"{_label} with negative sampling on PTB, the book's settings (Adam, batch 100, 10 epochs)",
        chapter="4.3",
        defaults=dict(BOOK_WORD2VEC),
        train=_train_book(_arch),
        evaluate=_evaluate_word_vectors,
        data_files=(_PTB_TRAIN,),
        eval_files=_EVAL_FILES,
    ))
    register(Experiment(
        name=f"{_arch}-ptb-fast",
        description=f"{_label} on PTB trained like the original word2vec (sparse SGD, lr 0.025 -> 0.0001, "
        f"batch {_FAST_BATCH[_arch]}, dynamic window)",
        chapter="4.3",
        defaults={**FAST_WORD2VEC, "batch_size": _FAST_BATCH[_arch]},
        train=_train_fast(_arch),
        evaluate=_evaluate_word_vectors,
        data_files=(_PTB_TRAIN,),
        eval_files=_EVAL_FILES,
    ))
