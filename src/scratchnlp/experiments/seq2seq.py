"""Chapter 7's experiments: seq2seq learning to add, on the book's ``addition.txt``.

``seq2seq-addition``
    Chapter 7.3.4 (``ch07/train_seq2seq.py``): :class:`~scratchnlp.models.Seq2seq` with character vectors of
    16 and an LSTM of 128, Adam (lr 0.001), batches of 128, gradients clipped to norm 5.0, 25 epochs, on the
    book's split of ``addition.txt`` (45,000 training and 5,000 test problems). The book reaches about 10%.
``seq2seq-addition-reverse``
    Chapter 7.4.1: the same with every question fed reversed (``x[:, ::-1]``). About 54% in the book.
``peeky-seq2seq-addition``
    Chapter 7.4.2, the book's last run: reversed questions and :class:`~scratchnlp.models.PeekySeq2seq`.
    About 98% in the book.

As in the book's scripts, training goes one epoch at a time (``Trainer.fit(..., max_epoch=1)``) and after
each epoch every test question is answered; an answer counts when all its characters are right. The test set
is decoded in one batch (:func:`scratchnlp.evaluation.seq2seq_accuracy`), which gives the book's per-question
answers. The results hold ``evaluation.test_accuracy`` (after the last epoch), the first ten test questions
with their guesses (``evaluation.examples``), and ``history.test_accuracy``, the accuracy after every epoch.
``train_size`` and ``test_size`` (0: all) cut the splits for quick runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import language_models as _chapters5_6  # noqa: F401  (earlier chapters' experiments are listed first)
from .registry import Experiment, RunContext, TrainOutput, register

__all__ = ["SEQ2SEQ"]

_ADDITION = ("sequence", "addition.txt")

#: The book's settings for chapter 7's seq2seq on addition (ch07/train_seq2seq.py).
SEQ2SEQ: dict[str, Any] = {
    "batch_size": 128,
    "wordvec_size": 16,
    "hidden_size": 128,
    "lr": 0.001,
    "epochs": 25,
    "max_grad": 5.0,
    "reverse": False,
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
    (x_train, t_train), (x_test, t_test) = sequence.load_data(_ADDITION[1], seed=data_seed)
    _, id_to_char = sequence.get_vocab(_ADDITION[1])
    for key in ("train_size", "test_size"):
        if int(config[key]) < 0:
            raise ValueError(f"setting {key!r} must be >= 0 (0: the whole split), got {config[key]}")
    if config["train_size"]:
        x_train, t_train = x_train[:config["train_size"]], t_train[:config["train_size"]]
    if config["test_size"]:
        x_test, t_test = x_test[:config["test_size"]], t_test[:config["test_size"]]
    if config["reverse"]:  # chapter 7.4.1: reverse the input
        x_train, x_test = x_train[:, ::-1].copy(), x_test[:, ::-1].copy()
    return x_train, t_train, x_test, t_test, id_to_char


def _train(peeky: bool) -> Callable[[RunContext], TrainOutput]:
    def train(ctx: RunContext) -> TrainOutput:
        from ..evaluation import seq2seq_accuracy  # noqa: PLC0415
        from ..models import PeekySeq2seq, Seq2seq  # noqa: PLC0415
        from ..optim import Adam  # noqa: PLC0415
        from ..training import Trainer  # noqa: PLC0415

        config = ctx.config
        x_train, t_train, x_test, t_test, id_to_char = _data(config)
        vocab_size = len(id_to_char)
        cls = PeekySeq2seq if peeky else Seq2seq
        model = cls(vocab_size, config["wordvec_size"], config["hidden_size"], seed=ctx.seed)
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
        return TrainOutput(
            model=model,
            history=history,
            metadata={"model": cls.__name__, "reverse": bool(config["reverse"]),
                      "vocabulary": [id_to_char[i] for i in range(vocab_size)]},
            data_files=[_ADDITION],
            info={"train_questions": int(len(x_train)), "test_questions": int(len(x_test)), "vocab_size": vocab_size,
                  "model": cls.__name__},
            context={"x_test": x_test, "t_test": t_test, "id_to_char": id_to_char},
        )

    return train


def _evaluate(output: TrainOutput, config: dict[str, Any]) -> dict[str, Any]:
    from ..evaluation import evaluate_seq2seq  # noqa: PLC0415

    c = output.context
    return evaluate_seq2seq(output.model, c["x_test"], c["t_test"], c["id_to_char"], is_reverse=bool(config["reverse"]))


def _summarize(results: Mapping[str, Any]) -> dict[str, Any]:
    """Test accuracy (%) after the last epoch, the best epoch's, the first epoch's, and the final loss."""
    out: dict[str, Any] = {}
    evaluation = results.get("evaluation", {})
    if evaluation.get("test_accuracy") is not None:
        out["test accuracy (%)"] = 100 * evaluation["test_accuracy"]
    history = results.get("history", {})
    accuracy = [a for a in history.get("test_accuracy") or [] if a is not None]
    if accuracy:
        out["first epoch test accuracy (%)"] = 100 * accuracy[0]
        best = int(np.argmax(accuracy))
        out["best test accuracy (%)"] = 100 * accuracy[best]
        out["best epoch"] = best + 1
    losses = history.get("epoch_loss") or []
    if losses:
        out["final loss"] = losses[-1]
    if history.get("iterations_per_second"):
        out["iterations per second"] = history["iterations_per_second"]
    return out


_EXPERIMENTS = (
    ("seq2seq-addition", "seq2seq learning to add (addition.txt; 16/128, Adam, batch 128, clip 5.0, 25 epochs)",
     "7.3", False, False),
    ("seq2seq-addition-reverse", "seq2seq on addition with reversed questions (the book's 25 epochs)",
     "7.4.1", True, False),
    ("peeky-seq2seq-addition", "peeky seq2seq on addition with reversed questions (the book's last run, 25 epochs)",
     "7.4.2", True, True),
)

for _name, _description, _chapter, _reverse, _peeky in _EXPERIMENTS:
    register(Experiment(
        name=_name,
        description=_description,
        chapter=_chapter,
        defaults={**SEQ2SEQ, "reverse": _reverse},
        train=_train(_peeky),
        evaluate=_evaluate,
        summarize=_summarize,
        data_files=(_ADDITION,),
    ))
