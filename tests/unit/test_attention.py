"""Attention (chapter 8): the layers, TimeBiLSTM, the attention seq2seq model, batched decoding, bad input."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer, check_model
from scratchnlp.layers import (
    Attention,
    AttentionWeight,
    ForwardFirstError,
    TimeAttention,
    TimeBiLSTM,
    TimeLSTM,
    WeightSum,
)
from scratchnlp.models import AttentionDecoder, AttentionEncoder, AttentionSeq2seq, Seq2seq

ENCODER = ["embed_W", "lstm_Wx", "lstm_Wh", "lstm_b"]
DECODER = ENCODER + ["affine_W", "affine_b"]
NAMES = [f"encoder_{n}" for n in ENCODER] + [f"decoder_{n}" for n in DECODER]
BI_NAMES = ["encoder_embed_W"] + [f"encoder_lstm_{d}_{n}" for d in ("forward", "backward") for n in ("Wx", "Wh", "b")
                                  ] + [f"decoder_{n}" for n in DECODER]


def _normal(xp, rng, shape, scale=1.0):
    return xp.asarray(rng.standard_normal(shape) * scale)


def _enlarge(layer, rng, scale=0.5):
    """Weights larger than the book's initialisation, so every gradient is well above round-off."""
    xp = backend.xp(layer.params[0])
    for p in layer.params:
        p[...] = xp.asarray(rng.standard_normal(p.shape) * scale)


def _on(xp, cls, *args, **kwargs):
    """``cls(*args, **kwargs)`` built on ``xp``'s device (the backend's device selects where weights live)."""
    if xp is np:
        return cls(*args, **kwargs)
    before = backend.get_device()
    backend.set_device("gpu")
    try:
        return cls(*args, **kwargs)
    finally:
        backend.set_device(before)


# --- the layers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("N,T,H", [(3, 5, 4), (1, 1, 2), (2, 7, 3)])
def test_layer_gradients(xp, rng, assert_grads_ok, N, T, H):
    hs = _normal(xp, rng, (N, T, H))
    h = _normal(xp, rng, (N, H))
    a = xp.asarray(rng.dirichlet(np.ones(T), size=N))
    assert_grads_ok(check_layer(WeightSum(), hs, a))
    assert_grads_ok(check_layer(AttentionWeight(), hs, h))
    errors = check_layer(Attention(), hs, h)
    assert set(errors) == {"input[0]", "input[1]"}
    assert_grads_ok(errors)


@pytest.mark.parametrize("N,T,T_dec,H", [(3, 5, 4, 6), (1, 1, 1, 2), (2, 6, 9, 3)])
def test_time_attention_gradients(xp, rng, assert_grads_ok, N, T, T_dec, H):
    errors = check_layer(TimeAttention(), _normal(xp, rng, (N, T, H)), _normal(xp, rng, (N, T_dec, H)))
    assert set(errors) == {"input[0]", "input[1]"}
    assert_grads_ok(errors)


def test_weights_are_a_distribution_over_the_question(xp, rng):
    N, T, T_dec, H = 4, 7, 5, 8
    hs = _normal(xp, rng, (N, T, H), 3.0)  # large scores: the softmax must stay stable
    hd = _normal(xp, rng, (N, T_dec, H), 3.0)
    layer = TimeAttention()
    c = layer.forward(hs, hd)
    assert c.shape == (N, T_dec, H) and layer.weights.shape == (N, T_dec, T)
    w = backend.to_cpu(layer.weights)
    assert (w >= 0).all()
    np.testing.assert_allclose(w.sum(axis=2), 1.0, rtol=1e-12)
    assert len(layer.attention_weights) == T_dec
    for t, a in enumerate(layer.attention_weights):
        assert a.shape == (N, T)
        np.testing.assert_array_equal(backend.to_cpu(a), w[:, t])
    one = Attention()
    one.forward(hs, hd[:, 0])
    np.testing.assert_allclose(backend.to_cpu(one.attention_weight).sum(axis=1), 1.0, rtol=1e-12)
    # the context is a convex combination of the encoder states
    np.testing.assert_allclose(backend.to_cpu(c), np.einsum("nst,nth->nsh", w, backend.to_cpu(hs)), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_time_attention_equals_a_loop_of_attention_layers(xp, rng, dtype):
    """The vectorised layer gives what the book's loop of one Attention per decoder step gives."""
    N, T, T_dec, H = 5, 9, 6, 7
    hs = _normal(xp, rng, (N, T, H)).astype(dtype)
    hd = _normal(xp, rng, (N, T_dec, H)).astype(dtype)
    dout = _normal(xp, rng, (N, T_dec, H)).astype(dtype)
    layer = TimeAttention()
    out = layer.forward(hs, hd)
    dhs, dhd = layer.backward(dout)
    assert out.dtype == dhs.dtype == dhd.dtype == dtype
    loop_out, loop_dhd, loop_dhs, weights = [], [], 0, []
    steps = [Attention() for _ in range(T_dec)]
    for t, step in enumerate(steps):
        loop_out.append(step.forward(hs, hd[:, t]))
        weights.append(step.attention_weight)
    for t, step in enumerate(steps):
        d_hs, d_h = step.backward(dout[:, t])
        loop_dhs = loop_dhs + d_hs
        loop_dhd.append(d_h)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-11, "atol": 1e-12}
    cpu = backend.to_cpu
    np.testing.assert_allclose(cpu(out), np.stack([cpu(o) for o in loop_out], axis=1), **tol)
    np.testing.assert_allclose(cpu(layer.weights), np.stack([cpu(w) for w in weights], axis=1), **tol)
    np.testing.assert_allclose(cpu(dhs), cpu(loop_dhs), **tol)
    np.testing.assert_allclose(cpu(dhd), np.stack([cpu(d) for d in loop_dhd], axis=1), **tol)


