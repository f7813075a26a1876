"""The base of every model: a :class:`~scratchnlp.layers.base.Layer` that also names its parameters and
saves and loads them (the book's ``BaseModel``, with ``.npz`` checkpoints instead of pickles)."""

from __future__ import annotations

import os
from typing import Any

from ..layers.base import Layer

__all__ = ["BaseModel"]


class BaseModel(Layer):
    """A model: layers in attributes, ``params`` / ``grads`` in the book's order, names for each parameter.

    Subclasses build their layers, then call :meth:`~scratchnlp.layers.base.Layer.collect` (or set
    ``params`` / ``grads`` directly, in the book's order) and set ``param_names``. From the base they get
    :meth:`~scratchnlp.layers.base.Layer.train` / :meth:`~scratchnlp.layers.base.Layer.eval` (dropout off for
    evaluation), :meth:`~scratchnlp.layers.base.Layer.reset_state` for recurrent layers,
    :meth:`~scratchnlp.layers.base.Layer.walk` / :meth:`~scratchnlp.layers.base.Layer.children` (used by
    :mod:`scratchnlp.gradcheck`), and :meth:`save_params` / :meth:`load_params` as in the book.

    Attributes
    ----------
    param_names : list of str
        One name per entry of ``params`` (a tied weight appears under each of its names).
    """

    param_names: list[str]

    def __init__(self) -> None:
        super().__init__()
        self.param_names = []

    def save_params(self, file_name: str | os.PathLike[str], **options: Any) -> None:
        """Save the parameters to an ``.npz`` checkpoint (see :func:`scratchnlp.checkpoint.save_params`)."""
        from ..checkpoint import save_params  # noqa: PLC0415 - the checkpoint code only when saving

        save_params(file_name, self, **options)

    def load_params(self, file_name: str | os.PathLike[str]) -> dict[str, Any]:
        """Load parameters saved by :meth:`save_params` in place; returns the checkpoint's header."""
        from ..checkpoint import load_params  # noqa: PLC0415

        return load_params(file_name, self)
