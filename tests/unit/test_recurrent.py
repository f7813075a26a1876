"""RNN, LSTM and GRU cells and their sequence layers: gradients (float64), per-step formulas, state, bad input,
on every array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer, numerical_gradient, relative_error
from scratchnlp.layers import GRU, LSTM, RNN, Layer, TimeGRU, TimeLSTM, TimeRNN
from scratchnlp.layers.base import ForwardFirstError

GATES = {TimeRNN: 1, TimeLSTM: 4, TimeGRU: 3, RNN: 1, LSTM: 4, GRU: 3}
CELL = {TimeRNN: RNN, TimeLSTM: LSTM, TimeGRU: GRU}


def _weights(rng, d, h, gates, xp=np, scale=0.5):
    return (
        xp.asarray(rng.standard_normal((d, gates * h)) * scale),
        xp.asarray(rng.standard_normal((h, gates * h)) * scale),
        xp.asarray(rng.standard_normal(gates * h) * scale),
    )


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- per-step formulas ----------------------------------------------------------------------------------------


def _lstm_step(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    A = x @ Wx + h @ Wh + b
    f, g, i, o = (A[:, k * H:(k + 1) * H] for k in range(4))
    c = _sigmoid(f) * c + np.tanh(g) * _sigmoid(i)
    return _sigmoid(o) * np.tanh(c), c


def _gru_step(x, h, Wx, Wh, b):
    H = h.shape[1]
    z = _sigmoid(x @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
    r = _sigmoid(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H] + b[H:2 * H])
    hh = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
    return (1 - z) * h + z * hh


def _rnn_step(x, h, Wx, Wh, b):
    return np.tanh(h @ Wh + x @ Wx + b)


def test_time_layers_equal_the_per_step_formulas_with_carried_state(xp, rng):
    N, T, D, H = 3, 6, 4, 5
    for cls in (TimeRNN, TimeLSTM, TimeGRU):
        Wx, Wh, b = _weights(rng, D, H, GATES[cls])
        layer = cls(xp.asarray(Wx), xp.asarray(Wh), xp.asarray(b), stateful=True)
        h, c = np.zeros((N, H)), np.zeros((N, H))
        for _ in range(2):  # the second call starts from the first call's last state
            xs = rng.standard_normal((N, T, D))
            hs = backend.to_cpu(layer.forward(xp.asarray(xs)))
            for t in range(T):
                if cls is TimeLSTM:
                    h, c = _lstm_step(xs[:, t], h, c, Wx, Wh, b)
                elif cls is TimeGRU:
                    h = _gru_step(xs[:, t], h, Wx, Wh, b)
                else:
                    h = _rnn_step(xs[:, t], h, Wx, Wh, b)
                np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-12, err_msg=cls.__name__)
        np.testing.assert_allclose(backend.to_cpu(layer.h), h, atol=1e-12)
        if cls is TimeLSTM:
            np.testing.assert_allclose(backend.to_cpu(layer.c), c, atol=1e-12)


def test_cells_equal_the_per_step_formulas(xp, rng):
    N, D, H = 4, 3, 2
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    X, Hd, Cd = xp.asarray(x), xp.asarray(h), xp.asarray(c)
    W = _weights(rng, D, H, 4)
    got_h, got_c = LSTM(*map(xp.asarray, W)).forward(X, Hd, Cd)
    want_h, want_c = _lstm_step(x, h, c, *W)
    np.testing.assert_allclose(backend.to_cpu(got_h), want_h, atol=1e-14)
    np.testing.assert_allclose(backend.to_cpu(got_c), want_c, atol=1e-14)
    W = _weights(rng, D, H, 3)
    np.testing.assert_allclose(backend.to_cpu(GRU(*map(xp.asarray, W)).forward(X, Hd)), _gru_step(x, h, *W), atol=1e-14)
    W = _weights(rng, D, H, 1)
    np.testing.assert_allclose(backend.to_cpu(RNN(*map(xp.asarray, W)).forward(X, Hd)), _rnn_step(x, h, *W), atol=1e-14)


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
def test_time_layer_backward_equals_chained_cells(xp, rng, cls):
    """BPTT of the sequence layer = the book's construction from T one-step cells, gradients summed."""
    N, T, D, H = 2, 5, 3, 4
    W = _weights(rng, D, H, GATES[cls], xp)
    layer = cls(*W)
    xs = xp.asarray(rng.standard_normal((N, T, D)))
    dhs = xp.asarray(rng.standard_normal((N, T, H)))
    layer.forward(xs)
    dxs = layer.backward(dhs)
    cells, h, c = [], xp.zeros((N, H)), xp.zeros((N, H))
    for t in range(T):
        cell = CELL[cls](*W)
        if cls is TimeLSTM:
            h, c = cell.forward(xs[:, t], h, c)
        else:
            h = cell.forward(xs[:, t], h)
        cells.append(cell)
    grads = [xp.zeros_like(p) for p in W]
    dh, dc = xp.zeros((N, H)), xp.zeros((N, H))
    want_dxs = xp.empty_like(xs)
    for t in reversed(range(T)):
        if cls is TimeLSTM:
            dx, dh, dc = cells[t].backward(dhs[:, t] + dh, dc)
        else:
            dx, dh = cells[t].backward(dhs[:, t] + dh)
        want_dxs[:, t] = dx
        for g, cg in zip(grads, cells[t].grads):
            g += cg
    np.testing.assert_allclose(backend.to_cpu(dxs), backend.to_cpu(want_dxs), atol=1e-12)
    for got, want in zip(layer.grads, grads):
        np.testing.assert_allclose(backend.to_cpu(got), backend.to_cpu(want), atol=1e-12)
    np.testing.assert_allclose(backend.to_cpu(layer.dh), backend.to_cpu(dh), atol=1e-12)