def test_layers_have_no_parameters_and_need_forward_first(rng):
    for layer in (WeightSum(), AttentionWeight(), Attention(), TimeAttention()):
        assert layer.params == [] and layer.grads == []
        with pytest.raises(ForwardFirstError, match="before forward"):
            layer.backward(np.zeros((2, 3)))


def test_layers_bad_input(rng):
    hs = rng.standard_normal((2, 5, 3))
    with pytest.raises(ValueError, match=r"hs must be 3-D \(N, T, H\)"):
        Attention().forward(hs[0], hs[:, 0])
    with pytest.raises(ValueError, match=r"decoder state h must be \(2, 3\)"):
        Attention().forward(hs, hs[:, :, 0])
    with pytest.raises(ValueError, match=r"attention weights a must be \(2, 5\)"):
        WeightSum().forward(hs, np.ones((2, 4)))
    with pytest.raises(ValueError, match="float dtype"):
        AttentionWeight().forward(hs.astype(np.int64), hs[:, 0])
    with pytest.raises(ValueError, match="empty"):
        TimeAttention().forward(hs[:, :0], hs)
    with pytest.raises(ValueError, match=r"hs_dec must be \(2, T_dec, 3\)"):
        TimeAttention().forward(hs, rng.standard_normal((3, 4, 3)))
    with pytest.raises(ValueError, match=r"hs_dec must be \(2, T_dec, 3\)"):
        TimeAttention().forward(hs, rng.standard_normal((2, 4, 5)))
    layer = TimeAttention()
    layer.forward(hs, hs[:, :2])
    with pytest.raises(ValueError, match=r"dout must be \(2, 2, 3\)"):
        layer.backward(np.zeros((2, 3, 3)))


# --- TimeBiLSTM -----------------------------------------------------------------------------------------------


def _bilstm_weights(xp, rng, D, H, dtype=np.float64):
    return [_normal(xp, rng, s, 0.5).astype(dtype) for s in [(D, 4 * H), (H, 4 * H), (4 * H,)] * 2]


def test_bilstm_gradients(xp, rng, assert_grads_ok):
    N, T, D, H = 3, 5, 4, 3
    layer = TimeBiLSTM(*_bilstm_weights(xp, rng, D, H))
    errors = check_layer(layer, _normal(xp, rng, (N, T, D)))
    assert set(errors) == {f"params[{i}]" for i in range(6)} | {"input[0]"}
    assert_grads_ok(errors)


def test_bilstm_is_a_forward_and_a_reversed_lstm_side_by_side(xp, rng):
    N, T, D, H = 2, 6, 3, 4
    w = _bilstm_weights(xp, rng, D, H)
    layer = TimeBiLSTM(*w)
    assert all(p is q for p, q in zip(layer.params, w, strict=True))  # the book's order
    xs = _normal(xp, rng, (N, T, D))
    hs = backend.to_cpu(layer.forward(xs))
    assert hs.shape == (N, T, 2 * H)
    fwd = backend.to_cpu(TimeLSTM(*w[:3]).forward(xs))
    bwd = backend.to_cpu(TimeLSTM(*w[3:]).forward(xs[:, ::-1].copy()))
    np.testing.assert_allclose(hs[:, :, :H], fwd, rtol=1e-12)
    np.testing.assert_allclose(hs[:, :, H:], bwd[:, ::-1], rtol=1e-12)
    # the backward direction at the first position has read the whole sequence
    np.testing.assert_allclose(hs[:, 0, H:], bwd[:, -1], rtol=1e-12)


