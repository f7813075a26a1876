"""Chapter 8's attention maps: questions encoded as the model reads them, maps drawn for a batch of questions,
and how many answer parts looked where a person would (private helpers of the chapter 8 page).

The maps' axis labels come from :data:`TEMPLATES`, one set per language, through :func:`words`; ``lang=None``
follows the page's language (``SCRATCHNLP_LANG``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import plot
from ..evaluation import ids_to_text
from .chapter8 import attention_reading
from .wording import say

__all__ = ["MAP_WIDTH", "TEMPLATES", "words", "encode_questions", "attention_maps", "attention_figure", "agreement",
           "not_in"]

#: The words the maps draw, one set per language (:func:`words`).
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {"map.question": "question", "map.answer": "answer"},
    "ko": {"map.question": "질문의 문자", "map.answer": "답의 문자"},
}

#: Width in inches of a figure of attention maps: with the pages' 11 pt type, the question's characters stay at
#: least 9 CSS px high when the figure is scaled to a phone's column (see :mod:`scratchnlp._site.figures`).
MAP_WIDTH = 5.6


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The maps' wording ``key`` from :data:`TEMPLATES` with ``values`` filled in; ``lang=None``: the page's
    language (``SCRATCHNLP_LANG``).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def encode_questions(questions: Sequence[str], char_to_id: Mapping[str, int], width: int, *,
                     reverse: bool = True) -> np.ndarray:
    """Questions as rows of ids, padded with spaces to ``width`` characters (and reversed, as the model was
    trained): ``(len(questions), width)`` integers.

    Raises
    ------
    ValueError
        For a question longer than ``width`` or with a character the vocabulary does not have.
    """
    rows = []
    for q in questions:
        if len(q) > width:
            raise ValueError(f"the question {q!r} has {len(q)} characters; the model reads at most {width}")
        unknown = sorted({c for c in q if c not in char_to_id})
        if unknown:
            raise ValueError(f"the question {q!r} has characters the model does not know: {unknown}")
        rows.append([char_to_id[c] for c in q.ljust(width)])
    ids = np.array(rows, dtype=np.int64).reshape(len(rows), width)
    return ids[:, ::-1].copy() if reverse else ids


def attention_maps(model: Any, questions: Sequence[str], *, char_to_id: Mapping[str, int],
                   id_to_char: Mapping[int, str], width: int, start_id: int, answer_length: int,
                   parts: Mapping[str, tuple[int, int]], title: str, lang: str | None = None,
                   ) -> tuple[Any, list[str], list[dict[str, tuple[str, float]]]]:
    """Decode ``questions`` with ``model`` (fed reversed, as trained) and draw one attention map per question,
    stacked, with the columns back in reading order, the axes labelled in ``lang`` (``None``: the page's language).

    Returns
    -------
    fig, answers, readings
        The figure, the model's answer to each question, and for each the question word that each part of the
        answer (``parts``: name -> answer rows) paid most attention to
        (:func:`scratchnlp._site.chapter8.attention_reading`).
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    ids, weights = model.generate(encode_questions(questions, char_to_id, width), start_id, answer_length,
                                  return_attention=True)
    fig, axes = plt.subplots(len(questions), 1, figsize=(MAP_WIDTH, 2.5 * len(questions)), layout="constrained",
                             squeeze=False)
    answers, readings = [], []
    for ax, q, row, w in zip(axes[:, 0], questions, ids, weights):
        w = np.asarray(w)[:, ::-1]  # columns back in reading order
        answer = ids_to_text(row, id_to_char)
        _readable(plot.attention_map(w, q.ljust(width), answer, ax=ax, title=f"{q}  →  {answer}",
                                     xlabel=words("map.question", lang), ylabel=words("map.answer", lang)))
        answers.append(answer)
        readings.append(attention_reading(w, q.ljust(width), parts))
    fig.suptitle(title, fontsize="medium")
    return fig, answers, readings


def attention_figure(weights: Any, question: str, answer: str, *, title: str | None = None,
                     lang: str | None = None) -> Any:
    """One attention map (``weights (A, Q)``, columns in reading order) in a figure that reads on a phone:
    :data:`MAP_WIDTH` inches wide, tick labels at the body text's size, the axes labelled in ``lang`` (``None``:
    the page's language)."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, ax = plt.subplots(figsize=(MAP_WIDTH, 3.0), layout="constrained")
    _readable(plot.attention_map(weights, question, answer, ax=ax, title=title,
                                 xlabel=words("map.question", lang), ylabel=words("map.answer", lang)))
    return fig


def _readable(ax: Any) -> Any:
    """Tick labels of every axes of ``ax``'s figure (the maps and their colour bars) at the body text's size
    (``plot.attention_map`` draws them small, for a figure shown at full size)."""
    for each in ax.figure.axes:
        each.tick_params(labelsize="medium")
    return ax


def agreement(readings: Sequence[Mapping[str, tuple[str, float]]], expected: Sequence[Mapping[str, str]]) -> int:
    """How many answer parts took most of their attention from the word a person would read them from."""
    if len(readings) != len(expected):
        raise ValueError(f"{len(readings)} readings for {len(expected)} questions")
    return sum(reading[part][0] == want[part] for reading, want in zip(readings, expected) for part in want)


def not_in(questions: Sequence[str], seen: set[str]) -> list[str]:
    """The questions that are not among ``seen`` (e.g. the training questions, stripped of padding)."""
    return [q for q in questions if q not in seen]
