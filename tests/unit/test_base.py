"""The layer/model base (children, train/eval, reset_state), gradcheck walking it, and bad input to layers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from scratchnlp.gradcheck import check_model
from scratchnlp.layers import (
    Affine,
    Dropout,
    Embedding,
    EmbeddingDot,
    ForwardFirstError,
    Layer,
    MatMul,
    NegativeSamplingLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
)
from scratchnlp.models import CBOW, BaseModel, SkipGram


class _Stateful(Layer):
    def __init__(self) -> None:
        super().__init__()
        self.h = 1.0

    def reset_state(self) -> None:
        self.h = None


class _EncoderDecoder(BaseModel):
    """Sub-layers under names no fixed list would know, with randomness (dropout) inside the decoder."""

    def __init__(self, rng: np.random.Generator, xp=np) -> None:
        super().__init__()
        self.encoder = Affine(xp.asarray(rng.standard_normal((4, 5))), xp.asarray(rng.standard_normal(5)))
        self.decoder = [Dropout(0.3, seed=1), Affine(xp.asarray(rng.standard_normal((5, 3))),
                                                     xp.asarray(rng.standard_normal(3)))]
        self.state = _Stateful()
        self.head = SoftmaxWithLoss()
        self.collect(self.encoder, *self.decoder)
        self.param_names = ["W_enc", "b_enc", "W_dec", "b_dec"]

    def forward(self, x, t):
        h = self.encoder.forward(x)
        for layer in self.decoder:
            h = layer.forward(h)
        return self.head.forward(h, t)

    def backward(self, dout=1.0):
        d = self.head.backward(dout)
        for layer in reversed(self.decoder):
            d = layer.backward(d)
        return self.encoder.backward(d)


def test_children_walk_train_eval_and_reset_state(rng):
    model = _EncoderDecoder(rng)
    kinds = [type(c).__name__ for c in model.children()]
    assert kinds == ["Affine", "Dropout", "Affine", "_Stateful", "SoftmaxWithLoss"]
    assert len(list(model.walk())) == 6  # the model and its five layers, each once
    assert model.params[0] is model.encoder.params[0] and len(model.grads) == 4
    model.eval()
    assert not any(layer.training for layer in model.walk())
    dropout = model.decoder[0]
    x = rng.standard_normal((2, 5))
    np.testing.assert_array_equal(dropout.forward(x), x)  # evaluation: dropout passes its input through
    model.train()
    assert dropout.training and dropout.train_flg  # the book's name for the flag
    dropout.train_flg = False
    assert not dropout.training
    model.reset_state()
    assert model.state.h is None


def test_gradcheck_freezes_randomness_found_by_walking_children(xp, rng, assert_grads_ok):
    model = _EncoderDecoder(rng, xp)
    for p in model.params:
        p[...] = p.astype(np.float64)
    x = xp.asarray(rng.standard_normal((6, 4)))
    t = xp.asarray(rng.integers(0, 3, 6))
    assert_grads_ok(check_model(model, x, t))  # fails unless the dropout mask repeats in every forward


def test_importing_layers_loads_no_training_code():
    code = ("import sys, scratchnlp.layers; "
            "bad = [m for m in ('scratchnlp.word2vec_fast', 'scratchnlp.training', 'scratchnlp.experiments', 'tqdm') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _layers(rng):
    W = rng.standard_normal((6, 4))
    return [
        MatMul(W), Affine(W, rng.standard_normal(4)), Sigmoid(), ReLU(), Softmax(), SoftmaxWithLoss(),
        SigmoidWithLoss(), Embedding(W), EmbeddingDot(W), NegativeSamplingLoss(W, np.arange(6)),
    ]


def test_backward_before_forward_is_one_clear_error(rng):
    for layer in _layers(rng):
        with pytest.raises(ForwardFirstError, match=f"{type(layer).__name__}.backward was called before forward"):
            layer.backward(np.ones((2, 4)))


@pytest.mark.parametrize(
    "t, message",
    [
        (np.zeros((3, 4), dtype=np.int32), "exactly one 1 per row"),
        (np.array([[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]), "exactly one 1 per row"),
        (np.array([[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]), "exactly one 1 per row"),
    ],
)
def test_softmax_with_loss_refuses_rows_that_are_not_one_hot(xp, rng, t, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxWithLoss().forward(xp.asarray(rng.standard_normal((3, 4))), xp.asarray(t))


def test_losses_refuse_an_empty_batch(xp, rng):
    with pytest.raises(ValueError, match="empty batch"):
        SoftmaxWithLoss().forward(xp.zeros((0, 4)), xp.zeros(0, dtype=np.int32))
    with pytest.raises(ValueError, match="empty"):
        SigmoidWithLoss().forward(xp.zeros((0,)), xp.zeros(0, dtype=np.int32))
    W = xp.asarray(rng.standard_normal((6, 4)))
    with pytest.raises(ValueError, match="empty batch"):
        NegativeSamplingLoss(W, np.arange(6)).forward(xp.zeros((0, 4)), xp.zeros(0, dtype=np.int32))
    corpus = np.arange(6).repeat(3)
    for cls in (CBOW, SkipGram):
        model = cls(6, 4, 1, corpus)
        with pytest.raises(ValueError, match="empty batch"):
            model.forward(xp.zeros((0, 2), dtype=np.int32), xp.zeros(0, dtype=np.int32))


def test_embedding_refuses_negative_ids(xp, rng):
    with pytest.raises(ValueError, match=r"ids in \[0, 6\), got -1"):
        Embedding(xp.asarray(rng.standard_normal((6, 4)))).forward(xp.asarray([0, -1]))


@pytest.mark.parametrize("cls", ["TimeRNN", "TimeLSTM", "TimeGRU"])
def test_gradcheck_restores_the_carried_state_of_stateful_layers(xp, rng, assert_grads_ok, cls):
    from scratchnlp import layers
    from scratchnlp.gradcheck import check_layer

    D, H, N, T = 3, 4, 2, 3
    gates = {"TimeRNN": 1, "TimeLSTM": 4, "TimeGRU": 3}[cls]
    weights = (xp.asarray(rng.standard_normal(s)) for s in ((D, gates * H), (H, gates * H), gates * H))
    layer = getattr(layers, cls)(*weights, stateful=True)
    layer.forward(xp.asarray(rng.standard_normal((N, T, D))))  # a first batch leaves a carried state behind
    assert_grads_ok(check_layer(layer, xp.asarray(rng.standard_normal((N, T, D)))))
