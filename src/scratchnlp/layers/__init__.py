"""Layers in the book's protocol: ``params``, ``grads``, ``forward``, ``backward``."""

from .attention import Attention, AttentionWeight, TimeAttention, WeightSum
from .base import ForwardFirstError, Layer
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
from .negative_sampling import EmbeddingDot, NegativeSamplingLoss, UnigramSampler
from .recurrent import GRU, LSTM, RNN, TimeBiLSTM, TimeGRU, TimeLSTM, TimeRNN
from .time import TimeAffine, TimeDropout, TimeEmbedding, TimeSoftmaxWithLoss

__all__ = [
    "Affine",
    "ForwardFirstError",
    "Layer",
    "Dropout",
    "Embedding",
    "EmbeddingDot",
    "MatMul",
    "NegativeSamplingLoss",
    "ReLU",
    "Sigmoid",
    "SigmoidWithLoss",
    "Softmax",
    "SoftmaxWithLoss",
    "UnigramSampler",
    "RNN",
    "TimeRNN",
    "LSTM",
    "TimeLSTM",
    "GRU",
    "TimeGRU",
    "TimeBiLSTM",
    "TimeEmbedding",
    "TimeAffine",
    "TimeSoftmaxWithLoss",
    "TimeDropout",
    "WeightSum",
    "AttentionWeight",
    "Attention",
    "TimeAttention",
]
