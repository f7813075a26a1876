"""The wording of chapter 1's page (a review of neural networks): the sentences that compare the optimizers' training
runs, and the words of the page's tables and figures.

The words come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None`` follows the
page's language (``SCRATCHNLP_LANG``). Not part of the library's API; see :mod:`scratchnlp._pages` for what every
page shares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .wording import say

__all__ = ["TEMPLATES", "words", "class_legend", "lowest_loss_sentence", "first_below_sentence",
           "tuned_rate_sentence"]

#: The page's sentences, table headers and captions, and figure labels, by language.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "lowest.reference": "The lowest final loss, {best_loss:.3f}, comes from tuned {reference} itself; the next "
                            "lowest, {next_loss:.3f}, from {runner_up}.",
        "lowest.other": "The lowest final loss, {best_loss:.3f}, comes from {best}, against {ref_loss:.3f} for tuned "
                        "{reference}.",
        "first.none": "None of them brings the recorded loss below {threshold:g}.",
        "first.reference": "The first to bring the loss below {threshold:g} is {fastest}, after {iterations:,} "
                           "iterations.",
        "first.never": "The first to bring the loss below {threshold:g} is {fastest}, after {iterations:,} "
                       "iterations; {reference} never gets there.",
        "first.other": "The first to bring the loss below {threshold:g} is {fastest}, after {iterations:,} "
                       "iterations, where {reference} needs {ref_iterations:,}.",
        "tuned.same": "The book's {name} learning rate, {book_lr:g}, is also the best of the grid here.",
        "tuned.other": "Tuning helps {name} too: the best rate in the grid is {best_lr:g}, not the book's "
                       "{book_lr:g}, for this network and seed.",
        "fd.forward64": "forward, float64",
        "fd.central64": "central, float64",
        "fd.central32": "central, float32",
        "fd.xlabel": "step h",
        "fd.ylabel": "error of the derivative",
        "fig.class": "class {k}",
        "fig.iteration": "iteration",
        "fig.loss": "loss",
        "spiral.title": "spiral data",
        "boundary.title": "decision regions after training",
        "boundary.no_activation": "decision regions without the sigmoid",
        "opt.optimizer": "optimizer",
        "opt.best_lr": "best learning rate",
        "opt.final_loss": "final loss",
        "opt.accuracy": "training accuracy",
        "opt.first_below": "iterations to loss < {threshold}",
        "opt.never": "never",
        "opt.caption": "Each optimizer with the best of five learning rates on the spiral data (book's network and "
                       "settings): the mean loss over the last 10 recorded points, the training accuracy, and the "
                       "first recorded iteration with a loss below {threshold}.",
        "scale.optimizer": "optimizer",
        "scale.lr": "learning rate",
        "scale.column": "loss × {scale:g}",
        "scale.cell": "{acc:.1%} (loss {loss:.3f})",
        "scale.diverged": "diverged",
        "scale.caption": "Training accuracy and final loss (of the unscaled network, on all the data) with the loss "
                         "multiplied by each factor during training; the book's network and settings, the same "
                         "initial weights and batches.",
        "step.ylabel": "step multiplier",
    },
    "ko": {
        "lowest.reference": "최종 손실이 가장 낮은 것은 튜닝한 {reference} 자신({best_loss:.3f})이고, 그다음은 "
                            "{runner_up}({next_loss:.3f})이다.",
        "lowest.other": "최종 손실이 가장 낮은 것은 {best}의 {best_loss:.3f}이다. 튜닝한 {reference}의 최종 손실은 "
                        "{ref_loss:.3f}이다.",
        "first.none": "기록된 손실을 {threshold:g} 아래로 낮춘 옵티마이저는 하나도 없다.",
        "first.reference": "손실을 가장 먼저 {threshold:g} 아래로 낮춘 옵티마이저는 {iterations:,}번 반복 만에 "
                           "도달한 {fastest}이다.",
        "first.never": "손실을 가장 먼저 {threshold:g} 아래로 낮춘 옵티마이저는 {iterations:,}번 반복 만에 도달한 "
                       "{fastest}이다. {reference}에서는 손실이 끝내 그 아래로 내려가지 않는다.",
        "first.other": "손실을 가장 먼저 {threshold:g} 아래로 낮춘 옵티마이저는 {iterations:,}번 반복 만에 도달한 "
                       "{fastest}이다. {reference}에서는 {ref_iterations:,}번이 걸린다.",
        "tuned.same": "책에 나온 {name}의 학습률({book_lr:g})이 여기서도 후보 가운데 가장 좋다.",
        "tuned.other": "튜닝은 {name}에도 도움이 된다. 이 신경망과 시드에서 후보 가운데 가장 좋은 학습률은 책의 "
                       "값({book_lr:g})이 아니라 {best_lr:g}이다.",
        "fd.forward64": "전방 차분, float64",
        "fd.central64": "중심 차분, float64",
        "fd.central32": "중심 차분, float32",
        "fd.xlabel": "간격 h",
        "fd.ylabel": "미분의 오차",
        "fig.class": "클래스 {k}",
        "fig.iteration": "반복",
        "fig.loss": "손실",
        "spiral.title": "스파이럴 데이터",
        "boundary.title": "학습 후의 결정 영역",
        "boundary.no_activation": "시그모이드를 뺀 신경망의 결정 영역",
        "opt.optimizer": "옵티마이저",
        "opt.best_lr": "최적 학습률",
        "opt.final_loss": "최종 손실",
        "opt.accuracy": "훈련 정확도",
        "opt.first_below": "손실 < {threshold}까지 반복 수",
        "opt.never": "도달 못함",
        "opt.caption": "스파이럴 데이터에서 다섯 가지 학습률 가운데 가장 좋은 학습률을 쓴 옵티마이저별 결과(신경망과 "
                       "설정은 책과 같다). 마지막 기록 10개의 평균 손실, 훈련 정확도, 손실이 처음으로 {threshold} "
                       "아래로 기록된 반복이다.",
        "scale.optimizer": "옵티마이저",
        "scale.lr": "학습률",
        "scale.column": "손실 × {scale:g}",
        "scale.cell": "{acc:.1%} (손실 {loss:.3f})",
        "scale.diverged": "발산",
        "scale.caption": "훈련하는 동안 손실에 각 배수를 곱했을 때의 훈련 정확도와 최종 손실(배수를 곱하지 않은 "
                         "신경망의 손실, 전체 데이터 기준). 신경망과 설정은 책과 같고, 초기 가중치와 배치도 모두 "
                         "같다.",
        "step.ylabel": "갱신 배율",
    },
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def class_legend(ax: Any, loc: str = "upper right", lang: str | None = None) -> Any:
    """Replace the legend of ``ax`` by one that names its classes in the page's language ("class 0", ...).

    The entries are the handles of ``ax`` in the order they were drawn, one per class from class 0, as
    :func:`scratchnlp.plot.spiral_scatter` and :func:`scratchnlp.plot.decision_boundary` draw them.
    """
    handles, _ = ax.get_legend_handles_labels()
    if not handles:
        raise ValueError("the axes have no labelled artist to put in a legend")
    return ax.legend(handles, [words("fig.class", lang, k=k) for k in range(len(handles))], loc=loc)


def lowest_loss_sentence(final_loss: Mapping[str, float], reference: str = "SGD", lang: str | None = None) -> str:
    """Which optimizer ends with the lowest loss, compared with ``reference`` (chapter 1's comparison).

    Parameters
    ----------
    final_loss : mapping of optimizer name to its final loss
        Must contain ``reference`` and at least one other optimizer.
    reference : str
        The optimizer the others are measured against.
    lang : str, optional
        The language of the sentence; None: the page's language.
    """
    if reference not in final_loss or len(final_loss) < 2:
        raise ValueError(f"need {reference!r} and at least one other optimizer, got {sorted(final_loss)}")
    ranked = sorted(final_loss, key=final_loss.__getitem__)
    best = ranked[0]
    if best == reference:
        runner_up = ranked[1]
        return words("lowest.reference", lang, best_loss=final_loss[best], reference=reference,
                     next_loss=final_loss[runner_up], runner_up=runner_up)
    return words("lowest.other", lang, best_loss=final_loss[best], best=best, ref_loss=final_loss[reference],
                 reference=reference)


def first_below_sentence(first_below: Mapping[str, int | None], threshold: float, reference: str = "SGD",
                         lang: str | None = None) -> str:
    """Which optimizer first brings the loss below ``threshold``, and when ``reference`` does.

    ``first_below`` maps each optimizer to the first iteration at which its recorded loss was below the
    threshold, or None if it never was.
    """
    if reference not in first_below:
        raise ValueError(f"need {reference!r} among the optimizers, got {sorted(first_below)}")
    reached = {name: it for name, it in first_below.items() if it is not None}
    if not reached:
        return words("first.none", lang, threshold=threshold)
    fastest = min(reached, key=reached.__getitem__)
    values = {"threshold": threshold, "fastest": fastest, "iterations": reached[fastest], "reference": reference}
    if fastest == reference:
        return words("first.reference", lang, **values)
    if reference not in reached:
        return words("first.never", lang, **values)
    return words("first.other", lang, ref_iterations=reached[reference], **values)


def tuned_rate_sentence(best_lr: float, book_lr: float, name: str = "SGD", lang: str | None = None) -> str:
    """Whether the grid search agrees with the book's learning rate."""
    if math.isclose(best_lr, book_lr):
        return words("tuned.same", lang, name=name, book_lr=book_lr)
    return words("tuned.other", lang, name=name, best_lr=best_lr, book_lr=book_lr)