def test_bilstm_bad_input(rng):
    w = _bilstm_weights(np, rng, 3, 4)
    with pytest.raises(ValueError, match="same shapes"):
        TimeBiLSTM(*w[:3], *_bilstm_weights(np, rng, 3, 5)[3:])
    with pytest.raises(ValueError, match="TimeLSTM Wh must be"):
        TimeBiLSTM(w[0], w[1][:, :3], *w[2:])
    layer = TimeBiLSTM(*w)
    with pytest.raises(ForwardFirstError):
        layer.backward(np.zeros((1, 2, 8)))
    with pytest.raises(ValueError, match=r"input xs must be \(N, T, 3\)"):
        layer.forward(rng.standard_normal((2, 5, 4)))
    layer.forward(rng.standard_normal((2, 5, 3)))
    with pytest.raises(ValueError, match=r"dhs must be \(2, 5, 8\)"):
        layer.backward(np.zeros((2, 5, 4)))


# --- the encoder, the decoder and the model ---------------------------------------------------------------------


def test_params_are_in_the_books_order_with_the_books_shapes():
    V, D, H = 13, 4, 6
    m = AttentionSeq2seq(V, D, H)
    assert isinstance(m, Seq2seq) and m.param_names == NAMES
    assert [p.shape for p in m.params] == [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,),
                                           (V, D), (D, 4 * H), (H, 4 * H), (4 * H,), (2 * H, V), (V,)]
    assert all(p is q for p, q in zip(m.params, m.encoder.params + m.decoder.params, strict=True))
    assert all(p.dtype == np.float32 for p in m.params) and m.vocab_size == V
    bi = AttentionSeq2seq(V, D, H, bidirectional=True)
    assert bi.param_names == BI_NAMES
    assert [p.shape for p in bi.params][:7] == [(V, D), (D, 12), (3, 12), (12,), (D, 12), (3, 12), (12,)]
    assert [p.shape for p in bi.params][7:] == [p.shape for p in m.params][4:]


