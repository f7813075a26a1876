"""Models built from the layers: each exposes ``params``, ``grads``, ``forward`` and ``backward``."""

from .base import BaseModel
from .two_layer_net import TwoLayerNet
from .word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

__all__ = ["BaseModel", "TwoLayerNet", "SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram"]
