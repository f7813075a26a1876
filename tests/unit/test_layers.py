"""Gradient checks (float64) and bad-input errors for the basic layers, on every array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer
from scratchnlp.layers import (
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

TOL = 1e-6



@pytest.mark.parametrize("n, d, h", [(1, 1, 1), (4, 3, 5), (7, 6, 2)])
def test_matmul_and_affine_gradients(xp, rng, n, d, h, assert_grads_ok):
    x = xp.asarray(rng.standard_normal((n, d)))
    errors = check_layer(MatMul(xp.asarray(rng.standard_normal((d, h)))), x)
    assert set(errors) == {"params[0]", "input[0]"}
    assert_grads_ok(errors)
    assert_grads_ok(check_layer(Affine(xp.asarray(rng.standard_normal((d, h))), xp.asarray(rng.standard_normal(h))), x))


@pytest.mark.parametrize("layer_cls", [Sigmoid, Softmax])
def test_activation_gradients(xp, rng, layer_cls, assert_grads_ok):
    assert_grads_ok(check_layer(layer_cls(), xp.asarray(rng.standard_normal((5, 4)))))


def test_relu_gradient_away_from_kink(xp, rng, assert_grads_ok):
    x = rng.standard_normal((6, 5))
    x[np.abs(x) < 1e-3] = 0.5  # the finite difference is wrong exactly at the kink
    assert_grads_ok(check_layer(ReLU(), xp.asarray(x)))


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_gradient(xp, rng, one_hot, assert_grads_ok):
    x = rng.standard_normal((6, 4)) * 3
    t = rng.integers(0, 4, 6)
    if one_hot:
        t = np.eye(4, dtype=np.int32)[t]
    assert_grads_ok(check_layer(SoftmaxWithLoss(), xp.asarray(x), xp.asarray(t)))


def test_softmax_with_loss_value(xp):
    layer = SoftmaxWithLoss()
    x = xp.asarray(np.log(np.array([[0.2, 0.3, 0.5]])))
    assert layer.forward(x, xp.asarray([2])) == pytest.approx(-np.log(0.5))
    np.testing.assert_allclose(backend.to_cpu(layer.backward()), [[0.2, 0.3, -0.5]])


def test_sigmoid_with_loss_gradient_and_value(xp, rng, assert_grads_ok):
    x = rng.standard_normal(8) * 4
    t = rng.integers(0, 2, 8)
    assert_grads_ok(check_layer(SigmoidWithLoss(), xp.asarray(x), xp.asarray(t)))
    layer = SigmoidWithLoss()
    loss = layer.forward(xp.asarray([0.0, 2.0]), xp.asarray([1, 0]))
    assert loss == pytest.approx((np.log(2) + np.log1p(np.exp(2.0))) / 2)
    assert np.isfinite(layer.forward(xp.asarray([1e4, -1e4]), xp.asarray([0, 1])))


def test_dropout_gradient_with_fixed_mask_and_scaling(xp, rng, assert_grads_ok):
    x = xp.asarray(rng.standard_normal((20, 10)))
    layer = Dropout(0.3, seed=1)
    assert_grads_ok(check_layer(layer, x))
    y = backend.to_cpu(layer.forward(xp.ones((200, 100))))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.02
    assert layer.forward(x, train_flg=False) is x


def test_dropout_masks_are_seeded_on_every_device(xp):
    masks = [backend.to_cpu(Dropout(0.5, seed=s).forward(xp.ones((4, 50)))) for s in (3, 3, 4)]
    np.testing.assert_array_equal(masks[0], masks[1])
    assert not np.array_equal(masks[0], masks[2])


def test_embedding_gradient_with_repeated_ids(xp, rng, assert_grads_ok):
    W = xp.asarray(rng.standard_normal((5, 3)))
    idx = xp.asarray([[0, 2, 2], [4, 2, 0]])
    layer = Embedding(W)
    out = layer.forward(idx)
    assert out.shape == (2, 3, 3)
    assert_grads_ok(check_layer(layer, idx))
    dout = xp.ones((2, 3, 3))
    layer.backward(dout)
    np.testing.assert_allclose(backend.to_cpu(layer.grads[0][:, 0]), [2, 0, 3, 0, 1])


# --- bad input: one ValueError saying what was expected and what came -----------------------------------------

def test_affine_wrong_input_width(xp):
    layer = Affine(xp.zeros((3, 2)), xp.zeros(2))
    with pytest.raises(ValueError, match=r"must be \(N, 3\), got array of shape \(4, 5\)"):
        layer.forward(xp.zeros((4, 5)))


def test_affine_wrong_rank_and_dtype(xp):
    layer = Affine(xp.zeros((3, 2)), xp.zeros(2))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        layer.forward(xp.zeros(3))
    with pytest.raises(ValueError, match="float dtype"):
        layer.forward(xp.zeros((4, 3), dtype=np.int64))


def test_affine_bias_shape_mismatch():
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        Affine(np.zeros((3, 2)), np.zeros(3))


def test_matmul_weight_must_be_float_matrix():
    with pytest.raises(ValueError, match="2-D"):
        MatMul(np.zeros(3))
    with pytest.raises(ValueError, match="float"):
        MatMul(np.zeros((2, 2), dtype=np.int32))


def test_softmax_with_loss_labels_out_of_range_and_bad_shape(xp):
    layer = SoftmaxWithLoss()
    with pytest.raises(ValueError, match=r"ids in \[0, 3\), got 3"):
        layer.forward(xp.zeros((2, 3)), xp.asarray([0, 3]))
    with pytest.raises(ValueError, match=r"\(2,\) class indices"):
        layer.forward(xp.zeros((2, 3)), xp.asarray([0, 1, 2]))
    with pytest.raises(ValueError, match=r"one-hot labels must be \(2, 3\)"):
        layer.forward(xp.zeros((2, 3)), xp.zeros((2, 4), dtype=np.int32))
    with pytest.raises(ValueError, match="one-hot labels must hold exactly one 1"):
        layer.forward(xp.zeros((2, 3)), xp.zeros((2, 3), dtype=np.int32))
    with pytest.raises(ValueError, match="integer"):
        layer.forward(xp.zeros((2, 3)), xp.asarray([0.0, 1.0]))


def test_sigmoid_with_loss_bad_labels(xp):
    layer = SigmoidWithLoss()
    with pytest.raises(ValueError, match="shape"):
        layer.forward(xp.zeros(3), xp.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="0 or 1"):
        layer.forward(xp.zeros(2), xp.asarray([0, 2]))


def test_embedding_bad_ids(xp):
    layer = Embedding(xp.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"ids in \[0, 4\), got 4"):
        layer.forward(xp.asarray([1, 4]))
    with pytest.raises(ValueError, match="integer"):
        layer.forward(xp.asarray([1.0]))


def test_dropout_ratio_range():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(1.0)
