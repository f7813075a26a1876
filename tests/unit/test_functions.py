"""The functions of chapter 1, on every array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.functions import cross_entropy_error, log_softmax, relu, sigmoid, softmax, softmax_cross_entropy
from scratchnlp.layers import GRU, LSTM, RNN, Sigmoid, TimeGRU, TimeLSTM, TimeRNN


def test_sigmoid_matches_definition_and_is_stable(xp):
    x = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(backend.to_cpu(sigmoid(xp.asarray(x))), 1 / (1 + np.exp(-x)), rtol=1e-12)
    with np.errstate(all="raise"):
        y = sigmoid(xp.asarray([-1e4, 1e4], dtype=np.float32))
    np.testing.assert_array_equal(backend.to_cpu(y), [0.0, 1.0])


def test_relu(xp):
    np.testing.assert_array_equal(backend.to_cpu(relu(xp.asarray([-2.0, 0.0, 3.0]))), [0.0, 0.0, 3.0])


def test_softmax_rows_sum_to_one_and_survive_large_logits(xp):
    x = xp.asarray([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])
    with np.errstate(all="raise"):
        y = backend.to_cpu(softmax(x))
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    e = np.exp([0.0, 1.0, 2.0])
    np.testing.assert_allclose(y[0], e / e.sum())


def test_log_softmax_finite_where_softmax_underflows(xp):
    y = backend.to_cpu(log_softmax(xp.asarray([[0.0, -2000.0]])))
    assert np.isfinite(y).all()
    assert y[0, 1] == pytest.approx(-2000.0)


def test_cross_entropy_indices_and_one_hot_agree(xp):
    y = xp.asarray([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    t_idx = np.array([1, 0])
    t_hot = xp.asarray(np.eye(3, dtype=np.int32)[t_idx])
    expected = -(np.log(0.7 + 1e-7) + np.log(0.5 + 1e-7)) / 2
    assert cross_entropy_error(y, xp.asarray(t_idx)) == pytest.approx(expected)
    assert cross_entropy_error(y, t_hot) == pytest.approx(expected)


def test_softmax_cross_entropy_stable_for_large_logits(xp):
    x = xp.asarray([[1e4, 0.0, -1e4]])
    assert softmax_cross_entropy(x, xp.asarray([0])) == pytest.approx(0.0)
    assert softmax_cross_entropy(x, xp.asarray([2])) == pytest.approx(2e4)


@pytest.mark.parametrize("bad", [[3, 0], [-1, 0]])
def test_cross_entropy_labels_out_of_range(xp, bad):
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        cross_entropy_error(xp.full((2, 3), 1 / 3), xp.asarray(bad))


def test_cross_entropy_wrong_label_shape(xp):
    with pytest.raises(ValueError, match="one-hot"):
        cross_entropy_error(xp.full((2, 3), 1 / 3), xp.zeros((2, 4), dtype=int))


# --- appendix A: the derivatives of sigmoid and tanh, against finite differences, including large |x| --------

WIDE = np.concatenate([np.linspace(-40, 40, 1601), [-1000.0, -700.0, -30.0, 30.0, 700.0, 1000.0]])


def _central_difference(f, x, h=1e-6):
    """Independent of any closed form: only the forward function is evaluated."""
    return (f(x + h) - f(x - h)) / (2 * h)


def _exact_sigmoid_derivative(x):
    """sigma'(x) = exp(-|x|) / (1 + exp(-|x|))^2, written so that nothing overflows (a reference for the
    tails, where finite differences of a function rounded to 0 or 1 cannot resolve the derivative)."""
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def test_sigmoid_derivative_closed_form_matches_finite_differences_over_a_wide_range():
    with np.errstate(all="raise"):
        y = sigmoid(WIDE)
        closed = y * (1 - y)
        numerical = _central_difference(sigmoid, WIDE)
    np.testing.assert_allclose(closed, numerical, rtol=0, atol=1e-9)
    large = closed >= 1e-4
    np.testing.assert_allclose(closed[large], numerical[large], rtol=1e-6)
    # far out, float64 holds y as exactly 0 or 1: the closed form is 0, the true derivative below 1e-16
    np.testing.assert_allclose(closed, _exact_sigmoid_derivative(WIDE), rtol=0, atol=2e-16)
    assert closed[np.abs(WIDE) >= 700].max() == 0


@pytest.mark.parametrize("dtype, x", [(np.float32, [-1000.0, -100.0, 100.0, 1000.0]),
                                      (np.float64, [-1000.0, -710.0, 710.0, 1000.0])])
def test_sigmoid_is_finite_and_in_the_unit_interval_where_the_naive_formula_overflows(dtype, x):
    x = np.asarray(x, dtype=dtype)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        1 / (1 + np.exp(-x))
    with np.errstate(all="raise"):
        y = sigmoid(x)
    assert y.dtype == dtype and np.isfinite(y).all() and ((y >= 0) & (y <= 1)).all()
    np.testing.assert_array_equal(y, (x > 0).astype(dtype))  # the correctly rounded values
    # in float64 the absolute error is about one rounding step of 1, everywhere
    z = np.linspace(-60, 60, 2401)
    e = np.exp(-np.abs(z))
    exact = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    assert np.abs(sigmoid(z) - exact).max() <= 2.3e-16


def test_sigmoid_layer_backward_is_y_one_minus_y_times_dout():
    rng = np.random.default_rng(0)
    dout = rng.standard_normal(WIDE.shape)
    layer = Sigmoid()
    with np.errstate(all="raise"):
        y = layer.forward(WIDE)
        dx = layer.backward(dout)
    np.testing.assert_allclose(dx, dout * y * (1 - y), rtol=1e-15, atol=0)
    np.testing.assert_allclose(dx, dout * _central_difference(Sigmoid().forward, WIDE), rtol=0, atol=1e-8)


def _unit_weights(D, H, gates, block, bias):
    """Weights that make each unit of one gate block read its own input (identity), with constant biases
    per block and no recurrence: the layer then acts element by element, so shifting every input by the
    same step gives every element's central difference at once."""
    Wx = np.zeros((D, gates * H))
    Wx[:, block * H:(block + 1) * H] = np.eye(D)
    b = np.concatenate([np.full(H, float(v)) for v in bias])
    return Wx, np.zeros((H, gates * H)), b


