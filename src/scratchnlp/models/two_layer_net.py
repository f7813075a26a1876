"""The two-layer network of chapter 1.4.2: Affine -> Sigmoid -> Affine, trained with softmax cross-entropy."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from .._checks import Seed, as_generator
from ..layers import Affine, Sigmoid, SoftmaxWithLoss
from .base import BaseModel

__all__ = ["TwoLayerNet"]


class TwoLayerNet(BaseModel):
    """A fully connected network with one hidden sigmoid layer (chapter 1.4.2).

    Parameters
    ----------
    input_size, hidden_size, output_size : layer widths (the book's spiral uses 2, 10, 3)
    weight_init_std : scale of the Gaussian initial weights (the book's 0.01); biases start at 0
    seed : int or numpy Generator for the initial weights
    dtype : parameter dtype; float32 unless given

    Notes
    -----
    ``predict(x: (N, input_size)) -> scores (N, output_size)``; ``forward(x, t) -> loss``; ``backward()``
    fills ``grads``. ``params`` / ``grads`` list W1, b1, W2, b2 (names in ``param_names``).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        weight_init_std: float = 0.01,
        seed: Seed = 0,
        dtype: Any = None,
    ) -> None:
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            if int(v) != v or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        super().__init__()
        rng = as_generator(seed)
        dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        mod = backend.array_module()
        W1 = mod.asarray((weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype))
        b1 = mod.zeros(hidden_size, dtype=dtype)
        W2 = mod.asarray((weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype))
        b2 = mod.zeros(output_size, dtype=dtype)

        self.layers = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()
        self.collect(*self.layers)
        self.param_names = ["W1", "b1", "W2", "b2"]

    def predict(self, x: Any) -> Any:
        """Scores (N, output_size) before softmax."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x: Any, t: Any) -> float:
        """Mean cross-entropy loss of ``softmax(predict(x))`` against ``t`` ((N,) ids or (N, C) one-hot)."""
        score = self.predict(x)
        return self.loss_layer.forward(score, t)

    def backward(self, dout: float = 1.0) -> Any:
        """Backpropagate from the loss; fills ``grads`` and returns d(loss)/dx."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout
