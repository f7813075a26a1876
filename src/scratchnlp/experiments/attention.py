"""Chapter 8's experiments: reading dates written many ways and answering in one format, on ``date.txt``.

``attention-date``
    Chapter 8.3 (``ch08/train.py``): :class:`~scratchnlp.models.AttentionSeq2seq` with character vectors of
    16 and an LSTM of 256, Adam (lr 0.001), batches of 128, gradients clipped to norm 5.0, 10 epochs, reversed
    questions, on the book's split of ``date.txt`` (45,000 training and 5,000 test dates). The book's model
    answers almost every test date right from the second epoch on. ``bidirectional=True`` encodes with a
    bidirectional LSTM instead (chapter 8.4.1; not in the book's script).
``seq2seq-date``, ``peeky-seq2seq-date``
    The book's comparison (chapter 8.3.2; the commented-out lines of ``ch08/train.py``): chapter 7's
    :class:`~scratchnlp.models.Seq2seq` and :class:`~scratchnlp.models.PeekySeq2seq` with the same settings
    and data.

As in chapter 7 (:mod:`scratchnlp.experiments.seq2seq`), training goes one epoch at a time and after each
epoch every test question is answered (decoded in one batch; an answer counts when all 10 characters are
right). The results hold ``evaluation.test_accuracy`` (after the last epoch), the first ten test dates with
their guesses (``evaluation.examples``), and ``history.test_accuracy``, the accuracy after every epoch.
``train_size`` and ``test_size`` (0: all) cut the splits for quick runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import seq2seq as _chapter7  # noqa: F401  (chapter 7's experiments are listed first)
from .registry import Experiment, RunContext, TrainOutput, register
from .seq2seq import _summarize

__all__ = ["ATTENTION"]

_DATE = ("sequence", "date.txt")

#: The book's settings for chapter 8's attention seq2seq on dates (ch08/train.py).
ATTENTION: dict[str, Any] = {
    "batch_size": 128,
    "wordvec_size": 16,
    "hidden_size": 256,
    "lr": 0.001,
    "epochs": 10,
    "max_grad": 5.0,
    "reverse": True,
    "eval_interval": 20,
    "train_size": 0,
    "test_size": 0,
    "data_seed": 1984,
}


def _data(config: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    from ..datasets import sequence  # noqa: PLC0415

    data_seed = int(config["data_seed"])
    if data_seed < 0:
        raise ValueError(f"setting 'data_seed' must be >= 0, got {data_seed}")
    for key in ("train_size", "test_size"):
        if int(config[key]) < 0:
            raise ValueError(f"setting {key!r} must be >= 0 (0: the whole split), got {config[key]}")
    (x_train, t_train), (x_test, t_test) = sequence.load_data(_DATE[1], seed=data_seed)
    _, id_to_char = sequence.get_vocab(_DATE[1])
    if config["train_size"]:
        x_train, t_train = x_train[:config["train_size"]], t_train[:config["train_size"]]
    if config["test_size"]:
        x_test, t_test = x_test[:config["test_size"]], t_test[:config["test_size"]]
    if config["reverse"]:  # the book's ch08/train.py reverses the questions, as chapter 7.4.1
        x_train, x_test = x_train[:, ::-1].copy(), x_test[:, ::-1].copy()
    return x_train, t_train, x_test, t_test, id_to_char


def _model(kind: str, vocab_size: int, config: Mapping[str, Any], seed: int) -> Any:
    from ..models import AttentionSeq2seq, PeekySeq2seq, Seq2seq  # noqa: PLC0415

    D, H = config["wordvec_size"], config["hidden_size"]
    if kind == "attention":
        return AttentionSeq2seq(vocab_size, D, H, seed=seed, bidirectional=bool(config["bidirectional"]))
    return (PeekySeq2seq if kind == "peeky" else Seq2seq)(vocab_size, D, H, seed=seed)


def _train(kind: str) -> Callable[[RunContext], TrainOutput]:
    def train(ctx: RunContext) -> TrainOutput:
        from ..evaluation import seq2seq_accuracy  # noqa: PLC0415
        from ..optim import Adam  # noqa: PLC0415
        from ..training import Trainer  # noqa: PLC0415

        config = ctx.config
        x_train, t_train, x_test, t_test, id_to_char = _data(config)
        vocab_size = len(id_to_char)
        model = _model(kind, vocab_size, config, ctx.seed)
        trainer = Trainer(model, Adam(config["lr"]), seed=ctx.seed)
        max_grad = float(config["max_grad"]) or None
        accuracy: list[float] = []
        for _ in range(int(config["epochs"])):
            trainer.fit(x_train, t_train, max_epoch=1, batch_size=config["batch_size"], max_grad=max_grad,
                        eval_interval=config["eval_interval"], progress=ctx.progress)
            accuracy.append(seq2seq_accuracy(model, x_test, t_test))
        history = {k: list(v) for k, v in trainer.history.items() if k != "grad_norm"}
        norms = trainer.history.get("grad_norm") or []
        if norms:
            history["mean_grad_norm"] = float(np.mean(norms))
        history["test_accuracy"] = accuracy
        history["iterations"] = trainer.iteration
        history["iterations_per_second"] = trainer.iteration / trainer.wall_time if trainer.wall_time else None
        name = type(model).__name__
        facts = {"model": name, "reverse": bool(config["reverse"])}
        if kind == "attention":
            facts["bidirectional"] = bool(config["bidirectional"])
        return TrainOutput(
            model=model,
            history=history,
            metadata={**facts, "vocabulary": [id_to_char[i] for i in range(vocab_size)]},
            data_files=[_DATE],
            info={"train_questions": int(len(x_train)), "test_questions": int(len(x_test)), "vocab_size": vocab_size,
                  **facts},
            context={"x_test": x_test, "t_test": t_test, "id_to_char": id_to_char},
        )

    return train


def _evaluate(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    from ..evaluation import evaluate_seq2seq  # noqa: PLC0415

    c = output.context
    return evaluate_seq2seq(output.model, c["x_test"], c["t_test"], c["id_to_char"], is_reverse=bool(config["reverse"]))


def _summarize_date(results: Mapping[str, Any]) -> dict[str, Any]:
    """Chapter 7's summary (test accuracy after the last epoch, the best and first epochs', the final loss and
    the speed), with the number of test dates answered wrong after the last epoch."""
    out = _summarize(results)
    evaluation = results.get("evaluation", {})
    if evaluation.get("total") is not None and evaluation.get("correct") is not None:
        out["wrong answers"] = int(evaluation["total"]) - int(evaluation["correct"])
    return out


_EXPERIMENTS = (
    ("attention-date", "attention seq2seq reading dates (date.txt, reversed; 16/256, Adam, batch 128, clip 5.0, "
     "10 epochs)", "8.3", "attention"),
    ("seq2seq-date", "chapter 7's seq2seq on the dates with chapter 8's settings (the book's comparison)", "8.3.2",
     "seq2seq"),
    ("peeky-seq2seq-date", "chapter 7's peeky seq2seq on the dates with chapter 8's settings (the book's "
     "comparison)", "8.3.2", "peeky"),
)

for _name, _description, _chapter, _kind in _EXPERIMENTS:
    register(Experiment(
        name=_name,
        description=_description,
        chapter=_chapter,
        defaults={**ATTENTION, "bidirectional": False} if _kind == "attention" else dict(ATTENTION),
        train=_train(_kind),
        evaluate=_evaluate,
        summarize=_summarize_date,
        data_files=(_DATE,),
    ))
