"""Layers in the book's protocol: ``params``, ``grads``, ``forward``, ``backward``."""

from .basic import (
    Affine,
    Dropout,
    Embedding,
    MatMul,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
)

__all__ = [
    "Affine",
    "Dropout",
    "Embedding",
    "MatMul",
    "ReLU",
    "Sigmoid",
    "SigmoidWithLoss",
    "Softmax",
    "SoftmaxWithLoss",
]