# Pre-activations of the tanh blocks; +-30 and +-700 included, where tanh is exactly +-1 in float64.
TANH_X = np.concatenate([np.linspace(-6, 6, 23), [-700.0, -30.0, 30.0, 700.0]])


def _elementwise_check(forward, backward, x, dh, expected_closed_form):
    with np.errstate(all="raise"):
        forward(x)
        dx = backward(dh)
        numerical = dh * _central_difference(forward, x)
    np.testing.assert_allclose(dx, numerical, rtol=0, atol=1e-8)
    np.testing.assert_allclose(dx, expected_closed_form, rtol=1e-12, atol=1e-300)


def test_rnn_backward_uses_one_minus_y_squared():
    H = TANH_X.size
    x, dh = TANH_X[None, :], np.random.default_rng(1).standard_normal((1, H))
    rnn = RNN(np.eye(H), np.zeros((H, H)), np.zeros(H))
    h0 = np.zeros((1, H))
    y = np.tanh(x)
    _elementwise_check(lambda v: rnn.forward(v, h0), lambda d: rnn.backward(d)[0], x, dh, dh * (1 - y**2))
    time_rnn = TimeRNN(np.eye(H), np.zeros((H, H)), np.zeros(H))
    xs, dhs = np.stack([x, -x], axis=1), np.stack([dh, 2 * dh], axis=1)  # (1, 2, H): two steps
    _elementwise_check(time_rnn.forward, time_rnn.backward, xs, dhs, dhs * (1 - np.tanh(xs) ** 2))


def test_lstm_backward_uses_one_minus_y_squared_for_g_and_for_tanh_c():
    # f = sigmoid(-50) = 0 (nothing carried over), i = o = sigmoid(50) = 1: h = tanh(g) with g = tanh(x)
    H = TANH_X.size
    x, dh = TANH_X[None, :], np.random.default_rng(2).standard_normal((1, H))
    Wx, Wh, b = _unit_weights(H, H, 4, block=1, bias=(-50, 0, 50, 50))
    g = np.tanh(x)
    expected = dh * (1 - np.tanh(g) ** 2) * (1 - g**2)
    lstm = LSTM(Wx, Wh, b)
    zeros = np.zeros((1, H))
    _elementwise_check(lambda v: lstm.forward(v, zeros, zeros)[0], lambda d: lstm.backward(d, zeros)[0], x, dh,
                       expected)
    time_lstm = TimeLSTM(Wx, Wh, b)
    xs, dhs = np.stack([x, -x], axis=1), np.stack([dh, -dh], axis=1)
    gs = np.tanh(xs)
    _elementwise_check(time_lstm.forward, time_lstm.backward, xs, dhs, dhs * (1 - np.tanh(gs) ** 2) * (1 - gs**2))


def test_gru_backward_uses_one_minus_y_squared_for_the_candidate():
    # z = sigmoid(50) = 1 and h_prev = 0: h = h~ = tanh(x)
    H = TANH_X.size
    x, dh = TANH_X[None, :], np.random.default_rng(3).standard_normal((1, H))
    Wx, Wh, b = _unit_weights(H, H, 3, block=2, bias=(50, 0, 0))
    gru = GRU(Wx, Wh, b)
    h0 = np.zeros((1, H))
    _elementwise_check(lambda v: gru.forward(v, h0), lambda d: gru.backward(d)[0], x, dh, dh * (1 - np.tanh(x) ** 2))
    time_gru = TimeGRU(Wx, Wh, b)
    xs, dhs = np.stack([x, -x], axis=1), np.stack([dh, 3 * dh], axis=1)
    _elementwise_check(time_gru.forward, time_gru.backward, xs, dhs, dhs * (1 - np.tanh(xs) ** 2))
