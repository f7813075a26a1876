"""Hostile input to the functions and layers: one clear error, or the right answer, never NaN or a NumPy internal.

* Scores: ``-inf`` masks a class out (probability 0, no NaN, no warning); NaN, ``+inf`` or a row of only
  ``-inf`` raise ``NonFiniteScoresError``, which is both the trainers' ``NonFiniteLossError`` and a
  ``ValueError``. The same rule for every softmax, every softmax or sigmoid loss, and the attention weights.
* Empty batches, strings, lists, wrong shapes in ``backward``: one ``ValueError`` / ``TypeError`` line that
  names the layer, what was wrong and what was expected.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp._checks import NonFiniteLossError
from scratchnlp.functions import (
    NonFiniteScoresError,
    cross_entropy_error,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)
from scratchnlp.layers import (
    GRU,
    LSTM,
    RNN,
    Affine,
    Attention,
    AttentionWeight,
    Dropout,
    Embedding,
    EmbeddingDot,
    MatMul,
    NegativeSamplingLoss,
    ReLU,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
    TimeAffine,
    TimeAttention,
    TimeBiLSTM,
    TimeDropout,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
    TimeSoftmaxWithLoss,
    WeightSum,
)

INF, NAN = np.inf, np.nan


@pytest.fixture(autouse=True)
def warnings_are_errors():
    """A NaN made on the way shows up as a RuntimeWarning first: none may be emitted."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def one_line(exc_info) -> str:
    text = str(exc_info.value)
    assert "\n" not in text and text, text
    return text


# ---------------------------------------------------------------------------------------------------------
# the scores rule: every softmax and softmax/sigmoid loss, on every array namespace
# ---------------------------------------------------------------------------------------------------------

# each takes (N, C) scores and labels (N,) and returns a loss or probabilities, all through the public API
SCORE_USERS = {
    "softmax": lambda x, t: softmax(x),
    "log_softmax": lambda x, t: log_softmax(x),
    "softmax_cross_entropy": lambda x, t: softmax_cross_entropy(x, t),
    "Softmax": lambda x, t: Softmax().forward(x),
    "SoftmaxWithLoss": lambda x, t: SoftmaxWithLoss().forward(x, t),
    "TimeSoftmaxWithLoss": lambda x, t: TimeSoftmaxWithLoss().forward(x[None], t[None]),
    "TimeSoftmaxWithLoss, one position ignored": lambda x, t: _with_ignored_row(x, t),
}


def _with_ignored_row(x, t):
    """TimeSoftmaxWithLoss on the rows of ``x`` and one more, of zeros, whose label is the ignore label."""
    xp = backend.xp(x)
    xs = xp.concatenate((x, xp.zeros_like(x[:1])), axis=0)[None]
    return TimeSoftmaxWithLoss().forward(xs, xp.concatenate((t, xp.asarray([-1])))[None])


def _scores(xp, rows):
    return xp.asarray(np.array(rows, dtype=np.float64))


