"""Optimizers against updates computed by hand, tied parameters, and clip_grads."""

import math

import numpy as np
import pytest

from scratchnlp.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, clip_grads, merge_shared


def run(opt, steps, p0=1.0, grads=(0.5, -1.0, 2.0)):
    p = np.array([p0])
    for g in grads[:steps]:
        opt.update([p], [np.array([g])])
    return p[0]


def test_sgd():
    assert run(SGD(lr=0.1), 2) == pytest.approx(1.0 - 0.1 * 0.5 + 0.1 * 1.0)


def test_momentum_two_steps():
    # v1 = -0.1*0.5 = -0.05; p1 = 0.95; v2 = 0.9*-0.05 - 0.1*(-1) = 0.055; p2 = 1.005
    assert run(Momentum(lr=0.1, momentum=0.9), 2) == pytest.approx(1.005)


def test_nesterov_two_steps():
    # step 1: v = -0.05; p = 1 + 0.81*(-0.05) - 1.9*0.05 = 0.8645
    # step 2: v = 0.9*(-0.05) + 0.1 = 0.055; p = 0.8645 + 0.81*0.055 + 1.9*0.1 = 1.09905
    assert run(Nesterov(lr=0.1, momentum=0.9), 2) == pytest.approx(1.09905)


def test_adagrad_two_steps():
    p1 = 1.0 - 0.1 * 0.5 / (math.sqrt(0.25) + 1e-7)
    p2 = p1 + 0.1 * 1.0 / (math.sqrt(1.25) + 1e-7)
    assert run(AdaGrad(lr=0.1), 2) == pytest.approx(p2)


def test_rmsprop_two_steps():
    h1 = 0.01 * 0.25
    p1 = 1.0 - 0.1 * 0.5 / (math.sqrt(h1) + 1e-7)
    h2 = 0.99 * h1 + 0.01 * 1.0
    p2 = p1 + 0.1 * 1.0 / (math.sqrt(h2) + 1e-7)
    assert run(RMSprop(lr=0.1, decay_rate=0.99), 2) == pytest.approx(p2)


def test_adam_two_steps():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    p, m, v = 1.0, 0.0, 0.0
    for t, g in enumerate((0.5, -1.0), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        # the book folds the bias correction into the step size, which divides eps by sqrt(1 - b2^t)
        p -= lr * m_hat / (math.sqrt(v_hat) + eps / math.sqrt(1 - b2**t))
    assert run(Adam(lr=lr), 2) == pytest.approx(p, rel=1e-9)


def test_first_adam_step_has_size_lr():
    # with bias correction the first step is lr * sign(g), whatever the gradient's scale
    assert run(Adam(lr=0.01), 1, grads=(1234.5,)) == pytest.approx(1.0 - 0.01, rel=1e-6)


@pytest.mark.parametrize("opt_cls", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam])
def test_tied_parameter_updated_once_with_summed_gradient(opt_cls):
    shared = np.array([1.0, 2.0])
    alone = np.array([1.0, 2.0])
    g1, g2 = np.array([0.3, -0.2]), np.array([0.1, 0.5])
    opt_tied, opt_ref = opt_cls(lr=0.1), opt_cls(lr=0.1)
    for _ in range(3):
        opt_tied.update([shared, shared], [g1.copy(), g2.copy()])
        opt_ref.update([alone], [g1 + g2])
    np.testing.assert_allclose(shared, alone, rtol=1e-12)


def test_transposed_tie_is_merged():
    W = np.arange(6.0).reshape(2, 3)
    gW, gWT = np.ones((2, 3)), np.full((3, 2), 2.0)
    params, grads = merge_shared([W, W.T], [gW, gWT])
    assert len(params) == 1 and params[0] is W
    np.testing.assert_array_equal(grads[0], np.full((2, 3), 3.0))
    np.testing.assert_array_equal(gW, 1.0)  # the layer's own buffer is untouched


def test_equal_but_distinct_arrays_are_not_tied():
    a, b = np.zeros((2, 2)), np.zeros((2, 2))
    params, _ = merge_shared([a, b], [a, b])
    assert len(params) == 2


def test_clip_grads_scales_to_stated_norm():
    grads = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]
    norm = clip_grads(grads, 1.0)
    assert norm == pytest.approx(5.0)
    total = math.sqrt(sum(float((g**2).sum()) for g in grads))
    assert total == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(grads[0], [0.6, 0.0], rtol=1e-5)


def test_clip_grads_leaves_small_gradients_alone():
    grads = [np.array([0.3, 0.4])]
    assert clip_grads(grads, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads[0], [0.3, 0.4])


def test_bad_optimizer_inputs():
    with pytest.raises(ValueError, match="positive"):
        SGD(lr=0)
    opt = SGD()
    with pytest.raises(ValueError, match="does not match"):
        opt.update([np.zeros(2)], [np.zeros(3)])
    opt.update([np.zeros(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="one optimizer per model"):
        opt.update([np.zeros(3)], [np.zeros(3)])
    with pytest.raises(ValueError, match="positive"):
        clip_grads([np.zeros(2)], 0)
