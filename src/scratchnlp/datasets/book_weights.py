"""The trained weights published with the book (chapters 6 and 8), downloaded and read safely.

``Rnnlm.pkl`` is the book's ``Rnnlm(vocab_size=10000, wordvec_size=100, hidden_size=100)`` trained on PTB
(``ch06/train_rnnlm.py``); ``AttentionSeq2seq.pkl`` its ``AttentionSeq2seq(vocab_size=59, wordvec_size=16,
hidden_size=256)`` trained on ``date.txt`` (``ch08/train.py``). Both are pickled lists of float16 arrays in the
order of the model's ``params``; they are read with :func:`scratchnlp.checkpoint.load_book_params`, whose
unpickler builds float arrays and nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..checkpoint import load_book_params
from .downloader import REGISTRY, fetch

__all__ = ["BOOK_WEIGHTS", "load_book_weights"]

#: The published weight files, by the name of the book's model class.
BOOK_WEIGHTS = {"Rnnlm": "Rnnlm.pkl", "AttentionSeq2seq": "AttentionSeq2seq.pkl"}


def load_book_weights(name: str, model: Any = None, *, progress: bool | None = None) -> list[np.ndarray]:
    """The book's trained weights for ``name``, downloaded on first use (dataset ``book-weights``).

    Parameters
    ----------
    name : ``"Rnnlm"`` or ``"AttentionSeq2seq"`` (or the file name, ``"Rnnlm.pkl"``)
    model : optional; a model with the book's constructor arguments (see the module docstring), whose
        ``params`` are then overwritten in place (checked first; see
        :func:`~scratchnlp.checkpoint.load_book_params`)
    progress : show a download progress bar (default: only when stderr is a terminal)

    Returns
    -------
    list of numpy.ndarray
        The stored float16 arrays, in the model's ``params`` order.

    Raises
    ------
    ValueError
        For an unknown name.
    scratchnlp.datasets.DatasetUnavailableError
        If the file is not cached and cannot be downloaded (set ``SCRATCHNLP_MIRROR``).
    scratchnlp.checkpoint.CheckpointError
        If the file is not a list of float arrays, or does not fit ``model``.
    """
    filename = BOOK_WEIGHTS.get(name, name)
    if filename not in REGISTRY["book-weights"]:
        raise ValueError(f"unknown book weights {name!r}; expected one of {list(BOOK_WEIGHTS)}")
    return load_book_params(fetch("book-weights", filename, progress), model)