@pytest.mark.parametrize("user", list(SCORE_USERS))
@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ([[1.0, INF, 0.0], [0.0, 1.0, 2.0]], "+inf"),
        ([[1.0, NAN, 0.0], [0.0, 1.0, 2.0]], "NaN"),
        ([[NAN, INF, 0.0], [0.0, 1.0, 2.0]], "NaN"),
        ([[-INF, -INF, -INF], [0.0, 1.0, 2.0]], "every score is -inf"),
    ],
)
def test_nan_and_plus_inf_scores_are_one_error_that_stops_training(xp, user, rows, said):
    with pytest.raises(NonFiniteScoresError) as info:
        SCORE_USERS[user](_scores(xp, rows), xp.asarray([0, 2]))
    assert said in one_line(info)
    assert "in 1 of " in str(info.value)
    assert isinstance(info.value, NonFiniteLossError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("user", list(SCORE_USERS))
def test_minus_inf_masks_a_class_out_without_nan(xp, user):
    masked = SCORE_USERS[user](_scores(xp, [[1.0, -INF, 0.0], [-INF, 0.0, -INF]]), xp.asarray([0, 1]))
    plain = SCORE_USERS[user](_scores(xp, [[1.0, -1e4, 0.0], [-1e4, 0.0, -1e4]]), xp.asarray([0, 1]))
    if isinstance(masked, float):
        assert masked == pytest.approx(plain)
    else:
        masked = backend.to_cpu(masked)
        assert not np.isnan(masked).any()
        np.testing.assert_allclose(np.maximum(masked, -1e4), np.maximum(backend.to_cpu(plain), -1e4))


@pytest.mark.parametrize("user", ["SoftmaxWithLoss", "TimeSoftmaxWithLoss", "softmax_cross_entropy"])
def test_a_label_whose_score_is_minus_inf_has_an_infinite_loss_not_nan(xp, user):
    assert SCORE_USERS[user](_scores(xp, [[1.0, -INF, 0.0]]), xp.asarray([1])) == INF


def test_an_ignored_position_with_minus_inf_scores_adds_nothing(xp):
    # an ignored row's label is replaced by 0 internally; a -inf score there once made inf * 0 = NaN
    layer = TimeSoftmaxWithLoss()
    xs = _scores(xp, [[[-INF, 1.0], [0.0, 1.0]]])
    loss = layer.forward(xs, xp.asarray([[-1, 1]]))
    assert loss == pytest.approx(np.log1p(np.exp(-1.0)))
    dx = backend.to_cpu(layer.backward())
    assert np.isfinite(dx).all() and (dx[0, 0] == 0).all()


def test_time_softmax_loss_refuses_nan_in_an_ignored_row_too(xp):
    with pytest.raises(NonFiniteScoresError, match="NaN"):
        TimeSoftmaxWithLoss().forward(_scores(xp, [[[NAN, 1.0], [0.0, 1.0]]]), xp.asarray([[-1, 1]]))


def test_time_softmax_loss_refuses_inf_when_the_scores_are_overwritten_and_biased(xp):
    xs = _scores(xp, [[[0.0, 1.0], [0.0, 1.0]]])
    bias = xp.asarray(np.array([0.0, INF]))
    with pytest.raises(NonFiniteScoresError, match=r"\+inf in 2 of 2"):
        TimeSoftmaxWithLoss().forward(xs, xp.asarray([[0, 1]]), overwrite_xs=True, bias=bias)


@pytest.mark.parametrize(
    ("scores", "labels", "said"),
    [([INF, 0.0], [0, 1], "+inf"), ([INF, 0.0], [1, 1], "+inf"), ([NAN, 0.0], [0, 1], "NaN")],
)
def test_sigmoid_loss_follows_the_same_rule(xp, scores, labels, said):
    with pytest.raises(NonFiniteScoresError, match=f"SigmoidWithLoss scores x hold {said.replace('+', '[+]')}"):
        SigmoidWithLoss().forward(xp.asarray(np.array(scores)), xp.asarray(labels))


def test_sigmoid_loss_minus_inf_is_probability_zero(xp):
    layer = SigmoidWithLoss()
    assert layer.forward(xp.asarray(np.array([-INF, 0.0])), xp.asarray([0, 1])) == pytest.approx(np.log(2) / 2)
    np.testing.assert_allclose(backend.to_cpu(layer.backward()), [0.0, -0.25])
    assert layer.forward(xp.asarray(np.array([-INF, 0.0])), xp.asarray([1, 1])) == INF


def test_sigmoid_loss_still_equals_the_book_formula(rng):
    x = rng.normal(0, 5, size=(4, 6))
    t = rng.integers(0, 2, size=(4, 6))
    y = 1 / (1 + np.exp(-x))
    book = -np.mean(t * np.log(y) + (1 - t) * np.log(1 - y))
    assert SigmoidWithLoss().forward(x, t) == pytest.approx(book, rel=1e-12)


def test_attention_weights_follow_the_rule(xp):
    hs = xp.asarray(np.ones((1, 3, 2)))
    with pytest.raises(NonFiniteScoresError, match="NaN"):
        AttentionWeight().forward(hs, xp.asarray(np.array([[NAN, 1.0]])))
    with pytest.raises(NonFiniteScoresError, match="TimeAttention scores"):
        TimeAttention().forward(hs, xp.asarray(np.array([[[INF, 1.0]]])))


def test_a_diverged_model_stops_training_with_the_one_error_type():
    from scratchnlp.models import Rnnlm

    model = Rnnlm(8, 4, 4, seed=0)
    model.params[-1][3] = np.inf  # the output bias: a word scored +inf at every position
    with pytest.raises(NonFiniteLossError, match=r"\+inf"):
        model.forward(np.zeros((2, 3), dtype=np.int64), np.ones((2, 3), dtype=np.int64))


# ---------------------------------------------------------------------------------------------------------
# empty batches
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: cross_entropy_error(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        lambda: softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        lambda: SoftmaxWithLoss().forward(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        lambda: SigmoidWithLoss().forward(np.zeros((0, 3)), np.zeros((0, 3), dtype=int)),
        lambda: RNN(np.ones((3, 2)), np.ones((2, 2)), np.zeros(2)).forward(np.zeros((0, 3)), np.zeros((0, 2))),
        lambda: GRU(np.ones((3, 6)), np.ones((2, 6)), np.zeros(6)).forward(np.zeros((0, 3)), np.zeros((0, 2))),
        lambda: LSTM(np.ones((3, 8)), np.ones((2, 8)), np.zeros(8)).forward(
            np.zeros((0, 3)), np.zeros((0, 2)), np.zeros((0, 2))),
    ],
    ids=["cross_entropy_error", "softmax_cross_entropy", "SoftmaxWithLoss", "SigmoidWithLoss", "RNN", "GRU", "LSTM"],
)
def test_an_empty_batch_is_refused(call):
    with pytest.raises(ValueError, match="empty") as info:
        call()
    one_line(info)


def test_softmax_needs_a_class():
    with pytest.raises(ValueError, match="C >= 1") as info:
        Softmax().forward(np.zeros((2, 0)))
    one_line(info)
    with pytest.raises(ValueError, match="C >= 1"):
        softmax(np.float64(1.0).reshape(()))
    assert softmax(np.zeros((0, 3))).shape == (0, 3)  # no rows is fine: nothing is averaged


# ---------------------------------------------------------------------------------------------------------
# strings, lists and ints: one line naming the input, never a NumPy internal
# ---------------------------------------------------------------------------------------------------------

STRINGS = np.array(["a", "b"])


@pytest.mark.parametrize(
    ("call", "error", "said"),
    [
        (lambda: Sigmoid().forward(STRINGS), ValueError, "Sigmoid input x must have a float dtype"),
        (lambda: Sigmoid().forward([1.0, 2.0]), TypeError, "Sigmoid input x must be a NumPy or CuPy array"),
        (lambda: sigmoid(STRINGS), ValueError, "sigmoid input x must hold numbers"),
        (lambda: sigmoid([1.0]), TypeError, "sigmoid input x must be a NumPy or CuPy array, got list"),
        (lambda: relu("1"), TypeError, "relu input x must be a NumPy or CuPy array, got str"),
        (lambda: ReLU().forward(STRINGS), ValueError, "ReLU input x must have a float dtype"),
        (lambda: Softmax().forward([[1.0, 2.0]]), TypeError, "Softmax scores x must be a NumPy or CuPy array"),
        (lambda: softmax(STRINGS), ValueError, "softmax scores x must hold numbers"),
        (lambda: Dropout().forward(STRINGS), ValueError, "Dropout input x must have a float dtype"),
        (lambda: Dropout().forward([1.0]), TypeError, "Dropout input x must be a NumPy or CuPy array"),
        (lambda: TimeDropout().forward(np.ones((1, 2, 3), dtype=np.int64)), ValueError, "TimeDropout input x"),
        (lambda: SigmoidWithLoss().forward(STRINGS, np.array([0, 1])), ValueError, "must have a float dtype"),
        (lambda: SigmoidWithLoss().forward([1.0], [0]), TypeError, "SigmoidWithLoss scores x must be a NumPy"),
        (lambda: SigmoidWithLoss().forward(np.ones(2), STRINGS), ValueError, "labels must be integers 0 or 1"),
        (lambda: SigmoidWithLoss().forward(np.ones(1), [1]), TypeError, "SigmoidWithLoss labels t must be a NumPy"),
        (lambda: cross_entropy_error([[0.5, 0.5]], [0]), TypeError, "probabilities y must be a NumPy or CuPy"),
        (lambda: cross_entropy_error(STRINGS, np.array(0)), ValueError, "probabilities y must hold numbers"),
        (lambda: cross_entropy_error(np.array([0.5, 0.5]), [0]), TypeError, "labels t must be a NumPy"),
        (lambda: cross_entropy_error(np.array([0.5, 0.5]), np.array(0), eps="1"), TypeError, "eps must be a real"),
        (lambda: softmax_cross_entropy(np.ones((1, 2)), [0]), TypeError, "labels t must be a NumPy"),
    ],
)
def test_wrong_types_are_one_clear_line(call, error, said):
    with pytest.raises(error) as info:
        call()
    assert said in one_line(info)


def test_dropout_of_ints_is_refused_not_scaled_wrongly():
    # int(1 / (1 - 0.3)) == 1: the kept units were not scaled up at all
    with pytest.raises(ValueError, match="float dtype"):
        Dropout(0.3).forward(np.full(10, 10))


def test_cross_entropy_error_refuses_what_is_not_a_probability():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*softmax_cross_entropy") as info:
        cross_entropy_error(np.array([[3.0, -1.0]]), np.array([0]))
    one_line(info)
    with pytest.raises(NonFiniteScoresError, match="NaN"):
        cross_entropy_error(np.array([[NAN, 1.0]]), np.array([0]))
    assert cross_entropy_error(np.array([[0.0, 1.0]]), np.array([0]), eps=0) == INF


def test_scalars_still_work_where_the_book_uses_them():
    assert sigmoid(0.0) == 0.5 and relu(-2) == 0
    assert float(cross_entropy_error(np.array([0.1, 0.9]), np.array(1))) == pytest.approx(-np.log(0.9 + 1e-7))


# ---------------------------------------------------------------------------------------------------------
# backward: the incoming gradient must have the shape of the forward output
# ---------------------------------------------------------------------------------------------------------


def _forwarded(layer, *inputs):
    layer.forward(*inputs)
    return layer


@pytest.mark.parametrize(
    ("make", "dout", "said"),
    [
        (lambda: _forwarded(Affine(np.ones((3, 2)), np.zeros(2)), np.ones((4, 3))), np.ones((4, 5)),
         "Affine.backward dout must be (4, 2)"),
        (lambda: _forwarded(Affine(np.ones((3, 2)), np.zeros(2)), np.ones((4, 3))), np.ones((3, 2)),
         "Affine.backward dout must be (4, 2)"),
        (lambda: _forwarded(MatMul(np.ones((3, 2))), np.ones((4, 3))), np.ones((4, 5)),
         "MatMul.backward dout must be (4, 2)"),
        (lambda: _forwarded(Embedding(np.ones((5, 3))), np.array([1, 2])), np.ones((2, 4)),
         "Embedding.backward dout must be (2, 3)"),
        (lambda: _forwarded(Embedding(np.ones((5, 3))), np.array([1, 2])), np.ones((3, 3)),
         "Embedding.backward dout must be (2, 3)"),
        (lambda: _forwarded(Sigmoid(), np.ones((2, 3))), np.ones((3, 2)), "Sigmoid.backward dout"),
        (lambda: _forwarded(Softmax(), np.ones((2, 3))), np.ones((2, 1)), "Softmax.backward dout"),
        (lambda: _forwarded(ReLU(), np.ones((2, 3))), np.ones(3), "ReLU.backward dout"),
        (lambda: _forwarded(Dropout(), np.ones((2, 3))), np.ones((2, 1)), "Dropout.backward dout"),
        (lambda: _forwarded(RNN(np.ones((3, 2)), np.ones((2, 2)), np.zeros(2)), np.ones((2, 3)), np.ones((2, 2))),
         np.ones((3, 2)), "RNN.backward dh_next must be (2, 2)"),
        (lambda: _forwarded(GRU(np.ones((3, 6)), np.ones((2, 6)), np.zeros(6)), np.ones((2, 3)), np.ones((2, 2))),
         [1.0, 1.0], "GRU.backward dh_next must be a NumPy or CuPy array"),
    ],
)
def test_backward_with_a_wrong_shape_says_the_expected_one(make, dout, said):
    layer = make()
    with pytest.raises((ValueError, TypeError)) as info:
        layer.backward(dout)
    assert said in one_line(info)


def test_lstm_backward_checks_both_gradients():
    layer = _forwarded(LSTM(np.ones((3, 8)), np.ones((2, 8)), np.zeros(8)), np.ones((2, 3)), np.ones((2, 2)),
                       np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"LSTM.backward dc_next must be \(2, 2\)"):
        layer.backward(np.ones((2, 2)), np.ones((1, 2)))
    with pytest.raises(TypeError, match="LSTM c_prev must be a NumPy or CuPy array"):
        layer.forward(np.ones((2, 3)), np.ones((2, 2)), [[0.0, 0.0]] * 2)


@pytest.mark.parametrize("layer", [SoftmaxWithLoss, SigmoidWithLoss, TimeSoftmaxWithLoss])
def test_loss_backward_dout_must_be_a_number(layer):
    loss = layer()
    if layer is TimeSoftmaxWithLoss:
        loss.forward(np.ones((1, 2, 3)), np.array([[0, 1]]))
    elif layer is SigmoidWithLoss:
        loss.forward(np.ones(2), np.array([0, 1]))
    else:
        loss.forward(np.ones((2, 3)), np.array([0, 1]))
    with pytest.raises(TypeError, match="dout must be a real number"):
        loss.backward("1")


# ---------------------------------------------------------------------------------------------------------
# TimeEmbedding reports the ids as given, not transposed
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ids", "said"),
    [
        (np.array([[1, 2, 7]]), r"TimeEmbedding ids xs must hold ids in \[0, 5\), got 7 \(array of shape \(1, 3\)"),
        (np.array([[1.0, 2.0, 3.0]]), r"TimeEmbedding ids xs must be an integer array .* shape \(1, 3\)"),
    ],
)
def test_time_embedding_errors_show_the_shape_given(ids, said):
    with pytest.raises(ValueError, match=said):
        TimeEmbedding(np.ones((5, 3))).forward(ids)


