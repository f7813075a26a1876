"""Models built from the layers: each exposes ``params``, ``grads``, ``forward`` and ``backward``."""

from .attention_seq2seq import AttentionDecoder, AttentionEncoder, AttentionSeq2seq
from .base import BaseModel
from .generation import LanguageModelGenerator, with_generation
from .loading import load_language_model
from .rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from .seq2seq import Decoder, Encoder, PeekyDecoder, PeekySeq2seq, Seq2seq
from .two_layer_net import TwoLayerNet
from .word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

__all__ = [
    "BaseModel", "TwoLayerNet", "SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram",
    "SimpleRnnlm", "Rnnlm", "BetterRnnlm",
    "Encoder", "Decoder", "PeekyDecoder", "Seq2seq", "PeekySeq2seq",
    "AttentionEncoder", "AttentionDecoder", "AttentionSeq2seq",
    "LanguageModelGenerator", "with_generation", "load_language_model",
]
