"""Models built from the layers: each exposes ``params``, ``grads``, ``forward`` and ``backward``."""

from .two_layer_net import TwoLayerNet

__all__ = ["TwoLayerNet"]
