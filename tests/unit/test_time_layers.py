"""TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss, TimeDropout: gradients (float64), values, bad input, on every
array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer
from scratchnlp.layers import (
    Dropout,
    Embedding,
    SoftmaxWithLoss,
    TimeAffine,
    TimeDropout,
    TimeEmbedding,
    TimeSoftmaxWithLoss,
)
from scratchnlp.layers.base import ForwardFirstError


def test_time_embedding_values_and_gradient_with_repeated_ids(xp, rng, assert_grads_ok):
    W = rng.standard_normal((6, 3))
    xs = np.array([[0, 2, 2, 5], [4, 2, 0, 0]])
    layer = TimeEmbedding(xp.asarray(W))
    out = layer.forward(xp.asarray(xs))
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(backend.to_cpu(out), W[xs])
    assert_grads_ok(check_layer(layer, xp.asarray(xs)))
    layer.forward(xp.asarray(xs))
    dout = rng.standard_normal((2, 4, 3))
    assert layer.backward(xp.asarray(dout)) is None
    want = np.zeros_like(W)
    np.add.at(want, xs.ravel(), dout.reshape(-1, 3))
    np.testing.assert_allclose(backend.to_cpu(layer.grads[0]), want)
    # a second batch clears the rows the first one filled
    layer.forward(xp.asarray([[1, 1]]))
    layer.backward(xp.ones((1, 2, 3)))
    np.testing.assert_allclose(backend.to_cpu(layer.grads[0]), np.eye(6)[1][:, None] * 2 * np.ones(3))


def test_time_embedding_bad_input(xp):
    layer = TimeEmbedding(xp.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"ids in \[0, 4\), got 4"):
        layer.forward(xp.asarray([[1, 4]]))
    with pytest.raises(ValueError, match=r"ids in \[0, 4\), got -1"):
        layer.forward(xp.asarray([[1, -1]]))
    with pytest.raises(ValueError, match=r"2-D \(N, T\)"):
        layer.forward(xp.asarray([1, 2]))
    with pytest.raises(ValueError, match="integer"):
        layer.forward(xp.asarray([[1.0]]))
    with pytest.raises(ForwardFirstError):
        TimeEmbedding(xp.zeros((4, 2))).backward(xp.zeros((1, 1, 2)))


@pytest.mark.parametrize("tied", [False, True])
def test_time_affine_gradient_and_values(xp, rng, tied, assert_grads_ok):
    N, T, D, M = 3, 4, 5, 6
    W_host = rng.standard_normal((M, D)) if tied else rng.standard_normal((D, M))
    W = xp.asarray(W_host).T if tied else xp.asarray(W_host)  # tied: a transposed view
    W_host = W_host.T if tied else W_host
    b = rng.standard_normal(M)
    layer = TimeAffine(W, xp.asarray(b))
    xs = rng.standard_normal((N, T, D))
    X = xp.asarray(xs)
    np.testing.assert_allclose(backend.to_cpu(layer.forward(X)), xs @ W_host + b)
    assert_grads_ok(check_layer(layer, X))
    # a step-major view as input (what the recurrent layers return) gives the same
    view = xp.ascontiguousarray(X.transpose(1, 0, 2)).transpose(1, 0, 2)
    np.testing.assert_allclose(backend.to_cpu(layer.forward(view)), xs @ W_host + b)


def test_time_affine_bad_input(xp):
    layer = TimeAffine(xp.zeros((3, 2)), xp.zeros(2))
    with pytest.raises(ValueError, match=r"must be \(N, T, 3\), got array of shape \(4, 3\)"):
        layer.forward(xp.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(N, T, 3\)"):
        layer.forward(xp.zeros((4, 2, 5)))
    layer.forward(xp.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match=r"dout must be \(4, 2, 2\)"):
        layer.backward(xp.zeros((4, 2, 3)))


def _reference_loss(xs, ts, ignore=-1):
    """Mean softmax cross-entropy over the positions whose label is not ``ignore``, position by position."""
    N, T, V = xs.shape
    losses = []
    for n in range(N):
        for t in range(T):
            if ts[n, t] == ignore:
                continue
            z = xs[n, t] - xs[n, t].max()
            losses.append(-(z[ts[n, t]] - np.log(np.exp(z).sum())))
    return np.mean(losses)


def test_time_softmax_with_loss_value_and_gradient(xp, rng, assert_grads_ok):
    N, T, V = 3, 5, 7
    xs = rng.standard_normal((N, T, V)) * 3
    ts = rng.integers(0, V, (N, T))
    X, TS = xp.asarray(xs), xp.asarray(ts)
    layer = TimeSoftmaxWithLoss()
    assert layer.forward(X, TS) == pytest.approx(_reference_loss(xs, ts), rel=1e-12)
    assert_grads_ok(check_layer(layer, X, TS))
    # equal to SoftmaxWithLoss over the N * T rows, gradient included
    flat = SoftmaxWithLoss()
    assert layer.forward(X, TS) == pytest.approx(flat.forward(X.reshape(-1, V), TS.ravel()), rel=1e-12)
    np.testing.assert_allclose(backend.to_cpu(layer.backward(2.0).reshape(-1, V)), backend.to_cpu(flat.backward(2.0)),
                               atol=1e-15)
    # one-hot labels
    one_hot = xp.asarray(np.eye(V, dtype=np.int32)[ts])
    assert layer.forward(X, one_hot) == pytest.approx(_reference_loss(xs, ts), rel=1e-12)


def test_time_softmax_with_loss_ignores_padding(xp, rng, assert_grads_ok):
    N, T, V = 3, 4, 5
    xs = rng.standard_normal((N, T, V))
    ts = rng.integers(0, V, (N, T))
    ts[0, 2:] = -1
    ts[2, 0] = -1
    X, TS = xp.asarray(xs), xp.asarray(ts)
    layer = TimeSoftmaxWithLoss()
    assert layer.forward(X, TS) == pytest.approx(_reference_loss(xs, ts), rel=1e-12)
    assert_grads_ok(check_layer(layer, X, TS))
    layer.forward(X, TS)
    dxs = backend.to_cpu(layer.backward())
    np.testing.assert_array_equal(dxs[0, 2:], 0)
    np.testing.assert_array_equal(dxs[2, 0], 0)
    with pytest.raises(ValueError, match="every label in ts is the ignore label"):
        layer.forward(X, xp.full((N, T), -1))
    strict = TimeSoftmaxWithLoss(ignore_label=None)
    with pytest.raises(ValueError, match=r"ids in \[0, 5\), got -1"):
        strict.forward(X, TS)


def test_time_softmax_with_loss_is_finite_for_huge_scores_and_overwrites_only_when_asked(xp, rng):
    xs = rng.standard_normal((2, 3, 4)).astype(np.float32) * 1e4
    ts = rng.integers(0, 4, (2, 3))
    keep = xs.copy()
    xs, ts = xp.asarray(xs), xp.asarray(ts)
    layer = TimeSoftmaxWithLoss()
    loss = layer.forward(xs, ts)
    assert np.isfinite(loss)
    dxs = backend.to_cpu(layer.backward())
    assert np.all(np.isfinite(dxs)) and dxs.dtype == np.float32
    np.testing.assert_array_equal(backend.to_cpu(xs), keep)
    assert layer.forward(xs, ts, overwrite_xs=True) == pytest.approx(loss, rel=1e-6)
    dxs = layer.backward()  # written into the scores' own memory
    np.testing.assert_array_equal(backend.to_cpu(dxs), backend.to_cpu(xs))
    assert not np.array_equal(backend.to_cpu(xs), keep)


def test_time_softmax_with_loss_blocked_and_threaded_path_equals_the_reference(rng):
    """A large input goes through in blocks on several threads; rows with huge scores take the max-shift."""
    N, T, V = 4, 50, 6000  # 1.2 M scores: above the threading threshold
    xs = rng.standard_normal((N, T, V)).astype(np.float32)
    xs[1, 3] += 500.0  # would overflow exp without the shift
    xs[2, 7] -= 500.0  # would underflow to a zero sum
    ts = rng.integers(0, V, (N, T))
    layer = TimeSoftmaxWithLoss()
    x64 = xs.astype(np.float64).reshape(-1, V)
    z = x64 - x64.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    want = -logp[np.arange(N * T), ts.ravel()].mean()
    assert layer.forward(xs, ts) == pytest.approx(want, rel=1e-6)
    dxs = layer.backward()
    grad = np.exp(logp)
    grad[np.arange(N * T), ts.ravel()] -= 1
    np.testing.assert_allclose(dxs.reshape(-1, V), grad / (N * T), atol=1e-9)


def test_time_softmax_with_loss_backward_runs_once_per_forward(xp, rng):
    layer = TimeSoftmaxWithLoss()
    with pytest.raises(ForwardFirstError):
        layer.backward()
    layer.forward(xp.asarray(rng.standard_normal((1, 2, 3))), xp.asarray([[0, 1]]))
    layer.backward()
    with pytest.raises(RuntimeError, match="call forward again"):
        layer.backward()


def test_time_softmax_with_loss_bad_labels(xp):
    layer = TimeSoftmaxWithLoss()
    xs = xp.zeros((2, 3, 4))
    with pytest.raises(ValueError, match=r"ids in \[0, 4\) or the ignore label -1, got 4"):
        layer.forward(xs, xp.asarray([[0, 1, 4], [0, 0, 0]]))
    with pytest.raises(ValueError, match=r"got -2"):
        layer.forward(xs, xp.asarray([[0, 1, -2], [0, 0, 0]]))
    with pytest.raises(ValueError, match=r"labels ts must be \(2, 3\) ids"):
        layer.forward(xs, xp.zeros((3, 2), dtype=np.int32))
    with pytest.raises(ValueError, match="integer ids"):
        layer.forward(xs, xp.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"3-D \(N, T, V\)"):
        layer.forward(xp.zeros((2, 4)), xp.zeros(2, dtype=np.int32))
    with pytest.raises(ValueError, match="empty"):
        layer.forward(xp.zeros((0, 3, 4)), xp.zeros((0, 3), dtype=np.int32))
    with pytest.raises(ValueError, match="ignore_label must be an int or None"):
        TimeSoftmaxWithLoss(ignore_label=0.5)


def test_time_dropout_masks_scaling_eval_and_gradient(xp, rng, assert_grads_ok):
    layer = TimeDropout(0.4, seed=3)
    assert isinstance(layer, Dropout)
    xs = xp.asarray(rng.standard_normal((3, 5, 4)))
    assert_grads_ok(check_layer(layer, xs))
    y = backend.to_cpu(layer.forward(xp.ones((20, 35, 50))))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.6)
    assert abs(kept.mean() - 0.6) < 0.02
    assert not np.array_equal(kept[:, 0], kept[:, 1])  # a fresh mask at every step
    layer.eval()
    assert layer.train_flg is False
    assert layer.forward(xs) is xs
    layer.train_flg = True
    assert layer.training
    a, b = TimeDropout(0.5, seed=7), TimeDropout(0.5, seed=7)
    np.testing.assert_array_equal(backend.to_cpu(a.forward(xs)), backend.to_cpu(b.forward(xs)))


def test_time_layers_on_the_array_namespace(xp, rng):
    W = xp.asarray(rng.standard_normal((7, 3)).astype(np.float32))
    emb = TimeEmbedding(W)
    aff = TimeAffine(xp.asarray(rng.standard_normal((3, 7)).astype(np.float32)), xp.zeros(7, dtype=np.float32))
    loss_layer = TimeSoftmaxWithLoss()
    xs = xp.asarray(rng.integers(0, 7, (2, 4)))
    loss = loss_layer.forward(aff.forward(emb.forward(xs)), xs)
    assert np.isfinite(loss)
    emb.backward(aff.backward(loss_layer.backward()))
    assert emb.grads[0].dtype == np.float32 and aff.grads[0].dtype == np.float32
    assert isinstance(Embedding(W), Embedding)


def test_softmax_bias_added_inside_the_loss_equals_the_affine_bias(xp, rng):
    N, T, D, V = 3, 4, 5, 9
    W, b = rng.standard_normal((D, V)), rng.standard_normal(V)
    xs, ts = rng.standard_normal((N, T, D)), rng.integers(0, V, (N, T))
    W_host = W
    W, b, xs, ts = (xp.asarray(a) for a in (W, b, xs, ts))
    full, split = TimeAffine(W, b), TimeAffine(W, b)
    loss_full, loss_split = TimeSoftmaxWithLoss(), TimeSoftmaxWithLoss()
    want = loss_full.forward(full.forward(xs), ts)
    scores = split.forward(xs, add_bias=False)
    np.testing.assert_allclose(backend.to_cpu(scores), backend.to_cpu(xs) @ W_host)
    assert loss_split.forward(scores, ts, overwrite_xs=True, bias=b) == pytest.approx(want, rel=1e-13)
    np.testing.assert_allclose(backend.to_cpu(split.backward(loss_split.backward())),
                               backend.to_cpu(full.backward(loss_full.backward())))
    for g, h in zip(split.grads, full.grads):
        np.testing.assert_allclose(backend.to_cpu(g), backend.to_cpu(h))
    with pytest.raises(ValueError, match=r"bias must be \(9,\)"):
        loss_split.forward(scores, ts, bias=b[:4])