# --- gradient checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [RNN, GRU])
def test_cell_gradients(xp, rng, cls, assert_grads_ok):
    N, D, H = 3, 4, 5
    layer = cls(*_weights(rng, D, H, GATES[cls], xp))
    x, h = xp.asarray(rng.standard_normal((N, D))), xp.asarray(rng.standard_normal((N, H)))

    class OneOutput(Layer):  # (dx, dh_prev): check_layer compares the first returned gradient with x's
        def __init__(self):
            super().__init__()
            self.params, self.grads = layer.params, layer.grads

        def forward(self, x, h):
            return layer.forward(x, h)

        def backward(self, dout):
            return layer.backward(dout)

    assert_grads_ok(check_layer(OneOutput(), x, h))


def test_lstm_cell_gradients_for_both_outputs(xp, rng, assert_grads_ok):
    N, D, H = 3, 4, 2
    layer = LSTM(*_weights(rng, D, H, 4, xp))
    x, h, c = (xp.asarray(rng.standard_normal(s)) for s in ((N, D), (N, H), (N, H)))
    dh_next, dc_next = xp.asarray(rng.standard_normal((N, H))), xp.asarray(rng.standard_normal((N, H)))

    def loss():
        h2, c2 = layer.forward(x, h, c)
        return float((h2 * dh_next).sum() + (c2 * dc_next).sum())

    loss()
    dx, dh, dc = layer.backward(dh_next, dc_next)
    analytic = [g.copy() for g in layer.grads] + [dx, dh, dc]
    numeric = [numerical_gradient(loss, a) for a in (*layer.params, x, h, c)]
    assert_grads_ok({f"{k}": relative_error(a, n) for k, (a, n) in enumerate(zip(analytic, numeric))})