def test_initialisation_follows_the_book_and_the_seed():
    V, D, H = 500, 64, 96
    m = AttentionSeq2seq(V, D, H, seed=3)
    std = [float(np.asarray(p, dtype=np.float64).std()) for p in m.params]
    assert std[0] == pytest.approx(0.01, rel=0.05) and std[4] == pytest.approx(0.01, rel=0.05)
    assert std[1] == pytest.approx(1 / np.sqrt(D), rel=0.05) and std[5] == pytest.approx(1 / np.sqrt(D), rel=0.05)
    assert std[2] == pytest.approx(1 / np.sqrt(H), rel=0.05)
    assert std[8] == pytest.approx(1 / np.sqrt(2 * H), rel=0.05)
    assert not m.params[3].any() and not m.params[7].any() and not m.params[9].any()
    again = AttentionSeq2seq(V, D, H, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(m.params, again.params))
    assert not np.array_equal(AttentionSeq2seq(V, D, H, seed=4).params[1], m.params[1])
    bi = AttentionSeq2seq(V, D, H, seed=3, bidirectional=True)
    assert float(bi.params[2].std()) == pytest.approx(1 / np.sqrt(H // 2), rel=0.05)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_encoder_gradients(xp, rng, assert_grads_ok, bidirectional):
    V, D, H, N, T = 7, 3, 4, 3, 5
    enc = _on(xp, AttentionEncoder, V, D, H, dtype=np.float64, bidirectional=bidirectional)
    _enlarge(enc, rng)
    xs = xp.asarray(rng.integers(0, V, (N, T)))
    xs[0, :3] = 2  # a repeated id: its embedding gradient is summed
    assert enc.forward(xs).shape == (N, T, H)
    errors = check_layer(enc, xs)
    assert set(errors) == {f"params[{i}]" for i in range(7 if bidirectional else 4)}
    assert_grads_ok(errors)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_decoder_gradients_include_the_encoder_states(xp, rng, assert_grads_ok, bidirectional):
    V, D, H, N, T, T_dec = 7, 3, 4, 3, 5, 4
    dec = _on(xp, AttentionDecoder, V, D, H, dtype=np.float64, bidirectional=bidirectional)
    _enlarge(dec, rng)
    xs = xp.asarray(rng.integers(0, V, (N, T_dec)))
    xs[1, 1:] = 4
    enc_hs = _normal(xp, rng, (N, T, H))
    assert dec.forward(xs, enc_hs).shape == (N, T_dec, V)
    assert dec.attention.weights.shape == (N, T_dec, T)
    errors = check_layer(dec, xs, enc_hs)
    assert set(errors) == {f"params[{i}]" for i in range(6)} | {"input[1]"}  # input[1]: denc_hs
    assert_grads_ok(errors)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_model_gradients(xp, rng, assert_grads_ok, bidirectional):
    V, D, H, N = 8, 3, 4, 3
    model = _on(xp, AttentionSeq2seq, V, D, H, dtype=np.float64, seed=1, bidirectional=bidirectional)
    _enlarge(model, rng)
    xs = xp.asarray(rng.integers(0, V, (N, 6)))
    ts = xp.asarray(rng.integers(0, V, (N, 4)))
    ts[:, 0] = 5  # the start character, as in the book's data
    errors = check_model(model, xs, ts)
    assert set(errors) == set(BI_NAMES if bidirectional else NAMES)
    assert_grads_ok(errors)


def test_decoder_starts_from_the_encoders_final_states(rng):
    V, D, H, N, T = 6, 3, 4, 2, 5
    enc_hs = rng.standard_normal((N, T, H))
    plain = AttentionDecoder(V, D, H, dtype=np.float64)
    plain.forward(rng.integers(0, V, (N, 2)), enc_hs)
    np.testing.assert_array_equal(plain.lstm.cache["HS"][0], enc_hs[:, -1])
    bi = AttentionDecoder(V, D, H, dtype=np.float64, bidirectional=True)
    bi.forward(rng.integers(0, V, (N, 2)), enc_hs)
    # forward direction's last state, backward direction's last state (at the first position)
    np.testing.assert_array_equal(bi.lstm.cache["HS"][0], np.concatenate([enc_hs[:, -1, :2], enc_hs[:, 0, 2:]], 1))


@pytest.fixture(params=["shared", "one pass"])
def sharing(request, monkeypatch):
    """Batched decoding with the encoder's work on common beginnings shared (from 1 row on), or never."""
    from scratchnlp.models import attention_seq2seq as module

    monkeypatch.setattr(module, "_SHARE_MIN_ROWS", 1 if request.param == "shared" else 10**9)
    return request.param


def _one_by_one(model, xs, start, size):
    return np.concatenate([model.generate(xs[i:i + 1], int(start[i]), size) for i in range(len(xs))])


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_generate_equals_decoding_each_row_alone(dtype, bidirectional, rng, sharing):
    V, N = 12, 40
    model = AttentionSeq2seq(V, 5, 8, seed=2, dtype=dtype, bidirectional=bidirectional)
    _enlarge(model, rng, 0.8)  # a random model that does not answer every question the same way
    xs = rng.integers(0, V, (N, 7))
    xs[:25, :3] = 0  # beginnings in common, as the padding of reversed dates
    start = rng.integers(0, V, N)
    batched = model.generate(xs, start, 6)
    assert batched.shape == (N, 6) and batched.dtype.kind == "i" and isinstance(batched, np.ndarray)
    assert len({tuple(r) for r in batched}) > 5
    np.testing.assert_array_equal(batched, _one_by_one(model, xs, start, 6))
    np.testing.assert_array_equal(model.generate(xs, 3, 6), _one_by_one(model, xs, np.full(N, 3), 6))
    np.testing.assert_array_equal(model.generate(xs, start.reshape(N, 1), 6), batched)


def test_generate_returns_the_attention_of_the_decoding(rng, sharing):
    V, N, T, S = 9, 6, 7, 5
    model = AttentionSeq2seq(V, 4, 6, dtype=np.float64)
    _enlarge(model, rng)
    xs = rng.integers(0, V, (N, T))
    ids, weights = model.generate(xs, 2, S, return_attention=True)
    np.testing.assert_array_equal(ids, model.generate(xs, 2, S))
    assert weights.shape == (N, S, T) and isinstance(weights, np.ndarray) and weights.dtype == np.float64
    np.testing.assert_allclose(weights.sum(axis=2), 1.0, rtol=1e-12)
    # teacher forcing on the generated prefix gives the same argmax and the same attention at every step
    enc_hs = model.encoder.forward(xs)
    scores = model.decoder.forward(np.concatenate([np.full((N, 1), 2), ids[:, :-1]], axis=1), enc_hs)
    np.testing.assert_array_equal(scores.argmax(axis=2), ids)
    np.testing.assert_allclose(model.decoder.attention.weights, weights, rtol=1e-10, atol=1e-14)
    ids1, w1 = model.generate(xs[:1], 2, S, return_attention=True)
    np.testing.assert_allclose(w1, weights[:1], rtol=1e-12)


def test_decoding_in_blocks_gives_the_same_answers_and_attention(rng, monkeypatch, sharing):
    from scratchnlp.models import attention_seq2seq as module

    model = AttentionSeq2seq(9, 4, 6, seed=0)
    _enlarge(model, rng)
    xs = rng.integers(0, 9, (50, 5))
    whole, w_whole = model.generate(xs, 1, 4, return_attention=True)
    monkeypatch.setattr(module, "_DECODE_ROWS", 7)
    ids, w = model.generate(xs, 1, 4, return_attention=True)
    np.testing.assert_array_equal(ids, whole)
    np.testing.assert_allclose(w, w_whole, rtol=1e-6)
    np.testing.assert_array_equal(model.generate(xs, 1, 4), whole)


def test_prefix_states_are_the_encoders_states_each_beginning_computed_once(xp, rng):
    from scratchnlp.models.attention_seq2seq import _gather_states

    V, N, T = 5, 60, 6
    enc = _on(xp, AttentionEncoder, V, 3, 8, dtype=np.float64)
    _enlarge(enc, rng)
    xs = rng.integers(0, V, (N, T))
    xs[:40, :3] = 0  # padding first, as the reversed dates
    xs[:20, 3] = 1
    states, groups = enc.prefix_states(xp.asarray(xs))
    assert groups.shape == (N, T) and [s.shape[0] for s in states][:3] == [len(np.unique(xs[:, 0])),
                                                                           *(len(np.unique(xs[:, :k], axis=0))
                                                                             for k in (2, 3))]
    assert states[2].shape[0] < N and all(s.shape[0] <= N for s in states)
    np.testing.assert_allclose(backend.to_cpu(_gather_states(states, groups)),
                               backend.to_cpu(enc.forward(xp.asarray(xs))), rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="unidirectional"):
        AttentionEncoder(V, 3, 8, bidirectional=True).prefix_states(xs)


def test_prefix_states_match_forward_in_float32_at_the_books_sizes(rng):
    """The same per-row arithmetic as forward; only BLAS may round a one-row product differently."""
    from scratchnlp.models.attention_seq2seq import _gather_states

    enc = AttentionEncoder(59, 16, 256, seed=0)
    xs = rng.integers(1, 59, (300, 29))
    xs[:, :5] = 0  # one distinct beginning for five steps: products of a single row
    xs[:200, :20] = 0
    np.testing.assert_allclose(_gather_states(*enc.prefix_states(xs)), enc.forward(xs), rtol=1e-5, atol=1e-6)


def test_accuracy_from_the_evaluation_module(rng):
    from scratchnlp.evaluation import eval_seq2seq, evaluate_seq2seq, seq2seq_accuracy

    model = AttentionSeq2seq(6, 4, 8, seed=0)
    _enlarge(model, rng)
    x = rng.integers(0, 5, (30, 4))
    t = np.concatenate([np.full((30, 1), 5), model.generate(x, 5, 3)], axis=1)
    t[::3, 2] = (t[::3, 2] + 1) % 5  # every third answer is now wrong
    id_to_char = dict(enumerate("abcde_"))
    book = sum(eval_seq2seq(model, x[[i]], t[[i]], id_to_char) for i in range(len(x))) / len(x)
    assert seq2seq_accuracy(model, x, t) == book == pytest.approx(2 / 3)
    assert evaluate_seq2seq(model, x, t, id_to_char, batch_size=7)["correct"] == 20


def test_generate_does_not_change_the_weights(rng):
    model = AttentionSeq2seq(10, 4, 6, bidirectional=True)
    before = [p.copy() for p in model.params]
    model.generate(rng.integers(0, 10, (3, 4)), 0, 3, return_attention=True)
    assert all(np.array_equal(p, q) for p, q in zip(before, model.params))


# --- bad input --------------------------------------------------------------------------------------------------


def test_ids_outside_the_vocabulary_are_one_clear_error(rng):
    model = AttentionSeq2seq(10, 4, 6)
    xs = rng.integers(0, 10, (3, 4))
    bad = xs.copy()
    bad[1, 2] = 10
    with pytest.raises(ValueError, match=r"questions xs holds the id 10, outside the model's vocabulary \[0, 10\)"):
        model.generate(bad, 0, 3)
    with pytest.raises(ValueError, match="outside the model's vocabulary"):
        model.forward(bad, xs)
    with pytest.raises(ValueError, match="answers ts holds the id -1"):
        model.forward(xs, np.full((3, 3), -1))
    with pytest.raises(ValueError, match=r"start_id 12 is outside the model's vocabulary \[0, 10\)"):
        model.generate(xs, 12, 3, return_attention=True)


def test_bad_sample_size_shapes_and_dtypes(rng):
    model = AttentionSeq2seq(10, 4, 6)
    xs = rng.integers(0, 10, (3, 4))
    for size in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="sample_size must be a positive int"):
            model.generate(xs, 0, size)
    with pytest.raises(ValueError, match=r"2-D integer array \(N, T\)"):
        model.generate(xs.astype(np.float32), 0, 3)
    with pytest.raises(ValueError, match="empty"):
        model.generate(xs[:0], 0, 3)
    with pytest.raises(TypeError, match="NumPy or CuPy array"):
        model.generate([[1, 2]], 0, 3)
    with pytest.raises(ValueError, match="integer array of 3 ids"):
        model.generate(xs, np.array([1, 2]), 3)
    with pytest.raises(ValueError, match="same batch size"):
        model.forward(xs, xs[:2])
    with pytest.raises(ValueError, match="at least 2 columns"):
        model.forward(xs, xs[:, :1])
    with pytest.raises(ValueError, match=r"enc_hs must be \(3, T, 6\)"):
        model.decoder.forward(xs, np.zeros((3, 4, 5), np.float32))
    with pytest.raises(ValueError, match=r"enc_hs must be \(3, T, 6\)"):
        model.decoder.forward(xs, np.zeros((3, 6), np.float32))
    with pytest.raises(ValueError, match=r"enc_hs must be \(2, T, 6\)"):
        model.decoder.generate(np.zeros((2, 0, 6), np.float32), 0, 3)
    with pytest.raises(ValueError, match=r"dhs must be \(3, 4, 6\)"):
        model.encoder.forward(xs)
        model.encoder.backward(np.zeros((3, 4, 5), np.float32))


def test_bad_sizes_and_options():
    with pytest.raises(ValueError, match="hidden_size must be even with bidirectional=True"):
        AttentionSeq2seq(10, 4, 5, bidirectional=True)
    with pytest.raises(ValueError, match="bidirectional must be True or False"):
        AttentionSeq2seq(10, 4, 6, bidirectional="yes")
    for args in [(0, 4, 5), (10, 0, 5), (10, 4, -1), (10, 4.5, 5)]:
        with pytest.raises(ValueError, match="must be a positive int"):
            AttentionSeq2seq(*args)
    with pytest.raises(ValueError, match="float dtype"):
        AttentionSeq2seq(5, 4, 6, dtype=np.int32)


@pytest.mark.gpu
def test_gpu_matches_cpu(rng):
    xs = rng.integers(0, 9, (20, 5))
    ts = rng.integers(0, 9, (20, 4))
    cpu = AttentionSeq2seq(9, 4, 8, seed=0)
    backend.set_device("gpu")
    try:
        gpu = AttentionSeq2seq(9, 4, 8, seed=0)
        assert backend.is_gpu_array(gpu.params[0])
        assert gpu.forward(backend.to_gpu(xs), backend.to_gpu(ts)) == pytest.approx(cpu.forward(xs, ts), rel=1e-4)
        ids, w = gpu.generate(xs, 0, 3, return_attention=True)
        cpu_ids, cpu_w = cpu.generate(xs, 0, 3, return_attention=True)
        np.testing.assert_array_equal(ids, cpu_ids)
        np.testing.assert_allclose(w, cpu_w, rtol=1e-4, atol=1e-6)
    finally:
        backend.set_device("cpu")
