"""Chapters 5 and 6's experiments: recurrent language models on the Penn Treebank.

``simple-rnnlm-ptb``
    Chapter 5.5: :class:`~scratchnlp.models.SimpleRnnlm` on the first 1,000 words of PTB's training split (the
    vocabulary is the ids that occur there, ``max(corpus) + 1``, as in the book's ``ch05/train.py``), batch 10,
    time 5, word vectors and hidden state of 100, SGD with lr 0.1, 100 epochs, no clipping. The book reports
    the training perplexity; the results hold ``evaluation.train_perplexity``.
``rnnlm-ptb``
    Chapter 6.4 (``ch06/train_rnnlm.py``): :class:`~scratchnlp.models.Rnnlm` on the whole training split,
    batch 20, time 35, word vectors and hidden state of 100, SGD with lr 20, gradients clipped to norm 0.25,
    4 epochs. The book's published weights score a test perplexity of about 136.
``better-rnnlm-ptb``
    Chapter 6.5 (``ch06/train_better_rnnlm.py``): :class:`~scratchnlp.models.BetterRnnlm` (650/650, two LSTM
    layers, dropout 0.5, tied weights), lr 20 divided by 4 whenever the validation perplexity gets worse,
    40 epochs; the parameters of the best validation epoch are kept (the book saves them to a file). Hours on
    a CPU, so it is resumable: after every epoch its whole state (parameters, best parameters, learning
    rate, epoch, history, dropout generator) goes into ``<out>/better-rnnlm-ptb.state.npz``, and ``scratchnlp
    run better-rnnlm-ptb --resume`` continues from the last completed epoch with the same result as an
    uninterrupted run.

Every results file holds ``evaluation.test_perplexity`` and ``evaluation.valid_perplexity`` (PTB's test and
validation splits, the book's ``eval_perplexity`` with batch 10 and time 35), except ``simple-rnnlm-ptb``,
whose vocabulary does not cover them. ``better-rnnlm-ptb``'s also holds ``evaluation.samples``: the texts its
kept model writes from :data:`SAMPLE_PROMPTS` (``prompt``, ``seed``, ``text``). ``corpus_size`` and
``eval_size`` (0: everything) cut the corpora for quick runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import numpy as np

from . import word2vec as _chapter4  # noqa: F401  (chapter 4's experiments are listed before these)
from .registry import Experiment, RunContext, TrainOutput, register

__all__ = ["SIMPLE_RNNLM", "RNNLM", "BETTER_RNNLM", "SAMPLE_PROMPTS", "SAMPLE_WORDS"]

_PTB = {split: ("ptb", f"ptb.{split}.txt") for split in ("train", "valid", "test")}
_STATE_FORMAT = "scratchnlp-better-rnnlm-state"

#: The book's settings for chapter 5's simple RNN language model (ch05/train.py).
SIMPLE_RNNLM: dict[str, Any] = {
    "batch_size": 10,
    "wordvec_size": 100,
    "hidden_size": 100,
    "time_size": 5,
    "lr": 0.1,
    "epochs": 100,
    "max_grad": 0.0,
    "eval_interval": 20,
    "corpus_size": 1000,
}

#: The book's settings for chapter 6's LSTM language model (ch06/train_rnnlm.py).
RNNLM: dict[str, Any] = {
    "batch_size": 20,
    "wordvec_size": 100,
    "hidden_size": 100,
    "time_size": 35,
    "lr": 20.0,
    "epochs": 4,
    "max_grad": 0.25,
    "eval_interval": 20,
    "corpus_size": 0,
    "eval_size": 0,
    "eval_batch_size": 10,
    "eval_time_size": 35,
}

#: The book's settings for chapter 6's improved LSTM language model (ch06/train_better_rnnlm.py).
BETTER_RNNLM: dict[str, Any] = {
    **RNNLM,
    "wordvec_size": 650,
    "hidden_size": 650,
    "epochs": 40,
    "dropout": 0.5,
    "lr_decay": 4.0,
}


def _corpus(split: str, size: int, setting: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    from ..datasets import load_ptb  # noqa: PLC0415

    corpus, word_to_id, id_to_word = load_ptb(split)
    if size < 0:
        raise ValueError(f"setting {setting!r} must be >= 0 (0: the whole corpus), got {size}")
    return (corpus[:size] if size else corpus), word_to_id, id_to_word


def _max_grad(config: Mapping[str, Any]) -> float | None:
    value = float(config["max_grad"])
    if value < 0:
        raise ValueError(f"setting 'max_grad' must be >= 0 (0: no clipping), got {value}")
    return value or None


def _json_history(trainer: Any, **extra: Any) -> dict[str, Any]:
    """The trainer's history without the per-iteration gradient norms (tens of thousands of numbers)."""
    history = {k: list(v) for k, v in trainer.history.items() if k != "grad_norm"}
    norms = trainer.history.get("grad_norm") or []
    if norms:
        history["mean_grad_norm"] = float(np.mean(norms))
    history["iterations"] = trainer.iteration
    history["iterations_per_second"] = trainer.iteration / trainer.wall_time if trainer.wall_time else None
    history["train_wall_time_s"] = trainer.wall_time  # across resumes: the whole run's training time
    history.update(extra)
    return history