class _FromState(Layer):
    """A sequence layer started from a fixed state before every forward: the state's gradient is checked too."""

    def __init__(self, layer, h0, c0=None):
        super().__init__()
        self.layer, self.h0, self.c0 = layer, h0, c0
        self.params, self.grads = layer.params, layer.grads

    def forward(self, xs, h0):
        if self.c0 is None:
            self.layer.set_state(h0)
        else:
            self.layer.set_state(h0, self.c0)
        return self.layer.forward(xs)

    def backward(self, dhs):
        return self.layer.backward(dhs), self.layer.dh


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
@pytest.mark.parametrize("N, T, D, H", [(1, 1, 1, 1), (2, 4, 3, 2), (3, 7, 2, 3)])
def test_time_layer_gradients_from_a_carried_state(xp, rng, cls, N, T, D, H, assert_grads_ok):
    layer = cls(*_weights(rng, D, H, GATES[cls], xp), stateful=True)
    layer.forward(xp.asarray(rng.standard_normal((N, T, D))))  # a previous block leaves a state behind
    h0 = layer.h.copy()
    c0 = layer.c.copy() if cls is TimeLSTM else None
    errors = check_layer(_FromState(layer, h0, c0), xp.asarray(rng.standard_normal((N, T, D))), h0)
    assert set(errors) == {"params[0]", "params[1]", "params[2]", "input[0]", "input[1]"}
    assert_grads_ok(errors)


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
@pytest.mark.parametrize("D, H", [(1, 8), (16, 2)])  # the bias inside the input product, and added after it
def test_both_ways_of_adding_the_bias_give_the_per_step_values_and_gradients(xp, rng, cls, D, H, assert_grads_ok):
    from scratchnlp.layers.recurrent import _folds_bias

    assert _folds_bias(D, GATES[cls] * H) == (D == 1)
    N, T = 3, 4
    W = _weights(rng, D, H, GATES[cls])
    layer = cls(*(xp.asarray(w) for w in W))
    xs = rng.standard_normal((N, T, D))
    hs = backend.to_cpu(layer.forward(xp.asarray(xs)))
    h, c = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T):
        if cls is TimeLSTM:
            h, c = _lstm_step(xs[:, t], h, c, *W)
        else:
            h = (_gru_step if cls is TimeGRU else _rnn_step)(xs[:, t], h, *W)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-12)
    errors = check_layer(layer, xp.asarray(xs))
    assert set(errors) == {"params[0]", "params[1]", "params[2]", "input[0]"}
    assert_grads_ok(errors)


def test_lstm_gradient_of_the_initial_cell_state(xp, rng, assert_grads_ok):
    N, T, D, H = 2, 4, 3, 2
    layer = TimeLSTM(*_weights(rng, D, H, 4, xp), stateful=True)
    xs, h0, c0 = (xp.asarray(rng.standard_normal(s)) for s in ((N, T, D), (N, H), (N, H)))
    dhs = xp.asarray(rng.standard_normal((N, T, H)))

    def loss():
        layer.set_state(h0, c0)
        return float((layer.forward(xs) * dhs).sum())

    loss()
    layer.backward(dhs)
    assert relative_error(layer.dc, numerical_gradient(loss, c0)) < 1e-6
    assert relative_error(layer.dh, numerical_gradient(loss, h0)) < 1e-6


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
def test_time_layers_run_on_the_array_namespace_in_float32(xp, rng, cls):
    N, T, D, H = 4, 6, 5, 3
    W = [w.astype(np.float32) for w in _weights(rng, D, H, GATES[cls])]
    layer = cls(*(xp.asarray(w) for w in W))
    xs = xp.asarray(rng.standard_normal((N, T, D)).astype(np.float32))
    hs = layer.forward(xs)
    assert hs.shape == (N, T, H) and hs.dtype == np.float32
    dxs = layer.backward(xp.ones_like(hs))
    assert dxs.shape == (N, T, D) and dxs.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads)
    ref = cls(*(w.astype(np.float64) for w in W))
    want = ref.forward(backend.to_cpu(xs).astype(np.float64))
    np.testing.assert_allclose(backend.to_cpu(hs), want, atol=1e-5)


# --- state ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
def test_stateless_restarts_and_reset_state_forgets(xp, rng, cls):
    W = _weights(rng, 2, 3, GATES[cls], xp)
    xs = xp.asarray(rng.standard_normal((2, 4, 2)))
    stateless = cls(*W)
    first = backend.to_cpu(stateless.forward(xs))
    np.testing.assert_array_equal(backend.to_cpu(stateless.forward(xs)), first)
    stateful = cls(*W, stateful=True)
    np.testing.assert_array_equal(backend.to_cpu(stateful.forward(xs)), first)
    assert not np.allclose(backend.to_cpu(stateful.forward(xs)), first)
    stateful.reset_state()
    np.testing.assert_array_equal(backend.to_cpu(stateful.forward(xs)), first)


