"""Reading a trained language model back for text generation (chapter 7.1), with its vocabulary.

:func:`load_language_model` reads a checkpoint written by the ``rnnlm-ptb`` / ``better-rnnlm-ptb``
experiments, or converted from the book's ``Rnnlm.pkl`` (``scratchnlp convert-book-weights``), into an
``Rnnlm`` or ``BetterRnnlm`` that generates text (``scratchnlp generate``). File and dataset reading lives
here, apart from the model modules, so that no model module imports another for loading.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..checkpoint import assign_params, load_params, read_checkpoint
from .generation import with_generation
from .rnnlm import BetterRnnlm, Rnnlm

__all__ = ["load_language_model"]

_RNNLM_NAMES = ["embed_W", "lstm_Wx", "lstm_Wh", "lstm_b", "affine_W", "affine_b"]
_BETTER_NAMES = ["embed_W", "lstm_Wx1", "lstm_Wh1", "lstm_b1", "lstm_Wx2", "lstm_Wh2", "lstm_b2", "affine_W",
                 "affine_b"]


def _architecture(path: Any, header: dict[str, Any], arrays: list[np.ndarray]) -> tuple[type, tuple[int, int, int]]:
    """Which language model a checkpoint holds, from its parameter names (or, unnamed, its shapes)."""
    names = [e["name"] for e in header["params"]]
    tied = {t["name"] for t in header.get("tied", [])}
    shapes = [tuple(a.shape) for a in arrays]
    generic = all(n.startswith("params[") for n in names)
    # shapes are read only where they have the dimensions the book's order puts there: the arrays of a file
    # in another order are an architecture not recognised, not a failed unpacking
    matrix_first = bool(shapes) and len(shapes[0]) == 2
    if matrix_first and (names == _RNNLM_NAMES or (generic and len(shapes) == 6)):
        V, D = shapes[0]
        H = shapes[2][0] if len(shapes[2]) == 2 else -1
        if shapes == [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,), (H, V), (V,)]:
            return with_generation(Rnnlm), (V, D, H)
    elif matrix_first and (
            (names == [n for n in _BETTER_NAMES if n not in tied] and tied == {"affine_W"})
            or (generic and len(shapes) == 9)):
        V, D = shapes[0]
        expect = [(V, D), (D, 4 * D), (D, 4 * D), (4 * D,), (D, 4 * D), (D, 4 * D), (4 * D,)]
        if shapes[:7] == expect and shapes[7:] in ([(V,)], [(D, V), (V,)]):
            return with_generation(BetterRnnlm), (V, D, D)
    raise ValueError(
        f"{path} holds parameters {names} of shapes {shapes}: not an Rnnlm or BetterRnnlm language model in the "
        "book's parameter order (embedding W, LSTM Wx, Wh, b, ..., affine W, b); generate needs a checkpoint of "
        "the rnnlm-ptb or better-rnnlm-ptb experiment, or one converted from the book's Rnnlm.pkl"
    )


def load_language_model(path: str | os.PathLike[str]) -> tuple[Any, dict[str, int], dict[int, str]]:
    """Read a language-model checkpoint into an ``Rnnlm`` or ``BetterRnnlm`` that generates text.

    The architecture comes from the checkpoint's parameter names (``rnnlm-ptb`` / ``better-rnnlm-ptb``
    experiments) or, for a checkpoint converted from the book's pickles (``scratchnlp convert-book-weights``),
    from the shapes. The vocabulary comes from the checkpoint's metadata; a converted book file has none, and
    its 10,000 words are then PTB's (read through :func:`scratchnlp.datasets.load_ptb`).

    Returns
    -------
    model, word_to_id, id_to_word
        The model in evaluation mode with its state reset.

    Raises
    ------
    scratchnlp.checkpoint.CheckpointError
        For a file that is not a readable checkpoint.
    ValueError
        For a checkpoint of another architecture, or whose vocabulary does not match its embedding.
    """
    header, arrays = read_checkpoint(path)
    cls, (V, D, H) = _architecture(path, header, arrays)
    vocabulary = header.get("metadata", {}).get("vocabulary")
    if vocabulary is None:
        if V != 10000:
            raise ValueError(f"{path} has no vocabulary in its metadata and {V} words (PTB has 10,000)")
        from ..datasets import load_ptb  # noqa: PLC0415 - only for the book's converted weights

        _, _, id_to_word = load_ptb("train")
        vocabulary = [id_to_word[i] for i in range(V)]
    if not isinstance(vocabulary, list) or len(vocabulary) != V:
        raise ValueError(f"{path}: the vocabulary in its metadata does not have the embedding's {V} words")
    odd = next((w for w in vocabulary if not isinstance(w, str) or not w), None)
    if odd is not None or len(set(vocabulary)) != V:
        what = f"a word that is not a non-empty string ({odd!r})" if odd is not None else "repeated words"
        raise ValueError(f"{path}: the vocabulary in its metadata holds {what}; each of the {V} ids needs its "
                         "own word")
    model = cls(V, D, H)
    if all(e["name"].startswith("params[") for e in header["params"]):
        assign_params(model, arrays, source=str(path))
    else:
        load_params(path, model)
    model.eval()
    model.reset_state()
    word_to_id = {str(w): i for i, w in enumerate(vocabulary)}
    return model, word_to_id, {i: str(w) for i, w in enumerate(vocabulary)}