def _vocabulary(id_to_word: Mapping[int, str], size: int) -> list[str]:
    return [id_to_word[i] for i in range(size)]


def _train_simple(ctx: RunContext) -> TrainOutput:
    from ..models import SimpleRnnlm  # noqa: PLC0415
    from ..optim import SGD  # noqa: PLC0415
    from ..training import RnnlmTrainer  # noqa: PLC0415

    config = ctx.config
    corpus, _, id_to_word = _corpus("train", int(config["corpus_size"]), "corpus_size")
    vocab_size = int(corpus.max()) + 1  # the book's: the ids seen in the slice
    model = SimpleRnnlm(vocab_size, config["wordvec_size"], config["hidden_size"], seed=ctx.seed)
    trainer = RnnlmTrainer(model, SGD(config["lr"]))
    trainer.fit(corpus[:-1], corpus[1:], config["epochs"], config["batch_size"], config["time_size"],
                _max_grad(config), config["eval_interval"], progress=ctx.progress)
    return TrainOutput(
        model=model,
        history=_json_history(trainer),
        metadata={"vocabulary": _vocabulary(id_to_word, vocab_size)},
        data_files=[_PTB["train"]],
        info={"corpus_tokens": int(corpus.shape[0]), "vocab_size": vocab_size},
        context={"corpus": corpus},
    )