def test_set_state_is_only_read_and_lstm_c_defaults_to_zeros(xp, rng):
    W = _weights(rng, 2, 3, 4, xp)
    layer = TimeLSTM(*W, stateful=True)
    h0 = xp.asarray(rng.standard_normal((2, 3)))
    keep = backend.to_cpu(h0)
    layer.set_state(h0)
    hs = layer.forward(xp.asarray(rng.standard_normal((2, 4, 2))))
    np.testing.assert_array_equal(backend.to_cpu(h0), keep)
    layer.backward(xp.ones_like(hs))
    np.testing.assert_array_equal(backend.to_cpu(h0), keep)
    ref = TimeLSTM(*W, stateful=True)
    ref.set_state(h0, xp.zeros((2, 3)))
    layer.set_state(h0)
    xs = xp.asarray(rng.standard_normal((2, 4, 2)))
    np.testing.assert_array_equal(backend.to_cpu(layer.forward(xs)), backend.to_cpu(ref.forward(xs)))


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU, RNN, LSTM, GRU])
def test_weight_shapes_are_checked(xp, cls):
    g = GATES[cls]
    kwargs = {}
    with pytest.raises(ValueError, match="Wx must be"):
        cls(xp.zeros((3, g * 2 + 1)), xp.zeros((2, g * 2)), xp.zeros(g * 2), **kwargs)
    with pytest.raises(ValueError, match="Wh must be"):
        cls(xp.zeros((3, g * 2)), xp.zeros((2, g * 2 + 1)), xp.zeros(g * 2), **kwargs)
    with pytest.raises(ValueError, match=r"bias b must be"):
        cls(xp.zeros((3, g * 2)), xp.zeros((2, g * 2)), xp.zeros(g * 2 + 1), **kwargs)
    with pytest.raises(ValueError, match="float"):
        cls(xp.zeros((3, g * 2), dtype=np.int32), xp.zeros((2, g * 2)), xp.zeros(g * 2))


@pytest.mark.parametrize("cls", [TimeRNN, TimeLSTM, TimeGRU])
def test_time_layer_bad_input(xp, cls):
    g = GATES[cls]
    layer = cls(xp.zeros((3, g * 2)), xp.zeros((2, g * 2)), xp.zeros(g * 2), stateful=True)
    with pytest.raises(ValueError, match=r"must be \(N, T, 3\), got array of shape \(2, 4, 5\)"):
        layer.forward(xp.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match=r"\(N, T, 3\)"):
        layer.forward(xp.zeros((2, 3)))
    with pytest.raises(ValueError, match="float"):
        layer.forward(xp.zeros((2, 4, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="empty"):
        layer.forward(xp.zeros((2, 0, 3)))
    with pytest.raises(ForwardFirstError):
        layer.backward(xp.zeros((2, 4, 2)))
    hs = layer.forward(xp.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match=r"dhs must be \(2, 4, 2\)"):
        layer.backward(xp.zeros((2, 5, 2)))
    layer.backward(xp.zeros_like(hs))
    with pytest.raises(ValueError, match="carries a state h for a batch of 2 but xs has 3"):
        layer.forward(xp.zeros((3, 4, 3)))
    layer.reset_state()
    assert layer.forward(xp.zeros((3, 4, 3))).shape == (3, 4, 2)
    with pytest.raises(ValueError, match=r"state h must be \(N, 2\)"):
        layer.set_state(xp.zeros((3, 5)))
    with pytest.raises(ValueError, match="stateful must be True or False"):
        cls(xp.zeros((3, g * 2)), xp.zeros((2, g * 2)), xp.zeros(g * 2), stateful="yes")


def test_cell_bad_input(xp):
    layer = LSTM(xp.zeros((3, 8)), xp.zeros((2, 8)), xp.zeros(8))
    with pytest.raises(ValueError, match=r"input x must be \(N, 3\)"):
        layer.forward(xp.zeros((4, 2)), xp.zeros((4, 2)), xp.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"h_prev must be \(4, 2\)"):
        layer.forward(xp.zeros((4, 3)), xp.zeros((5, 2)), xp.zeros((4, 2)))
    with pytest.raises(ValueError, match="c_prev must have"):
        layer.forward(xp.zeros((4, 3)), xp.zeros((4, 2)), xp.zeros((4, 3)))
    with pytest.raises(ForwardFirstError):
        RNN(xp.zeros((3, 2)), xp.zeros((2, 2)), xp.zeros(2)).backward(xp.zeros((1, 2)))