# ---------------------------------------------------------------------------------------------------------
# every layer's backward, one table: a list, strings or a wrong shape are one line naming the layer
# ---------------------------------------------------------------------------------------------------------


def _f(*shape):
    return np.random.default_rng(0).normal(size=shape)


# name: (make the layer, forward's inputs, a gradient of the right shape)
EVERY_LAYER = {
    "MatMul": (lambda: MatMul(_f(3, 2)), [_f(4, 3)], _f(4, 2)),
    "Affine": (lambda: Affine(_f(3, 2), _f(2)), [_f(4, 3)], _f(4, 2)),
    "Sigmoid": (Sigmoid, [_f(4, 3)], _f(4, 3)),
    "ReLU": (ReLU, [_f(4, 3)], _f(4, 3)),
    "Softmax": (Softmax, [_f(4, 3)], _f(4, 3)),
    "Dropout": (Dropout, [_f(4, 3)], _f(4, 3)),
    "Embedding": (lambda: Embedding(_f(5, 3)), [np.array([1, 2])], _f(2, 3)),
    "EmbeddingDot": (lambda: EmbeddingDot(_f(5, 3)), [_f(2, 3), np.array([1, 2])], _f(2)),
    "TimeEmbedding": (lambda: TimeEmbedding(_f(5, 3)), [np.array([[1, 2]])], _f(1, 2, 3)),
    "TimeAffine": (lambda: TimeAffine(_f(3, 2), _f(2)), [_f(1, 4, 3)], _f(1, 4, 2)),
    "TimeRNN": (lambda: TimeRNN(_f(3, 2), _f(2, 2), _f(2)), [_f(1, 4, 3)], _f(1, 4, 2)),
    "TimeLSTM": (lambda: TimeLSTM(_f(3, 8), _f(2, 8), _f(8)), [_f(1, 4, 3)], _f(1, 4, 2)),
    "TimeGRU": (lambda: TimeGRU(_f(3, 6), _f(2, 6), _f(6)), [_f(1, 4, 3)], _f(1, 4, 2)),
    "TimeBiLSTM": (lambda: TimeBiLSTM(_f(3, 8), _f(2, 8), _f(8), _f(3, 8), _f(2, 8), _f(8)), [_f(1, 4, 3)],
                   _f(1, 4, 4)),
    "TimeDropout": (TimeDropout, [_f(1, 4, 3)], _f(1, 4, 3)),
    "WeightSum": (WeightSum, [_f(2, 3, 4), _f(2, 3)], _f(2, 4)),
    "AttentionWeight": (AttentionWeight, [_f(2, 3, 4), _f(2, 4)], _f(2, 3)),
    "Attention": (Attention, [_f(2, 3, 4), _f(2, 4)], _f(2, 4)),
    "TimeAttention": (TimeAttention, [_f(2, 3, 4), _f(2, 5, 4)], _f(2, 5, 4)),
    "RNN": (lambda: RNN(_f(3, 2), _f(2, 2), _f(2)), [_f(4, 3), _f(4, 2)], _f(4, 2)),
    "GRU": (lambda: GRU(_f(3, 6), _f(2, 6), _f(6)), [_f(4, 3), _f(4, 2)], _f(4, 2)),
}