def _evaluate_simple(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    from ..training import eval_perplexity  # noqa: PLC0415

    corpus = output.context["corpus"]
    return {"train_perplexity": eval_perplexity(output.model, corpus, config["batch_size"], config["time_size"])}


def _evaluate_lm(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    """Perplexity on PTB's validation and test splits (the book's eval_perplexity, batch 10, time 35)."""
    from ..training import eval_perplexity  # noqa: PLC0415

    scores = {}
    for split in ("valid", "test"):
        corpus, _, _ = _corpus(split, int(config["eval_size"]), "eval_size")
        scores[f"{split}_perplexity"] = eval_perplexity(output.model, corpus, config["eval_batch_size"],
                                                        config["eval_time_size"])
    return scores


#: The beginnings the best ``better-rnnlm-ptb`` model continues when the run is scored: the book's
#: ``ch07/generate_better_text.py`` starts a text with "you" and continues "the meaning of life is".
SAMPLE_PROMPTS: tuple[str, ...] = ("you", "the meaning of life is")
#: Words in each sample, the prompt's included (the book's 100).
SAMPLE_WORDS = 100


def _samples(model: Any, vocabulary: list[str], seed: int) -> list[dict[str, Any]]:
    """Texts the model writes from each of :data:`SAMPLE_PROMPTS` whose words it knows (chapter 7.1.3).

    Each starts from a fresh state, reads its prompt and samples the rest at temperature 1 without the book's
    skipped words, with its own generator (``seed`` and the prompt's index), so the same weights write the same texts
    again.
    """
    from .. import backend  # noqa: PLC0415
    from ..models.generation import BOOK_SKIP_WORDS  # noqa: PLC0415

    word_to_id = {w: i for i, w in enumerate(vocabulary)}
    skip_ids = [word_to_id[w] for w in BOOK_SKIP_WORDS if w in word_to_id]
    samples = []
    model.eval()
    for index, prompt in enumerate(SAMPLE_PROMPTS):
        words = prompt.split()
        if any(w not in word_to_id for w in words):  # a model trained on a cut corpus may not know them
            continue
        ids = [word_to_id[w] for w in words]
        model.reset_state()
        if len(ids) > 1:  # the prompt's words but the last go into the state only (on the model's device)
            model.predict(backend.xp(model.params[0]).asarray(np.array([ids[:-1]])))
        sample_seed = [int(seed), index]
        written = model.generate(ids[-1], skip_ids, SAMPLE_WORDS - len(ids) + 1,
                                 seed=np.random.default_rng(sample_seed))
        samples.append({"prompt": prompt, "seed": sample_seed,
                        "text": " ".join(vocabulary[i] for i in ids[:-1] + written)})
    model.reset_state()
    return samples


def _evaluate_better(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    """:func:`_evaluate_lm`'s perplexities, and the texts the kept model writes (``samples``)."""
    scores = _evaluate_lm(output, config)
    scores["samples"] = _samples(output.model, output.metadata["vocabulary"], int(output.context["seed"]))
    return scores


def _train_rnnlm(ctx: RunContext) -> TrainOutput:
    from ..models import Rnnlm  # noqa: PLC0415
    from ..optim import SGD  # noqa: PLC0415
    from ..training import RnnlmTrainer  # noqa: PLC0415

    config = ctx.config
    corpus, word_to_id, id_to_word = _corpus("train", int(config["corpus_size"]), "corpus_size")
    vocab_size = len(word_to_id)
    model = Rnnlm(vocab_size, config["wordvec_size"], config["hidden_size"], seed=ctx.seed)
    trainer = RnnlmTrainer(model, SGD(config["lr"]))
    trainer.fit(corpus[:-1], corpus[1:], config["epochs"], config["batch_size"], config["time_size"],
                _max_grad(config), config["eval_interval"], progress=ctx.progress)
    model.reset_state()
    return TrainOutput(
        model=model,
        history=_json_history(trainer),
        metadata={"vocabulary": _vocabulary(id_to_word, vocab_size)},
        data_files=[_PTB["train"]],
        info={"corpus_tokens": int(corpus.shape[0]), "vocab_size": vocab_size},
    )


# --- better-rnnlm-ptb: an epoch loop with validation, learning-rate decay, best parameters and resume ---------


def _validate(model: Any, corpus: np.ndarray, config: Mapping[str, Any], progress: bool | None) -> float:
    """Validation perplexity after an epoch (a seam the tests use to interrupt a run)."""
    from ..training import eval_perplexity  # noqa: PLC0415

    return eval_perplexity(model, corpus, config["eval_batch_size"], config["eval_time_size"], progress=progress)


def _unique(params: list[Any]) -> list[Any]:
    """Each parameter once (the tied output weight is the embedding)."""
    from ..optim import merge_shared  # noqa: PLC0415

    return merge_shared(params, params)[0]


def _generators(model: Any) -> list[np.random.Generator]:
    seen: dict[int, np.random.Generator] = {}
    for layer in model.walk():
        rng = getattr(layer, "rng", None)
        if isinstance(rng, np.random.Generator):
            seen.setdefault(id(rng), rng)
    return list(seen.values())


def _save_state(ctx: RunContext, model: Any, best: list[np.ndarray], trainer: Any, state: dict[str, Any]) -> None:
    """Everything needed to continue after this epoch, written atomically (an ``.npz`` with a JSON header)."""
    from .. import backend  # noqa: PLC0415
    from ..checkpoint import save_params  # noqa: PLC0415

    current = [backend.to_cpu(p).copy() for p in _unique(model.params)]
    log = trainer.log
    metadata = {
        "format": _STATE_FORMAT,
        "config": ctx.config,
        "seed": ctx.seed,
        **state,
        "log": {"history": {k: list(v) for k, v in log.history.items() if k != "grad_norm"},
                "iteration": log.iteration, "epoch": log.epoch, "wall_time": log.wall_time,
                # a window of eval_interval iterations may straddle the epoch boundary
                "window": [getattr(log, "_window_sum", 0.0), getattr(log, "_window_count", 0)]},
        "generators": [g.bit_generator.state for g in _generators(model)],
    }
    save_params(ctx.state_path, current + best, metadata=_json_clean(metadata), dtype=None)


def _json_clean(x: Any) -> Any:
    """Floats that JSON can hold (an infinite perplexity becomes None), NumPy scalars as Python numbers."""
    if isinstance(x, dict):
        return {str(k): _json_clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_clean(v) for v in x]
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    return x


def _load_state(ctx: RunContext, model: Any, trainer: Any) -> tuple[dict[str, Any], list[np.ndarray]] | None:
    """Restore a state file into the model and trainer; returns (state, best params), or None without one."""
    from .. import backend  # noqa: PLC0415
    from ..checkpoint import read_checkpoint  # noqa: PLC0415

    path = ctx.state_path
    if not path.is_file():
        return None
    header, arrays = read_checkpoint(path)
    meta = header.get("metadata", {})
    if meta.get("format") != _STATE_FORMAT:
        raise ValueError(f"{path} is not the state file of a better-rnnlm-ptb run; remove it or run without --resume")
    # the number of epochs may change on resume: more to train longer, as many as are done to stop and score
    saved_config = {k: v for k, v in (meta.get("config") or {}).items() if k != "epochs"}
    config = {k: v for k, v in _json_clean(ctx.config).items() if k != "epochs"}
    if saved_config != config or meta.get("seed") != ctx.seed:
        raise ValueError(
            f"{path} belongs to a run with other settings (config {meta.get('config')}, seed {meta.get('seed')}); "
            "resume with the same settings (only --epochs may differ), or remove the file to start over"
        )
    if int(meta.get("epoch", 0)) > int(ctx.config["epochs"]):
        raise ValueError(
            f"{path} holds a run that has already trained {meta['epoch']} epochs; resume with --epochs "
            f"{meta['epoch']} or more"
        )
    unique = _unique(model.params)
    if len(arrays) != 2 * len(unique) or any(a.shape != p.shape for a, p in zip(arrays, unique + unique)):
        raise ValueError(f"{path} does not hold this model's parameters; remove it to start over")
    for p, a in zip(unique, arrays[:len(unique)]):
        p[...] = backend.xp(p).asarray(a.astype(p.dtype, copy=False))
    for g, s in zip(_generators(model), meta["generators"]):
        g.bit_generator.state = s
    log = trainer.log
    for key, values in meta["log"]["history"].items():
        if key == "loss":
            log.loss_list[:] = values
        else:
            log.history[key] = list(values)
    log.iteration, log.epoch, log.wall_time = meta["log"]["iteration"], meta["log"]["epoch"], meta["log"]["wall_time"]
    log._window_sum, log._window_count = meta["log"]["window"]
    return meta, [a.copy() for a in arrays[len(unique):]]


def _train_better(ctx: RunContext) -> TrainOutput:
    from .. import backend  # noqa: PLC0415
    from ..models import BetterRnnlm  # noqa: PLC0415
    from ..optim import SGD  # noqa: PLC0415
    from ..training import RnnlmTrainer  # noqa: PLC0415

    config = ctx.config
    corpus, word_to_id, id_to_word = _corpus("train", int(config["corpus_size"]), "corpus_size")
    corpus_val, _, _ = _corpus("valid", int(config["eval_size"]), "eval_size")
    vocab_size = len(word_to_id)
    if not float(config["lr_decay"]) >= 1:
        raise ValueError(f"setting 'lr_decay' must be >= 1 (the learning rate is divided by it), "
                         f"got {config['lr_decay']}")
    model = BetterRnnlm(vocab_size, config["wordvec_size"], config["hidden_size"], config["dropout"], seed=ctx.seed)
    optimizer = SGD(config["lr"])
    trainer = RnnlmTrainer(model, optimizer)
    # epoch_log: per epoch, which code on which machine trained it and for how long (a run spans sessions)
    state: dict[str, Any] = {"epoch": 0, "lr": float(config["lr"]), "best_ppl": None, "best_epoch": None,
                             "valid_perplexity": [], "lr_history": [], "epoch_log": []}
    best: list[np.ndarray] = [backend.to_cpu(p).copy() for p in _unique(model.params)]
    resumed_from = None
    if ctx.resume or ctx.snapshot:
        loaded = _load_state(ctx, model, trainer)
        if loaded is not None:
            meta, best = loaded
            state = {k: meta.get(k, state[k]) for k in state}
            resumed_from = state["epoch"]
            optimizer.lr = state["lr"]
    max_grad = _max_grad(config)
    from .runner import provenance  # noqa: PLC0415

    run_facts = provenance()
    last_epoch = state["epoch"] if ctx.snapshot else int(config["epochs"])  # a snapshot trains nothing
    for epoch in range(state["epoch"], last_epoch):
        epoch_start = trainer.log.wall_time
        trainer.fit(corpus[:-1], corpus[1:], 1, config["batch_size"], config["time_size"], max_grad,
                    config["eval_interval"], progress=ctx.progress)
        ppl = _validate(model, corpus_val, config, ctx.progress)
        state["valid_perplexity"].append(ppl)
        state["lr_history"].append(optimizer.lr)
        if state["best_ppl"] is None or ppl < state["best_ppl"]:
            state["best_ppl"], state["best_epoch"] = ppl, epoch + 1
            best = [backend.to_cpu(p).copy() for p in _unique(model.params)]
        else:
            optimizer.lr = optimizer.lr / float(config["lr_decay"])
        state["lr"] = optimizer.lr
        state["epoch"] = epoch + 1
        state["epoch_log"].append({
            "epoch": epoch + 1, "train_s": trainer.log.wall_time - epoch_start, "valid_perplexity": ppl,
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), **run_facts})
        _save_state(ctx, model, best, trainer, state)
    for p, a in zip(_unique(model.params), best):  # keep the parameters of the best validation epoch
        p[...] = backend.xp(p).asarray(a)
    model.reset_state()
    history = _json_history(trainer, valid_perplexity=state["valid_perplexity"], lr=state["lr_history"],
                            best_epoch=state["best_epoch"], epoch_log=state["epoch_log"])
    info = {"corpus_tokens": int(corpus.shape[0]), "vocab_size": vocab_size}
    if ctx.snapshot:
        if not state["epoch"]:
            raise ValueError(f"{ctx.state_path} holds no completed epoch yet: there is nothing to report")
        info |= {"partial": True, "epochs_completed": int(state["epoch"]), "epochs_planned": int(config["epochs"]),
                 "epochs_train_s": float(sum(e["train_s"] for e in state["epoch_log"]))}
    elif resumed_from is not None:
        info["resumed_from_epoch"] = resumed_from
    return TrainOutput(
        model=model,
        history=history,
        metadata={"vocabulary": _vocabulary(id_to_word, vocab_size), "best_epoch": state["best_epoch"]},
        data_files=[_PTB["train"], _PTB["valid"]],
        info=info,
        context={"seed": ctx.seed},
    )


# --- summaries ------------------------------------------------------------------------------------------------


def _summarize(results: Mapping[str, Any]) -> dict[str, Any]:
    """Test and validation perplexity, the last epoch's training perplexity, and the best epoch when kept."""
    out: dict[str, Any] = {}
    evaluation = results.get("evaluation", {})
    for key, label in (("test_perplexity", "test perplexity"), ("valid_perplexity", "valid perplexity"),
                       ("train_perplexity", "training-corpus perplexity")):
        if evaluation.get(key) is not None:
            out[label] = evaluation[key]
    history = results.get("history", {})
    epoch_ppl = history.get("epoch_perplexity") or []
    if epoch_ppl:
        out["first epoch training perplexity"] = epoch_ppl[0]
        out["last epoch training perplexity"] = epoch_ppl[-1]
    if history.get("best_epoch") is not None:
        out["best validation epoch"] = history["best_epoch"]
    if history.get("iterations_per_second"):
        out["iterations per second"] = history["iterations_per_second"]
    return out


_EXPERIMENTS: tuple[tuple[str, str, str, dict[str, Any], Callable[[RunContext], TrainOutput], Any, bool], ...] = (
    ("simple-rnnlm-ptb", "simple RNN language model on the first 1,000 PTB words (batch 10, time 5, SGD 0.1, "
     "100 epochs)", "5.5", SIMPLE_RNNLM, _train_simple, _evaluate_simple, False),
    ("rnnlm-ptb", "LSTM language model on PTB, the book's settings (100/100, batch 20, time 35, SGD 20, clip 0.25, "
     "4 epochs)", "6.4", RNNLM, _train_rnnlm, _evaluate_lm, False),
    ("better-rnnlm-ptb", "2-layer LSTM language model with dropout and weight tying on PTB (650/650, SGD 20 / 4 on "
     "worse validation, 40 epochs, best epoch kept)", "6.5", BETTER_RNNLM, _train_better, _evaluate_better, True),
)

for _name, _description, _chapter, _defaults, _train, _evaluate, _resumable in _EXPERIMENTS:
    register(Experiment(
        name=_name,
        description=_description,
        chapter=_chapter,
        defaults=dict(_defaults),
        train=_train,
        evaluate=_evaluate,
        summarize=_summarize,
        data_files=(_PTB["train"],) if _name == "simple-rnnlm-ptb" else (_PTB["train"], _PTB["valid"], _PTB["test"]),
        eval_files=() if _name == "simple-rnnlm-ptb" else (_PTB["valid"], _PTB["test"]),
        resumable=_resumable,
    ))
