"""Chapter 4's experiments: word2vec (CBOW and skip-gram with negative sampling) on the Penn Treebank.

``cbow-ptb``, ``skipgram-ptb``
    Chapter 4.3: CBOW / skip-gram with negative sampling on the PTB training set, with the book's settings:
    window 5, 100-dimensional vectors, batches of 100, 10 epochs, Adam (lr 0.001), 5 negatives drawn from the
    unigram distribution to the power 0.75.
``cbow-ptb-fast``, ``skipgram-ptb-fast``
    The same models trained the way the original word2vec trains them (see :mod:`scratchnlp.word2vec_fast`):
    sparse SGD on the touched rows, batches of 1024 targets (256 for skip-gram), learning rate decaying
    linearly from 0.025 to 0.0001, dynamic window, 10 epochs. A departure from the book, for speed.

Also here: reading the word vectors back from such a run's checkpoint (``scratchnlp similar``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .registry import Experiment, RunContext, TrainOutput, register

__all__ = ["BOOK_WORD2VEC", "FAST_WORD2VEC", "load_word_vectors", "similar_words"]

_PTB_TRAIN = ("ptb", "ptb.train.txt")
_EVAL_FILES = (("analogy", "questions-words.txt"), ("analogy", "wordsim353.tsv"), ("analogy", "simlex999.txt"))

#: The book's settings for chapter 4's CBOW and skip-gram (its ch04/train.py).
BOOK_WORD2VEC: dict[str, Any] = {
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

#: The settings of the word2vec-style variants (gensim's defaults; see :mod:`scratchnlp.word2vec_fast`).
FAST_WORD2VEC: dict[str, Any] = {
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


def _ptb_corpus(config: dict[str, Any]) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    from ..datasets import load_ptb  # noqa: PLC0415

    corpus, word_to_id, id_to_word = load_ptb("train")
    size = int(config["corpus_size"])
    if size < 0:
        raise ValueError(f"setting 'corpus_size' must be >= 0 (0: the whole corpus), got {size}")
    if size:
        corpus = corpus[:size]
    return corpus, word_to_id, id_to_word


def _model(arch: str, config: dict[str, Any], corpus: np.ndarray, vocab_size: int, seed: int) -> Any:
    from ..models import CBOW, SkipGram  # noqa: PLC0415

    cls = CBOW if arch == "cbow" else SkipGram
    return cls(vocab_size, config["hidden_size"], config["window_size"], corpus, power=config["power"],
               sample_size=config["sample_size"], seed=seed)


def _output(model: Any, history: dict[str, Any], corpus: np.ndarray, id_to_word: dict[int, str],
            word_to_id: dict[str, int]) -> TrainOutput:
    return TrainOutput(
        model=model,
        history=history,
        metadata={"word_vecs": "W_in", "vocabulary": [id_to_word[i] for i in range(len(id_to_word))]},
        data_files=[_PTB_TRAIN],
        info={"corpus_tokens": int(corpus.shape[0]), "vocab_size": len(word_to_id)},
        context={"word_to_id": word_to_id},
    )


def _train_book(arch: str) -> Callable[[RunContext], TrainOutput]:
    def train(ctx: RunContext) -> TrainOutput:
        from ..optim import FusedAdam  # noqa: PLC0415
        from ..text import create_contexts_target  # noqa: PLC0415
        from ..training import Trainer  # noqa: PLC0415

        config = ctx.config
        corpus, word_to_id, id_to_word = _ptb_corpus(config)
        model = _model(arch, config, corpus, len(word_to_id), ctx.seed)
        contexts, target = create_contexts_target(corpus, config["window_size"])  # the Trainer moves batches to a GPU
        # FusedAdam: the book's Adam, with less memory traffic
        trainer = Trainer(model, FusedAdam(config["lr"]), seed=ctx.seed)
        trainer.fit(contexts, target, max_epoch=config["epochs"], batch_size=config["batch_size"],
                    eval_interval=config["eval_interval"], progress=ctx.progress)
        history = {"loss": trainer.loss_list, "iteration": trainer.history["iteration"],
                   "epoch_loss": trainer.history["epoch_loss"], "epoch_time": trainer.history["epoch_time"],
                   "iterations": trainer.iteration,
                   "iterations_per_second": trainer.iteration / trainer.wall_time if trainer.wall_time else None}
        return _output(model, history, corpus, id_to_word, word_to_id)

    return train


def _train_fast(arch: str) -> Callable[[RunContext], TrainOutput]:
    def train(ctx: RunContext) -> TrainOutput:
        from ..word2vec_fast import train_fast  # noqa: PLC0415

        config = ctx.config
        corpus, word_to_id, id_to_word = _ptb_corpus(config)
        model = _model(arch, config, corpus, len(word_to_id), ctx.seed)
        history = train_fast(model, corpus, epochs=config["epochs"], batch_size=config["batch_size"],
                             lr=config["lr"], min_lr=config["min_lr"], dynamic_window=config["dynamic_window"],
                             seed=ctx.seed, progress=ctx.progress, eval_interval=config["eval_interval"],
                             max_iters=config["max_iters"] or None)
        return _output(model, history, corpus, id_to_word, word_to_id)

    return train


def _evaluate(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    from ..evaluation import evaluate_word_vectors  # noqa: PLC0415

    return evaluate_word_vectors(output.model.word_vecs, output.context["word_to_id"])


def _summarize(results: Mapping[str, Any]) -> dict[str, Any]:
    """Final loss, analogy accuracy (%) and the two similarity correlations of a word2vec run."""
    out: dict[str, Any] = {}
    losses = results.get("history", {}).get("epoch_loss") or []
    if losses:
        out["first epoch loss"] = losses[0]
        out["final loss"] = losses[-1]
    evaluation = results.get("evaluation", {})
    analogy = evaluation.get("analogy") or {}
    if analogy.get("accuracy") is not None:
        out["analogy accuracy (%)"] = 100 * analogy["accuracy"]
        out["analogy questions"] = analogy.get("evaluated")
        out["analogy questions skipped"] = analogy.get("skipped")
    for key, label in (("wordsim353", "WordSim-353 Spearman"), ("simlex999", "SimLex-999 Spearman")):
        sim = evaluation.get(key) or {}
        if sim.get("spearman") is not None:
            out[label] = sim["spearman"]
    return out


for _arch, _label in (("cbow", "CBOW"), ("skipgram", "skip-gram")):
    register(Experiment(
        name=f"{_arch}-ptb",
        description=f"{_label} with negative sampling on PTB, the book's settings (Adam, batch 100, 10 epochs)",
        chapter="4.3",
        defaults=dict(BOOK_WORD2VEC),
        train=_train_book(_arch),
        evaluate=_evaluate,
        summarize=_summarize,
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
        evaluate=_evaluate,
        summarize=_summarize,
        data_files=(_PTB_TRAIN,),
        eval_files=_EVAL_FILES,
    ))


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
    from ..checkpoint import read_checkpoint  # noqa: PLC0415

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
    from ..text import most_similar  # noqa: PLC0415

    W, word_to_id, id_to_word = load_word_vectors(vectors)
    return most_similar(word, word_to_id, id_to_word, W, top=top)