@pytest.mark.parametrize("name", list(EVERY_LAYER))
@pytest.mark.parametrize("kind", ["list", "strings", "transposed", "extra axis", "None"])
def test_every_backward_refuses_a_gradient_it_cannot_use_in_one_line(name, kind):
    make, inputs, dout = EVERY_LAYER[name]
    layer = make()
    layer.forward(*inputs)
    bad = {"list": dout.tolist(), "strings": np.full(dout.shape, "a"), "transposed": dout.T.copy().reshape(-1, 1),
           "extra axis": dout[..., None], "None": None}[kind]
    with pytest.raises((ValueError, TypeError)) as info:
        layer.backward(bad)
    text = one_line(info)
    assert "must" in text and not any(word in text for word in ("broadcast", "ufunc", "reshape", "attribute"))
    layer.backward(dout)  # the layer is still usable


def test_time_affine_of_an_empty_batch_is_empty():
    layer = TimeAffine(_f(3, 2), _f(2))
    assert layer.forward(np.zeros((0, 4, 3))).shape == (0, 4, 2)
    assert layer.backward(np.zeros((0, 4, 2))).shape == (0, 4, 3)


def test_negative_sampling_loss_names_itself():
    corpus = np.array([0, 1, 2, 3, 4, 1, 2, 3])
    loss = NegativeSamplingLoss(_f(5, 4), corpus, sample_size=2)
    with pytest.raises(TypeError, match="NegativeSamplingLoss hidden vectors h must be a NumPy or CuPy array"):
        loss.forward(_f(3, 4).tolist(), np.array([1, 2, 3]))
    loss.forward(_f(3, 4), np.array([1, 2, 3]))
    with pytest.raises(TypeError, match="NegativeSamplingLoss.backward dout must be a real number"):
        loss.backward(None)
